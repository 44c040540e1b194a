//! Data Factory's copy, locally: the `orders` and `items` tables of the table store to
//! `bronze/orders/orders.parquet` and `bronze/items/items.parquet`, with the SQL column names
//! and types (terraform/modules/data_factory/main.tf writes `<table>/<table>.parquet`).
//!
//! Streamed: rows are read in key order a batch at a time on a blocking thread and written as
//! Parquet row groups through an object_store multipart upload, which becomes visible only
//! when it completes (a directory: a temporary file renamed; Azure: a committed block list).
//! A kill in the middle leaves the previous copy in place, never half of a new one.

use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use arrow::array::{ArrayRef, Float64Builder, Int32Builder, Int64Builder, TimestampMicrosecondBuilder};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use arrow::record_batch::RecordBatch;
use deltalake::ObjectStore;
use object_store::buffered::BufWriter;
use parquet::arrow::AsyncArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use playground_runtime::progress::Progress;
use playground_sinks::table::mssql::MssqlTables;
use tokio::sync::mpsc;

/// A table Data Factory copies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Copied {
    /// `orders(orderId, userId, orderDate, orderValue)`.
    Orders,
    /// `items(orderId, rowId, productId)`.
    Items,
}

impl Copied {
    /// Both, in the pipeline's order.
    pub const ALL: [Copied; 2] = [Copied::Orders, Copied::Items];

    /// The SQL table's name, also its bronze folder.
    pub fn name(self) -> &'static str {
        match self {
            Copied::Orders => "orders",
            Copied::Items => "items",
        }
    }

    /// Where the copy lands in the bronze container.
    pub fn path(self) -> String {
        format!("{0}/{0}.parquet", self.name())
    }

    /// The Parquet schema: the SQL columns and types (`int` as INT64 like Data Factory's
    /// bigint mapping of the playground's ids, `datetime2` as a timestamp without a zone).
    pub fn schema(self) -> SchemaRef {
        match self {
            Copied::Orders => ORDERS.clone(),
            Copied::Items => ITEMS.clone(),
        }
    }

    /// The query that reads the table in key order; `schema` is `""` or `"dbo."`.
    fn select(self, schema: &str) -> String {
        match self {
            Copied::Orders => {
                format!("SELECT orderId, userId, orderDate, orderValue FROM {schema}orders ORDER BY orderId")
            }
            Copied::Items => {
                format!("SELECT orderId, rowId, productId FROM {schema}items ORDER BY orderId, rowId")
            }
        }
    }
}

static ORDERS: LazyLock<SchemaRef> = LazyLock::new(|| {
    Arc::new(Schema::new(vec![
        Field::new("orderId", DataType::Int64, false),
        Field::new("userId", DataType::Int64, false),
        Field::new(
            "orderDate",
            DataType::Timestamp(TimeUnit::Microsecond, None),
            false,
        ),
        Field::new("orderValue", DataType::Float64, false),
    ]))
});

static ITEMS: LazyLock<SchemaRef> = LazyLock::new(|| {
    Arc::new(Schema::new(vec![
        Field::new("orderId", DataType::Int64, false),
        Field::new("rowId", DataType::Int32, false),
        Field::new("productId", DataType::Int64, false),
    ]))
});

/// Why a copy failed.
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    /// The SQLite file is missing or unreadable.
    #[error("{path}: {source} (has playground-orders run? it writes the table store)")]
    Open {
        /// The database file.
        path: String,
        /// Why.
        #[source]
        source: rusqlite::Error,
    },
    /// A query or row failed.
    #[error("reading {table}: {message}")]
    Read {
        /// The table.
        table: &'static str,
        /// Why, naming the row when one is at fault.
        message: String,
    },
    /// Writing the Parquet failed.
    #[error("writing bronze/{path}: {source}")]
    Write {
        /// The object.
        path: String,
        /// Why.
        #[source]
        source: parquet::errors::ParquetError,
    },
}

/// Where the copy reads: the table store the orders and items services write.
#[derive(Debug)]
pub enum From {
    /// The embedded default: a SQLite file, read on a blocking thread.
    Sqlite(PathBuf),
    /// SQL Server or Azure SQL (`SQL_SERVER`, `SQL_CONNECTION_STRING`).
    Mssql(MssqlTables),
}

