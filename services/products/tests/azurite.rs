//! The products service against Azurite (started by the test): 10,000 files, all present and
//! equal to the model, and a restart that skips them.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failed test

use chrono::{TimeDelta, Utc};
use playground_model::{Locale, ProductGenerator};
use playground_sinks::lake::sas::ConnectionString;
use playground_testkit::{Azurite, Playground, log_with};

const BIN: &str = env!("CARGO_BIN_EXE_playground-products");

/// Every blob name under `prefix`, following the listing's continuation markers.
fn list(az: &Azurite, sas: &str, prefix: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut marker = String::new();
    loop {
        let body = az
            .get(&format!(
                "bronze?restype=container&comp=list&prefix={prefix}&maxresults=5000&marker={marker}&{sas}"
            ))
            .expect("container");
        let xml = String::from_utf8(body).unwrap();
        names.extend(
            xml.split("<Name>")
                .skip(1)
                .map(|s| s.split("</Name>").next().unwrap().to_owned()),
        );
        marker = xml
            .split("<NextMarker>")
            .nth(1)
            .map(|s| s.split("</NextMarker>").next().unwrap().to_owned())
            .unwrap_or_default();
        if marker.is_empty() {
            return names;
        }
    }
}

#[test]
fn ten_thousand_product_files_all_present_and_valid() {
    let az = Azurite::start();
    let pg = Playground::new(BIN);
    let conn = az.connection_string();
    let vars = [("COUNT", "10000"), ("STORAGE_CONNECTION_STRING", conn.as_str())];
    let logs = pg.run_ok(&vars);
    assert_eq!(log_with(&logs, "done:")["written"], 10000);
    let now = Utc::now();
    let sas = ConnectionString::parse(&conn)
        .unwrap()
        .account_sas(now, now + TimeDelta::hours(1));
    let mut names = list(&az, &sas, "products/");
    names.sort();
    let mut expected: Vec<String> = (0..10000).map(|i| format!("products/product_{i}.json")).collect();
    expected.sort();
    assert_eq!(names, expected, "exactly one blob per product");
    let g = ProductGenerator::new(42, Locale::CsCz);
    for id in (0..10000).step_by(97) {
        let body = az
            .get(&format!("bronze/products/product_{id}.json?{sas}"))
            .unwrap();
        assert_eq!(body, serde_json::to_vec(&g.product(id)).unwrap(), "product {id}");
    }
    // A second run finds them all and writes nothing.
    let logs = pg.run_ok(&vars);
    let done = log_with(&logs, "done:");
    assert_eq!(
        (done["written"].as_u64(), done["skipped"].as_u64()),
        (Some(0), Some(10000))
    );
}

/// Issue 14: the Python version's `STORAGE_SAS`, a container's service SAS (`sr=c`), was
/// refused by the pre-flight check (Get Container Properties, which it does not authorize).
/// Products need only `wl` (list what exists, write the rest).
#[test]
fn a_containers_service_sas_with_write_and_list_is_enough() {
    let az = Azurite::start();
    let conn = az.connection_string();
    let cs = ConnectionString::parse(&conn).unwrap();
    // The container exists (the Python version's Terraform creates it).
    Playground::new(BIN).run_ok(&[("COUNT", "1"), ("STORAGE_CONNECTION_STRING", conn.as_str())]);
    let now = Utc::now();
    let container_sas = cs.container_sas("bronze", "wl", now, now + TimeDelta::hours(1));
    let url = format!("{}/bronze?{container_sas}", az.endpoint());
    let pg = Playground::new(BIN);
    let logs = pg.run_ok(&[("COUNT", "300"), ("STORAGE_SAS", url.as_str())]);
    let done = log_with(&logs, "done:");
    assert_eq!(
        (done["written"].as_u64(), done["skipped"].as_u64()),
        (Some(299), Some(1))
    );
    let sas = cs.account_sas(now, now + TimeDelta::hours(1));
    assert_eq!(list(&az, &sas, "products/").len(), 300);
}
