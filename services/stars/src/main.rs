//! `playground-stars`: star ratings, forever (or for RUN_SECONDS).

use std::process::ExitCode;

use anyhow::Context;
use playground_service::stream::{self, StreamSettings};
use playground_service::{Failure, ServiceInfo, targets};

const INFO: ServiceInfo = ServiceInfo {
    name: "playground-stars",
    about: "Sends star ratings (1-5), given in about one session in 50 by that session's user a little \
            after its pageviews, until RUN_SECONDS or SIGTERM. Same timeline as playground-pageviews.",
    settings: &[
        stream::SETTINGS,
        targets::DATA_SETTINGS,
        targets::EVENTS_SETTINGS,
        targets::STARS_HUB_SETTINGS,
    ],
};

fn main() -> ExitCode {
    playground_service::main(&INFO, |shutdown| async move {
        let vars = playground_service::vars(&INFO)?;
        let settings = StreamSettings::from_vars(vars.clone(), false)?;
        let mut sink = targets::open_events(&vars, playground_stars::HUB).await?;
        playground_stars::run(&settings, &mut sink, &shutdown)
            .await
            .context("sending stars")
            .map_err(Failure::run)?;
        Ok(())
    })
}
