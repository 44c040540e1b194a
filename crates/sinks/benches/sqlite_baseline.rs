//! SQLite alone, as the baseline for the table pipeline: the rows of 1 million orders (about
//! 4.6 million rows), generated beforehand, inserted in one transaction into a file in a
//! temporary directory by the fastest statements we know, the ones the SQLite backend uses:
//! prepared inserts of `ROWS_PER_INSERT` rows each, and the rest one by one. The generation
//! is timed on its own as well: on one core the services do both, so generation + SQLite
//! alone is the most they can reach there (issue 18). Each phase reports wall time and
//! CPU-seconds (user + sys of this process): pinned to one core, wall time also holds the
//! waits for the disk, which are no CPU's work.
//!
//! `BENCH_ROWS_PER_STATEMENT=1` inserts one row per statement instead: SQLite alone as issue
//! 18 measured it when it set its targets (about 2.1 M rows/s then), before the backend
//! learned many-row statements.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a bench: a panic is a failed run

use std::time::Instant;

use playground_model::{OrderGenerator, OrdersConfig};
use playground_sinks::table::sqlite::{ROWS_PER_INSERT, insert_sql};
use rusqlite::types::ToSqlOutput;
use rusqlite::{Connection, Transaction};

/// Inserts `rows` of `columns` into `table`, `per` to a statement and the rest one by one;
/// `values(row)` gives a row's columns.
fn insert<T, const C: usize>(
    tx: &Transaction<'_>,
    per: usize,
    table: &str,
    columns: [&str; C],
    rows: &[T],
    values: impl Fn(&T) -> [ToSqlOutput<'_>; C],
) {
    let mut groups = rows.chunks_exact(per);
    let mut many = tx.prepare(&insert_sql(table, &columns, per)).unwrap();
    for group in &mut groups {
        for (n, row) in group.iter().enumerate() {
            for (c, v) in values(row).into_iter().enumerate() {
                many.raw_bind_parameter(n * C + c + 1, v).unwrap();
            }
        }
        many.raw_execute().unwrap();
    }
    let mut one = tx.prepare(&insert_sql(table, &columns, 1)).unwrap();
    for row in groups.remainder() {
        for (c, v) in values(row).into_iter().enumerate() {
            one.raw_bind_parameter(c + 1, v).unwrap();
        }
        one.raw_execute().unwrap();
    }
}

/// User + system CPU-seconds of this process so far.
fn cpu_seconds() -> f64 {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    t.tv_sec as f64 + t.tv_nsec as f64 / 1e9
}

/// Wall and CPU time since a start.
struct Clock(Instant, f64);

impl Clock {
    fn start() -> Clock {
        Clock(Instant::now(), cpu_seconds())
    }
    /// (wall seconds, CPU-seconds) since the start.
    fn read(&self) -> (f64, f64) {
        (self.0.elapsed().as_secs_f64(), cpu_seconds() - self.1)
    }
}

fn main() {
    let orders_n: u64 = std::env::var("BENCH_ORDERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let per: usize = std::env::var("BENCH_ROWS_PER_STATEMENT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(ROWS_PER_INSERT)
        .max(1);
    let g = OrderGenerator::new(OrdersConfig::new(42, 10_000, 1000));
    let generating = Clock::start();
    let orders: Vec<_> = g.orders(0..orders_n).collect();
    let (generate_orders, generate_orders_cpu) = generating.read();
    let generating = Clock::start();
    let mut items = Vec::new();
    for i in 0..orders_n {
        g.items_into(i, &mut items);
    }
    let (generate_items, generate_items_cpu) = generating.read();
    let dir = tempfile::tempdir().unwrap();
    let mut db = Connection::open(dir.path().join("baseline.sqlite")).unwrap();
    db.pragma_update(None, "journal_mode", "WAL").unwrap();
    db.pragma_update(None, "synchronous", "NORMAL").unwrap();
    db.execute_batch(
        "CREATE TABLE orders (orderId INTEGER PRIMARY KEY, userId INTEGER NOT NULL, orderDate TEXT NOT NULL, orderValue REAL NOT NULL);
         CREATE TABLE items (orderId INTEGER NOT NULL, rowId INTEGER NOT NULL, productId INTEGER NOT NULL, PRIMARY KEY (orderId, rowId)) WITHOUT ROWID;",
    )
    .unwrap();
    let dates: Vec<String> = orders
        .iter()
        .map(|o| o.order_date.format("%Y-%m-%d %H:%M:%S").to_string())
        .collect();
    let order_rows: Vec<_> = orders.iter().zip(&dates).collect();
    let start = Clock::start();
    let tx = db.transaction().unwrap();
    insert(
        &tx,
        per,
        "orders",
        ["orderId", "userId", "orderDate", "orderValue"],
        &order_rows,
        |(o, d)| {
            [
                (o.order_id as i64).into(),
                (o.user_id as i64).into(),
                d.as_str().into(),
                o.order_value.into(),
            ]
        },
    );
    let (orders_done, _) = start.read();
    insert(
        &tx,
        per,
        "items",
        ["orderId", "rowId", "productId"],
        &items,
        |i| {
            [
                (i.order_id as i64).into(),
                i.row_id.into(),
                (i.product_id as i64).into(),
            ]
        },
    );
    tx.commit().unwrap();
    let (secs, cpu) = start.read();
    let rows = orders.len() + items.len();
    // Orders' inserts end where items' begin; the one commit is charged to items.
    println!(
        "{{\"rows_per_statement\": {per}, \"sqlite_rows_per_s\": {:.0}, \"sqlite_rows_per_cpu_s\": {:.0}, \"rows\": {rows}, \"orders_insert_s\": {orders_done:.3}, \"items_insert_s\": {:.3}, \"insert_cpu_s\": {cpu:.3}, \"generate_orders_s\": {generate_orders:.3}, \"generate_items_s\": {generate_items:.3}, \"generate_cpu_s\": {:.3}}}",
        rows as f64 / secs,
        rows as f64 / cpu,
        secs - orders_done,
        generate_orders_cpu + generate_items_cpu
    );
}
