//! Which backend each kind of sink uses, from the environment: the one place that decides,
//! so the six services cannot drift apart. With nothing set, everything goes under
//! `./playground-data/`.

use std::path::PathBuf;

use playground_sinks::SinkError;
use playground_sinks::events::eventhubs::{EventHubsAuth, EventHubsTarget};
use playground_sinks::events::{EventsBackend, EventsTarget};
use playground_sinks::lake::blob::{BlobAuthKind, BlobTarget};
use playground_sinks::lake::sas::ConnectionString;
use playground_sinks::lake::{LakeSink, LakeTarget};
use playground_sinks::table::mssql::{MssqlAuth, MssqlTarget};
use playground_sinks::table::{TableBackend, TableTarget};
use serde::Deserialize;
use url::Url;

use crate::settings::{ConfigError, Setting, from_iter};

/// Default root of the embedded backends.
pub const DEFAULT_DATA: &str = "playground-data";

/// Settings of the embedded root, shared by every sink kind.
pub const DATA_SETTINGS: &[Setting] = &[Setting {
    name: "PLAYGROUND_DATA",
    default: DEFAULT_DATA,
    help: "Root directory of the embedded backends: lake/, orders.sqlite, events/.",
}];

/// Settings that choose the lake (at most one of the first three; none means the directory).
pub const LAKE_SETTINGS: &[Setting] = &[
    Setting {
        name: "LAKE_URL",
        default: "",
        help: "The lake: file:///dir, or a blob container URL (https://ACCOUNT.blob.core.windows.net/bronze \
               uses the managed identity; with a SAS query it uses the SAS).",
    },
    Setting {
        name: "STORAGE_SAS",
        default: "",
        help: "The Python version's SAS URL (dfs or blob host; the container from its path, else LAKE_CONTAINER).",
    },
    Setting {
        name: "STORAGE_CONNECTION_STRING",
        default: "",
        help: "A storage connection string (UseDevelopmentStorage=true for Azurite); a short-lived account SAS is signed from its key.",
    },
    Setting {
        name: "LAKE_CONTAINER",
        default: "bronze",
        help: "Container when the URL or connection string names none.",
    },
    Setting {
        name: "AZURE_CLIENT_ID",
        default: "",
        help: "Client id of a user-assigned managed identity (else the system-assigned one).",
    },
    Setting {
        name: "LAKE_RETRY_SECONDS",
        default: "300",
        help: "How long transient storage failures are retried before giving up.",
    },
];

/// Settings that choose SQL Server instead of SQLite (the Python version's names work).
pub const TABLE_SETTINGS: &[Setting] = &[
    Setting {
        name: "SQL_SERVER",
        default: "",
        help: "SQL Server or Azure SQL host (host, host,port or host:port); unset uses SQLite.",
    },
    Setting {
        name: "SQL_DATABASE",
        default: "orders",
        help: "Database name.",
    },
    Setting {
        name: "SQL_USER",
        default: "",
        help: "SQL login; unset uses the managed identity (Entra ID token).",
    },
    Setting {
        name: "SQL_PASSWORD",
        default: "",
        help: "Password of SQL_USER (never logged).",
    },
    Setting {
        name: "SQL_CONNECTION_STRING",
        default: "",
        help: "ADO connection string (Server=tcp:host,1433;Database=..;User ID=..;Password=..), instead of SQL_SERVER.",
    },
    Setting {
        name: "SQL_ENCRYPT",
        default: "true",
        help: "TLS to the server (Azure SQL requires it; false only for local test peers).",
    },
    Setting {
        name: "SQL_TRUST_CERT",
        default: "false",
        help: "Accept a self-signed server certificate (local SQL Server container).",
    },
    Setting {
        name: "SQL_CONNECTIONS",
        default: "4",
        help: "Pooled connections, and chunks bulk-loaded at once.",
    },
    Setting {
        name: "AZURE_CLIENT_ID",
        default: "",
        help: "Client id of a user-assigned managed identity (else the system-assigned one).",
    },
];