/// Copies `table` from `from` to the bronze container `store`, in batches of `batch_rows`;
/// returns the rows copied. The reader and the Parquet writer run side by side with two
/// batches between them, so memory holds a few batches whatever the table's size.
pub async fn copy(
    from: &From,
    table: Copied,
    store: Arc<dyn ObjectStore>,
    prefix: &str,
    batch_rows: usize,
) -> Result<u64, CopyError> {
    let started = std::time::Instant::now();
    let (tx, rx) = mpsc::channel::<RecordBatch>(2);
    let writer = write_parquet(rx, table, store, prefix);
    // The reader's verdict first: a failed read leaves the upload uncompleted (invisible).
    let (rows, writer) = match from {
        From::Sqlite(db) => {
            let db = db.to_owned();
            let reader = tokio::task::spawn_blocking(move || read_sqlite(&db, table, batch_rows, &tx));
            let (read, written) = tokio::join!(reader, writer);
            let read = read.map_err(|e| CopyError::Read {
                table: table.name(),
                message: e.to_string(),
            })?;
            (read?, written?)
        }
        From::Mssql(tables) => {
            let (read, written) = tokio::join!(read_mssql(tables, table, batch_rows, tx), writer);
            (read?, written?)
        }
    };
    writer.close().await.map_err(|source| CopyError::Write {
        path: table.path(),
        source,
    })?;
    tracing::info!(table = table.name(), rows, to = %format!("bronze/{}", table.path()), seconds = started.elapsed().as_secs_f64(), "copied");
    Ok(rows)
}

/// Writes the batches `rx` receives to `bronze/<table>/<table>.parquet` as one multipart
/// upload; returns the writer unclosed, so the caller completes the upload only once the
/// reader has said every row was read.
async fn write_parquet(
    mut rx: mpsc::Receiver<RecordBatch>,
    table: Copied,
    store: Arc<dyn ObjectStore>,
    prefix: &str,
) -> Result<AsyncArrowWriter<BufWriter>, CopyError> {
    let path = format!("{prefix}{}", table.path());
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(1 << 20))
        .build();
    let object = BufWriter::new(store, object_store::path::Path::from(path.as_str()));
    let fail = |source| CopyError::Write {
        path: table.path(),
        source,
    };
    let mut writer = AsyncArrowWriter::try_new(object, table.schema(), Some(props)).map_err(fail)?;
    let progress = Progress::start(table.name(), None, Duration::from_secs(5));
    while let Some(batch) = rx.recv().await {
        writer.write(&batch).await.map_err(fail)?;
        progress.add(batch.num_rows() as u64);
    }
    Ok(writer)
}

/// Reads `table` from SQL Server a row at a time into batches sent to the writer.
async fn read_mssql(
    tables: &MssqlTables,
    table: Copied,
    batch_rows: usize,
    tx: mpsc::Sender<RecordBatch>,
) -> Result<u64, CopyError> {
    let read = |message: String| CopyError::Read {
        table: table.name(),
        message,
    };
    let mut batch = Batch::new(table, batch_rows);
    let mut total = 0u64;
    let mut failed: Option<CopyError> = None;
    let sql = table.select("dbo.");
    let streamed = tables
        .select_each(&sql, async |row| {
            if let Err(e) = batch.push_mssql(&row) {
                failed = Some(read(e));
                return false;
            }
            if batch.len < batch_rows {
                return true;
            }
            let full = std::mem::replace(&mut batch, Batch::new(table, batch_rows));
            total += full.len as u64;
            match full.finish() {
                Ok(b) => tx.send(b).await.is_ok(),
                Err(e) => {
                    failed = Some(read(e.to_string()));
                    false
                }
            }
        })
        .await;
    streamed.map_err(|e| read(e.to_string()))?;
    if let Some(e) = failed {
        return Err(e);
    }
    if batch.len > 0 {
        total += batch.len as u64;
        let last = batch.finish().map_err(|e| read(e.to_string()))?;
        let _ = tx.send(last).await; // a closed channel: the writer failed and says why
    }
    Ok(total)
}

fn read_sqlite(
    db: &Path,
    table: Copied,
    batch_rows: usize,
    tx: &mpsc::Sender<RecordBatch>,
) -> Result<u64, CopyError> {
    let read = |message: String| CopyError::Read {
        table: table.name(),
        message,
    };
    let conn = rusqlite::Connection::open_with_flags(
        db,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|source| CopyError::Open {
        path: db.display().to_string(),
        source,
    })?;
    let mut stmt = conn.prepare(&table.select("")).map_err(|e| read(e.to_string()))?;
    let mut rows = stmt.query([]).map_err(|e| read(e.to_string()))?;
    let mut batch = Batch::new(table, batch_rows);
    let mut total = 0u64;
    loop {
        let row = rows.next().map_err(|e| read(e.to_string()))?;
        let done = match row {
            Some(row) => {
                batch.push(row).map_err(read)?;
                false
            }
            None => true,
        };
        if batch.len >= batch_rows || (done && batch.len > 0) {
            let full = std::mem::replace(&mut batch, Batch::new(table, batch_rows));
            total += full.len as u64;
            let out = full.finish().map_err(|e| read(e.to_string()))?;
            if tx.blocking_send(out).is_err() {
                break; // the writer failed and said why
            }
        }
        if done {
            break;
        }
    }
    Ok(total)
}

