//! The verifier's settings: the playground's own (the same variables, values and defaults the
//! services and Terraform use, so a learner copies them), the lake, and what is compared.

use chrono::{DateTime, Utc};
use playground_model::keys::KeyConfig;
use playground_model::{Locale, Millis, OrdersConfig};
use playground_runtime::job::{HIGH_LATENCY_MS, OUT_OF_ORDER_SECONDS};
use playground_runtime::settings::world::{
    LOCALE, ORDERS_COUNT, ORDERS_DAYS, ORDERS_START, PRODUCTS_COUNT, USERS_COUNT, VIP_COUNT,
};
use playground_runtime::settings::{ConfigError, Env, Group, Setting};
use playground_runtime::stream::{
    DAILY_CURVE, DUPLICATE_FRACTION, LATE_FRACTION, LATE_MAX_SECONDS, SESSIONS_PER_SECOND, stream_config,
};
use playground_runtime::{ServiceInfo, lake};
use playground_sinks::events::Hub;

/// Start of the event-time range checked.
pub static VERIFY_FROM: Setting<Option<DateTime<Utc>>> = Setting {
    name: "VERIFY_FROM",
    default: None,
    range: None,
    alias: None,
    help: "Check event times after this instant (RFC 3339); unset: from where the outputs are complete.",
};

/// End of the event-time range checked.
pub static VERIFY_UNTIL: Setting<Option<DateTime<Utc>>> = Setting {
    name: "VERIFY_UNTIL",
    default: None,
    range: None,
    alias: None,
    help: "Check event times up to this instant (RFC 3339); unset: up to where the outputs are complete.",
};

/// What is compared and how.
pub static SETTINGS: Group = &[
    &VERIFY_FROM,
    &VERIFY_UNTIL,
    &HIGH_LATENCY_MS,
    &OUT_OF_ORDER_SECONDS,
    &USERS_COUNT,
    &VIP_COUNT,
    &PRODUCTS_COUNT,
    &ORDERS_COUNT,
    &ORDERS_START,
    &ORDERS_DAYS,
    &LOCALE,
    &SESSIONS_PER_SECOND,
    &DAILY_CURVE,
    &LATE_FRACTION,
    &LATE_MAX_SECONDS,
    &DUPLICATE_FRACTION,
];

/// Who the tool is, for `--help` and logs.
pub const INFO: ServiceInfo = ServiceInfo {
    name: "playground-verify",
    about: "Checks a lake against the answer keys: every Stream Analytics output and silver table \
            that the playground's settings determine. Exit 0 when all match, 1 when something \
            differs, 2 for bad settings. Give it the settings the services ran with.",
    settings: &[SETTINGS, lake::SETTINGS],
};

/// The flag that switches the report to JSON.
pub const JSON_FLAG: playground_runtime::Flag = ("--json", "Write the report as JSON to stdout.");

/// The verifier's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// What the stream keys are computed from.
    pub keys: KeyConfig,
    /// The orders generator's settings.
    pub orders: OrdersConfig,
    /// Orders that exist.
    pub orders_count: u64,
    /// The lake's people and product names.
    pub locale: Locale,
    /// The event-time range, when set (otherwise found from the outputs).
    pub from: Option<Millis>,
    /// The end of the range, when set.
    pub until: Option<Millis>,
    /// The job's out-of-order tolerance, in milliseconds.
    pub tolerance: Millis,
}

impl Config {
    /// Reads and checks the settings; every error names its variable.
    pub fn read(env: &Env) -> Result<Config, ConfigError> {
        let stream = stream_config(env, Hub::Pageviews)?;
        let vip_count = env.get(&VIP_COUNT)?;
        if vip_count > stream.users_count {
            return Err(ConfigError::new(
                VIP_COUNT.name,
                format!(
                    "{vip_count} exceeds USERS_COUNT {}: VIPs are distinct existing users",
                    stream.users_count
                ),
            ));
        }
        let mut orders = OrdersConfig::new(stream.seed, stream.users_count, stream.products_count);
        orders.period_start = env.get(&ORDERS_START)?;
        orders.period_days = env.get(&ORDERS_DAYS)?;
        let from = env.get(&VERIFY_FROM)?.map(|t| t.timestamp_millis());
        let until = env.get(&VERIFY_UNTIL)?.map(|t| t.timestamp_millis());
        if let (Some(f), Some(u)) = (from, until)
            && u <= f
        {
            return Err(ConfigError::new(
                VERIFY_UNTIL.name,
                "must come after VERIFY_FROM (the range is (VERIFY_FROM, VERIFY_UNTIL])",
            ));
        }
        Ok(Config {
            locale: stream.locale,
            keys: KeyConfig {
                stream,
                vip_count,
                high_latency_ms: env.get(&HIGH_LATENCY_MS)?,
            },
            orders,
            orders_count: env.get(&ORDERS_COUNT)?,
            from,
            until,
            tolerance: Millis::from(env.get(&OUT_OF_ORDER_SECONDS)?) * 1000,
        })
    }
}