/// Settings of the events backend (both streams). With none of the Event Hubs ones set,
/// events go to capture files under `PLAYGROUND_DATA`.
pub const EVENTS_SETTINGS: &[Setting] = &[
    Setting {
        name: "EVENTS_PARTITIONS",
        default: "4",
        help: "Partitions of each hub's capture files (events are spread by user id).",
    },
    Setting {
        name: "EVENTHUB_NAMESPACE",
        default: "",
        help: "Event Hubs namespace (NAME or NAME.servicebus.windows.net), signed in with the managed identity.",
    },
    Setting {
        name: "EVENTHUB_ENDPOINT",
        default: "",
        help: "AMQP endpoint instead of the namespace's, e.g. amqp://localhost:5672 for the emulator (plain TCP).",
    },
    Setting {
        name: "EVENTS_IN_FLIGHT",
        default: "4",
        help: "Event Hubs batches awaiting acknowledgement at once (one per partition); then the generator waits.",
    },
    Setting {
        name: "EVENTS_RETRY_SECONDS",
        default: "300",
        help: "How long a failed Event Hubs send is retried (reconnecting, resending) before giving up.",
    },
    Setting {
        name: "AZURE_CLIENT_ID",
        default: "",
        help: "Client id of a user-assigned managed identity (else the system-assigned one).",
    },
];

/// The pageviews service's connection string (the Python version's name).
pub const PAGEVIEWS_HUB_SETTINGS: &[Setting] = &[Setting {
    name: "EVENTHUB_CONNECTION_STRING_PAGEVIEWS",
    default: "",
    help: "Connection string with a SAS key for the pageviews hub (UseDevelopmentEmulator=true for the emulator); \
           instead of the managed identity.",
}];

/// The stars service's connection string (the Python version's name).
pub const STARS_HUB_SETTINGS: &[Setting] = &[Setting {
    name: "EVENTHUB_CONNECTION_STRING_STARS",
    default: "",
    help: "Connection string with a SAS key for the stars hub (UseDevelopmentEmulator=true for the emulator); \
           instead of the managed identity.",
}];

#[derive(Debug, Deserialize)]
struct DataVars {
    playground_data: Option<PathBuf>,
}

#[derive(Deserialize)]
struct LakeVars {
    lake_url: Option<String>,
    storage_sas: Option<String>,
    storage_connection_string: Option<String>,
    lake_container: Option<String>,
    azure_client_id: Option<String>,
    lake_retry_seconds: Option<u32>,
}

#[derive(Deserialize)]
struct TableVars {
    sql_server: Option<String>,
    sql_database: Option<String>,
    sql_user: Option<String>,
    sql_password: Option<String>,
    sql_connection_string: Option<String>,
    sql_encrypt: Option<bool>,
    sql_trust_cert: Option<bool>,
    sql_connections: Option<u32>,
    azure_client_id: Option<String>,
}

#[derive(Debug, Deserialize)]
struct EventsVars {
    events_partitions: Option<u32>,
    eventhub_namespace: Option<String>,
    eventhub_endpoint: Option<String>,
    events_in_flight: Option<usize>,
    events_retry_seconds: Option<u64>,
    azure_client_id: Option<String>,
}

/// A snapshot of the environment.
pub type Vars = Vec<(String, String)>;

fn data_root(vars: &Vars) -> Result<PathBuf, ConfigError> {
    let v: DataVars = from_iter(vars.clone())?;
    Ok(v.playground_data.unwrap_or_else(|| PathBuf::from(DEFAULT_DATA)))
}

