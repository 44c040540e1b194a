//! `MssqlTables::select_each` against the TDS test peer with the real `tiberius` client: a
//! reader that stops early (the silver copy, on a row it cannot convert) gives the pool back a
//! connection with the rest of its result unread. The next query on it must still get its own
//! rows: tiberius reads what is left of a response before it sends the next request
//! (`flush_stream`), and this holds us to that if the client or the pool ever changes.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failed test

use playground_model::{OrderGenerator, OrdersConfig};
use playground_sinks::table::mssql::MssqlTables;
use playground_sinks::table::{MssqlAuth, MssqlTarget, Rows, Table, TableSink};
use playground_tds_peer::TdsPeer;

const PASSWORD: &str = "Playground-Secret-42";

#[tokio::test]
async fn a_reader_that_stops_early_leaves_the_next_query_its_own_rows() {
    let peer = TdsPeer::start("playground", PASSWORD).await.unwrap();
    let tables = MssqlTables::open(&MssqlTarget {
        host: "127.0.0.1".into(),
        port: peer.addr().port(),
        database: "orders".into(),
        auth: MssqlAuth::Sql {
            user: "playground".into(),
            password: PASSWORD.into(),
        },
        encrypt: false,
        trust_cert: false,
        // One pooled connection: the next query gets the one the early stop gave back.
        connections: 1,
        setting: "SQL_SERVER",
    })
    .await
    .unwrap();
    tables.ensure(Table::Orders).await.unwrap();
    let g = OrderGenerator::new(OrdersConfig::new(7, 100, 10));
    let n = 2_000u64;
    tables
        .write(Rows::Orders(g.orders(0..n).collect()))
        .await
        .unwrap();

    let sql = "SELECT orderId FROM dbo.orders ORDER BY orderId";
    let handed = tables.select_each(sql, async |_| false).await.unwrap();
    assert_eq!(handed, 1, "the reader stops after the first row");

    // The whole table, read again on the pool's only connection.
    let mut ids = Vec::new();
    let count = tables
        .select_each(sql, async |row| {
            ids.push(row.get::<i32, _>(0).expect("orderId") as u64);
            true
        })
        .await
        .unwrap();
    assert_eq!(count, n);
    assert_eq!(ids, (0..n).collect::<Vec<_>>());
    // And the pool's other queries still answer their own question.
    assert_eq!(
        tables.present(Table::Orders, 0..n + 10).await.unwrap(),
        vec![0..n]
    );
}
