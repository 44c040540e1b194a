//! The pageviews service: an endless stream of pageview events, sessions of 1–30 views by one
//! user, at a configurable rate. Its settings and loop are shared with the stars service
//! ([`playground_service::stream`]); this crate picks the pageviews of the timeline.

use playground_model::Pageviews;
use playground_service::Shutdown;
use playground_service::pump::Pumped;
use playground_service::stream::{self, StreamSettings};
use playground_sinks::SinkError;
use playground_sinks::events::EventSink;

/// The event hub (and capture directory) name.
pub const HUB: &str = "pageviews";

/// Sends pageviews until `RUN_SECONDS` or shutdown.
pub async fn run<S: EventSink>(
    settings: &StreamSettings,
    sink: &mut S,
    shutdown: &Shutdown,
) -> Result<Pumped, SinkError> {
    stream::run::<Pageviews, S>(HUB, settings, sink, shutdown).await
}
