//! The shutdown signal, injected into `run` so tests can trigger it without signals.

use tokio::sync::watch;

/// Resolves when the service should stop: Ctrl-C, SIGTERM, or a test calling
/// [`Shutdown::trigger`]. Cheap to clone; every clone sees the same signal.
#[derive(Debug, Clone)]
pub struct Shutdown {
    tx: std::sync::Arc<watch::Sender<bool>>,
    rx: watch::Receiver<bool>,
    code: std::sync::Arc<std::sync::atomic::AtomicU8>,
}

impl Shutdown {
    /// A signal that only [`Shutdown::trigger`] fires.
    pub fn manual() -> Shutdown {
        let (tx, rx) = watch::channel(false);
        Shutdown {
            tx: std::sync::Arc::new(tx),
            rx,
            code: std::sync::Arc::new(std::sync::atomic::AtomicU8::new(crate::EXIT_SIGTERM)),
        }
    }

    /// A signal fired by Ctrl-C or SIGTERM (and by [`Shutdown::trigger`]).
    pub fn on_signals() -> Shutdown {
        let s = Shutdown::manual();
        let fire = s.clone();
        tokio::spawn(async move {
            let code = wait_for_signal().await;
            fire.code.store(code, std::sync::atomic::Ordering::SeqCst);
            tracing::info!("shutdown requested: finishing the current batch and flushing");
            fire.trigger();
        });
        s
    }

    /// Fires the signal.
    pub fn trigger(&self) {
        self.tx.send_replace(true);
    }

    /// Whether the signal has fired.
    pub fn is_triggered(&self) -> bool {
        *self.rx.borrow()
    }

    /// The exit code of a batch service this signal interrupted: 130 after Ctrl-C, else 143.
    pub fn exit_code(&self) -> u8 {
        self.code.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Waits until the signal fires.
    pub async fn wait(&self) {
        let mut rx = self.rx.clone();
        let _ = rx.wait_for(|&fired| fired).await;
    }
}

/// Waits for Ctrl-C or SIGTERM; returns the exit code for it (130 or 143).
async fn wait_for_signal() -> u8 {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => crate::EXIT_SIGINT,
                    _ = term.recv() => crate::EXIT_SIGTERM,
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                crate::EXIT_SIGINT
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        crate::EXIT_SIGINT
    }
}
