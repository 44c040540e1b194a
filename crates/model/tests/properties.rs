//! Properties the playground's users rely on: keys that refer to existing records, shards that
//! tile the whole, output independent of threads, valid birth numbers, stars that follow their
//! user's pageviews, and rates and fractions within tolerance over large samples.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests: a panic is a failed test

use std::collections::{HashMap, HashSet};

use playground_model::birth_number::{self, Sex};
use playground_model::*;
use proptest::prelude::*;
use rayon::prelude::*;

fn user_lines(g: &UserGenerator, range: std::ops::Range<u64>) -> Vec<u8> {
    let mut out = Vec::new();
    for u in g.users(range) {
        serde_json::to_writer(&mut out, &u).expect("serialise");
        out.push(b'\n');
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn every_foreign_key_refers_to_an_existing_record(
        seed in any::<u64>(), users in 1u64..5000, products in 1u64..500, orders in 1u64..400,
    ) {
        let g = OrderGenerator::new(OrdersConfig::new(seed, users, products));
        for o in g.orders(0..orders) {
            prop_assert!(o.user_id < users);
        }
        let items: Vec<Item> = g.items(0..orders).collect();
        let mut per_order: HashMap<u64, Vec<&Item>> = HashMap::new();
        for i in &items {
            prop_assert!(i.product_id < products);
            prop_assert!(i.order_id < orders);
            per_order.entry(i.order_id).or_default().push(i);
        }
        prop_assert_eq!(per_order.len() as u64, orders, "every order has items");
        for (order, rows) in per_order {
            let k = rows.len() as u32;
            prop_assert!((1..=10).contains(&k));
            prop_assert_eq!(k, g.item_count(order));
            let ids: Vec<u32> = rows.iter().map(|r| r.row_id).collect();
            prop_assert_eq!(ids, (1..=k).collect::<Vec<_>>());
            let distinct: HashSet<u64> = rows.iter().map(|r| r.product_id).collect();
            prop_assert_eq!(distinct.len() as u32, k.min(products as u32), "products distinct within an order");
        }
        let ug = UserGenerator::new(seed, users, Locale::CsCz);
        let vip_count = users.min(300);
        let vips: HashSet<u64> = ug.vips(0..vip_count).map(|v| v.id).collect();
        prop_assert_eq!(vips.len() as u64, vip_count, "VIP ids are distinct");
        prop_assert!(vips.iter().all(|&v| v < users));
    }

    #[test]
    fn the_union_of_the_shards_is_the_whole(seed in any::<u64>(), total in 0u64..300, n in 1u32..7) {
        let g = UserGenerator::new(seed, total, Locale::CsCz);
        let whole = user_lines(&g, 0..total);
        let mut union = Vec::new();
        for i in 0..n {
            union.extend(user_lines(&g, Shard::new(i, n).expect("valid").range(total)));
        }
        prop_assert_eq!(union, whole);
        let og = OrderGenerator::new(OrdersConfig::new(seed, 100, 100));
        let all: Vec<Item> = og.items(0..total).collect();
        let parts: Vec<Item> = (0..n).flat_map(|i| og.items(Shard::new(i, n).expect("valid").range(total))).collect();
        prop_assert_eq!(parts, all);
    }
}

#[test]
fn output_is_identical_across_thread_counts() {
    let g = UserGenerator::new(7, 20_000, Locale::CsCz);
    let sequential = user_lines(&g, 0..20_000);
    for threads in [1, 2, 4] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        let parallel: Vec<u8> = pool.install(|| {
            (0..200u64)
                .into_par_iter()
                .map(|chunk| user_lines(&g, chunk * 100..(chunk + 1) * 100))
                .collect::<Vec<_>>()
                .concat()
        });
        assert!(parallel == sequential, "{threads} threads differ");
    }
}

#[test]
fn birth_numbers_are_valid_and_agree_with_the_name() {
    let d = Locale::CsCz.data();
    let g = UserGenerator::new(3, 20_000, Locale::CsCz);
    let mut women = 0;
    for u in g.users(0..20_000) {
        let decoded = birth_number::decode(&u.birth_number)
            .unwrap_or_else(|| panic!("user {}: invalid birth number {}", u.id, u.birth_number));
        let (first, last) = u.name.split_once(' ').expect("first and last name");
        match decoded.sex {
            Sex::Female => {
                women += 1;
                assert!(
                    d.female_first.contains(&first),
                    "{}: {first} is not a female name",
                    u.id
                );
                assert!(d.surnames.iter().any(|s| s.1 == last), "{}: {last}", u.id);
            }
            Sex::Male => {
                assert!(
                    d.male_first.contains(&first),
                    "{}: {first} is not a male name",
                    u.id
                );
                assert!(d.surnames.iter().any(|s| s.0 == last), "{}: {last}", u.id);
            }
        }
        let year = chrono::Datelike::year(&decoded.date);
        assert!((1954..=2006).contains(&year), "{}: born {year}", u.id);
        assert!(d.cities.contains(&(u.city, u.administrative_unit)));
        let sentences = u.description.matches('.').count();
        assert!((1..=5).contains(&sentences));
        assert!(u.user_name.is_ascii() && !u.user_name.is_empty());
        assert!(u.jobs[0] != u.jobs[1] && u.jobs[1] != u.jobs[2] && u.jobs[0] != u.jobs[2]);
    }
    assert!((9_500..10_500).contains(&women), "{women} women of 20000");
}

