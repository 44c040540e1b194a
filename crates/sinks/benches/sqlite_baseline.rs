//! SQLite alone, as the baseline for the table pipeline: the rows of 1 million orders (about
//! 4.6 million rows), generated beforehand, inserted with one prepared statement in one
//! transaction per table, into a file in a temporary directory.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a bench: a panic is a failed run

use std::time::Instant;

use playground_model::{OrderGenerator, OrdersConfig};
use rusqlite::{Connection, params};

fn main() {
    let orders_n: u64 = std::env::var("BENCH_ORDERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let g = OrderGenerator::new(OrdersConfig::new(42, 10_000, 1000));
    let orders: Vec<_> = g.orders(0..orders_n).collect();
    let mut items = Vec::new();
    for i in 0..orders_n {
        g.items_into(i, &mut items);
    }
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
    let start = Instant::now();
    let tx = db.transaction().unwrap();
    {
        let mut stmt = tx.prepare("INSERT INTO orders VALUES (?1, ?2, ?3, ?4)").unwrap();
        for (o, d) in orders.iter().zip(&dates) {
            stmt.execute(params![o.order_id as i64, o.user_id as i64, d, o.order_value])
                .unwrap();
        }
        let mut stmt = tx.prepare("INSERT INTO items VALUES (?1, ?2, ?3)").unwrap();
        for i in &items {
            stmt.execute(params![i.order_id as i64, i.row_id, i.product_id as i64])
                .unwrap();
        }
    }
    tx.commit().unwrap();
    let secs = start.elapsed().as_secs_f64();
    let rows = orders.len() + items.len();
    println!(
        "{{\"sqlite_rows_per_s\": {:.0}, \"rows\": {rows}}}",
        rows as f64 / secs
    );
}
