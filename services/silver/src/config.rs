//! The job's settings: where it reads (the table store and lake settings every service uses)
//! and how much memory and parallelism it may take.

use playground_runtime::settings::{ConfigError, Env, Group, Setting};
use playground_runtime::{ServiceInfo, lake, table};

/// Memory the queries may hold before they spill to disk.
pub static SILVER_MEMORY_MB: Setting<usize> = Setting {
    name: "SILVER_MEMORY_MB",
    default: 512,
    range: Some((32, 1_048_576)),
    alias: None,
    help: "Memory the silver queries may hold, in MiB; sorts and joins beyond it spill to temporary files (TMPDIR). The process's peak is this plus the writers' buffers.",
};

/// Partitions DataFusion runs a query in.
pub static SILVER_PARTITIONS: Setting<usize> = Setting {
    name: "SILVER_PARTITIONS",
    default: 2,
    range: Some((1, 256)),
    alias: None,
    help: "Parallel partitions of each query (about the cores to use).",
};

/// Rows per batch read from the table store.
pub static SILVER_COPY_BATCH_ROWS: Setting<usize> = Setting {
    name: "SILVER_COPY_BATCH_ROWS",
    default: 65_536,
    range: Some((1, 10_000_000)),
    alias: None,
    help: "Rows read from the table store at once while orders and items are copied to bronze.",
};

/// Whether to copy orders and items first.
pub static SILVER_COPY: Setting<bool> = Setting {
    name: "SILVER_COPY",
    default: true,
    range: None,
    alias: None,
    help: "true: copy orders and items from the table store to bronze first (Data Factory's copy); false: build the silver tables from bronze as it is.",
};

/// The job's own settings.
pub static SETTINGS: Group = &[
    &SILVER_COPY,
    &SILVER_COPY_BATCH_ROWS,
    &SILVER_MEMORY_MB,
    &SILVER_PARTITIONS,
];

/// Who the service is, for `--help` and logs.
pub const INFO: ServiceInfo = ServiceInfo {
    name: "playground-silver",
    about: "Data Factory and the Databricks silver notebook of the playground, locally: copies \
            orders and items from the table store to bronze as Parquet, then writes the silver \
            Delta tables (users with the VIP flag, products, orders, items, pageviews, stars, \
            latency_alerts_users) to silver/tables/<name> with delta-rs. Safe to run again.",
    settings: &[SETTINGS, table::SETTINGS, lake::SETTINGS],
};

/// `playground-silver query "SQL"`: the lake settings only.
pub const QUERY_INFO: ServiceInfo = ServiceInfo {
    name: "playground-silver query",
    about: "Runs one SQL query over the silver Delta tables in the lake and prints the result: \
            users, products, orders, items, pageviews, stars, latency_alerts_users.",
    settings: &[lake::SETTINGS],
};

/// How the job runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Copy orders and items first.
    pub copy: bool,
    /// Rows per batch of the copy.
    pub batch_rows: usize,
    /// The queries' memory cap, in MiB.
    pub memory_mb: usize,
    /// DataFusion's target partitions.
    pub partitions: usize,
}

impl Config {
    /// Reads and checks the settings; every error names its variable.
    pub fn read(env: &Env) -> Result<Config, ConfigError> {
        Ok(Config {
            copy: env.get(&SILVER_COPY)?,
            batch_rows: env.get(&SILVER_COPY_BATCH_ROWS)?,
            memory_mb: env.get(&SILVER_MEMORY_MB)?,
            partitions: env.get(&SILVER_PARTITIONS)?,
        })
    }
}
