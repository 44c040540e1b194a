//! Issue 17: the job against what the stream services really wrote, checked by
//! `playground-verify` against the answer keys: exact with late and duplicate events off,
//! only those explained differences with them on; a kill -9 in the middle and a restart give
//! the files of an uninterrupted run, byte for byte; bad settings exit 2 naming the variable.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failed test

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{BIN, OUTPUTS, command, output_files, run, run_ok, statuses, verify, world, write_world};
use playground_testkit::assert_bad_settings;

fn analytics(data: &Path, faults: bool, extra: &[(&'static str, String)]) -> String {
    let mut vars = world(faults);
    vars.push(("EXIT_WHEN_CAUGHT_UP", "true".into()));
    vars.extend_from_slice(extra);
    run_ok(Path::new(BIN), data, &vars)
}

#[test]
fn every_output_equals_the_answer_keys_on_the_directory_backend() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    write_world(&data, false, &[]);
    // Reads of 1,000 events: about 100 steps, each closing what its watermark passed.
    let logs = analytics(&data, false, &[("ANALYTICS_BATCH_EVENTS", "1000".into())]);
    // Bounded state: the join's ten minutes (and a minute's slice, the tolerance, one read),
    // not the run's 76 minutes.
    let done = playground_testkit::log_with(&playground_testkit::json_lines(&logs), "done").clone();
    let (events, held) = (
        done["events"].as_u64().unwrap(),
        done["peak_held"].as_u64().unwrap(),
    );
    println!("job: {done}");
    assert!(events > 90_000, "{done}");
    assert!(
        held * 4 < events,
        "held {held} of {events} events at once: {done}"
    );
    let report = verify(&data, false, &[], 0);
    let status = statuses(&report);
    println!("{status:#?}");
    for name in OUTPUTS {
        let (s, expected, found) = &status[name];
        assert_eq!(s, "ok", "{name}: {report:#}");
        assert!(
            *expected > 0 && found >= expected,
            "{name}: {expected} expected, {found} found"
        );
    }
}

#[test]
fn with_late_and_duplicate_events_only_those_differ() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    write_world(&data, true, &[]);
    analytics(&data, true, &[]);
    let report = verify(&data, true, &[], 0);
    let status = statuses(&report);
    println!("{status:#?}");
    for name in OUTPUTS {
        assert_eq!(status[name].0, "ok", "{name}: {report:#}");
    }
    let pv = report["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["output"] == "bronze-pageviews")
        .unwrap();
    assert!(
        pv["duplicates"].as_u64().unwrap() > 0,
        "duplicates were sent: {pv:#}"
    );
}

#[test]
fn a_kill_9_and_a_restart_write_the_files_of_an_uninterrupted_run() {
    let dir = tempfile::tempdir().unwrap();
    let clean = dir.path().join("clean");
    write_world(&clean, false, &[]);
    let crashed = dir.path().join("crashed");
    copy_dir(&clean, &crashed);
    // Small reads and a checkpoint after every step: many steps to be killed in.
    let small: Vec<(&'static str, String)> = vec![
        ("ANALYTICS_BATCH_EVENTS", "97".into()),
        ("ANALYTICS_CHECKPOINT_SECONDS", "0".into()),
    ];
    analytics(&clean, false, &[]);
    let mut vars = world(false);
    vars.push(("EXIT_WHEN_CAUGHT_UP", "true".into()));
    vars.extend_from_slice(&small);
    let lake = crashed.join("lake");
    let checkpoint = crashed.join("analytics/checkpoint.json");
    for round in 0..3 {
        let mut child = command(Path::new(BIN), &crashed, &vars).spawn().unwrap();
        let start = Instant::now();
        let files_before = output_files(&lake).len();
        loop {
            if checkpoint.exists() && output_files(&lake).len() > files_before + 3 + round {
                child.kill().unwrap();
                child.wait().unwrap();
                break;
            }
            if let Some(status) = child.try_wait().unwrap() {
                panic!("finished ({status}) before the kill in round {round}: make the work larger");
            }
            assert!(
                start.elapsed() < Duration::from_secs(120),
                "no progress to kill in"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    let logs = run_ok(Path::new(BIN), &crashed, &vars);
    assert!(logs.contains("going on from the checkpoint"), "{logs}");
    let want = output_files(&clean.join("lake"));
    let got = output_files(&lake);
    assert!(want.len() > 20, "{} files", want.len());
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>(),
        "the same files"
    );
    for (name, bytes) in &want {
        assert!(got[name] == *bytes, "{name} differs from the uninterrupted run's");
    }
    verify(&crashed, false, &[], 0);
}

#[test]
fn a_setting_changed_between_a_kill_and_a_restart_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    write_world(&data, false, &[]);
    analytics(&data, false, &[]);
    let mut vars = world(false);
    vars.push(("EXIT_WHEN_CAUGHT_UP", "true".into()));
    for (name, value) in [("HIGH_LATENCY_MS", "900"), ("OUT_OF_ORDER_SECONDS", "30")] {
        let mut changed = vars.clone();
        changed.retain(|(k, _)| *k != name);
        changed.push((name, value.into()));
        let out = run(Path::new(BIN), &data, &changed);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(name), "names {name}: {stderr}");
    }
}

#[test]
fn without_the_reference_data_it_exits_1_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut vars = world(false);
    vars.push(("EXIT_WHEN_CAUGHT_UP", "true".into()));
    let out = run(Path::new(BIN), &data, &vars);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("users/vip.json"), "{stderr}");
}

#[test]
fn bad_settings_exit_2_naming_the_variable() {
    assert_bad_settings(
        BIN,
        &[
            (&[("HIGH_LATENCY_MS", "fast")], "HIGH_LATENCY_MS"),
            (&[("OUT_OF_ORDER_SECONDS", "7200")], "OUT_OF_ORDER_SECONDS"),
            (&[("ANALYTICS_BATCH_EVENTS", "0")], "ANALYTICS_BATCH_EVENTS"),
            (&[("EXIT_WHEN_CAUGHT_UP", "yes")], "EXIT_WHEN_CAUGHT_UP"),
            (&[("EVENTHUB_CONSUMER_GROUP", " ")], "EVENTHUB_CONSUMER_GROUP"),
            (
                &[("ANALYTICS_CHECKPOINT_SECONDS", "-1")],
                "ANALYTICS_CHECKPOINT_SECONDS",
            ),
            (&[("LAKE_URL", "ftp://x")], "LAKE_URL"),
        ],
    );
}

fn copy_dir(from: &Path, to: &Path) {
    for file in playground_testkit::files_under(from) {
        let dest = to.join(file.strip_prefix(from).unwrap());
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(&file, &dest).unwrap();
    }
}

#[test]
fn sigterm_while_following_saves_the_checkpoint_and_a_restart_finishes_exactly() {
    let pg = playground_testkit::Playground::new(BIN);
    write_world(&pg.data(), false, &[]);
    // Following (no EXIT_WHEN_CAUGHT_UP): it reads everything, then waits for more.
    let vars = world(false);
    let borrowed: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (out, took) =
        playground_testkit::terminate_within(&pg, &borrowed, Duration::from_secs(3), Duration::from_secs(10));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "a stopped job exits 0: {stderr}");
    assert!(took < Duration::from_secs(5), "stopped in {took:?}");
    assert!(stderr.contains("the checkpoint is saved"), "{stderr}");
    assert!(pg.data().join("analytics/checkpoint.json").exists());
    let logs = analytics(&pg.data(), false, &[]);
    assert!(logs.contains("going on from the checkpoint"), "{logs}");
    verify(&pg.data(), false, &[], 0);
}
