//! Which tables the orders and items services write to: their settings, and the pure choice
//! of a [`TableTarget`] from them. `SQL_SERVER` or `SQL_CONNECTION_STRING` (the Python
//! version's names work) choose SQL Server or Azure SQL; neither, the SQLite file
//! `{PLAYGROUND_DATA}/orders.sqlite`.

use std::borrow::Cow;
use std::path::PathBuf;

#[cfg(any(feature = "sqlite", feature = "mssql"))]
use playground_sinks::table::TableBackend;
use playground_sinks::table::{MssqlAuth, MssqlTarget, TableTarget};

use crate::settings::common::{AZURE_CLIENT_ID, PLAYGROUND_DATA};
use crate::settings::{ConfigError, Env, Group, Secret, Setting, Text};

/// The server, in any of the forms an ADO string takes.
pub static SQL_SERVER: Setting<Option<Text>> = Setting {
    name: "SQL_SERVER",
    default: None,
    range: None,
    alias: None,
    help: "SQL Server or Azure SQL host (host, host,port or host:port); unset uses SQLite.",
};

/// The database.
pub static SQL_DATABASE: Setting<Text> = Setting {
    name: "SQL_DATABASE",
    default: Cow::Borrowed("orders"),
    range: None,
    alias: None,
    help: "Database name.",
};

/// A SQL login instead of the managed identity.
pub static SQL_USER: Setting<Option<Text>> = Setting {
    name: "SQL_USER",
    default: None,
    range: None,
    alias: None,
    help: "SQL login; unset uses the managed identity (Entra ID token).",
};

/// The login's password.
pub static SQL_PASSWORD: Setting<Option<Secret>> = Setting {
    name: "SQL_PASSWORD",
    default: None,
    range: None,
    alias: None,
    help: "Password of SQL_USER (never logged).",
};

/// An ADO connection string instead of the separate settings.
pub static SQL_CONNECTION_STRING: Setting<Option<Secret>> = Setting {
    name: "SQL_CONNECTION_STRING",
    default: None,
    range: None,
    alias: None,
    help: "ADO connection string (Server=tcp:host,1433;Database=..;User ID=..;Password=..), instead of SQL_SERVER.",
};

/// TLS to the server.
pub static SQL_ENCRYPT: Setting<bool> = Setting {
    name: "SQL_ENCRYPT",
    default: true,
    range: None,
    alias: None,
    help: "TLS to the server (Azure SQL requires it; false only for local test peers).",
};

/// Accept a self-signed certificate.
pub static SQL_TRUST_CERT: Setting<bool> = Setting {
    name: "SQL_TRUST_CERT",
    default: false,
    range: None,
    alias: None,
    help: "Accept a self-signed server certificate (local SQL Server container).",
};

/// Pooled connections, and chunks loaded at once.
pub static SQL_CONNECTIONS: Setting<u32> = Setting {
    name: "SQL_CONNECTIONS",
    default: 4,
    range: Some((1, 64)),
    alias: None,
    help: "Pooled connections, and chunks bulk-loaded at once.",
};

/// Every setting of the tables, for `--help`.
pub static SETTINGS: Group = &[
    &SQL_SERVER,
    &SQL_DATABASE,
    &SQL_USER,
    &SQL_PASSWORD,
    &SQL_CONNECTION_STRING,
    &SQL_ENCRYPT,
    &SQL_TRUST_CERT,
    &SQL_CONNECTIONS,
    &AZURE_CLIENT_ID,
    &PLAYGROUND_DATA,
];

/// The server's fields, from `SQL_SERVER` and friends or from an ADO connection string.
struct Server {
    setting: &'static str,
    server: String,
    database: String,
    user: Option<String>,
    password: Option<String>,
    encrypt: bool,
    trust_cert: bool,
}

