//! The system's CA certificates, checked before an Azure HTTP client is built.
//!
//! `azure_core` builds its `reqwest` client with the platform verifier, which refuses to start
//! without a single system root (even for Azurite over plain `http://`), and `azure_core`
//! turns that refusal into a panic. Checking first, with the same loader the verifier uses
//! (`rustls-native-certs`, which honours `SSL_CERT_FILE` and `SSL_CERT_DIR`), turns a bare
//! container root into a configuration error that says what is missing, before anything is
//! written.

use crate::SinkError;

/// Fails with a configuration error about `setting` (the variable that chose an Azure
/// backend) when no CA certificate can be loaded from the system.
pub fn require(setting: &'static str) -> Result<(), SinkError> {
    let loaded = rustls_native_certs::load_native_certs();
    if loaded.certs.is_empty() {
        let why = loaded
            .errors
            .first()
            .map(|e| format!(" ({e})"))
            .unwrap_or_default();
        return Err(SinkError::config(
            setting,
            format!(
                "no CA certificates found on this system{why}; the Azure client needs them even \
                 for an http:// endpoint: install ca-certificates (distroless has them) or point \
                 SSL_CERT_FILE at a PEM bundle"
            ),
        ));
    }
    Ok(())
}
