//! The job's state between steps and one step of it: events in, watermarks forward, every
//! slice of event time that the watermarks close computed by the queries of [`crate::outputs`].
//!
//! A slice is a minute of event time `(a, a + 1 min]` of one output (of its window ends for
//! the window counts). It is computed once, when the watermark of the streams it reads has
//! passed its end (plus ten minutes for the join), from every event of its time, so what it
//! holds does not depend on how the input was cut into reads: a run that restarts from an
//! older checkpoint computes the same slices again and writes the same files.
//!
//! The watermark of a stream is the oldest of its partitions' newest event times, less the
//! out-of-order tolerance; a partition read to its end does not hold it back. An event older
//! than the watermark when it is read is moved to the watermark (the job's Adjust policy).

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::array::{AsArray, BooleanArray, Int64Array, RecordBatch};
use arrow::compute::kernels::cmp::gt;
use arrow::datatypes::{DataType, Field, Int64Type, Schema, SchemaRef};
use datafusion::datasource::MemTable;
use datafusion::error::DataFusionError;
use datafusion::prelude::{SessionConfig, SessionContext};
use playground_sinks::events::ReadEvent;
use serde::{Deserialize, Serialize};

use crate::input::{self, Stream, T};
use crate::outputs::{Output, Reads, SLICE_MS, seen_after};

/// Why a step failed.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// A query failed.
    #[error("query of {output}: {source}")]
    Query {
        /// The output.
        output: &'static str,
        /// DataFusion's error.
        #[source]
        source: DataFusionError,
    },
    /// Arrow refused a batch.
    #[error(transparent)]
    Arrow(#[from] arrow::error::ArrowError),
    /// DataFusion refused a table.
    #[error(transparent)]
    DataFusion(#[from] DataFusionError),
}

/// The scalars of the state, saved in the checkpoint as JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Marks {
    /// Per stream and partition, the newest event time read.
    pub newest: BTreeMap<Stream, BTreeMap<u32, i64>>,
    /// Per stream, the watermark (never goes back).
    pub watermark: BTreeMap<Stream, i64>,
    /// Per output, the end of the last slice written.
    pub written: BTreeMap<Output, i64>,
    /// Events read so far (the next `seq`).
    pub seq: i64,
    /// Events moved forward in time by the tolerance policy.
    pub adjusted: u64,
    /// Lines that were not events.
    pub rejected: u64,
}

/// The job's state: the marks, the events still needed, and the users whose first view of an
/// open interval was written.
#[derive(Debug, Clone)]
pub struct State {
    /// Scalars.
    pub marks: Marks,
    /// Per stream, the events not yet forgotten.
    pub events: BTreeMap<Stream, Vec<RecordBatch>>,
    /// `seen` (`user_id`, `h`).
    pub seen: Vec<RecordBatch>,
}

/// The schema of `seen`.
pub fn seen_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("user_id", DataType::Int64, true),
        Field::new("h", DataType::Int64, true),
    ]))
}

impl State {
    /// The state of a job that has read nothing.
    pub fn empty() -> State {
        State {
            marks: Marks::default(),
            events: Stream::ALL.iter().map(|s| (*s, Vec::new())).collect(),
            seen: Vec::new(),
        }
    }

    /// Events held (what bounds the memory).
    pub fn held(&self) -> usize {
        let events: usize = self.events.values().flatten().map(RecordBatch::num_rows).sum();
        events + self.seen.iter().map(RecordBatch::num_rows).sum::<usize>()
    }
}

/// The rows of one slice of one output, ready to write.
#[derive(Debug)]
pub struct Slice {
    /// The output.
    pub output: Output,
    /// The slice's start (it holds key times in `(start, start + 1 min]`).
    pub start: i64,
    /// The rows, in the output's columns.
    pub rows: RecordBatch,
}

/// The job: its settings, its state and the SQL engine.
pub struct Engine {
    threshold: u32,
    tolerance: i64,
    vip: RecordBatch,
    ctx: SessionContext,
    /// The state (saved by the checkpoint).
    pub state: State,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("threshold", &self.threshold)
            .field("tolerance", &self.tolerance)
            .field("held", &self.state.held())
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// An engine over `state`, with the reference data `vip` (one column `id`).
    pub fn new(threshold: u32, tolerance_ms: i64, vip: RecordBatch, state: State) -> Engine {
        // One partition: a step's data is small, and the job is measured per core.
        let config = SessionConfig::new().with_target_partitions(1);
        Engine {
            threshold,
            tolerance: tolerance_ms,
            vip,
            ctx: SessionContext::new_with_config(config),
            state,
        }
    }

