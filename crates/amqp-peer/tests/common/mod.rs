//! Helpers the peer's tests share: logs, the real producer pointed at the peer, an event.
#![allow(dead_code, clippy::expect_used)] // each test binary uses a part

use azure_messaging_eventhubs::{ProducerClient, RetryOptions, models::AmqpMessage};
use playground_amqp_peer::AmqpPeer;

/// `RUST_LOG=debug` shows what the client and the peer do.
pub fn init_tracing() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
}

pub async fn producer(peer: &AmqpPeer, hub: &str) -> ProducerClient {
    ProducerClient::builder()
        .with_custom_endpoint(peer.endpoint())
        .with_retry_options(RetryOptions {
            initial_delay: azure_core::time::Duration::milliseconds(20),
            max_delay: azure_core::time::Duration::milliseconds(200),
            ..RetryOptions::default()
        })
        .open_with_connection_string(&peer.connection_string(hub), None)
        .await
        .expect("open producer")
}

pub fn event(i: u32) -> AmqpMessage {
    let mut message = AmqpMessage::builder()
        .with_body(format!("{{\"n\":{i}}}").into_bytes())
        .build();
    message.set_message_id(format!("e-{i}"));
    message
}
