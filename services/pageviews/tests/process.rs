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

/// The capture files under `pg` as (file relative to the hub's directory, line), sorted.
fn captured(pg: &Playground) -> Vec<(String, String)> {
    let dir = pg.data().join("events/pageviews");
    let mut out: Vec<(String, String)> = capture_lines(&dir)
        .into_iter()
        .map(|(f, v)| (f.strip_prefix(&dir).unwrap().display().to_string(), v.to_string()))
        .collect();
    out.sort();
    out
}

fn rfc3339(ms: i64) -> String {
    playground_model::EventTime(ms).to_string()
}

/// Issue 16: a replay of the range a live run covered writes exactly what the live run
/// wrote, line for line and file for file, with late and duplicate events on.
#[test]
fn a_replay_of_a_live_runs_range_writes_the_same_files() {
    let vars = [
        ("SESSIONS_PER_SECOND", "20"),
        ("LATE_FRACTION", "0.2"),
        ("DUPLICATE_FRACTION", "0.1"),
    ];
    let live = Playground::new(BIN);
    let mut run = vars.to_vec();
    run.push(("RUN_SECONDS", "2"));
    let logs = live.run_ok(&run);
    let done = log_with(&logs, "done: pageviews");
    let (first, until) = (
        done["first_second"].as_i64().unwrap(),
        done["until_ms"].as_i64().unwrap(),
    );

    let replay = Playground::new(BIN);
    let (from, to) = (rfc3339(first * 1000), rfc3339(until));
    let mut run = vars.to_vec();
    run.extend([("REPLAY_FROM", from.as_str()), ("REPLAY_UNTIL", to.as_str())]);
    let logs = replay.run_ok(&run);
    let replayed = log_with(&logs, "done: pageviews");
    assert_eq!(replayed["events"], done["events"]);
    assert_eq!(replayed["duplicates"], done["duplicates"]);
    let (a, b) = (captured(&live), captured(&replay));
    assert!(a.len() > 100, "only {} events", a.len());
    assert_eq!(a, b, "the replay of [{from}, {to}) differs from the live run");
}

/// Issue 16: a range replayed in two pieces cut at any millisecond is the range replayed at
/// once: nothing lost, nothing twice, the same late and duplicate events.
#[test]
fn two_replays_that_tile_a_range_write_what_one_replay_writes() {
    let vars = [
        ("SESSIONS_PER_SECOND", "50"),
        ("LATE_FRACTION", "0.3"),
        ("DUPLICATE_FRACTION", "0.2"),
    ];
    let (from, cut, until) = (
        "2026-11-30T23:58:00Z",
        "2026-11-30T23:59:13.457Z",
        "2026-12-01T00:01:00+00:00",
    );
    let whole = Playground::new(BIN);
    let mut run = vars.to_vec();
    run.extend([("REPLAY_FROM", from), ("REPLAY_UNTIL", until)]);
    whole.run_ok(&run);
    let pieces = Playground::new(BIN);
    for (a, b) in [(from, cut), (cut, until)] {
        let mut run = vars.to_vec();
        run.extend([("REPLAY_FROM", a), ("REPLAY_UNTIL", b)]);
        pieces.run_ok(&run);
    }
    let (a, b) = (captured(&whole), captured(&pieces));
    assert!(
        a.len() > 5000,
        "only {} events in 3 minutes at 50 sessions/s",
        a.len()
    );
    assert_eq!(a.len(), b.len());
    assert_eq!(a, b);
    // Sent in the range and nothing else: every event's send minute names its file, and late
    // ones carry an earlier event_time than the range's start can explain only by their lag.
    assert!(
        a.iter()
            .all(|(f, _)| f.contains("/2026/11/30/23/5") || f.contains("/2026/12/01/00/00"))
    );
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
            (&[("REPLAY_FROM", "yesterday")], "REPLAY_FROM"),
            (&[("REPLAY_FROM", "2026-12-01 10:00")], "REPLAY_FROM"),
            (&[("REPLAY_UNTIL", "2026-12-01T10:00:00Z")], "REPLAY_UNTIL"),
            (
                &[
                    ("REPLAY_FROM", "2026-12-01T10:00:00Z"),
                    ("REPLAY_UNTIL", "2026-12-01T10:00:00Z"),
                ],
                "REPLAY_UNTIL",
            ),
            (
                &[("REPLAY_FROM", "2026-12-01T10:00:00Z"), ("RUN_SECONDS", "5")],
                "RUN_SECONDS, REPLAY_FROM",
            ),
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
