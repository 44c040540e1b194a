//! The Event Hubs sink against the AMQP test peer: large sends are split into batches filled
//! to the link's size limit, per partition, and every event arrives.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failed test

use std::collections::BTreeSet;
use std::time::Duration;

use playground_amqp_peer::AmqpPeer;
use playground_sinks::events::eventhubs::{EventHubs, EventHubsAuth, EventHubsTarget};
use playground_sinks::events::{EventRecord, EventSink};

fn records(from: usize, n: usize) -> Vec<EventRecord> {
    (from..from + n)
        .map(|i| EventRecord {
            id: format!("ev-{i}"),
            partition_key: (i % 997).to_string(),
            sent_at: 0,
            body: format!(
                "{{\"event_id\":\"ev-{i}\",\"user_id\":{},\"pad\":\"{}\"}}",
                i % 997,
                "x".repeat(300)
            )
            .into_bytes(),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_sends_fill_batches_and_all_arrive() {
    let peer = AmqpPeer::start(&[("pageviews", 4)]).await.unwrap();
    let target = EventHubsTarget {
        auth: EventHubsAuth::ConnectionString(peer.connection_string("pageviews")),
        endpoint: Some(peer.endpoint()),
        in_flight: 4,
        retry: Duration::from_secs(30),
        setting: "EVENTHUB_CONNECTION_STRING_PAGEVIEWS",
    };
    let mut sink = EventHubs::open(&target, "pageviews").await.unwrap();
    for s in 0..12 {
        sink.send(records(s * 5000, 5000)).await.unwrap();
    }
    sink.close().await.unwrap();
    let received = peer.received();
    let ids: BTreeSet<_> = received.iter().filter_map(|r| r.message_id.clone()).collect();
    assert_eq!(ids.len(), 60_000, "every event arrived");
    // At-least-once: a copy (a batch resent after a lost acknowledgement) is the same event.
    let mut first = std::collections::HashMap::new();
    for r in &received {
        assert_eq!(
            **first.entry(r.message_id.clone()).or_insert(&r.body),
            r.body,
            "one id, two events"
        );
    }
    // 5,000 events of ~400 bytes over 4 partitions fit in one batch per partition and send.
    assert!(
        peer.batches() <= 12 * 4 + 4 * sink.resends(),
        "{} batches",
        peer.batches()
    );
}
