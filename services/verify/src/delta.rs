//! Which Parquet files make up a Delta table now: the transaction log's replay, as far as a
//! reader of the silver tables needs it (the last checkpoint, then every JSON commit after it:
//! `add` makes a file live, `remove` retires it). A rewrite (`mode("overwrite")`, as the silver
//! notebook does) leaves the old files in place until VACUUM, so reading every file of the
//! folder would count each row once per run; the log says which are current.
//!
//! Table features that change how files are read are refused with a clear error rather than
//! read wrongly: deletion vectors and column mapping. Protocol: delta-io/delta PROTOCOL.md
//! ("Action Reconciliation", "Checkpoints").

use std::collections::BTreeMap;

use bytes::Bytes;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::{Field, Row};

use crate::parquet_rows::ReadError;

/// The log's folder inside a table.
pub const LOG: &str = "_delta_log/";

/// A live data file: its path relative to the table, and its partition values.
pub type LiveFile = (String, Vec<(String, String)>);

/// What to read from the log, from a listing of the table's folder: the newest complete
/// checkpoint's parts and the commits after it, in order.
pub fn log_plan(listing: &[(String, u64)]) -> (Vec<String>, Vec<String>) {
    let mut checkpoints: BTreeMap<u64, (u64, Vec<String>)> = BTreeMap::new();
    let mut commits: Vec<(u64, String)> = Vec::new();
    for (name, _) in listing {
        let Some(file) = name.strip_prefix(LOG) else {
            continue;
        };
        let Some(version) = file.get(..20).and_then(|v| v.parse::<u64>().ok()) else {
            continue;
        };
        let rest = &file[20..];
        if rest == ".json" {
            commits.push((version, name.clone()));
        } else if rest == ".checkpoint.parquet" {
            checkpoints.insert(version, (1, vec![name.clone()]));
        } else if let Some(parts) = rest
            .strip_prefix(".checkpoint.")
            .and_then(|r| r.strip_suffix(".parquet"))
        {
            // Multi-part: .checkpoint.{part:010}.{parts:010}.parquet
            if let Some((_, n)) = parts.split_once('.')
                && let Ok(n) = n.parse::<u64>()
            {
                let entry = checkpoints.entry(version).or_insert((n, Vec::new()));
                entry.1.push(name.clone());
            }
        }
    }
    let checkpoint = checkpoints
        .into_iter()
        .rev()
        .find(|(_, (parts, names))| names.len() as u64 == *parts);
    let after = checkpoint.as_ref().map(|(v, _)| *v);
    commits.sort();
    let commits = commits
        .into_iter()
        .filter(|(v, _)| after.is_none_or(|a| *v > a))
        .map(|(_, n)| n)
        .collect();
    (
        checkpoint.map(|(_, (_, names))| names).unwrap_or_default(),
        commits,
    )
}

fn unsupported(path: &str, what: &str) -> ReadError {
    ReadError {
        path: path.to_owned(),
        message: format!(
            "the Delta table uses {what}, which the verifier does not read; rewrite it without (e.g. REORG TABLE ... APPLY (PURGE))"
        ),
    }
}

fn decode(path: &str) -> String {
    url::form_urlencoded::parse(format!("p={}", path.replace('+', "%2B")).as_bytes())
        .next()
        .map_or_else(|| path.to_owned(), |(_, v)| v.into_owned())
}

/// Applies one JSON commit (`text`, the file at `path`) to `live`.
pub fn apply_commit(
    path: &str,
    text: &str,
    live: &mut BTreeMap<String, Vec<(String, String)>>,
) -> Result<(), ReadError> {
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let action: serde_json::Value = serde_json::from_str(line).map_err(|e| ReadError {
            path: path.to_owned(),
            message: format!("not a Delta commit (JSON lines): {e}"),
        })?;
        if let Some(add) = action.get("add") {
            if add.get("deletionVector").is_some_and(|d| !d.is_null()) {
                return Err(unsupported(path, "deletion vectors"));
            }
            let file = decode(add["path"].as_str().unwrap_or_default());
            let partition = add["partitionValues"]
                .as_object()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                        .collect()
                })
                .unwrap_or_default();
            live.insert(file, partition);
        } else if let Some(remove) = action.get("remove") {
            live.remove(&decode(remove["path"].as_str().unwrap_or_default()));
        } else if let Some(meta) = action.get("metaData") {
            let mode = meta["configuration"]["delta.columnMapping.mode"].as_str();
            if mode.is_some_and(|m| m != "none") {
                return Err(unsupported(path, "column mapping"));
            }
        }
    }
    Ok(())
}

