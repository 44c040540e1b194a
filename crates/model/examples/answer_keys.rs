//! Computes the stream outputs' answer keys over a range and prints how fast, as one JSON line:
//! `make bench-keys` runs it beside the pageviews and stars services replaying the same range.
//! Settings as the services read them: SEED, USERS_COUNT, PRODUCTS_COUNT, VIP_COUNT,
//! SESSIONS_PER_SECOND, HIGH_LATENCY_MS, REPLAY_FROM and REPLAY_UNTIL (RFC 3339).

use std::time::Instant;

use playground_model::StreamConfig;
use playground_model::keys::{KeyConfig, KeyRange, stream_keys};

fn var<T: std::str::FromStr>(name: &str, default: T) -> T {
    match std::env::var(name) {
        Ok(v) => v.parse().unwrap_or_else(|_| {
            eprintln!("{name}: cannot parse {v:?}");
            std::process::exit(2)
        }),
        Err(_) => default,
    }
}

fn instant(name: &str) -> i64 {
    let raw = std::env::var(name).unwrap_or_else(|_| {
        eprintln!("{name} is required (RFC 3339)");
        std::process::exit(2)
    });
    match chrono::DateTime::parse_from_rfc3339(&raw) {
        Ok(t) => t.timestamp_millis(),
        Err(e) => {
            eprintln!("{name}: {raw:?} is not RFC 3339: {e}");
            std::process::exit(2)
        }
    }
}

fn main() {
    let mut stream = StreamConfig::new(
        var("SEED", 42),
        var("USERS_COUNT", 5_000_000),
        var("PRODUCTS_COUNT", 100_000),
    );
    stream.sessions_per_second = var("SESSIONS_PER_SECOND", 1.0);
    let cfg = KeyConfig {
        stream,
        vip_count: var("VIP_COUNT", 50_000),
        high_latency_ms: var("HIGH_LATENCY_MS", 2000),
    };
    let range = KeyRange {
        from: instant("REPLAY_FROM"),
        until: instant("REPLAY_UNTIL"),
    };
    let started = Instant::now();
    let mut rows = 0u64;
    let stats = stream_keys(&cfg, range, |_| rows += 1);
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{{\"events\":{},\"rows\":{rows},\"seconds\":{seconds:.3},\"events_per_s\":{:.0},\"peak_held\":{}}}",
        stats.events,
        stats.events as f64 / seconds,
        stats.peak_held
    );
}
