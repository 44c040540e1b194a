//! The pageviews service as a process with capture files: exactly the model's events for the
//! window it ran, partitioned by user, a clean stop on SIGTERM, whole lines after a kill, and
//! bad settings.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failed test

use std::collections::BTreeSet;
use std::time::Duration;

use playground_model::{EventStream, Pageviews, StreamConfig, Timeline};
use playground_testkit::{Playground, capture_lines, json_lines, log_with, terminate_after};

const BIN: &str = env!("CARGO_BIN_EXE_playground-pageviews");

/// Checks the capture files hold exactly the model's events for the window in the summary.
fn assert_window_matches_model(pg: &Playground, logs: &[serde_json::Value], rate: f64) -> usize {
    let done = log_with(logs, "done: pageviews");
    let first = done["first_second"].as_i64().unwrap();
    let until = done["until_ms"].as_i64().unwrap();
    let mut cfg = StreamConfig::new(42, 10_000, 1000);
    cfg.sessions_per_second = rate;
    let expected: Vec<String> = EventStream::<Pageviews>::new(Timeline::new(cfg), first)
        .drain_before(until)
        .into_iter()
        .map(|e| e.event.event_id)
        .collect();
    let lines = capture_lines(&pg.data().join("events/pageviews"));
    let got: Vec<String> = lines
        .iter()
        .map(|(_, v)| v["event_id"].as_str().unwrap().to_owned())
        .collect();
    let got_set: BTreeSet<&String> = got.iter().collect();
    assert_eq!(got.len(), got_set.len(), "no event twice");
    assert_eq!(
        got_set,
        expected.iter().collect::<BTreeSet<_>>(),
        "the events of [{first}, {until}) differ from the model"
    );
    assert_eq!(done["events"].as_u64().unwrap() as usize, got.len());
    for (file, v) in &lines {
        let user = v["user_id"].as_u64().unwrap().to_string();
        let partition = playground_sinks::events::partition_of(&user, 4).to_string();
        let rel = file.strip_prefix(pg.data().join("events/pageviews")).unwrap();
        assert_eq!(
            rel.components().next().unwrap().as_os_str().to_str(),
            Some(partition.as_str()),
            "partition by user id"
        );
        for field in [
            "user_id",
            "http_method",
            "uri",
            "user_agent",
            "latency",
            "event_time",
            "event_id",
        ] {
            assert!(!v[field].is_null(), "{field} missing in {v}");
        }
    }
    got.len()
}

#[test]
fn a_bounded_run_sends_exactly_the_models_events() {
    let pg = Playground::new(BIN);
    let logs = pg.run_ok(&[("SESSIONS_PER_SECOND", "20"), ("RUN_SECONDS", "2")]);
    let n = assert_window_matches_model(&pg, &logs, 20.0);
    // Steady state from the first second: about 20 sessions/s x 5.5 views, give or take.
    assert!(n > 100, "only {n} events in 2 s at 20 sessions/s");
}

#[test]
fn sigterm_flushes_and_exits_0() {
    let pg = Playground::new(BIN);
    let out = terminate_after(&pg, &[("SESSIONS_PER_SECOND", "20")], Duration::from_millis(2500));
    let logs = json_lines(&String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "exit {}: {logs:#?}", out.status);
    assert_window_matches_model(&pg, &logs, 20.0);
}

/// Issue 14: at a high rate the service first spent ~0.8 ms per session/s finding the
/// sessions in progress (80 s at the maximum), deaf to SIGTERM, and then, behind its
/// schedule, kept sending full batches without looking at the signal.
#[test]
fn sigterm_stops_a_stream_at_the_highest_rate_within_seconds() {
    let pg = Playground::new(BIN);
    for after in [1500, 6000] {
        let (out, took) = playground_testkit::terminate_within(
            &pg,
            &[("SESSIONS_PER_SECOND", "100000")],
            Duration::from_millis(after),
            Duration::from_secs(10),
        );
        let logs = json_lines(&String::from_utf8_lossy(&out.stderr));
        assert!(out.status.success(), "exit {}: {logs:#?}", out.status);
        assert!(took < Duration::from_secs(10), "{took:?}");
        log_with(&logs, "done: pageviews");
    }
}

#[test]
fn a_kill_leaves_only_whole_lines_after_restart() {
    let pg = Playground::new(BIN);
    let dir = pg.data().join("events/pageviews");
    pg.kill_when(
        &[("SESSIONS_PER_SECOND", "3000")],
        Duration::from_secs(60),
        || {
            playground_testkit::files_under(&dir)
                .iter()
                .any(|f| std::fs::metadata(f).map(|m| m.len() > 200_000).unwrap_or(false))
        },
    );
    // The restart repairs a partial tail a kill may have left, then appends whole lines.
    pg.run_ok(&[("SESSIONS_PER_SECOND", "5"), ("RUN_SECONDS", "1")]);
    let lines = capture_lines(&dir);
    assert!(lines.len() > 500);
}

#[test]
fn bad_settings_exit_2() {
    playground_testkit::assert_bad_settings(
        BIN,
        &[
            (&[("SESSIONS_PER_SECOND", "-1")], "SESSIONS_PER_SECOND"),
            (&[("SESSIONS_PER_SECOND", "fast")], "SESSIONS_PER_SECOND"),
            (&[("LATE_FRACTION", "2")], "LATE_FRACTION"),
            (&[("RUN_SECONDS", "0")], "RUN_SECONDS"),
            (&[("EVENTS_PARTITIONS", "0")], "EVENTS_PARTITIONS"),
            (
                &[("PRODUCTS_COUNT", "5"), ("PRODUCT_MAX_ID", "6")],
                "PRODUCTS_COUNT/PRODUCT_MAX_ID",
            ),
            (&[("DAILY_CURVE", "maybe")], "DAILY_CURVE"),
            // Issue 14: wrapped, and the stream stopped at once with 0 events.
            (&[("RUN_SECONDS", "18446744073709551615")], "RUN_SECONDS"),
            (&[("RUN_SECONDS", "9223372036854775807")], "RUN_SECONDS"),
            (&[("USERS_COUNT", "9223372036854775808")], "USERS_COUNT"),
            (&[("PRODUCTS_COUNT", "9223372036854775808")], "PRODUCTS_COUNT"),
        ],
    );
}

#[test]
fn help_lists_every_setting_and_the_readme_documents_them() {
    let readme = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
    playground_testkit::assert_readme_documents(BIN, "pageviews", &readme);
}
