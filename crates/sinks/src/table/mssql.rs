//! Tables in SQL Server or Azure SQL through `tiberius` 0.13, with a small `bb8` pool.
//!
//! Each chunk is one bulk load (`INSERT BULK`, rows, `DONE`), which SQL Server applies
//! atomically, so a chunk is either wholly in the table or absent, and the resume query finds
//! it. A failed chunk (dropped connection, Azure SQL's transient errors) is retried on a fresh
//! connection after backoff with jitter, but first the table is asked whether the chunk
//! arrived after all, so a retry never inserts a row twice.

use std::fmt;
use std::ops::Range;
use std::time::Duration;

use rand::Rng;
use tiberius::{AuthMethod, Client, Config, EncryptionLevel, IntoRow};
use tokio::net::TcpStream;
use tokio_util::compat::{Compat, TokioAsyncWriteCompatExt};

use super::{MssqlAuth, MssqlTarget, Rows, Table, TableSink};
use crate::SinkError;

/// Opens connections for the pool, following Azure SQL's redirect.
#[derive(Debug, Clone)]
struct Manager {
    target: MssqlTarget,
}

type Conn = Client<Compat<TcpStream>>;

/// Azure SQL's transient error numbers, and the generic "connection broken" ones.
const TRANSIENT: &[u32] = &[
    4060, 4221, 10928, 10929, 40143, 40197, 40501, 40540, 40613, 49918, 49919, 49920, 233, 64, 10053, 10054,
];

/// SQL Server's "Violation of PRIMARY KEY constraint" (2627) and "Cannot insert duplicate key
/// row" (2601): another writer committed some of the keys first.
const DUPLICATE: &[u32] = &[2627, 2601];

/// Marks the message of a duplicate-key error so [`MssqlTables::write`] can tell it apart.
const DUPLICATE_MARK: &str = "(duplicate key)";

fn transient(e: &tiberius::error::Error) -> bool {
    match e {
        tiberius::error::Error::Io { .. } => true,
        tiberius::error::Error::Server(t) => TRANSIENT.contains(&t.code()),
        _ => false,
    }
}

impl Manager {
    async fn config(&self) -> Result<Config, tiberius::error::Error> {
        let t = &self.target;
        let mut config = Config::new();
        config.host(&t.host);
        config.port(t.port);
        config.database(&t.database);
        config.application_name("data-playground");
        config.encryption(if t.encrypt {
            EncryptionLevel::Required
        } else {
            EncryptionLevel::NotSupported
        });
        if t.trust_cert {
            config.trust_cert();
        }
        let auth = match &t.auth {
            MssqlAuth::Sql { user, password } => AuthMethod::sql_server(user, password),
            MssqlAuth::ManagedIdentity { client_id } => {
                AuthMethod::aad_token(aad_token(client_id.clone()).await?)
            }
        };
        config.authentication(auth);
        Ok(config)
    }
}

async fn aad_token(client_id: Option<String>) -> Result<String, tiberius::error::Error> {
    use azure_core::credentials::TokenCredential;
    let options = azure_identity::ManagedIdentityCredentialOptions {
        user_assigned_id: client_id.map(azure_identity::UserAssignedId::ClientId),
        ..Default::default()
    };
    let failed = |e: azure_core::Error| {
        tiberius::error::Error::Protocol(format!("managed identity token: {e}").into())
    };
    let credential = azure_identity::ManagedIdentityCredential::new(Some(options)).map_err(failed)?;
    let token = credential
        .get_token(&["https://database.windows.net/.default"], None)
        .await
        .map_err(failed)?;
    Ok(token.token.secret().to_owned())
}

impl bb8::ManageConnection for Manager {
    type Connection = Conn;
    type Error = tiberius::error::Error;

    async fn connect(&self) -> Result<Conn, Self::Error> {
        crate::tls::install_provider();
        let mut config = self.config().await?;
        for _ in 0..3 {
            let tcp = TcpStream::connect(config.get_addr()).await?;
            tcp.set_nodelay(true)?;
            match Client::connect(config.clone(), tcp.compat_write()).await {
                // Azure SQL's gateway may send us to the node that serves the database.
                Err(tiberius::error::Error::Routing { host, port }) => {
                    config.host(&host);
                    config.port(port);
                }
                other => return other,
            }
        }
        Err(tiberius::error::Error::Protocol("too many redirects".into()))
    }

    async fn is_valid(&self, conn: &mut Conn) -> Result<(), Self::Error> {
        conn.simple_query("SELECT 1").await?.into_results().await?;
        Ok(())
    }

    fn has_broken(&self, _conn: &mut Conn) -> bool {
        false
    }
}

/// Tables in one SQL Server database.
pub struct MssqlTables {
    pool: bb8::Pool<Manager>,
    describe: String,
    setting: &'static str,
    connections: u32,
}

