//! `playground-orders`: the orders table.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use playground_orders::{Config, SETTINGS};
use playground_service::{Failure, ServiceInfo, targets};

const INFO: ServiceInfo = ServiceInfo {
    name: "playground-orders",
    about: "Generates orders into the table orders(orderId, userId, orderDate, orderValue). \
            Deterministic from SEED; a restart skips the chunks already written.",
    settings: &[SETTINGS, targets::TABLE_SETTINGS, targets::DATA_SETTINGS],
};

fn main() -> ExitCode {
    playground_service::main(&INFO, |shutdown| async move {
        let vars = playground_service::vars(&INFO)?;
        let cfg = Config::from_vars(vars.clone())?;
        let sink = targets::open_table(&vars).await?;
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
