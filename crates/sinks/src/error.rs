//! Errors of every sink.

use std::path::PathBuf;

/// What went wrong writing somewhere. `setting` fields name the variable a user would fix.
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    /// The destination cannot be used as configured (bad URL, unwritable directory...).
    #[error("{setting}: {message}")]
    Config {
        /// Variable at fault.
        setting: &'static str,
        /// What is wrong.
        message: String,
    },
    /// A file operation failed.
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// What was being done ("write", "rename"...).
        action: &'static str,
        /// On which path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// SQLite refused a statement.
    #[cfg(feature = "sqlite")]
    #[error("SQLite {action}: {source}")]
    Sqlite {
        /// What was being done.
        action: &'static str,
        /// The cause.
        source: rusqlite::Error,
    },
    /// A remote service refused or failed a request (after the client's retries).
    #[error("{setting}: {message}")]
    Remote {
        /// Variable that configured the destination.
        setting: &'static str,
        /// What failed, with the status; never a secret.
        message: String,
        /// Retrying will not help (4xx other than 408/429).
        permanent: bool,
    },
    /// A chunk was refused because some of its keys are already in the table: another writer
    /// (a second instance of the shard, a restart racing a slow stop) committed them first.
    /// Nothing of the refused chunk was written.
    #[error("{table}: some order ids of the chunk are already in the table (another writer?): {message}")]
    DuplicateKey {
        /// The table.
        table: &'static str,
        /// The database's message.
        message: String,
    },
    /// A record could not be serialised.
    #[error("serialise: {0}")]
    Json(#[from] serde_json::Error),
    /// A background task died.
    #[error("background task: {0}")]
    Task(String),
}

impl SinkError {
    /// An I/O error on `path`.
    pub fn io(action: &'static str, path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> SinkError {
        let path = path.into();
        move |source| SinkError::Io { action, path, source }
    }

    /// A configuration error about `setting`.
    pub fn config(setting: &'static str, message: impl Into<String>) -> SinkError {
        SinkError::Config {
            setting,
            message: message.into(),
        }
    }

    /// Whether this is the user's to fix (exit code 2) rather than a runtime failure.
    pub fn is_config(&self) -> bool {
        matches!(self, SinkError::Config { .. })
    }
}

impl From<tokio::task::JoinError> for SinkError {
    fn from(e: tokio::task::JoinError) -> Self {
        SinkError::Task(e.to_string())
    }
}

/// A configuration error for a backend this binary was built without: each service links only
/// the backends it can select (cargo features of this crate), so this is a setting of another
/// service given to this one.
pub fn not_built(setting: &'static str, feature: &str) -> SinkError {
    SinkError::config(
        setting,
        format!(
            "this binary is built without the {feature} backend (cargo feature `{feature}` of playground-sinks); this service cannot write there"
        ),
    )
}

/// Creates the directory `dir` when missing and checks that a file can be written in it. A
/// failure is a configuration error naming `setting`, the variable that chose the directory.
pub fn writable_dir(dir: &std::path::Path, setting: &'static str) -> Result<(), SinkError> {
    let fail = |what: &str, e: std::io::Error| {
        SinkError::config(setting, format!("cannot {what} {}: {e}", dir.display()))
    };
    std::fs::create_dir_all(dir).map_err(|e| fail("create the directory", e))?;
    let probe = dir.join(format!(".write-probe-{}", std::process::id()));
    std::fs::write(&probe, b"").map_err(|e| fail("write in", e))?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// Removes anything that looks like a SAS or key from an error text.
pub fn scrub(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for token in text.split_inclusive(|c: char| c.is_whitespace() || c == '"' || c == '\'') {
        if let Some(q) = token.find('?').filter(|_| token.contains("sig=")) {
            out.push_str(&token[..q]);
            out.push_str("?<sas redacted>");
            if token.ends_with(|c: char| c.is_whitespace() || c == '"' || c == '\'') {
                out.push(token.chars().last().unwrap_or(' '));
            }
        } else if ["sig=", "AccountKey=", "SharedAccessKey=", "SharedAccessSignature"]
            .iter()
            .any(|secret| token.contains(secret))
        {
            out.push_str("<redacted> ");
        } else {
            out.push_str(token);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrub_hides_sas_and_keys() {
        let t =
            "GET http://127.0.0.1:10000/devstoreaccount1/bronze?sv=2023&sig=abc%2F failed: AccountKey=xyz";
        let s = scrub(t);
        assert!(
            !s.contains("sig=") && !s.contains("abc") && !s.contains("xyz"),
            "{s}"
        );
        assert!(
            s.contains("http://127.0.0.1:10000/devstoreaccount1/bronze?<sas redacted>"),
            "{s}"
        );
    }

    #[test]
    fn scrub_hides_event_hubs_keys() {
        let s = scrub("open Endpoint=sb://x/;SharedAccessKeyName=a;SharedAccessKey=k3y= failed");
        assert!(!s.contains("k3y"), "{s}");
    }
}
