//! The bench's baseline for the job (`bench/analytics.sh`): read the same capture files with
//! the same reader and only parse their JSON lines, into the job's Arrow columns (what the job
//! does first) and, for scale, into `serde_json::Value`. Prints one JSON line of rates.
//!
//! `cargo run --release -p playground-analytics --example parse_only -- <PLAYGROUND_DATA>/events`

use std::path::PathBuf;
use std::time::{Duration, Instant};

use playground_analytics::input::{Stream, decode};
use playground_sinks::events::Position;
use playground_sinks::events::capture_reader::CaptureReader;
use playground_sinks::events::{EventSource, ReadEvent};

fn read_all(root: &std::path::Path, stream: Stream) -> Vec<Vec<ReadEvent>> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let mut reader =
        CaptureReader::open(root.join(stream.hub().name()), &Position::default()).expect("the capture files");
    let mut out = Vec::new();
    loop {
        let events = rt
            .block_on(reader.read(65_536, Duration::ZERO))
            .expect("reading the capture files");
        if events.is_empty() && reader.caught_up() {
            return out;
        }
        out.push(events);
    }
}

fn main() {
    let root = PathBuf::from(std::env::args().nth(1).expect("usage: parse_only <events dir>"));
    let read_started = Instant::now();
    let batches: Vec<(Stream, Vec<Vec<ReadEvent>>)> =
        Stream::ALL.iter().map(|s| (*s, read_all(&root, *s))).collect();
    let read_s = read_started.elapsed().as_secs_f64();
    let events: usize = batches.iter().flat_map(|(_, b)| b).map(Vec::len).sum();

    let started = Instant::now();
    let mut rows = 0;
    for (stream, reads) in &batches {
        for events in reads {
            rows += decode(*stream, events).expect("decoding").batch.num_rows();
        }
    }
    let arrow_s = started.elapsed().as_secs_f64();
    assert_eq!(rows, events, "every line is an event");

    let started = Instant::now();
    let mut values = 0usize;
    for (_, reads) in &batches {
        for events in reads {
            for e in events {
                let v: serde_json::Value = serde_json::from_slice(&e.body).expect("JSON");
                values += usize::from(v.is_object());
            }
        }
    }
    let serde_s = started.elapsed().as_secs_f64();
    assert_eq!(values, events);
    println!(
        "{}",
        serde_json::json!({
            "events": events,
            "read_s": read_s,
            "arrow_decode_s": arrow_s,
            "arrow_decode_events_per_s": events as f64 / arrow_s,
            "serde_value_s": serde_s,
            "serde_value_events_per_s": events as f64 / serde_s,
        })
    );
}
