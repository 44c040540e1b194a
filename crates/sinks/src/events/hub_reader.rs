//! Reading one hub of Event Hubs (or its emulator) with the official consumer
//! (`ConsumerClient`, one `EventReceiver` per partition) in a consumer group of the reader's
//! own, from a saved [`Position`] (the last sequence number read of each partition, exclusive)
//! or from the earliest event retained.
//!
//! Each partition's receiver runs in a task that forwards its events, in order, through one
//! bounded channel, so a slow reader holds the receivers back rather than buffering without
//! limit. "Caught up" compares what was read with each partition's last sequence number when
//! the reader opened: a process-and-exit run reads what was there and stops.

use std::collections::BTreeMap;
use std::fmt;
use std::time::{Duration, UNIX_EPOCH};

use azure_messaging_eventhubs::{ConsumerClient, OpenReceiverOptions, StartLocation, StartPosition};
use futures::StreamExt;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use super::eventhubs::{APPLICATION_ID, SignIn, open_client, remote};
use super::source::{EventSource, Mark, Position, ReadEvent};
use super::{EventHubsAuth, EventHubsTarget};
use crate::SinkError;
use crate::error::scrub;

/// Events buffered between the receivers and the reader.
const CHANNEL: usize = 8192;

type Item = Result<(ReadEvent, i64), SinkError>;

/// A reader of one hub.
pub struct HubReader {
    target: EventHubsTarget,
    hub: String,
    group: String,
    rx: mpsc::Receiver<Item>,
    tasks: JoinSet<()>,
    /// The last sequence number read, per partition.
    last: BTreeMap<u32, i64>,
    /// Each partition's last sequence number when the reader opened (-1: empty).
    end: BTreeMap<u32, i64>,
    caught_up: bool,
    client: Option<ConsumerClient>,
}

impl fmt::Debug for HubReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HubReader")
            .field("hub", &self.hub)
            .field("namespace", &self.target.namespace())
            .field("consumer_group", &self.group)
            .field("last", &self.last)
            .finish_non_exhaustive()
    }
}

impl HubReader {
    /// Connects to `hub` in consumer group `group` and starts a receiver on every partition
    /// from `position`. A wrong connection string, namespace, hub or consumer group fails here,
    /// naming the setting.
    pub async fn open(
        target: &EventHubsTarget,
        hub: &str,
        group: &str,
        position: &Position,
    ) -> Result<HubReader, SinkError> {
        target.validate()?;
        if matches!(target.auth, EventHubsAuth::ManagedIdentity { .. }) {
            crate::ca_certificates::require(target.setting)?;
        }
        let budget = target.retry.min(Duration::from_secs(60));
        let client = connect(target, hub, group, budget).await?;
        let fail = |what: String| remote(target, what, true);
        let ids = tokio::time::timeout(budget, client.get_eventhub_properties())
            .await
            .map_err(|_| fail(format!("no answer about the hub {hub:?} within {budget:?}")))?
            .map_err(|e| fail(format!("cannot read the hub {hub:?}: {}", scrub(&e.to_string()))))?
            .partition_ids;
        let mut last = BTreeMap::new();
        for (partition, mark) in &position.0 {
            match mark {
                Mark::Sequence(n) => {
                    last.insert(*partition, *n);
                }
                Mark::File { .. } => {
                    return Err(SinkError::config(
                        target.setting,
                        "the saved position is one of capture files; Event Hubs cannot go on from it",
                    ));
                }
            }
        }
        let (tx, rx) = mpsc::channel(CHANNEL);
        let mut tasks = JoinSet::new();
        let mut end = BTreeMap::new();
        for id in ids {
            let partition: u32 = id.parse().map_err(|_| {
                fail(format!(
                    "the hub {hub:?} has a partition id {id:?} that is not a number"
                ))
            })?;
            let properties = client.get_partition_properties(&id).await.map_err(|e| {
                fail(format!(
                    "cannot read partition {id} of {hub:?}: {}",
                    scrub(&e.to_string())
                ))
            })?;
            end.insert(
                partition,
                if properties.is_empty {
                    -1
                } else {
                    properties.last_enqueued_sequence_number
                },
            );
            let start = match last.get(&partition) {
                Some(n) => StartPosition {
                    location: StartLocation::SequenceNumber(*n),
                    inclusive: false,
                },
                None => StartPosition {
                    location: StartLocation::Earliest,
                    inclusive: false,
                },
            };
            let receiver = client
                .open_receiver_on_partition(
                    id.clone(),
                    Some(OpenReceiverOptions {
                        start_position: Some(start),
                        ..Default::default()
                    }),
                )
                .await
                .map_err(|e| {
                    fail(format!(
                        "cannot read partition {id} of {hub:?}: {}",
                        scrub(&e.to_string())
                    ))
                })?;
            let tx = tx.clone();
            let setting = target.setting;
            tasks.spawn(async move {
                let stream = receiver.stream_events();
                futures::pin_mut!(stream);
                while let Some(event) = stream.next().await {
                    let item = event
                        .map_err(|e| SinkError::Remote {
                            setting,
                            message: format!("reading partition {partition}: {}", scrub(&e.to_string())),
                            permanent: false,
                        })
                        .map(|e| {
                            let arrived = e
                                .enqueued_time()
                                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                                .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
                            let sequence = e.sequence_number().unwrap_or(-1);
                            let body = e.event_data().body().map(<[u8]>::to_vec).unwrap_or_default();
                            (
                                ReadEvent {
                                    partition,
                                    arrived,
                                    body,
                                },
                                sequence,
                            )
                        });
                    if tx.send(item).await.is_err() {
                        break;
                    }
                }
            });
        }
        tracing::info!(hub, consumer_group = group, namespace = %target.namespace(), partitions = end.len(), "reading Event Hubs");
        let mut reader = HubReader {
            target: target.clone(),
            hub: hub.to_owned(),
            group: group.to_owned(),
            rx,
            tasks,
            last,
            end,
            caught_up: false,
            client: Some(client),
        };
        reader.caught_up = reader.all_read();
        Ok(reader)
    }

