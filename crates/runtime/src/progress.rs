//! Progress of long work: done, rate and ETA every few seconds, and a final summary line.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Counts work done and logs it periodically from a background task.
#[derive(Debug, Clone)]
pub struct Progress {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    what: &'static str,
    total: Option<u64>,
    done: AtomicU64,
    started: Instant,
}

impl Progress {
    /// Starts reporting `what` (e.g. "users") every `every`; `total` enables the ETA.
    pub fn start(what: &'static str, total: Option<u64>, every: Duration) -> Progress {
        let p = Progress {
            inner: Arc::new(Inner {
                what,
                total,
                done: AtomicU64::new(0),
                started: Instant::now(),
            }),
        };
        let weak = Arc::downgrade(&p.inner);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.tick().await;
            loop {
                tick.tick().await;
                match weak.upgrade() {
                    Some(inner) => inner.report(),
                    None => break,
                }
            }
        });
        p
    }

    /// Adds `n` records durably written.
    pub fn add(&self, n: u64) {
        self.inner.done.fetch_add(n, Ordering::Relaxed);
    }

    /// Records written so far.
    pub fn done(&self) -> u64 {
        self.inner.done.load(Ordering::Relaxed)
    }

    /// Time since start.
    pub fn elapsed(&self) -> Duration {
        self.inner.started.elapsed()
    }

    /// Records per second since start.
    pub fn rate(&self) -> f64 {
        self.done() as f64 / self.elapsed().as_secs_f64().max(1e-9)
    }
}

impl Inner {
    fn report(&self) {
        let done = self.done.load(Ordering::Relaxed);
        let secs = self.started.elapsed().as_secs_f64().max(1e-9);
        let rate = done as f64 / secs;
        match self.total {
            Some(total) if total > 0 => {
                let eta = if rate > 0.0 {
                    (total.saturating_sub(done)) as f64 / rate
                } else {
                    f64::INFINITY
                };
                tracing::info!(
                    done,
                    total,
                    rate = rate.round(),
                    eta_s = eta.round(),
                    "{}: {done}/{total} ({:.1}%), {:.0}/s, ETA {:.0} s",
                    self.what,
                    done as f64 * 100.0 / total as f64,
                    rate,
                    eta
                );
            }
            _ => tracing::info!(
                done,
                rate = rate.round(),
                "{}: {done} so far, {:.0}/s",
                self.what,
                rate
            ),
        }
    }
}
