//! Where the events go, as configuration chose it: plain data, with no SDK behind it, so the
//! choice compiles (and is tested) whichever backends a binary links.

use std::fmt;
use std::num::{NonZeroU32, NonZeroUsize};
use std::path::PathBuf;
use std::time::Duration;

/// Which events backend, chosen by configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventTarget {
    /// JSON lines under `{root}/{hub}/{partition}/{yyyy}/{mm}/{dd}/{hh}/{mm}.json`.
    CaptureFiles {
        /// Root of all hubs.
        root: PathBuf,
        /// Partitions per hub (events are spread by a hash of the partition key).
        partitions: NonZeroU32,
        /// The setting that chose it, named in errors.
        setting: &'static str,
    },
    /// Azure Event Hubs or its emulator.
    EventHubs(EventHubsTarget),
}

impl EventTarget {
    /// The variable that chose this destination, named in its errors.
    pub fn setting(&self) -> &'static str {
        match self {
            EventTarget::CaptureFiles { setting, .. } => setting,
            EventTarget::EventHubs(e) => e.setting,
        }
    }
}

/// How the producer signs in.
#[derive(Clone, PartialEq, Eq)]
pub enum EventHubsAuth {
    /// A connection string with a shared access key or signature (the emulator, the Python
    /// version's per-hub strings). Never logged.
    ConnectionString(String),
    /// Entra ID through the managed identity: no secret in the container.
    ManagedIdentity {
        /// Fully qualified namespace, `NAME.servicebus.windows.net`.
        namespace: String,
        /// Client id of a user-assigned identity; `None` uses the system-assigned one.
        client_id: Option<String>,
    },
}

impl fmt::Debug for EventHubsAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventHubsAuth::ConnectionString(_) => f.write_str("ConnectionString(<redacted>)"),
            EventHubsAuth::ManagedIdentity { namespace, client_id } => f
                .debug_struct("ManagedIdentity")
                .field("namespace", namespace)
                .field("client_id", client_id)
                .finish(),
        }
    }
}

/// Where and how to send events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventHubsTarget {
    /// Credentials and namespace.
    pub auth: EventHubsAuth,
    /// `amqp://host:5672` for the emulator or a test peer (plain TCP); `None` for Azure.
    pub endpoint: Option<String>,
    /// Most batches awaiting acknowledgement at once.
    pub in_flight: NonZeroUsize,
    /// How long failures are retried (reconnecting) before the service gives up.
    pub retry: Duration,
    /// The variable that chose this destination, for errors.
    pub setting: &'static str,
}
