//! Issue 16: the answer keys against brute force. The users, pageviews and stars services write
//! an hour and a half of data (the streams by replay) to capture files and the lake; every output of
//! `query.asaql` is computed here naively from those files (nested loops, sorts) and must equal
//! the keys `playground_model::keys` computes from the settings alone, borderline rows
//! included. The range starts where the streams started, so its first windows hold sessions
//! begun before (the streams' look-back); it holds two pageviews exactly on 5-minute window
//! boundaries, a whole ISFIRST hour and the half hour before it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failed test

use std::collections::{BTreeMap, BTreeSet, HashMap};

use playground_deploy_checks::service_bin;
use playground_model::keys::{self, Certainty, KeyConfig, KeyRange, Output, Row};
use playground_model::{EventTime, Locale, StreamConfig};
use playground_testkit::{Playground, capture_lines};
use serde_json::Value;

const FROM: &str = "2026-12-01T05:30:00Z";
const UNTIL: &str = "2026-12-01T07:01:00Z";
const FROM_MS: i64 = 1_796_103_000_000;
const KEY_UNTIL_MS: i64 = FROM_MS + 5_400_000;
const HIGH_LATENCY_MS: u32 = 400;
const MINUTE: i64 = 60_000;

fn settings() -> Vec<(&'static str, &'static str)> {
    vec![
        ("SESSIONS_PER_SECOND", "3"),
        ("USERS_COUNT", "200"),
        ("PRODUCTS_COUNT", "50"),
        ("LATE_FRACTION", "0.1"),
        ("LATE_MAX_SECONDS", "30"),
        ("DUPLICATE_FRACTION", "0.05"),
        ("REPLAY_FROM", FROM),
        ("REPLAY_UNTIL", UNTIL),
    ]
}

fn config() -> KeyConfig {
    let mut stream = StreamConfig::new(42, 200, 50);
    stream.locale = Locale::CsCz;
    stream.sessions_per_second = 3.0;
    stream.late_fraction = 0.1;
    stream.late_max_seconds = 30;
    stream.duplicate_fraction = 0.05;
    KeyConfig {
        stream,
        vip_count: 20,
        high_latency_ms: HIGH_LATENCY_MS,
    }
}

/// A captured event: its JSON, its time, and its place in send order.
#[derive(Debug, Clone)]
struct Captured {
    json: Value,
    time: i64,
    copies: u32,
}

fn time_of(v: &Value) -> i64 {
    chrono::DateTime::parse_from_rfc3339(v["event_time"].as_str().unwrap())
        .unwrap()
        .timestamp_millis()
}

/// The distinct events of a hub in send order (files by partition then send minute, lines in
/// order), with how many copies were sent.
fn captured(pg: &Playground, hub: &str) -> Vec<Captured> {
    let mut out: Vec<Captured> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (_, v) in capture_lines(&pg.data().join("events").join(hub)) {
        let id = v["event_id"].as_str().unwrap().to_owned();
        match index.get(&id) {
            Some(&i) => out[i].copies += 1,
            None => {
                index.insert(id, out.len());
                out.push(Captured {
                    time: time_of(&v),
                    json: v,
                    copies: 1,
                });
            }
        }
    }
    out
}

fn in_range(t: i64) -> bool {
    FROM_MS < t && t <= KEY_UNTIL_MS
}

fn window_end(t: i64, width: i64) -> i64 {
    // (start, end], aligned to time zero: by search from an aligned instant before the range.
    let mut end = (FROM_MS / width - 10) * width;
    while end < t {
        end += width;
    }
    end
}

fn pick(v: &Value, fields: &[&str]) -> String {
    let m: BTreeMap<&str, &Value> = fields.iter().map(|f| (*f, &v[*f])).collect();
    serde_json::to_string(&m).unwrap()
}

const ALERT: &[&str] = &[
    "user_id",
    "http_method",
    "uri",
    "client_ip",
    "latency",
    "event_time",
    "event_id",
];
const VIP: &[&str] = &[
    "user_id",
    "http_method",
    "uri",
    "latency",
    "event_time",
    "event_id",
];
const UNHAPPY: &[&str] = &["user_id", "uri", "latency", "event_time", "event_id"];
const FIRST: &[&str] = &["user_id", "uri", "event_time", "event_id"];

type Rows = BTreeMap<Output, BTreeSet<String>>;

fn add(rows: &mut Rows, output: Output, row: String) {
    assert!(
        rows.entry(output).or_default().insert(row.clone()),
        "{output:?} twice: {row}"
    );
}

