//! What the pageviews and stars services share: their settings and their run loop, generic
//! over which events of the timeline they send.

use std::time::Duration;

use chrono::{DateTime, Utc};
use playground_model::events::{EventKind, EventStream, Identified};
use playground_model::{Emitted, EventTime, Locale, Millis, StreamConfig, Timeline};
use playground_sinks::SinkError;
use playground_sinks::events::{EventRecord, EventSink, Hub};
use serde::Serialize;

use crate::pump::{self, Pace, PumpPlan, Pumped};
use crate::settings::common::SEED;
use crate::settings::world::{LOCALE, PRODUCTS_COUNT, USERS_COUNT};
use crate::settings::{ConfigError, Env, Group, Setting};
use crate::{Progress, Shutdown};

/// Mean sessions starting per second.
pub static SESSIONS_PER_SECOND: Setting<f64> = Setting {
    name: "SESSIONS_PER_SECOND",
    default: 1.0,
    range: Some((0.0, 100_000.0)),
    alias: None,
    help: "Mean sessions starting per second (a session is 1-30 pageviews).",
};

/// Longest `RUN_SECONDS`: 100 years (the end instant in milliseconds then stays far inside
/// an `i64`, and event times inside the years SQL and Parquet readers take).
pub const MAX_RUN_SECONDS: u64 = 3_153_600_000;

/// How long the stream runs.
pub static RUN_SECONDS: Setting<Option<u64>> = Setting {
    name: "RUN_SECONDS",
    default: None,
    range: Some((Some(1), Some(MAX_RUN_SECONDS))),
    alias: None,
    help: "Stop after this many seconds (at most 100 years); unset runs until SIGTERM or Ctrl-C.",
};

/// Start of a replay.
pub static REPLAY_FROM: Setting<Option<DateTime<Utc>>> = Setting {
    name: "REPLAY_FROM",
    default: None,
    range: None,
    alias: None,
    help: "Replay: send at once, as fast as the sink takes them, exactly the events a live run \
           would have sent from this instant (RFC 3339) until REPLAY_UNTIL, then exit 0.",
};

/// End of a replay.
pub static REPLAY_UNTIL: Setting<Option<DateTime<Utc>>> = Setting {
    name: "REPLAY_UNTIL",
    default: None,
    range: None,
    alias: None,
    help: "End of the replay (exclusive, RFC 3339); unset: the moment the service starts. \
           Needs REPLAY_FROM.",
};

/// Whether the rate follows the time of day.
pub static DAILY_CURVE: Setting<bool> = Setting {
    name: "DAILY_CURVE",
    default: false,
    range: None,
    alias: None,
    help: "Vary the rate with the time of day (UTC): quiet at 04:00, busy at 16:00.",
};

/// Fraction of late events.
pub static LATE_FRACTION: Setting<f64> = Setting {
    name: "LATE_FRACTION",
    default: 0.0,
    range: Some((0.0, 1.0)),
    alias: None,
    help: "Fraction of events whose event_time lags the send (late, out of order).",
};

/// Largest lag of a late event.
pub static LATE_MAX_SECONDS: Setting<u32> = Setting {
    name: "LATE_MAX_SECONDS",
    default: 60,
    range: None,
    alias: None,
    help: "Largest lag of a late event, in seconds.",
};

/// Fraction of events sent twice.
pub static DUPLICATE_FRACTION: Setting<f64> = Setting {
    name: "DUPLICATE_FRACTION",
    default: 0.0,
    range: Some((0.0, 1.0)),
    alias: None,
    help: "Fraction of events sent twice with the same event_id.",
};

/// Most events per send.
pub static BATCH_MAX_EVENTS: Setting<usize> = Setting {
    name: "BATCH_MAX_EVENTS",
    default: 1000,
    range: Some((1, 100_000)),
    alias: None,
    help: "Most events per send.",
};

/// Variables both stream services read.
pub static SETTINGS: Group = &[
    &SESSIONS_PER_SECOND,
    &RUN_SECONDS,
    &REPLAY_FROM,
    &REPLAY_UNTIL,
    &USERS_COUNT,
    &DAILY_CURVE,
    &LATE_FRACTION,
    &LATE_MAX_SECONDS,
    &DUPLICATE_FRACTION,
    &BATCH_MAX_EVENTS,
];

/// Extra variables of the pageviews service (URIs point at products, on the locale's shop).
pub static PAGEVIEW_SETTINGS: Group = &[&PRODUCTS_COUNT, &LOCALE];

/// Settings of a stream service.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamSettings {
    /// The timeline's configuration.
    pub stream: StreamConfig,
    /// Run time limit.
    pub run_seconds: Option<u64>,
    /// A past (or any) range to send at once instead of a live run.
    pub replay: Option<Replay>,
    /// Most events per send.
    pub max_batch: usize,
}

