//! The orders service as a process against SQLite: rows equal to the model, shards, a kill
//! mid-run and a restart with no gaps or duplicates, and bad settings.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failed test

use std::time::Duration;

use playground_model::{OrderGenerator, OrdersConfig};
use playground_testkit::Playground;
use rusqlite::Connection;

const BIN: &str = env!("CARGO_BIN_EXE_playground-orders");

type Row = (i64, i64, String, f64);

fn rows(pg: &Playground) -> Vec<Row> {
    let db = Connection::open(pg.data().join("orders.sqlite")).unwrap();
    let mut stmt = db
        .prepare("SELECT orderId, userId, orderDate, orderValue FROM orders ORDER BY orderId")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn expected(seed: u64, users: u64, count: u64) -> Vec<Row> {
    let g = OrderGenerator::new(OrdersConfig::new(seed, users, 0));
    g.orders(0..count)
        .map(|o| {
            let date = o.order_date.format("%Y-%m-%d %H:%M:%S").to_string();
            (o.order_id as i64, o.user_id as i64, date, o.order_value)
        })
        .collect()
}

#[test]
fn writes_the_models_orders() {
    let pg = Playground::new(BIN);
    pg.run_ok(&[
        ("SEED", "5"),
        ("COUNT", "5000"),
        ("USERS_COUNT", "300"),
        ("CHUNK_ORDERS", "700"),
    ]);
    assert!(
        rows(&pg) == expected(5, 300, 5000),
        "orders differ from the model"
    );
    // Run again: every chunk is found, nothing is added.
    let logs = pg.run_ok(&[
        ("SEED", "5"),
        ("COUNT", "5000"),
        ("USERS_COUNT", "300"),
        ("CHUNK_ORDERS", "700"),
    ]);
    let done = playground_testkit::log_with(&logs, "done: orders");
    assert_eq!(done["chunks_written"], 0);
    assert_eq!(rows(&pg).len(), 5000);
}

#[test]
fn shards_fill_the_table_together() {
    let pg = Playground::new(BIN);
    for shard in ["2/3", "0/3", "1/3"] {
        pg.run_ok(&[("COUNT", "4000"), ("SHARD", shard), ("CHUNK_ORDERS", "500")]);
    }
    assert!(rows(&pg) == expected(42, 10_000, 4000));
}

#[test]
fn a_kill_mid_run_then_a_restart_leaves_no_gap_and_no_duplicate() {
    let pg = Playground::new(BIN);
    let vars = [("COUNT", "400000"), ("CHUNK_ORDERS", "5000")];
    let db = pg.data().join("orders.sqlite");
    pg.kill_when(&vars, Duration::from_secs(120), || {
        Connection::open(&db)
            .and_then(|c| c.query_row("SELECT count(*) FROM orders", [], |r| r.get::<_, i64>(0)))
            .map(|n| n >= 20_000)
            .unwrap_or(false)
    });
    let partial = rows(&pg).len();
    assert!(
        partial > 0 && partial < 400_000 && partial.is_multiple_of(5000),
        "whole chunks only: {partial}"
    );
    let logs = pg.run_ok(&vars);
    let done = playground_testkit::log_with(&logs, "done: orders");
    assert!(done["chunks_skipped"].as_u64().unwrap() >= 4, "{done}");
    assert!(
        rows(&pg) == expected(42, 10_000, 400_000),
        "after the restart the table differs from the model"
    );
}

#[test]
fn bad_settings_exit_2() {
    playground_testkit::assert_bad_settings(
        BIN,
        &[
            (
                &[("USERS_COUNT", "10"), ("USER_MAX_ID", "20")],
                "USERS_COUNT/USER_MAX_ID",
            ),
            (&[("USERS_COUNT", "0")], "USERS_COUNT"),
            (&[("COUNT", "3000000000")], "COUNT"),
            (&[("ORDERS_START", "2024-13-01")], "ORDERS_START"),
            (&[("CHUNK_ORDERS", "-5")], "CHUNK_ORDERS"),
            // Issue 14: out of what the sinks can store.
            (&[("USERS_COUNT", "9223372036854775808")], "USERS_COUNT"),
            (&[("USERS_COUNT", "2147483649")], "USERS_COUNT"),
            (&[("ORDERS_START", "0000-06-01")], "ORDERS_START"),
            (&[("ORDERS_START", "-0005-06-01")], "ORDERS_START"),
            (
                &[("ORDERS_START", "9999-12-01"), ("ORDERS_DAYS", "32")],
                "ORDERS_START",
            ),
        ],
    );
    // The Python version's name alone still works.
    // The edges of the allowed ranges are accepted.
    let pg = Playground::new(BIN);
    pg.run_ok(&[
        ("ORDERS_START", "9999-12-01"),
        ("ORDERS_DAYS", "31"),
        ("USERS_COUNT", "2147483648"),
        ("COUNT", "10"),
    ]);
    let pg = Playground::new(BIN);
    pg.run_ok(&[("USER_MAX_ID", "50"), ("COUNT", "100")]);
    assert!(rows(&pg).iter().all(|r| r.1 < 50));
}

#[test]
fn help_lists_every_setting_and_the_readme_documents_them() {
    let readme = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
    playground_testkit::assert_readme_documents(BIN, "orders", &readme);
}

/// Issue 14: a chunk counted as done when any of its rows existed, so a restart with a larger
/// `CHUNK_ORDERS` reported done with rows missing.
#[test]
fn a_restart_with_another_chunk_size_writes_every_missing_row() {
    let pg = Playground::new(BIN);
    let db = pg.data().join("orders.sqlite");
    pg.kill_when(
        &[("COUNT", "200000"), ("CHUNK_ORDERS", "5000")],
        Duration::from_secs(120),
        || {
            Connection::open(&db)
                .and_then(|c| c.query_row("SELECT count(*) FROM orders", [], |r| r.get::<_, i64>(0)))
                .map(|n| n >= 10_000)
                .unwrap_or(false)
        },
    );
    let partial = rows(&pg).len();
    assert!(partial > 0 && partial < 200_000, "{partial}");
    pg.run_ok(&[("COUNT", "200000")]);
    assert!(
        rows(&pg) == expected(42, 10_000, 200_000),
        "after a restart with the default CHUNK_ORDERS the table differs from the model"
    );
}

/// Issue 14: `SHARD=0/3` then `SHARD=0/1` left the other two thirds out.
#[test]
fn a_restart_with_another_shard_layout_writes_every_missing_row() {
    let pg = Playground::new(BIN);
    pg.run_ok(&[("COUNT", "30000"), ("SHARD", "0/3")]);
    assert_eq!(rows(&pg).len(), 10_000);
    pg.run_ok(&[("COUNT", "30000"), ("SHARD", "1/2"), ("CHUNK_ORDERS", "4000")]);
    pg.run_ok(&[("COUNT", "30000")]);
    assert!(rows(&pg) == expected(42, 10_000, 30_000));
}

/// Issue 14: a second instance of one shard on the same database exited 1 with "UNIQUE
/// constraint failed". Rows another writer committed are the same rows, so both succeed.
#[test]
fn two_instances_of_one_shard_both_succeed_and_the_table_equals_one_run() {
    let pg = Playground::new(BIN);
    // Create the database first, so both instances find it.
    pg.run_ok(&[("COUNT", "1")]);
    let a = pg
        .command(&[("COUNT", "150000"), ("CHUNK_ORDERS", "5000")])
        .spawn()
        .unwrap();
    let b = pg
        .command(&[("COUNT", "150000"), ("CHUNK_ORDERS", "7000")])
        .spawn()
        .unwrap();
    for (name, child) in [("first", a), ("second", b)] {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "the {name} instance failed ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(
        rows(&pg) == expected(42, 10_000, 150_000),
        "the table differs from one clean run"
    );
}

/// Issue 14: orders exited 0 ("done ... interrupted=true") on SIGTERM with the table
/// incomplete, so an orchestrator counted it a success.
#[test]
fn sigterm_before_the_end_exits_143_with_whole_chunks() {
    let pg = Playground::new(BIN);
    let vars = [("COUNT", "50000000"), ("CHUNK_ORDERS", "5000")];
    playground_testkit::assert_sigterm_contract(&pg, &vars, Duration::from_millis(1500));
    let partial: i64 = Connection::open(pg.data().join("orders.sqlite"))
        .unwrap()
        .query_row("SELECT count(*) FROM orders", [], |r| r.get(0))
        .unwrap();
    assert!(
        partial < 50_000_000 && partial % 5000 == 0,
        "whole chunks only: {partial}"
    );
}

/// The orders table's key (issue 16) from the rows as SQLite holds them.
fn key_of_table(pg: &Playground) -> playground_model::keys::batch::TableKey {
    let mut key = playground_model::keys::batch::TableKey::default();
    for (id, user, date, value) in rows(pg) {
        let seconds = chrono::NaiveDateTime::parse_from_str(&date, "%Y-%m-%d %H:%M:%S")
            .unwrap()
            .and_utc()
            .timestamp();
        key.add(&[
            ("order_id", id as u64),
            ("user_id", user as u64),
            ("order_date", seconds as u64),
            ("value_cents", playground_model::keys::batch::cents(value)),
        ]);
    }
    key
}

/// Issue 16: the answer key of the orders table equals the table the service wrote, and a
/// table missing one chunk does not match it.
#[test]
fn the_orders_key_matches_the_table_and_not_one_missing_a_chunk() {
    let pg = Playground::new(BIN);
    pg.run_ok(&[
        ("SEED", "5"),
        ("COUNT", "3000"),
        ("USERS_COUNT", "300"),
        ("CHUNK_ORDERS", "700"),
    ]);
    let generator = OrderGenerator::new(OrdersConfig::new(5, 300, 0));
    let (expected, _) = playground_model::keys::batch::orders_and_items(&generator, 3000);
    assert_eq!(key_of_table(&pg), expected);
    Connection::open(pg.data().join("orders.sqlite"))
        .unwrap()
        .execute("DELETE FROM orders WHERE orderId >= 700 AND orderId < 1400", [])
        .unwrap();
    let short = key_of_table(&pg);
    assert_eq!(short.rows, 2300);
    assert_ne!(short.hash, expected.hash);
}
