//! Issue 17: the silver job against what the services and the analytics job really wrote,
//! checked by `playground-verify` against the answer keys: every silver table equal to its
//! key; a second run leaves the same tables; a kill -9 mid-write leaves a Delta log with no
//! half-written version, and a restart the tables of a clean run; bad settings exit 2 naming
//! the variable.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failed test

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use playground_testkit::assert_bad_settings;

const BIN: &str = env!("CARGO_BIN_EXE_playground-silver");

/// A sibling binary of the workspace (`target/debug/playground-<name>`).
fn sibling(name: &str) -> PathBuf {
    let bin = Path::new(BIN)
        .parent()
        .unwrap()
        .join(format!("playground-{name}"));
    assert!(
        bin.exists(),
        "{} is missing: run the tests with `cargo test --workspace` (it builds every service)",
        bin.display()
    );
    bin
}

/// The settings every service of one world shares: 29 minutes of streams, whole 5-minute
/// windows inside.
fn world(orders: u64) -> Vec<(&'static str, String)> {
    vec![
        ("SEED", "11".into()),
        ("USERS_COUNT", "400".into()),
        ("PRODUCTS_COUNT", "60".into()),
        ("VIP_COUNT", "40".into()),
        ("ORDERS_COUNT", orders.to_string()),
        ("SESSIONS_PER_SECOND", "3".into()),
        ("LATE_FRACTION", "0".into()),
        ("DUPLICATE_FRACTION", "0".into()),
        ("REPLAY_FROM", "2026-12-01T09:51:00Z".into()),
        ("REPLAY_UNTIL", "2026-12-01T10:20:00Z".into()),
        ("LOG_FORMAT", "json".into()),
    ]
}

fn command(bin: &Path, data: &Path, vars: &[(&str, String)]) -> Command {
    let mut cmd = Command::new(bin);
    cmd.env_clear()
        .env("PLAYGROUND_DATA", data)
        .env("TMPDIR", std::env::temp_dir())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in vars {
        cmd.env(k, v);
    }
    cmd
}

fn run(bin: &Path, data: &Path, vars: &[(&str, String)]) -> Output {
    command(bin, data, vars).output().unwrap()
}

fn run_ok(bin: &Path, data: &Path, vars: &[(&str, String)]) -> String {
    let out = run(bin, data, vars);
    let text = String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{} exited {}:\n{text}",
        bin.display(),
        out.status
    );
    text
}

