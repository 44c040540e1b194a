//! Events/s through the Event Hubs backend into the AMQP test peer: the client-side ceiling of
//! sending (the official producer's encoding, batching, one batch per partition in flight),
//! with the peer decoding on the same machine. Not an Event Hubs benchmark: the peer keeps the
//! events in memory and acknowledges at once.
//!
//! 1. Throughput: `BENCH_EVENTS` (300,000) pre-generated pageviews, sent in sends of 5,000
//!    (4 partitions, 4 in flight), then the same sends through the capture files as a
//!    baseline. CPU is read from `/proc`: the whole process (conservative: it includes the
//!    peer's decoding) and the process minus the peer's own runtime threads (`amqp-peer`).
//! 2. Rate accuracy: the release `playground-pageviews` (build it first; skipped when missing)
//!    runs `BENCH_RATE_SECONDS` (20) at 200 sessions/s into a peer; what the peer received is
//!    compared with what the model says the window holds.
//!
//! Human lines first, one JSON line last on stdout for scripts.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a bench: a panic is a failed run

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use playground_amqp_peer::AmqpPeer;
use playground_model::{Emitted, EventStream, Pageview, Pageviews, StreamConfig, Timeline};
use playground_sinks::events::capture_files::CaptureFiles;
use playground_sinks::events::eventhubs::EventHubs;
use playground_sinks::events::{EventHubsAuth, EventHubsTarget};
use playground_sinks::events::{EventRecord, EventSink};
use serde_json::{Value, json};

