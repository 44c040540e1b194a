//! Events on Azure Event Hubs, or its emulator, through the official producer
//! (`azure_messaging_eventhubs`).
//!
//! Each event carries its deterministic id as AMQP message id. Events are grouped by partition
//! (the same FNV hash of the user id as the capture files, over the hub's partition ids) and
//! packed into batches filled to the link's size limit with `create_batch` / `try_add`, so one
//! user's events share a partition and stay in order. They carry no `x-opt-partition-key`: the
//! service places a keyed event by its own hash of the key, which our partition choice does
//! not follow, and Event Hubs' maintainers call sending both a partition and a key a service
//! limitation (docs/decisions.md). The user id is in every body for consumers that need it.
//!
//! One batch per partition is in flight at a time, so one user's events stay in order, and at
//! most `in_flight` partitions send at once. `send` returns when every batch is acknowledged,
//! so a slow hub holds the generator back and memory stays bounded. A failed batch is resent
//! (after the client's own retries, on a fresh connection, with backoff) until the retry
//! budget runs out: delivery is at-least-once, and consumers drop duplicates by id.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use azure_core::credentials::TokenCredential;
use azure_core_amqp::AmqpMessage;
use azure_messaging_eventhubs::models::EventData;
use azure_messaging_eventhubs::{ConnectionString, EventDataBatchOptions, ProducerClient, RetryOptions};
use futures::StreamExt;

use super::{EventHubsAuth, EventHubsTarget, EventRecord, EventSink, partition_of};
use crate::SinkError;
use crate::error::scrub;

/// How long one batch may wait for its acknowledgement. The producer (0.16) does not notice a
/// connection reset while a send is outstanding and would wait forever; after this the batch
/// is resent on a new connection. Event Hubs acknowledges in milliseconds when healthy.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);

impl EventHubsTarget {
    /// The namespace host, for logs: never contains a key.
    pub fn namespace(&self) -> String {
        match &self.auth {
            EventHubsAuth::ConnectionString(s) => ConnectionString::from_str(s)
                .map(|c| c.fully_qualified_namespace)
                .unwrap_or_else(|_| "<unparsable connection string>".to_owned()),
            EventHubsAuth::ManagedIdentity { namespace, .. } => namespace.clone(),
        }
    }

    /// Checks what can be checked without the network: the connection string's form.
    pub fn validate(&self) -> Result<(), SinkError> {
        if let EventHubsAuth::ConnectionString(s) = &self.auth {
            ConnectionString::from_str(s).map_err(|e| {
                SinkError::config(
                    self.setting,
                    format!("not a valid connection string: {}", scrub(&e.to_string())),
                )
            })?;
        }
        Ok(())
    }
}

/// A producer for one hub.
pub struct EventHubs {
    target: EventHubsTarget,
    hub: String,
    producer: Option<ProducerClient>,
    partitions: Vec<String>,
    /// Batches and resends so far, for logs and tests.
    resends: u64,
}

impl fmt::Debug for EventHubs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventHubs")
            .field("hub", &self.hub)
            .field("namespace", &self.target.namespace())
            .field("partitions", &self.partitions)
            .finish()
    }
}

impl EventHubs {
    /// Connects, signs in and reads the hub's partitions, so a wrong connection string,
    /// namespace or endpoint fails here, naming the setting, before anything is generated.
    pub async fn open(target: &EventHubsTarget, hub: &str) -> Result<EventHubs, SinkError> {
        target.validate()?;
        if matches!(target.auth, EventHubsAuth::ManagedIdentity { .. }) {
            // The identity's token comes over HTTPS from the Azure client.
            crate::ca_certificates::require(target.setting)?;
        }
        // Starting up is worth a shorter wait than a running stream: a stack that is still
        // coming up gets a minute, a typo is reported without waiting five.
        let budget = target.retry.min(Duration::from_secs(60));
        let producer = connect(target, hub, budget).await?;
        let partitions = match tokio::time::timeout(budget, producer.get_eventhub_properties()).await {
            Ok(Ok(p)) => p.partition_ids,
            Ok(Err(e)) => {
                return Err(remote(
                    target,
                    format!("cannot read the hub {hub:?}: {}", scrub(&e.to_string())),
                    true,
                ));
            }
            Err(_) => {
                return Err(remote(
                    target,
                    format!("no answer about the hub {hub:?} within {budget:?}"),
                    true,
                ));
            }
        };
        if partitions.is_empty() {
            return Err(remote(
                target,
                format!("the hub {hub:?} reports no partitions"),
                true,
            ));
        }
        tracing::info!(hub, namespace = %target.namespace(), partitions = partitions.len(), "connected to Event Hubs");
        Ok(EventHubs {
            target: target.clone(),
            hub: hub.to_owned(),
            producer: Some(producer),
            partitions,
            resends: 0,
        })
    }

    /// Batches resent after a failure so far.
    pub fn resends(&self) -> u64 {
        self.resends
    }

