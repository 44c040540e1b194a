//! The real Event Hubs consumer (`ConsumerClient`, `EventReceiver`) against the peer: events a
//! real producer sent come back per partition, in order, with sequence numbers, from every
//! start position the client offers, and new events reach a receiver that is already open.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use azure_messaging_eventhubs::{
    ConsumerClient, EventDataBatchOptions, OpenReceiverOptions, ProducerClient, StartLocation, StartPosition,
};
use futures::StreamExt;
use playground_amqp_peer::AmqpPeer;

mod common;

use common::{event, init_tracing, producer};

async fn consumer(peer: &AmqpPeer, hub: &str, group: &str) -> ConsumerClient {
    ConsumerClient::builder()
        .with_custom_endpoint(peer.endpoint())
        .with_consumer_group(group.to_string())
        .open_with_connection_string(&peer.connection_string(hub), None)
        .await
        .expect("open consumer")
}

async fn send(client: &ProducerClient, partition: Option<&str>, ids: std::ops::Range<u32>) {
    let batch = client
        .create_batch(Some(EventDataBatchOptions {
            partition_id: partition.map(str::to_string),
            ..Default::default()
        }))
        .await
        .expect("create batch");
    for i in ids {
        assert!(batch.try_add_amqp_message(event(i), None).unwrap());
    }
    client.send_batch(batch, None).await.expect("send batch");
}

/// Reads `n` events from `partition` starting at `start`: (sequence number, body).
async fn read(
    client: &ConsumerClient,
    partition: &str,
    start: StartPosition,
    n: usize,
) -> Vec<(i64, String)> {
    let receiver = client
        .open_receiver_on_partition(
            partition.to_string(),
            Some(OpenReceiverOptions {
                start_position: Some(start),
                ..Default::default()
            }),
        )
        .await
        .expect("open receiver");
    let mut out = Vec::new();
    {
        let stream = receiver.stream_events();
        futures::pin_mut!(stream);
        while out.len() < n {
            let event = tokio::time::timeout(Duration::from_secs(10), stream.next())
                .await
                .expect("an event within 10 s")
                .expect("stream open")
                .expect("event");
            let body = event
                .event_data()
                .body()
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .unwrap_or_default();
            out.push((event.sequence_number().expect("sequence number"), body));
        }
    }
    // The client keeps one link per partition and reuses it for the next receiver unless
    // this one is closed (it would go on from where this one stopped).
    receiver.close().await.expect("close receiver");
    out
}

fn at(location: StartLocation, inclusive: bool) -> StartPosition {
    StartPosition { location, inclusive }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_real_consumer_reads_what_the_real_producer_sent() {
    init_tracing();
    let peer = AmqpPeer::start(&[("pageviews", 2)]).await.unwrap();
    let producer = producer(&peer, "pageviews").await;
    send(&producer, Some("1"), 0..5).await;
    send(&producer, Some("0"), 5..7).await;

    let client = consumer(&peer, "pageviews", "analytics").await;
    let all = read(&client, "1", at(StartLocation::Earliest, false), 5).await;
    let expected: Vec<(i64, String)> = (0..5).map(|i| (i, format!("{{\"n\":{i}}}"))).collect();
    assert_eq!(all, expected);
    // After a checkpoint at sequence number 2, exclusive and inclusive.
    assert_eq!(
        read(&client, "1", at(StartLocation::SequenceNumber(2), false), 2).await,
        expected[3..]
    );
    assert_eq!(
        read(&client, "1", at(StartLocation::SequenceNumber(2), true), 3).await,
        expected[2..]
    );
    assert_eq!(
        read(&client, "1", at(StartLocation::Offset("3".into()), false), 1).await,
        expected[4..]
    );
    assert_eq!(
        read(&client, "0", at(StartLocation::Earliest, false), 2)
            .await
            .len(),
        2
    );

    let properties = client.get_partition_properties("1").await.unwrap();
    assert_eq!(properties.last_enqueued_sequence_number, 4);
    assert!(!properties.is_empty);

    // A receiver opened at the end gets what is sent afterwards.
    let waiting = {
        let client = &client;
        async move { read(client, "1", at(StartLocation::Latest, false), 2).await }
    };
    let later = async {
        tokio::time::sleep(Duration::from_millis(500)).await;
        send(&producer, Some("1"), 7..9).await;
    };
    let (got, ()) = tokio::join!(waiting, later);
    assert_eq!(
        got,
        vec![(5, "{\"n\":7}".to_string()), (6, "{\"n\":8}".to_string())]
    );

    // Events sent to the hub itself are spread over the partitions.
    send(&producer, None, 9..13).await;
    let p0 = read(&client, "0", at(StartLocation::SequenceNumber(1), false), 2).await;
    let p1 = read(&client, "1", at(StartLocation::SequenceNumber(6), false), 2).await;
    assert_eq!(p0.len() + p1.len(), 4);

    let consumers = peer.consumers();
    assert!(
        consumers
            .iter()
            .all(|c| c.consumer_group == "analytics" && c.hub == "pageviews"),
        "{consumers:?}"
    );
    assert!(
        consumers
            .iter()
            .any(|c| c.filter.contains("x-opt-sequence-number >='2'")),
        "{consumers:?}"
    );
}
