//! Event streams: `pageviews` and `stars`.
//!
//! Delivery is at-least-once. Every record carries a deterministic id, so consumers drop
//! duplicates by it; the partition key is the user id, so one user's events stay in order.

pub mod capture_files;
pub mod capture_reader;
#[cfg(feature = "eventhubs")]
pub mod eventhubs;
#[cfg(feature = "eventhubs")]
pub mod hub_reader;
mod source;
mod target;

use std::fmt;
use std::future::Future;

pub use source::{EventSource, Mark, Position, ReadEvent};
pub use target::{EventHubsAuth, EventHubsTarget, EventTarget};

use playground_model::Millis;

use crate::SinkError;

/// The two event streams: each is a hub in Event Hubs and a directory of capture files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Hub {
    /// Pageviews, sessions of 1-30 views by one user.
    Pageviews,
    /// Star ratings of products.
    Stars,
}

impl Hub {
    /// The hub's name, also its capture directory: `pageviews` or `stars`.
    pub fn name(self) -> &'static str {
        match self {
            Hub::Pageviews => "pageviews",
            Hub::Stars => "stars",
        }
    }
}

impl fmt::Display for Hub {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The partition of `key` among `partitions`: FNV-1a, stable across runs and platforms. Both
/// backends place events by it, so one user's events share a partition wherever they go.
pub fn partition_of(key: &str, partitions: u32) -> u32 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    (h % u64::from(partitions.max(1))) as u32
}

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

/// The configured events backend.
#[derive(Debug)]
pub enum EventBackend {
    /// Local JSON-lines files.
    CaptureFiles(capture_files::CaptureFiles),
    /// Azure Event Hubs or its emulator.
    #[cfg(feature = "eventhubs")]
    EventHubs(Box<eventhubs::EventHubs>),
}

impl EventBackend {
    /// Opens `target` for `hub`. A backend this binary was built without (cargo feature
    /// `eventhubs`) is a configuration error naming the setting that chose it.
    pub async fn open(target: &EventTarget, hub: Hub) -> Result<EventBackend, SinkError> {
        match target {
            EventTarget::CaptureFiles {
                root,
                partitions,
                setting,
            } => Ok(EventBackend::CaptureFiles(capture_files::CaptureFiles::open(
                root.join(hub.name()),
                *partitions,
                setting,
            )?)),
            #[cfg(feature = "eventhubs")]
            EventTarget::EventHubs(t) => Ok(EventBackend::EventHubs(Box::new(
                eventhubs::EventHubs::open(t, hub.name()).await?,
            ))),
            #[cfg(not(feature = "eventhubs"))]
            EventTarget::EventHubs(t) => Err(crate::error::not_built(t.setting, "eventhubs")),
        }
    }
}

impl EventSink for EventBackend {
    async fn send(&mut self, batch: Vec<EventRecord>) -> Result<(), SinkError> {
        match self {
            EventBackend::CaptureFiles(s) => s.send(batch).await,
            #[cfg(feature = "eventhubs")]
            EventBackend::EventHubs(s) => s.send(batch).await,
        }
    }
    async fn close(&mut self) -> Result<(), SinkError> {
        match self {
            EventBackend::CaptureFiles(s) => s.close().await,
            #[cfg(feature = "eventhubs")]
            EventBackend::EventHubs(s) => s.close().await,
        }
    }
    fn describe(&self) -> String {
        match self {
            EventBackend::CaptureFiles(s) => s.describe(),
            #[cfg(feature = "eventhubs")]
            EventBackend::EventHubs(s) => s.describe(),
        }
    }
}
