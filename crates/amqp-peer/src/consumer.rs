//! The consumer side of the peer: each partition keeps the events sent to it as a log with
//! sequence numbers, offsets and enqueued times, and a receiver link attached to
//! `{hub}/ConsumerGroups/{group}/Partitions/{id}` is served from the position its selector
//! filter names, then follows new events as they arrive, the way `ConsumerClient` and
//! `EventReceiver` of `azure_messaging_eventhubs` read an Event Hubs partition.
//!
//! Not modelled: retention (nothing expires), epochs/owner levels (recorded, not enforced),
//! and the service's byte offsets (an offset here is the sequence number as text; clients
//! treat offsets as opaque).

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use fe2o3_amqp::Sender;
use fe2o3_amqp::types::messaging::{
    Data, Message, MessageAnnotations, MessageId, Properties, annotations::OwnedKey,
};
use fe2o3_amqp::types::primitives::{Binary, Timestamp, Value};

use crate::{Conn, Shared};

/// One event as a partition holds it.
#[derive(Debug, Clone)]
pub(crate) struct Stored {
    pub(crate) message_id: Option<String>,
    pub(crate) partition_key: Option<String>,
    pub(crate) body: Vec<u8>,
    /// Milliseconds since the Unix epoch when the peer accepted it.
    pub(crate) enqueued_ms: i64,
}

/// A receiver link the peer served: who read which partition from where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consumer {
    /// The event hub.
    pub hub: String,
    /// The consumer group named in the link's address.
    pub consumer_group: String,
    /// The partition id.
    pub partition: String,
    /// The selector filter the client sent (`amqp.annotation.x-opt-offset > '-1'` ...).
    pub filter: String,
}

/// Where a receiver starts, from its selector filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Start {
    /// The index of the first event to deliver.
    At(usize),
    /// After whatever the partition holds when the link attaches.
    Latest,
}

/// Parses the selector filter the Event Hubs clients send, e.g.
/// `amqp.annotation.x-opt-sequence-number >= '12'`; `None` when it is not one of them.
fn parse_filter(filter: &str, log: &[Stored]) -> Option<Start> {
    let (name, rest) = filter.split_once(' ').map(|(n, r)| (n.trim(), r.trim()))?;
    let (inclusive, value) = if let Some(v) = rest.strip_prefix(">=") {
        (true, v)
    } else {
        (false, rest.strip_prefix('>')?)
    };
    let value = value.trim().trim_matches('\'');
    if value == "@latest" {
        return Some(Start::Latest);
    }
    let n: i64 = value.parse().ok()?;
    let first_after = |i: i64| -> usize {
        // Events at index > i (or >= i when inclusive).
        let from = if inclusive { i } else { i.saturating_add(1) };
        usize::try_from(from.max(0)).unwrap_or(usize::MAX)
    };
    match name {
        "amqp.annotation.x-opt-offset" | "amqp.annotation.x-opt-sequence-number" => {
            Some(Start::At(first_after(n)))
        }
        "amqp.annotation.x-opt-enqueued-time" => Some(Start::At(
            log.iter()
                .position(|e| {
                    if inclusive {
                        e.enqueued_ms >= n
                    } else {
                        e.enqueued_ms > n
                    }
                })
                .unwrap_or(log.len()),
        )),
        _ => None,
    }
}

/// `hub`, `group` and `partition` of a consumer address (`.../hub/ConsumerGroups/g/Partitions/1`).
pub(crate) fn consumer_path(path: &str) -> Option<(String, String, String)> {
    let parts: Vec<&str> = path.split('/').collect();
    match parts.as_slice() {
        [hub, cg, group, p, id]
            if cg.eq_ignore_ascii_case("ConsumerGroups") && p.eq_ignore_ascii_case("Partitions") =>
        {
            Some(((*hub).to_string(), (*group).to_string(), (*id).to_string()))
        }
        _ => None,
    }
}

/// The selector filter of a receiver link, as text.
fn selector(sender: &Sender) -> String {
    let Some(filter) = sender.source().as_ref().and_then(|s| s.filter.as_ref()) else {
        return String::new();
    };
    filter
        .iter()
        .find_map(|(_, value)| match value {
            Value::Described(d) => match &d.value {
                Value::String(s) => Some(s.clone()),
                _ => None,
            },
            Value::String(s) => Some(s.clone()),
            _ => None,
        })
        .unwrap_or_default()
}

fn message(sequence: usize, e: &Stored) -> Message<Data> {
    let sequence = i64::try_from(sequence).unwrap_or(i64::MAX);
    let mut annotations = MessageAnnotations::builder()
        .insert(OwnedKey::from("x-opt-sequence-number"), Value::Long(sequence))
        .insert(
            OwnedKey::from("x-opt-offset"),
            Value::String(sequence.to_string()),
        )
        .insert(
            OwnedKey::from("x-opt-enqueued-time"),
            Value::Timestamp(Timestamp::from_milliseconds(e.enqueued_ms)),
        );
    if let Some(key) = &e.partition_key {
        annotations = annotations.insert(OwnedKey::from("x-opt-partition-key"), Value::String(key.clone()));
    }
    let properties = Properties {
        message_id: e.message_id.clone().map(MessageId::String),
        ..Properties::default()
    };
    Message::builder()
        .properties(properties)
        .message_annotations(annotations.build())
        .data(Binary::from(e.body.clone()))
        .build()
}

