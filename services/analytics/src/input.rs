//! The job's inputs: the two streams as the stream services produce them (capture files on the
//! embedded default, Event Hubs when configured), decoded from JSON lines into Arrow.

use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use arrow::array::{Array, ArrayRef, Int64Array, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow::json::ReaderBuilder;
use playground_sinks::SinkError;
use playground_sinks::events::capture_reader::CaptureReader;
use playground_sinks::events::hub_reader::HubReader;
use playground_sinks::events::{EventSource, EventTarget, Hub, Position, ReadEvent};

/// The two input streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stream {
    /// `[pageviews]`.
    Pageviews,
    /// `[stars]`.
    Stars,
}

impl Stream {
    /// Both, in the order they are read.
    pub const ALL: [Stream; 2] = [Stream::Pageviews, Stream::Stars];

    /// The hub (and capture folder) it is read from.
    pub fn hub(self) -> Hub {
        match self {
            Stream::Pageviews => Hub::Pageviews,
            Stream::Stars => Hub::Stars,
        }
    }

    /// The table the queries read it as.
    pub fn table(self) -> &'static str {
        match self {
            Stream::Pageviews => "pv",
            Stream::Stars => "st",
        }
    }

    /// The schema of its JSON events (fields the queries do not use, such as `session_id`,
    /// are ignored), then `t` and `seq`.
    pub fn schema(self) -> SchemaRef {
        match self {
            Stream::Pageviews => PAGEVIEWS.clone(),
            Stream::Stars => STARS.clone(),
        }
    }
}

fn text(name: &str) -> Field {
    Field::new(name, DataType::Utf8, true)
}

fn int(name: &str) -> Field {
    Field::new(name, DataType::Int64, true)
}

/// Event time in Unix milliseconds after the tolerance policy (`TIMESTAMP BY event_time`).
pub const T: &str = "t";
/// The order the job read the events in: ties in event time are broken by it.
pub const SEQ: &str = "seq";

fn with_time(mut fields: Vec<Field>) -> SchemaRef {
    fields.push(Field::new(T, DataType::Int64, false));
    fields.push(Field::new(SEQ, DataType::Int64, false));
    Arc::new(Schema::new(fields))
}

static PAGEVIEWS: LazyLock<SchemaRef> = LazyLock::new(|| {
    with_time(vec![
        int("user_id"),
        text("http_method"),
        text("uri"),
        text("client_ip"),
        text("user_agent"),
        int("latency"),
        text("event_time"),
        text("event_id"),
    ])
});

static STARS: LazyLock<SchemaRef> = LazyLock::new(|| {
    with_time(vec![
        int("user_id"),
        int("stars"),
        text("event_time"),
        text("event_id"),
    ])
});

/// The JSON part of a schema (without `t` and `seq`).
fn json_schema(schema: &SchemaRef) -> SchemaRef {
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .filter(|f| f.name() != T && f.name() != SEQ)
        .map(|f| f.as_ref().clone())
        .collect();
    Arc::new(Schema::new(fields))
}

/// Events decoded: the rows, with each row's partition and event time as read (before the
/// tolerance policy), and the events that could not be used.
#[derive(Debug)]
pub struct Decoded {
    /// The JSON columns.
    pub batch: RecordBatch,
    /// Per row: partition.
    pub partitions: Vec<u32>,
    /// Per row: `event_time` in Unix milliseconds.
    pub times: Vec<i64>,
    /// Lines that are not an event of this stream (not JSON, wrong types, no `event_time`):
    /// Stream Analytics drops them and says so in its diagnostics; so does this job.
    pub rejected: Vec<String>,
}

/// Decodes `events` of `stream`. A bad line does not stop the others.
pub fn decode(stream: Stream, events: &[ReadEvent]) -> Result<Decoded, arrow::error::ArrowError> {
    let schema = json_schema(&stream.schema());
    let mut rejected = Vec::new();
    let mut buf = Vec::with_capacity(events.iter().map(|e| e.body.len() + 1).sum());
    for e in events {
        buf.extend_from_slice(&e.body);
        buf.push(b'\n');
    }
    let (batch, kept): (RecordBatch, Vec<usize>) = match decode_lines(&schema, &buf, events.len()) {
        Ok(batch) if batch.num_rows() == events.len() => (batch, (0..events.len()).collect()),
        _ => {
            // One line spoilt the block: decode line by line and leave out the bad ones.
            let mut batches = Vec::new();
            let mut kept = Vec::new();
            for (i, e) in events.iter().enumerate() {
                match decode_lines(&schema, &e.body, 1) {
                    Ok(b) if b.num_rows() == 1 => {
                        batches.push(b);
                        kept.push(i);
                    }
                    Ok(_) => rejected.push(reject(e, "not one JSON object")),
                    Err(err) => rejected.push(reject(e, &err.to_string())),
                }
            }
            (arrow::compute::concat_batches(&schema, &batches)?, kept)
        }
    };
    // TIMESTAMP BY event_time: an event without a readable one has no place in time.
    let column = batch
        .column_by_name("event_time")
        .and_then(|c| c.as_any().downcast_ref::<StringArray>())
        .cloned();
    let mut good = Vec::with_capacity(kept.len());
    let mut times = Vec::with_capacity(kept.len());
    let mut partitions = Vec::with_capacity(kept.len());
    for (row, i) in kept.iter().enumerate() {
        let time = column
            .as_ref()
            .filter(|c| c.is_valid(row))
            .and_then(|c| chrono::DateTime::parse_from_rfc3339(c.value(row)).ok())
            .map(|t| t.timestamp_millis());
        match time {
            Some(t) => {
                good.push(row as u32);
                times.push(t);
                partitions.push(events[*i].partition);
            }
            None => rejected.push(reject(&events[*i], "no RFC 3339 event_time")),
        }
    }
    let batch = if good.len() == batch.num_rows() {
        batch
    } else {
        let idx = arrow::array::UInt32Array::from(good);
        let columns: Vec<ArrayRef> = batch
            .columns()
            .iter()
            .map(|c| arrow::compute::take(c.as_ref(), &idx, None))
            .collect::<Result<_, _>>()?;
        RecordBatch::try_new(schema, columns)?
    };
    Ok(Decoded {
        batch,
        partitions,
        times,
        rejected,
    })
}

