//! SQLite alone, as the baseline for the table pipeline: the rows of 1 million orders (about
//! 4.6 million rows), generated beforehand, inserted in one transaction into a file in a
//! temporary directory by the fastest statements we know, the ones the SQLite backend uses:
//! prepared inserts of `ROWS_PER_INSERT` rows each, and the rest one by one. The generation
//! is timed on its own as well: on one core the services do both, so generation + SQLite
//! alone is the most they can reach there (issue 18). The generation is timed on
//! its own as well: on one core the services do both, so generation + SQLite alone is the
//! most they can reach there (issue 18).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a bench: a panic is a failed run

use std::time::Instant;

use playground_model::{OrderGenerator, OrdersConfig};
use playground_sinks::table::sqlite::{ROWS_PER_INSERT, insert_sql};
use rusqlite::types::ToSqlOutput;
use rusqlite::{Connection, Transaction};

/// Inserts `rows` of `columns` into `table`, `ROWS_PER_INSERT` to a statement and the rest
/// one by one; `values(row)` gives a row's columns.
fn insert<T, const C: usize>(
    tx: &Transaction<'_>,
    table: &str,
    columns: [&str; C],
    rows: &[T],
    values: impl Fn(&T) -> [ToSqlOutput<'_>; C],
) {
    let mut groups = rows.chunks_exact(ROWS_PER_INSERT);
    let mut many = tx.prepare(&insert_sql(table, &columns, ROWS_PER_INSERT)).unwrap();
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

fn main() {
    let orders_n: u64 = std::env::var("BENCH_ORDERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let g = OrderGenerator::new(OrdersConfig::new(42, 10_000, 1000));
    let generating = Instant::now();
    let orders: Vec<_> = g.orders(0..orders_n).collect();
    let generate_orders = generating.elapsed().as_secs_f64();
    let generating = Instant::now();
    let mut items = Vec::new();
    for i in 0..orders_n {
        g.items_into(i, &mut items);
    }
    let generate_items = generating.elapsed().as_secs_f64();
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
    let start = Instant::now();
    let tx = db.transaction().unwrap();
    insert(
        &tx,
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
    let orders_done = start.elapsed().as_secs_f64();
    insert(&tx, "items", ["orderId", "rowId", "productId"], &items, |i| {
        [
            (i.order_id as i64).into(),
            i.row_id.into(),
            (i.product_id as i64).into(),
        ]
    });
    tx.commit().unwrap();
    let secs = start.elapsed().as_secs_f64();
    let rows = orders.len() + items.len();
    // Orders' inserts end where items' begin; the one commit is charged to items.
    println!(
        "{{\"sqlite_rows_per_s\": {:.0}, \"rows\": {rows}, \"orders_insert_s\": {orders_done:.3}, \"items_insert_s\": {:.3}, \"generate_orders_s\": {generate_orders:.3}, \"generate_items_s\": {generate_items:.3}}}",
        rows as f64 / secs,
        secs - orders_done
    );
}
