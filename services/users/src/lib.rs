//! The users service: `users/users.json` (JSON lines) and `users/vip.json` into the lake.

use std::ops::Range;
use std::sync::Arc;
use std::time::Duration;

use playground_model::{Locale, Shard, UserGenerator};
use playground_runtime::blocks::{self, BlockPlan, Written};
use playground_runtime::settings::common::SEED;
use playground_runtime::settings::world::{LOCALE, MAX_IDS, SHARD, VIP_COUNT};
use playground_runtime::settings::{ConfigError, Env, Group, Setting};
use playground_runtime::{Progress, ServiceInfo, Shutdown, lake};
use playground_sinks::SinkError;
use playground_sinks::lake::LakeSink;

/// Users to generate.
pub static COUNT: Setting<u64> = Setting {
    name: "COUNT",
    default: 10_000,
    range: Some((0, MAX_IDS)),
    alias: None,
    help: "Users to generate (ids 0..COUNT; an SQL int holds every id).",
};

/// Users per staged block. About 470 KB: three blocks in flight stay in the core's cache
/// between rendering and writing, which makes the write about four times cheaper in CPU than
/// with 2.3 MB blocks (issue 18, docs/decisions.md).
pub static BLOCK_RECORDS: Setting<u64> = Setting {
    name: "BLOCK_RECORDS",
    default: 1_000,
    range: Some((1, 1_000_000)),
    alias: None,
    help: "Users per staged block of users.json (about 470 KB each; raised so that one object has at most 50,000 blocks).",
};

/// Blocks in flight.
pub static CONCURRENCY: Setting<usize> = Setting {
    name: "CONCURRENCY",
    default: 3,
    range: Some((1, 64)),
    alias: None,
    help: "Blocks generated and written at once.",
};

/// Variables this service reads (besides the lake's and the common ones).
pub static SETTINGS: Group = &[&COUNT, &VIP_COUNT, &LOCALE, &SHARD, &BLOCK_RECORDS, &CONCURRENCY];

/// Who the service is, for `--help` and logs.
pub const INFO: ServiceInfo = ServiceInfo {
    name: "playground-users",
    about: "Generates users (Czech by default) into the lake as users/users.json (JSON lines) and \
            the VIP list as users/vip.json. Deterministic from SEED; resumes after a kill.",
    settings: &[SETTINGS, lake::SETTINGS],
};

/// The service's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Seed of every generator.
    pub seed: u64,
    /// Users in all.
    pub count: u64,
    /// VIPs in all.
    pub vip_count: u64,
    /// People's locale.
    pub locale: Locale,
    /// Which slice this process writes.
    pub shard: Shard,
    /// Users per block.
    pub block_records: u64,
    /// Blocks in flight.
    pub concurrency: usize,
}

impl Config {
    /// Reads and checks the settings; every error names its variable.
    pub fn read(env: &Env) -> Result<Config, ConfigError> {
        let cfg = Config {
            seed: env.get(&SEED)?,
            count: env.get(&COUNT)?,
            vip_count: env.get(&VIP_COUNT)?,
            locale: env.get(&LOCALE)?,
            shard: env.get(&SHARD)?,
            block_records: env.get(&BLOCK_RECORDS)?,
            concurrency: env.get(&CONCURRENCY)?,
        };
        if cfg.vip_count > cfg.count {
            return Err(ConfigError::new(
                VIP_COUNT.name,
                format!(
                    "{} exceeds COUNT {}: VIPs are distinct existing users",
                    cfg.vip_count, cfg.count
                ),
            ));
        }
        Ok(cfg)
    }

    /// Object names of this shard: the whole files, or numbered parts whose concatenation
    /// in shard order is the whole file.
    pub fn paths(&self) -> (String, String) {
        if self.shard.count() == 1 {
            ("users/users.json".into(), "users/vip.json".into())
        } else {
            let (i, n) = (self.shard.index(), self.shard.count());
            // Padded to the width of n (at least 3), so the names sort in shard order and
            // `cat users.part-*` gives users.json.
            let w = n.to_string().len().max(3);
            (
                format!("users/users.part-{i:0w$}-of-{n:0w$}.json"),
                format!("users/vip.part-{i:0w$}-of-{n:0w$}.json"),
            )
        }
    }
}

