//! Records per second of every generator on one core, with and without JSON serialisation
//! into memory. `make bench` runs it; the Python version's Faker loop, measured by
//! `bench/python_baseline.py` in the same run, is passed in `BASELINE_USERS_PER_SEC`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use playground_model::*;

const SEED: u64 = 42;

/// Runs `f(batch)` over consecutive batches until `min` has passed; returns records/s.
fn measure(name: &str, min: Duration, mut f: impl FnMut(u64) -> u64) -> f64 {
    // Warm up: word lists, page cache, branch predictors.
    f(0);
    let start = Instant::now();
    let mut records = 0u64;
    let mut batch = 1;
    while start.elapsed() < min {
        records += f(batch);
        batch += 1;
    }
    let rate = records as f64 / start.elapsed().as_secs_f64();
    println!("{name:<44} {:>14} records/s", fmt_rate(rate));
    rate
}

fn fmt_rate(r: f64) -> String {
    let s = format!("{:.0}", r);
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn main() {
    let min = Duration::from_millis(
        std::env::var("BENCH_MILLIS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(3000),
    );
    println!("generators, one core, seed {SEED}, at least {min:?} each");
    const B: u64 = 10_000;
    let users = UserGenerator::new(SEED, 5_000_000, Locale::CsCz);
    let mut buf = Vec::with_capacity(16 << 20);
    measure("users (generate only)", min, |b| {
        for u in users.users(b * B..(b + 1) * B) {
            black_box(u);
        }
        B
    });
    let users_json = measure("users (generate + JSON lines)", min, |b| {
        buf.clear();
        for u in users.users(b * B..(b + 1) * B) {
            serde_json::to_writer(&mut buf, &u).expect("serialise");
            buf.push(b'\n');
        }
        black_box(&buf);
        B
    });
    let users_en = UserGenerator::new(SEED, 5_000_000, Locale::EnUs);
    measure("users en_US (generate + JSON lines)", min, |b| {
        buf.clear();
        for u in users_en.users(b * B..(b + 1) * B) {
            serde_json::to_writer(&mut buf, &u).expect("serialise");
            buf.push(b'\n');
        }
        B
    });
    measure("vip (generate + JSON lines)", min, |b| {
        buf.clear();
        for v in users.vips((b * B) % 4_000_000..(b * B) % 4_000_000 + B) {
            serde_json::to_writer(&mut buf, &v).expect("serialise");
            buf.push(b'\n');
        }
        B
    });
    let products = ProductGenerator::new(SEED, Locale::CsCz);
    measure("products (generate + JSON)", min, |b| {
        buf.clear();
        for p in products.products(b * B..(b + 1) * B) {
            serde_json::to_writer(&mut buf, &p).expect("serialise");
        }
        B
    });
    let orders = OrderGenerator::new(OrdersConfig::new(SEED, 5_000_000, 100_000));
    let mut items = Vec::with_capacity(16);
    const OB: u64 = 100_000;
    let rows = measure("orders + items rows (generate only)", min, |b| {
        let mut rows = 0;
        for i in b * OB..(b + 1) * OB {
            black_box(orders.order(i));
            items.clear();
            orders.items_into(i, &mut items);
            black_box(&items);
            rows += 1 + items.len() as u64;
        }
        rows
    });
    measure("orders + items rows (generate + JSON)", min, |b| {
        buf.clear();
        let mut rows = 0;
        for i in b * OB..(b + 1) * OB {
            serde_json::to_writer(&mut buf, &orders.order(i)).expect("serialise");
            items.clear();
            orders.items_into(i, &mut items);
            for it in &items {
                serde_json::to_writer(&mut buf, it).expect("serialise");
            }
            rows += 1 + items.len() as u64;
        }
        rows
    });
    let mut cfg = StreamConfig::new(SEED, 5_000_000, 100_000);
    cfg.sessions_per_second = 1000.0;
    let start = 1_764_028_800i64;
    let mut views = EventStream::<Pageviews>::new(Timeline::new(cfg.clone()), start);
    measure("pageviews at 1000 sessions/s (generate + JSON)", min, |b| {
        buf.clear();
        let mut n = 0;
        while let Some(e) = views.next_before((start + b as i64) * 1000) {
            serde_json::to_writer(&mut buf, &e.event).expect("serialise");
            n += 1;
        }
        n
    });
    let mut stars = EventStream::<Stars>::new(Timeline::new(cfg), start);
    measure("sessions scanned by the stars stream", min, |b| {
        let mut n = 0;
        while let Some(e) = stars.next_before((start + b as i64 * 10) * 1000) {
            black_box(e);
            n += 1;
        }
        black_box(n);
        10_000
    });

    let (generated, keyed) = answer_keys(min);

    println!();
    println!(
        "         answer keys vs the streams' generators: {:.2}x (keys >= generators: {})",
        keyed / generated,
        verdict(keyed >= generated)
    );
    println!(
        "targets: users >= 500,000/s: {}",
        verdict(users_json >= 500_000.0)
    );
    println!(
        "         orders + items >= 10,000,000 rows/s: {}",
        verdict(rows >= 10_000_000.0)
    );
    match std::env::var("BASELINE_USERS_PER_SEC")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
    {
        Some(base) if base > 0.0 => println!(
            "baseline: Python Faker user loop {} users/s in this run; users here {:.0}x faster",
            fmt_rate(base),
            users_json / base
        ),
        _ => println!("baseline: not measured (make bench runs bench/python_baseline.py for it)"),
    }
}

/// Events per second keyed (every stream output of `query.asaql`, one pass) against events
/// per second the two stream services generate and serialise for the same range, with the
/// Terraform defaults but a rate high enough to measure (10 sessions/s); then a whole day at
/// the Terraform default rate, with the most events held at once (the memory bound).
fn answer_keys(min: Duration) -> (f64, f64) {
    use playground_model::keys::{KeyConfig, KeyRange, stream_keys};
    let mut stream = StreamConfig::new(SEED, 5_000_000, 100_000);
    stream.sessions_per_second = 10.0;
    let cfg = KeyConfig {
        stream,
        vip_count: 50_000,
        high_latency_ms: 2000,
    };
    let day = 1_764_028_800_000i64;
    let range = |b: u64| KeyRange {
        from: day + b as i64 * 600_000,
        until: day + (b as i64 + 1) * 600_000,
    };
    let mut buf = Vec::with_capacity(16 << 20);
    let generated = measure("pageviews + stars, 10 min at 10/s (generate + JSON)", min, |b| {
        let r = range(b);
        let timeline = Timeline::new(cfg.stream.clone());
        let mut n = 0;
        let mut views = EventStream::<Pageviews>::unopened_at(timeline.clone(), r.from);
        while let Some(e) = views.next_before(r.until) {
            buf.clear();
            serde_json::to_writer(&mut buf, &e.event).expect("serialise");
            n += 1;
        }
        let mut stars = EventStream::<Stars>::unopened_at(timeline, r.from);
        while let Some(e) = stars.next_before(r.until) {
            buf.clear();
            serde_json::to_writer(&mut buf, &e.event).expect("serialise");
            n += 1;
        }
        n
    });
    let keyed = measure("answer keys, the same ranges (all outputs)", min, |b| {
        let mut rows = 0u64;
        let stats = stream_keys(&cfg, range(b), |row| {
            black_box(row);
            rows += 1;
        });
        black_box(rows);
        stats.events
    });
    let mut daily = cfg.clone();
    daily.stream.sessions_per_second = 1.0;
    let started = Instant::now();
    let stats = stream_keys(
        &daily,
        KeyRange {
            from: day,
            until: day + 86_400_000,
        },
        |row| {
            black_box(row);
        },
    );
    println!(
        "answer keys, a day at the Terraform default (1 session/s): {} events in {:.1} s, at most {} held at once",
        fmt_rate(stats.events as f64),
        started.elapsed().as_secs_f64(),
        fmt_rate(stats.peak_held as f64)
    );
    (generated, keyed)
}

fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "MISSED" }
}