fn decode_lines(
    schema: &SchemaRef,
    buf: &[u8],
    rows: usize,
) -> Result<RecordBatch, arrow::error::ArrowError> {
    let mut decoder = ReaderBuilder::new(schema.clone())
        .with_batch_size(rows.max(1))
        .build_decoder()?;
    let mut rest = buf;
    while !rest.is_empty() {
        let used = decoder.decode(rest)?;
        if used == 0 {
            break;
        }
        rest = &rest[used..];
    }
    let batch = decoder
        .flush()?
        .unwrap_or_else(|| RecordBatch::new_empty(schema.clone()));
    if !rest.iter().all(u8::is_ascii_whitespace) {
        return Err(arrow::error::ArrowError::JsonError(
            "more lines than expected".into(),
        ));
    }
    Ok(batch)
}

fn reject(e: &ReadEvent, why: &str) -> String {
    let head: String = String::from_utf8_lossy(&e.body).chars().take(120).collect();
    format!("partition {}: {why}: {head}", e.partition)
}

/// Adds `t` (the event time after the policy) and `seq` to decoded rows.
pub fn with_t(
    stream: Stream,
    batch: &RecordBatch,
    t: Vec<i64>,
    first_seq: i64,
) -> Result<RecordBatch, arrow::error::ArrowError> {
    let n = batch.num_rows() as i64;
    let mut columns: Vec<ArrayRef> = batch.columns().to_vec();
    columns.push(Arc::new(Int64Array::from(t)));
    columns.push(Arc::new(Int64Array::from_iter_values(first_seq..first_seq + n)));
    RecordBatch::try_new(stream.schema(), columns)
}

/// A stream being read: capture files or Event Hubs.
#[derive(Debug)]
pub enum Source {
    /// Capture files under `{PLAYGROUND_DATA}/events/{hub}`.
    Files(CaptureReader),
    /// An event hub, in the job's consumer group.
    Hub(Box<HubReader>),
}

impl Source {
    /// Opens `stream` where the settings point, going on from `position`.
    pub async fn open(
        target: &EventTarget,
        stream: Stream,
        group: &str,
        position: &Position,
    ) -> Result<Source, SinkError> {
        let hub = stream.hub();
        match target {
            EventTarget::CaptureFiles { root, .. } => Ok(Source::Files(CaptureReader::open(
                root.join(hub.name()),
                position,
            )?)),
            EventTarget::EventHubs(t) => Ok(Source::Hub(Box::new(
                HubReader::open(t, hub.name(), group, position).await?,
            ))),
        }
    }

    /// See [`EventSource::read`].
    pub async fn read(&mut self, max: usize, wait: Duration) -> Result<Vec<ReadEvent>, SinkError> {
        match self {
            Source::Files(r) => r.read(max, wait).await,
            Source::Hub(r) => r.read(max, wait).await,
        }
    }

    /// See [`EventSource::position`].
    pub fn position(&self) -> Position {
        match self {
            Source::Files(r) => r.position(),
            Source::Hub(r) => r.position(),
        }
    }

    /// See [`EventSource::caught_up`].
    pub fn caught_up(&self) -> bool {
        match self {
            Source::Files(r) => r.caught_up(),
            Source::Hub(r) => r.caught_up(),
        }
    }

    /// See [`EventSource::partitions`].
    pub fn partitions(&self) -> BTreeMap<u32, bool> {
        match self {
            Source::Files(r) => r.partitions(),
            Source::Hub(r) => r.partitions(),
        }
    }

    /// See [`EventSource::describe`].
    pub fn describe(&self) -> String {
        match self {
            Source::Files(r) => r.describe(),
            Source::Hub(r) => r.describe(),
        }
    }
}
