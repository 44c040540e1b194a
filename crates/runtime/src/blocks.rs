//! Writing one large lake object as staged blocks, resumable after a kill.

use std::ops::Range;
use std::sync::{Arc, Mutex, PoisonError};

use crate::bounded::Bounded;
use bytes::Bytes;
use playground_sinks::SinkError;
use playground_sinks::lake::{LakeSink, block_id};
use tokio::sync::oneshot;

use crate::Progress;

/// How a large object is cut and written.
#[derive(Debug, Clone, Copy)]
pub struct BlockPlan {
    /// Records per block (the last block may be shorter).
    pub records_per_block: u64,
    /// Blocks generated and uploaded at once; bounds memory to about this many blocks.
    pub concurrency: usize,
}

/// Outcome of [`write_object`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// The object was already committed; nothing was done.
    AlreadyComplete,
    /// Blocks were staged (`staged` of `blocks`, the rest found from an earlier run) and the
    /// object committed.
    Committed {
        /// Blocks in the object.
        blocks: usize,
        /// Blocks staged by this run.
        staged: usize,
    },
}

/// Blocks in one object at most: Azure Storage refuses a block list of more (and the lakes
/// cut objects alike, so that a directory run and a blob run stage the same blocks).
pub const MAX_BLOCKS: u64 = 50_000;

/// `range` cut into blocks of `per` records, or of more where `per` would make more than
/// [`MAX_BLOCKS`]; the last block may be shorter.
pub fn block_ranges(range: Range<u64>, per: u64) -> Vec<Range<u64>> {
    let n = range.end.saturating_sub(range.start);
    let per = per.max(n.div_ceil(MAX_BLOCKS)).max(1);
    (range.start..range.end)
        .step_by(usize::try_from(per).unwrap_or(usize::MAX))
        .map(|s| s..s.saturating_add(per).min(range.end))
        .collect()
}

/// Writes records `range` to `path` as JSON lines, `render(sub_range, buffer)` appending a
/// block's bytes to an empty buffer (on a blocking thread). Blocks staged by an earlier,
/// interrupted run are kept. Buffers are reused once the lake is done with a block, so a run
/// touches the same few blocks of memory throughout.
pub async fn write_object<L, F>(
    lake: Arc<L>,
    path: &str,
    range: Range<u64>,
    plan: BlockPlan,
    progress: &Progress,
    render: F,
) -> Result<Written, SinkError>
where
    L: LakeSink + 'static,
    F: Fn(Range<u64>, &mut Vec<u8>) -> Result<(), SinkError> + Send + Sync + 'static,
{
    if lake.exists(path).await? && lake.staged_blocks(path).await?.is_empty() {
        progress.add(range.end - range.start);
        return Ok(Written::AlreadyComplete);
    }
    let blocks = block_ranges(range.clone(), plan.records_per_block);
    if blocks.len() > 1 && blocks[0].end - blocks[0].start > plan.records_per_block {
        tracing::info!(
            path,
            records_per_block = blocks[0].end - blocks[0].start,
            "more records per block than asked, so that the object has at most {MAX_BLOCKS} blocks"
        );
    }
    let ids: Vec<String> = blocks
        .iter()
        .map(|b| block_id(b.start, b.end - b.start))
        .collect();
    let staged = lake.staged_blocks(path).await?;
    let render = Arc::new(render);
    let buffers = Arc::new(Buffers::keeping(plan.concurrency + 1));
    let mut tasks = Bounded::new(plan.concurrency);
    let mut staged_now = 0;
    // Blocks render at once; where the lake prefers them staged in order, each waits for
    // the one before it to be staged (a chain of signals) before it is staged itself.
    let in_order = lake.stages_in_order();
    let mut previous: Option<oneshot::Receiver<()>> = None;
    for (block, id) in blocks.iter().zip(&ids) {
        if staged.contains(id) {
            progress.add(block.end - block.start);
            continue;
        }
        let (lake, render, buffers, block, id, path) = (
            lake.clone(),
            render.clone(),
            buffers.clone(),
            block.clone(),
            id.clone(),
            path.to_owned(),
        );
        let progress = progress.clone();
        let (after, next) = if in_order {
            let (tx, rx) = oneshot::channel();
            (previous.replace(rx), Some(tx))
        } else {
            (None, None)
        };
        let stage = async move {
            let n = block.end - block.start;
            let mut buffer = buffers.take();
            let buffer =
                tokio::task::spawn_blocking(move || render(block, &mut buffer).map(|()| buffer)).await??;
            let data = Bytes::from_owner(Pooled { buffer, buffers });
            if let Some(after) = after {
                // An error means the block before failed, which fails the whole object.
                let _ = after.await;
            }
            lake.stage_block(&path, &id, data).await?;
            if let Some(next) = next {
                let _ = next.send(());
            }
            progress.add(n);
            Ok::<(), SinkError>(())
        };
        tasks.spawn(stage, |()| {}).await?;
        staged_now += 1;
    }
    tasks.finish(|()| {}).await?;
    lake.commit_blocks(path, &ids).await?;
    Ok(Written::Committed {
        blocks: ids.len(),
        staged: staged_now,
    })
}

