//! Issue 16: the comparison catches each fault a pipeline can make, names the output and the
//! event, and explains what the keys explain. A correct output is built from the keys (every
//! row, borderline ones included), then changed one fault at a time.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failed test

use playground_model::keys::{Certainty, KeyConfig, KeyRange, Output};
use playground_model::{Locale, StreamConfig};
use playground_verify::{Columns, Expected, OutputReport, compare, expected};

const FROM: i64 = 1_796_103_000_000; // 2026-12-01T05:30:00Z
const UNTIL: i64 = FROM + 5_400_000;
const THRESHOLD: u32 = 400;

fn config(late: f64, duplicates: f64) -> KeyConfig {
    let mut stream = StreamConfig::new(42, 200, 50);
    stream.locale = Locale::CsCz;
    stream.sessions_per_second = 3.0;
    stream.late_fraction = late;
    stream.late_max_seconds = 30;
    stream.duplicate_fraction = duplicates;
    KeyConfig {
        stream,
        vip_count: 20,
        high_latency_ms: THRESHOLD,
    }
}

fn keys(late: f64, duplicates: f64) -> Expected {
    expected(
        &config(late, duplicates),
        KeyRange {
            from: FROM,
            until: UNTIL,
        },
        10_000,
    )
}

/// A correct output: every row of the key, once.
fn correct(keys: &Expected, output: Output) -> Vec<Columns> {
    keys.outputs[&output].iter().map(|e| e.columns.clone()).collect()
}

fn check(keys: &Expected, output: Output, found: &[Columns]) -> OutputReport {
    compare(output, &keys.outputs[&output], found)
}

fn assert_names(report: &OutputReport, kind: &str, id: &str) {
    assert!(!report.ok(), "{report:#?}");
    assert!(
        report.examples.iter().any(|e| e.kind == kind && e.id == id),
        "{} should show the {kind} row {id}: {:#?}",
        report.output,
        report.examples
    );
}

#[test]
fn a_correct_output_matches_exactly_without_late_or_duplicate_events() {
    let keys = keys(0.0, 0.0);
    for output in Output::ALL {
        let report = check(&keys, output, &correct(&keys, output));
        assert!(report.ok(), "{report:#?}");
        assert_eq!((report.late, report.duplicates), (0, 0));
        assert!(
            report.found > 0,
            "{} is empty: the test would prove nothing",
            report.output
        );
    }
}

#[test]
fn a_dropped_event_is_missing_and_named() {
    let keys = keys(0.0, 0.0);
    let mut found = correct(&keys, Output::BronzePageviews);
    let dropped = found.remove(1234);
    let report = check(&keys, Output::BronzePageviews, &found);
    assert_eq!(report.missing, 1);
    assert_names(&report, "missing", &dropped["event_id"]);
}

#[test]
fn a_duplicated_event_the_producer_sent_once_is_a_fault() {
    let keys = keys(0.0, 0.0);
    let mut found = correct(&keys, Output::BronzePageviews);
    found.push(found[77].clone());
    let report = check(&keys, Output::BronzePageviews, &found);
    assert_eq!(report.unexplained_duplicates, 1);
    assert_names(&report, "extra copy", &found[77]["event_id"]);
}

#[test]
fn a_producers_duplicate_is_explained_not_a_fault() {
    let keys = keys(0.0, 0.05);
    let rows = &keys.outputs[&Output::BronzePageviews];
    let twice: Vec<&Columns> = rows
        .iter()
        .filter(|e| e.copies == 2)
        .map(|e| &e.columns)
        .collect();
    assert!(twice.len() > 100, "{} sent twice", twice.len());
    let mut found = correct(&keys, Output::BronzePageviews);
    found.extend(twice.iter().map(|c| (*c).clone()));
    let report = check(&keys, Output::BronzePageviews, &found);
    assert!(report.ok(), "{report:#?}");
    assert_eq!(report.duplicates, twice.len() as u64);
    // A window count that counted them is right too.
    let windows = &keys.outputs[&Output::SilverHttpMethods];
    let counted: Vec<Columns> = windows
        .iter()
        .map(|e| {
            let mut c = e.columns.clone();
            c.insert(
                "pageviews",
                e.sends.map_or(c["pageviews"].clone(), |s| s.to_string()),
            );
            c
        })
        .collect();
    assert!(windows.iter().any(|e| e.sends.is_some()));
    assert!(check(&keys, Output::SilverHttpMethods, &counted).ok());
}

#[test]
fn a_window_count_off_by_one_differs_and_is_named() {
    let keys = keys(0.0, 0.0);
    let mut found = correct(&keys, Output::SilverHttpMethods);
    let n: u64 = found[5]["pageviews"].parse().unwrap();
    found[5].insert("pageviews", (n + 1).to_string());
    let report = check(&keys, Output::SilverHttpMethods, &found);
    assert_eq!(report.differs, 1);
    let id = format!("{} {}", found[5]["window_end"], found[5]["http_method"]);
    assert_names(&report, "differs", &id);
}

#[test]
fn late_events_explain_a_window_count_they_moved() {
    let keys = keys(0.3, 0.0);
    let windows = &keys.outputs[&Output::SilverHttpMethods];
    let i = windows
        .iter()
        .position(|e| e.late.0 > 0)
        .expect("a window with late events");
    let mut found = correct(&keys, Output::SilverHttpMethods);
    let n: u64 = found[i]["pageviews"].parse().unwrap();
    found[i].insert("pageviews", (n - 1).to_string());
    let report = check(&keys, Output::SilverHttpMethods, &found);
    assert!(report.ok(), "{report:#?}");
    assert_eq!(report.late, 1);
    // Beyond what late events explain, it is a fault.
    found[i].insert("pageviews", (n - 1 - windows[i].late.0).to_string());
    assert!(!check(&keys, Output::SilverHttpMethods, &found).ok());
}