/// The lake: `LAKE_URL`, `STORAGE_SAS` or `STORAGE_CONNECTION_STRING` (at most one), else the
/// directory `{PLAYGROUND_DATA}/lake`. Errors never echo the secret values.
pub fn lake(vars: &Vars) -> Result<LakeTarget, ConfigError> {
    let v: LakeVars = from_iter(vars.clone())?;
    let container = v.lake_container.clone().unwrap_or_else(|| "bronze".to_owned());
    let retry_seconds = v.lake_retry_seconds.unwrap_or(300);
    let set: Vec<&str> = [
        ("LAKE_URL", v.lake_url.is_some()),
        ("STORAGE_SAS", v.storage_sas.is_some()),
        ("STORAGE_CONNECTION_STRING", v.storage_connection_string.is_some()),
    ]
    .into_iter()
    .filter_map(|(n, on)| on.then_some(n))
    .collect();
    if set.len() > 1 {
        return Err(ConfigError::new(
            set.join("/"),
            "set only one of them: each chooses the lake",
        ));
    }
    let blob = |setting: &'static str, url: Url, auth: BlobAuthKind| {
        Ok(LakeTarget::Blob(BlobTarget {
            container_url: url,
            auth,
            setting,
            retry_seconds,
        }))
    };
    if let Some(raw) = &v.lake_url {
        if let Some(path) = raw.strip_prefix("file://") {
            return Ok(LakeTarget::Local {
                root: PathBuf::from(path),
            });
        }
        let url = parse_url("LAKE_URL", raw)?;
        let url = with_container("LAKE_URL", url, &container)?;
        let auth = if has_sas(&url) {
            BlobAuthKind::Sas
        } else {
            BlobAuthKind::ManagedIdentity(v.azure_client_id.clone())
        };
        return blob("LAKE_URL", url, auth);
    }
    if let Some(raw) = &v.storage_sas {
        let mut url = parse_url("STORAGE_SAS", raw)?;
        if !has_sas(&url) {
            return Err(ConfigError::new(
                "STORAGE_SAS",
                "has no SAS (no sig= in the query)",
            ));
        }
        // The Python version pointed at the Data Lake (dfs) endpoint; the blob API is on the blob host.
        if let Some(host) = url.host_str().map(str::to_owned)
            && let Some(account) = host.strip_suffix(".dfs.core.windows.net")
        {
            let _ = url.set_host(Some(&format!("{account}.blob.core.windows.net")));
        }
        let url = with_container("STORAGE_SAS", url, &container)?;
        return blob("STORAGE_SAS", url, BlobAuthKind::Sas);
    }
    if let Some(raw) = &v.storage_connection_string {
        let cs = ConnectionString::parse(raw)
            .map_err(|e| ConfigError::new("STORAGE_CONNECTION_STRING", e.to_string()))?;
        let now = chrono::Utc::now();
        let sas = cs.account_sas(now, now + chrono::TimeDelta::hours(12));
        let mut url = parse_url(
            "STORAGE_CONNECTION_STRING",
            &format!("{}/{container}", cs.blob_endpoint),
        )?;
        url.set_query(Some(&sas));
        return blob("STORAGE_CONNECTION_STRING", url, BlobAuthKind::Sas);
    }
    Ok(LakeTarget::Local {
        root: data_root(vars)?.join("lake"),
    })
}

fn parse_url(setting: &str, raw: &str) -> Result<Url, ConfigError> {
    let url = Url::parse(raw).map_err(|e| ConfigError::new(setting, format!("not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(ConfigError::new(
            setting,
            "expected an http(s) URL of a storage account or container",
        ));
    }
    Ok(url)
}

fn has_sas(url: &Url) -> bool {
    url.query_pairs().any(|(k, _)| k == "sig")
}

/// Ensures the URL names a container: Azure's `https://acct.blob.../container`, or the
/// emulator's `http://host:port/account/container`. A URL without one gets `container`.
fn with_container(setting: &str, mut url: Url, container: &str) -> Result<Url, ConfigError> {
    let emulator = url
        .host_str()
        .is_some_and(|h| !h.contains(".core.windows.net") && !h.contains(".azure"));
    let segments: Vec<String> = url
        .path_segments()
        .map(|s| s.filter(|p| !p.is_empty()).map(str::to_owned).collect())
        .unwrap_or_default();
    let wanted = if emulator { 2 } else { 1 };
    match segments.len() {
        n if n == wanted => Ok(url),
        n if n + 1 == wanted => {
            let mut path = segments.join("/");
            if !path.is_empty() {
                path.push('/');
            }
            path.push_str(container);
            url.set_path(&path);
            Ok(url)
        }
        _ => Err(ConfigError::new(
            setting,
            "the URL's path must be the container (or, for an emulator, account/container)",
        )),
    }
}

