//! A test-only TDS 7.4 server (the SQL Server wire protocol), good enough for the real
//! `tiberius` 0.13 client to run end to end on loopback, with fault injection.
//!
//! What it does: answers PRELOGIN with "encryption not supported", decodes LOGIN7 and
//! checks one fixed SQL login (wrong user or password: error 18456, then the connection
//! closes), answers SQL batches by pattern matching (see below), and decodes BULK LOAD
//! messages (`INSERT BULK` + rows + `DONE`, spanning any number of packets) into
//! [`Value`]s that tests read back with [`TdsPeer::rows`]. Each connection runs on its own
//! task; the client may pool several.
//!
//! Statements it understands (case-insensitive, whitespace-insensitive):
//! - `[IF OBJECT_ID(...) IS NULL] CREATE TABLE t (col type [NOT NULL] [PRIMARY KEY], ...)`
//!   with types `int`, `bigint`, `smallint`, `tinyint`, `bit`, `real`, `float`,
//!   `datetime2[(s)]`, `nvarchar(n|max)`; table constraints are skipped.
//! - `SELECT TOP 0 * FROM t` (what `Client::bulk_insert` sends to learn the columns):
//!   COLMETADATA of the table. `NOT NULL` numeric columns use the fixed-length types
//!   (`INT4`, `FLT8`, ...) as SQL Server does, nullable ones `INTN`/`FLTN`.
//! - `INSERT BULK t (...)`: the next BULK LOAD on that connection fills `t`.
//! - `SELECT DISTINCT col / n AS alias FROM t [WHERE col >= a AND col < b ...] [ORDER BY ...]`
//!   computed over the stored rows, ascending.
//! - `SELECT <n>`: one `int` row (health checks).
//! - anything else, including `SET ...`: a bare DONE.
//!
//! RPC requests (`Client::execute` / `Client::query`, i.e. `sp_executesql`) run their
//! statement text the same way; parameters are not substituted.
//!
//! What it does NOT check:
//! - TLS: no encryption at all, the client must use `EncryptionLevel::NotSupported`.
//! - Real SQL semantics: no SQL engine, only the pattern-matched statements above; no
//!   constraints besides primary keys (a bulk load repeating a key is refused whole with
//!   error 2627), no transactions
//!   beyond the atomicity of one bulk load (an interrupted bulk load stores nothing), no
//!   type coercion beyond what the wire format carries.
//! - Authentication other than one fixed SQL login (no Entra ID tokens, no Windows auth).
//!
//! Real SQL semantics (keys, resume after a failure) are tested on SQLite. To run the
//! same client tests against a real SQL Server instead of this peer, set the opt-in
//! environment variable `PLAYGROUND_TEST_MSSQL` (read by the SQL Server sink's tests; see
//! them for the value it takes). Fault-injection tests need the peer and stay on it.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let peer = playground_tds_peer::TdsPeer::start("sa", "secret").await?;
//! // point tiberius at peer.addr() with EncryptionLevel::NotSupported ...
//! assert!(peer.rows("orders").is_empty());
//! # Ok(())
//! # }
//! ```

mod bulk;
mod connection;
mod lexer;
mod login;
mod packet;
mod prelogin;
mod reader;
mod rpc;
mod sql;
mod state;
mod tokens;
mod types;
mod value;

pub use value::Value;

use state::{BatchFault, Shared};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};

/// A running TDS peer on `127.0.0.1`. Dropping it stops accepting and closes every
/// connection.
pub struct TdsPeer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: JoinHandle<()>,
}

impl std::fmt::Debug for TdsPeer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TdsPeer")
            .field("addr", &self.addr)
            .field("user", &self.shared.user)
            .field("password", &"<redacted>")
            .finish_non_exhaustive()
    }
}

impl Drop for TdsPeer {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

impl TdsPeer {
    /// Binds 127.0.0.1:0 and serves connections on the current tokio runtime until dropped.
    /// Only `user` with `password` can log in.
    ///
    /// # Errors
    /// When the listener cannot be bound.
    pub async fn start(user: &str, password: &str) -> std::io::Result<TdsPeer> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::new(user, password));
        let accept = tokio::spawn(accept_loop(listener, Arc::clone(&shared)));
        Ok(TdsPeer { addr, shared, accept })
    }

    /// The address to connect to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Rows of every completed bulk load into `table`, in arrival order, each in the
    /// table's column order (columns a bulk load left out are [`Value::Null`]). `table`
    /// matches on its last dot-separated part, case-insensitively (`"dbo.Orders"` and
    /// `"orders"` are the same table). Unknown tables give no rows.
    pub fn rows(&self, table: &str) -> Vec<Vec<Value>> {
        self.shared
            .lock()
            .table(table)
            .map(|t| t.rows.clone())
            .unwrap_or_default()
    }

    /// Every SQL batch text received (RPC statements included), in order.
    pub fn batches(&self) -> Vec<String> {
        self.shared.lock().batches.clone()
    }

    /// Tables created so far: lower-case names without schema, in creation order.
    pub fn tables(&self) -> Vec<String> {
        self.shared.lock().tables.iter().map(|t| t.key.clone()).collect()
    }

    /// One-shot fault: during the next bulk load, once `rows` of its rows have been
    /// received, close the TCP connection without answering. That bulk load's rows are
    /// discarded, as SQL Server rolls back an interrupted bulk load. The fault is used up
    /// by the next bulk load even if it carries fewer rows (it then completes normally).
    pub fn drop_next_bulk_after(&self, rows: usize) {
        self.shared.lock().drop_bulk_after = Some(rows);
    }

    /// One-shot fault: the next SQL batch whose text contains `pattern` (case-insensitive)
    /// is answered with an ERROR token carrying `number` (e.g. 40613) and `message`, then a
    /// DONE with the error flag; nothing is executed. The batch is still recorded in
    /// [`TdsPeer::batches`].
    pub fn fail_next_batch(&self, pattern: &str, number: u32, message: &str) {
        self.shared.lock().batch_fault = Some(BatchFault {
            pattern: pattern.to_lowercase(),
            number,
            message: message.to_string(),
        });
    }

    /// Number of TCP connections accepted so far.
    pub fn connections(&self) -> usize {
        self.shared.lock().connections
    }

    /// Number of logins that succeeded so far.
    pub fn logins(&self) -> usize {
        self.shared.lock().logins
    }
}

/// Accepts connections and serves each on its own task. The tasks live in a `JoinSet`
/// owned by this future, so aborting it (on drop of the peer) ends them all.
async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let mut tasks = JoinSet::new();
    loop {
        while tasks.try_join_next().is_some() {}
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(_) => {
                // e.g. out of file descriptors: back off instead of spinning.
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                continue;
            }
        };
        shared.lock().connections += 1;
        let shared = Arc::clone(&shared);
        tasks.spawn(async move {
            // A protocol error only ends this connection; the client sees it closed.
            let _ = connection::serve(stream, shared).await;
        });
    }
}
