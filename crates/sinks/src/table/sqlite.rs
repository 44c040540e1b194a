//! The embedded table backend: a SQLite file (bundled, so nothing to install).
//!
//! One connection in WAL mode; each chunk is one transaction with a prepared, cached insert.
//! Writes run on the blocking pool so the async generator keeps going meanwhile.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::{Connection, Statement, Transaction};

use super::{Rows, Table, TableSink};
use crate::SinkError;

/// Tables in a SQLite database file.
#[derive(Debug, Clone)]
pub struct SqliteTables {
    path: PathBuf,
    conn: Arc<Mutex<Connection>>,
}

fn sql(action: &'static str) -> impl FnOnce(rusqlite::Error) -> SinkError {
    move |source| SinkError::Sqlite { action, source }
}

/// An insert's error; a key already present is [`SinkError::DuplicateKey`] (the transaction
/// rolls back when dropped, so nothing of the chunk stays).
fn insert_error(table: Table) -> impl FnOnce(rusqlite::Error) -> SinkError {
    move |source| {
        if source.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) {
            SinkError::DuplicateKey {
                table: table.name(),
                message: source.to_string(),
            }
        } else {
            SinkError::Sqlite {
                action: match table {
                    Table::Orders => "insert into orders",
                    Table::Items => "insert into items",
                },
                source,
            }
        }
    }
}

/// Writes `t` as `YYYY-MM-DD HH:MM:SS`, the text form SQLite's date functions read. Digits
/// are written directly, each by a division by the constant 10: strftime parsing per row cost
/// a third of the insert rate, `write!` with padding a tenth of the orders service's time on
/// one core, and digits by powers of ten (a real division each) still 7 % (issue 18).
fn sqlite_datetime(t: &chrono::NaiveDateTime, out: &mut String) {
    use chrono::{Datelike, Timelike};
    out.clear();
    let year = match u32::try_from(t.year()) {
        Ok(year) if year <= 9999 => year,
        // Years outside 0..=9999 never come from the model; chrono's own form keeps them.
        _ => {
            out.push_str(&t.format("%Y-%m-%d %H:%M:%S").to_string());
            return;
        }
    };
    let mut text = *b"0000-00-00 00:00:00";
    let fields = [
        (0..4, year),
        (5..7, t.month()),
        (8..10, t.day()),
        (11..13, t.hour()),
        (14..16, t.minute()),
        (17..19, t.second()),
    ];
    for (at, mut value) in fields {
        for digit in text[at].iter_mut().rev() {
            *digit = b'0' + (value % 10) as u8;
            value /= 10;
        }
    }
    // ASCII digits and separators: always UTF-8.
    out.push_str(std::str::from_utf8(&text).unwrap_or_default());
}

/// Rows per INSERT statement (`VALUES (..), (..), ...`). One statement of many rows spares
/// SQLite its per-statement work for every row (binding checks, step, reset, cursor set-up),
/// which was a third of the items service's time on one core (issue 18, docs/decisions.md).
/// SQLite allows 32,766 parameters per statement; 64 rows of at most 4 columns stay far below.
pub const ROWS_PER_INSERT: usize = 64;

/// `INSERT INTO table (columns) VALUES (?, ...), ...` with `rows` rows of parameters.
pub fn insert_sql(table: &str, columns: &[&str], rows: usize) -> String {
    let row = format!("({})", vec!["?"; columns.len()].join(", "));
    format!(
        "INSERT INTO {table} ({}) VALUES {}",
        columns.join(", "),
        vec![row.as_str(); rows].join(", ")
    )
}

/// Inserts `rows` into `table`, [`ROWS_PER_INSERT`] to a statement and the rest one by one;
/// `bind(statement, first parameter index, row)` binds one row's columns.
fn insert_all<T>(
    tx: &Transaction<'_>,
    table: Table,
    columns: &[&str],
    rows: &[T],
    mut bind: impl FnMut(&mut Statement<'_>, usize, &T) -> rusqlite::Result<()>,
) -> Result<(), SinkError> {
    let mut groups = rows.chunks_exact(ROWS_PER_INSERT);
    let mut many = tx
        .prepare_cached(&insert_sql(table.name(), columns, ROWS_PER_INSERT))
        .map_err(sql("prepare insert"))?;
    for group in &mut groups {
        for (n, row) in group.iter().enumerate() {
            bind(&mut many, n * columns.len() + 1, row).map_err(insert_error(table))?;
        }
        many.raw_execute().map_err(insert_error(table))?;
    }
    let mut one = tx
        .prepare_cached(&insert_sql(table.name(), columns, 1))
        .map_err(sql("prepare insert"))?;
    for row in groups.remainder() {
        bind(&mut one, 1, row).map_err(insert_error(table))?;
        one.raw_execute().map_err(insert_error(table))?;
    }
    Ok(())
}

impl SqliteTables {
    /// Opens (and creates) the database at `path`.
    pub async fn open(path: &Path, setting: &'static str) -> Result<SqliteTables, SinkError> {
        let path = path.to_path_buf();
        let p = path.clone();
        let conn = tokio::task::spawn_blocking(move || -> Result<Connection, SinkError> {
            if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
                crate::error::writable_dir(dir, setting)?;
            }
            // A file that cannot be opened, or is not a database, is the setting's fault.
            let as_config = |e: rusqlite::Error| {
                SinkError::config(
                    setting,
                    format!("cannot use {} as a SQLite database: {e}", p.display()),
                )
            };
            let conn = Connection::open(&p).map_err(as_config)?;
            conn.busy_timeout(Duration::from_secs(60))
                .map_err(sql("set busy timeout"))?;
            // WAL lets readers (sqlite3, a notebook) look while we write, and several shards
            // take turns writing; NORMAL sync is durable at each commit in WAL mode except
            // on power loss, where the last transactions may roll back (and are redone).
            conn.pragma_update(None, "journal_mode", "WAL")
                .map_err(as_config)?;
            conn.pragma_update(None, "synchronous", "NORMAL")
                .map_err(sql("set synchronous"))?;
            Ok(conn)
        })
        .await??;
        Ok(SqliteTables {
            path,
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    async fn with_conn<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, SinkError> + Send + 'static,
    ) -> Result<T, SinkError> {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn
                .lock()
                .map_err(|_| SinkError::Task("SQLite connection poisoned".into()))?;
            f(&mut guard)
        })
        .await?
    }
}

