//! `playground-users`: users.json and vip.json into the lake.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use playground_runtime::{Failure, lake};
use playground_users::{Config, INFO};

fn main() -> ExitCode {
    playground_runtime::main(&INFO, |env, shutdown| async move {
        let cfg = Config::read(&env)?;
        let sink = lake::open(&env).await?;
        let summary = playground_users::run(&cfg, Arc::new(sink), &shutdown)
            .await
            .context("writing users")
            .map_err(Failure::run)?;
        if summary.is_none() {
            return Err(Failure::Interrupted);
        }
        Ok(())
    })
}
