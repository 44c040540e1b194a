//! Loading a table in atomic chunks of consecutive order ids, resumable after a kill.

use std::ops::Range;
use std::sync::Arc;

use playground_sinks::SinkError;
use playground_sinks::table::{Rows, Table, TableSink};
use std::time::Duration;

use tokio::sync::mpsc;

use crate::{Progress, Shutdown};

/// Outcome of [`load`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Loaded {
    /// Chunks written by this run.
    pub chunks_written: u64,
    /// Chunks found complete from an earlier run and skipped.
    pub chunks_skipped: u64,
    /// Rows written by this run.
    pub rows: u64,
    /// Whether shutdown stopped the load early (what was written is complete chunks).
    pub interrupted: bool,
}

fn account(loaded: &mut Loaded, progress: &Progress, (piece, rows): (Range<u64>, u64)) {
    loaded.rows += rows;
    loaded.chunks_written += 1;
    progress.add(piece.end - piece.start);
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

/// Writes the rows of order ids `range` to `table`, `generate(piece)` making a chunk's rows on
/// a blocking thread while the previous chunk is being written (one chunk of look-ahead bounds
/// memory). Chunks already in the table are skipped. Logs the start, progress (in orders) and
/// a summary as `what`.
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
    F: Fn(Range<u64>) -> Rows + Send + 'static,
{
    let orders = range.end - range.start;
    tracing::info!(orders, from = range.start, to = %sink.describe(), "writing table {}", table.name());
    let progress = Progress::start(what, Some(orders), Duration::from_secs(5));
    sink.ensure(table).await?;
    let done = sink.written_chunks(table, range.clone(), chunk).await?;
    let mut loaded = Loaded::default();
    let mut todo = Vec::new();
    for (c, piece) in pieces(range, chunk) {
        if done.contains(&c) {
            loaded.chunks_skipped += 1;
            progress.add(piece.end - piece.start);
        } else {
            todo.push(piece);
        }
    }
    let (tx, mut rx) = mpsc::channel::<(Range<u64>, Rows)>(1);
    let producer = tokio::task::spawn_blocking(move || {
        for piece in todo {
            let rows = generate(piece.clone());
            if tx.blocking_send((piece, rows)).is_err() {
                break; // the writer stopped
            }
        }
    });
    // Up to `parallelism` chunks in flight (SQL Server: one per pooled connection).
    let parallel = sink.parallelism().max(1);
    let mut writes = tokio::task::JoinSet::new();
    while let Some((piece, rows)) = rx.recv().await {
        if shutdown.is_triggered() {
            loaded.interrupted = true;
            break;
        }
        while writes.len() >= parallel {
            if let Some(done) = writes.join_next().await {
                account(&mut loaded, &progress, done??);
            }
        }
        let sink = sink.clone();
        writes.spawn(async move {
            let n = rows.len() as u64;
            sink.write(rows).await.map(|()| (piece, n))
        });
    }
    while let Some(done) = writes.join_next().await {
        account(&mut loaded, &progress, done??);
    }
    drop(rx);
    producer.await?;
    let seconds = progress.elapsed().as_secs_f64();
    tracing::info!(
        rows = loaded.rows,
        chunks_written = loaded.chunks_written,
        chunks_skipped = loaded.chunks_skipped,
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
}
