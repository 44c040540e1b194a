//! Loading a table in atomic chunks of consecutive order ids, resumable after a kill.

use std::ops::Range;
use std::sync::Arc;

use playground_sinks::SinkError;
use playground_sinks::table::{Rows, Table, TableSink, gaps};
use std::time::Duration;

use tokio::sync::mpsc;

use crate::bounded::Bounded;
use crate::settings::Setting;
use crate::{Progress, Shutdown};

/// Orders per atomic chunk, the unit of resuming: orders and items read it alike.
pub static CHUNK_ORDERS: Setting<u64> = Setting {
    name: "CHUNK_ORDERS",
    default: 50_000,
    range: Some((1, 10_000_000)),
    alias: None,
    help: "Orders per atomic chunk (one transaction or bulk load; for items, the items of those orders); the unit of resuming.",
};

/// Outcome of [`load`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Loaded {
    /// Atomic writes made by this run (a chunk, or a gap of one).
    pub chunks_written: u64,
    /// Chunks found complete (from an earlier run, whatever its chunk size or shard layout)
    /// and skipped.
    pub chunks_skipped: u64,
    /// Writes found already done by another writer while this run was loading.
    pub chunks_raced: u64,
    /// Rows written by this run.
    pub rows: u64,
    /// Whether shutdown stopped the load early (what was written is complete chunks).
    pub interrupted: bool,
}

/// What a write task did: orders covered, rows written, writes made, writes found raced.
type Wrote = (u64, u64, u64, u64);

fn account(loaded: &mut Loaded, progress: &Progress, (orders, rows, writes, raced): Wrote) {
    loaded.rows += rows;
    loaded.chunks_written += writes;
    loaded.chunks_raced += raced;
    progress.add(orders);
}

/// The chunk pieces of `range`: `orderId / chunk` is the chunk number, and a shard boundary
/// may cut a chunk, in which case each shard writes (and later finds) its own piece.
pub fn pieces(range: Range<u64>, chunk: u64) -> Vec<(u64, Range<u64>)> {
    let chunk = chunk.max(1);
    let mut out = Vec::new();
    let mut start = range.start;
    while start < range.end {
        let c = start / chunk;
        let end = ((c + 1) * chunk).min(range.end);
        out.push((c, start..end));
        start = end;
    }
    out
}

/// What is left to write: each chunk piece of `range` minus the order ids `present`, as
/// sub-ranges, and how many pieces are complete already.
pub fn plan(range: Range<u64>, chunk: u64, present: &[Range<u64>]) -> (Vec<Range<u64>>, u64) {
    let mut todo = Vec::new();
    let mut complete = 0;
    for (_, piece) in pieces(range, chunk) {
        let missing = gaps(piece, present);
        if missing.is_empty() {
            complete += 1;
        }
        todo.extend(missing);
    }
    (todo, complete)
}

/// Writes `rows` (the rows of order ids `piece`); when another writer committed some of
/// those ids first, asks the table which are still missing and writes only those. The data
/// is a pure function of the settings, so rows another writer committed are the same rows.
async fn write_piece<T, F>(
    sink: &T,
    table: Table,
    piece: Range<u64>,
    rows: Rows,
    generate: &F,
) -> Result<Wrote, SinkError>
where
    T: TableSink,
    F: Fn(Range<u64>) -> Rows,
{
    let orders = piece.end - piece.start;
    let mut pending = vec![(piece.clone(), rows)];
    let (mut written, mut writes, mut raced) = (0u64, 0u64, 0u64);
    // Each refusal means another writer committed at least one more id of `piece`, so this
    // ends; the bound is a guard against a table that refuses for another reason.
    for _ in 0..=orders.min(1000) {
        let Some((part, rows)) = pending.pop() else {
            return Ok((orders, written, writes, raced));
        };
        let n = rows.len() as u64;
        match sink.write(rows).await {
            Ok(()) => {
                written += n;
                writes += 1;
            }
            Err(SinkError::DuplicateKey { .. }) => {
                let present = sink.present(table, part.clone()).await?;
                let missing = gaps(part.clone(), &present);
                tracing::info!(
                    from = part.start,
                    to = part.end,
                    missing = missing.iter().map(|m| m.end - m.start).sum::<u64>(),
                    "another writer committed some of these {} first; writing the rest",
                    table.name()
                );
                raced += 1;
                pending.extend(missing.into_iter().map(|m| {
                    let rows = generate(m.clone());
                    (m, rows)
                }));
            }
            Err(e) => return Err(e),
        }
    }
    if pending.is_empty() {
        return Ok((orders, written, writes, raced));
    }
    Err(SinkError::Task(format!(
        "{}: order ids {}..{} kept being refused as duplicates",
        table.name(),
        piece.start,
        piece.end
    )))
}

