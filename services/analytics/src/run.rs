//! The job's loop: read both streams, step the engine, write the slices it closes, save the
//! checkpoint every few seconds; stop on a signal (saving first) or, when asked, once both
//! streams are read to their end.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use bytes::Bytes;
use playground_runtime::job::{HIGH_LATENCY_MS, OUT_OF_ORDER_SECONDS};
use playground_runtime::{Progress, Shutdown};
use playground_sinks::SinkError;
use playground_sinks::events::EventTarget;
use playground_sinks::lake::{LakeBackend, LakeReader, LakeTarget};

use crate::checkpoint::{CheckpointError, Checkpoints, Fingerprint};
use crate::config::Config;
use crate::engine::{Engine, EngineError, State, vip_table};
use crate::input::{Source, Stream};
use crate::write::{Outputs, WriteError};

/// Where the job finds its reference data, as the Azure job's `[vip]` input does.
pub const VIP_BLOB: &str = "users/vip.json";

/// How long a read waits when nothing came last time.
const IDLE_WAIT: Duration = Duration::from_millis(500);

/// Why the job stopped.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A setting differs from the checkpoint's.
    #[error("{variable}: {message}")]
    Setting {
        /// The variable.
        variable: &'static str,
        /// Why.
        message: String,
    },
    /// A stream or the lake failed.
    #[error(transparent)]
    Sink(#[from] SinkError),
    /// The reference data is missing or unreadable.
    #[error("the reference data bronze/{VIP_BLOB}: {0}")]
    Reference(String),
    /// A query failed.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// A slice could not be written.
    #[error(transparent)]
    Write(#[from] WriteError),
    /// The checkpoint could not be read or saved.
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
}

/// What a run did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Events read.
    pub events: u64,
    /// Files written (a slice rewritten counts again).
    pub files: u64,
    /// Rows written.
    pub rows: u64,
    /// Most events held at once.
    pub peak_held: usize,
}

/// The job's inputs and output.
#[derive(Debug)]
pub struct Targets {
    /// Per stream, where it is read.
    pub events: BTreeMap<Stream, EventTarget>,
    /// The lake.
    pub lake: LakeTarget,
}

