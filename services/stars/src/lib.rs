//! The stars service: star ratings given in about one session in 50, by that session's user,
//! shortly after its last pageview. It derives the sessions from the same timeline as the
//! pageviews service, without talking to it.

use playground_model::Stars;
use playground_runtime::pump::Pumped;
use playground_runtime::stream::StreamSettings;
use playground_runtime::{ServiceInfo, Shutdown, events, stream};
use playground_sinks::SinkError;
use playground_sinks::events::{EventSink, Hub};

/// The event hub (and capture directory) this service sends to.
pub const HUB: Hub = Hub::Stars;

/// Who the service is, for `--help` and logs.
pub const INFO: ServiceInfo = ServiceInfo {
    name: "playground-stars",
    about: "Sends star ratings (1-5), given in about one session in 50 by that session's user a little \
            after its pageviews, until RUN_SECONDS or SIGTERM. Same timeline as playground-pageviews.",
    settings: &[stream::SETTINGS, events::STARS_SETTINGS],
};

/// Sends stars until `RUN_SECONDS` or shutdown.
pub async fn run<S: EventSink>(
    settings: &StreamSettings,
    sink: &mut S,
    shutdown: &Shutdown,
) -> Result<Pumped, SinkError> {
    stream::run::<Stars, S>(HUB, settings, sink, shutdown).await
}