/// The tables the settings choose. Pure; errors never echo a password or connection string.
pub fn target(env: &Env) -> Result<TableTarget, ConfigError> {
    let connections = env.get(&SQL_CONNECTIONS)?;
    let s = match (env.get(&SQL_CONNECTION_STRING)?, env.get(&SQL_SERVER)?) {
        (Some(_), Some(_)) => {
            return Err(ConfigError::new(
                format!("{}/{}", SQL_CONNECTION_STRING.name, SQL_SERVER.name),
                "set only one of them",
            ));
        }
        (Some(Secret(ado)), None) => from_ado(env, &ado)?,
        (None, Some(server)) => Server {
            setting: SQL_SERVER.name,
            server: server.into_owned(),
            database: env.get(&SQL_DATABASE)?.into_owned(),
            user: env.get(&SQL_USER)?.map(Cow::into_owned),
            password: env.get(&SQL_PASSWORD)?.map(|Secret(p)| p),
            encrypt: env.get(&SQL_ENCRYPT)?,
            trust_cert: env.get(&SQL_TRUST_CERT)?,
        },
        (None, None) => {
            return Ok(TableTarget::Sqlite {
                path: PathBuf::from(env.get(&PLAYGROUND_DATA)?.as_ref()).join("orders.sqlite"),
                setting: PLAYGROUND_DATA.name,
            });
        }
    };
    let (host, port) = match s.server.rsplit_once([',', ':']) {
        Some((h, p)) => (
            h.trim().to_owned(),
            p.trim()
                .parse()
                .map_err(|_| ConfigError::new(s.setting, format!("bad port in {:?}", s.server)))?,
        ),
        None => (s.server.trim().to_owned(), 1433),
    };
    if host.is_empty() {
        return Err(ConfigError::new(s.setting, "the server name is empty"));
    }
    let auth = match (s.user, s.password) {
        (Some(user), Some(password)) => MssqlAuth::Sql { user, password },
        (Some(_), None) => return Err(ConfigError::new(SQL_PASSWORD.name, "must be set with SQL_USER")),
        (None, Some(_)) => return Err(ConfigError::new(SQL_USER.name, "must be set with SQL_PASSWORD")),
        (None, None) => MssqlAuth::ManagedIdentity {
            client_id: env.get(&AZURE_CLIENT_ID)?.map(Cow::into_owned),
        },
    };
    Ok(TableTarget::Mssql(MssqlTarget {
        host,
        port,
        database: s.database,
        auth,
        encrypt: s.encrypt,
        trust_cert: s.trust_cert,
        connections,
        setting: s.setting,
    }))
}

/// The server's fields from an ADO connection string; what it leaves out comes from the
/// separate settings' defaults.
fn from_ado(env: &Env, ado: &str) -> Result<Server, ConfigError> {
    let setting = SQL_CONNECTION_STRING.name;
    let kv = ado_pairs(ado);
    let get = |keys: &[&str]| {
        keys.iter()
            .find_map(|k| kv.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()))
    };
    let yes = |v: Option<String>, default: bool| {
        v.map_or(default, |v| {
            matches!(
                v.to_ascii_lowercase().as_str(),
                "true" | "yes" | "strict" | "mandatory"
            )
        })
    };
    let server = get(&["server", "data source", "address", "addr"])
        .ok_or_else(|| ConfigError::new(setting, "has no Server"))?;
    Ok(Server {
        setting,
        server: server.trim_start_matches("tcp:").to_owned(),
        database: get(&["database", "initial catalog"])
            .unwrap_or_else(|| SQL_DATABASE.default.clone().into_owned()),
        user: get(&["user id", "uid", "user"]),
        password: get(&["password", "pwd"]),
        encrypt: yes(get(&["encrypt"]), env.get(&SQL_ENCRYPT)?),
        trust_cert: yes(get(&["trustservercertificate"]), SQL_TRUST_CERT.default),
    })
}

/// `Key=Value;` pairs of an ADO connection string, keys lower-cased.
pub(crate) fn ado_pairs(s: &str) -> Vec<(String, String)> {
    s.split(';')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| {
            (
                k.trim().to_ascii_lowercase(),
                v.trim().trim_matches('\'').trim_matches('"').to_owned(),
            )
        })
        .collect()
}

