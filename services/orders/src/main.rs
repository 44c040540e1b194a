//! `playground-orders`: the orders table.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use playground_orders::{Config, INFO};
use playground_runtime::{Failure, table};

fn main() -> ExitCode {
    playground_runtime::main(&INFO, |env, shutdown| async move {
        let cfg = Config::read(&env)?;
        let sink = table::open(&env).await?;
        let loaded = playground_orders::run(&cfg, Arc::new(sink), &shutdown)
            .await
            .context("writing orders")
            .map_err(Failure::run)?;
        if loaded.interrupted {
            return Err(Failure::Interrupted);
        }
        Ok(())
    })
}