const DAY_START: i64 = 1_764_028_800; // 2025-11-25T00:00:00Z

fn stream_cfg(rate: f64) -> StreamConfig {
    let mut c = StreamConfig::new(11, 10_000, 2_000);
    c.sessions_per_second = rate;
    c
}

#[test]
fn every_star_follows_a_pageview_of_its_user_within_ten_minutes() {
    let cfg = stream_cfg(5.0);
    let start = DAY_START;
    let until = (start + 4 * 3600) * 1000;
    // Pageviews from an hour earlier, so the views of sessions in progress at `start` are there.
    let views = EventStream::<Pageviews>::new(Timeline::new(cfg.clone()), start - 3600).drain_before(until);
    let stars = EventStream::<Stars>::new(Timeline::new(cfg), start).drain_before(until);
    assert!(stars.len() > 500, "only {} stars", stars.len());
    let mut by_user: HashMap<u64, Vec<i64>> = HashMap::new();
    for v in &views {
        by_user
            .entry(v.event.user_id)
            .or_default()
            .push(v.event.event_time.0);
    }
    for s in &stars {
        let t = s.event.event_time.0;
        let ok = by_user
            .get(&s.event.user_id)
            .is_some_and(|ts| ts.iter().any(|&v| v < t && t - v <= 600_000));
        assert!(
            ok,
            "star {} has no pageview of user {} in the 10 minutes before",
            s.event.event_id, s.event.user_id
        );
        assert!((1..=5).contains(&s.event.stars));
    }
    // About one session in 50 is rated.
    let sessions: HashSet<&str> = views
        .iter()
        .filter(|v| v.send_at >= start * 1000)
        .map(|v| v.event.session_id.as_str())
        .collect();
    let ratio = stars.len() as f64 / sessions.len() as f64;
    assert!((0.016..0.024).contains(&ratio), "stars per session {ratio}");
}

#[test]
fn rates_and_fractions_are_within_tolerance() {
    let cfg = stream_cfg(20.0);
    let tl = Timeline::new(cfg.clone());
    let seconds = 3_000;
    let sessions: u64 = (0..seconds).map(|s| tl.sessions_in(DAY_START + s) as u64).sum();
    let mean = sessions as f64 / seconds as f64;
    assert!((19.5..20.5).contains(&mean), "mean sessions/s {mean}");

    let views = EventStream::<Pageviews>::new(tl, DAY_START).drain_before((DAY_START + 1200) * 1000);
    let n = views.len() as f64;
    assert!(n > 100_000.0, "{n} views");
    let frac = |f: &dyn Fn(&Pageview) -> bool| views.iter().filter(|v| f(&v.event)).count() as f64 / n;
    let missing_ip = frac(&|v| v.client_ip.is_none());
    let outliers = frac(&|v| v.latency >= 500);
    let gets = frac(&|v| v.http_method == "GET");
    assert!(
        (0.005..0.015).contains(&missing_ip),
        "missing client_ip {missing_ip}"
    );
    assert!((0.007..0.013).contains(&outliers), "latency outliers {outliers}");
    assert!((0.85..0.91).contains(&gets), "GET share {gets}");
    assert!(
        views
            .iter()
            .all(|v| v.event.latency >= 20 && v.event.latency <= 5000)
    );
    let normal: Vec<f64> = views
        .iter()
        .map(|v| v.event.latency as f64)
        .filter(|&l| l < 500.0)
        .collect();
    let avg = normal.iter().sum::<f64>() / normal.len() as f64;
    assert!((190.0..210.0).contains(&avg), "typical latency {avg}");
    // Views per session 1..=30; in send order, times never go back.
    let mut per_session: HashMap<&str, u32> = HashMap::new();
    for v in &views {
        *per_session.entry(v.event.session_id.as_str()).or_default() += 1;
    }
    assert!(per_session.values().all(|&c| (1..=30).contains(&c)));
    assert!(views.windows(2).all(|w| w[0].send_at <= w[1].send_at));
    // URIs point at existing product pages.
    for v in views.iter().take(10_000) {
        let id: u64 = v
            .event
            .uri
            .split('/')
            .nth(4)
            .and_then(|s| s.parse().ok())
            .expect("product id in uri");
        assert!(id < cfg.products_count);
        assert!(
            ProductGenerator::new(cfg.seed, cfg.locale)
                .product(id)
                .pages
                .contains(&v.event.uri)
        );
    }
}

