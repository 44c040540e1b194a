//! `playground-silver`: the copy and the silver notebook, locally; `playground-silver query
//! "SQL"` looks at the tables.

use std::process::ExitCode;

use anyhow::anyhow;
use playground_runtime::settings::ConfigError;
use playground_runtime::{Failure, lake, table};
use playground_silver::config::{Config, INFO, QUERY_INFO};
use playground_silver::query::query;
use playground_silver::run::{RunError, run};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    if args.next().as_deref() == Some("query") {
        let sql: Vec<String> = args.collect();
        return playground_runtime::main_with_args(&QUERY_INFO, 1, |env, _shutdown| async move {
            let sql = sql.join(" ");
            if sql.trim().is_empty() {
                return Err(Failure::run(anyhow!(
                    "usage: playground-silver query \"SELECT ...\""
                )));
            }
            let target = lake::target(&env, chrono::Utc::now())?;
            let text = query(&target, &sql)
                .await
                .map_err(|e| Failure::run(anyhow::Error::new(e).context("running the query")))?;
            println!("{text}");
            Ok(())
        });
    }
    playground_runtime::main(&INFO, |env, _shutdown| async move {
        let cfg = Config::read(&env)?;
        let lake = lake::target(&env, chrono::Utc::now())?;
        let tables = table::target(&env)?;
        match run(&cfg, &lake, &tables).await {
            Ok(summary) => {
                tracing::info!(copied = ?summary.copied, tables = summary.versions.len(), "silver tier written");
                Ok(())
            }
            Err(RunError::Setting { variable, message }) => Err(ConfigError::new(variable, message).into()),
            Err(RunError::Store(playground_silver::store::StoreError::Setting { setting, message })) => {
                Err(ConfigError::new(setting, message).into())
            }
            Err(e) => Err(Failure::run(
                anyhow::Error::new(e).context("writing the silver tier"),
            )),
        }
    })
}
