//! The stars service: star ratings given in about one session in 50, by that session's user,
//! shortly after its last pageview. It derives the sessions from the same timeline as the
//! pageviews service, without talking to it.

use playground_model::Stars;
use playground_service::Shutdown;
use playground_service::pump::Pumped;
use playground_service::stream::{self, StreamSettings};
use playground_sinks::SinkError;
use playground_sinks::events::EventSink;

/// The event hub (and capture directory) name.
pub const HUB: &str = "stars";

/// Sends stars until `RUN_SECONDS` or shutdown.
pub async fn run<S: EventSink>(
    settings: &StreamSettings,
    sink: &mut S,
    shutdown: &Shutdown,
) -> Result<Pumped, SinkError> {
    stream::run::<Stars, S>(HUB, settings, sink, shutdown).await
}
