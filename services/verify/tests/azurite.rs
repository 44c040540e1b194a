//! Issue 16: `playground-verify` reads the lake from Azure Storage's blob API (Azurite here)
//! through the services' own lake settings: the same lake as the directory tests, uploaded to
//! the `bronze` and `silver` containers, passes; with one Parquet blob of an output missing it
//! fails naming the output.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failed test

mod common;

use std::path::Path;

use bytes::Bytes;
use chrono::{TimeDelta, Utc};
use common::{FROM, UNTIL, correct, lay_out, settings};
use playground_model::EventTime;
use playground_sinks::lake::blob::BlobLake;
use playground_sinks::lake::sas::ConnectionString;
use playground_sinks::lake::{BlobAuthKind, BlobTarget, LakeSink};
use playground_testkit::{Azurite, Playground, files_under};

const BIN: &str = env!("CARGO_BIN_EXE_playground-verify");

/// Uploads every file under `root/{container}` (but `skip`) to that container.
fn upload(az: &Azurite, root: &Path, skip: Option<&Path>) {
    let now = Utc::now();
    let sas = ConnectionString::parse(&az.connection_string())
        .unwrap()
        .account_sas(now, now + TimeDelta::hours(1));
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        for container in ["bronze", "silver"] {
            let target = BlobTarget {
                container_url: format!("{}/{container}?{sas}", az.endpoint()).parse().unwrap(),
                auth: BlobAuthKind::Sas,
                setting: "TEST",
                retry_seconds: 30,
            };
            let lake = BlobLake::open(&target).await.unwrap();
            let dir = root.join(container);
            for file in files_under(&dir) {
                if Some(file.as_path()) == skip {
                    continue;
                }
                let name = file.strip_prefix(&dir).unwrap().to_string_lossy().into_owned();
                lake.put(&name, Bytes::from(std::fs::read(&file).unwrap()))
                    .await
                    .unwrap();
            }
        }
    });
}

#[test]
fn the_blob_lake_is_checked_as_the_directory_is() {
    let az = Azurite::start();
    let pg = Playground::new(BIN);
    let root = pg.root().join("built");
    lay_out(&root, &correct());
    let skipped = files_under(&root.join("silver/stream-analytics/vip_pageviews"))
        .into_iter()
        .next()
        .unwrap();
    upload(&az, &root, Some(&skipped));
    let conn = az.connection_string();
    let mut vars: Vec<(&str, String)> = settings();
    vars.push(("STORAGE_CONNECTION_STRING", conn));
    vars.push(("VERIFY_FROM", EventTime(FROM).to_string()));
    vars.push(("VERIFY_UNTIL", EventTime(UNTIL).to_string()));
    let all: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let out = pg.run(&all);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(1), "{text}");
    let vip = text
        .lines()
        .find(|l| l.starts_with("silver-vip-pageviews"))
        .unwrap_or_default()
        .to_owned();
    assert!(vip.ends_with("differs"), "{text}");
    // The missing blob uploaded: everything matches, read over the blob API.
    upload(&az, &root, None);
    let out = pg.run(&all);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("everything present matches"), "{text}");
    // The logs never show the account key or a signature.
    let logs = String::from_utf8_lossy(&out.stderr);
    assert!(
        !logs.contains("sig=") && !logs.contains(&playground_testkit::AZURITE_KEY[..20]),
        "{logs}"
    );
}
