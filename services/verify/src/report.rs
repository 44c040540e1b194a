//! The report as a person reads it: one row per output and table, then the first differences
//! of each that differs, in full.

use std::fmt::Write as _;

use crate::check::Report;

/// The report as text.
pub fn text(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "event times ({}, {}] (range from the {})\n",
        report.from, report.until, report.range_from
    );
    let _ = writeln!(
        out,
        "{:<28} {:>9} {:>9} {:>8} {:>8} {:>8} {:>10} {:>8} {:>6} {:>10}  status",
        "output",
        "expected",
        "found",
        "missing",
        "extra",
        "differs",
        "duplicates",
        "bad dup",
        "late",
        "borderline"
    );
    for o in &report.outputs {
        let r = &o.report;
        let _ = writeln!(
            out,
            "{:<28} {:>9} {:>9} {:>8} {:>8} {:>8} {:>10} {:>8} {:>6} {:>10}  {}",
            r.output,
            r.expected,
            r.found,
            r.missing,
            r.extra,
            r.differs,
            r.duplicates,
            r.unexplained_duplicates,
            r.late,
            r.borderline,
            o.status
        );
    }
    let _ = writeln!(
        out,
        "\n{:<28} {:>9} {:>9}  status",
        "silver table", "expected", "found"
    );
    for t in &report.tables {
        let _ = writeln!(
            out,
            "{:<28} {:>9} {:>9}  {}",
            t.report.table, t.report.expected, t.report.found, t.status
        );
    }
    for o in report.outputs.iter().filter(|o| o.status == "differs") {
        let _ = writeln!(out, "\n{} ({}): first differences", o.report.output, o.location);
        for e in o
            .report
            .examples
            .iter()
            .filter(|e| !matches!(e.kind, "duplicate" | "late" | "borderline"))
        {
            let _ = writeln!(out, "  {} {}: {}", e.kind, e.id, e.note);
            if let Some(x) = &e.expected {
                let _ = writeln!(
                    out,
                    "    expected {}",
                    serde_json::to_string(x).unwrap_or_default()
                );
            }
            if let Some(x) = &e.found {
                let _ = writeln!(
                    out,
                    "    found    {}",
                    serde_json::to_string(x).unwrap_or_default()
                );
            }
        }
    }
    for t in report.tables.iter().filter(|t| t.status == "differs") {
        let _ = writeln!(
            out,
            "\n{} ({}): {}",
            t.report.table,
            t.location,
            t.report.differences.join("; ")
        );
    }
    let absent: Vec<&str> = report
        .outputs
        .iter()
        .filter(|o| o.status == "absent")
        .map(|o| o.location.as_str())
        .chain(
            report
                .tables
                .iter()
                .filter(|t| t.status == "absent")
                .map(|t| t.location.as_str()),
        )
        .collect();
    if !absent.is_empty() {
        let _ = writeln!(out, "\nabsent (no files, not compared): {}", absent.join(", "));
    }
    let _ = writeln!(
        out,
        "\n{}",
        if report.ok {
            "everything present matches the answer keys"
        } else {
            "something differs from the answer keys"
        }
    );
    out
}
