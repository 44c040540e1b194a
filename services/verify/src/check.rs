//! One check of a lake: read every output and silver table, choose the range, compute the
//! keys once, compare each, and say what is absent rather than guess.

use std::collections::BTreeMap;

use playground_model::keys::batch::{self, TableKey};
use playground_model::keys::{KeyRange, Output, max_lag};
use playground_model::{EventTime, OrderGenerator, ProductGenerator, UserGenerator};
use serde::Serialize;

use crate::compare::{OutputReport, compare};
use crate::config::Config;
use crate::expected::{Columns, ExpectedRow, Spec, expected};
use crate::lake::{Found, Lake, LakeError, Location, location, table};
use crate::parquet_rows::TextRow;
use crate::range;
use crate::tables::{TableReport, compare_table};

/// One output or row-compared table in the report.
#[derive(Debug, Clone, Serialize)]
pub struct OutputEntry {
    /// `ok`, `differs`, or `absent` (no files: not written yet, or not by this pipeline).
    pub status: &'static str,
    /// Where it was read: `container/folder`.
    pub location: String,
    /// Data files read.
    pub files: usize,
    /// The comparison; counts are of rows inside the range.
    #[serde(flatten)]
    pub report: OutputReport,
}

/// One fingerprinted silver table in the report.
#[derive(Debug, Clone, Serialize)]
pub struct TableEntry {
    /// `ok`, `differs` or `absent`.
    pub status: &'static str,
    /// Where it was read.
    pub location: String,
    /// The comparison.
    #[serde(flatten)]
    pub report: TableReport,
}

/// The whole check.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Event times after this were compared (RFC 3339).
    pub from: String,
    /// Event times up to this were compared.
    pub until: String,
    /// Whether the range came from the settings or from the outputs.
    pub range_from: &'static str,
    /// The Stream Analytics outputs and the row-compared silver tables.
    pub outputs: Vec<OutputEntry>,
    /// The fingerprinted silver tables.
    pub tables: Vec<TableEntry>,
    /// True when nothing present differs.
    pub ok: bool,
}

/// Why a check could not be made.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// The lake could not be read.
    #[error(transparent)]
    Lake(#[from] LakeError),
    /// The outputs hold too little to compare.
    #[error("{0}")]
    TooLittle(String),
}

fn status(ok: bool) -> &'static str {
    if ok { "ok" } else { "differs" }
}

fn describe(at: Location) -> String {
    format!("{}/{}", at.container, at.path)
}

/// The spec's columns of a row read from a file; a column the file lacks is empty text.
fn columns(spec: &Spec, row: &TextRow) -> Columns {
    spec.columns
        .iter()
        .map(|c| (*c, row.get(*c).cloned().unwrap_or_default()))
        .collect()
}

fn entry(
    output: Output,
    at: Location,
    found: &Found,
    expected: &[ExpectedRow],
    range: KeyRange,
) -> OutputEntry {
    let spec = Spec::of(output);
    let rows: Vec<Columns> = found
        .rows
        .iter()
        .map(|r| columns(&spec, r))
        .filter(|r| range::decided(output, r, range))
        .collect();
    let report = compare(output, expected, &rows);
    OutputEntry {
        status: if found.files == 0 {
            "absent"
        } else {
            status(report.ok())
        },
        location: describe(at),
        files: found.files,
        report,
    }
}

