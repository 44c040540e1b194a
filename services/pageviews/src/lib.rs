//! The pageviews service: an endless stream of pageview events, sessions of 1–30 views by one
//! user, at a configurable rate. Its settings and loop are shared with the stars service
//! ([`playground_runtime::stream`]); this crate picks the pageviews of the timeline.

use playground_model::Pageviews;
use playground_runtime::pump::Pumped;
use playground_runtime::stream::StreamSettings;
use playground_runtime::{ServiceInfo, Shutdown, events, stream};
use playground_sinks::SinkError;
use playground_sinks::events::{EventSink, Hub};

/// The event hub (and capture directory) this service sends to.
pub const HUB: Hub = Hub::Pageviews;

/// Who the service is, for `--help` and logs.
pub const INFO: ServiceInfo = ServiceInfo {
    name: "playground-pageviews",
    about: "Sends pageview events (sessions of 1-30 views by one user) at SESSIONS_PER_SECOND until \
            RUN_SECONDS or SIGTERM. Deterministic from SEED and the wall-clock second.",
    settings: &[
        stream::SETTINGS,
        stream::PAGEVIEW_SETTINGS,
        events::PAGEVIEWS_SETTINGS,
    ],
};

/// Sends pageviews until `RUN_SECONDS` or shutdown.
pub async fn run<S: EventSink>(
    settings: &StreamSettings,
    sink: &mut S,
    shutdown: &Shutdown,
) -> Result<Pumped, SinkError> {
    stream::run::<Pageviews, S>(HUB, settings, sink, shutdown).await
}