    async fn reconnect(&mut self) -> Result<(), SinkError> {
        if let Some(old) = self.producer.take() {
            // A dead connection may never answer the close.
            let _ = tokio::time::timeout(Duration::from_secs(2), old.close()).await;
        }
        self.producer = Some(connect(&self.target, &self.hub, self.target.retry).await?);
        Ok(())
    }
}

/// Opens a producer, giving up after `budget`.
async fn connect(target: &EventHubsTarget, hub: &str, budget: Duration) -> Result<ProducerClient, SinkError> {
    open_client(target, hub, budget, |retry, sign_in| async move {
        let mut builder = ProducerClient::builder()
            .with_application_id(APPLICATION_ID.to_owned())
            .with_retry_options(retry);
        if let Some(endpoint) = &target.endpoint {
            builder = builder.with_custom_endpoint(endpoint.clone());
        }
        match sign_in {
            SignIn::ConnectionString(s) => builder.open_with_connection_string(&s, Some(hub)).await,
            SignIn::Token {
                namespace,
                credential,
            } => builder.open(&namespace, hub, credential).await,
        }
    })
    .await
}

/// The application id the clients send, shown in the namespace's diagnostics.
pub(crate) const APPLICATION_ID: &str = "data-playground";

/// How a client signs in, as [`open_client`] hands it to the client's builder.
pub(crate) enum SignIn {
    /// A connection string (never logged).
    ConnectionString(String),
    /// Entra ID through the managed identity.
    Token {
        /// `NAME.servicebus.windows.net`.
        namespace: String,
        /// The identity's credential.
        credential: Arc<dyn TokenCredential>,
    },
}

/// Opens an Event Hubs client (producer or consumer: `open` builds it) with the playground's
/// retry options and sign-in, giving up after `budget` with an error naming the setting.
pub(crate) async fn open_client<C, Fut>(
    target: &EventHubsTarget,
    hub: &str,
    budget: Duration,
    open: impl FnOnce(RetryOptions, SignIn) -> Fut,
) -> Result<C, SinkError>
where
    Fut: std::future::Future<Output = Result<C, azure_messaging_eventhubs::EventHubsError>>,
{
    crate::tls::install_provider();
    let step = azure_core::time::Duration::try_from(budget.min(Duration::from_secs(30)))
        .unwrap_or(azure_core::time::Duration::seconds(30));
    let retry = RetryOptions {
        initial_delay: azure_core::time::Duration::milliseconds(200),
        max_delay: azure_core::time::Duration::seconds(5),
        max_total_elapsed: step,
        max_retries: 8,
    };
    let opening = async {
        let sign_in = match &target.auth {
            EventHubsAuth::ConnectionString(s) => SignIn::ConnectionString(s.clone()),
            EventHubsAuth::ManagedIdentity { namespace, client_id } => {
                let options = azure_identity::ManagedIdentityCredentialOptions {
                    user_assigned_id: client_id.clone().map(azure_identity::UserAssignedId::ClientId),
                    ..Default::default()
                };
                let credential: Arc<dyn TokenCredential> =
                    azure_identity::ManagedIdentityCredential::new(Some(options))
                        .map_err(azure_messaging_eventhubs::EventHubsError::from)?;
                SignIn::Token {
                    namespace: namespace.clone(),
                    credential,
                }
            }
        };
        open(retry, sign_in).await
    };
    let where_ = match &target.endpoint {
        Some(e) => format!("{} through {e}", target.namespace()),
        None => target.namespace(),
    };
    match tokio::time::timeout(budget, opening).await {
        Ok(Ok(p)) => Ok(p),
        Ok(Err(e)) => Err(remote(
            target,
            format!(
                "cannot open the hub {hub:?} at {where_}: {}",
                scrub(&e.to_string())
            ),
            true,
        )),
        Err(_) => Err(remote(
            target,
            format!("no connection to the hub {hub:?} at {where_} within {budget:?}"),
            true,
        )),
    }
}

pub(crate) fn remote(target: &EventHubsTarget, message: String, permanent: bool) -> SinkError {
    SinkError::Remote {
        setting: target.setting,
        message,
        permanent,
    }
}

/// The AMQP message of one event: JSON body and id; no partition key (the module docs say why).
fn message(r: &EventRecord) -> AmqpMessage {
    let data = EventData::builder()
        .with_body(r.body.clone())
        .with_content_type("application/json".to_owned())
        .with_message_id(r.id.clone())
        .build();
    AmqpMessage::from(data)
}