impl fmt::Debug for MssqlTables {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MssqlTables")
            .field("server", &self.describe)
            .finish()
    }
}

/// Maps a driver error to a sink error naming the setting; server messages carry no secret.
fn error(setting: &'static str, action: &str, e: &tiberius::error::Error) -> SinkError {
    let hint = match e {
        tiberius::error::Error::Server(t) if t.code() == 18456 => {
            " (login failed: check the user and password)"
        }
        tiberius::error::Error::Io { .. } => " (cannot reach the server: check the host, port and firewall)",
        tiberius::error::Error::Server(t) if DUPLICATE.contains(&t.code()) => " (duplicate key)",
        _ => "",
    };
    SinkError::Remote {
        setting,
        message: format!("{action}: {e}{hint}"),
        permanent: !transient(e),
    }
}

fn pool_error(setting: &'static str, action: &str, e: bb8::RunError<tiberius::error::Error>) -> SinkError {
    match e {
        bb8::RunError::User(e) => error(setting, action, &e),
        bb8::RunError::TimedOut => SinkError::Remote {
            setting,
            message: format!("{action}: timed out waiting for a connection"),
            permanent: false,
        },
    }
}

impl MssqlTables {
    /// Connects (proving the address and the login work) and builds the pool. A refused login
    /// or an unreachable server fails here, naming `target.setting`.
    pub async fn open(target: &MssqlTarget) -> Result<MssqlTables, SinkError> {
        let setting = target.setting;
        if matches!(target.auth, MssqlAuth::ManagedIdentity { .. }) {
            // The identity's token comes over HTTPS from the Azure client.
            crate::ca_certificates::require(setting)?;
        }
        let manager = Manager {
            target: target.clone(),
        };
        // One direct connection first, so a wrong password or host fails with its own message
        // instead of a pool timeout.
        let mut last = None;
        for attempt in 0..3u32 {
            match bb8::ManageConnection::connect(&manager).await {
                Ok(_) => {
                    last = None;
                    break;
                }
                Err(e) if transient(&e) && attempt < 2 => {
                    tokio::time::sleep(Duration::from_millis(500 << attempt)).await;
                    last = Some(e);
                }
                Err(e) => {
                    last = Some(e);
                    break;
                }
            }
        }
        if let Some(e) = last {
            let e = error(setting, "connect", &e);
            return Err(match e {
                SinkError::Remote { setting, message, .. } => SinkError::Config { setting, message },
                other => other,
            });
        }
        let pool = bb8::Pool::builder()
            .max_size(target.connections.max(1))
            .connection_timeout(Duration::from_secs(60))
            .build(manager)
            .await
            .map_err(|e| error(setting, "build the connection pool", &e))?;
        Ok(MssqlTables {
            pool,
            describe: format!("SQL Server {}:{}/{}", target.host, target.port, target.database),
            setting,
            connections: target.connections.max(1),
        })
    }

    /// Streams the rows `sql` selects to `each`, one at a time, on one connection: the copy
    /// of a whole table to the lake, which must not hold it in memory. `each` returning
    /// `false` stops early. Returns the rows handed over.
    pub async fn select_each(
        &self,
        sql: &str,
        mut each: impl AsyncFnMut(tiberius::Row) -> bool,
    ) -> Result<u64, SinkError> {
        use futures::TryStreamExt;
        let mut conn = self
            .pool
            .get()
            .await
            .map_err(|e| pool_error(self.setting, "connect", e))?;
        let mut rows = conn
            .simple_query(sql)
            .await
            .map_err(|e| error(self.setting, "query", &e))?
            .into_row_stream();
        let mut count = 0u64;
        while let Some(row) = rows
            .try_next()
            .await
            .map_err(|e| error(self.setting, "read the result", &e))?
        {
            count += 1;
            if !each(row).await {
                break;
            }
        }
        Ok(count)
    }

    async fn batch(&self, sql: &str) -> Result<Vec<tiberius::Row>, SinkError> {
        let mut conn = self
            .pool
            .get()
            .await
            .map_err(|e| pool_error(self.setting, "connect", e))?;
        let stream = conn
            .simple_query(sql)
            .await
            .map_err(|e| error(self.setting, "query", &e))?;
        stream
            .into_first_result()
            .await
            .map_err(|e| error(self.setting, "read the result", &e))
    }

    async fn bulk(&self, rows: &Rows) -> Result<(), SinkError> {
        let mut conn = self
            .pool
            .get()
            .await
            .map_err(|e| pool_error(self.setting, "connect", e))?;
        let table = format!("dbo.{}", rows.table().name());
        let mut req = conn
            .bulk_insert(&table)
            .await
            .map_err(|e| error(self.setting, "start a bulk load", &e))?;
        let send = |e: tiberius::error::Error| error(self.setting, "send rows", &e);
        match rows {
            Rows::Orders(orders) => {
                for o in orders {
                    let row = (o.order_id as i32, o.user_id as i32, o.order_date, o.order_value).into_row();
                    req.send(row).await.map_err(send)?;
                }
            }
            Rows::Items(items) => {
                for i in items {
                    let row = (i.order_id as i32, i.row_id as i32, i.product_id as i32).into_row();
                    req.send(row).await.map_err(send)?;
                }
            }
        }
        req.finalize()
            .await
            .map_err(|e| error(self.setting, "finish the bulk load", &e))?;
        Ok(())
    }

