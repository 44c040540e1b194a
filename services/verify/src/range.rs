//! The event-time range to compare: from settings, or the part of the outputs that is
//! complete. A live job's output starts where the stream started and ends at its newest
//! event, and both edges are ragged: events up to the largest lag late are still to come at
//! the end, and at the start the job never saw what was sent before it ran. So the range
//! starts a largest lag plus the job's tolerance after the oldest event and ends as much
//! before the newest, both on 5-minute window boundaries, and the comparison keeps only rows
//! and windows wholly inside it.

use playground_model::Millis;
use playground_model::keys::asa::{FIRST_VIEW_INTERVAL, HTTP_METHODS_WINDOW, isfirst_intervals};
use playground_model::keys::{KeyRange, Output};

use crate::expected::Columns;
use crate::parquet_rows::TextRow;

/// The instant in a canonical `event_time`-like column.
pub fn millis(row: &Columns, column: &str) -> Option<Millis> {
    row.get(column)
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.timestamp_millis())
}

fn text_millis(row: &TextRow, column: &str) -> Option<Millis> {
    row.get(column)
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.timestamp_millis())
}

/// The complete part of outputs whose raw events span `events` (oldest and newest
/// `event_time` of the raw pageviews) and whose newest 5-minute window ends at `last_window`,
/// when there is one: `None` when that is less than one whole window.
pub fn detect(
    events: (Millis, Millis),
    last_window: Option<Millis>,
    lag: Millis,
    tolerance: Millis,
) -> Option<KeyRange> {
    let w = HTTP_METHODS_WINDOW;
    let from = (events.0 + lag + tolerance).div_euclid(w) * w + w;
    let mut until = (events.1 - lag - tolerance).div_euclid(w) * w;
    if let Some(last) = last_window {
        until = until.min(last);
    }
    (until - from >= w).then_some(KeyRange { from, until })
}

/// Oldest and newest `event_time` among `rows`.
pub fn span(rows: &[TextRow]) -> Option<(Millis, Millis)> {
    let times = rows.iter().filter_map(|r| text_millis(r, "event_time"));
    times.fold(None, |acc, t| match acc {
        None => Some((t, t)),
        Some((a, b)) => Some((a.min(t), b.max(t))),
    })
}

/// Newest `window_end` among `rows`.
pub fn last_window(rows: &[TextRow]) -> Option<Millis> {
    rows.iter().filter_map(|r| text_millis(r, "window_end")).max()
}

/// Whether a row found in `output` is one the keys over `range` decide: its events inside
/// the range, its window or ISFIRST interval wholly inside.
pub fn decided(output: Output, row: &Columns, range: KeyRange) -> bool {
    let inside = |c: &str| millis(row, c).is_some_and(|t| range.contains(t));
    match output {
        Output::SilverHttpMethods => {
            millis(row, "window_end").is_some_and(|end| range.holds_window(end, HTTP_METHODS_WINDOW))
        }
        Output::SilverUnhappyViews => inside("event_time") && inside("stars_time"),
        Output::SilverFirstViews => millis(row, "event_time").is_some_and(|t| {
            range.holds_window(isfirst_intervals(t, FIRST_VIEW_INTERVAL).0, FIRST_VIEW_INTERVAL)
        }),
        _ => inside("event_time"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Millis = 1_796_103_000_000; // 2026-12-01T05:30:00Z, a window boundary

    #[test]
    fn the_range_leaves_out_the_ragged_edges() {
        // Events from 05:30:07 to 07:02:00, 30 s late at most, 10 s tolerance.
        let r = detect((T + 7_000, T + 92 * 60_000), None, 30_000, 10_000).expect("a range");
        assert_eq!(r.from, T + 5 * 60_000, "05:30:47 rounds up to 05:35");
        assert_eq!(r.until, T + 90 * 60_000, "07:01:20 rounds down to 07:00");
        // The windows output lags behind: its newest window bounds the range.
        let r = detect((T, T + 92 * 60_000), Some(T + 60 * 60_000), 0, 10_000).expect("a range");
        assert_eq!(r.until, T + 60 * 60_000);
        assert!(
            detect((T, T + 6 * 60_000), None, 30_000, 10_000).is_none(),
            "under one whole window"
        );
    }
}
