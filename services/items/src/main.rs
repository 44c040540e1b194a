//! `playground-items`: the items table.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use playground_items::{Config, SETTINGS};
use playground_service::{Failure, ServiceInfo, targets};

const INFO: ServiceInfo = ServiceInfo {
    name: "playground-items",
    about: "Generates the items of every order into the table items(orderId, rowId, productId), \
            1-10 per order. Deterministic from SEED; a restart skips the chunks already written.",
    settings: &[SETTINGS, targets::TABLE_SETTINGS, targets::DATA_SETTINGS],
};

fn main() -> ExitCode {
    playground_service::main(&INFO, |shutdown| async move {
        let vars = playground_service::vars(&INFO)?;
        let cfg = Config::from_vars(vars.clone())?;
        let sink = targets::open_table(&vars).await?;
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