/// Every output, naively, from the files the services wrote.
fn brute_force(
    views: &[Captured],
    stars: &[Captured],
    users: &HashMap<u64, Value>,
    vips: &BTreeSet<u64>,
) -> Rows {
    let mut rows = Rows::new();
    let views: Vec<&Captured> = views.iter().filter(|c| in_range(c.time)).collect();
    let stars: Vec<&Captured> = stars.iter().filter(|c| in_range(c.time)).collect();
    let mut windows: BTreeMap<(i64, String), (u64, u64)> = BTreeMap::new();
    for c in &views {
        let v = &c.json;
        add(&mut rows, Output::BronzePageviews, format!("{v} x{}", c.copies));
        let w = windows
            .entry((
                window_end(c.time, 5 * MINUTE),
                v["http_method"].as_str().unwrap().to_owned(),
            ))
            .or_default();
        w.0 += 1;
        w.1 += u64::from(c.copies);
        if v["latency"].as_u64().unwrap() > u64::from(HIGH_LATENCY_MS) {
            add(
                &mut rows,
                Output::SilverLatencyAlerts,
                format!("{} x{}", pick(v, ALERT), c.copies),
            );
            let user = &users[&v["user_id"].as_u64().unwrap()];
            add(
                &mut rows,
                Output::LatencyAlertsUsers,
                format!("{} {user}", pick(v, ALERT)),
            );
        }
        if vips.contains(&v["user_id"].as_u64().unwrap()) {
            add(
                &mut rows,
                Output::SilverVipPageviews,
                format!("{} x{}", pick(v, VIP), c.copies),
            );
        }
    }
    for ((end, method), (n, sends)) in windows {
        if end - 5 * MINUTE >= FROM_MS && end <= KEY_UNTIL_MS {
            add(
                &mut rows,
                Output::SilverHttpMethods,
                format!("{method} {n} {sends} {}", EventTime(end)),
            );
        }
    }
    for c in &stars {
        add(
            &mut rows,
            Output::BronzeStars,
            format!("{} x{}", c.json, c.copies),
        );
    }
    // The join, both readings of DATEDIFF(minute, pv, st) BETWEEN 0 AND 10.
    for s in stars.iter().filter(|s| s.json["stars"].as_u64().unwrap() < 3) {
        for v in views.iter().filter(|v| v.json["user_id"] == s.json["user_id"]) {
            let duration = (0..=10 * MINUTE).contains(&(s.time - v.time));
            let minutes = (0..=10).contains(&(s.time.div_euclid(MINUTE) - v.time.div_euclid(MINUTE)));
            if duration || minutes {
                let certainty = if duration && minutes {
                    "Certain"
                } else {
                    "Borderline"
                };
                add(
                    &mut rows,
                    Output::SilverUnhappyViews,
                    format!(
                        "{} {} {} {certainty} x{}",
                        pick(&v.json, UNHAPPY),
                        s.json["stars"],
                        s.json["event_time"],
                        v.copies * s.copies
                    ),
                );
            }
        }
    }
    // ISFIRST(minute, 60) OVER (PARTITION BY user_id): per user, views in send order sorted by
    // time (stable), the first of each interval, under (start, end] and under [start, end).
    let mut by_user: BTreeMap<u64, Vec<&Captured>> = BTreeMap::new();
    for v in &views {
        by_user
            .entry(v.json["user_id"].as_u64().unwrap())
            .or_default()
            .push(v);
    }
    let hour = 60 * MINUTE;
    for mut list in by_user.into_values() {
        list.sort_by_key(|c| c.time);
        let first_of = |interval: &dyn Fn(i64) -> i64| -> BTreeSet<String> {
            let mut seen = BTreeSet::new();
            list.iter()
                .filter(|c| seen.insert(interval(c.time)))
                .filter(|c| {
                    let end = interval(c.time);
                    end - hour >= FROM_MS && end <= KEY_UNTIL_MS
                })
                .map(|c| pick(&c.json, FIRST))
                .collect()
        };
        let ours = first_of(&|t| window_end(t, hour));
        let other = first_of(&|t| t.div_euclid(hour) * hour + hour);
        for row in ours.union(&other) {
            let certainty = if ours.contains(row) && other.contains(row) {
                "Certain"
            } else {
                "Borderline"
            };
            add(&mut rows, Output::SilverFirstViews, format!("{row} {certainty}"));
        }
    }
    rows
}

fn json<T: serde::Serialize>(t: &T) -> Value {
    serde_json::to_value(t).unwrap()
}

