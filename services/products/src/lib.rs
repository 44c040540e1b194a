//! The products service: one `products/product_{id}.json` per product into the lake.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use playground_model::{Locale, ProductGenerator, Shard};
use playground_runtime::bounded::Bounded;
use playground_runtime::settings::common::SEED;
use playground_runtime::settings::world::{LOCALE, MAX_IDS, SHARD};
use playground_runtime::settings::{ConfigError, Env, Group, Setting};
use playground_runtime::{Progress, Shutdown};
use playground_runtime::{ServiceInfo, lake};
use playground_sinks::SinkError;
use playground_sinks::lake::LakeSink;

/// Products to generate.
pub static COUNT: Setting<u64> = Setting {
    name: "COUNT",
    default: 1000,
    range: Some((0, MAX_IDS)),
    alias: None,
    help: "Products to generate (ids 0..COUNT; an SQL int holds every id).",
};

/// Files in flight.
pub static CONCURRENCY: Setting<usize> = Setting {
    name: "CONCURRENCY",
    default: 32,
    range: Some((1, 1024)),
    alias: None,
    help: "Product files written at once.",
};

/// Variables this service reads (besides the lake's and the common ones).
pub static SETTINGS: Group = &[&COUNT, &LOCALE, &SHARD, &CONCURRENCY];

/// Who the service is, for `--help` and logs.
pub const INFO: ServiceInfo = ServiceInfo {
    name: "playground-products",
    about: "Generates products into the lake as products/product_{id}.json, one object per file. \
            Deterministic from SEED; a restart skips the files that exist.",
    settings: &[SETTINGS, lake::SETTINGS],
};

/// The service's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Seed of every generator.
    pub seed: u64,
    /// Products in all.
    pub count: u64,
    /// Names' locale.
    pub locale: Locale,
    /// Which slice this process writes.
    pub shard: Shard,
    /// Files in flight.
    pub concurrency: usize,
}

impl Config {
    /// Reads and checks the settings; every error names its variable.
    pub fn read(env: &Env) -> Result<Config, ConfigError> {
        Ok(Config {
            seed: env.get(&SEED)?,
            count: env.get(&COUNT)?,
            locale: env.get(&LOCALE)?,
            shard: env.get(&SHARD)?,
            concurrency: env.get(&CONCURRENCY)?,
        })
    }
}

/// File name of product `id` under `products/`.
pub fn file_name(id: u64) -> String {
    format!("product_{id}.json")
}

/// What a run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// Product files written by this run.
    pub written: u64,
    /// Found from an earlier run and skipped.
    pub skipped: u64,
    /// Found from an earlier run with the wrong size, and rewritten (counted in `written`).
    pub repaired: u64,
    /// Whether shutdown stopped the run early.
    pub interrupted: bool,
}

/// Writes this shard's product files to `lake`, skipping those that exist.
pub async fn run<L: LakeSink + 'static>(
    cfg: &Config,
    lake: Arc<L>,
    shutdown: &Shutdown,
) -> Result<Summary, SinkError> {
    let range = cfg.shard.range(cfg.count);
    let total = range.end - range.start;
    // The size of each existing product file of this shard (4 MB per million; 0 = none),
    // instead of a set of names. A file is kept only if its size is that of the product it
    // must hold: one cut short (a disk that lost its tail, a copy that stopped) is rewritten.
    let mut existing = vec![0u32; total as usize];
    let mut existing_count = 0u64;
    lake.list("products", &mut |name, size| {
        let id = name
            .strip_prefix("product_")
            .and_then(|n| n.strip_suffix(".json"))
            .and_then(|n| n.parse::<u64>().ok());
        if let Some(id) = id.filter(|id| range.contains(id)) {
            existing[(id - range.start) as usize] = u32::try_from(size).unwrap_or(u32::MAX).max(1);
            existing_count += 1;
        }
    })
    .await?;
    tracing::info!(products = total, shard = %cfg.shard, seed = cfg.seed, to = %lake.describe(), existing = existing_count, "writing products/product_{{id}}.json");
    let progress = Progress::start("products", Some(total), Duration::from_secs(5));
    let generator = ProductGenerator::new(cfg.seed, cfg.locale);
    let mut summary = Summary {
        written: 0,
        skipped: 0,
        repaired: 0,
        interrupted: false,
    };
    let mut tasks = Bounded::new(cfg.concurrency);
    for id in range.clone() {
        let name = file_name(id);
        let body = Bytes::from(serde_json::to_vec(&generator.product(id))?);
        match existing[(id - range.start) as usize] {
            0 => {}
            size if size as usize == body.len() => {
                summary.skipped += 1;
                progress.add(1);
                continue;
            }
            size => {
                tracing::warn!(file = %name, bytes = size, expected = body.len(), "rewriting a product file of the wrong size");
                summary.repaired += 1;
            }
        }
        if shutdown.is_triggered() {
            summary.interrupted = true;
            break;
        }
        let (lake, progress) = (lake.clone(), progress.clone());
        let put = async move {
            lake.put(&format!("products/{name}"), body).await?;
            progress.add(1);
            Ok::<(), SinkError>(())
        };
        tasks.spawn(put, |()| {}).await?;
        summary.written += 1;
    }
    tasks.finish(|()| {}).await?;
    tracing::info!(
        written = summary.written,
        skipped = summary.skipped,
        repaired = summary.repaired,
        seconds = progress.elapsed().as_secs_f64(),
        rate = progress.rate().round(),
        "done: {} product files",
        summary.written + summary.skipped
    );
    Ok(summary)
}
