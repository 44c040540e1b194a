//! The stars service against Event Hubs, played by the AMQP test peer with the real producer:
//! exactly the model's ratings for its window on the `stars` hub, keyed by user, and a clear
//! error for a malformed connection string. The pageviews tests cover the shared sink's
//! recovery from a dropped connection.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failed test

use std::collections::BTreeSet;

use playground_amqp_peer::AmqpPeer;
use playground_model::{EventStream, Stars, StreamConfig, Timeline};
use playground_testkit::{Playground, assert_config_error, log_with};

const BIN: &str = env!("CARGO_BIN_EXE_playground-stars");
const SETTING: &str = "EVENTHUB_CONNECTION_STRING_STARS";

#[test]
fn ratings_reach_the_stars_hub_exactly_once_keyed_by_user() {
    let peer = AmqpPeer::start_blocking(&[("pageviews", 4), ("stars", 2)]).unwrap();
    let cs = peer.connection_string("stars");
    let endpoint = peer.endpoint();
    let pg = Playground::new(BIN);
    let out = pg.run(&[
        (SETTING, cs.as_str()),
        ("EVENTHUB_ENDPOINT", endpoint.as_str()),
        ("SESSIONS_PER_SECOND", "300"),
        ("RUN_SECONDS", "3"),
        ("SEED", "5"),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "exit {}:\n{stderr}", out.status);
    let logs = playground_testkit::json_lines(&stderr);
    let done = log_with(&logs, "done: stars");
    let first = done["first_second"].as_i64().unwrap();
    let until = done["until_ms"].as_i64().unwrap();
    let mut cfg = StreamConfig::new(5, 10_000, 0);
    cfg.sessions_per_second = 300.0;
    let expected: BTreeSet<String> = EventStream::<Stars>::new(Timeline::new(cfg), first)
        .drain_before(until)
        .into_iter()
        .map(|e| e.event.event_id)
        .collect();
    assert!(!expected.is_empty(), "300 sessions/s for 3 s should give ratings");
    let received = peer.received();
    let got: BTreeSet<String> = received.iter().filter_map(|r| r.message_id.clone()).collect();
    // At-least-once: twice only after a logged resend.
    assert!(
        got.len() == received.len() || stderr.contains("resending"),
        "twice without a resend"
    );
    assert_eq!(got, expected);
    for r in &received {
        assert_eq!(r.hub, "stars");
        let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(r.partition_key, None, "no key: the partition is chosen here");
        let user = body["user_id"].as_u64().unwrap().to_string();
        assert_eq!(
            r.partition.as_deref(),
            Some(
                playground_sinks::events::partition_of(&user, 2)
                    .to_string()
                    .as_str()
            )
        );
        assert!(
            matches!(r.partition.as_deref(), Some("0" | "1")),
            "{:?}",
            r.partition
        );
    }
}

#[test]
fn a_malformed_connection_string_exits_2_without_echoing_it() {
    let pg = Playground::new(BIN);
    let out = pg.run(&[(
        SETTING,
        "Endpoint=sb://ns/;SharedAccessKeyName=a;SharedAccessKey=",
    )]);
    assert_config_error(&pg, &out, SETTING);
}
