//! The items service against the TDS test peer with the real `tiberius` client: the rows
//! equal the model's (three int columns), also when a bulk load is cut off in the middle.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failed test

use playground_model::{OrderGenerator, OrdersConfig};
use playground_tds_peer::{TdsPeer, Value};
use playground_testkit::Playground;

const BIN: &str = env!("CARGO_BIN_EXE_playground-items");

#[test]
fn items_arrive_exactly_once_even_when_a_bulk_load_is_cut() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let peer = rt.block_on(TdsPeer::start("sa", "Items-Secret-7")).unwrap();
    peer.drop_next_bulk_after(1000);
    let pg = Playground::new(BIN);
    let server = format!("127.0.0.1:{}", peer.addr().port());
    let out = pg.run(&[
        ("SQL_SERVER", &server),
        ("SQL_USER", "sa"),
        ("SQL_PASSWORD", "Items-Secret-7"),
        ("SQL_ENCRYPT", "false"),
        ("ORDERS_COUNT", "5000"),
        ("PRODUCTS_COUNT", "300"),
        ("CHUNK_ORDERS", "1000"),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut got = peer.rows("items");
    got.sort_by_key(|r| match (&r[0], &r[1]) {
        (Value::Int(o), Value::Int(k)) => (*o, *k),
        _ => (-1, -1),
    });
    let g = OrderGenerator::new(OrdersConfig::new(42, 0, 300));
    let expected: Vec<Vec<Value>> = g
        .items(0..5000)
        .map(|i| {
            vec![
                Value::Int(i.order_id as i64),
                Value::Int(i.row_id as i64),
                Value::Int(i.product_id as i64),
            ]
        })
        .collect();
    assert_eq!(got.len(), expected.len(), "every item exactly once");
    assert!(got == expected, "the rows received differ from the model");
}
