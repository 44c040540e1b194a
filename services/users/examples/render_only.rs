//! The users service's own limit, for `make bench-per-core`: the same VIP list and the same
//! blocks of users.json rendered with the service's code (generation and JSON lines), one
//! block at a time on one thread, and dropped instead of written. The bench runs it pinned to
//! one core beside the service, so the difference between the two is the cost of writing.

#![allow(clippy::expect_used)] // a bench tool: a panic is a failed run

use std::sync::Arc;

use playground_model::{Locale, UserGenerator};
use playground_users::{render_users, render_vips};

fn var(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .map(|v| v.parse().expect(name))
        .unwrap_or(default)
}

fn main() {
    let count = var("COUNT", 1_000_000);
    let vips = var("VIP_COUNT", 1_000);
    let per = var("BLOCK_RECORDS", playground_users::BLOCK_RECORDS.default).max(1);
    let seed = var("SEED", 42);
    let generator = Arc::new(UserGenerator::new(seed, count, Locale::CsCz));
    let mut bytes = render_vips(&generator, 0..vips).expect("vips").len() as u64;
    let mut start = 0;
    // One buffer throughout, as the service reuses its few.
    let mut block = Vec::new();
    while start < count {
        let end = (start + per).min(count);
        block.clear();
        render_users(&generator, start..end, &mut block).expect("users");
        bytes += std::hint::black_box(&block).len() as u64;
        start = end;
    }
    println!("{{\"users\": {count}, \"bytes\": {bytes}}}");
}
