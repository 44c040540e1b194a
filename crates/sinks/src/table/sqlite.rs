//! The embedded table backend: a SQLite file (bundled, so nothing to install).
//!
//! One connection in WAL mode; each chunk is one transaction with a prepared, cached insert.
//! Writes run on the blocking pool so the async generator keeps going meanwhile.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::{Connection, params};

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
/// are written directly: strftime parsing per row cost a third of the insert rate, and
/// `write!` with padding still a tenth of the orders service's time on one core (issue 18).
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
    let fields = [
        (year, 4, "-"),
        (t.month(), 2, "-"),
        (t.day(), 2, " "),
        (t.hour(), 2, ":"),
        (t.minute(), 2, ":"),
        (t.second(), 2, ""),
    ];
    for (value, width, after) in fields {
        for place in (0..width).rev() {
            out.push(char::from(b'0' + (value / 10u32.pow(place) % 10) as u8));
        }
        out.push_str(after);
    }
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
                    let mut stmt = tx
                        .prepare_cached("INSERT INTO orders (orderId, userId, orderDate, orderValue) VALUES (?1, ?2, ?3, ?4)")
                        .map_err(sql("prepare insert"))?;
                    let mut date = String::with_capacity(19);
                    for o in orders {
                        sqlite_datetime(&o.order_date, &mut date);
                        stmt.execute(params![o.order_id as i64, o.user_id as i64, date, o.order_value])
                            .map_err(insert_error(Table::Orders))?;
                    }
                }
                Rows::Items(items) => {
                    let mut stmt = tx
                        .prepare_cached("INSERT INTO items (orderId, rowId, productId) VALUES (?1, ?2, ?3)")
                        .map_err(sql("prepare insert"))?;
                    for i in items {
                        stmt.execute(params![i.order_id as i64, i.row_id, i.product_id as i64])
                            .map_err(insert_error(Table::Items))?;
                    }
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
