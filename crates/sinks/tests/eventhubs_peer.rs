//! The Event Hubs sink against the AMQP test peer: large sends are split into batches filled
//! to the link's size limit, per partition, and every event arrives; many small sends (a
//! stream at a low rate) are each acknowledged, none waits for a resend.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failed test

use std::collections::BTreeSet;
use std::time::Duration;

use playground_amqp_peer::AmqpPeer;
use playground_sinks::events::eventhubs::EventHubs;
use playground_sinks::events::{EventHubsAuth, EventHubsTarget};
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

fn target(peer: &AmqpPeer) -> EventHubsTarget {
    EventHubsTarget {
        auth: EventHubsAuth::ConnectionString(peer.connection_string("pageviews")),
        endpoint: Some(peer.endpoint()),
        in_flight: std::num::NonZeroUsize::new(4).expect("4 > 0"),
        retry: Duration::from_secs(30),
        setting: "THE_SETTING",
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_sends_fill_batches_and_all_arrive() {
    let peer = AmqpPeer::start(&[("pageviews", 4)]).await.unwrap();
    let mut sink = EventHubs::open(&target(&peer), "pageviews").await.unwrap();
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

/// A stream at a low rate sends a transfer or two per partition at a time, each answered
/// within a millisecond on loopback. fe2o3-amqp 0.16.2 registered a delivery as unsettled only
/// after handing its transfer to the session, so an acknowledgement that came back first was
/// dropped and the send hung until the sink's timeout (about once per thousand transfers
/// here): the stream stalled for 10 s and a resend made a duplicate. The vendored patch
/// registers first; a healthy hub must need no resend.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn small_sends_are_each_acknowledged_without_a_resend() {
    let peer = AmqpPeer::start(&[("pageviews", 4)]).await.unwrap();
    let mut sink = EventHubs::open(&target(&peer), "pageviews").await.unwrap();
    let sends = 2_500;
    for s in 0..sends {
        // Four events with user ids 0..4: a few transfers on several partition links at once.
        let batch = records(s * 997, 4);
        tokio::time::timeout(Duration::from_secs(5), sink.send(batch))
            .await
            .unwrap_or_else(|_| panic!("send {s} took over 5 s: an acknowledgement was lost"))
            .unwrap();
    }
    sink.close().await.unwrap();
    assert_eq!(sink.resends(), 0, "a healthy hub needed resends");
    let received = peer.received();
    let ids: BTreeSet<_> = received.iter().filter_map(|r| r.message_id.clone()).collect();
    assert_eq!(ids.len(), sends * 4, "every event arrived");
    assert_eq!(received.len(), sends * 4, "and none twice");
}