    fn all_read(&self) -> bool {
        self.end
            .iter()
            .all(|(p, end)| self.last.get(p).copied().unwrap_or(-1) >= *end)
    }

    fn take(&mut self, item: Item, out: &mut Vec<ReadEvent>) -> Result<(), SinkError> {
        let (event, sequence) = item?;
        self.last.insert(event.partition, sequence);
        out.push(event);
        Ok(())
    }
}

impl EventSource for HubReader {
    async fn read(&mut self, max: usize, wait: Duration) -> Result<Vec<ReadEvent>, SinkError> {
        let mut out = Vec::new();
        if let Ok(Some(item)) = tokio::time::timeout(wait, self.rx.recv()).await {
            self.take(item, &mut out)?;
        }
        while out.len() < max.max(1) {
            match self.rx.try_recv() {
                Ok(item) => self.take(item, &mut out)?,
                Err(_) => break,
            }
        }
        self.caught_up = self.all_read();
        Ok(out)
    }

    fn position(&self) -> Position {
        Position(self.last.iter().map(|(p, n)| (*p, Mark::Sequence(*n))).collect())
    }

    fn caught_up(&self) -> bool {
        self.caught_up
    }

    fn partitions(&self) -> BTreeMap<u32, bool> {
        self.end
            .iter()
            .map(|(p, end)| (*p, self.last.get(p).copied().unwrap_or(-1) >= *end))
            .collect()
    }

    fn describe(&self) -> String {
        format!(
            "Event Hubs {}/{} (consumer group {})",
            self.target.namespace(),
            self.hub,
            self.group
        )
    }
}

impl Drop for HubReader {
    fn drop(&mut self) {
        self.tasks.abort_all();
        drop(self.client.take());
    }
}

async fn connect(
    target: &EventHubsTarget,
    hub: &str,
    group: &str,
    budget: Duration,
) -> Result<ConsumerClient, SinkError> {
    open_client(target, hub, budget, |retry, sign_in| async move {
        let mut builder = ConsumerClient::builder()
            .with_application_id(APPLICATION_ID.to_owned())
            .with_consumer_group(group.to_owned())
            .with_retry_options(retry);
        if let Some(endpoint) = &target.endpoint {
            builder = builder.with_custom_endpoint(endpoint.clone());
        }
        match sign_in {
            SignIn::ConnectionString(s) => builder.open_with_connection_string(&s, Some(hub)).await,
            SignIn::Token {
                namespace,
                credential,
            } => builder.open(&namespace, hub.to_owned(), credential).await,
        }
    })
    .await
}
