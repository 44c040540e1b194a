//! `playground-pageviews`: pageview events, forever (or for RUN_SECONDS).

use std::process::ExitCode;

use anyhow::Context;
use playground_pageviews::{HUB, INFO};
use playground_runtime::stream::StreamSettings;
use playground_runtime::{Failure, events};

fn main() -> ExitCode {
    playground_runtime::main(&INFO, |env, shutdown| async move {
        let settings = StreamSettings::read(&env, HUB)?;
        let mut sink = events::open(&env, HUB).await?;
        playground_pageviews::run(&settings, &mut sink, &shutdown)
            .await
            .context("sending pageviews")
            .map_err(Failure::run)?;
        Ok(())
    })
}
