//! Rows/s through the SQL Server backend into the TDS test peer: the client-side ceiling of
//! bulk loading (tiberius encoding, the pool, parallel chunks), with the peer decoding on the
//! same machine. Not a SQL Server benchmark: the peer stores rows in memory.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a bench: a panic is a failed run

use std::sync::Arc;
use std::time::Instant;

use playground_model::{OrderGenerator, OrdersConfig};
use playground_sinks::table::mssql::MssqlTables;
use playground_sinks::table::{MssqlAuth, MssqlTarget};
use playground_sinks::table::{Rows, Table, TableSink};
use playground_tds_peer::TdsPeer;

#[tokio::main]
async fn main() {
    let orders_n: u64 = std::env::var("BENCH_ORDERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200_000);
    let peer = TdsPeer::start("bench", "bench-password").await.unwrap();
    let target = MssqlTarget {
        host: "127.0.0.1".into(),
        port: peer.addr().port(),
        database: "orders".into(),
        auth: MssqlAuth::Sql {
            user: "bench".into(),
            password: "bench-password".into(),
        },
        encrypt: false,
        trust_cert: false,
        connections: 4,
        setting: "THE_SETTING",
    };
    let tables = Arc::new(MssqlTables::open(&target).await.unwrap());
    tables.ensure(Table::Items).await.unwrap();
    let g = OrderGenerator::new(OrdersConfig::new(42, 10_000, 1000));
    let chunk = 10_000u64;
    let chunks: Vec<Rows> = (0..orders_n)
        .step_by(chunk as usize)
        .map(|s| {
            let mut rows = Vec::new();
            for i in s..(s + chunk).min(orders_n) {
                g.items_into(i, &mut rows);
            }
            Rows::Items(rows)
        })
        .collect();
    let rows: usize = chunks.iter().map(Rows::len).sum();
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::<Result<(), playground_sinks::SinkError>>::new();
    for c in chunks {
        while tasks.len() >= tables.parallelism() {
            tasks.join_next().await.unwrap().unwrap().unwrap();
        }
        let t = tables.clone();
        tasks.spawn(async move { t.write(c).await });
    }
    while let Some(r) = tasks.join_next().await {
        r.unwrap().unwrap();
    }
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(peer.rows("items").len(), rows, "every row arrived");
    println!(
        "{{\"peer_rows_per_s\": {:.0}, \"rows\": {rows}}}",
        rows as f64 / secs
    );
}