/// Runs the job until `shutdown` (or, with `exit_when_caught_up`, the end of the input).
pub async fn run(cfg: &Config, targets: &Targets, shutdown: &Shutdown) -> Result<Summary, RunError> {
    let fingerprint = Fingerprint {
        high_latency_ms: cfg.high_latency_ms,
        tolerance_ms: cfg.tolerance_ms,
    };
    let (mut checkpoints, restored) = Checkpoints::open(cfg.checkpoint_dir.clone())?;
    let (positions, state) = match restored {
        Some(r) => {
            refuse_changes(&r.settings, &fingerprint, cfg)?;
            tracing::info!(dir = %cfg.checkpoint_dir.display(), "going on from the checkpoint");
            (r.positions, r.state)
        }
        None => (BTreeMap::new(), State::empty()),
    };
    let vip = read_vip(&targets.lake).await?;
    let outputs = Outputs::open(&targets.lake).await?;
    let mut sources = Vec::new();
    for stream in Stream::ALL {
        let target = targets
            .events
            .get(&stream)
            .ok_or_else(|| SinkError::Task(format!("no input for {}", stream.hub().name())))?;
        let position = positions.get(&stream).cloned().unwrap_or_default();
        let source = Source::open(target, stream, &cfg.consumer_group, &position).await?;
        tracing::info!(input = %source.describe(), "reading");
        sources.push((stream, source));
    }
    let mut engine = Engine::new(cfg.high_latency_ms, cfg.tolerance_ms, vip, state);
    let progress = Progress::start("events", None, Duration::from_secs(5));
    let mut summary = Summary::default();
    let mut last_save = Instant::now();
    let mut unsaved = false;
    let mut wait = Duration::ZERO;
    loop {
        let mut read = 0usize;
        for (stream, source) in &mut sources {
            let events = source.read(cfg.batch_events, wait).await?;
            read += events.len();
            for rejected in engine.ingest(*stream, &events)? {
                tracing::warn!(
                    stream = stream.hub().name(),
                    "dropped a line that is not an event: {rejected}"
                );
            }
            engine.advance(*stream, &source.partitions());
        }
        progress.add(read as u64);
        summary.events += read as u64;
        summary.peak_held = summary.peak_held.max(engine.state.held());
        let slices = engine.step(false).await?;
        unsaved |= read > 0 || !slices.is_empty();
        for slice in &slices {
            outputs.write(slice).await?;
            summary.files += 1;
            summary.rows += slice.rows.num_rows() as u64;
        }
        let at_end = read == 0 && sources.iter().all(|(_, s)| s.caught_up());
        let stopping = shutdown.is_triggered() || (cfg.exit_when_caught_up && at_end);
        if unsaved && (stopping || last_save.elapsed() >= cfg.save_every) {
            let positions = sources.iter().map(|(s, src)| (*s, src.position())).collect();
            checkpoints.save(&fingerprint, positions, &engine.state)?;
            last_save = Instant::now();
            unsaved = false;
        }
        if shutdown.is_triggered() {
            tracing::info!("stopped; the checkpoint is saved, a restart goes on from it");
            break;
        }
        if cfg.exit_when_caught_up && at_end {
            // The end of the input closes every window: write what is open, as a job whose
            // input ended would. The checkpoint stays before this, so a later run with more
            // input computes these slices again, whole, and replaces their files.
            for slice in engine.step(true).await? {
                outputs.write(&slice).await?;
                summary.files += 1;
                summary.rows += slice.rows.num_rows() as u64;
            }
            break;
        }
        wait = if read == 0 { IDLE_WAIT } else { Duration::ZERO };
    }
    let marks = &engine.state.marks;
    tracing::info!(
        events = summary.events,
        files = summary.files,
        rows = summary.rows,
        adjusted = marks.adjusted,
        rejected = marks.rejected,
        peak_held = summary.peak_held,
        rate = format!("{:.0}/s", progress.rate()),
        "done"
    );
    Ok(summary)
}

fn refuse_changes(saved: &Fingerprint, now: &Fingerprint, cfg: &Config) -> Result<(), RunError> {
    let restart = format!(
        "set it back, or delete {} and the outputs to start over",
        cfg.checkpoint_dir.display()
    );
    if saved.high_latency_ms != now.high_latency_ms {
        return Err(RunError::Setting {
            variable: HIGH_LATENCY_MS.name,
            message: format!(
                "is {}, but the checkpoint's outputs were computed with {}: the alerts would follow two thresholds; {restart}",
                now.high_latency_ms, saved.high_latency_ms
            ),
        });
    }
    if saved.tolerance_ms != now.tolerance_ms {
        return Err(RunError::Setting {
            variable: OUT_OF_ORDER_SECONDS.name,
            message: format!(
                "is {}, but the checkpoint's watermarks were computed with {}; {restart}",
                now.tolerance_ms / 1000,
                saved.tolerance_ms / 1000
            ),
        });
    }
    Ok(())
}

async fn read_vip(lake: &LakeTarget) -> Result<arrow::array::RecordBatch, RunError> {
    let bronze = LakeBackend::open_for_reading(lake, "bronze").await?;
    let present = bronze.walk("users").await?.iter().any(|(n, _)| n == "vip.json");
    if !present {
        return Err(RunError::Reference(
            "not in the lake; run playground-users first (it writes the VIP list)".into(),
        ));
    }
    let bytes: Bytes = bronze.get(VIP_BLOB).await?;
    let vip = vip_table(&bytes).map_err(|e| RunError::Reference(e.to_string()))?;
    tracing::info!(vips = vip.num_rows(), "read the reference data");
    Ok(vip)
}
