//! `playground-verify`: checks a lake against the answer keys; exit 0 when everything present
//! matches, 1 when something differs (or there is too little to check), 2 for bad settings.

use std::process::ExitCode;

use anyhow::{Context, anyhow};
use playground_runtime::{Failure, lake, open_error};
use playground_verify::check::{CheckError, check};
use playground_verify::config::{Config, INFO, JSON_FLAG};
use playground_verify::lake::Lake;
use playground_verify::report;

fn main() -> ExitCode {
    playground_runtime::main_with_flags(&INFO, &[JSON_FLAG], |env, _shutdown, flags| async move {
        let cfg = Config::read(&env)?;
        let target = lake::target(&env, chrono::Utc::now())?;
        let lake = Lake::open(&target).await.map_err(open_error(target.setting()))?;
        let report = match check(&cfg, &lake).await {
            Ok(r) => r,
            Err(CheckError::TooLittle(why)) => return Err(Failure::run(anyhow!(why))),
            Err(e) => return Err(Failure::run(anyhow::Error::new(e).context("reading the lake"))),
        };
        if flags.contains(&JSON_FLAG.0) {
            let json = serde_json::to_string_pretty(&report)
                .context("writing the report")
                .map_err(Failure::run)?;
            println!("{json}");
        } else {
            print!("{}", report::text(&report));
        }
        if report.ok {
            Ok(())
        } else {
            let bad: Vec<&str> = report
                .outputs
                .iter()
                .filter(|o| o.status == "differs")
                .map(|o| o.report.output)
                .chain(
                    report
                        .tables
                        .iter()
                        .filter(|t| t.status == "differs")
                        .map(|t| t.report.table),
                )
                .collect();
            Err(Failure::run(anyhow!(
                "differs from the answer keys: {}",
                bad.join(", ")
            )))
        }
    })
}