/// Writes the rows of order ids `range` to `table`, `generate(piece)` making a chunk's rows on
/// a blocking thread while the previous chunk is being written (one chunk of look-ahead bounds
/// memory). Order ids already in the table are skipped, whichever chunk size or shard layout
/// wrote them; ids another writer commits meanwhile count as written. Logs the start,
/// progress (in orders) and a summary as `what`.
pub async fn load<T, F>(
    what: &'static str,
    sink: Arc<T>,
    table: Table,
    range: Range<u64>,
    chunk: u64,
    shutdown: &Shutdown,
    generate: F,
) -> Result<Loaded, SinkError>
where
    T: TableSink + 'static,
    F: Fn(Range<u64>) -> Rows + Send + Sync + 'static,
{
    let orders = range.end - range.start;
    tracing::info!(orders, from = range.start, to = %sink.describe(), "writing table {}", table.name());
    let progress = Progress::start(what, Some(orders), Duration::from_secs(5));
    sink.ensure(table).await?;
    let present = sink.present(table, range.clone()).await?;
    let (todo, complete) = plan(range, chunk, &present);
    let mut loaded = Loaded {
        chunks_skipped: complete,
        ..Loaded::default()
    };
    progress.add(orders - todo.iter().map(|p| p.end - p.start).sum::<u64>());
    let generate = Arc::new(generate);
    let (tx, mut rx) = mpsc::channel::<(Range<u64>, Rows)>(1);
    let producer = {
        let generate = generate.clone();
        tokio::task::spawn_blocking(move || {
            for piece in todo {
                let rows = generate(piece.clone());
                if tx.blocking_send((piece, rows)).is_err() {
                    break; // the writer stopped
                }
            }
        })
    };
    // Up to `parallelism` chunks in flight (SQL Server: one per pooled connection).
    let parallel = sink.parallelism().max(1);
    let mut writes = Bounded::new(parallel);
    while let Some((piece, rows)) = rx.recv().await {
        if shutdown.is_triggered() {
            loaded.interrupted = true;
            break;
        }
        let (sink, generate) = (sink.clone(), generate.clone());
        let write = async move { write_piece(&*sink, table, piece, rows, &*generate).await };
        writes
            .spawn(write, |w| account(&mut loaded, &progress, w))
            .await?;
    }
    writes.finish(|w| account(&mut loaded, &progress, w)).await?;
    drop(rx);
    producer.await?;
    let seconds = progress.elapsed().as_secs_f64();
    tracing::info!(
        rows = loaded.rows,
        chunks_written = loaded.chunks_written,
        chunks_skipped = loaded.chunks_skipped,
        chunks_raced = loaded.chunks_raced,
        interrupted = loaded.interrupted,
        seconds,
        rows_per_s = (loaded.rows as f64 / seconds.max(1e-9)).round(),
        "done: {}",
        table.name()
    );
    Ok(loaded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_follow_chunk_boundaries() {
        assert_eq!(pieces(5..25, 10), vec![(0, 5..10), (1, 10..20), (2, 20..25)]);
        assert_eq!(pieces(0..0, 10), vec![]);
        assert_eq!(pieces(0..10, 10), vec![(0, 0..10)]);
    }

    #[test]
    #[allow(clippy::single_range_in_vec_init)] // one run of present ids, on purpose
    fn plan_writes_only_missing_ids_whatever_wrote_the_present_ones() {
        // Written with chunks of 5, now resumed with chunks of 10: 0..5 and 10..15 present.
        let (todo, complete) = plan(0..20, 10, &[0..5, 10..15]);
        assert_eq!(todo, vec![5..10, 15..20]);
        assert_eq!(complete, 0);
        let (todo, complete) = plan(0..20, 10, &[0..10, 12..13]);
        assert_eq!(todo, vec![10..12, 13..20]);
        assert_eq!(complete, 1);
        let (todo, complete) = plan(0..20, 10, &[0..20]);
        assert!(todo.is_empty());
        assert_eq!(complete, 2);
    }
}