/// The tables: SQL Server when `SQL_SERVER` or `SQL_CONNECTION_STRING` is set, else
/// `{PLAYGROUND_DATA}/orders.sqlite`.
pub fn table(vars: &Vars) -> Result<TableTarget, ConfigError> {
    let v: TableVars = from_iter(vars.clone())?;
    let connections = v.sql_connections.unwrap_or(4);
    if !(1..=64).contains(&connections) {
        return Err(ConfigError::new("SQL_CONNECTIONS", "must be between 1 and 64"));
    }
    let (setting, server, database, user, password, encrypt, trust) =
        match (&v.sql_connection_string, &v.sql_server) {
            (Some(_), Some(_)) => {
                return Err(ConfigError::new(
                    "SQL_CONNECTION_STRING/SQL_SERVER",
                    "set only one of them",
                ));
            }
            (Some(ado), None) => {
                let kv = ado_pairs(ado);
                let get = |keys: &[&str]| {
                    keys.iter()
                        .find_map(|k| kv.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()))
                };
                let server = get(&["server", "data source", "address", "addr"])
                    .ok_or_else(|| ConfigError::new("SQL_CONNECTION_STRING", "has no Server"))?;
                let yes = |v: Option<String>| {
                    v.map(|v| {
                        matches!(
                            v.to_ascii_lowercase().as_str(),
                            "true" | "yes" | "strict" | "mandatory"
                        )
                    })
                };
                (
                    "SQL_CONNECTION_STRING",
                    server.trim_start_matches("tcp:").to_owned(),
                    get(&["database", "initial catalog"]),
                    get(&["user id", "uid", "user"]),
                    get(&["password", "pwd"]),
                    yes(get(&["encrypt"])),
                    yes(get(&["trustservercertificate"])),
                )
            }
            (None, Some(server)) => (
                "SQL_SERVER",
                server.clone(),
                v.sql_database.clone(),
                v.sql_user.clone(),
                v.sql_password.clone(),
                v.sql_encrypt,
                v.sql_trust_cert,
            ),
            (None, None) => {
                return Ok(TableTarget::Sqlite {
                    path: data_root(vars)?.join("orders.sqlite"),
                });
            }
        };
    let (host, port) = match server.rsplit_once([',', ':']) {
        Some((h, p)) => (
            h.to_owned(),
            p.trim()
                .parse()
                .map_err(|_| ConfigError::new(setting, format!("bad port in {server:?}")))?,
        ),
        None => (server.clone(), 1433),
    };
    if host.is_empty() {
        return Err(ConfigError::new(setting, "the server name is empty"));
    }
    let auth = match (user, password) {
        (Some(user), Some(password)) => MssqlAuth::Sql { user, password },
        (Some(_), None) => return Err(ConfigError::new("SQL_PASSWORD", "must be set with SQL_USER")),
        (None, Some(_)) => return Err(ConfigError::new("SQL_USER", "must be set with SQL_PASSWORD")),
        (None, None) => MssqlAuth::ManagedIdentity {
            client_id: v.azure_client_id.clone(),
        },
    };
    Ok(TableTarget::Mssql(MssqlTarget {
        host,
        port,
        database: database.unwrap_or_else(|| "orders".to_owned()),
        auth,
        encrypt: encrypt.unwrap_or(true),
        trust_cert: trust.unwrap_or(false),
        connections,
        setting,
    }))
}

/// `Key=Value;` pairs of an ADO connection string, keys lower-cased.
fn ado_pairs(s: &str) -> Vec<(String, String)> {
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

/// The events of `hub`: Event Hubs when its connection string
/// (`EVENTHUB_CONNECTION_STRING_{HUB}`) or `EVENTHUB_NAMESPACE` is set, else capture files
/// under `{PLAYGROUND_DATA}/events/{hub}/...`. Errors never echo the connection string.
pub fn events(vars: &Vars, hub: &str) -> Result<EventsTarget, ConfigError> {
    let e: EventsVars = from_iter(vars.clone())?;
    let partitions = e.events_partitions.unwrap_or(4);
    if !(1..=1024).contains(&partitions) {
        return Err(ConfigError::new(
            "EVENTS_PARTITIONS",
            format!("{partitions} is out of range 1..=1024"),
        ));
    }
    let setting = connection_string_setting(hub);
    let connection_string = vars
        .iter()
        .find(|(k, v)| k == setting && !v.is_empty())
        .map(|(_, v)| v.trim().to_owned());
    let auth = match (connection_string, e.eventhub_namespace) {
        (Some(_), Some(_)) => {
            return Err(ConfigError::new(
                setting,
                "set either it or EVENTHUB_NAMESPACE (the managed identity), not both",
            ));
        }
        (Some(cs), None) => EventHubsAuth::ConnectionString(cs),
        (None, Some(ns)) => {
            let ns = ns.trim().trim_end_matches('/');
            let ns = ns.strip_prefix("sb://").unwrap_or(ns);
            if ns.is_empty() || ns.contains(['/', ';', '=', ' ']) {
                return Err(ConfigError::new(
                    "EVENTHUB_NAMESPACE",
                    format!("{ns:?} is not a namespace name (NAME or NAME.servicebus.windows.net)"),
                ));
            }
            let namespace = if ns.contains('.') {
                ns.to_owned()
            } else {
                format!("{ns}.servicebus.windows.net")
            };
            EventHubsAuth::ManagedIdentity {
                namespace,
                client_id: e.azure_client_id,
            }
        }
        (None, None) => {
            if let Some(endpoint) = e.eventhub_endpoint {
                return Err(ConfigError::new(
                    "EVENTHUB_ENDPOINT",
                    format!("{endpoint:?} needs {setting} or EVENTHUB_NAMESPACE too"),
                ));
            }
            return Ok(EventsTarget::CaptureFiles {
                root: data_root(vars)?.join("events"),
                partitions,
            });
        }
    };
    let endpoint = match e.eventhub_endpoint {
        Some(endpoint) => Some(checked_endpoint(&endpoint)?),
        None => emulator_endpoint(&auth),
    };
    let in_flight = e.events_in_flight.unwrap_or(4);
    if !(1..=64).contains(&in_flight) {
        return Err(ConfigError::new("EVENTS_IN_FLIGHT", "must be between 1 and 64"));
    }
    let retry = e.events_retry_seconds.unwrap_or(300);
    if !(1..=604_800).contains(&retry) {
        return Err(ConfigError::new(
            "EVENTS_RETRY_SECONDS",
            "must be between 1 and 604800 (a week)",
        ));
    }
    let auth_setting = matches!(auth, EventHubsAuth::ConnectionString(_));
    let target = EventHubsTarget {
        auth,
        endpoint,
        in_flight,
        retry: std::time::Duration::from_secs(retry),
        setting: match auth_setting {
            true => setting,
            false => "EVENTHUB_NAMESPACE",
        },
    };
    target.validate().map_err(open_error)?;
    Ok(EventsTarget::EventHubs(target))
}

/// `EVENTHUB_CONNECTION_STRING_PAGEVIEWS` or `_STARS`: the Python version's names.
pub fn connection_string_setting(hub: &str) -> &'static str {
    match hub {
        "stars" => "EVENTHUB_CONNECTION_STRING_STARS",
        _ => "EVENTHUB_CONNECTION_STRING_PAGEVIEWS",
    }
}