    /// Takes events of `stream` that were just read.
    pub fn ingest(&mut self, stream: Stream, events: &[ReadEvent]) -> Result<Vec<String>, EngineError> {
        if events.is_empty() {
            return Ok(Vec::new());
        }
        let decoded = input::decode(stream, events)?;
        let marks = &mut self.state.marks;
        let watermark = marks.watermark.get(&stream).copied();
        let newest = marks.newest.entry(stream).or_default();
        let mut t = Vec::with_capacity(decoded.times.len());
        for (time, partition) in decoded.times.iter().zip(&decoded.partitions) {
            let n = newest.entry(*partition).or_insert(i64::MIN);
            *n = (*n).max(*time);
            match watermark {
                Some(w) if *time < w => {
                    marks.adjusted += 1;
                    t.push(w);
                }
                _ => t.push(*time),
            }
        }
        let batch = input::with_t(stream, &decoded.batch, t, marks.seq)?;
        marks.seq += batch.num_rows() as i64;
        marks.rejected += decoded.rejected.len() as u64;
        if batch.num_rows() > 0 {
            self.state.events.entry(stream).or_default().push(batch);
        }
        Ok(decoded.rejected)
    }

    /// Moves the watermark of `stream` after a read that left its partitions as `partitions`
    /// (each: at its end).
    pub fn advance(&mut self, stream: Stream, partitions: &BTreeMap<u32, bool>) {
        let marks = &mut self.state.marks;
        let newest = marks.newest.entry(stream).or_default();
        let holding: Vec<i64> = partitions
            .iter()
            .filter(|(_, at_end)| !**at_end)
            .map(|(p, _)| newest.get(p).copied().unwrap_or(i64::MIN))
            .collect();
        let front = if holding.is_empty() {
            newest.values().copied().max()
        } else {
            holding.into_iter().min()
        };
        if let Some(front) = front.filter(|f| *f > i64::MIN) {
            let w = marks.watermark.entry(stream).or_insert(i64::MIN);
            *w = (*w).max(front.saturating_sub(self.tolerance));
        }
    }

    fn watermark(&self, reads: Reads) -> Option<i64> {
        let w = |s: Stream| self.state.marks.watermark.get(&s).copied();
        match reads {
            Reads::Pageviews => w(Stream::Pageviews),
            Reads::Stars => w(Stream::Stars),
            Reads::Both => Some(w(Stream::Pageviews)?.min(w(Stream::Stars)?)),
        }
    }

    fn table_of(output: Output) -> Stream {
        match output.reads() {
            Reads::Stars => Stream::Stars,
            _ => Stream::Pageviews,
        }
    }

    fn register(&self) -> Result<(), DataFusionError> {
        let mut tables: Vec<(&str, SchemaRef, Vec<RecordBatch>)> = Stream::ALL
            .iter()
            .map(|s| {
                (
                    s.table(),
                    s.schema(),
                    self.state.events.get(s).cloned().unwrap_or_default(),
                )
            })
            .collect();
        tables.push(("seen", seen_schema(), self.state.seen.clone()));
        tables.push(("vip", self.vip.schema(), vec![self.vip.clone()]));
        for (name, schema, batches) in tables {
            self.ctx.deregister_table(name)?;
            self.ctx
                .register_table(name, Arc::new(MemTable::try_new(schema, vec![batches])?))?;
        }
        Ok(())
    }

    async fn query(&self, output: Output, sql: &str) -> Result<Vec<RecordBatch>, EngineError> {
        let fail = |source| EngineError::Query {
            output: output.name(),
            source,
        };
        self.ctx
            .sql(sql)
            .await
            .map_err(fail)?
            .collect()
            .await
            .map_err(fail)
    }

    /// Computes every slice the watermarks close (with `flush`, every slice the events read
    /// so far touch, as at the end of the input; the marks then stay where the watermarks
    /// put them, so a later run computes those slices again, whole).
    pub async fn step(&mut self, flush: bool) -> Result<Vec<Slice>, EngineError> {
        self.register()?;
        let mut out = Vec::new();
        for output in Output::ALL {
            let Some(lo) = self.written_or_start(output) else {
                continue;
            };
            let hi = if flush {
                i64::MAX / 4
            } else {
                match self.watermark(output.reads()) {
                    // The last slice end b with b + lag < watermark.
                    Some(w) => (w - output.lag_ms() - 1).div_euclid(SLICE_MS) * SLICE_MS,
                    None => continue,
                }
            };
            if hi <= lo {
                continue;
            }
            let sql = format!(
                "SELECT * FROM ({}) q ORDER BY {}",
                output.sql(lo, hi, self.threshold),
                output.order_by()
            );
            let batches = self.query(output, &sql).await?;
            slices(output, &batches, &mut out)?;
            if output == Output::FirstViews {
                let seen = self.query(output, &seen_after(lo, hi)).await?;
                self.state.seen = seen;
            }
            if !flush {
                self.state.marks.written.insert(output, hi);
            }
        }
        if !flush {
            self.forget()?;
        }
        Ok(out)
    }