/// Sends `records` (all of one partition) in order, in batches filled to the size limit.
/// Acknowledged records are removed from the front, so on error `records` holds what is left.
async fn send_partition(
    producer: &ProducerClient,
    partition: &str,
    records: &mut Vec<EventRecord>,
) -> Result<u64, String> {
    let mut batches = 0;
    while !records.is_empty() {
        let options = EventDataBatchOptions {
            partition_id: Some(partition.to_owned()),
            ..Default::default()
        };
        let batch = match tokio::time::timeout(SEND_TIMEOUT, producer.create_batch(Some(options))).await {
            Ok(batch) => batch.map_err(|e| format!("create a batch: {e}"))?,
            Err(_) => return Err(format!("no sender link within {SEND_TIMEOUT:?}")),
        };
        let mut taken = 0;
        for r in records.iter() {
            if !batch
                .try_add_amqp_message(message(r), None)
                .map_err(|e| format!("add to a batch: {e}"))?
            {
                break;
            }
            taken += 1;
        }
        if taken == 0 {
            return Err(format!(
                "event {} ({} bytes) is larger than the hub's message size limit",
                records[0].id,
                records[0].body.len()
            ));
        }
        match tokio::time::timeout(SEND_TIMEOUT, producer.send_batch(batch, None)).await {
            Ok(sent) => sent.map_err(|e| format!("send a batch: {e}"))?,
            Err(_) => return Err(format!("no acknowledgement within {SEND_TIMEOUT:?}")),
        }
        records.drain(..taken);
        batches += 1;
    }
    Ok(batches)
}

impl EventSink for EventHubs {
    async fn send(&mut self, batch: Vec<EventRecord>) -> Result<(), SinkError> {
        let n = self.partitions.len() as u32;
        let mut groups: Vec<Vec<EventRecord>> = vec![Vec::new(); self.partitions.len()];
        for r in batch {
            let p = partition_of(&r.partition_key, n) as usize;
            groups[p].push(r);
        }
        let deadline = Instant::now() + self.target.retry;
        let mut backoff = Duration::from_millis(250);
        loop {
            let Some(producer) = self.producer.as_ref() else {
                self.reconnect().await?;
                continue;
            };
            let partitions = &self.partitions;
            // Built before awaiting: closures held across an await trip the Send check.
            let mut sends = Vec::new();
            for (p, g) in groups.iter_mut().enumerate() {
                if !g.is_empty() {
                    sends.push(send_partition(producer, &partitions[p], g));
                }
            }
            let results: Vec<Result<u64, String>> = futures::stream::iter(sends)
                .buffer_unordered(self.target.in_flight.get())
                .collect()
                .await;
            let failures: Vec<String> = results.into_iter().filter_map(Result::err).collect();
            let Some(first) = failures.first() else {
                return Ok(());
            };
            let left: usize = groups.iter().map(Vec::len).sum();
            let message = scrub(first);
            if Instant::now() + backoff > deadline {
                return Err(remote(
                    &self.target,
                    format!(
                        "{} events to {:?} not acknowledged after {:?}: {message}",
                        left, self.hub, self.target.retry
                    ),
                    false,
                ));
            }
            tracing::warn!(hub = %self.hub, events = left, error = %message, "send failed; reconnecting and resending");
            self.resends += 1;
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(10));
            // A client whose own retries ran out may hold a broken link: start afresh.
            if let Err(e) = self.reconnect().await {
                if Instant::now() > deadline {
                    return Err(e);
                }
                tracing::warn!(hub = %self.hub, error = %e, "reconnect failed; retrying");
            }
        }
    }

    async fn close(&mut self) -> Result<(), SinkError> {
        if let Some(p) = self.producer.take() {
            match tokio::time::timeout(Duration::from_secs(10), p.close()).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => tracing::warn!(hub = %self.hub, error = %scrub(&e.to_string()), "close failed"),
                Err(_) => tracing::warn!(hub = %self.hub, "close timed out"),
            }
        }
        Ok(())
    }

    fn describe(&self) -> String {
        match &self.target.endpoint {
            Some(e) => format!(
                "event hub {} on {} through {e}",
                self.hub,
                self.target.namespace()
            ),
            None => format!("event hub {} on {}", self.hub, self.target.namespace()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::num::NonZeroUsize;

    fn target(auth: EventHubsAuth) -> EventHubsTarget {
        EventHubsTarget {
            auth,
            endpoint: None,
            in_flight: NonZeroUsize::new(4).expect("4 > 0"),
            retry: Duration::from_secs(1),
            setting: "THE_SETTING",
        }
    }

    #[test]
    fn debug_and_namespace_never_show_the_key() {
        let t = target(EventHubsAuth::ConnectionString(
            "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=S3CRET="
                .into(),
        ));
        assert!(!format!("{t:?}").contains("S3CRET"));
        assert_eq!(t.namespace(), "ns.servicebus.windows.net");
        t.validate().expect("valid");
    }

    #[test]
    fn a_malformed_connection_string_names_the_setting_without_echoing_it() {
        let t = target(EventHubsAuth::ConnectionString(
            "SharedAccessKey=S3CRET;nonsense".into(),
        ));
        let e = t.validate().expect_err("malformed");
        let text = e.to_string();
        assert!(text.starts_with("THE_SETTING: "), "{text}");
        assert!(!text.contains("S3CRET"), "{text}");
    }

    #[test]
    fn a_message_carries_id_and_body_and_no_partition_key() {
        let r = EventRecord {
            id: "pv-1".into(),
            partition_key: "17".into(),
            sent_at: 0,
            body: br#"{"a":1}"#.to_vec(),
        };
        let m = message(&r);
        let text = format!("{m:?}");
        assert!(text.contains("pv-1"), "{text}");
        assert!(!text.contains("x-opt-partition-key"), "{text}");
    }
}