fn checked_endpoint(endpoint: &str) -> Result<String, ConfigError> {
    let url = Url::parse(endpoint.trim())
        .map_err(|e| ConfigError::new("EVENTHUB_ENDPOINT", format!("{endpoint:?} is not a URL: {e}")))?;
    if !matches!(url.scheme(), "amqp" | "amqps") || url.host_str().is_none() {
        return Err(ConfigError::new(
            "EVENTHUB_ENDPOINT",
            format!("{endpoint:?} is not amqp://host:port or amqps://host:port"),
        ));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// The emulator's connection string says `UseDevelopmentEmulator=true`; its AMQP port is
/// plain TCP 5672 on the endpoint's host.
fn emulator_endpoint(auth: &EventHubsAuth) -> Option<String> {
    let EventHubsAuth::ConnectionString(cs) = auth else {
        return None;
    };
    let pairs = ado_pairs(cs);
    let emulator = pairs
        .iter()
        .any(|(k, v)| k == "usedevelopmentemulator" && v.eq_ignore_ascii_case("true"));
    let host = pairs
        .iter()
        .find(|(k, _)| k == "endpoint")
        .and_then(|(_, v)| Url::parse(v).ok())
        .and_then(|u| u.host_str().map(str::to_owned))?;
    emulator.then(|| format!("amqp://{host}:5672"))
}

/// Opens the configured lake (the container `bronze` unless configured otherwise).
pub async fn open_lake(vars: &Vars) -> Result<LakeSink, ConfigError> {
    LakeSink::open(&lake(vars)?).await.map_err(open_error)
}

/// Opens the configured tables.
pub async fn open_table(vars: &Vars) -> Result<TableBackend, ConfigError> {
    TableBackend::open(&table(vars)?).await.map_err(open_error)
}

/// Opens the configured events backend for `hub`.
pub async fn open_events(vars: &Vars, hub: &str) -> Result<EventsBackend, ConfigError> {
    EventsBackend::open(&events(vars, hub)?, hub)
        .await
        .map_err(open_error)
}

/// Turns a failure to open a sink into the configuration error a user can act on: which
/// variable chose the destination and why it cannot be used.
pub fn open_error(err: SinkError) -> ConfigError {
    match err {
        SinkError::Config { setting, message } | SinkError::Remote { setting, message, .. } => {
            ConfigError::new(setting, message)
        }
        other => ConfigError::new("PLAYGROUND_DATA", format!("cannot use the destination: {other}")),
    }
}
