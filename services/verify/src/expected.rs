//! The answer keys as rows of the outputs: the columns `query.asaql` selects (and the silver
//! notebook's for `latency_alerts_users`), each value in one canonical text form, so that rows
//! read from JSON, Parquet or Delta compare by equality.

use std::collections::BTreeMap;

use playground_model::keys::asa::{HTTP_METHODS_WINDOW, tumbling_window_end};
use playground_model::keys::{self, Certainty, KeyConfig, KeyRange, Output, Row};
use playground_model::{EventTime, Millis, Pageview, Star, User};
use serde::Serialize;

/// A row's compared columns, by name, in canonical text (see [`canonical`]).
pub type Columns = BTreeMap<&'static str, String>;

/// What identifies a row of an output and which columns are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spec {
    /// The output.
    pub output: Output,
    /// The columns compared, as the query names them.
    pub columns: &'static [&'static str],
    /// The columns that identify a row (a second row with the same identity is a duplicate).
    pub id: &'static [&'static str],
}

const PAGEVIEW: &[&str] = &[
    "user_id",
    "http_method",
    "uri",
    "client_ip",
    "user_agent",
    "latency",
    "event_time",
    "event_id",
];
const STAR: &[&str] = &["user_id", "stars", "event_time", "event_id"];
const HTTP: &[&str] = &["http_method", "pageviews", "window_end"];
const ALERT: &[&str] = &[
    "user_id",
    "http_method",
    "uri",
    "client_ip",
    "latency",
    "event_time",
    "event_id",
];
/// The silver notebook's `latency_alerts_users` columns (event_date aside).
const ALERT_USER: &[&str] = &[
    "event_id",
    "user_id",
    "name",
    "user_name",
    "city",
    "administrative_unit",
    "phone_number",
    "uri",
    "latency",
    "event_time",
];
const VIP: &[&str] = &[
    "user_id",
    "http_method",
    "uri",
    "latency",
    "event_time",
    "event_id",
];
const UNHAPPY: &[&str] = &[
    "user_id",
    "uri",
    "latency",
    "event_time",
    "event_id",
    "stars",
    "stars_time",
];
const FIRST: &[&str] = &["user_id", "uri", "event_time", "event_id"];
const EVENT_ID: &[&str] = &["event_id"];

impl Spec {
    /// The spec of `output`.
    pub fn of(output: Output) -> Spec {
        let (columns, id): (&'static [&'static str], &'static [&'static str]) = match output {
            Output::BronzePageviews => (PAGEVIEW, EVENT_ID),
            Output::BronzeStars => (STAR, EVENT_ID),
            Output::SilverHttpMethods => (HTTP, &["window_end", "http_method"]),
            Output::SilverLatencyAlerts => (ALERT, EVENT_ID),
            Output::LatencyAlertsUsers => (ALERT_USER, EVENT_ID),
            Output::SilverVipPageviews => (VIP, EVENT_ID),
            Output::SilverUnhappyViews => (UNHAPPY, &["event_id", "stars_time"]),
            Output::SilverFirstViews => (FIRST, EVENT_ID),
        };
        Spec { output, columns, id }
    }

    /// The identity of a row.
    pub fn id_of(&self, row: &Columns) -> String {
        let parts: Vec<&str> = self
            .id
            .iter()
            .map(|c| row.get(c).map_or("", String::as_str))
            .collect();
        parts.join(" ")
    }
}

/// One row an output must (or, borderline, may) hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExpectedRow {
    /// The compared columns.
    pub columns: Columns,
    /// Certain, or borderline (a job may or may not output it).
    pub certainty: Certainty,
    /// The rows the job writes for it when the producer's duplicates pass through: 2 for an
    /// event sent twice, up to 4 for a join of two; copies up to this are explained.
    pub copies: u8,
    /// A window count: the count with the producer's duplicates, also accepted.
    pub sends: Option<u64>,
    /// A window count: how far late events may move it (fewer, more), when the job moves
    /// events that arrive later than its tolerance.
    pub late: (u64, u64),
}

/// The rows of every output over a range.
#[derive(Debug, Clone, Default)]
pub struct Expected {
    /// Per output, its rows.
    pub outputs: BTreeMap<Output, Vec<ExpectedRow>>,
}