/// Opens the tables the settings choose.
#[cfg(any(feature = "sqlite", feature = "mssql"))]
pub async fn open(env: &Env) -> Result<TableBackend, ConfigError> {
    let target = target(env)?;
    TableBackend::open(&target)
        .await
        .map_err(crate::open_error(target.setting()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pick(pairs: &[(&str, &str)]) -> Result<TableTarget, ConfigError> {
        target(&pairs.iter().map(|(k, v)| (*k, *v)).collect())
    }

    fn mssql(pairs: &[(&str, &str)]) -> MssqlTarget {
        match pick(pairs) {
            Ok(TableTarget::Mssql(m)) => m,
            other => panic!("{pairs:?}: expected SQL Server, got {other:?}"),
        }
    }

    #[test]
    fn nothing_set_is_sqlite_under_playground_data() {
        assert_eq!(
            pick(&[("PLAYGROUND_DATA", "/d")]),
            Ok(TableTarget::Sqlite {
                path: PathBuf::from("/d/orders.sqlite"),
                setting: "PLAYGROUND_DATA"
            })
        );
    }

    #[test]
    fn sql_server_in_every_form_with_defaults() {
        for (server, port) in [
            ("db", 1433),
            ("db,1444", 1444),
            ("db:1445", 1445),
            ("db , 1446", 1446),
        ] {
            let m = mssql(&[("SQL_SERVER", server)]);
            assert_eq!((m.host.as_str(), m.port), ("db", port), "{server}");
            assert_eq!(m.database, "orders");
            assert!(m.encrypt && !m.trust_cert);
            assert_eq!(m.connections, 4);
            assert_eq!(m.setting, "SQL_SERVER");
            assert_eq!(m.auth, MssqlAuth::ManagedIdentity { client_id: None });
        }
        let m = mssql(&[
            ("SQL_SERVER", "db"),
            ("SQL_USER", "sa"),
            ("SQL_PASSWORD", "pw"),
            ("SQL_DATABASE", "shop"),
            ("SQL_ENCRYPT", "false"),
            ("SQL_TRUST_CERT", "true"),
            ("SQL_CONNECTIONS", "8"),
        ]);
        assert_eq!(
            m.auth,
            MssqlAuth::Sql {
                user: "sa".into(),
                password: "pw".into()
            }
        );
        assert_eq!(
            (m.database.as_str(), m.encrypt, m.trust_cert, m.connections),
            ("shop", false, true, 8)
        );
    }

    #[test]
    fn an_ado_connection_string_gives_every_field() {
        let m = mssql(&[(
            "SQL_CONNECTION_STRING",
            "Server=tcp:srv.database.windows.net,1433;Initial Catalog=shop;User ID=u;Password=pw;Encrypt=yes;TrustServerCertificate=False",
        )]);
        assert_eq!(
            (m.host.as_str(), m.port, m.database.as_str()),
            ("srv.database.windows.net", 1433, "shop")
        );
        assert_eq!(m.setting, "SQL_CONNECTION_STRING");
        assert!(m.encrypt && !m.trust_cert);
        let m = mssql(&[
            ("SQL_CONNECTION_STRING", "Data Source=db;Database=x"),
            ("AZURE_CLIENT_ID", "c"),
        ]);
        assert_eq!(
            m.auth,
            MssqlAuth::ManagedIdentity {
                client_id: Some("c".into())
            }
        );
    }

    #[test]
    fn refusals_name_the_variable_and_never_echo_a_password() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (
                &[("SQL_SERVER", "db"), ("SQL_CONNECTION_STRING", "Server=db")],
                "SQL_CONNECTION_STRING/SQL_SERVER",
            ),
            (
                &[("SQL_CONNECTION_STRING", "Database=x;Password=SECRETWORD")],
                "SQL_CONNECTION_STRING",
            ),
            (&[("SQL_SERVER", "db,port")], "SQL_SERVER"),
            (&[("SQL_SERVER", ",1433")], "SQL_SERVER"),
            (&[("SQL_SERVER", "db"), ("SQL_USER", "u")], "SQL_PASSWORD"),
            (
                &[("SQL_SERVER", "db"), ("SQL_PASSWORD", "SECRETWORD")],
                "SQL_USER",
            ),
            (&[("SQL_CONNECTIONS", "0")], "SQL_CONNECTIONS"),
            (&[("SQL_CONNECTIONS", "65")], "SQL_CONNECTIONS"),
            (&[("SQL_SERVER", "db"), ("SQL_ENCRYPT", "maybe")], "SQL_ENCRYPT"),
        ];
        for (pairs, variable) in cases {
            let e = pick(pairs).expect_err(variable);
            assert_eq!(e.variable, *variable, "{pairs:?}: {e}");
            assert!(!e.to_string().contains("SECRETWORD"), "{e}");
        }
    }
}