const HUB: &str = "pageviews";
const PARTITIONS: u32 = 4;
const IN_FLIGHT: usize = 4;
const SEND: usize = 5_000;
const TARGET_PER_CORE: f64 = 100_000.0;
/// Clock ticks per second of `/proc/*/stat` (`USER_HZ`, 100 on every Linux port we run on).
const TICKS: f64 = 100.0;
/// The thread name of the peer's own runtime (`AmqpPeer::start_blocking`).
const PEER_THREAD: &str = "amqp-peer";

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// user + system ticks of a `/proc/.../stat` file.
fn stat_ticks(path: &str) -> Option<u64> {
    let s = std::fs::read_to_string(path).ok()?;
    // Fields after the `(comm)`, which may contain spaces: state is field 3, utime 14, stime 15.
    let rest = &s[s.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
}

/// CPU seconds of the whole process (every thread, living or gone), and of the peer's threads.
fn cpu() -> (f64, f64) {
    let process = stat_ticks("/proc/self/stat").expect("/proc/self/stat") as f64 / TICKS;
    let mut peer = 0u64;
    for task in std::fs::read_dir("/proc/self/task")
        .expect("/proc/self/task")
        .flatten()
    {
        let dir = task.path();
        let comm = std::fs::read_to_string(dir.join("comm")).unwrap_or_default();
        if comm.trim_end() == PEER_THREAD {
            peer += stat_ticks(&dir.join("stat").to_string_lossy()).unwrap_or(0);
        }
    }
    (process, peer as f64 / TICKS)
}

/// What `playground_runtime::stream::record` makes of an event.
fn record(e: &Emitted<Pageview>) -> EventRecord {
    EventRecord {
        id: e.event.event_id.clone(),
        partition_key: e.event.user_id.to_string(),
        sent_at: e.send_at,
        body: serde_json::to_vec(&e.event).unwrap(),
    }
}

/// The first `n` pageviews of a busy timeline, in send order.
fn pageviews(n: usize) -> Vec<EventRecord> {
    let mut cfg = StreamConfig::new(42, 10_000, 1000);
    cfg.sessions_per_second = 2_000.0;
    let first_second = 1_700_000_000;
    let mut stream = EventStream::<Pageviews>::new(Timeline::new(cfg), first_second);
    let mut out = Vec::with_capacity(n);
    let mut second = first_second;
    while out.len() < n {
        second += 1;
        out.extend(stream.drain_before(second * 1000).iter().map(record));
    }
    out.truncate(n);
    out
}

fn sends(records: &[EventRecord]) -> Vec<Vec<EventRecord>> {
    records.chunks(SEND).map(<[EventRecord]>::to_vec).collect()
}

struct Run {
    secs: f64,
    cpu: f64,
    peer_cpu: f64,
}

async fn pump<S: EventSink>(sink: &mut S, sends: Vec<Vec<EventRecord>>) -> Run {
    let (cpu0, peer0) = cpu();
    let start = Instant::now();
    for s in sends {
        sink.send(s).await.unwrap();
    }
    let secs = start.elapsed().as_secs_f64();
    let (cpu1, peer1) = cpu();
    Run {
        secs,
        cpu: cpu1 - cpu0,
        peer_cpu: peer1 - peer0,
    }
}

fn target(peer: &AmqpPeer) -> EventHubsTarget {
    EventHubsTarget {
        auth: EventHubsAuth::ConnectionString(peer.connection_string(HUB)),
        endpoint: Some(peer.endpoint()),
        in_flight: std::num::NonZeroUsize::new(IN_FLIGHT).expect("in flight > 0"),
        retry: Duration::from_secs(60),
        setting: "THE_SETTING",
    }
}

fn throughput(rt: &tokio::runtime::Runtime, n: usize) -> Value {
    let t0 = Instant::now();
    let records = pageviews(n);
    let ids: HashSet<&str> = records.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids.len(), n, "the generated ids are unique");
    let bytes: usize = records.iter().map(|r| r.body.len()).sum();
    println!(
        "generated {n} pageviews ({:.0} bytes of JSON each on average) in {:.1} s",
        bytes as f64 / n as f64,
        t0.elapsed().as_secs_f64()
    );

    // The peer on its own runtime (its threads are named), the sink on this one.
    let peer = AmqpPeer::start_blocking(&[(HUB, PARTITIONS)]).unwrap();
    let eh = rt.block_on(async {
        let mut sink = EventHubs::open(&target(&peer), HUB).await.unwrap();
        let run = pump(&mut sink, sends(&records)).await;
        // `send` returns when every event is acknowledged: all of them are there already.
        let received = peer.received();
        let resends = sink.resends();
        sink.close().await.unwrap();
        (run, received, resends)
    });
    let (run, received, resends) = eh;
    let got: HashSet<&str> = received
        .iter()
        .map(|r| r.message_id.as_deref().expect("a message id"))
        .collect();
    // At-least-once: a lost acknowledgement makes a batch arrive twice (the client's own retry,
    // or the sink's resend after 10 s); report it rather than hide it.
    if received.len() != n {
        println!(
            "  note: {} duplicate events ({resends} resends by the sink, the rest the client's retries)",
            received.len() - got.len()
        );
    }
    assert_eq!(got.len(), n, "every event arrived");
    assert!(got.is_subset(&ids), "the received ids are the sent ones");
    assert!(
        received.iter().all(|r| r.hub == HUB && r.partition.is_some()),
        "every event went to a partition of the hub"
    );
    let batches = peer.batches();
    drop(peer);
    let eh_rate = n as f64 / run.secs;
    let per_cpu = n as f64 / run.cpu;
    let sink_cpu = run.cpu - run.peer_cpu;
    let per_sink_cpu = n as f64 / sink_cpu;
    let per_batch = n as f64 / batches as f64;
    println!(
        "eventhubs -> amqp peer: {n} events in {:.2} s = {eh_rate:.0} events/s wall-clock \
         ({} events/send, {PARTITIONS} partitions, {IN_FLIGHT} in flight)",
        run.secs, SEND
    );
    println!(
        "  cpu: {:.2} s whole process = {per_cpu:.0} events per cpu-second \
         (conservative: includes the peer's decoding, {:.2} s on its own threads)",
        run.cpu, run.peer_cpu
    );
    println!(
        "  cpu: {sink_cpu:.2} s without the peer's threads = {per_sink_cpu:.0} events per cpu-second \
         (the sink side: producer, tokio, the bench loop)"
    );
    println!("  {batches} batches = {per_batch:.1} events per batch; every id verified received");

    let dir = tempfile::tempdir().unwrap();
    let cf = rt.block_on(async {
        let mut sink = CaptureFiles::open(
            dir.path().join(HUB),
            std::num::NonZeroU32::new(PARTITIONS).unwrap(),
            "THE_SETTING",
        )
        .unwrap();
        let run = pump(&mut sink, sends(&records)).await;
        sink.close().await.unwrap();
        run
    });
    let cf_rate = n as f64 / cf.secs;
    println!(
        "capture files (baseline): {n} events in {:.2} s = {cf_rate:.0} events/s wall-clock, \
         {:.0} events per cpu-second",
        cf.secs,
        n as f64 / cf.cpu
    );
    println!(
        "eventhubs / capture files = {:.2} (wall-clock)",
        eh_rate / cf_rate
    );
    let verdict = |v: f64| if v >= TARGET_PER_CORE { "met" } else { "NOT met" };
    println!(
        "target >= {TARGET_PER_CORE:.0} events/s per core: {} for the sink alone ({per_sink_cpu:.0}), \
         {} counting the peer too ({per_cpu:.0})",
        verdict(per_sink_cpu),
        verdict(per_cpu)
    );
    json!({
        "events": n,
        "eventhubs_events_per_s": eh_rate.round(),
        "eventhubs_events_per_cpu_s": per_cpu.round(),
        "eventhubs_events_per_sink_cpu_s": per_sink_cpu.round(),
        "events_per_batch": (per_batch * 10.0).round() / 10.0,
        "capture_files_events_per_s": cf_rate.round(),
        "eventhubs_over_capture_files": (eh_rate / cf_rate * 1000.0).round() / 1000.0,
        "per_core_target_met": per_cpu >= TARGET_PER_CORE,
        "sink_per_core_target_met": per_sink_cpu >= TARGET_PER_CORE,
    })
}