/// Milliseconds since the Unix epoch, now.
pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

impl Shared {
    /// The events of `partition` of `hub` from index `from` on.
    fn events_from(&self, hub: &str, partition: &str, from: usize) -> Vec<Stored> {
        let state = self.state();
        state
            .logs
            .get(&(hub.to_string(), partition.to_string()))
            .map(|log| log.get(from..).unwrap_or_default().to_vec())
            .unwrap_or_default()
    }
}

/// Serves one receiver link: the partition's events from the filter's position, then each new
/// one as it is sent, until the client detaches.
pub(crate) async fn serve_consumer(
    conn: Arc<Conn>,
    mut sender: Sender,
    hub: String,
    group: String,
    partition: String,
) {
    let filter = selector(&sender);
    let start = {
        let mut state = conn.shared.state();
        let log = state
            .logs
            .get(&(hub.clone(), partition.clone()))
            .map(Vec::as_slice)
            .unwrap_or_default();
        let start = parse_filter(&filter, log);
        let len = log.len();
        state.consumers.push(Consumer {
            hub: hub.clone(),
            consumer_group: group,
            partition: partition.clone(),
            filter: filter.clone(),
        });
        match start {
            Some(Start::At(i)) => Some(i),
            Some(Start::Latest) => Some(len),
            None => None,
        }
    };
    tracing::debug!(connection = conn.id, %hub, %partition, %filter, ?start, "amqp-peer: consumer attached");
    let Some(mut next) = start else {
        let error = fe2o3_amqp::types::definitions::Error::new(
            fe2o3_amqp::types::definitions::AmqpError::NotImplemented,
            format!("amqp-peer: unsupported selector filter '{filter}'"),
            None,
        );
        let _ = sender.close_with_error(error).await;
        return;
    };
    loop {
        // Registered before the log is read, so an event appended in between still wakes us.
        let appended = conn.shared.appended.notified();
        tokio::pin!(appended);
        appended.as_mut().enable();
        let events = conn.shared.events_from(&hub, &partition, next);
        for e in &events {
            if let Err(error) = sender.send(message(next, e)).await {
                tracing::debug!(%error, connection = conn.id, %hub, %partition, "amqp-peer: consumer link done");
                return;
            }
            next += 1;
        }
        if !events.is_empty() {
            continue;
        }
        tokio::select! {
            () = &mut appended => {}
            // A fallback in case a wake-up is missed; cheap at test rates.
            () = tokio::time::sleep(Duration::from_millis(200)) => {}
            error = sender.on_detach() => {
                tracing::debug!(%error, connection = conn.id, %hub, %partition, "amqp-peer: consumer detached");
                let _ = sender.close().await;
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(times: &[i64]) -> Vec<Stored> {
        times
            .iter()
            .map(|t| Stored {
                message_id: None,
                partition_key: None,
                body: Vec::new(),
                enqueued_ms: *t,
            })
            .collect()
    }

    #[test]
    fn filters_the_clients_send() {
        let l = log(&[100, 200, 300]);
        let at = |f: &str| parse_filter(f, &l);
        assert_eq!(at("amqp.annotation.x-opt-offset > '-1'"), Some(Start::At(0)));
        assert_eq!(
            at("amqp.annotation.x-opt-offset > '@latest'"),
            Some(Start::Latest)
        );
        assert_eq!(
            at("amqp.annotation.x-opt-sequence-number >'1'"),
            Some(Start::At(2))
        );
        assert_eq!(
            at("amqp.annotation.x-opt-sequence-number >='1'"),
            Some(Start::At(1))
        );
        assert_eq!(at("amqp.annotation.x-opt-offset >='0'"), Some(Start::At(0)));
        assert_eq!(
            at("amqp.annotation.x-opt-enqueued-time >'200'"),
            Some(Start::At(2))
        );
        assert_eq!(
            at("amqp.annotation.x-opt-enqueued-time >='200'"),
            Some(Start::At(1))
        );
        assert_eq!(
            at("amqp.annotation.x-opt-enqueued-time >'999'"),
            Some(Start::At(3))
        );
        assert_eq!(at("amqp.annotation.x-opt-other > '1'"), None);
        assert_eq!(at("nonsense"), None);
    }

    #[test]
    fn consumer_addresses() {
        assert_eq!(
            consumer_path("pageviews/ConsumerGroups/analytics/Partitions/3"),
            Some(("pageviews".into(), "analytics".into(), "3".into()))
        );
        assert_eq!(consumer_path("pageviews/Partitions/3"), None);
    }
}
