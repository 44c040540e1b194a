//! `playground-products`: one JSON file per product into the lake.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use playground_products::{Config, SETTINGS};
use playground_service::{Failure, ServiceInfo, targets};

const INFO: ServiceInfo = ServiceInfo {
    name: "playground-products",
    about: "Generates products into the lake as products/product_{id}.json, one object per file. \
            Deterministic from SEED; a restart skips the files that exist.",
    settings: &[SETTINGS, targets::LAKE_SETTINGS, targets::DATA_SETTINGS],
};

fn main() -> ExitCode {
    playground_service::main(&INFO, |shutdown| async move {
        let vars = playground_service::vars(&INFO)?;
        let cfg = Config::from_vars(vars.clone())?;
        let sink = targets::open_lake(&vars).await?;
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