impl StreamSettings {
    /// Reads and checks the settings of `hub`'s service; the pageviews one also reads the
    /// product settings, as its URIs point at products.
    pub fn read(env: &Env, hub: Hub) -> Result<StreamSettings, ConfigError> {
        let stream = stream_config(env, hub)?;
        let run_seconds = env.get(&RUN_SECONDS)?;
        let replay = Replay::read(env)?;
        if replay.is_some() && run_seconds.is_some() {
            return Err(ConfigError::new(
                format!("{}, {}", RUN_SECONDS.name, REPLAY_FROM.name),
                "a replay ends at REPLAY_UNTIL, a live run after RUN_SECONDS: set one of them",
            ));
        }
        Ok(StreamSettings {
            stream,
            run_seconds,
            replay,
            max_batch: env.get(&BATCH_MAX_EVENTS)?,
        })
    }
}

/// The timeline's configuration as `hub`'s service reads it (the pageviews one also reads the
/// product settings, as its URIs point at products); the verifier reads it as pageviews does.
pub fn stream_config(env: &Env, hub: Hub) -> Result<StreamConfig, ConfigError> {
    let users = env.get(&USERS_COUNT)?;
    let (products, locale) = match hub {
        Hub::Pageviews => (env.get(&PRODUCTS_COUNT)?, env.get(&LOCALE)?),
        // Stars name products by id only; their choice does not depend on the count.
        Hub::Stars => (0, Locale::default()),
    };
    let mut stream = StreamConfig::new(env.get(&SEED)?, users, products);
    stream.locale = locale;
    stream.sessions_per_second = env.get(&SESSIONS_PER_SECOND)?;
    stream.daily_curve = env.get(&DAILY_CURVE)?;
    stream.late_fraction = env.get(&LATE_FRACTION)?;
    stream.late_max_seconds = env.get(&LATE_MAX_SECONDS)?;
    stream.duplicate_fraction = env.get(&DUPLICATE_FRACTION)?;
    Ok(stream)
}

/// The send-time range of a replay: `[from, until)` in Unix milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Replay {
    /// First instant whose events are sent.
    pub from: Millis,
    /// Events due at or after this are not sent; `None`: the moment the service starts.
    pub until: Option<Millis>,
}

impl Replay {
    fn read(env: &Env) -> Result<Option<Replay>, ConfigError> {
        let from = env.get(&REPLAY_FROM)?.map(|t| t.timestamp_millis());
        let until = env.get(&REPLAY_UNTIL)?.map(|t| t.timestamp_millis());
        match (from, until) {
            (None, None) => Ok(None),
            (None, Some(_)) => Err(ConfigError::new(
                REPLAY_UNTIL.name,
                "is set but REPLAY_FROM is not: a replay needs its start",
            )),
            (Some(from), Some(until)) if until <= from => Err(ConfigError::new(
                REPLAY_UNTIL.name,
                "must come after REPLAY_FROM (the range is [REPLAY_FROM, REPLAY_UNTIL))",
            )),
            (Some(from), until) => Ok(Some(Replay { from, until })),
        }
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
    hub: Hub,
    settings: &StreamSettings,
    sink: &mut S,
    shutdown: &Shutdown,
) -> Result<Pumped, SinkError>
where
    K: EventKind + Send + 'static,
    S: EventSink,
{
    let what = hub.name();
    let (start, end, pace) = match settings.replay {
        Some(replay) => {
            let until = replay.until.unwrap_or_else(pump::now_millis);
            if until <= replay.from {
                tracing::warn!("nothing to replay: REPLAY_FROM is not before REPLAY_UNTIL (unset: now)");
            }
            (replay.from, Some(until), Pace::Replay)
        }
        None => {
            let first_second = pump::now_millis().div_euclid(1000) + 1;
            let end = settings.run_seconds.map(|s| (first_second + s as i64) * 1000);
            (first_second * 1000, end, Pace::Live)
        }
    };
    let mut stream = EventStream::<K>::unopened_at(Timeline::new(settings.stream.clone()), start);
    let first_second = start.div_euclid(1000);
    tracing::info!(
        sessions_per_second = settings.stream.sessions_per_second,
        run_seconds = settings.run_seconds,
        seed = settings.stream.seed,
        to = %sink.describe(),
        "{} {what} from {}{}",
        if pace == Pace::Replay { "replaying" } else { "sending" },
        EventTime(start),
        end.map(|e| format!(" until {}", EventTime(e))).unwrap_or_default()
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
                until: start,
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
        pace,
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
