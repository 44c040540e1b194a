//! Golden tests: the first records of every generator for seed 42 are pinned in
//! `tests/golden/*.jsonl`. A change to a word list, a distribution or the RNG crates shows up
//! here. After an intended change, regenerate with `UPDATE_GOLDEN=1 cargo test --test golden`
//! and review the diff.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failed test

use std::path::PathBuf;

use playground_model::*;

const SEED: u64 = 42;

fn check(name: &str, lines: Vec<String>) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(format!("{name}.jsonl"));
    let actual = lines.join("\n") + "\n";
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &actual).expect("write golden file");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; run with UPDATE_GOLDEN=1 to create it", path.display()));
    for (i, (a, e)) in actual.lines().zip(expected.lines()).enumerate() {
        assert_eq!(a, e, "{name}: record {i} differs from the golden file");
    }
    assert_eq!(
        actual.lines().count(),
        expected.lines().count(),
        "{name}: record count"
    );
}

fn json<T: serde::Serialize>(it: impl IntoIterator<Item = T>) -> Vec<String> {
    it.into_iter()
        .map(|r| serde_json::to_string(&r).expect("serialise"))
        .collect()
}

#[test]
fn users_cs() {
    let g = UserGenerator::new(SEED, 1000, Locale::CsCz);
    check("users_cs_CZ", json(g.users(0..5)));
}

#[test]
fn users_en() {
    let g = UserGenerator::new(SEED, 1000, Locale::EnUs);
    check("users_en_US", json(g.users(0..3)));
}

#[test]
fn vips() {
    let g = UserGenerator::new(SEED, 1000, Locale::CsCz);
    check("vip", json(g.vips(0..5)));
}

#[test]
fn products() {
    check(
        "products_cs_CZ",
        json(ProductGenerator::new(SEED, Locale::CsCz).products(0..3)),
    );
    check(
        "products_en_US",
        json(ProductGenerator::new(SEED, Locale::EnUs).products(0..3)),
    );
}

#[test]
fn orders_and_items() {
    let g = OrderGenerator::new(OrdersConfig::new(SEED, 1000, 100));
    check("orders", json(g.orders(0..5)));
    check("items", json(g.items(0..5)));
}

fn stream_config() -> StreamConfig {
    let mut cfg = StreamConfig::new(SEED, 1000, 100);
    cfg.sessions_per_second = 2.0;
    cfg
}

/// 2025-11-25T00:00:00Z
const START: i64 = 1_764_028_800;

#[test]
fn pageviews() {
    let mut s = EventStream::<Pageviews>::new(Timeline::new(stream_config()), START);
    let events: Vec<_> = std::iter::from_fn(|| s.next_before((START + 3600) * 1000))
        .take(5)
        .map(|e| e.event)
        .collect();
    check("pageviews", json(events));
}

#[test]
fn stars() {
    let mut s = EventStream::<Stars>::new(Timeline::new(stream_config()), START);
    let events: Vec<_> = std::iter::from_fn(|| s.next_before((START + 3600) * 1000))
        .take(5)
        .map(|e| e.event)
        .collect();
    check("stars", json(events));
}