fn pageviews_binary() -> PathBuf {
    if let Ok(p) = std::env::var("BENCH_PAGEVIEWS_BIN") {
        return PathBuf::from(p);
    }
    let target_dir = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../target")));
    target_dir.join("release/playground-pageviews")
}

fn rate_config(sessions_per_second: f64) -> StreamConfig {
    let mut cfg = StreamConfig::new(42, 10_000, 1000);
    cfg.sessions_per_second = sessions_per_second;
    cfg
}

/// Runs the release service against a peer and compares what arrived with the model.
fn rate_accuracy(seconds: u64) -> Value {
    const SPS: f64 = 200.0;
    let bin = pageviews_binary();
    if seconds == 0 || !bin.exists() {
        println!(
            "rate accuracy: skipped ({})",
            if seconds == 0 {
                "BENCH_RATE_SECONDS=0".to_owned()
            } else {
                format!(
                    "no {}; run cargo build --release -p playground-pageviews",
                    bin.display()
                )
            }
        );
        return json!({});
    }
    let peer = AmqpPeer::start_blocking(&[(HUB, PARTITIONS)]).unwrap();
    let mut child = Command::new(&bin)
        .env(
            "EVENTHUB_CONNECTION_STRING_PAGEVIEWS",
            peer.connection_string(HUB),
        )
        .env("EVENTHUB_ENDPOINT", peer.endpoint())
        .env("SESSIONS_PER_SECOND", SPS.to_string())
        .env("RUN_SECONDS", seconds.to_string())
        .env("LOG_FORMAT", "json")
        .env("LOG_LEVEL", "info")
        .env("SEED", "42")
        .env("USERS_COUNT", "10000")
        .env("PRODUCTS_COUNT", "1000")
        .env("DAILY_CURVE", "false")
        .env("DUPLICATE_FRACTION", "0")
        .env_remove("EVENTHUB_NAMESPACE")
        .env_remove("USER_MAX_ID")
        .env_remove("PRODUCT_MAX_ID")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel::<(String, SystemTime)>();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send((line, SystemTime::now())).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(seconds + 90);
    let mut log = Vec::new();
    let mut done: Option<(Value, SystemTime)> = None;
    while done.is_none() {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok((line, at)) => {
                if let Ok(v) = serde_json::from_str::<Value>(&line)
                    && v["message"] == "done: pageviews"
                {
                    done = Some((v, at));
                }
                log.push(line);
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let _ = child.kill();
                break;
            }
        }
    }
    let status = child.wait().unwrap();
    let Some((done, done_at)) = done else {
        panic!(
            "playground-pageviews gave no \"done: pageviews\" line ({status}):\n{}",
            log.join("\n")
        );
    };
    assert!(
        status.success(),
        "playground-pageviews failed: {status}\n{}",
        log.join("\n")
    );
    let field = |k: &str| done[k].as_f64().unwrap_or_else(|| panic!("{k} in {done}"));
    let reported = field("events") as usize;
    let first_second = field("first_second") as i64;
    let until_ms = field("until_ms") as i64;
    let run_secs = field("seconds");
    let window = (until_ms - first_second * 1000) as f64 / 1000.0;

    let received = peer.received();
    drop(peer);
    let delivered = received.len();
    let got: HashSet<String> = received.into_iter().filter_map(|r| r.message_id).collect();

    let mut stream = EventStream::<Pageviews>::new(Timeline::new(rate_config(SPS)), first_second);
    let expected_ids: HashSet<String> = stream
        .drain_before(until_ms)
        .into_iter()
        .map(|e| e.event.event_id)
        .collect();
    let expected = expected_ids.len();
    let missing = expected_ids.difference(&got).count();
    let extra = got.difference(&expected_ids).count();
    let duplicates = delivered - got.len();

    // The rate the settings ask for: the model's mean over a long stretch of the same timeline.
    const LONG: i64 = 600;
    let mut long = EventStream::<Pageviews>::new(Timeline::new(rate_config(SPS)), first_second);
    let long_until = (first_second + LONG) * 1000;
    let long_n = std::iter::from_fn(|| long.next_before(long_until)).count();
    let target_rate = long_n as f64 / LONG as f64;
    let achieved = delivered as f64 / window;
    let done_ms = done_at.duration_since(UNIX_EPOCH).unwrap().as_millis() as i64;
    let lag_ms = done_ms - until_ms;
    // Duplicates come from resends; the service's warnings say which and why.
    let warnings: Vec<&String> = log
        .iter()
        .filter(|l| serde_json::from_str::<Value>(l).is_ok_and(|v| v["level"] == "WARN"))
        .collect();

    println!(
        "rate accuracy: playground-pageviews (release) at {SPS} sessions/s for {seconds} s into an amqp peer"
    );
    println!(
        "  window {window:.3} s from second {first_second}: delivered {delivered} (service says {reported}), \
         model expects {expected}: delivered/expected = {:.4} ({missing} missing, {extra} unexpected, \
         {duplicates} duplicates)",
        delivered as f64 / expected as f64
    );
    println!(
        "  achieved {achieved:.1} events/s vs target {target_rate:.1} events/s \
         (model mean over {LONG} s = {:.2} views per session; nominal ~5.5): ratio {:.4}; \
         this window's model rate {:.1} events/s",
        target_rate / SPS,
        achieved / target_rate,
        expected as f64 / window
    );
    println!("  service warnings: {}", warnings.len());
    for w in warnings.iter().take(5) {
        println!("    {w}");
    }
    println!(
        "  lag: the service ran {run_secs:.3} s for a {window:.3} s window (it starts up to 1 s \
         before the first whole second); its last line came {lag_ms} ms after the window's end"
    );
    json!({
        "rate_sessions_per_s": SPS,
        "rate_window_s": window,
        "rate_delivered": delivered,
        "rate_expected": expected,
        "rate_delivered_over_expected": (delivered as f64 / expected as f64 * 10_000.0).round() / 10_000.0,
        "rate_missing": missing,
        "rate_unexpected": extra,
        "rate_duplicates": duplicates,
        "rate_events_per_s": (achieved * 10.0).round() / 10.0,
        "rate_target_events_per_s": (target_rate * 10.0).round() / 10.0,
        "rate_run_s": run_secs,
        "rate_lag_ms": lag_ms,
        "rate_warnings": warnings.len(),
    })
}

fn main() {
    let n: usize = env_or("BENCH_EVENTS", 300_000);
    let rate_seconds: u64 = env_or("BENCH_RATE_SECONDS", 20);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut out = throughput(&rt, n);
    drop(rt);
    let rate = rate_accuracy(rate_seconds);
    if let (Value::Object(o), Value::Object(r)) = (&mut out, rate) {
        o.extend(r);
    }
    println!("{out}");
}