/// Checks the lake against the keys of `cfg`.
pub async fn check(cfg: &Config, lake: &Lake) -> Result<Report, CheckError> {
    let mut found: BTreeMap<Output, Found> = BTreeMap::new();
    for output in Output::ALL {
        found.insert(output, lake.read(location(output)).await?);
    }
    let raw = &found[&Output::BronzePageviews].rows;
    let (range, range_from) = match (cfg.from, cfg.until) {
        (Some(from), Some(until)) => (KeyRange { from, until }, "settings"),
        (from, until) => {
            let span = range::span(raw).ok_or_else(|| {
                CheckError::TooLittle(format!(
                    "{} holds no pageviews: nothing to check (has the job run? or set VERIFY_FROM and VERIFY_UNTIL)",
                    describe(location(Output::BronzePageviews))
                ))
            })?;
            let last = range::last_window(&found[&Output::SilverHttpMethods].rows);
            let detected = range::detect(span, last, max_lag(&cfg.keys.stream), cfg.tolerance).ok_or_else(|| {
                CheckError::TooLittle(format!(
                    "the outputs cover {} to {}: less than one whole 5-minute window once the ragged edges are left out; let the job run longer",
                    EventTime(span.0),
                    EventTime(span.1)
                ))
            })?;
            let range = KeyRange {
                from: from.unwrap_or(detected.from),
                until: until.unwrap_or(detected.until),
            };
            if range.until <= range.from {
                return Err(CheckError::TooLittle(format!(
                    "the range ({}, {}] is empty",
                    EventTime(range.from),
                    EventTime(range.until)
                )));
            }
            (
                range,
                if from.is_some() || until.is_some() {
                    "settings and outputs"
                } else {
                    "outputs"
                },
            )
        }
    };
    tracing::info!(from = %EventTime(range.from), until = %EventTime(range.until), "computing the answer keys");
    let keys = expected(&cfg.keys, range, cfg.tolerance);
    let none = Vec::new();
    let mut outputs = Vec::new();
    for output in Output::ALL {
        let want = keys.outputs.get(&output).unwrap_or(&none);
        outputs.push(entry(output, location(output), &found[&output], want, range));
    }
    // The silver pageviews and stars tables: the raw events once each (the notebook drops
    // duplicates, so a second copy is a fault there).
    for (name, output) in [
        ("pageviews", Output::BronzePageviews),
        ("stars", Output::BronzeStars),
    ] {
        let at = table(name);
        let rows = lake.read(at).await?;
        let want: Vec<ExpectedRow> = keys
            .outputs
            .get(&output)
            .unwrap_or(&none)
            .iter()
            .map(|e| ExpectedRow {
                copies: 1,
                ..e.clone()
            })
            .collect();
        let mut e = entry(output, at, &rows, &want, range);
        e.report.output = if name == "pageviews" {
            "tables/pageviews"
        } else {
            "tables/stars"
        };
        outputs.push(e);
    }
    let tables = batch_tables(cfg, lake).await?;
    if outputs.iter().all(|o| o.status == "absent") && tables.iter().all(|t| t.status == "absent") {
        return Err(CheckError::TooLittle(format!(
            "no output and no silver table found (looked under {} and {}): nothing to check",
            describe(location(Output::BronzePageviews)),
            describe(table("users"))
        )));
    }
    let ok = outputs.iter().all(|o| o.status != "differs") && tables.iter().all(|t| t.status != "differs");
    Ok(Report {
        from: EventTime(range.from).to_string(),
        until: EventTime(range.until).to_string(),
        range_from,
        outputs,
        tables,
        ok,
    })
}

fn int(row: &TextRow, column: &str) -> u64 {
    row.get(column)
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(u64::MAX)
}

fn cents(row: &TextRow, column: &str) -> u64 {
    row.get(column)
        .and_then(|v| v.parse::<f64>().ok())
        .map_or(u64::MAX, batch::cents)
}

fn seconds(row: &TextRow, column: &str) -> u64 {
    let ms = row
        .get(column)
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.timestamp());
    ms.map_or(u64::MAX, |s| s.max(0) as u64)
}

/// Adds rows of a table as read to its key: the same fields the model's key takes, from the
/// columns.
fn add_rows(key: &mut TableKey, name: &str, rows: &[TextRow]) {
    for r in rows {
        match name {
            "users" => key.add(&[
                ("id", int(r, "id")),
                (
                    "is_vip",
                    u64::from(r.get("is_vip").is_some_and(|v| v == "true" || v == "1")),
                ),
            ]),
            "products" => key.add(&[("id", int(r, "id")), ("price_cents", cents(r, "price"))]),
            "orders" => key.add(&[
                ("order_id", int(r, "order_id")),
                ("user_id", int(r, "user_id")),
                ("order_date", seconds(r, "order_date")),
                ("value_cents", cents(r, "order_value")),
            ]),
            _ => key.add(&[
                ("order_id", int(r, "order_id")),
                ("row_id", int(r, "row_id")),
                ("product_id", int(r, "product_id")),
            ]),
        }
    }
}

async fn batch_tables(cfg: &Config, lake: &Lake) -> Result<Vec<TableEntry>, CheckError> {
    let seed = cfg.keys.stream.seed;
    let mut out = Vec::new();
    let mut orders_keys: Option<(TableKey, TableKey)> = None;
    for name in ["users", "products", "orders", "items"] {
        let at = table(name);
        let mut key = TableKey::default();
        let (files, _) = lake.visit(at, |rows| add_rows(&mut key, name, &rows)).await?;
        let want = match name {
            "users" => batch::users(
                &UserGenerator::new(seed, cfg.keys.stream.users_count, cfg.locale),
                cfg.keys.vip_count,
            ),
            "products" => batch::products(
                &ProductGenerator::new(seed, cfg.locale),
                cfg.keys.stream.products_count,
            ),
            _ => {
                let (orders, items) = orders_keys.get_or_insert_with(|| {
                    batch::orders_and_items(&OrderGenerator::new(cfg.orders.clone()), cfg.orders_count)
                });
                if name == "orders" {
                    orders.clone()
                } else {
                    items.clone()
                }
            }
        };
        let report = compare_table(at.path, &want, &key);
        out.push(TableEntry {
            status: if files == 0 { "absent" } else { status(report.ok()) },
            location: describe(at),
            report,
        });
    }
    Ok(out)
}
