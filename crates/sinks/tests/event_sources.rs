//! Reading the streams back (issue 17's input): the capture-file reader follows files as the
//! writer appends and opens new ones, never returns half a line, and a reader reopened at a
//! saved position reads every event exactly once; the Event Hubs reader does the same against
//! the AMQP test peer with the real consumer client, after the real sink sent the events.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failed test

use std::collections::BTreeSet;
use std::fs::OpenOptions;
use std::io::Write;
use std::num::{NonZeroU32, NonZeroUsize};
use std::time::Duration;

use playground_amqp_peer::AmqpPeer;
use playground_sinks::events::capture_files::CaptureFiles;
use playground_sinks::events::capture_reader::CaptureReader;
use playground_sinks::events::eventhubs::EventHubs;
use playground_sinks::events::hub_reader::HubReader;
use playground_sinks::events::{
    EventHubsAuth, EventHubsTarget, EventRecord, EventSink, EventSource, Position,
};

const T0: i64 = 1_796_119_200_000; // 2026-12-01T10:00:00Z

fn records(from: usize, n: usize, step_ms: i64) -> Vec<EventRecord> {
    (from..from + n)
        .map(|i| EventRecord {
            id: format!("ev-{i}"),
            partition_key: (i % 31).to_string(),
            sent_at: T0 + i as i64 * step_ms,
            body: format!("{{\"event_id\":\"ev-{i}\",\"user_id\":{}}}", i % 31).into_bytes(),
        })
        .collect()
}

fn id_of(body: &[u8]) -> String {
    let v: serde_json::Value = serde_json::from_slice(body).expect("a whole JSON line");
    v["event_id"].as_str().unwrap().to_owned()
}

/// Reads until `n` events came or `patience` passed with nothing new.
async fn drain(source: &mut impl EventSource, max: usize) -> Vec<String> {
    let mut ids = Vec::new();
    loop {
        let batch = source.read(max, Duration::from_millis(300)).await.unwrap();
        if batch.is_empty() {
            return ids;
        }
        ids.extend(batch.iter().map(|e| id_of(&e.body)));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn capture_files_are_followed_and_resumed_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let hub = dir.path().join("pageviews");
    let mut sink = CaptureFiles::open(hub.clone(), NonZeroU32::new(3).unwrap(), "S").unwrap();
    // 600 events over 3 partitions and 5 minutes of files (one every 500 ms).
    sink.send(records(0, 300, 500)).await.unwrap();

    let mut reader = CaptureReader::open(hub.clone(), &Position::default()).unwrap();
    let mut seen = drain(&mut reader, 7).await;
    assert!(reader.caught_up());
    assert_eq!(seen.len(), 300);

    // A line being written is not returned until it is whole.
    let newest = hub.join(CaptureFiles::relative_path(0, T0 + 299 * 500));
    let mut half = OpenOptions::new().append(true).open(&newest).unwrap();
    half.write_all(b"{\"event_id\":\"ev-half\",\"us").unwrap();
    assert!(
        reader
            .read(100, Duration::from_millis(200))
            .await
            .unwrap()
            .is_empty()
    );
    half.write_all(b"er_id\":1}\n").unwrap();
    drop(half);
    let got = reader.read(100, Duration::from_millis(200)).await.unwrap();
    assert_eq!(
        got.iter().map(|e| id_of(&e.body)).collect::<Vec<_>>(),
        ["ev-half"]
    );
    seen.push("ev-half".into());

    // More events, into the same and new files; a reader stopped halfway and reopened at its
    // position reads the rest, once.
    sink.send(records(300, 300, 500)).await.unwrap();
    let part = reader.read(120, Duration::ZERO).await.unwrap();
    seen.extend(part.iter().map(|e| id_of(&e.body)));
    let saved = serde_json::to_string(&reader.position()).unwrap();
    drop(reader);
    let position: Position = serde_json::from_str(&saved).unwrap();
    let mut again = CaptureReader::open(hub.clone(), &position).unwrap();
    seen.extend(drain(&mut again, 50).await);
    assert!(again.caught_up());

    let distinct: BTreeSet<&String> = seen.iter().collect();
    assert_eq!(distinct.len(), seen.len(), "an event read twice");
    assert_eq!(seen.len(), 601);
    // One user's events come in the order they were sent.
    let mut last: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
    for id in seen.iter().filter(|id| *id != "ev-half") {
        let n: usize = id.trim_start_matches("ev-").parse().unwrap();
        if let Some(prev) = last.insert(n % 31, n) {
            assert!(prev < n, "user {} out of order: {prev} then {n}", n % 31);
        }
    }
}

fn hub_target(peer: &AmqpPeer) -> EventHubsTarget {
    EventHubsTarget {
        auth: EventHubsAuth::ConnectionString(peer.connection_string("pageviews")),
        endpoint: Some(peer.endpoint()),
        in_flight: NonZeroUsize::new(4).unwrap(),
        retry: Duration::from_secs(30),
        setting: "THE_SETTING",
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn event_hubs_is_read_in_its_own_group_and_resumed_exactly() {
    let peer = AmqpPeer::start(&[("pageviews", 4)]).await.unwrap();
    let target = hub_target(&peer);
    let mut sink = EventHubs::open(&target, "pageviews").await.unwrap();
    sink.send(records(0, 2000, 10)).await.unwrap();

    let mut reader = HubReader::open(&target, "pageviews", "analytics", &Position::default())
        .await
        .unwrap();
    assert!(!reader.caught_up());
    let mut seen = Vec::new();
    while seen.len() < 1200 {
        let batch = reader.read(100, Duration::from_secs(5)).await.unwrap();
        assert!(!batch.is_empty(), "no events within 5 s after {}", seen.len());
        seen.extend(batch.iter().map(|e| id_of(&e.body)));
    }
    let position = reader.position();
    drop(reader);

    sink.send(records(2000, 500, 10)).await.unwrap();
    let mut again = HubReader::open(&target, "pageviews", "analytics", &position)
        .await
        .unwrap();
    while !again.caught_up() {
        let batch = again.read(500, Duration::from_secs(5)).await.unwrap();
        assert!(!batch.is_empty(), "no events within 5 s after {}", seen.len());
        seen.extend(batch.iter().map(|e| id_of(&e.body)));
    }
    assert!(
        again
            .read(100, Duration::from_millis(300))
            .await
            .unwrap()
            .is_empty()
    );
    let distinct: BTreeSet<&String> = seen.iter().collect();
    assert_eq!(distinct.len(), seen.len(), "an event read twice");
    assert_eq!(seen.len(), 2500);
    assert!(peer.consumers().iter().all(|c| c.consumer_group == "analytics"));

    // A capture-file position is refused, naming the setting.
    let wrong: Position =
        serde_json::from_str(r#"{"0":{"file":{"file":"2026/12/01/10/00.json","offset":0}}}"#).unwrap();
    let err = HubReader::open(&target, "pageviews", "analytics", &wrong)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("THE_SETTING"), "{err}");
}
