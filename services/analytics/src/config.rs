//! The job's settings: where it reads (the stream services' own event settings), where it
//! writes (the lake settings), the query's threshold and tolerance (the same variables as
//! Terraform's job and the verifier), and how it runs.

use std::path::PathBuf;

use playground_runtime::job::{HIGH_LATENCY_MS, OUT_OF_ORDER_SECONDS};
use playground_runtime::settings::common::PLAYGROUND_DATA;
use playground_runtime::settings::{ConfigError, Env, Group, Setting, Text};
use playground_runtime::{ServiceInfo, events, lake};

/// Where the checkpoints are kept.
pub static ANALYTICS_CHECKPOINT_DIR: Setting<Option<Text>> = Setting {
    name: "ANALYTICS_CHECKPOINT_DIR",
    default: None,
    range: None,
    alias: None,
    help: "Directory of the job's checkpoint (input positions, open windows); unset: $PLAYGROUND_DATA/analytics. Keep it with the outputs: a restart goes on from it.",
};

/// Process what is there and exit, or run until stopped.
pub static EXIT_WHEN_CAUGHT_UP: Setting<bool> = Setting {
    name: "EXIT_WHEN_CAUGHT_UP",
    default: false,
    range: None,
    alias: None,
    help: "true: read the streams to their end, write every window they close, exit 0 (after a replay); false: follow them until stopped.",
};

/// The Event Hubs consumer group the job reads in.
pub static EVENTHUB_CONSUMER_GROUP: Setting<Text> = Setting {
    name: "EVENTHUB_CONSUMER_GROUP",
    default: Text::Borrowed("analytics"),
    range: None,
    alias: None,
    help: "Consumer group the job reads both hubs in (Event Hubs only), its own so that other readers do not take its events.",
};

/// Most events read from one hub at once.
pub static ANALYTICS_BATCH_EVENTS: Setting<usize> = Setting {
    name: "ANALYTICS_BATCH_EVENTS",
    default: 65_536,
    range: Some((1, 10_000_000)),
    alias: None,
    help: "Most events read from one hub before the queries run over them; bounds the memory of one step, not what is written.",
};

/// How often the checkpoint is saved while the job writes.
pub static ANALYTICS_CHECKPOINT_SECONDS: Setting<u32> = Setting {
    name: "ANALYTICS_CHECKPOINT_SECONDS",
    default: 5,
    range: Some((0, 3600)),
    alias: None,
    help: "Seconds between checkpoint saves while the job writes (0: after every step); a restart computes again at most this much, and writes the same files.",
};

/// The job's own settings.
pub static SETTINGS: Group = &[
    &HIGH_LATENCY_MS,
    &OUT_OF_ORDER_SECONDS,
    &EXIT_WHEN_CAUGHT_UP,
    &ANALYTICS_CHECKPOINT_DIR,
    &ANALYTICS_BATCH_EVENTS,
    &ANALYTICS_CHECKPOINT_SECONDS,
    &EVENTHUB_CONSUMER_GROUP,
];

/// Who the service is, for `--help` and logs.
pub const INFO: ServiceInfo = ServiceInfo {
    name: "playground-analytics",
    about: "The Stream Analytics job of the playground, locally: reads pageviews and stars (capture \
            files, or Event Hubs), computes every output of query.asaql in SQL on DataFusion in \
            event time, and writes them as Parquet where the Azure job writes them in the lake. \
            Resumes from its checkpoint after a restart.",
    settings: &[
        SETTINGS,
        events::PAGEVIEWS_SETTINGS,
        events::STARS_SETTINGS,
        lake::SETTINGS,
    ],
};

/// `playground-analytics query "SQL"`: the lake settings only.
pub const QUERY_INFO: ServiceInfo = ServiceInfo {
    name: "playground-analytics query",
    about: "Runs one SQL query over the job's outputs in the lake and prints the result. Each \
            output is a table named with `_` for `-`: bronze_pageviews, bronze_stars, \
            silver_http_methods, silver_latency_alerts, silver_vip_pageviews, \
            silver_unhappy_views, silver_first_views.",
    settings: &[lake::SETTINGS],
};

/// What the job computes and how it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// A pageview with a latency above this is an alert.
    pub high_latency_ms: u32,
    /// The out-of-order tolerance, in milliseconds.
    pub tolerance_ms: i64,
    /// Exit once both streams are read to their end.
    pub exit_when_caught_up: bool,
    /// The checkpoint directory.
    pub checkpoint_dir: PathBuf,
    /// Most events per read.
    pub batch_events: usize,
    /// Time between checkpoint saves.
    pub save_every: std::time::Duration,
    /// The consumer group (Event Hubs).
    pub consumer_group: String,
}

impl Config {
    /// Reads and checks the settings; every error names its variable.
    pub fn read(env: &Env) -> Result<Config, ConfigError> {
        let checkpoint_dir = match env.get(&ANALYTICS_CHECKPOINT_DIR)? {
            Some(dir) if dir.trim().is_empty() => {
                return Err(ConfigError::new(
                    ANALYTICS_CHECKPOINT_DIR.name,
                    "is empty: name a directory",
                ));
            }
            Some(dir) => PathBuf::from(dir.as_ref()),
            None => PathBuf::from(env.get(&PLAYGROUND_DATA)?.as_ref()).join("analytics"),
        };
        let group = env.get(&EVENTHUB_CONSUMER_GROUP)?;
        if group.trim().is_empty() || group.contains(['/', ' ']) {
            return Err(ConfigError::new(
                EVENTHUB_CONSUMER_GROUP.name,
                format!("{group:?} is not a consumer group name"),
            ));
        }
        Ok(Config {
            high_latency_ms: env.get(&HIGH_LATENCY_MS)?,
            tolerance_ms: i64::from(env.get(&OUT_OF_ORDER_SECONDS)?) * 1000,
            exit_when_caught_up: env.get(&EXIT_WHEN_CAUGHT_UP)?,
            checkpoint_dir,
            batch_events: env.get(&ANALYTICS_BATCH_EVENTS)?,
            save_every: std::time::Duration::from_secs(env.get(&ANALYTICS_CHECKPOINT_SECONDS)?.into()),
            consumer_group: group.trim().to_owned(),
        })
    }
}