/// Appends `records` to `out` as JSON lines.
pub fn json_lines<T: serde::Serialize>(
    records: impl Iterator<Item = T>,
    out: &mut Vec<u8>,
) -> Result<(), SinkError> {
    for r in records {
        serde_json::to_writer(&mut *out, &r)?;
        out.push(b'\n');
    }
    Ok(())
}

/// Block buffers that the lake is done with, kept for the next blocks.
///
/// Why: a buffer freed on one thread and allocated again on another made glibc hand back
/// fresh pages for most blocks, and faulting them in (22,000 page faults for 1 million users)
/// cost more than the rendering's own allocations (issue 18, docs/decisions.md).
#[derive(Debug)]
struct Buffers {
    free: Mutex<Vec<Vec<u8>>>,
    keep: usize,
}

impl Buffers {
    fn keeping(keep: usize) -> Buffers {
        Buffers {
            free: Mutex::new(Vec::with_capacity(keep)),
            keep,
        }
    }

    /// An empty buffer, with the capacity of an earlier block when there is one.
    fn take(&self) -> Vec<u8> {
        self.free
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop()
            .unwrap_or_default()
    }
}

/// A rendered block's bytes, whose buffer goes back to [`Buffers`] when the last [`Bytes`]
/// of it is dropped (by the lake, on whatever thread, once the block is staged).
struct Pooled {
    buffer: Vec<u8>,
    buffers: Arc<Buffers>,
}

impl AsRef<[u8]> for Pooled {
    fn as_ref(&self) -> &[u8] {
        &self.buffer
    }
}

