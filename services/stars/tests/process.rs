//! The stars service as a process: exactly the model's ratings for its window, each by a user
//! who viewed pages in the ten minutes before.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failed test

use std::collections::BTreeSet;

use playground_model::events::EventKind;
use playground_model::{EventStream, Pageviews, Stars, StreamConfig, Timeline};
use playground_testkit::{Playground, assert_config_error, capture_lines, log_with};

const BIN: &str = env!("CARGO_BIN_EXE_playground-stars");

#[test]
fn ratings_match_the_model_and_follow_pageviews_of_their_user() {
    let pg = Playground::new(BIN);
    let logs = pg.run_ok(&[
        ("SESSIONS_PER_SECOND", "200"),
        ("RUN_SECONDS", "3"),
        ("SEED", "5"),
    ]);
    let done = log_with(&logs, "done: stars");
    let (first, until) = (
        done["first_second"].as_i64().unwrap(),
        done["until_ms"].as_i64().unwrap(),
    );
    let mut cfg = StreamConfig::new(5, 10_000, 0);
    cfg.sessions_per_second = 200.0;
    let expected: BTreeSet<String> = EventStream::<Stars>::new(Timeline::new(cfg.clone()), first)
        .drain_before(until)
        .into_iter()
        .map(|e| e.event.event_id)
        .collect();
    let lines = capture_lines(&pg.data().join("events/stars"));
    let got: BTreeSet<String> = lines
        .iter()
        .map(|(_, v)| v["event_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(got.len(), lines.len(), "no rating twice");
    assert_eq!(got, expected);
    assert!(
        !got.is_empty(),
        "200 sessions/s for 3 s should give about 12 ratings"
    );
    // The pageviews service (with a products count) derives the same session: its views are
    // by the same user, and the last one is at most ten minutes before the rating.
    cfg.products_count = 1000;
    let timeline = Timeline::new(cfg);
    for (_, star) in &lines {
        let (second, index) = star["session_id"].as_str().unwrap().split_once('-').unwrap();
        let session = timeline.session(second.parse().unwrap(), index.parse().unwrap());
        let last = Pageviews::build(&timeline, &session, session.views - 1, 0);
        assert_eq!(last.user_id, star["user_id"].as_u64().unwrap(), "same user");
        let rated_at = star["event_time"].as_str().unwrap();
        let viewed_at = last.event_time.to_string();
        assert!(viewed_at.as_str() < rated_at, "{viewed_at} before {rated_at}");
        assert!(
            playground_model::EventTime(last.event_time.0 + 600_000)
                .to_string()
                .as_str()
                >= rated_at,
            "rating {rated_at} within 10 minutes of the last view {viewed_at}"
        );
    }
}

#[test]
fn bad_settings_exit_2() {
    let pg = Playground::new(BIN);
    let out = pg.run(&[("DUPLICATE_FRACTION", "1.5")]);
    assert_config_error(&pg, &out, "DUPLICATE_FRACTION");
}

#[test]
fn help_lists_every_setting_and_the_readme_documents_them() {
    let readme = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
    playground_testkit::assert_readme_documents(BIN, "stars", &readme);
}
