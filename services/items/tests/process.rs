//! The items service as a process against SQLite: rows equal to the model, keys valid, a kill
//! mid-run and a restart with no gaps or duplicates, and bad settings.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failed test

use std::time::Duration;

use playground_model::{OrderGenerator, OrdersConfig};
use playground_testkit::Playground;
use rusqlite::Connection;

const BIN: &str = env!("CARGO_BIN_EXE_playground-items");

fn rows(pg: &Playground) -> Vec<(u64, u32, u64)> {
    let db = Connection::open(pg.data().join("orders.sqlite")).unwrap();
    let mut stmt = db
        .prepare("SELECT orderId, rowId, productId FROM items ORDER BY orderId, rowId")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn expected(seed: u64, products: u64, orders: u64) -> Vec<(u64, u32, u64)> {
    let g = OrderGenerator::new(OrdersConfig::new(seed, 0, products));
    g.items(0..orders)
        .map(|i| (i.order_id, i.row_id, i.product_id))
        .collect()
}

#[test]
fn writes_the_models_items_for_every_order() {
    let pg = Playground::new(BIN);
    pg.run_ok(&[
        ("SEED", "9"),
        ("ORDERS_COUNT", "3000"),
        ("PRODUCTS_COUNT", "50"),
        ("CHUNK_ORDERS", "400"),
    ]);
    let got = rows(&pg);
    assert!(got == expected(9, 50, 3000), "items differ from the model");
    let orders: std::collections::BTreeSet<u64> = got.iter().map(|r| r.0).collect();
    assert_eq!(orders.len(), 3000, "every order has items");
    assert!(got.iter().all(|r| r.2 < 50));
}

#[test]
fn a_kill_mid_run_then_a_restart_leaves_no_gap_and_no_duplicate() {
    let pg = Playground::new(BIN);
    let vars = [("ORDERS_COUNT", "200000"), ("CHUNK_ORDERS", "2000")];
    let db = pg.data().join("orders.sqlite");
    pg.kill_when(&vars, Duration::from_secs(120), || {
        Connection::open(&db)
            .and_then(|c| {
                c.query_row("SELECT count(DISTINCT orderId) FROM items", [], |r| {
                    r.get::<_, i64>(0)
                })
            })
            .map(|n| n >= 10_000)
            .unwrap_or(false)
    });
    let logs = pg.run_ok(&vars);
    let done = playground_testkit::log_with(&logs, "done: items");
    assert!(done["chunks_skipped"].as_u64().unwrap() >= 5, "{done}");
    assert!(
        rows(&pg) == expected(42, 1000, 200_000),
        "after the restart the table differs from the model"
    );
}

#[test]
fn bad_settings_exit_2() {
    playground_testkit::assert_bad_settings(
        BIN,
        &[
            (
                &[("PRODUCTS_COUNT", "10"), ("PRODUCT_MAX_ID", "11")],
                "PRODUCTS_COUNT/PRODUCT_MAX_ID",
            ),
            (&[("PRODUCTS_COUNT", "0")], "PRODUCTS_COUNT"),
            (&[("ORDERS_COUNT", "x")], "ORDERS_COUNT"),
            // Issue 14: ids above i64::MAX landed in the table negative.
            (&[("PRODUCTS_COUNT", "9223372036854775808")], "PRODUCTS_COUNT"),
            (&[("PRODUCT_MAX_ID", "2147483649")], "PRODUCTS_COUNT"),
        ],
    );
}

#[test]
fn help_lists_every_setting_and_the_readme_documents_them() {
    let readme = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
    playground_testkit::assert_readme_documents(BIN, "items", &readme);
}

/// Issue 14: items exited 0 on SIGTERM with the table incomplete.
#[test]
fn sigterm_before_the_end_exits_143() {
    let pg = Playground::new(BIN);
    playground_testkit::assert_sigterm_contract(
        &pg,
        &[("ORDERS_COUNT", "50000000"), ("CHUNK_ORDERS", "5000")],
        Duration::from_millis(1500),
    );
}
