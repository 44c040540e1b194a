//! Event streams: `pageviews` and `stars`.
//!
//! Delivery is at-least-once. Every record carries a deterministic id, so consumers drop
//! duplicates by it; the partition key is the user id, so one user's events stay in order.

pub mod capture_files;
pub mod eventhubs;

use std::future::Future;
use std::path::PathBuf;

use playground_model::Millis;

use crate::SinkError;

/// One event ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRecord {
    /// Deterministic id (also inside the body as `event_id`).
    pub id: String,
    /// Events with one key go to one partition, in order.
    pub partition_key: String,
    /// When the event was due to be sent; capture files are laid out by it.
    pub sent_at: Millis,
    /// The JSON body.
    pub body: Vec<u8>,
}

/// A destination for events.
pub trait EventSink: Send {
    /// Sends `batch`; when this returns `Ok`, every event in it is durably accepted.
    fn send(&mut self, batch: Vec<EventRecord>) -> impl Future<Output = Result<(), SinkError>> + Send;

    /// Flushes and releases resources at shutdown.
    fn close(&mut self) -> impl Future<Output = Result<(), SinkError>> + Send;

    /// Where the events go, for logs (never contains a secret).
    fn describe(&self) -> String;
}

/// Which events backend, chosen by configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventsTarget {
    /// JSON lines under `{root}/{hub}/{partition}/{yyyy}/{mm}/{dd}/{hh}/{mm}.json`.
    CaptureFiles {
        /// Root of all hubs.
        root: PathBuf,
        /// Partitions per hub (events are spread by a hash of the partition key).
        partitions: u32,
    },
    /// Azure Event Hubs or its emulator.
    EventHubs(eventhubs::EventHubsTarget),
}

/// The configured events backend.
#[derive(Debug)]
pub enum EventsBackend {
    /// Local JSON-lines files.
    CaptureFiles(capture_files::CaptureFiles),
    /// Azure Event Hubs or its emulator.
    EventHubs(Box<eventhubs::EventHubs>),
}

impl EventsBackend {
    /// Opens `target` for the hub `hub` (`pageviews` or `stars`).
    pub async fn open(target: &EventsTarget, hub: &str) -> Result<EventsBackend, SinkError> {
        match target {
            EventsTarget::CaptureFiles { root, partitions } => Ok(EventsBackend::CaptureFiles(
                capture_files::CaptureFiles::open(root.join(hub), *partitions)?,
            )),
            EventsTarget::EventHubs(t) => Ok(EventsBackend::EventHubs(Box::new(
                eventhubs::EventHubs::open(t, hub).await?,
            ))),
        }
    }
}

impl EventSink for EventsBackend {
    async fn send(&mut self, batch: Vec<EventRecord>) -> Result<(), SinkError> {
        match self {
            EventsBackend::CaptureFiles(s) => s.send(batch).await,
            EventsBackend::EventHubs(s) => s.send(batch).await,
        }
    }
    async fn close(&mut self) -> Result<(), SinkError> {
        match self {
            EventsBackend::CaptureFiles(s) => s.close().await,
            EventsBackend::EventHubs(s) => s.close().await,
        }
    }
    fn describe(&self) -> String {
        match self {
            EventsBackend::CaptureFiles(s) => s.describe(),
            EventsBackend::EventHubs(s) => s.describe(),
        }
    }
}
