//! Relational tables: `orders` and `items`, with the schemas the downstream jobs read.
//!
//! Rows are written in chunks of consecutive order ids; each chunk is one atomic write (a
//! transaction, or one bulk-load statement), so after a crash a chunk is either wholly there
//! or absent, and an order's rows (its one `orders` row, or all its `items`) are never split.
//! A restarted service asks which runs of order ids are present in its shard and writes the
//! gaps, whatever chunk size or shard layout wrote the present ones: no duplicates, no gaps,
//! and existing data is never dropped.

#[cfg(feature = "mssql")]
pub mod mssql;
#[cfg(feature = "sqlite")]
pub mod sqlite;
mod target;

use std::future::Future;
use std::ops::Range;

pub use target::{MssqlAuth, MssqlTarget, TableTarget};

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

    /// The runs of consecutive order ids that have rows in `table` among `range`, in
    /// ascending order. Because an order's rows are written in one atomic write, an order id
    /// listed here has all its rows.
    fn present(
        &self,
        table: Table,
        range: Range<u64>,
    ) -> impl Future<Output = Result<Vec<Range<u64>>, SinkError>> + Send;

    /// Writes one chunk atomically. A chunk some of whose keys are already in the table is
    /// refused whole with [`SinkError::DuplicateKey`], leaving nothing behind.
    fn write(&self, rows: Rows) -> impl Future<Output = Result<(), SinkError>> + Send;

    /// How many chunks may be written at once (SQLite: one writer; SQL Server: the pool).
    fn parallelism(&self) -> usize {
        1
    }

    /// Where the rows go, for logs (never contains a secret).
    fn describe(&self) -> String;
}

/// The query both backends answer for [`TableSink::present`]: the islands of consecutive
/// `orderId`s in `[start, end)` of `table` (`qualified`: `orders` or `dbo.orders`), as rows
/// `(lo, hi)` with `hi` inclusive, ascending. Numbers only are interpolated.
#[cfg(any(feature = "sqlite", feature = "mssql"))]
pub(crate) fn islands_query(qualified: &str, start: u64, end: u64) -> String {
    format!(
        "SELECT MIN(orderId) AS lo, MAX(orderId) AS hi FROM (SELECT orderId, orderId - ROW_NUMBER() OVER (ORDER BY orderId) AS island FROM (SELECT DISTINCT orderId FROM {qualified} WHERE orderId >= {start} AND orderId < {end}) AS ids) AS numbered GROUP BY island ORDER BY lo"
    )
}

/// `range` minus the ascending, disjoint `present` runs: the gaps, ascending.
pub fn gaps(range: Range<u64>, present: &[Range<u64>]) -> Vec<Range<u64>> {
    let mut out = Vec::new();
    let mut at = range.start;
    for p in present {
        let (s, e) = (p.start.max(range.start), p.end.min(range.end));
        if s >= e {
            continue;
        }
        if s > at {
            out.push(at..s);
        }
        at = at.max(e);
    }
    if at < range.end {
        out.push(at..range.end);
    }
    out
}

/// The configured table backend.
#[cfg(any(feature = "sqlite", feature = "mssql"))]
#[derive(Debug)]
pub enum TableBackend {
    /// SQLite, bundled.
    #[cfg(feature = "sqlite")]
    Sqlite(sqlite::SqliteTables),
    /// SQL Server.
    #[cfg(feature = "mssql")]
    Mssql(mssql::MssqlTables),
}

#[cfg(any(feature = "sqlite", feature = "mssql"))]
impl TableBackend {
    /// Opens `target`. A backend this binary was built without (cargo features `sqlite`,
    /// `mssql`) is a configuration error naming the setting that chose it.
    pub async fn open(target: &TableTarget) -> Result<TableBackend, SinkError> {
        match target {
            #[cfg(feature = "sqlite")]
            TableTarget::Sqlite { path, setting } => Ok(TableBackend::Sqlite(
                sqlite::SqliteTables::open(path, setting).await?,
            )),
            #[cfg(not(feature = "sqlite"))]
            TableTarget::Sqlite { setting, .. } => Err(crate::error::not_built(setting, "sqlite")),
            #[cfg(feature = "mssql")]
            TableTarget::Mssql(t) => Ok(TableBackend::Mssql(mssql::MssqlTables::open(t).await?)),
            #[cfg(not(feature = "mssql"))]
            TableTarget::Mssql(t) => Err(crate::error::not_built(t.setting, "mssql")),
        }
    }
}

#[cfg(any(feature = "sqlite", feature = "mssql"))]
impl TableSink for TableBackend {
    async fn ensure(&self, table: Table) -> Result<(), SinkError> {
        match self {
            #[cfg(feature = "sqlite")]
            TableBackend::Sqlite(s) => s.ensure(table).await,
            #[cfg(feature = "mssql")]
            TableBackend::Mssql(m) => m.ensure(table).await,
        }
    }
    async fn present(&self, table: Table, range: Range<u64>) -> Result<Vec<Range<u64>>, SinkError> {
        match self {
            #[cfg(feature = "sqlite")]
            TableBackend::Sqlite(s) => s.present(table, range).await,
            #[cfg(feature = "mssql")]
            TableBackend::Mssql(m) => m.present(table, range).await,
        }
    }
    async fn write(&self, rows: Rows) -> Result<(), SinkError> {
        match self {
            #[cfg(feature = "sqlite")]
            TableBackend::Sqlite(s) => s.write(rows).await,
            #[cfg(feature = "mssql")]
            TableBackend::Mssql(m) => m.write(rows).await,
        }
    }
    fn parallelism(&self) -> usize {
        match self {
            #[cfg(feature = "sqlite")]
            TableBackend::Sqlite(s) => s.parallelism(),
            #[cfg(feature = "mssql")]
            TableBackend::Mssql(m) => m.parallelism(),
        }
    }
    fn describe(&self) -> String {
        match self {
            #[cfg(feature = "sqlite")]
            TableBackend::Sqlite(s) => s.describe(),
            #[cfg(feature = "mssql")]
            TableBackend::Mssql(m) => m.describe(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::single_range_in_vec_init)] // one run of present ids, on purpose
    fn gaps_are_the_complement() {
        assert_eq!(gaps(0..10, &[]), vec![0..10]);
        assert_eq!(gaps(0..10, &[0..10]), Vec::<Range<u64>>::new());
        assert_eq!(gaps(0..10, &[2..4, 6..7]), vec![0..2, 4..6, 7..10]);
        assert_eq!(gaps(5..10, &[0..6, 9..20]), vec![6..9]);
        assert_eq!(gaps(5..5, &[0..6]), Vec::<Range<u64>>::new());
    }
}
