//! `playground-products`: one JSON file per product into the lake.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use playground_products::{Config, INFO};
use playground_runtime::{Failure, lake};

fn main() -> ExitCode {
    playground_runtime::main(&INFO, |env, shutdown| async move {
        let cfg = Config::read(&env)?;
        let sink = lake::open(&env).await?;
        let summary = playground_products::run(&cfg, Arc::new(sink), &shutdown)
            .await
            .context("writing products")
            .map_err(Failure::run)?;
        if summary.interrupted {
            return Err(Failure::Interrupted);
        }
        Ok(())
    })
}