#[test]
fn late_and_duplicate_fractions_and_the_daily_curve() {
    let mut cfg = stream_cfg(10.0);
    cfg.late_fraction = 0.05;
    cfg.late_max_seconds = 30;
    cfg.duplicate_fraction = 0.02;
    let views =
        EventStream::<Pageviews>::new(Timeline::new(cfg), DAY_START).drain_before((DAY_START + 1800) * 1000);
    let originals: Vec<_> = views.iter().filter(|v| !v.duplicate).collect();
    let n = originals.len() as f64;
    let late = originals
        .iter()
        .filter(|v| v.event.event_time.0 < v.send_at)
        .count() as f64
        / n;
    let dups = (views.len() - originals.len()) as f64 / n;
    assert!((0.045..0.055).contains(&late), "late {late}");
    assert!((0.017..0.023).contains(&dups), "duplicates {dups}");
    assert!(
        originals
            .iter()
            .all(|v| v.send_at - v.event.event_time.0 <= 30_000)
    );
    let ids: HashSet<&str> = originals.iter().map(|v| v.event.event_id.as_str()).collect();
    assert_eq!(ids.len(), originals.len(), "ids are unique among first sends");
    for d in views.iter().filter(|v| v.duplicate) {
        assert!(ids.contains(d.event.event_id.as_str()));
    }

    let mut curve = stream_cfg(10.0);
    curve.daily_curve = true;
    let tl = Timeline::new(curve);
    let hour = |h: i64| {
        (0..3600)
            .map(|s| tl.sessions_in(DAY_START + h * 3600 + s) as f64)
            .sum::<f64>()
            / 3600.0
    };
    let (night, afternoon) = (hour(4), hour(16));
    assert!(
        night < 5.0 && afternoon > 15.0,
        "04:00 {night}/s, 16:00 {afternoon}/s"
    );
    let day_mean = (0..86_400)
        .step_by(60)
        .map(|s| tl.rate_at(DAY_START + s))
        .sum::<f64>()
        / 1440.0;
    assert!((day_mean - 10.0).abs() < 0.01, "daily mean {day_mean}");
}

#[test]
fn a_stream_is_in_steady_state_from_its_first_second_and_windows_compose() {
    let cfg = stream_cfg(10.0);
    let (a, b, c) = (DAY_START, DAY_START + 300, DAY_START + 600);
    let all = EventStream::<Pageviews>::new(Timeline::new(cfg.clone()), a).drain_before(c * 1000);
    let first = EventStream::<Pageviews>::new(Timeline::new(cfg.clone()), a).drain_before(b * 1000);
    let second = EventStream::<Pageviews>::new(Timeline::new(cfg), b).drain_before(c * 1000);
    // The window [a, c) is the window [a, b) followed by [b, c), whatever the start.
    assert_eq!([first.clone(), second.clone()].concat(), all);
    // ~5.5 views per session at 10 sessions/s: about 55 events/s from the first minute on.
    let first_minute = all.iter().filter(|e| e.send_at < (a + 60) * 1000).count();
    assert!(
        (2_400..4_400).contains(&first_minute),
        "{first_minute} events in the first minute"
    );
    assert!(all.iter().all(|e| e.send_at >= a * 1000 && e.send_at < c * 1000));
}

#[test]
fn a_stream_drained_in_steps_equals_one_drained_at_once() {
    let cfg = stream_cfg(3.0);
    let until = (DAY_START + 600) * 1000;
    let once = EventStream::<Pageviews>::new(Timeline::new(cfg.clone()), DAY_START).drain_before(until);
    let mut stepped = EventStream::<Pageviews>::new(Timeline::new(cfg), DAY_START);
    let mut parts = Vec::new();
    let mut t = DAY_START * 1000;
    while t < until {
        t += 137;
        parts.extend(stepped.drain_before(t.min(until)));
    }
    assert_eq!(parts, once);
}

#[test]
fn a_stream_warmed_up_in_steps_equals_one_opened_at_once() {
    let cfg = stream_cfg(3.0);
    let until = (DAY_START + 300) * 1000;
    let once = EventStream::<Pageviews>::new(Timeline::new(cfg.clone()), DAY_START).drain_before(until);
    let mut stepped = EventStream::<Pageviews>::unopened(Timeline::new(cfg.clone()), DAY_START);
    let mut steps = 0;
    while !stepped.warm_up(100) {
        steps += 1;
    }
    assert!(steps > 10, "the look-back window is opened in steps: {steps}");
    assert_eq!(stepped.drain_before(until), once);
    // Not warmed up at all: the first next_before opens the rest.
    let mut lazy = EventStream::<Pageviews>::unopened(Timeline::new(cfg), DAY_START);
    assert!(!lazy.warm_up(5));
    assert_eq!(lazy.drain_before(until), once);
}