/// The canonical text of a value: integers in decimal, instants as RFC 3339 UTC with
/// milliseconds (`EventTime`'s form), text as itself, absent as the empty string.
pub fn canonical(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn columns_of<T: Serialize>(
    record: &T,
    names: &'static [&'static str],
    extra: &[(&'static str, String)],
) -> Columns {
    let value = serde_json::to_value(record).unwrap_or_default();
    let mut out: Columns = names.iter().map(|n| (*n, canonical(&value[*n]))).collect();
    for (k, v) in extra {
        out.insert(k, v.clone());
    }
    out
}

fn row(columns: Columns) -> ExpectedRow {
    ExpectedRow {
        columns,
        certainty: Certainty::Certain,
        copies: 1,
        sends: None,
        late: (0, 0),
    }
}

fn user_fields(user: &User) -> Vec<(&'static str, String)> {
    vec![
        ("name", user.name.clone()),
        ("user_name", user.user_name.clone()),
        ("city", user.city.to_owned()),
        ("administrative_unit", user.administrative_unit.to_owned()),
        ("phone_number", user.phone_number.clone()),
    ]
}

/// The rows of every output for `cfg` over `range`, from one pass of the keys. `tolerance`
/// is how late (send time after event time) the job still places an event in its own window;
/// later ones may land in a window up to their send time's, which widens the window counts'
/// accepted range (see [`ExpectedRow::late`]).
pub fn expected(cfg: &KeyConfig, range: KeyRange, tolerance: Millis) -> Expected {
    let mut out = Expected::default();
    // Late pageviews beyond the tolerance: (event-time window, send-time window, method).
    let mut movers: Vec<(Millis, Millis, &'static str)> = Vec::new();
    keys::stream_keys(cfg, range, |r| {
        let (output, expected) = match r {
            Row::Pageview { event, sent } => {
                if sent.lag(event.event_time) > tolerance {
                    movers.push((
                        tumbling_window_end(event.event_time.0, HTTP_METHODS_WINDOW),
                        tumbling_window_end(sent.at, HTTP_METHODS_WINDOW),
                        event.http_method,
                    ));
                }
                let mut e = row(columns_of(event, PAGEVIEW, &[]));
                e.copies = 1 + u8::from(sent.twice);
                (Output::BronzePageviews, e)
            }
            Row::Star { event, sent } => {
                let mut e = row(columns_of(event, STAR, &[]));
                e.copies = 1 + u8::from(sent.twice);
                (Output::BronzeStars, e)
            }
            Row::HttpMethods(w) => {
                let mut e = row(columns_of(w, HTTP, &[]));
                e.sends = (w.sends != w.pageviews).then_some(w.sends);
                (Output::SilverHttpMethods, e)
            }
            Row::LatencyAlert(v, sent) => {
                let mut e = row(columns_of(v, ALERT, &[]));
                e.copies = 1 + u8::from(sent.twice);
                (Output::SilverLatencyAlerts, e)
            }
            Row::LatencyAlertUser(v, u) => (
                Output::LatencyAlertsUsers,
                row(columns_of(v, ALERT_USER, &user_fields(u))),
            ),
            Row::VipPageview(v, sent) => {
                let mut e = row(columns_of(v, VIP, &[]));
                e.copies = 1 + u8::from(sent.twice);
                (Output::SilverVipPageviews, e)
            }
            Row::UnhappyView {
                view,
                star,
                certainty,
                copies,
            } => {
                let mut e = row(unhappy_columns(view, star));
                e.certainty = certainty;
                e.copies = copies;
                (Output::SilverUnhappyViews, e)
            }
            Row::FirstView { view, certainty } => {
                let mut e = row(columns_of(view, FIRST, &[]));
                e.certainty = certainty;
                (Output::SilverFirstViews, e)
            }
        };
        out.outputs.entry(output).or_default().push(expected);
    });
    if let Some(windows) = out.outputs.get_mut(&Output::SilverHttpMethods) {
        for w in windows.iter_mut() {
            let end = w.columns["window_end"].clone();
            let method = w.columns["http_method"].clone();
            let at = |t: Millis| EventTime(t).to_string();
            for (from, to, m) in &movers {
                if *m != method || from == to {
                    continue;
                }
                if at(*from) == end {
                    w.late.0 += 1;
                } else if *from < *to && at(*to) >= end && at(*from) < end {
                    w.late.1 += 1;
                }
            }
        }
    }
    out
}

fn unhappy_columns(view: &Pageview, star: &Star) -> Columns {
    let rating = [
        ("stars", star.stars.to_string()),
        ("stars_time", star.event_time.to_string()),
    ];
    columns_of(view, UNHAPPY, &rating)
}
