//! Where the tables are, as configuration chose it: plain data, with no SDK behind it, so the
//! choice compiles (and is tested) whichever backends a binary links.

use std::fmt;
use std::path::PathBuf;

/// Which table backend, chosen by configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TableTarget {
    /// A SQLite database file.
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// The setting that chose it, named in errors.
        setting: &'static str,
    },
    /// SQL Server or Azure SQL.
    Mssql(MssqlTarget),
}

impl TableTarget {
    /// The variable that chose this destination, named in its errors.
    pub fn setting(&self) -> &'static str {
        match self {
            TableTarget::Sqlite { setting, .. } => setting,
            TableTarget::Mssql(m) => m.setting,
        }
    }
}

/// How to log in.
#[derive(Clone, PartialEq, Eq)]
pub enum MssqlAuth {
    /// A SQL login and its password.
    Sql {
        /// Login name.
        user: String,
        /// Password; never printed.
        password: String,
    },
    /// An Entra ID token from the managed identity (user-assigned when a client id is given).
    ManagedIdentity {
        /// Client id of a user-assigned identity; `None` uses the system-assigned one.
        client_id: Option<String>,
    },
}

impl fmt::Debug for MssqlAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MssqlAuth::Sql { user, .. } => f
                .debug_struct("Sql")
                .field("user", user)
                .field("password", &"<redacted>")
                .finish(),
            MssqlAuth::ManagedIdentity { client_id } => f
                .debug_struct("ManagedIdentity")
                .field("client_id", client_id)
                .finish(),
        }
    }
}

/// A SQL Server database to write to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MssqlTarget {
    /// Server host name.
    pub host: String,
    /// TCP port (1433 by default).
    pub port: u16,
    /// Database name.
    pub database: String,
    /// Login.
    pub auth: MssqlAuth,
    /// TLS (required by Azure SQL; off only for local test peers).
    pub encrypt: bool,
    /// Accept any server certificate (local containers with self-signed certificates).
    pub trust_cert: bool,
    /// Connections in the pool, and chunks loaded at once.
    pub connections: u32,
    /// The variable that configured it, named in errors.
    pub setting: &'static str,
}
