//! The Stream Analytics semantics the answer keys follow, each with the page that documents it,
//! and the choices made where the documentation leaves a case open.
//!
//! Where a case is open, the key marks the rows it affects [`Certainty::Borderline`]: a row
//! that a job may or may not output, which the verifier reports apart from errors.

use crate::timeline::Millis;

/// One minute.
pub const MINUTE: Millis = 60_000;

/// `TumblingWindow(minute, 5)` of output `silver-http-methods`.
pub const HTTP_METHODS_WINDOW: Millis = 5 * MINUTE;

/// `ISFIRST(minute, 60)` of output `silver-first-views`.
pub const FIRST_VIEW_INTERVAL: Millis = 60 * MINUTE;

/// `DATEDIFF(minute, pv, st) BETWEEN 0 AND 10` of output `silver-unhappy-views`.
pub const UNHAPPY_WITHIN_MINUTES: i64 = 10;

/// `WHERE st.stars < 3` of output `silver-unhappy-views`.
pub const UNHAPPY_BELOW_STARS: u8 = 3;

/// Whether a job must output a row, or the documentation leaves it open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Certainty {
    /// The documented semantics require the row.
    Certain,
    /// Required under one reading of an undocumented case and absent under the other.
    Borderline,
}

/// The end of the tumbling window of width `width` holding an event at `t`.
///
/// "By default, tumbling windows are inclusive in the end of the window and exclusive in the
/// beginning" and "every window automatically aligns itself to the zeroth hour"; the output
/// of a window is stamped with its end (`System.Timestamp()`).
/// <https://learn.microsoft.com/en-us/stream-analytics-query/tumbling-window-azure-stream-analytics>,
/// <https://learn.microsoft.com/en-us/stream-analytics-query/windowing-azure-stream-analytics>.
/// So an event exactly on a boundary belongs to the window that ends there.
pub fn tumbling_window_end(t: Millis, width: Millis) -> Millis {
    let start = t.div_euclid(width) * width;
    if start == t { t } else { start + width }
}

/// The `ISFIRST` interval of an event at `t`, as the end of the interval under the reading
/// the key takes and, second, the end under the other reading.
///
/// "The intervals are aligned the same way as tumbling windows"
/// (<https://learn.microsoft.com/en-us/stream-analytics-query/isfirst-azure-stream-analytics>)
/// says where intervals start, not which side holds an event exactly on a boundary. The key
/// reads it as tumbling windows do, `(start, end]`; the other reading is `[start, end)`. The
/// two differ only for users with a pageview exactly on an interval boundary; rows where they
/// differ are borderline.
pub fn isfirst_intervals(t: Millis, width: Millis) -> (Millis, Millis) {
    (tumbling_window_end(t, width), t.div_euclid(width) * width + width)
}

/// Whether a pageview at `pv` and a rating at `st` of the same user join under
/// `DATEDIFF(minute, pv, st) BETWEEN 0 AND 10`.
///
/// "When DATEDIFF is used inside the JOIN condition, the second and third parameter gain
/// special treatment": they name the inputs, whose timestamps are compared, and the
/// condition bounds how far apart in time the two events may be
/// (<https://learn.microsoft.com/en-us/stream-analytics-query/join-azure-stream-analytics>).
/// Whether the bound is an exact duration or a count of minute boundaries crossed (as
/// T-SQL's DATEDIFF counts) is not written down. The key reads it as a duration,
/// `0 <= st - pv <= 10 min`, inclusive at both ends as BETWEEN is; pairs on which the
/// boundary count disagrees (for example 10 min 30 s apart across 10 boundaries, or the
/// rating a few seconds before the view within one minute) are borderline.
pub fn unhappy_pair(pv: Millis, st: Millis) -> Option<Certainty> {
    let limit = UNHAPPY_WITHIN_MINUTES;
    let as_duration = (0..=limit * MINUTE).contains(&(st - pv));
    let as_boundaries = (0..=limit).contains(&(st.div_euclid(MINUTE) - pv.div_euclid(MINUTE)));
    match (as_duration, as_boundaries) {
        (true, true) => Some(Certainty::Certain),
        (false, false) => None,
        _ => Some(Certainty::Borderline),
    }
}

/// How far apart a view and a rating can be and still join under either reading.
pub const UNHAPPY_REACH: Millis = (UNHAPPY_WITHIN_MINUTES + 1) * MINUTE;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_boundary_event_belongs_to_the_window_that_ends_there() {
        let w = HTTP_METHODS_WINDOW;
        assert_eq!(tumbling_window_end(0, w), 0);
        assert_eq!(tumbling_window_end(1, w), w);
        assert_eq!(tumbling_window_end(w, w), w);
        assert_eq!(tumbling_window_end(w + 1, w), 2 * w);
        assert_eq!(tumbling_window_end(-1, w), 0);
    }

    #[test]
    fn isfirst_readings_differ_only_on_boundaries() {
        let h = FIRST_VIEW_INTERVAL;
        assert_eq!(isfirst_intervals(h + 5, h), (2 * h, 2 * h));
        assert_eq!(isfirst_intervals(h, h), (h, 2 * h));
    }

    #[test]
    fn the_join_reads_datediff_as_a_duration_and_flags_the_other_reading() {
        let m = MINUTE;
        assert_eq!(unhappy_pair(0, 0), Some(Certainty::Certain));
        assert_eq!(unhappy_pair(0, 10 * m), Some(Certainty::Certain));
        assert_eq!(unhappy_pair(0, 10 * m + 1), Some(Certainty::Borderline));
        assert_eq!(unhappy_pair(0, 11 * m), None);
        assert_eq!(unhappy_pair(30_000, 10 * m + 40_000), Some(Certainty::Borderline));
        assert_eq!(unhappy_pair(59_000, 10 * m + 59_999), Some(Certainty::Borderline));
        assert_eq!(unhappy_pair(59_000, 10 * m + 60_000), None);
        assert_eq!(unhappy_pair(5_000, 4_000), Some(Certainty::Borderline));
        assert_eq!(unhappy_pair(60_000, 59_999), None);
    }
}
