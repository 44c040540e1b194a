//! `playground-stars`: star ratings, forever (or for RUN_SECONDS).

use std::process::ExitCode;

use anyhow::Context;
use playground_runtime::stream::StreamSettings;
use playground_runtime::{Failure, events};
use playground_stars::{HUB, INFO};

fn main() -> ExitCode {
    playground_runtime::main(&INFO, |env, shutdown| async move {
        let settings = StreamSettings::read(&env, HUB)?;
        let mut sink = events::open(&env, HUB).await?;
        playground_stars::run(&settings, &mut sink, &shutdown)
            .await
            .context("sending stars")
            .map_err(Failure::run)?;
        Ok(())
    })
}