/// Rows of one table being gathered into a record batch.
struct Batch {
    table: Copied,
    len: usize,
    a: Int64Builder,
    b: Int64Builder,
    c: Int64Builder,
    row_id: Int32Builder,
    date: TimestampMicrosecondBuilder,
    value: Float64Builder,
}

impl Batch {
    fn new(table: Copied, capacity: usize) -> Batch {
        Batch {
            table,
            len: 0,
            a: Int64Builder::with_capacity(capacity),
            b: Int64Builder::with_capacity(capacity),
            c: Int64Builder::with_capacity(capacity),
            row_id: Int32Builder::with_capacity(capacity),
            date: TimestampMicrosecondBuilder::with_capacity(capacity),
            value: Float64Builder::with_capacity(capacity),
        }
    }

    /// One SQLite row: `orderDate` is text there (`2026-12-01 09:51:00.123`).
    fn push(&mut self, row: &rusqlite::Row<'_>) -> Result<(), String> {
        let int = |i: usize| row.get::<_, i64>(i).map_err(|e| e.to_string());
        let key = int(0)?;
        let at = |e: String| format!("row with orderId {key}: {e}");
        match self.table {
            Copied::Orders => {
                let text: String = row.get(2).map_err(|e| at(e.to_string()))?;
                let date = chrono::NaiveDateTime::parse_from_str(&text, "%Y-%m-%d %H:%M:%S%.f")
                    .map_err(|e| at(format!("orderDate {text:?}: {e}")))?;
                let user = int(1).map_err(at)?;
                let value = row.get::<_, f64>(3).map_err(|e| at(e.to_string()))?;
                self.order(key, user, date, value);
            }
            Copied::Items => {
                let row_id = row.get::<_, i32>(1).map_err(|e| at(e.to_string()))?;
                let product = int(2).map_err(at)?;
                self.item(key, row_id, product);
            }
        }
        Ok(())
    }

    /// One SQL Server row: `int` ids, `datetime2`, `float`.
    fn push_mssql(&mut self, row: &tiberius::Row) -> Result<(), String> {
        fn get<'a, T: tiberius::FromSql<'a>>(row: &'a tiberius::Row, i: usize) -> Result<T, String> {
            row.try_get::<T, _>(i)
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("column {i} is NULL"))
        }
        let key: i32 = get(row, 0)?;
        let at = |e: String| format!("row with orderId {key}: {e}");
        match self.table {
            Copied::Orders => {
                let user: i32 = get(row, 1).map_err(at)?;
                let date: chrono::NaiveDateTime = get(row, 2).map_err(at)?;
                let value: f64 = get(row, 3).map_err(at)?;
                self.order(i64::from(key), i64::from(user), date, value);
            }
            Copied::Items => {
                let row_id: i32 = get(row, 1).map_err(at)?;
                let product: i32 = get(row, 2).map_err(at)?;
                self.item(i64::from(key), row_id, i64::from(product));
            }
        }
        Ok(())
    }

    fn order(&mut self, id: i64, user: i64, date: chrono::NaiveDateTime, value: f64) {
        self.a.append_value(id);
        self.b.append_value(user);
        self.date.append_value(date.and_utc().timestamp_micros());
        self.value.append_value(value);
        self.len += 1;
    }

    fn item(&mut self, order: i64, row_id: i32, product: i64) {
        self.a.append_value(order);
        self.row_id.append_value(row_id);
        self.c.append_value(product);
        self.len += 1;
    }

    fn finish(mut self) -> Result<RecordBatch, arrow::error::ArrowError> {
        let columns: Vec<ArrayRef> = match self.table {
            Copied::Orders => vec![
                Arc::new(self.a.finish()),
                Arc::new(self.b.finish()),
                Arc::new(self.date.finish()),
                Arc::new(self.value.finish()),
            ],
            Copied::Items => vec![
                Arc::new(self.a.finish()),
                Arc::new(self.row_id.finish()),
                Arc::new(self.c.finish()),
            ],
        };
        RecordBatch::try_new(self.table.schema(), columns)
    }
}
