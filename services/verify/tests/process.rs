//! Issue 16: the `playground-verify` binary against a lake built in the test, laid out as
//! Terraform's Stream Analytics job and the silver notebook write it (Parquet in
//! `{container}/stream-analytics/<output>/yyyy/MM/dd/HH/`, tables under `silver/tables/`,
//! one of them Delta with a rewritten file left behind). A correct lake passes with exit 0;
//! each fault a pipeline can make exits 1 and names the output and the event; bad settings
//! exit 2 naming the variable.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failed test

mod common;

use std::fs;
use std::path::Path;
use std::process::Output as ProcessOutput;

use common::{FROM, ORDERS, THRESHOLD, UNTIL, correct, lay_out, lay_out_streams, lay_out_tables, settings};
use playground_model::EventTime;
use playground_model::keys::Output;
use playground_testkit::{Playground, assert_bad_settings};
use playground_verify::Columns;

const BIN: &str = env!("CARGO_BIN_EXE_playground-verify");

fn run(pg: &Playground, extra: &[(&str, &str)]) -> ProcessOutput {
    let lake = format!("file://{}", pg.root().join("lake").display());
    let mut vars: Vec<(&str, String)> = settings();
    vars.push(("LAKE_URL", lake));
    vars.push(("VERIFY_FROM", EventTime(FROM).to_string()));
    vars.push(("VERIFY_UNTIL", EventTime(UNTIL).to_string()));
    let mut all: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    all.extend_from_slice(extra);
    pg.run(&all)
}

fn stdout(out: &ProcessOutput) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn verify_after(fault: impl FnOnce(&mut Vec<(Output, Vec<Columns>)>, &Path)) -> (Option<i32>, String) {
    let pg = Playground::new(BIN);
    let mut outputs = correct();
    let root = pg.root().join("lake");
    lay_out_tables(&root);
    fault(&mut outputs, &root);
    lay_out_streams(&root, &outputs);
    let out = run(&pg, &[]);
    (
        out.status.code(),
        stdout(&out) + &String::from_utf8_lossy(&out.stderr),
    )
}

fn rows_of(outputs: &mut [(Output, Vec<Columns>)], output: Output) -> &mut Vec<Columns> {
    &mut outputs.iter_mut().find(|(o, _)| *o == output).unwrap().1
}

