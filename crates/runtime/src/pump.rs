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

/// How the pump batches and paces.
#[derive(Debug, Clone, Copy)]
pub struct PumpPlan {
    /// Most events per send.
    pub max_batch: usize,
    /// Stop sending events due at or after this instant (`None`: run until shutdown).
    pub end: Option<Millis>,
    /// Against the wall clock, or as fast as the sink takes them.
    pub pace: Pace,
}

/// When an event is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pace {
    /// When it falls due on the wall clock (a live stream).
    Live,
    /// At once: the clock is taken to stand at `end` already (a replay of a past range). The
    /// events are the same as a live run's; only the waiting is gone.
    Replay,
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
        let now = match (plan.pace, plan.end) {
            (Pace::Replay, Some(end)) => end,
            _ => now_millis(),
        };
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
            if shutdown.is_triggered() {
                // Behind (more are due right now) but asked to stop: stop here, bounded by
                // one send, not by the backlog.
                out.until = stream.next_due();
                break;
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use playground_model::events::Pageviews;
    use playground_model::{StreamConfig, Timeline};

    /// A sink that takes 5 ms per send, so a fast stream falls behind it.
    #[derive(Debug, Default)]
    struct Slow {
        sends: u64,
    }

    impl EventSink for Slow {
        async fn send(&mut self, _batch: Vec<EventRecord>) -> Result<(), SinkError> {
            self.sends += 1;
            tokio::time::sleep(Duration::from_millis(5)).await;
            Ok(())
        }
        async fn close(&mut self) -> Result<(), SinkError> {
            Ok(())
        }
        fn describe(&self) -> String {
            "slow".into()
        }
    }

    /// Issue 14: a stream that fell behind (every batch full) never looked at the shutdown
    /// signal again.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_stream_behind_its_schedule_stops_on_shutdown() {
        let mut cfg = StreamConfig::new(1, 1000, 100);
        cfg.sessions_per_second = 200.0;
        // Start a minute in the past: tens of thousands of events are due at once.
        let first = now_millis().div_euclid(1000) - 60;
        let stream = EventStream::<Pageviews>::new(Timeline::new(cfg), first);
        let mut sink = Slow::default();
        let shutdown = Shutdown::manual();
        let progress = Progress::start("test", None, Duration::from_secs(60));
        let plan = PumpPlan {
            max_batch: 10,
            end: None,
            pace: Pace::Live,
        };
        let trigger = shutdown.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            trigger.trigger();
        });
        let started = std::time::Instant::now();
        let pumped = tokio::time::timeout(
            Duration::from_secs(10),
            pump(stream, &mut sink, plan, &progress, &shutdown, |e| {
                Ok(EventRecord {
                    id: e.event.event_id.clone(),
                    partition_key: e.event.user_id.to_string(),
                    sent_at: e.send_at,
                    body: Vec::new(),
                })
            }),
        )
        .await
        .expect("the pump ignored the shutdown signal")
        .expect("pump");
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
        assert!(pumped.events > 0 && sink.sends > 0);
        assert!(pumped.until < now_millis() - 30_000, "it was behind: {pumped:?}");
    }
}