/// Every generator, then the analytics job over the replayed streams: the bronze the
/// notebook reads.
fn write_world(data: &Path, orders: u64, extra: &[(&'static str, String)]) {
    let mut vars = world(orders);
    vars.extend_from_slice(extra);
    for (service, count) in [
        ("users", "400"),
        ("products", "60"),
        ("orders", &*orders.to_string()),
        ("items", &*orders.to_string()),
    ] {
        let mut v = vars.clone();
        v.push(("COUNT", count.to_owned()));
        run_ok(&sibling(service), data, &v);
    }
    for stream in ["pageviews", "stars"] {
        run_ok(&sibling(stream), data, &vars);
    }
    let mut job = vars.clone();
    job.push(("EXIT_WHEN_CAUGHT_UP", "true".into()));
    run_ok(&sibling("analytics"), data, &job);
}

/// The verifier's JSON report; asserts it exits `code`.
fn verify(data: &Path, orders: u64, extra: &[(&'static str, String)], code: i32) -> serde_json::Value {
    let mut vars = world(orders);
    vars.extend_from_slice(extra);
    let out = command(&sibling("verify"), data, &vars)
        .arg("--json")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        out.status.code(),
        Some(code),
        "playground-verify:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(&stdout).unwrap()
}

/// Asserts every silver table the verifier checks is `ok` and holds every expected row.
fn assert_tables_exact(report: &serde_json::Value) {
    for t in report["tables"].as_array().unwrap() {
        assert_eq!(t["status"], "ok", "{t:#}");
        assert!(t["expected"].as_u64().unwrap() > 0, "{t:#}");
        assert_eq!(t["expected"], t["found"], "{t:#}");
    }
    let names: Vec<&str> = report["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["table"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["tables/users", "tables/products", "tables/orders", "tables/items"]
    );
    for name in ["tables/pageviews", "tables/stars"] {
        let o = report["outputs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["output"] == name)
            .unwrap();
        assert_eq!(o["status"], "ok", "{o:#}");
        assert!(
            o["expected"].as_u64().unwrap() > 0 && o["expected"] == o["found"],
            "{o:#}"
        );
    }
}

fn lake(data: &Path) -> PathBuf {
    data.join("lake")
}

/// Every commit of every silver table's Delta log, checked whole: each line one JSON action.
/// Returns the number of commits per table.
fn delta_logs(data: &Path) -> Vec<(String, usize)> {
    let tables = lake(data).join("silver/tables");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&tables).unwrap() {
        let dir = entry.unwrap().path();
        let mut commits = 0;
        if !dir.join("_delta_log").exists() {
            // Killed before its first commit: a folder, maybe data files, no table yet.
            out.push((dir.file_name().unwrap().to_string_lossy().into_owned(), 0));
            continue;
        }
        for file in std::fs::read_dir(dir.join("_delta_log")).unwrap() {
            let file = file.unwrap().path();
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            if name.ends_with(".json") && !name.starts_with('.') {
                let text = std::fs::read_to_string(&file).unwrap();
                assert!(!text.trim().is_empty(), "{} is empty", file.display());
                for line in text.lines() {
                    serde_json::from_str::<serde_json::Value>(line).unwrap_or_else(|e| {
                        panic!("{}: a half-written action ({e}): {line}", file.display())
                    });
                }
                assert!(text.contains("\"commitInfo\""), "{}", file.display());
                commits += 1;
            }
        }
        out.push((dir.file_name().unwrap().to_string_lossy().into_owned(), commits));
    }
    out.sort();
    out
}

fn silver(data: &Path, orders: u64, extra: &[(&'static str, String)]) -> String {
    let mut vars = world(orders);
    vars.extend_from_slice(extra);
    run_ok(Path::new(BIN), data, &vars)
}

#[test]
fn the_silver_tables_equal_the_answer_keys_and_a_second_run_leaves_them_so() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    write_world(&data, 3000, &[]);
    let logs = silver(&data, 3000, &[]);
    assert!(logs.contains("silver table written"), "{logs}");
    let first = verify(&data, 3000, &[], 0);
    assert_tables_exact(&first);
    let versions = delta_logs(&data);
    assert_eq!(
        versions.iter().map(|(t, _)| t.as_str()).collect::<Vec<_>>(),
        [
            "items",
            "latency_alerts_users",
            "orders",
            "pageviews",
            "products",
            "stars",
            "users"
        ]
    );
    assert!(versions.iter().all(|(_, n)| *n == 1), "{versions:?}");
    // The bronze copies are where Data Factory writes them.
    for t in ["orders/orders.parquet", "items/items.parquet"] {
        assert!(lake(&data).join("bronze").join(t).is_file(), "{t}");
    }
    // Again: a new version of every table with the same rows.
    silver(&data, 3000, &[]);
    let second = verify(&data, 3000, &[], 0);
    assert_tables_exact(&second);
    assert_eq!(first["tables"], second["tables"]);
    assert!(delta_logs(&data).iter().all(|(_, n)| *n == 2));
    // The query subcommand reads the tables: VIPs and the join's users.
    let out = command(Path::new(BIN), &data, &world(3000))
        .args(["query", "SELECT count(*) AS vips FROM users WHERE is_vip"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("| 40"),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_kill_9_mid_write_then_a_restart_leaves_the_tables_of_a_clean_run() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let orders = 60_000;
    write_world(&data, orders, &[]);
    let mut vars = world(orders);
    vars.push(("SILVER_COPY_BATCH_ROWS", "5000".into()));
    // Each kill lands in a different step, whatever the machine's speed: right after the
    // log line that starts it (the copy of items, the users table, the orders table, the
    // pageviews table, the last table).
    let mut killed_mid_run = 0;
    for after in [
        r#""message":"copied","table":"orders""#,
        r#""message":"copied","table":"items""#,
        r#""table":"users","version""#,
        r#""table":"items","version""#,
        r#""table":"stars","version""#,
    ] {
        let mut child = command(Path::new(BIN), &data, &vars).spawn().unwrap();
        let stderr = std::io::BufReader::new(child.stderr.take().unwrap());
        let mut seen = false;
        for line in std::io::BufRead::lines(stderr) {
            if line.unwrap().contains(after) {
                seen = true;
                break;
            }
        }
        assert!(seen, "the job never logged {after}");
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL
            killed_mid_run += 1;
        }
        child.wait().unwrap();
        if lake(&data).join("silver/tables").exists() {
            delta_logs(&data); // every commit whole
        }
    }
    assert!(
        killed_mid_run >= 4,
        "the job finished before most kills ({killed_mid_run} of 5 landed mid-run)"
    );
    run_ok(Path::new(BIN), &data, &vars);
    delta_logs(&data);
    assert_tables_exact(&verify(&data, orders, &[], 0));
}

#[test]
fn on_azurite_the_copy_and_the_tables_go_to_the_lake_and_equal_the_answer_keys() {
    let azurite = playground_testkit::Azurite::start();
    let lake_vars = vec![("STORAGE_CONNECTION_STRING", azurite.connection_string())];
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    write_world(&data, 2000, &lake_vars);
    let logs = silver(&data, 2000, &lake_vars);
    assert!(
        !logs.contains(playground_testkit::AZURITE_KEY),
        "the account key is never logged"
    );
    assert!(
        !lake(&data).exists(),
        "nothing in the directory lake: everything went to Azurite"
    );
    let report = verify(&data, 2000, &lake_vars, 0);
    assert_tables_exact(&report);
    // Again, through the same account: the same tables.
    silver(&data, 2000, &lake_vars);
    assert_eq!(verify(&data, 2000, &lake_vars, 0)["tables"], report["tables"]);
}

#[test]
fn from_sql_server_the_copy_reads_the_tables_and_the_tables_equal_the_answer_keys() {
    const PASSWORD: &str = "Silver-Secret-42";
    let rt = tokio::runtime::Runtime::new().unwrap();
    let peer = rt
        .block_on(playground_tds_peer::TdsPeer::start("playground", PASSWORD))
        .unwrap();
    let sql = vec![
        ("SQL_SERVER", format!("127.0.0.1,{}", peer.addr().port())),
        ("SQL_DATABASE", "orders".into()),
        ("SQL_USER", "playground".into()),
        ("SQL_PASSWORD", PASSWORD.into()),
        ("SQL_ENCRYPT", "false".into()),
    ];
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    write_world(&data, 2500, &sql);
    assert!(
        !data.join("orders.sqlite").exists(),
        "the orders went to SQL Server"
    );
    assert_eq!(peer.rows("orders").len(), 2500);
    let logs = silver(&data, 2500, &sql);
    assert!(!logs.contains(PASSWORD), "the password is never logged");
    assert!(
        peer.batches()
            .iter()
            .any(|b| b.starts_with("SELECT orderId, rowId, productId FROM dbo.items"))
    );
    assert_tables_exact(&verify(&data, 2500, &[], 0));
}

#[test]
fn bad_settings_exit_2_naming_the_variable() {
    assert_bad_settings(
        BIN,
        &[
            (&[("SILVER_MEMORY_MB", "lots")], "SILVER_MEMORY_MB"),
            (&[("SILVER_MEMORY_MB", "0")], "SILVER_MEMORY_MB"),
            (&[("SILVER_PARTITIONS", "0")], "SILVER_PARTITIONS"),
            (&[("SILVER_COPY", "maybe")], "SILVER_COPY"),
            (&[("SILVER_COPY_BATCH_ROWS", "-1")], "SILVER_COPY_BATCH_ROWS"),
            (&[("LAKE_URL", "ftp://example.com/x")], "LAKE_URL"),
            // Nothing listens there: the copy cannot start, naming the setting.
            (
                &[
                    ("SQL_SERVER", "127.0.0.1,9"),
                    ("SQL_USER", "sa"),
                    ("SQL_PASSWORD", "x"),
                    ("SQL_ENCRYPT", "false"),
                ],
                "SQL_SERVER",
            ),
        ],
    );
}

#[test]
fn without_the_table_store_it_exits_1_naming_it_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let out = run(Path::new(BIN), &data, &[]);
    let text = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("orders.sqlite") && text.contains("playground-orders"),
        "{text}"
    );
    assert!(!lake(&data).join("silver/tables").exists());
    assert!(!lake(&data).join("bronze/orders/orders.parquet").exists());
}