impl Drop for Pooled {
    fn drop(&mut self) {
        let mut buffer = std::mem::take(&mut self.buffer);
        buffer.clear();
        let mut free = self.buffers.free.lock().unwrap_or_else(PoisonError::into_inner);
        if free.len() < self.buffers.keep {
            free.push(buffer);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use playground_sinks::lake::local::LocalLake;

    use super::*;

    #[test]
    fn blocks_cover_the_range_and_never_exceed_azures_block_limit() {
        assert_eq!(block_ranges(5..12, 3), vec![5..8, 8..11, 11..12]);
        assert_eq!(block_ranges(0..0, 3), Vec::<Range<u64>>::new());
        for (n, per) in [(50_000_000, 1000), (50_000_001, 1000), (2_147_483_648, 1), (7, 0)] {
            let blocks = block_ranges(0..n, per);
            assert!(blocks.len() as u64 <= MAX_BLOCKS, "{n} records, {per} per block");
            assert_eq!(blocks.first().map(|b| b.start), Some(0));
            assert_eq!(blocks.last().map(|b| b.end), Some(n));
            assert!(blocks.windows(2).all(|w| w[0].end == w[1].start));
        }
        assert_eq!(block_ranges(0..50_000_000, 1000).len(), 50_000);
        assert_eq!(block_ranges(0..50_000_001, 1000)[0], 0..1001);
    }

    /// The point of the pool: the next block renders into the memory of one already
    /// staged, and only once the lake has dropped every reference to it.
    #[test]
    fn a_block_buffer_comes_back_once_the_lake_is_done_with_it() {
        let buffers = Arc::new(Buffers::keeping(1));
        let mut buffer = buffers.take();
        buffer.extend_from_slice(&lines(0..100));
        let (at, capacity) = (buffer.as_ptr(), buffer.capacity());
        let bytes = Bytes::from_owner(Pooled {
            buffer,
            buffers: buffers.clone(),
        });
        let held = bytes.slice(10..20);
        drop(bytes);
        assert_eq!(buffers.take().capacity(), 0, "given back while still referenced");
        assert_eq!(&held[..], &lines(0..100)[10..20]);
        drop(held);
        let again = buffers.take();
        assert!(again.is_empty());
        assert_eq!((again.as_ptr(), again.capacity()), (at, capacity));
        // No more than `keep` are kept.
        for _ in 0..3 {
            drop(Bytes::from_owner(Pooled {
                buffer: Vec::with_capacity(8),
                buffers: buffers.clone(),
            }));
        }
        assert_eq!(buffers.free.lock().expect("lock").len(), 1);
    }

    fn render_lines(range: Range<u64>, out: &mut Vec<u8>) -> Result<(), SinkError> {
        out.extend(lines(range));
        Ok(())
    }

    fn lines(range: Range<u64>) -> Vec<u8> {
        range
            .map(|i| format!("record {i}\n"))
            .collect::<String>()
            .into_bytes()
    }

    /// The first wave's lesson: a resume with another block size must not lose or repeat a
    /// record. A run dies after some blocks; the next, with other blocks, finishes the object.
    #[tokio::test]
    async fn a_resume_with_another_block_size_ends_identical() {
        let dir = tempfile::tempdir().expect("tempdir");
        let lake = Arc::new(LocalLake::open(dir.path().join("bronze"), "THE_SETTING").expect("open"));
        let progress = Progress::start("test", Some(1000), Duration::from_secs(60));
        let plan = |records_per_block| BlockPlan {
            records_per_block,
            concurrency: 3,
        };
        let dies = write_object(lake.clone(), "x.json", 0..1000, plan(70), &progress, |r, out| {
            if r.start >= 420 {
                Err(SinkError::Task("killed".into()))
            } else {
                render_lines(r, out)
            }
        })
        .await;
        assert!(dies.is_err());
        assert!(!dir.path().join("bronze/x.json").exists());
        let done = write_object(lake.clone(), "x.json", 0..1000, plan(110), &progress, |r, out| {
            render_lines(r, out)
        })
        .await
        .expect("resume");
        assert_eq!(
            std::fs::read(dir.path().join("bronze/x.json")).expect("read"),
            lines(0..1000)
        );
        assert_eq!(
            done,
            Written::Committed {
                blocks: 10,
                staged: 10
            }
        );
        // With the same block size, the blocks of the dead run are kept.
        let dies = write_object(lake.clone(), "y.json", 0..1000, plan(100), &progress, |r, out| {
            if r.start >= 500 {
                Err(SinkError::Task("killed".into()))
            } else {
                render_lines(r, out)
            }
        })
        .await;
        assert!(dies.is_err());
        let done = write_object(lake.clone(), "y.json", 0..1000, plan(100), &progress, |r, out| {
            render_lines(r, out)
        })
        .await
        .expect("resume");
        assert_eq!(
            std::fs::read(dir.path().join("bronze/y.json")).expect("read"),
            lines(0..1000)
        );
        assert!(matches!(done, Written::Committed { blocks: 10, staged } if staged <= 10 - 3));
    }
}
