//! The lake the verifier's tests build: every output of the keys laid out as Terraform's
//! Stream Analytics job writes it, and silver orders and items tables (orders as Delta).

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failed test

use std::fs;
use std::path::Path;
use std::sync::Arc;

use parquet::basic::Compression;
use parquet::data_type::{ByteArray, ByteArrayType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use playground_model::keys::batch::{item_row, order_row};
use playground_model::keys::{KeyConfig, KeyRange, Output};
use playground_model::{EventTime, Locale, OrderGenerator, OrdersConfig, StreamConfig};
use playground_verify::lake::location;
use playground_verify::{Columns, expected};

pub const FROM: i64 = 1_796_103_000_000; // 2026-12-01T05:30:00Z
pub const UNTIL: i64 = FROM + 5_400_000; // 07:00
pub const THRESHOLD: u32 = 400;
pub const ORDERS: u64 = 3_000;
pub const CHUNK: u64 = 700;

pub fn settings() -> Vec<(&'static str, String)> {
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

pub fn key_config() -> KeyConfig {
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

pub const INTS: &[&str] = &[
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
pub fn write_parquet(path: &Path, columns: &[&str], rows: &[Columns]) {
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
pub fn correct() -> Vec<(Output, Vec<Columns>)> {
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

pub fn columns_of(rows: &[Columns]) -> Vec<&'static str> {
    rows.first()
        .map(|r| r.keys().copied().collect())
        .unwrap_or_default()
}

/// Lays out the lake under `root`: each output in hour folders, several files per hour, and
/// the silver tables.
pub fn lay_out(root: &Path, outputs: &[(Output, Vec<Columns>)]) {
    lay_out_streams(root, outputs);
    lay_out_tables(root);
}

pub fn lay_out_streams(root: &Path, outputs: &[(Output, Vec<Columns>)]) {
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

pub fn lay_out_tables(root: &Path) {
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
