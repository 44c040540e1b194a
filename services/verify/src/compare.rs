//! Found rows against expected rows, one output at a time: what matches, what is missing,
//! extra or different, and which of those the keys explain (a producer's duplicate, a late
//! event, a borderline row), so that only the unexplained ones fail the check.

use std::collections::BTreeMap;

use playground_model::keys::{Certainty, Output};
use serde::Serialize;

use crate::expected::{Columns, ExpectedRow, Spec};

/// How many differences a report shows in full.
pub const EXAMPLES: usize = 5;

/// One difference, in full.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Example {
    /// Errors: `missing`, `extra`, `differs`, `extra copy` (a duplicate the producer did not
    /// send); explained: `duplicate`, `late`, `borderline`.
    pub kind: &'static str,
    /// The row's identity (`event_id`, or window end and method).
    pub id: String,
    /// What the key holds.
    pub expected: Option<Columns>,
    /// What the output holds.
    pub found: Option<Columns>,
    /// Why, in words.
    pub note: String,
}

/// The comparison of one output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutputReport {
    /// The output's name in `query.asaql`.
    pub output: &'static str,
    /// Certain rows the key holds.
    pub expected: u64,
    /// Rows the output holds.
    pub found: u64,
    /// Certain rows not found.
    pub missing: u64,
    /// Rows found that the key does not hold.
    pub extra: u64,
    /// Rows found whose identity matches but whose columns differ.
    pub differs: u64,
    /// Second copies of a row, explained (the producer sent the event twice).
    pub duplicates: u64,
    /// Second copies of a row the producer sent once: a fault of the pipeline.
    pub unexplained_duplicates: u64,
    /// Window counts that differ within what late events explain.
    pub late: u64,
    /// Borderline rows, found or not (the documentation leaves them open).
    pub borderline: u64,
    /// The first differences in full, errors first.
    pub examples: Vec<Example>,
}

impl OutputReport {
    /// True when nothing unexplained differs.
    pub fn ok(&self) -> bool {
        self.missing == 0 && self.extra == 0 && self.differs == 0 && self.unexplained_duplicates == 0
    }
}

fn example(
    kind: &'static str,
    id: &str,
    expected: Option<&Columns>,
    found: Option<&Columns>,
    note: String,
) -> Example {
    Example {
        kind,
        id: id.to_owned(),
        expected: expected.cloned(),
        found: found.cloned(),
        note,
    }
}

/// Sets `found` (rows read from the output, columns in canonical text) against `expected`.
pub fn compare(output: Output, expected: &[ExpectedRow], found: &[Columns]) -> OutputReport {
    let spec = Spec::of(output);
    let keyed: BTreeMap<String, &ExpectedRow> =
        expected.iter().map(|e| (spec.id_of(&e.columns), e)).collect();
    let mut seen: BTreeMap<String, Vec<&Columns>> = BTreeMap::new();
    for row in found {
        seen.entry(spec.id_of(row)).or_default().push(row);
    }
    let mut report = OutputReport {
        output: output.name(),
        expected: expected
            .iter()
            .filter(|e| e.certainty == Certainty::Certain)
            .count() as u64,
        found: found.len() as u64,
        missing: 0,
        extra: 0,
        differs: 0,
        duplicates: 0,
        unexplained_duplicates: 0,
        late: 0,
        borderline: 0,
        examples: Vec::new(),
    };
    let (mut errors, mut notes) = (Vec::new(), Vec::new());
    for (id, rows) in &seen {
        let Some(e) = keyed.get(id) else {
            report.extra += 1;
            errors.push(example("extra", id, None, Some(rows[0]), "not in the key".into()));
            continue;
        };
        if e.certainty == Certainty::Borderline {
            report.borderline += 1;
        }
        let row = rows[0];
        match judge(e, row) {
            Judgement::Equal => {}
            Judgement::Late(why) => {
                report.late += 1;
                notes.push(example("late", id, Some(&e.columns), Some(row), why));
            }
            Judgement::Differs(why) => {
                report.differs += 1;
                errors.push(example("differs", id, Some(&e.columns), Some(row), why));
            }
        }
        for copy in &rows[1..] {
            if rows.len() <= usize::from(e.copies) {
                report.duplicates += 1;
                notes.push(example(
                    "duplicate",
                    id,
                    None,
                    Some(copy),
                    "the producer sent this event (or both sides of this join) twice (DUPLICATE_FRACTION)"
                        .into(),
                ));
            } else {
                report.unexplained_duplicates += 1;
                errors.push(example(
                    "extra copy",
                    id,
                    Some(&e.columns),
                    Some(copy),
                    format!(
                        "{} copies; the producer's duplicates explain {}",
                        rows.len(),
                        e.copies
                    ),
                ));
            }
        }
    }
    for (id, e) in &keyed {
        if seen.contains_key(id) {
            continue;
        }
        if e.certainty == Certainty::Borderline {
            report.borderline += 1;
            notes.push(example(
                "borderline",
                id,
                Some(&e.columns),
                None,
                "absent; the documentation leaves this row open".into(),
            ));
        } else {
            report.missing += 1;
            errors.push(example(
                "missing",
                id,
                Some(&e.columns),
                None,
                "in the key, not in the output".into(),
            ));
        }
    }
    report.examples = errors.into_iter().chain(notes).take(EXAMPLES).collect();
    report
}

enum Judgement {
    Equal,
    Late(String),
    Differs(String),
}

fn judge(e: &ExpectedRow, found: &Columns) -> Judgement {
    let differing: Vec<&str> = e
        .columns
        .iter()
        .filter(|(k, v)| found.get(*k) != Some(*v))
        .map(|(k, _)| *k)
        .collect();
    if differing.is_empty() {
        return Judgement::Equal;
    }
    // A window count: the count with duplicates, or one late events explain.
    if differing == ["pageviews"] {
        let got: Option<u64> = found.get("pageviews").and_then(|v| v.parse().ok());
        let want: u64 = e.columns["pageviews"].parse().unwrap_or(0);
        if got.is_some() && got == e.sends {
            return Judgement::Equal;
        }
        let (fewer, more) = e.late;
        if let Some(got) = got
            && got + fewer >= want
            && got <= want + more
            && (fewer, more) != (0, 0)
        {
            return Judgement::Late(format!(
                "count {got} instead of {want}: {fewer} late events of this window and {more} of earlier ones \
                 arrived beyond the job's tolerance"
            ));
        }
    }
    Judgement::Differs(format!("columns differ: {}", differing.join(", ")))
}
