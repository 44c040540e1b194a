//! `playground-analytics`: the Stream Analytics job, locally; `playground-analytics query
//! "SQL"` looks at what it wrote.

use std::process::ExitCode;

use anyhow::anyhow;
use playground_analytics::config::{Config, INFO, QUERY_INFO};
use playground_analytics::input::Stream;
use playground_analytics::query::query;
use playground_analytics::run::{RunError, Targets, run};
use playground_runtime::settings::ConfigError;
use playground_runtime::{Failure, events, lake};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    if args.next().as_deref() == Some("query") {
        let sql: Vec<String> = args.collect();
        return playground_runtime::main_with_args(&QUERY_INFO, 1, |env, _shutdown| async move {
            let sql = sql.join(" ");
            if sql.trim().is_empty() {
                return Err(Failure::run(anyhow!(
                    "usage: playground-analytics query \"SELECT ...\""
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
    playground_runtime::main(&INFO, |env, shutdown| async move {
        let cfg = Config::read(&env)?;
        let mut inputs = std::collections::BTreeMap::new();
        for stream in Stream::ALL {
            inputs.insert(stream, events::target(&env, stream.hub())?);
        }
        let targets = Targets {
            events: inputs,
            lake: lake::target(&env, chrono::Utc::now())?,
        };
        match run(&cfg, &targets, &shutdown).await {
            Ok(_) => Ok(()),
            Err(RunError::Setting { variable, message }) => Err(ConfigError::new(variable, message).into()),
            Err(e) => Err(Failure::run(anyhow::Error::new(e).context("running the job"))),
        }
    })
}
