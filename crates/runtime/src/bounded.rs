//! At most N tasks in flight: the loop the batch services share (users' blocks, orders' and
//! items' chunks, product files), written once so the limit, the order of waiting and the
//! propagation of the first failure are the same everywhere.

use std::future::Future;

use tokio::task::{JoinError, JoinSet};

/// Spawned tasks, at most `limit` running; each finished task's output goes to a callback.
/// The first failure (of a task, or a panic) is returned from `spawn` or `finish`; dropping
/// the set then aborts the tasks still running.
#[derive(Debug)]
pub struct Bounded<T, E> {
    tasks: JoinSet<Result<T, E>>,
    limit: usize,
}

impl<T, E> Bounded<T, E>
where
    T: Send + 'static,
    E: From<JoinError> + Send + 'static,
{
    /// A set that runs at most `limit` tasks at once (at least one).
    pub fn new(limit: usize) -> Self {
        Bounded {
            tasks: JoinSet::new(),
            limit: limit.max(1),
        }
    }

    /// Waits until fewer than `limit` tasks run, handing each one that finishes meanwhile to
    /// `done`, then spawns `task`.
    pub async fn spawn(
        &mut self,
        task: impl Future<Output = Result<T, E>> + Send + 'static,
        mut done: impl FnMut(T),
    ) -> Result<(), E> {
        while self.tasks.len() >= self.limit {
            if let Some(finished) = self.tasks.join_next().await {
                done(finished??);
            }
        }
        self.tasks.spawn(task);
        Ok(())
    }

    /// Waits for every task, handing each to `done`.
    pub async fn finish(mut self, mut done: impl FnMut(T)) -> Result<(), E> {
        while let Some(finished) = self.tasks.join_next().await {
            done(finished??);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    #[derive(Debug, PartialEq)]
    enum Failure {
        Task(u32),
        Join,
    }

    impl From<JoinError> for Failure {
        fn from(_: JoinError) -> Self {
            Failure::Join
        }
    }

    #[tokio::test]
    async fn never_more_than_the_limit_run_and_every_output_is_handed_over() {
        let (running, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let mut set = Bounded::<u32, Failure>::new(3);
        let mut outputs = Vec::new();
        for i in 0..20 {
            let (running, peak) = (running.clone(), peak.clone());
            let task = async move {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(2)).await;
                running.fetch_sub(1, Ordering::SeqCst);
                Ok(i)
            };
            set.spawn(task, |o| outputs.push(o)).await.expect("no failure");
        }
        set.finish(|o| outputs.push(o)).await.expect("no failure");
        outputs.sort_unstable();
        assert_eq!(outputs, (0..20).collect::<Vec<_>>());
        assert_eq!(peak.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn the_first_failure_is_returned() {
        let mut set = Bounded::<u32, Failure>::new(1);
        set.spawn(async { Err(Failure::Task(7)) }, |_| {})
            .await
            .expect("spawned");
        let second = set.spawn(async { Ok(1) }, |_| {}).await;
        assert_eq!(second, Err(Failure::Task(7)));
        let mut set = Bounded::<u32, Failure>::new(0);
        set.spawn(async { panic!("a task panicked") }, |_| {})
            .await
            .expect("spawned");
        assert_eq!(set.finish(|_| {}).await, Err(Failure::Join));
    }
}
