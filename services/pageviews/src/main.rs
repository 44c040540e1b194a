//! `playground-pageviews`: pageview events, forever (or for RUN_SECONDS).

use std::process::ExitCode;

use anyhow::Context;
use playground_service::stream::{self, StreamSettings};
use playground_service::{Failure, ServiceInfo, targets};

const INFO: ServiceInfo = ServiceInfo {
    name: "playground-pageviews",
    about: "Sends pageview events (sessions of 1-30 views by one user) at SESSIONS_PER_SECOND until \
            RUN_SECONDS or SIGTERM. Deterministic from SEED and the wall-clock second.",
    settings: &[
        stream::SETTINGS,
        stream::PAGEVIEW_SETTINGS,
        targets::DATA_SETTINGS,
        targets::EVENTS_SETTINGS,
        targets::PAGEVIEWS_HUB_SETTINGS,
    ],
};

fn main() -> ExitCode {
    playground_service::main(&INFO, |shutdown| async move {
        let vars = playground_service::vars(&INFO)?;
        let settings = StreamSettings::from_vars(vars.clone(), true)?;
        let mut sink = targets::open_events(&vars, playground_pageviews::HUB).await?;
        playground_pageviews::run(&settings, &mut sink, &shutdown)
            .await
            .context("sending pageviews")
            .map_err(Failure::run)?;
        Ok(())
    })
}
