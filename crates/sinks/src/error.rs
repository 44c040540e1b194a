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