impl TableSink for SqliteTables {
    async fn ensure(&self, table: Table) -> Result<(), SinkError> {
        let ddl = match table {
            Table::Orders => {
                "CREATE TABLE IF NOT EXISTS orders (
                    orderId INTEGER PRIMARY KEY,
                    userId INTEGER NOT NULL,
                    orderDate TEXT NOT NULL,
                    orderValue REAL NOT NULL)"
            }
            Table::Items => {
                "CREATE TABLE IF NOT EXISTS items (
                    orderId INTEGER NOT NULL,
                    rowId INTEGER NOT NULL,
                    productId INTEGER NOT NULL,
                    PRIMARY KEY (orderId, rowId)) WITHOUT ROWID"
            }
        };
        self.with_conn(move |c| c.execute_batch(ddl).map_err(sql("create table")))
            .await
    }

    async fn present(&self, table: Table, range: Range<u64>) -> Result<Vec<Range<u64>>, SinkError> {
        let query = super::islands_query(table.name(), range.start, range.end);
        self.with_conn(move |c| {
            let mut stmt = c.prepare(&query).map_err(sql("prepare resume query"))?;
            let rows = stmt
                .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))
                .map_err(sql("find written rows"))?;
            let mut present = Vec::new();
            for r in rows {
                let (lo, hi) = r.map_err(sql("read written rows"))?;
                present.push(lo as u64..hi as u64 + 1);
            }
            Ok(present)
        })
        .await
    }

    async fn write(&self, rows: Rows) -> Result<(), SinkError> {
        self.with_conn(move |c| {
            let tx = c.transaction().map_err(sql("begin"))?;
            match &rows {
                Rows::Orders(orders) => {
                    let mut date = String::with_capacity(19);
                    let columns = ["orderId", "userId", "orderDate", "orderValue"];
                    insert_all(&tx, Table::Orders, &columns, orders, |stmt, at, o| {
                        sqlite_datetime(&o.order_date, &mut date);
                        stmt.raw_bind_parameter(at, o.order_id as i64)?;
                        stmt.raw_bind_parameter(at + 1, o.user_id as i64)?;
                        // Bound as a copy (SQLITE_TRANSIENT), so the buffer is reused.
                        stmt.raw_bind_parameter(at + 2, date.as_str())?;
                        stmt.raw_bind_parameter(at + 3, o.order_value)
                    })?;
                }
                Rows::Items(items) => {
                    let columns = ["orderId", "rowId", "productId"];
                    insert_all(&tx, Table::Items, &columns, items, |stmt, at, i| {
                        stmt.raw_bind_parameter(at, i.order_id as i64)?;
                        stmt.raw_bind_parameter(at + 1, i.row_id)?;
                        stmt.raw_bind_parameter(at + 2, i.product_id as i64)
                    })?;
                }
            }
            tx.commit().map_err(sql("commit"))
        })
        .await
    }

    fn describe(&self) -> String {
        format!("SQLite {}", self.path.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;
    use playground_model::{OrderGenerator, OrdersConfig};

    #[test]
    fn datetimes_are_written_as_strftime_writes_them() {
        let mut out = String::new();
        let start = chrono::NaiveDate::from_ymd_opt(1999, 12, 31)
            .and_then(|d| d.and_hms_opt(23, 59, 58))
            .expect("date");
        for step in 0..5000 {
            let t = start + chrono::Duration::seconds(step * 7919);
            sqlite_datetime(&t, &mut out);
            assert_eq!(out, t.format("%Y-%m-%d %H:%M:%S").to_string());
        }
        let early = chrono::NaiveDate::from_ymd_opt(7, 1, 2)
            .and_then(|d| d.and_hms_opt(3, 4, 5))
            .expect("date");
        sqlite_datetime(&early, &mut out);
        assert_eq!(out, "0007-01-02 03:04:05");
        let late = early.with_year(12345).expect("date");
        sqlite_datetime(&late, &mut out);
        assert_eq!(out, late.format("%Y-%m-%d %H:%M:%S").to_string());
    }

    /// Chunks of many statements' worth of rows plus a rest: every row comes back as written,
    /// and a duplicate inside a many-row statement refuses the whole chunk.
    #[tokio::test]
    async fn rows_come_back_exactly_from_many_row_statements() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = SqliteTables::open(&dir.path().join("t.sqlite"), "THE_SETTING")
            .await
            .expect("open");
        db.ensure(Table::Orders).await.expect("ensure");
        db.ensure(Table::Items).await.expect("ensure");
        let g = OrderGenerator::new(OrdersConfig::new(3, 1000, 500));
        let n = (ROWS_PER_INSERT * 3 + 5) as u64;
        let orders: Vec<_> = g.orders(0..n).collect();
        let mut items = Vec::new();
        for o in 0..n {
            g.items_into(o, &mut items);
        }
        db.write(Rows::Orders(orders.clone())).await.expect("orders");
        db.write(Rows::Items(items.clone())).await.expect("items");
        let (found_orders, found_items) = db
            .with_conn(|c| {
                let mut stmt = c
                    .prepare("SELECT orderId, userId, orderDate, orderValue FROM orders ORDER BY orderId")
                    .map_err(sql("select"))?;
                let orders = stmt
                    .query_map([], |r| {
                        Ok((
                            r.get::<_, i64>(0)?,
                            r.get::<_, i64>(1)?,
                            r.get::<_, String>(2)?,
                            r.get::<_, f64>(3)?,
                        ))
                    })
                    .map_err(sql("select"))?
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(sql("read"))?;
                let mut stmt = c
                    .prepare("SELECT orderId, rowId, productId FROM items ORDER BY orderId, rowId")
                    .map_err(sql("select"))?;
                let items = stmt
                    .query_map([], |r| {
                        Ok((r.get::<_, i64>(0)?, r.get::<_, u32>(1)?, r.get::<_, i64>(2)?))
                    })
                    .map_err(sql("select"))?
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(sql("read"))?;
                Ok((orders, items))
            })
            .await
            .expect("read back");
        let expected: Vec<_> = orders
            .iter()
            .map(|o| {
                let date = o.order_date.format("%Y-%m-%d %H:%M:%S").to_string();
                (o.order_id as i64, o.user_id as i64, date, o.order_value)
            })
            .collect();
        assert_eq!(found_orders, expected);
        let expected: Vec<_> = items
            .iter()
            .map(|i| (i.order_id as i64, i.row_id, i.product_id as i64))
            .collect();
        assert_eq!(found_items, expected);

        // Orders n-1..n-1+ROWS_PER_INSERT*2: the first row of the first many-row statement is
        // present already.
        let again: Vec<_> = g.orders(n - 1..n - 1 + 2 * ROWS_PER_INSERT as u64).collect();
        let dup = db.write(Rows::Orders(again)).await;
        assert!(
            matches!(dup, Err(SinkError::DuplicateKey { .. })),
            "a duplicate key must be refused: {dup:?}"
        );
        let count: i64 = db
            .with_conn(|c| {
                c.query_row("SELECT count(*) FROM orders", [], |r| r.get(0))
                    .map_err(sql("count"))
            })
            .await
            .expect("count");
        assert_eq!(count, n as i64, "the refused chunk left nothing behind");
    }

    #[tokio::test]
    async fn chunks_are_found_and_keys_enforced() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = SqliteTables::open(&dir.path().join("t.sqlite"), "THE_SETTING")
            .await
            .expect("open");
        db.ensure(Table::Orders).await.expect("ensure");
        db.ensure(Table::Orders).await.expect("ensure twice keeps data");
        let g = OrderGenerator::new(OrdersConfig::new(1, 10, 10));
        db.write(Rows::Orders(g.orders(0..10).collect()))
            .await
            .expect("write");
        db.write(Rows::Orders(g.orders(20..25).collect()))
            .await
            .expect("write");
        let present = db.present(Table::Orders, 0..100).await.expect("present");
        assert_eq!(present, vec![0..10, 20..25]);
        let present = db.present(Table::Orders, 22..100).await.expect("present");
        assert_eq!(present, vec![22..25]);
        let dup = db.write(Rows::Orders(g.orders(9..12).collect())).await;
        assert!(
            matches!(dup, Err(SinkError::DuplicateKey { .. })),
            "a duplicate key must be refused: {dup:?}"
        );
        let n: i64 = db
            .with_conn(|c| {
                c.query_row("SELECT count(*) FROM orders", [], |r| r.get(0))
                    .map_err(sql("count"))
            })
            .await
            .expect("count");
        assert_eq!(n, 15, "the refused chunk left nothing behind");
    }
}