    /// The order-id range of a chunk of rows.
    fn key_range(rows: &Rows) -> Option<Range<u64>> {
        let (first, last) = match rows {
            Rows::Orders(o) => (o.first()?.order_id, o.last()?.order_id),
            Rows::Items(i) => (i.first()?.order_id, i.last()?.order_id),
        };
        Some(first..last + 1)
    }
}

impl TableSink for MssqlTables {
    async fn ensure(&self, table: Table) -> Result<(), SinkError> {
        let ddl = match table {
            Table::Orders => {
                "IF OBJECT_ID(N'dbo.orders', N'U') IS NULL CREATE TABLE dbo.orders (orderId int NOT NULL PRIMARY KEY, userId int NOT NULL, orderDate datetime2 NOT NULL, orderValue float NOT NULL)"
            }
            Table::Items => {
                "IF OBJECT_ID(N'dbo.items', N'U') IS NULL CREATE TABLE dbo.items (orderId int NOT NULL, rowId int NOT NULL, productId int NOT NULL, PRIMARY KEY (orderId, rowId))"
            }
        };
        retry("create the table", || async { self.batch(ddl).await.map(|_| ()) }).await
    }

    async fn present(&self, table: Table, range: Range<u64>) -> Result<Vec<Range<u64>>, SinkError> {
        let sql = super::islands_query(&format!("dbo.{}", table.name()), range.start, range.end);
        let rows = retry("find written rows", || self.batch(&sql)).await?;
        let int = |r: &tiberius::Row, i: usize| {
            r.try_get::<i64, _>(i)
                .ok()
                .flatten()
                .or_else(|| r.try_get::<i32, _>(i).ok().flatten().map(i64::from))
        };
        Ok(rows
            .iter()
            .filter_map(|r| Some(int(r, 0)? as u64..int(r, 1)? as u64 + 1))
            .collect())
    }

    async fn write(&self, rows: Rows) -> Result<(), SinkError> {
        let Some(keys) = Self::key_range(&rows) else {
            return Ok(());
        };
        let table = rows.table();
        let mut attempt = 0u32;
        loop {
            match self.bulk(&rows).await {
                Ok(()) => return Ok(()),
                Err(SinkError::Remote {
                    permanent: false,
                    message,
                    ..
                }) if attempt < 8 => {
                    attempt += 1;
                    let wait = backoff(attempt);
                    tracing::warn!(
                        attempt,
                        wait_ms = wait.as_millis() as u64,
                        "bulk load of {} failed, retrying: {message}",
                        table.name()
                    );
                    tokio::time::sleep(wait).await;
                    // The chunk may have been applied before the connection broke: ask.
                    let present = self.present(table, keys.clone()).await?;
                    if super::gaps(keys.clone(), &present).is_empty() {
                        tracing::info!(
                            "the interrupted bulk load of {} had been applied; not resending",
                            table.name()
                        );
                        return Ok(());
                    }
                    if !present.is_empty() {
                        // Part of it is there: another writer; the loader re-plans the gaps.
                        return Err(SinkError::DuplicateKey {
                            table: table.name(),
                            message: "part of the chunk appeared while retrying".into(),
                        });
                    }
                }
                Err(SinkError::Remote { message, .. }) if message.contains(DUPLICATE_MARK) => {
                    return Err(SinkError::DuplicateKey {
                        table: table.name(),
                        message,
                    });
                }
                Err(e) => return Err(e),
            }
        }
    }

    fn parallelism(&self) -> usize {
        self.connections as usize
    }

    fn describe(&self) -> String {
        self.describe.clone()
    }
}

/// Exponential backoff with full jitter: up to 0.2 s, 0.4 s, ... capped at 10 s.
fn backoff(attempt: u32) -> Duration {
    let cap = (200u64 << attempt.min(6)).min(10_000);
    Duration::from_millis(rand::rng().random_range(cap / 2..=cap))
}

async fn retry<T, F, Fut>(what: &str, mut f: F) -> Result<T, SinkError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, SinkError>>,
{
    let mut attempt = 0;
    loop {
        match f().await {
            Err(SinkError::Remote {
                permanent: false,
                message,
                ..
            }) if attempt < 8 => {
                attempt += 1;
                tracing::warn!(attempt, "{what} failed, retrying: {message}");
                tokio::time::sleep(backoff(attempt)).await;
            }
            other => return other,
        }
    }
}
