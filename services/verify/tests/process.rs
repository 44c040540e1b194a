//! Issue 16: the `playground-verify` binary against a lake built in the test, laid out as
//! Terraform's Stream Analytics job and the silver notebook write it (Parquet in
//! `{container}/stream-analytics/<output>/yyyy/MM/dd/HH/`, tables under `silver/tables/`,
//! one of them Delta with a rewritten file left behind). A correct lake passes with exit 0;
//! each fault a pipeline can make exits 1 and names the output and the event; bad settings
//! exit 2 naming the variable.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failed test

use std::fs;
use std::path::Path;
use std::process::Output as ProcessOutput;
use std::sync::Arc;

use parquet::basic::Compression;
use parquet::data_type::{ByteArray, ByteArrayType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use playground_model::keys::batch::{item_row, order_row};
use playground_model::keys::{KeyConfig, KeyRange, Output};
use playground_model::{EventTime, Locale, OrderGenerator, OrdersConfig, StreamConfig};
use playground_testkit::{Playground, assert_bad_settings};
use playground_verify::lake::location;
use playground_verify::{Columns, expected};

const BIN: &str = env!("CARGO_BIN_EXE_playground-verify");
const FROM: i64 = 1_796_103_000_000; // 2026-12-01T05:30:00Z
const UNTIL: i64 = FROM + 5_400_000; // 07:00
const THRESHOLD: u32 = 400;
const ORDERS: u64 = 3_000;
const CHUNK: u64 = 700;

fn settings() -> Vec<(&'static str, String)> {
    vec![
        ("SEED", "42".into()),
        ("USERS_COUNT", "200".into()),
        ("VIP_COUNT", "20".into()),
        ("PRODUCTS_COUNT", "50".into()),
        ("ORDERS_COUNT", ORDERS.to_string()),
        ("LOCALE", "cs_CZ".into()),
        ("SESSIONS_PER_SECOND", "3".into()),
        ("LATE_FRACTION", "0".into()),
        ("DUPLICATE_FRACTION", "0".into()),
        ("HIGH_LATENCY_MS", THRESHOLD.to_string()),
        ("LOG_FORMAT", "json".into()),
    ]
}

fn key_config() -> KeyConfig {
    let mut stream = StreamConfig::new(42, 200, 50);
    stream.locale = Locale::CsCz;
    stream.sessions_per_second = 3.0;
    stream.late_fraction = 0.0;
    stream.duplicate_fraction = 0.0;
    KeyConfig {
        stream,
        vip_count: 20,
        high_latency_ms: THRESHOLD,
    }
}

const INTS: &[&str] = &[
    "user_id",
    "latency",
    "stars",
    "pageviews",
    "order_id",
    "row_id",
    "product_id",
];

/// Writes `rows` as one snappy Parquet file with Stream Analytics' types: JSON integers as
/// INT64, text as UTF8, `window_end` (System.Timestamp()) as a timestamp.
fn write_parquet(path: &Path, columns: &[&str], rows: &[Columns]) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let fields: Vec<String> = columns
        .iter()
        .map(|c| match *c {
            "window_end" => format!("optional int64 {c} (TIMESTAMP(MICROS,true));"),
            c if INTS.contains(&c) => format!("optional int64 {c};"),
            c => format!("optional binary {c} (UTF8);"),
        })
        .collect();
    let schema = Arc::new(parse_message_type(&format!("message m {{ {} }}", fields.join(" "))).unwrap());
    let props = Arc::new(
        WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .build(),
    );
    let mut w = SerializedFileWriter::new(fs::File::create(path).unwrap(), schema, props).unwrap();
    let mut group = w.next_row_group().unwrap();
    let mut i = 0;
    while let Some(mut col) = group.next_column().unwrap() {
        let name = columns[i];
        let values: Vec<Option<&String>> = rows
            .iter()
            .map(|r| r.get(name).filter(|v| !v.is_empty()))
            .collect();
        let defs: Vec<i16> = values.iter().map(|v| i16::from(v.is_some())).collect();
        if name == "window_end" {
            let v: Vec<i64> = values
                .iter()
                .flatten()
                .map(|t| {
                    chrono::DateTime::parse_from_rfc3339(t)
                        .unwrap()
                        .timestamp_micros()
                })
                .collect();
            col.typed::<Int64Type>()
                .write_batch(&v, Some(&defs), None)
                .unwrap();
        } else if INTS.contains(&name) {
            let v: Vec<i64> = values.iter().flatten().map(|t| t.parse().unwrap()).collect();
            col.typed::<Int64Type>()
                .write_batch(&v, Some(&defs), None)
                .unwrap();
        } else {
            let v: Vec<ByteArray> = values
                .iter()
                .flatten()
                .map(|t| ByteArray::from(t.as_str()))
                .collect();
            col.typed::<ByteArrayType>()
                .write_batch(&v, Some(&defs), None)
                .unwrap();
        }
        col.close().unwrap();
        i += 1;
    }
    group.close().unwrap();
    w.close().unwrap();
}

