//! `playground-users`: users.json and vip.json into the lake.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use playground_service::{Failure, ServiceInfo, targets};
use playground_users::{Config, SETTINGS};

const INFO: ServiceInfo = ServiceInfo {
    name: "playground-users",
    about: "Generates users (Czech by default) into the lake as users/users.json (JSON lines) and \
            the VIP list as users/vip.json. Deterministic from SEED; resumes after a kill.",
    settings: &[SETTINGS, targets::LAKE_SETTINGS, targets::DATA_SETTINGS],
};

fn main() -> ExitCode {
    playground_service::main(&INFO, |shutdown| async move {
        let vars = playground_service::vars(&INFO)?;
        let cfg = Config::from_vars(vars.clone())?;
        let sink = targets::open_lake(&vars).await?;
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