/// The keys, in the same row shapes.
fn keyed(users: &HashMap<u64, Value>) -> (Rows, keys::KeyStats) {
    let mut rows = Rows::new();
    let certainty = |c: Certainty| format!("{c:?}");
    let stats = keys::stream_keys(
        &config(),
        KeyRange {
            from: FROM_MS,
            until: KEY_UNTIL_MS,
        },
        |row| {
            let (output, text) = match row {
                Row::Pageview { event, sent } => (
                    Output::BronzePageviews,
                    format!("{} x{}", json(event), 1 + u32::from(sent.twice)),
                ),
                Row::Star { event, sent } => (
                    Output::BronzeStars,
                    format!("{} x{}", json(event), 1 + u32::from(sent.twice)),
                ),
                Row::HttpMethods(w) => (
                    Output::SilverHttpMethods,
                    format!("{} {} {} {}", w.http_method, w.pageviews, w.sends, w.window_end),
                ),
                Row::LatencyAlert(v, sent) => (
                    Output::SilverLatencyAlerts,
                    format!("{} x{}", pick(&json(v), ALERT), 1 + u32::from(sent.twice)),
                ),
                Row::LatencyAlertUser(v, u) => {
                    assert_eq!(json(u), users[&u.id], "the user's fields are those of users.json");
                    (
                        Output::LatencyAlertsUsers,
                        format!("{} {}", pick(&json(v), ALERT), json(u)),
                    )
                }
                Row::VipPageview(v, sent) => (
                    Output::SilverVipPageviews,
                    format!("{} x{}", pick(&json(v), VIP), 1 + u32::from(sent.twice)),
                ),
                Row::UnhappyView {
                    view,
                    star,
                    certainty: c,
                    copies,
                } => (
                    Output::SilverUnhappyViews,
                    format!(
                        "{} {} {} {} x{copies}",
                        pick(&json(view), UNHAPPY),
                        star.stars,
                        json(&star.event_time),
                        certainty(c)
                    ),
                ),
                Row::FirstView { view, certainty: c } => (
                    Output::SilverFirstViews,
                    format!("{} {}", pick(&json(view), FIRST), certainty(c)),
                ),
            };
            add(&mut rows, output, text);
        },
    );
    (rows, stats)
}

#[test]
fn the_keys_equal_brute_force_over_what_the_services_wrote() {
    let users_pg = Playground::new(service_bin("users").to_str().unwrap());
    users_pg.run_ok(&[("COUNT", "200"), ("VIP_COUNT", "20")]);
    let lake = users_pg.data().join("lake/bronze/users");
    let users: HashMap<u64, Value> = std::fs::read_to_string(lake.join("users.json"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .map(|u| (u["id"].as_u64().unwrap(), u))
        .collect();
    let vips: BTreeSet<u64> = std::fs::read_to_string(lake.join("vip.json"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["id"].as_u64().unwrap())
        .collect();
    assert_eq!((users.len(), vips.len()), (200, 20));

    let streams = Playground::new(service_bin("pageviews").to_str().unwrap());
    streams.run_ok(&settings());
    let stars_pg = Playground::new(service_bin("stars").to_str().unwrap());
    stars_pg.run_ok(&settings());
    let views = captured(&streams, "pageviews");
    let stars = captured(&stars_pg, "stars");

    let expected = brute_force(&views, &stars, &users, &vips);
    let (got, stats) = keyed(&users);

    // The test sees what it claims to: late and duplicate events, boundary events, sessions
    // begun before the start, and rows in every output, borderline ones included.
    let in_hour: Vec<&Captured> = views.iter().filter(|c| in_range(c.time)).collect();
    assert!(
        in_hour.iter().filter(|c| c.time % (5 * MINUTE) == 0).count() >= 2,
        "no boundary event"
    );
    assert!(in_hour.iter().any(|c| c.copies == 2), "no duplicate");
    let early = |c: &&Captured| {
        let session_second: i64 = c.json["session_id"]
            .as_str()
            .unwrap()
            .split('-')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        session_second * 1000 < FROM_MS
    };
    assert!(
        in_hour.iter().any(early),
        "no session begun before the streams started"
    );
    for output in Output::ALL {
        let n = expected.get(&output).map_or(0, BTreeSet::len);
        assert!(
            n > 0,
            "{} has no rows: the test would prove nothing",
            output.name()
        );
    }
    for output in [Output::SilverUnhappyViews, Output::SilverFirstViews] {
        let borderline = expected[&output]
            .iter()
            .filter(|r| r.ends_with("Borderline"))
            .count();
        let certain = expected[&output].len() - borderline;
        eprintln!("{}: {certain} certain, {borderline} borderline", output.name());
    }

    for output in Output::ALL {
        let (e, g) = (
            expected.get(&output).cloned().unwrap_or_default(),
            got.get(&output).cloned().unwrap_or_default(),
        );
        let missing: Vec<_> = e.difference(&g).take(3).collect();
        let extra: Vec<_> = g.difference(&e).take(3).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{}: {} expected, {} keyed; missing from the keys {missing:#?}; extra {extra:#?}",
            output.name(),
            e.len(),
            g.len()
        );
        assert_eq!(stats.rows.get(&output).copied().unwrap_or(0) as usize, g.len());
    }
    eprintln!("keys: {stats:?}");
}