/// Every output's rows, as a correct pipeline writes them (borderline rows included).
fn correct() -> Vec<(Output, Vec<Columns>)> {
    let keys = expected(
        &key_config(),
        KeyRange {
            from: FROM,
            until: UNTIL,
        },
        10_000,
    );
    Output::ALL
        .iter()
        .map(|o| {
            let rows = keys
                .outputs
                .get(o)
                .map(|v| v.iter().map(|e| e.columns.clone()).collect())
                .unwrap_or_default();
            (*o, rows)
        })
        .collect()
}

fn columns_of(rows: &[Columns]) -> Vec<&'static str> {
    rows.first()
        .map(|r| r.keys().copied().collect())
        .unwrap_or_default()
}

/// Lays out the lake under `root`: each output in hour folders, several files per hour, and
/// the silver tables.
fn lay_out(root: &Path, outputs: &[(Output, Vec<Columns>)]) {
    lay_out_streams(root, outputs);
    lay_out_tables(root);
}

fn lay_out_streams(root: &Path, outputs: &[(Output, Vec<Columns>)]) {
    for (output, rows) in outputs {
        let at = location(*output);
        let cols = columns_of(rows);
        let mut by_hour: std::collections::BTreeMap<String, Vec<Columns>> = Default::default();
        for r in rows {
            let t = r.get("event_time").or_else(|| r.get("window_end")).unwrap();
            let hour = format!("{}/{}/{}/{}", &t[0..4], &t[5..7], &t[8..10], &t[11..13]);
            by_hour.entry(hour).or_default().push(r.clone());
        }
        for (hour, rows) in by_hour {
            for (n, part) in rows.chunks(4000).enumerate() {
                let dir = root.join(at.container).join(at.path).join(&hour);
                write_parquet(&dir.join(format!("0_{n:04}_1.parquet")), &cols, part);
            }
        }
    }
}

fn lay_out_tables(root: &Path) {
    // The silver orders and items tables, one file per 700 orders (a "chunk"); orders as a
    // Delta table whose first version's last file was rewritten, the old file left behind.
    let generator = OrderGenerator::new(OrdersConfig::new(42, 200, 50));
    let orders_dir = root.join("silver/tables/orders");
    let items_dir = root.join("silver/tables/items");
    let mut adds = Vec::new();
    for (n, start) in (0..ORDERS).step_by(CHUNK as usize).enumerate() {
        let ids = start..(start + CHUNK).min(ORDERS);
        let mut orders = Vec::new();
        let mut items = Vec::new();
        for id in ids {
            let o = generator.order(id);
            let r = order_row(&o);
            orders.push(Columns::from([
                ("order_id", r[0].1.to_string()),
                ("user_id", r[1].1.to_string()),
                (
                    "order_date",
                    EventTime(o.order_date.and_utc().timestamp_millis()).to_string(),
                ),
                ("order_value", format!("{}", o.order_value)),
            ]));
            let mut its = Vec::new();
            generator.items_into(id, &mut its);
            for it in &its {
                let r = item_row(it);
                items.push(Columns::from([
                    ("order_id", r[0].1.to_string()),
                    ("row_id", r[1].1.to_string()),
                    ("product_id", r[2].1.to_string()),
                ]));
            }
        }
        let name = format!("part-{n:05}.snappy.parquet");
        write_parquet(
            &orders_dir.join(&name),
            &["order_id", "user_id", "order_date", "order_value"],
            &orders,
        );
        write_parquet(
            &items_dir.join(&name),
            &["order_id", "row_id", "product_id"],
            &items,
        );
        adds.push(name);
    }
    let log = orders_dir.join("_delta_log");
    fs::create_dir_all(&log).unwrap();
    let add =
        |p: &str| format!("{{\"add\":{{\"path\":\"{p}\",\"partitionValues\":{{}},\"dataChange\":true}}}}\n");
    let mut v0 = String::from("{\"protocol\":{\"minReaderVersion\":1,\"minWriterVersion\":2}}\n");
    for a in &adds {
        v0.push_str(&add(a));
    }
    fs::write(log.join("00000000000000000000.json"), v0).unwrap();
    // Version 1 rewrites the last file under a new name: the old one stays on disk.
    let last = adds.last().unwrap().clone();
    fs::copy(
        orders_dir.join(&last),
        orders_dir.join("part-rewritten.snappy.parquet"),
    )
    .unwrap();
    let v1 = format!(
        "{{\"remove\":{{\"path\":\"{last}\",\"dataChange\":true}}}}\n{}",
        add("part-rewritten.snappy.parquet")
    );
    fs::write(log.join("00000000000000000001.json"), v1).unwrap();
}

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
