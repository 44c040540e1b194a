//! What the pageviews and stars services share: their settings and their run loop, generic
//! over which events of the timeline they send.

use std::time::Duration;

use playground_model::events::{EventKind, EventStream, Identified};
use playground_model::{Emitted, Locale, StreamConfig, Timeline};
use playground_sinks::SinkError;
use playground_sinks::events::{EventRecord, EventSink};
use serde::{Deserialize, Serialize};

use crate::pump::{self, PumpPlan, Pumped};
use crate::settings::{ConfigError, Setting, aliased, from_iter, ids_count, parse};
use crate::{Progress, Shutdown};

/// Variables both stream services read.
pub const SETTINGS: &[Setting] = &[
    Setting {
        name: "SESSIONS_PER_SECOND",
        default: "1",
        help: "Mean sessions starting per second (a session is 1-30 pageviews).",
    },
    Setting {
        name: "RUN_SECONDS",
        default: "",
        help: "Stop after this many seconds; unset runs until SIGTERM or Ctrl-C.",
    },
    Setting {
        name: "USERS_COUNT",
        default: "10000",
        help: "Users that exist; sessions belong to 0..USERS_COUNT. Alias: USER_MAX_ID.",
    },
    Setting {
        name: "DAILY_CURVE",
        default: "false",
        help: "Vary the rate with the time of day (UTC): quiet at 04:00, busy at 16:00.",
    },
    Setting {
        name: "LATE_FRACTION",
        default: "0",
        help: "Fraction of events whose event_time lags (late, out of order).",
    },
    Setting {
        name: "LATE_MAX_SECONDS",
        default: "60",
        help: "Largest lag of a late event, in seconds.",
    },
    Setting {
        name: "DUPLICATE_FRACTION",
        default: "0",
        help: "Fraction of events sent twice with the same event_id.",
    },
    Setting {
        name: "BATCH_MAX_EVENTS",
        default: "1000",
        help: "Most events per send.",
    },
];

/// Longest `RUN_SECONDS`: 100 years (the end instant in milliseconds then stays far inside
/// an `i64`, and event times inside the years SQL and Parquet readers take).
pub const MAX_RUN_SECONDS: u64 = 3_153_600_000;

/// Extra variables of the pageviews service (URIs point at products).
pub const PAGEVIEW_SETTINGS: &[Setting] = &[
    Setting {
        name: "PRODUCTS_COUNT",
        default: "1000",
        help: "Products that exist; URIs point at their pages. Alias: PRODUCT_MAX_ID.",
    },
    Setting {
        name: "LOCALE",
        default: "cs_CZ",
        help: "cs_CZ or en_US: the shop host in URIs.",
    },
];

/// Settings of a stream service.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamSettings {
    /// The timeline's configuration.
    pub stream: StreamConfig,
    /// Run time limit.
    pub run_seconds: Option<u64>,
    /// Most events per send.
    pub max_batch: usize,
}

#[derive(Debug, Deserialize)]
struct Vars {
    seed: Option<u64>,
    users_count: Option<u64>,
    user_max_id: Option<u64>,
    products_count: Option<u64>,
    product_max_id: Option<u64>,
    locale: Option<String>,
    sessions_per_second: Option<f64>,
    run_seconds: Option<u64>,
    daily_curve: Option<bool>,
    late_fraction: Option<f64>,
    late_max_seconds: Option<u32>,
    duplicate_fraction: Option<f64>,
    batch_max_events: Option<usize>,
}

fn fraction(name: &str, v: Option<f64>) -> Result<f64, ConfigError> {
    let f = v.unwrap_or(0.0);
    if !(0.0..=1.0).contains(&f) {
        return Err(ConfigError::new(
            name,
            format!("{f} is not a fraction between 0 and 1"),
        ));
    }
    Ok(f)
}

