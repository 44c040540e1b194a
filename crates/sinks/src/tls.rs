//! rustls' process-wide crypto provider, chosen explicitly.
//!
//! rustls chooses a provider by itself only when exactly one of `aws-lc-rs` and `ring` is
//! compiled in, and a TLS client built without one panics. The Azure clients bring aws-lc-rs;
//! `object_store` (under delta-rs and DataFusion, in playground-silver) hard-enables ring
//! through reqwest. A build holding both (the workspace's tests, where features unify) would
//! panic at the first Event Hubs, Azure Storage or SQL Server connection. Every backend that
//! builds a TLS client calls [`install_provider`] first; installing twice is harmless.

use std::sync::Once;

/// Installs aws-lc-rs as rustls' default provider for this process, once; a provider
/// installed earlier (by the embedding program) is kept.
pub fn install_provider() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Err means another provider is already installed, which is as good.
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    });
}