/// What a run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Users in this shard.
    pub users: u64,
    /// VIPs in this shard.
    pub vips: u64,
    /// How users.json was written.
    pub written: Written,
}

/// Appends the JSON lines of users `range` to `out`: one block of users.json. Public so that
/// the per-core bench can measure this alone (generation and JSON, no writing), the service's
/// own limit.
pub fn render_users(
    generator: &UserGenerator,
    range: Range<u64>,
    out: &mut Vec<u8>,
) -> Result<(), SinkError> {
    out.reserve((range.end - range.start) as usize * 720);
    blocks::json_lines(generator.users(range), out)
}

/// The JSON lines of VIPs `range`: vip.json.
pub fn render_vips(generator: &UserGenerator, range: Range<u64>) -> Result<Vec<u8>, SinkError> {
    let mut out = Vec::with_capacity(16 * (range.end - range.start) as usize);
    blocks::json_lines(generator.vips(range), &mut out)?;
    Ok(out)
}

/// Writes this shard's users and VIPs to `lake`; `None` when shutdown stopped it before
/// users.json was committed (the staged blocks are kept for the next run).
pub async fn run<L: LakeSink + 'static>(
    cfg: &Config,
    lake: Arc<L>,
    shutdown: &Shutdown,
) -> Result<Option<Summary>, SinkError> {
    let range = cfg.shard.range(cfg.count);
    let vip_range = cfg.shard.range(cfg.vip_count);
    let (users_path, vip_path) = cfg.paths();
    tracing::info!(
        users = range.end - range.start,
        shard = %cfg.shard,
        seed = cfg.seed,
        locale = %cfg.locale,
        to = %lake.describe(),
        "writing {users_path}"
    );
    let progress = Progress::start("users", Some(range.end - range.start), Duration::from_secs(5));
    let generator = Arc::new(UserGenerator::new(cfg.seed, cfg.count, cfg.locale));
    // The VIP list first: Stream Analytics reads it as reference data and waits for it before
    // its job produces output, so it must appear in the service's first seconds, not after
    // users.json (minutes at 5 million users). Rewriting it on a resume is idempotent.
    let vips = render_vips(&generator, vip_range.clone())?;
    lake.put(&vip_path, vips.into()).await?;
    let g = generator.clone();
    let plan = BlockPlan {
        records_per_block: cfg.block_records,
        concurrency: cfg.concurrency,
    };
    let written = tokio::select! {
        w = blocks::write_object(lake.clone(), &users_path, range.clone(), plan, &progress, move |r, out| {
            render_users(&g, r, out)
        }) => w?,
        _ = shutdown.wait() => return Ok(None),
    };
    let summary = Summary {
        users: range.end - range.start,
        vips: vip_range.end - vip_range.start,
        written,
    };
    tracing::info!(
        users = summary.users,
        vips = summary.vips,
        seconds = progress.elapsed().as_secs_f64(),
        rate = progress.rate().round(),
        "done: {users_path} and {vip_path} ({:?})",
        summary.written
    );
    Ok(Some(summary))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(shard: &str) -> (String, String) {
        Config::read(&[("SHARD", shard)].into_iter().collect())
            .expect("settings")
            .paths()
    }

    /// Issue 14: `users.part-999-of-1001.json` sorted after `users.part-1000-of-1001.json`.
    #[test]
    fn part_names_sort_in_shard_order() {
        assert_eq!(paths("0/1").0, "users/users.json");
        assert_eq!(paths("2/3").0, "users/users.part-002-of-003.json");
        assert_eq!(paths("999/1001").0, "users/users.part-0999-of-1001.json");
        assert_eq!(paths("999/1001").1, "users/vip.part-0999-of-1001.json");
        let names: Vec<String> = (0..1001).map(|i| paths(&format!("{i}/1001")).0).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(sorted, names);
    }
}
