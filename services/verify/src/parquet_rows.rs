//! Rows of a Parquet file as text, whoever wrote it: Stream Analytics (JSON numbers as
//! BIGINT, the RFC 3339 `event_time` as a string, `System.Timestamp()` as a timestamp), Data
//! Factory (INT96 timestamps) or Spark (timestamps, doubles, partition columns in folder
//! names). Values become the keys' canonical text ([`crate::expected::canonical`]), so that
//! equal values compare equal whatever their physical type.

use std::collections::BTreeMap;

use bytes::Bytes;
use chrono::{DateTime, NaiveDate};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;
use playground_model::EventTime;

/// A row read: column name to canonical text.
pub type TextRow = BTreeMap<String, String>;

/// Why a file could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ReadError {
    /// The object, relative to its container.
    pub path: String,
    /// What went wrong.
    pub message: String,
}

/// The columns that hold instants: compared as `EventTime` text whatever their type.
const INSTANTS: &[&str] = &["event_time", "stars_time", "window_end", "order_date"];

/// Every row of the Parquet file `bytes` (at `path`, for errors), with `partition` (Spark's
/// `key=value` folders) added as columns.
pub fn read(path: &str, bytes: Bytes, partition: &[(String, String)]) -> Result<Vec<TextRow>, ReadError> {
    let error = |e: parquet::errors::ParquetError| ReadError {
        path: path.to_owned(),
        message: format!("not a readable Parquet file: {e}"),
    };
    let reader = SerializedFileReader::new(bytes).map_err(error)?;
    let mut rows = Vec::new();
    for row in reader.get_row_iter(None).map_err(error)? {
        let row = row.map_err(error)?;
        let mut out: TextRow = row
            .get_column_iter()
            .map(|(name, field)| (name.clone(), text(name, field)))
            .collect();
        for (k, v) in partition {
            out.entry(k.clone()).or_insert_with(|| v.clone());
        }
        rows.push(out);
    }
    Ok(rows)
}

fn millis_text(ms: i64) -> String {
    EventTime(ms).to_string()
}

/// The canonical text of one value of column `name`.
pub fn text(name: &str, field: &Field) -> String {
    let instant = INSTANTS.contains(&name);
    match field {
        Field::Null => String::new(),
        Field::Bool(b) => b.to_string(),
        Field::Byte(v) => v.to_string(),
        Field::Short(v) => v.to_string(),
        Field::Int(v) => v.to_string(),
        Field::Long(v) => v.to_string(),
        Field::UByte(v) => v.to_string(),
        Field::UShort(v) => v.to_string(),
        Field::UInt(v) => v.to_string(),
        Field::ULong(v) => v.to_string(),
        Field::Float(v) => number(f64::from(*v)),
        Field::Double(v) => number(*v),
        Field::TimestampMillis(ms) => millis_text(*ms),
        Field::TimestampMicros(us) => millis_text(us.div_euclid(1000)),
        Field::Date(days) => NaiveDate::from_num_days_from_ce_opt(days + 719_163)
            .map_or_else(|| days.to_string(), |d| d.format("%Y-%m-%d").to_string()),
        Field::Str(s) if instant => instant_text(s),
        Field::Str(s) => s.clone(),
        Field::Bytes(b) => String::from_utf8_lossy(b.data()).into_owned(),
        other => other.to_string(),
    }
}

/// Whole numbers without a fraction (a latency of 2345 written as a double is "2345"), others
/// in Rust's shortest round-trip form.
fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        format!("{}", v as i64)
    } else {
        v.to_string()
    }
}

/// An instant written as text in any RFC 3339 form (Stream Analytics passes the producer's
/// string through; a query that casts writes its own), as `EventTime` text; other text as is.
pub fn instant_text(s: &str) -> String {
    match DateTime::parse_from_rfc3339(s.trim()) {
        Ok(t) => millis_text(t.timestamp_millis()),
        Err(_) => s.to_owned(),
    }
}

/// Spark's partition folders in a relative path: `event_date=2026-12-01/part-0.parquet` holds
/// `event_date` = `2026-12-01`.
pub fn partition_of(path: &str) -> Vec<(String, String)> {
    let mut parts: Vec<&str> = path.split('/').collect();
    parts.pop();
    parts
        .into_iter()
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_compare_whatever_their_form() {
        assert_eq!(
            instant_text("2026-12-01T05:30:00.1230000Z"),
            "2026-12-01T05:30:00.123Z"
        );
        assert_eq!(
            instant_text("2026-12-01T06:30:00.123+01:00"),
            "2026-12-01T05:30:00.123Z"
        );
        assert_eq!(
            text("window_end", &Field::TimestampMicros(1_796_103_000_123_000)),
            "2026-12-01T05:30:00.123Z"
        );
        assert_eq!(text("uri", &Field::Str("2026".into())), "2026");
        assert_eq!(text("latency", &Field::Double(2345.0)), "2345");
        assert_eq!(text("order_value", &Field::Double(12.5)), "12.5");
        assert_eq!(text("event_date", &Field::Date(20_788)), "2026-12-01");
    }

    #[test]
    fn partitions_come_from_key_value_folders() {
        assert_eq!(
            partition_of("event_date=2026-12-01/part-0.parquet"),
            vec![("event_date".to_owned(), "2026-12-01".to_owned())]
        );
        assert!(partition_of("2026/12/01/05/0_x_1.parquet").is_empty());
    }
}
