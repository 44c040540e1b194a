//! Relational tables: `orders` and `items`, with the schemas the downstream jobs read.
//!
//! Rows are written in chunks of consecutive order ids; each chunk is one atomic write (a
//! transaction, or one bulk-load statement), so after a crash a chunk is either wholly there
//! or absent. A restarted service asks which chunks of its shard exist and writes the rest:
//! no duplicates, no gaps, and existing data is never dropped.

pub mod mssql;
pub mod sqlite;

use std::collections::BTreeSet;
use std::future::Future;
use std::ops::Range;
use std::path::PathBuf;

use playground_model::{Item, Order};

use crate::SinkError;

/// The two tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    /// `orders(orderId int PK, userId int, orderDate datetime2, orderValue float)`
    Orders,
    /// `items(orderId int, rowId int, productId int, PK(orderId, rowId))`
    Items,
}

impl Table {
    /// The table's name in SQL.
    pub fn name(self) -> &'static str {
        match self {
            Table::Orders => "orders",
            Table::Items => "items",
        }
    }
}

/// One chunk of rows, written atomically.
#[derive(Debug, Clone, PartialEq)]
pub enum Rows {
    /// Rows of `orders`.
    Orders(Vec<Order>),
    /// Rows of `items`.
    Items(Vec<Item>),
}

impl Rows {
    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            Rows::Orders(r) => r.len(),
            Rows::Items(r) => r.len(),
        }
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The table the rows belong to.
    pub fn table(&self) -> Table {
        match self {
            Rows::Orders(_) => Table::Orders,
            Rows::Items(_) => Table::Items,
        }
    }
}

/// A destination for table rows.
pub trait TableSink: Send + Sync {
    /// Creates `table` with its primary key when it does not exist; never drops data.
    fn ensure(&self, table: Table) -> impl Future<Output = Result<(), SinkError>> + Send;

    /// Which chunks (`orderId / chunk`) have rows in `table` among order ids `range`.
    /// Because chunks are written atomically, a chunk listed here is complete.
    fn written_chunks(
        &self,
        table: Table,
        range: Range<u64>,
        chunk: u64,
    ) -> impl Future<Output = Result<BTreeSet<u64>, SinkError>> + Send;

    /// Writes one chunk atomically.
    fn write(&self, rows: Rows) -> impl Future<Output = Result<(), SinkError>> + Send;

    /// How many chunks may be written at once (SQLite: one writer; SQL Server: the pool).
    fn parallelism(&self) -> usize {
        1
    }

    /// Where the rows go, for logs (never contains a secret).
    fn describe(&self) -> String;
}

/// Which table backend, chosen by configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TableTarget {
    /// A SQLite database file.
    Sqlite {
        /// The database file.
        path: PathBuf,
    },
    /// SQL Server or Azure SQL.
    Mssql(mssql::MssqlTarget),
}

/// The configured table backend.
#[derive(Debug)]
pub enum TableBackend {
    /// SQLite, bundled.
    Sqlite(sqlite::SqliteTables),
    /// SQL Server.
    Mssql(mssql::MssqlTables),
}

impl TableBackend {
    /// Opens `target`.
    pub async fn open(target: &TableTarget) -> Result<TableBackend, SinkError> {
        match target {
            TableTarget::Sqlite { path } => Ok(TableBackend::Sqlite(sqlite::SqliteTables::open(path).await?)),
            TableTarget::Mssql(t) => Ok(TableBackend::Mssql(mssql::MssqlTables::open(t).await?)),
        }
    }
}

impl TableSink for TableBackend {
    async fn ensure(&self, table: Table) -> Result<(), SinkError> {
        match self {
            TableBackend::Sqlite(s) => s.ensure(table).await,
            TableBackend::Mssql(m) => m.ensure(table).await,
        }
    }
    async fn written_chunks(
        &self,
        table: Table,
        range: Range<u64>,
        chunk: u64,
    ) -> Result<BTreeSet<u64>, SinkError> {
        match self {
            TableBackend::Sqlite(s) => s.written_chunks(table, range, chunk).await,
            TableBackend::Mssql(m) => m.written_chunks(table, range, chunk).await,
        }
    }
    async fn write(&self, rows: Rows) -> Result<(), SinkError> {
        match self {
            TableBackend::Sqlite(s) => s.write(rows).await,
            TableBackend::Mssql(m) => m.write(rows).await,
        }
    }
    fn parallelism(&self) -> usize {
        match self {
            TableBackend::Sqlite(s) => s.parallelism(),
            TableBackend::Mssql(m) => m.parallelism(),
        }
    }
    fn describe(&self) -> String {
        match self {
            TableBackend::Sqlite(s) => s.describe(),
            TableBackend::Mssql(m) => m.describe(),
        }
    }
}
