//! The orders service: the `orders` table, in resumable atomic chunks.

use std::sync::Arc;

use chrono::Datelike;
use playground_model::{NaiveDate, OrderGenerator, OrdersConfig, Shard};
use playground_runtime::chunks::{self, CHUNK_ORDERS, Loaded};
use playground_runtime::settings::common::SEED;
use playground_runtime::settings::world::{MAX_ORDERS, ORDERS_DAYS, ORDERS_START, SHARD, USERS_COUNT};
use playground_runtime::settings::{ConfigError, Env, Group, Setting};
use playground_runtime::{ServiceInfo, Shutdown, table};
use playground_sinks::SinkError;
use playground_sinks::table::{Rows, Table, TableSink};

/// Orders to generate.
pub static COUNT: Setting<u64> = Setting {
    name: "COUNT",
    default: 100_000,
    range: Some((0, MAX_ORDERS)),
    alias: None,
    help: "Orders to generate (orderId 0..COUNT; orderId is an SQL int).",
};

/// Variables this service reads (besides the table's and the common ones).
pub static SETTINGS: Group = &[
    &COUNT,
    &USERS_COUNT,
    &ORDERS_START,
    &ORDERS_DAYS,
    &SHARD,
    &CHUNK_ORDERS,
];

/// Who the service is, for `--help` and logs.
pub const INFO: ServiceInfo = ServiceInfo {
    name: "playground-orders",
    about: "Generates orders into the table orders(orderId, userId, orderDate, orderValue). \
            Deterministic from SEED; a restart skips the chunks already written.",
    settings: &[SETTINGS, table::SETTINGS],
};

/// The service's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Orders in all and how they look.
    pub orders: OrdersConfig,
    /// Orders in all.
    pub count: u64,
    /// Which slice this process writes.
    pub shard: Shard,
    /// Orders per chunk.
    pub chunk: u64,
}

impl Config {
    /// Reads and checks the settings; every error names its variable.
    pub fn read(env: &Env) -> Result<Config, ConfigError> {
        let mut orders = OrdersConfig::new(env.get(&SEED)?, env.get(&USERS_COUNT)?, 0);
        orders.period_start = env.get(&ORDERS_START)?;
        orders.period_days = env.get(&ORDERS_DAYS)?;
        let cfg = Config {
            orders,
            count: env.get(&COUNT)?,
            shard: env.get(&SHARD)?,
            chunk: env.get(&CHUNK_ORDERS)?,
        };
        // datetime2 (SQL Server) and the date functions of SQLite hold years 1 to 9999.
        let first = cfg.orders.period_start;
        let last = first.checked_add_days(chrono::Days::new(u64::from(cfg.orders.period_days.max(1)) - 1));
        let latest = NaiveDate::from_ymd_opt(9999, 12, 31);
        if first.year() < 1 || last.is_none() || last > latest {
            return Err(ConfigError::new(
                ORDERS_START.name,
                format!(
                    "{first} with ORDERS_DAYS {} is outside 0001-01-01..9999-12-31, the dates SQL can store",
                    cfg.orders.period_days
                ),
            ));
        }
        Ok(cfg)
    }
}

/// Writes this shard's orders to `sink`, skipping chunks already written.
pub async fn run<T: TableSink + 'static>(
    cfg: &Config,
    sink: Arc<T>,
    shutdown: &Shutdown,
) -> Result<Loaded, SinkError> {
    let generator = OrderGenerator::new(cfg.orders.clone());
    let range = cfg.shard.range(cfg.count);
    chunks::load(
        "orders",
        sink,
        Table::Orders,
        range,
        cfg.chunk,
        shutdown,
        move |piece| Rows::Orders(generator.orders(piece).collect()),
    )
    .await
}