fn group_field<'a>(row: &'a Row, name: &str) -> Option<&'a Field> {
    row.get_column_iter()
        .find(|(n, _)| n.as_str() == name)
        .map(|(_, f)| f)
}

/// Applies one checkpoint part (Parquet, one action per row) to `live`.
pub fn apply_checkpoint(
    path: &str,
    bytes: Bytes,
    live: &mut BTreeMap<String, Vec<(String, String)>>,
) -> Result<(), ReadError> {
    let error = |e: parquet::errors::ParquetError| ReadError {
        path: path.to_owned(),
        message: format!("not a readable Delta checkpoint: {e}"),
    };
    let reader = SerializedFileReader::new(bytes).map_err(error)?;
    for row in reader.get_row_iter(None).map_err(error)? {
        let row = row.map_err(error)?;
        let Some(Field::Group(add)) = group_field(&row, "add") else {
            continue;
        };
        if group_field(add, "deletionVector").is_some_and(|d| !matches!(d, Field::Null)) {
            return Err(unsupported(path, "deletion vectors"));
        }
        let Some(Field::Str(file)) = group_field(add, "path") else {
            continue;
        };
        let mut partition = Vec::new();
        if let Some(Field::MapInternal(map)) = group_field(add, "partitionValues") {
            for (k, v) in map.entries() {
                let value = match v {
                    Field::Str(s) => s.clone(),
                    _ => String::new(),
                };
                partition.push((k.to_string().trim_matches('"').to_owned(), value));
            }
        }
        live.insert(decode(file), partition);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(names: &[&str]) -> Vec<(String, u64)> {
        names.iter().map(|n| (format!("{LOG}{n}"), 1)).collect()
    }

    #[test]
    fn the_plan_starts_at_the_newest_complete_checkpoint() {
        let l = listing(&[
            "00000000000000000000.json",
            "00000000000000000001.json",
            "00000000000000000010.checkpoint.parquet",
            "00000000000000000010.json",
            "00000000000000000011.json",
            "00000000000000000020.checkpoint.0000000001.0000000002.parquet",
            "_last_checkpoint",
        ]);
        let (cp, commits) = log_plan(&l);
        assert_eq!(cp, vec![format!("{LOG}00000000000000000010.checkpoint.parquet")]);
        assert_eq!(commits, vec![format!("{LOG}00000000000000000011.json")]);
    }

    #[test]
    fn removes_retire_files_and_paths_are_decoded() {
        let mut live = BTreeMap::new();
        let first = r#"{"add":{"path":"event_date=2026-12-01/part-0.parquet","partitionValues":{"event_date":"2026-12-01"}}}
{"add":{"path":"event_date=2026-12-02/part%201.parquet","partitionValues":{"event_date":"2026-12-02"}}}"#;
        apply_commit("0.json", first, &mut live).expect("applied");
        let second = r#"{"remove":{"path":"event_date=2026-12-01/part-0.parquet"}}
{"add":{"path":"event_date=2026-12-01/part-2.parquet","partitionValues":{"event_date":"2026-12-01"}}}"#;
        apply_commit("1.json", second, &mut live).expect("applied");
        let files: Vec<&str> = live.keys().map(String::as_str).collect();
        assert_eq!(
            files,
            vec![
                "event_date=2026-12-01/part-2.parquet",
                "event_date=2026-12-02/part 1.parquet"
            ]
        );
        let dv = r#"{"add":{"path":"a.parquet","partitionValues":{},"deletionVector":{"storageType":"u"}}}"#;
        let e = apply_commit("2.json", dv, &mut live).expect_err("refused");
        assert!(e.to_string().contains("deletion vectors"), "{e}");
    }
}