impl StreamSettings {
    /// Reads and checks the settings. `pageviews` also reads the product settings.
    pub fn from_vars(vars: Vec<(String, String)>, pageviews: bool) -> Result<StreamSettings, ConfigError> {
        let v: Vars = from_iter(vars)?;
        let users =
            aliased(("USERS_COUNT", v.users_count), ("USER_MAX_ID", v.user_max_id))?.unwrap_or(10_000);
        if users == 0 {
            return Err(ConfigError::new(
                "USERS_COUNT",
                "must be at least 1: every session has a user",
            ));
        }
        ids_count("USERS_COUNT", users)?;
        let (products, locale) = if pageviews {
            let p = aliased(
                ("PRODUCTS_COUNT", v.products_count),
                ("PRODUCT_MAX_ID", v.product_max_id),
            )?
            .unwrap_or(1000);
            if p == 0 {
                return Err(ConfigError::new(
                    "PRODUCTS_COUNT",
                    "must be at least 1: pageviews show products",
                ));
            }
            ids_count("PRODUCTS_COUNT", p)?;
            (
                p,
                parse::<Locale>("LOCALE", v.locale.as_deref())?.unwrap_or_default(),
            )
        } else {
            (0, Locale::default())
        };
        let mut stream = StreamConfig::new(v.seed.unwrap_or(42), users, products);
        stream.locale = locale;
        stream.sessions_per_second = v.sessions_per_second.unwrap_or(1.0);
        if !stream.sessions_per_second.is_finite() || !(0.0..=100_000.0).contains(&stream.sessions_per_second)
        {
            return Err(ConfigError::new(
                "SESSIONS_PER_SECOND",
                "must be between 0 and 100000",
            ));
        }
        stream.daily_curve = v.daily_curve.unwrap_or(false);
        stream.late_fraction = fraction("LATE_FRACTION", v.late_fraction)?;
        stream.late_max_seconds = v.late_max_seconds.unwrap_or(60);
        stream.duplicate_fraction = fraction("DUPLICATE_FRACTION", v.duplicate_fraction)?;
        let max_batch = v.batch_max_events.unwrap_or(1000);
        if !(1..=100_000).contains(&max_batch) {
            return Err(ConfigError::new(
                "BATCH_MAX_EVENTS",
                "must be between 1 and 100000",
            ));
        }
        if v.run_seconds.is_some_and(|s| !(1..=MAX_RUN_SECONDS).contains(&s)) {
            return Err(ConfigError::new(
                "RUN_SECONDS",
                format!("must be between 1 and {MAX_RUN_SECONDS} (100 years), or unset to run forever"),
            ));
        }
        Ok(StreamSettings {
            stream,
            run_seconds: v.run_seconds,
            max_batch,
        })
    }
}

/// The record a sink sends for an event: its id, partitioned by user, JSON body.
pub fn record<E: Identified + Serialize>(e: &Emitted<E>) -> Result<EventRecord, SinkError> {
    Ok(EventRecord {
        id: e.event.event_id().to_owned(),
        partition_key: e.event.user_id().to_string(),
        sent_at: e.send_at,
        body: serde_json::to_vec(&e.event)?,
    })
}

/// Plays the `K` events of the timeline (pageviews or stars) from the next whole second until
/// `RUN_SECONDS` or shutdown, into `sink`; returns what was sent and which window, for checking.
pub async fn run<K, S>(
    what: &'static str,
    settings: &StreamSettings,
    sink: &mut S,
    shutdown: &Shutdown,
) -> Result<Pumped, SinkError>
where
    K: EventKind + Send + 'static,
    S: EventSink,
{
    let first_second = pump::now_millis().div_euclid(1000) + 1;
    let end = settings.run_seconds.map(|s| (first_second + s as i64) * 1000);
    let mut stream = EventStream::<K>::unopened(Timeline::new(settings.stream.clone()), first_second);
    tracing::info!(
        sessions_per_second = settings.stream.sessions_per_second,
        run_seconds = settings.run_seconds,
        seed = settings.stream.seed,
        to = %sink.describe(),
        "sending {what} from second {first_second}"
    );
    // Sessions still in progress at the start are found by drawing every session of the
    // look-back window (about 3,000 seconds of them): at high rates that takes a while, so it
    // runs on a blocking thread in steps, and a shutdown meanwhile stops the service at once.
    let mut warm = false;
    while !warm {
        if shutdown.is_triggered() {
            tracing::info!("done: {what} (stopped while finding the sessions in progress)");
            return Ok(Pumped {
                events: 0,
                duplicates: 0,
                first_second,
                until: first_second * 1000,
            });
        }
        let steps = (20_000.0 / settings.stream.sessions_per_second.max(1.0)).clamp(1.0, 1000.0) as u32;
        (stream, warm) = tokio::task::spawn_blocking(move || {
            let done = stream.warm_up(steps);
            (stream, done)
        })
        .await?;
    }
    let progress = Progress::start(what, None, Duration::from_secs(5));
    let plan = PumpPlan {
        max_batch: settings.max_batch,
        end,
    };
    let out = pump::pump(stream, sink, plan, &progress, shutdown, record).await?;
    tracing::info!(
        events = out.events,
        duplicates = out.duplicates,
        first_second = out.first_second,
        until_ms = out.until,
        seconds = progress.elapsed().as_secs_f64(),
        rate = progress.rate().round(),
        "done: {what}"
    );
    Ok(out)
}
