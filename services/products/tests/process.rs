//! The products service as a process: one file per product equal to the model, a kill
//! mid-run and a restart, and bad settings.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failed test

use std::time::Duration;

use playground_model::{Locale, ProductGenerator};
use playground_testkit::{Playground, files_under};

const BIN: &str = env!("CARGO_BIN_EXE_playground-products");

fn assert_all_products(pg: &Playground, seed: u64, count: u64) {
    let dir = pg.data().join("lake/bronze/products");
    let g = ProductGenerator::new(seed, Locale::CsCz);
    for id in 0..count {
        let path = dir.join(format!("product_{id}.json"));
        let body = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(body, serde_json::to_vec(&g.product(id)).unwrap(), "product {id}");
    }
    let names: Vec<_> = files_under(&dir)
        .into_iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .filter(|n| n.starts_with("product_") && n.ends_with(".json"))
        .collect();
    assert_eq!(names.len() as u64, count, "exactly one file per product");
}

#[test]
fn writes_one_file_per_product_equal_to_the_model() {
    let pg = Playground::new(BIN);
    pg.run_ok(&[("SEED", "3"), ("COUNT", "500")]);
    assert_all_products(&pg, 3, 500);
    let one: serde_json::Value = serde_json::from_slice(
        &std::fs::read(pg.data().join("lake/bronze/products/product_7.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(one["id"], 7);
    assert_eq!(one["pages"].as_array().map(Vec::len), Some(3));
}

#[test]
fn a_kill_mid_run_then_a_restart_completes_every_file_once() {
    let pg = Playground::new(BIN);
    let vars = [("COUNT", "20000"), ("CONCURRENCY", "4")];
    let dir = pg.data().join("lake/bronze/products");
    pg.kill_when(&vars, Duration::from_secs(60), || {
        std::fs::read_dir(&dir)
            .map(|d| d.count() >= 2000)
            .unwrap_or(false)
    });
    let logs = pg.run_ok(&vars);
    let done = playground_testkit::log_with(&logs, "done:");
    assert!(
        done["skipped"].as_u64().unwrap() >= 1000,
        "the restart skipped what existed: {done}"
    );
    assert_all_products(&pg, 42, 20000);
    let leftovers: Vec<_> = files_under(&dir)
        .into_iter()
        .filter(|p| p.to_string_lossy().contains(".tmp-"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "temporary files of the killed run were cleaned up: {leftovers:?}"
    );
}

/// Issue 14: existing product files were trusted by name. A file cut short (a disk that lost
/// its tail) or emptied is rewritten on the next run; whole files are kept.
#[test]
fn a_restart_rewrites_product_files_of_the_wrong_size() {
    let pg = Playground::new(BIN);
    let vars = [("COUNT", "300")];
    pg.run_ok(&vars);
    let dir = pg.data().join("lake/bronze/products");
    let cut = dir.join("product_5.json");
    let body = std::fs::read(&cut).unwrap();
    std::fs::write(&cut, &body[..body.len() / 2]).unwrap();
    std::fs::write(dir.join("product_17.json"), b"").unwrap();
    let logs = pg.run_ok(&vars);
    let done = playground_testkit::log_with(&logs, "done:");
    assert_eq!(
        (
            done["written"].as_u64(),
            done["skipped"].as_u64(),
            done["repaired"].as_u64()
        ),
        (Some(2), Some(298), Some(2)),
        "{done}"
    );
    playground_testkit::log_with(&logs, "rewriting a product file of the wrong size");
    assert_all_products(&pg, 42, 300);
}

#[test]
fn bad_settings_exit_2() {
    playground_testkit::assert_bad_settings(
        BIN,
        &[
            (&[("COUNT", "1e3")], "COUNT"),
            (&[("CONCURRENCY", "0")], "CONCURRENCY"),
            (&[("SHARD", "0/0")], "SHARD"),
            // Issue 14: ids above i64::MAX landed in the table negative.
            (&[("COUNT", "9223372036854775808")], "COUNT"),
        ],
    );
}

#[test]
fn help_lists_every_setting_and_the_readme_documents_them() {
    let readme = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
    playground_testkit::assert_readme_documents(BIN, "products", &readme);
}

/// Issue 14: products exited 0 on SIGTERM with files missing.
#[test]
fn sigterm_before_the_end_exits_143() {
    let pg = Playground::new(BIN);
    playground_testkit::assert_sigterm_contract(&pg, &[("COUNT", "2000000")], Duration::from_millis(1500));
}