    /// Where the next slice of `output` starts: after the last written, or, before any, at
    /// the slice of the oldest event it reads.
    fn written_or_start(&self, output: Output) -> Option<i64> {
        if let Some(w) = self.state.marks.written.get(&output) {
            return Some(*w);
        }
        let oldest = self
            .state
            .events
            .get(&Self::table_of(output))?
            .iter()
            .filter_map(|b| arrow::compute::min(b.column_by_name(T)?.as_primitive::<Int64Type>()))
            .min()?;
        let first_end = (oldest + SLICE_MS - 1).div_euclid(SLICE_MS) * SLICE_MS;
        Some(first_end - SLICE_MS)
    }

    /// Drops the events no open slice needs.
    fn forget(&mut self) -> Result<(), EngineError> {
        for stream in Stream::ALL {
            let mut cut = i64::MAX;
            for output in Output::ALL {
                let reads = match output.reads() {
                    Reads::Both => true,
                    Reads::Pageviews => stream == Stream::Pageviews,
                    Reads::Stars => stream == Stream::Stars,
                };
                if reads {
                    let written = self.state.marks.written.get(&output).copied().unwrap_or(i64::MIN);
                    cut = cut.min(written.saturating_sub(output.reach_ms()));
                }
            }
            if let Some(batches) = self.state.events.get_mut(&stream) {
                *batches = keep_after(batches, cut)?;
            }
        }
        Ok(())
    }
}

/// The rows of `batches` with `t > cut`.
fn keep_after(batches: &[RecordBatch], cut: i64) -> Result<Vec<RecordBatch>, arrow::error::ArrowError> {
    let mut out = Vec::with_capacity(batches.len());
    for b in batches {
        let Some(t) = b.column_by_name(T) else { continue };
        let keep: BooleanArray = gt(t, &Int64Array::new_scalar(cut))?;
        match keep.true_count() {
            0 => {}
            n if n == b.num_rows() => out.push(b.clone()),
            _ => out.push(arrow::compute::filter_record_batch(b, &keep)?),
        }
    }
    Ok(out)
}

/// The columns only the job uses: the slice key and the order of arrival.
const HELPERS: &[&str] = &["k", "seq", "seq2"];

/// Cuts a query's result (ordered by `k`) into slices of a minute of `k`.
fn slices(output: Output, batches: &[RecordBatch], out: &mut Vec<Slice>) -> Result<(), EngineError> {
    let Some(first) = batches.first() else {
        return Ok(());
    };
    let all = arrow::compute::concat_batches(&first.schema(), batches)?;
    if all.num_rows() == 0 {
        return Ok(());
    }
    let keep: Vec<usize> = all
        .schema()
        .fields()
        .iter()
        .enumerate()
        .filter(|(_, f)| !HELPERS.contains(&f.name().as_str()))
        .map(|(i, _)| i)
        .collect();
    let rows = all.project(&keep)?;
    let k = all
        .column_by_name("k")
        .map(|c| arrow::compute::cast(c, &DataType::Int64))
        .transpose()?
        .ok_or_else(|| arrow::error::ArrowError::SchemaError("no key column k".into()))?;
    let k = k.as_primitive::<Int64Type>();
    let slice_of = |i: usize| (k.value(i) + SLICE_MS - 1).div_euclid(SLICE_MS) * SLICE_MS - SLICE_MS;
    let mut begin = 0;
    while begin < k.len() {
        let start = slice_of(begin);
        let mut end = begin + 1;
        while end < k.len() && slice_of(end) == start {
            end += 1;
        }
        out.push(Slice {
            output,
            start,
            rows: rows.slice(begin, end - begin),
        });
        begin = end;
    }
    Ok(())
}

/// The reference data `[vip]` from the lines of `users/vip.json` (`{"id": N}`).
pub fn vip_table(json_lines: &[u8]) -> Result<RecordBatch, arrow::error::ArrowError> {
    let schema = Arc::new(Schema::new(vec![Field::new("id", DataType::Int64, true)]));
    let mut decoder = arrow::json::ReaderBuilder::new(schema.clone())
        .with_batch_size(json_lines.len().max(1))
        .build_decoder()?;
    let mut rest = json_lines;
    while !rest.is_empty() {
        let used = decoder.decode(rest)?;
        if used == 0 {
            break;
        }
        rest = &rest[used..];
    }
    Ok(decoder.flush()?.unwrap_or_else(|| RecordBatch::new_empty(schema)))
}

/// The number of rows in `batches` (for logs).
pub fn rows(batches: &[RecordBatch]) -> usize {
    batches.iter().map(|b| b.num_rows()).sum()
}