#[test]
fn an_alert_below_the_threshold_is_extra_and_named() {
    let keys = keys(0.0, 0.0);
    let slow = keys.outputs[&Output::BronzePageviews]
        .iter()
        .find(|e| e.columns["latency"].parse::<u32>().unwrap() <= THRESHOLD)
        .unwrap();
    let mut found = correct(&keys, Output::SilverLatencyAlerts);
    let alert: Columns = found[0].keys().map(|k| (*k, slow.columns[k].clone())).collect();
    found.push(alert);
    let report = check(&keys, Output::SilverLatencyAlerts, &found);
    assert_eq!(report.extra, 1);
    assert_names(&report, "extra", &slow.columns["event_id"]);
}

#[test]
fn a_missing_vip_row_is_named() {
    let keys = keys(0.0, 0.0);
    let mut found = correct(&keys, Output::SilverVipPageviews);
    let gone = found.pop().unwrap();
    let report = check(&keys, Output::SilverVipPageviews, &found);
    assert_eq!(report.missing, 1);
    assert_names(&report, "missing", &gone["event_id"]);
}

#[test]
fn an_unhappy_view_outside_the_ten_minutes_is_extra_and_named() {
    let keys = keys(0.0, 0.0);
    let mut found = correct(&keys, Output::SilverUnhappyViews);
    // The same rating joined with a view of the same user 20 minutes or more before it.
    let time = |s: &str| chrono_millis(s);
    let mut views: std::collections::HashMap<&str, Vec<(i64, &Columns)>> = Default::default();
    for e in &keys.outputs[&Output::BronzePageviews] {
        let c = &e.columns;
        views
            .entry(c["user_id"].as_str())
            .or_default()
            .push((time(&c["event_time"]), c));
    }
    let (row, far) = found
        .iter()
        .find_map(|row| {
            let star_time = time(&row["stars_time"]);
            views[row["user_id"].as_str()]
                .iter()
                .find(|(t, _)| star_time - t > 20 * 60_000)
                .map(|(_, far)| (row.clone(), *far))
        })
        .expect("a view of the user 20 minutes before a low rating");
    let mut wrong = row.clone();
    for k in ["uri", "latency", "event_time", "event_id"] {
        wrong.insert(k, far[k].clone());
    }
    found.push(wrong);
    let report = check(&keys, Output::SilverUnhappyViews, &found);
    assert_eq!(report.extra, 1);
    assert_names(
        &report,
        "extra",
        &format!("{} {}", far["event_id"], row["stars_time"]),
    );
}

#[test]
fn a_second_first_view_in_an_hour_is_extra_and_named() {
    let keys = keys(0.0, 0.0);
    let mut found = correct(&keys, Output::SilverFirstViews);
    let first = keys.outputs[&Output::SilverFirstViews]
        .iter()
        .find(|e| e.certainty == Certainty::Certain)
        .unwrap();
    let user = &first.columns["user_id"];
    let hour_of = |c: &Columns| chrono_millis(&c["event_time"]).div_euclid(3_600_000);
    let later = keys.outputs[&Output::BronzePageviews]
        .iter()
        .map(|e| &e.columns)
        .find(|c| {
            &c["user_id"] == user
                && hour_of(c) == hour_of(&first.columns)
                && c["event_id"] != first.columns["event_id"]
        })
        .expect("a second view of the user in the hour");
    found.push(
        later
            .iter()
            .filter(|(k, _)| first.columns.contains_key(*k))
            .map(|(k, v)| (*k, v.clone()))
            .collect(),
    );
    let report = check(&keys, Output::SilverFirstViews, &found);
    assert_eq!(report.extra, 1);
    assert_names(&report, "extra", &later["event_id"]);
}

fn chrono_millis(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .unwrap()
        .timestamp_millis()
}

/// Stream Analytics passes each copy of a duplicated pageview through its SELECT and its
/// reference join, and joins every copy of a view with every copy of a rating: those copies
/// are explained; one more is a fault. (Found by checking a lake the real tools wrote: the
/// alerts of pageviews sent twice were reported as extra copies.)
#[test]
fn copies_a_job_makes_from_duplicates_are_explained_and_one_more_is_not() {
    let keys = keys(0.0, 0.05);
    for output in [
        Output::SilverLatencyAlerts,
        Output::SilverVipPageviews,
        Output::SilverUnhappyViews,
    ] {
        let rows = &keys.outputs[&output];
        let doubled: Vec<(usize, &Columns)> = rows
            .iter()
            .filter(|e| e.copies > 1)
            .map(|e| (usize::from(e.copies), &e.columns))
            .collect();
        assert!(!doubled.is_empty(), "{output:?}: no row from a duplicate");
        let mut found = correct(&keys, output);
        for (copies, columns) in &doubled {
            found.extend(std::iter::repeat_n((*columns).clone(), copies - 1));
        }
        let report = check(&keys, output, &found);
        assert!(report.ok(), "{output:?}: {report:#?}");
        assert!(report.duplicates >= doubled.len() as u64, "{output:?}");
        found.push(doubled[0].1.clone());
        let report = check(&keys, output, &found);
        assert!(!report.ok(), "{output:?}: one copy more must be a fault");
        assert_eq!(report.unexplained_duplicates, doubled[0].0 as u64, "{output:?}");
    }
}
