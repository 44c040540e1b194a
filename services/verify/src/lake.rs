//! Where the outputs are in a lake, and reading them: Stream Analytics' blob outputs as
//! `terraform/modules/stream_analytics/main.tf` configures them (`{container}/{path}/{date}/{time}/`
//! with any blob names), and the silver tables at `silver/tables/<name>` (Delta, or plain
//! Parquet folders), from a directory, Azurite or Azure Storage through the services' lake
//! settings.

use std::collections::BTreeMap;

use playground_model::keys::Output;
use playground_sinks::SinkError;
use playground_sinks::lake::{LakeBackend, LakeReader, LakeTarget};

use crate::delta;
use crate::parquet_rows::{self, ReadError, TextRow};

/// The container and folder of an output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    /// `bronze` or `silver`.
    pub container: &'static str,
    /// The folder inside it.
    pub path: &'static str,
}

const fn at(container: &'static str, path: &'static str) -> Location {
    Location { container, path }
}

/// Where `output` is written: the Stream Analytics outputs as main.tf's `local.outputs` says
/// (a test checks the two agree), the notebook's table under `silver/tables`.
pub fn location(output: Output) -> Location {
    match output {
        Output::BronzePageviews => at("bronze", "stream-analytics/pageviews"),
        Output::BronzeStars => at("bronze", "stream-analytics/stars"),
        Output::SilverHttpMethods => at("silver", "stream-analytics/http_methods_5min"),
        Output::SilverLatencyAlerts => at("silver", "stream-analytics/latency_alerts"),
        Output::SilverVipPageviews => at("silver", "stream-analytics/vip_pageviews"),
        Output::SilverUnhappyViews => at("silver", "stream-analytics/unhappy_user_pageviews"),
        Output::SilverFirstViews => at("silver", "stream-analytics/first_pageview_per_hour"),
        Output::LatencyAlertsUsers => table("latency_alerts_users"),
    }
}

/// Where the silver table `name` is (the notebook's `{silver}/{name}`, silver = `tables/`).
pub fn table(name: &'static str) -> Location {
    let path: &'static str = match name {
        "users" => "tables/users",
        "products" => "tables/products",
        "orders" => "tables/orders",
        "items" => "tables/items",
        "pageviews" => "tables/pageviews",
        "stars" => "tables/stars",
        _ => "tables/latency_alerts_users",
    };
    at("silver", path)
}

/// Why the lake could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LakeError {
    /// The storage failed or refused.
    #[error(transparent)]
    Sink(#[from] SinkError),
    /// A file is not what it should be.
    #[error(transparent)]
    Read(#[from] ReadError),
}

/// The bronze and silver containers of one lake.
#[derive(Debug)]
pub struct Lake {
    bronze: LakeBackend,
    silver: LakeBackend,
}

/// What a folder held.
#[derive(Debug, Default)]
pub struct Found {
    /// Its rows.
    pub rows: Vec<TextRow>,
    /// Data files read.
    pub files: usize,
    /// Whether a Delta log chose the files.
    pub delta: bool,
}

impl Lake {
    /// Opens the lake `target` chooses, both containers, for reading only.
    pub async fn open(target: &LakeTarget) -> Result<Lake, SinkError> {
        Ok(Lake {
            bronze: LakeBackend::open_for_reading(target, "bronze").await?,
            silver: LakeBackend::open_for_reading(target, "silver").await?,
        })
    }

    fn container(&self, name: &str) -> &LakeBackend {
        if name == "bronze" {
            &self.bronze
        } else {
            &self.silver
        }
    }

    /// Every row under `at`: the live files of a Delta table when the folder holds a
    /// `_delta_log`, otherwise every Parquet file below it (Spark's `key=value` folders add
    /// their columns). Hidden files and Spark's `_` markers are not data.
    pub async fn read(&self, at: Location) -> Result<Found, LakeError> {
        let mut rows = Vec::new();
        let (files, delta) = self.visit(at, |mut file| rows.append(&mut file)).await?;
        Ok(Found { rows, files, delta })
    }

    /// [`Lake::read`] a file at a time, so that a table of 100 million rows need not be held:
    /// `each` gets every file's rows; returns the files read and whether a Delta log chose them.
    pub async fn visit(
        &self,
        at: Location,
        mut each: impl FnMut(Vec<TextRow>),
    ) -> Result<(usize, bool), LakeError> {
        let lake = self.container(at.container);
        let listing = lake.walk(at.path).await?;
        let is_delta = listing.iter().any(|(n, _)| n.starts_with(delta::LOG));
        let files: Vec<(String, Vec<(String, String)>)> = if is_delta {
            let (checkpoint, commits) = delta::log_plan(&listing);
            let mut live = BTreeMap::new();
            for part in checkpoint {
                let path = format!("{}/{part}", at.path);
                delta::apply_checkpoint(&path, lake.get(&path).await?, &mut live)?;
            }
            for commit in commits {
                let path = format!("{}/{commit}", at.path);
                let bytes = lake.get(&path).await?;
                delta::apply_commit(&path, &String::from_utf8_lossy(&bytes), &mut live)?;
            }
            live.into_iter().collect()
        } else {
            listing
                .into_iter()
                .filter(|(n, _)| n.ends_with(".parquet") && !n.split('/').any(|p| p.starts_with(['_', '.'])))
                .map(|(n, _)| {
                    let partition = parquet_rows::partition_of(&n);
                    (n, partition)
                })
                .collect()
        };
        let count = files.len();
        for (file, partition) in files {
            let path = format!("{}/{file}", at.path);
            let bytes = lake.get(&path).await?;
            each(parquet_rows::read(&path, bytes, &partition)?);
        }
        Ok((count, is_delta))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The outputs are where the Terraform job writes them: main.tf's `local.outputs` lines
    /// `"alias" = { container = "c", path = "p" }`, read from the template itself.
    #[test]
    fn locations_agree_with_the_terraform_job() {
        let main_tf = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../terraform/modules/stream_analytics/main.tf"
        ))
        .expect("main.tf");
        let mut checked = 0;
        for output in Output::ALL {
            if output == Output::LatencyAlertsUsers {
                continue;
            }
            let loc = location(output);
            let line = main_tf
                .lines()
                .find(|l| l.trim_start().starts_with(&format!("\"{}\"", output.name())))
                .unwrap_or_else(|| panic!("main.tf has no output {}", output.name()));
            let want = format!("container = \"{}\", path = \"{}\"", loc.container, loc.path);
            assert!(
                line.contains(&want),
                "{} is at {line:?}, the verifier reads {want}",
                output.name()
            );
            checked += 1;
        }
        assert_eq!(checked, 7);
    }
}
