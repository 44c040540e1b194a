//! `playground-items`: the items table.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use playground_items::{Config, INFO};
use playground_runtime::{Failure, table};

fn main() -> ExitCode {
    playground_runtime::main(&INFO, |env, shutdown| async move {
        let cfg = Config::read(&env)?;
        let sink = table::open(&env).await?;
        let loaded = playground_items::run(&cfg, Arc::new(sink), &shutdown)
            .await
            .context("writing items")
            .map_err(Failure::run)?;
        if loaded.interrupted {
            return Err(Failure::Interrupted);
        }
        Ok(())
    })
}
