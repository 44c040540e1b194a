//! What the job's tests share: the other services' binaries (built by `cargo test --workspace`
//! beside this one), a world written by them, and the verifier's verdict on the job's output.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failed test

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_playground-analytics");

/// 76 minutes across two hour boundaries: whole 5-minute windows, the ten minutes of the
/// join, and one whole ISFIRST hour, (10:00, 11:00].
pub const REPLAY_FROM: &str = "2026-12-01T09:52:00Z";
pub const REPLAY_UNTIL: &str = "2026-12-01T11:08:00Z";
pub const THRESHOLD: &str = "1500";

/// A sibling binary of the workspace (`target/debug/playground-<name>`).
pub fn sibling(name: &str) -> PathBuf {
    let dir = Path::new(BIN).parent().unwrap().to_path_buf();
    let bin = dir.join(format!("playground-{name}"));
    assert!(
        bin.exists(),
        "{} is missing: run the tests with `cargo test --workspace` (it builds every service)",
        bin.display()
    );
    bin
}

/// The settings every service of one world shares.
pub fn world(faults: bool) -> Vec<(&'static str, String)> {
    let (late, dup) = if faults { ("0.05", "0.2") } else { ("0", "0") };
    vec![
        ("SEED", "7".into()),
        ("USERS_COUNT", "300".into()),
        ("PRODUCTS_COUNT", "40".into()),
        ("VIP_COUNT", "30".into()),
        ("SESSIONS_PER_SECOND", "4".into()),
        ("LATE_FRACTION", late.into()),
        ("DUPLICATE_FRACTION", dup.into()),
        ("REPLAY_FROM", REPLAY_FROM.into()),
        ("REPLAY_UNTIL", REPLAY_UNTIL.into()),
        ("HIGH_LATENCY_MS", THRESHOLD.into()),
        ("LOG_FORMAT", "json".into()),
    ]
}

pub fn command(bin: &Path, data: &Path, vars: &[(&str, String)]) -> Command {
    let mut cmd = Command::new(bin);
    cmd.env_clear()
        .env("PLAYGROUND_DATA", data)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in vars {
        cmd.env(k, v);
    }
    cmd
}

pub fn run(bin: &Path, data: &Path, vars: &[(&str, String)]) -> Output {
    command(bin, data, vars).output().unwrap()
}

pub fn run_ok(bin: &Path, data: &Path, vars: &[(&str, String)]) -> String {
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

/// Users (the VIP list, the job's reference data) into the lake, and the two streams replayed
/// into capture files (or wherever `extra` sends them).
pub fn write_world(data: &Path, faults: bool, extra: &[(&'static str, String)]) {
    let mut vars = world(faults);
    vars.extend_from_slice(extra);
    let mut users = vars.clone();
    users.push(("COUNT", "300".into()));
    run_ok(&sibling("users"), data, &users);
    let streams: Vec<_> = ["pageviews", "stars"]
        .iter()
        .map(|s| command(&sibling(s), data, &vars).spawn().unwrap())
        .collect();
    for s in streams {
        let out = s.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "a stream failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// The verifier's JSON report on the lake the settings choose; asserts it exits `code`.
pub fn verify(data: &Path, faults: bool, extra: &[(&'static str, String)], code: i32) -> serde_json::Value {
    let mut vars = world(faults);
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

/// Per output of the job: (status, expected, found).
pub fn statuses(report: &serde_json::Value) -> BTreeMap<String, (String, u64, u64)> {
    report["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["output"].as_str().unwrap().to_owned(),
                (
                    o["status"].as_str().unwrap().to_owned(),
                    o["expected"].as_u64().unwrap_or(0),
                    o["found"].as_u64().unwrap_or(0),
                ),
            )
        })
        .collect()
}

/// The job's outputs (every name the query writes).
pub const OUTPUTS: [&str; 7] = [
    "bronze-pageviews",
    "bronze-stars",
    "silver-http-methods",
    "silver-latency-alerts",
    "silver-vip-pageviews",
    "silver-unhappy-views",
    "silver-first-views",
];

/// Every output file under the lake, relative, with its bytes.
pub fn output_files(lake: &Path) -> BTreeMap<String, Vec<u8>> {
    playground_testkit::files_under(lake)
        .into_iter()
        .filter(|p| p.to_string_lossy().ends_with(".parquet"))
        // A file renamed away while listing (a write in progress) is not an output yet.
        .filter_map(|p| {
            let rel = p.strip_prefix(lake).unwrap().to_string_lossy().into_owned();
            std::fs::read(&p).ok().map(|bytes| (rel, bytes))
        })
        .collect()
}

/// Asserts every output of the job is `ok` with something expected and all of it found.
pub fn assert_every_output_found(report: &serde_json::Value) {
    let status = statuses(report);
    for name in OUTPUTS {
        let (s, expected, found) = &status[name];
        assert_eq!(s, "ok", "{name}: {report:#}");
        assert!(
            *expected > 0 && found >= expected,
            "{name}: {expected} expected, {found} found"
        );
    }
}