#[test]
fn a_correct_lake_passes_and_the_report_says_what_was_compared() {
    let pg = Playground::new(BIN);
    let outputs = correct();
    lay_out(&pg.root().join("lake"), &outputs);
    let out = run(&pg, &[]);
    let text = stdout(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for o in Output::ALL {
        assert!(text.contains(o.name()), "the report names {}:\n{text}", o.name());
    }
    assert!(text.contains("everything present matches"), "{text}");
    // The Delta log chose the files: the stale one would have added 700 orders.
    assert!(text.contains("tables/orders"), "{text}");
    // JSON: a report a machine reads, the same verdict.
    let json = {
        let lake = format!("file://{}", pg.root().join("lake").display());
        let mut vars: Vec<(&str, String)> = settings();
        vars.push(("LAKE_URL", lake));
        vars.push(("VERIFY_FROM", EventTime(FROM).to_string()));
        vars.push(("VERIFY_UNTIL", EventTime(UNTIL).to_string()));
        let all: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let mut cmd = pg.command(&all);
        cmd.arg("--json");
        cmd.output().unwrap()
    };
    assert_eq!(json.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).expect("--json writes JSON");
    assert_eq!(report["ok"], true);
    let pv = report["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["output"] == "bronze-pageviews")
        .unwrap();
    assert!(pv["expected"].as_u64().unwrap() > 50_000, "{pv}");
    assert_eq!(pv["expected"], pv["found"]);
    let orders = report["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["table"] == "tables/orders")
        .unwrap();
    assert_eq!(orders["status"], "ok", "{orders}");
    assert_eq!(orders["found"], ORDERS);
}

#[test]
fn the_range_is_found_from_the_outputs_when_not_set() {
    let pg = Playground::new(BIN);
    lay_out(&pg.root().join("lake"), &correct());
    let lake = format!("file://{}", pg.root().join("lake").display());
    let mut vars: Vec<(&str, String)> = settings();
    vars.push(("LAKE_URL", lake));
    let all: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let out = pg.run(&all);
    let text = stdout(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Events from 05:30 to 07:00, nothing late: the ragged 10 s tolerance moves the edges
    // to the next window boundaries inside.
    assert!(
        text.contains("(2026-12-01T05:35:00.000Z, 2026-12-01T06:55:00.000Z]"),
        "{text}"
    );
    assert!(text.contains("range from the outputs"), "{text}");
}

#[test]
fn each_fault_exits_1_naming_the_output_and_the_event() {
    type Fault = Box<dyn FnOnce(&mut Vec<(Output, Vec<Columns>)>, &Path) -> String>;
    let faults: Vec<(&str, &str, Fault)> = vec![
        (
            "a dropped event",
            "bronze-pageviews",
            Box::new(|o, _| {
                let rows = rows_of(o, Output::BronzePageviews);
                rows.remove(rows.len() / 2)["event_id"].clone()
            }),
        ),
        (
            "a duplicated event",
            "bronze-pageviews",
            Box::new(|o, _| {
                let rows = rows_of(o, Output::BronzePageviews);
                let r = rows[rows.len() / 3].clone();
                rows.push(r.clone());
                r["event_id"].clone()
            }),
        ),
        (
            "a window count off by one",
            "silver-http-methods",
            Box::new(|o, _| {
                let rows = rows_of(o, Output::SilverHttpMethods);
                let r = &mut rows[3];
                let n: u64 = r["pageviews"].parse().unwrap();
                r.insert("pageviews", (n + 1).to_string());
                r["window_end"].clone()
            }),
        ),
        (
            "an alert below the threshold",
            "silver-latency-alerts",
            Box::new(|o, _| {
                let low = rows_of(o, Output::BronzePageviews)
                    .iter()
                    .find(|r| r["latency"].parse::<u32>().unwrap() <= THRESHOLD)
                    .unwrap()
                    .clone();
                let alert: Columns = [
                    "user_id",
                    "http_method",
                    "uri",
                    "client_ip",
                    "latency",
                    "event_time",
                    "event_id",
                ]
                .iter()
                .map(|c| (*c, low[c].clone()))
                .collect();
                rows_of(o, Output::SilverLatencyAlerts).push(alert);
                low["event_id"].clone()
            }),
        ),
        (
            "a missing VIP row",
            "silver-vip-pageviews",
            Box::new(|o, _| rows_of(o, Output::SilverVipPageviews).remove(7)["event_id"].clone()),
        ),
        (
            "an unhappy view outside the 10 minutes",
            "silver-unhappy-views",
            Box::new(|o, _| {
                let rows = rows_of(o, Output::SilverUnhappyViews);
                let r = &mut rows[5];
                let t = chrono::DateTime::parse_from_rfc3339(&r["stars_time"])
                    .unwrap()
                    .timestamp_millis();
                r.insert("event_time", EventTime(t - 20 * 60_000).to_string());
                r["event_id"].clone()
            }),
        ),
        (
            "a second first view in an hour",
            "silver-first-views",
            Box::new(|o, _| {
                let firsts: Vec<String> = rows_of(o, Output::SilverFirstViews)
                    .iter()
                    .map(|r| r["event_id"].clone())
                    .collect();
                let second = rows_of(o, Output::BronzePageviews)
                    .iter()
                    .find(|r| {
                        let t = &r["event_time"];
                        t.as_str() > "2026-12-01T06:00" && !firsts.contains(&r["event_id"])
                    })
                    .unwrap()
                    .clone();
                let row: Columns = ["user_id", "uri", "event_time", "event_id"]
                    .iter()
                    .map(|c| (*c, second[c].clone()))
                    .collect();
                rows_of(o, Output::SilverFirstViews).push(row);
                second["event_id"].clone()
            }),
        ),
        (
            "a silver orders table missing one chunk",
            "tables/orders",
            Box::new(|_, root| {
                let log = root.join("silver/tables/orders/_delta_log/00000000000000000001.json");
                let text = fs::read_to_string(&log).unwrap();
                fs::write(
                    &log,
                    format!("{text}{{\"remove\":{{\"path\":\"part-00001.snappy.parquet\"}}}}\n"),
                )
                .unwrap();
                "700 missing".to_owned()
            }),
        ),
    ];
    let mut failures = Vec::new();
    for (what, output, fault) in faults {
        let mut id = String::new();
        let (code, text) = verify_after(|o, root| id = fault(o, root));
        let named = text.contains(output) && text.contains(&id);
        if code != Some(1) || !named {
            failures.push(format!(
                "{what}: exit {code:?}, names {output}: {}, names {id}: {}\n{text}",
                text.contains(output),
                text.contains(&id)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn bad_settings_exit_2_naming_the_variable() {
    assert_bad_settings(
        BIN,
        &[
            (&[("VERIFY_FROM", "yesterday")], "VERIFY_FROM"),
            (
                &[
                    ("VERIFY_FROM", "2026-12-01T07:00:00Z"),
                    ("VERIFY_UNTIL", "2026-12-01T06:00:00Z"),
                ],
                "VERIFY_UNTIL",
            ),
            (&[("VIP_COUNT", "500"), ("USERS_COUNT", "100")], "VIP_COUNT"),
            (&[("HIGH_LATENCY_MS", "fast")], "HIGH_LATENCY_MS"),
            (&[("LATE_FRACTION", "2")], "LATE_FRACTION"),
            (&[("LAKE_URL", "file://")], "LAKE_URL"),
        ],
    );
}

/// A lake with none of the outputs (a wrong LAKE_URL, a job that never wrote) is not a pass:
/// exit 1 saying there was nothing to check, even with the range set.
#[test]
fn an_empty_lake_is_not_a_pass() {
    let pg = Playground::new(BIN);
    fs::create_dir_all(pg.root().join("lake/bronze")).unwrap();
    let out = run(&pg, &[]);
    let all = stdout(&out) + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(all.contains("nothing to check"), "{all}");
}
