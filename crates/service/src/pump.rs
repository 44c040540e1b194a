//! Playing an event stream against the wall clock into an event sink.

use std::time::Duration;

use playground_model::events::{EventKind, EventStream};
use playground_model::{Emitted, Millis};
use playground_sinks::SinkError;
use playground_sinks::events::{EventRecord, EventSink};

use crate::{Progress, Shutdown};

/// The wall clock in Unix milliseconds (the only clock the streams use).
pub fn now_millis() -> Millis {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as Millis)
        .unwrap_or(0)
}

/// How the pump batches.
#[derive(Debug, Clone, Copy)]
pub struct PumpPlan {
    /// Most events per send.
    pub max_batch: usize,
    /// Stop sending events due at or after this instant (`None`: run until shutdown).
    pub end: Option<Millis>,
}

/// Outcome of [`pump`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pumped {
    /// Events sent (duplicates included).
    pub events: u64,
    /// Of which second sends of a duplicated event.
    pub duplicates: u64,
    /// First second whose sessions were played.
    pub first_second: i64,
    /// Events due before this instant were all sent.
    pub until: Millis,
}

/// Sends every event of `stream` when it falls due, in batches, until `plan.end` or shutdown;
/// then closes the sink. `encode` turns an event into its record (id, partition key, body).
pub async fn pump<K, S>(
    mut stream: EventStream<K>,
    sink: &mut S,
    plan: PumpPlan,
    progress: &Progress,
    shutdown: &Shutdown,
    encode: impl Fn(&Emitted<K::Event>) -> Result<EventRecord, SinkError>,
) -> Result<Pumped, SinkError>
where
    K: EventKind,
    S: EventSink,
{
    let first_second = stream.next_second();
    let mut out = Pumped {
        events: 0,
        duplicates: 0,
        first_second,
        until: first_second * 1000,
    };
    loop {
        let stopping = shutdown.is_triggered();
        let now = now_millis();
        let horizon = match plan.end {
            Some(end) => now.min(end),
            None => now,
        };
        let mut batch = Vec::new();
        while batch.len() < plan.max_batch.max(1) {
            match stream.next_before(horizon) {
                Some(e) => {
                    out.duplicates += u64::from(e.duplicate);
                    batch.push(encode(&e)?);
                }
                None => break,
            }
        }
        let full = batch.len() >= plan.max_batch.max(1);
        if !batch.is_empty() {
            let n = batch.len() as u64;
            sink.send(batch).await?;
            out.events += n;
            progress.add(n);
        }
        if full {
            continue; // more are due right now
        }
        out.until = horizon;
        if stopping || plan.end.is_some_and(|end| horizon >= end) {
            break;
        }
        let wake = stream.next_due().max(now + 1);
        let wait = Duration::from_millis((wake - now).clamp(1, 1000) as u64);
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = shutdown.wait() => {}
        }
    }
    sink.close().await?;
    Ok(out)
}
