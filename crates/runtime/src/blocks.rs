//! Writing one large lake object as staged blocks, resumable after a kill.

use std::ops::Range;
use std::sync::Arc;

use crate::bounded::Bounded;
use bytes::Bytes;
use playground_sinks::SinkError;
use playground_sinks::lake::{LakeSink, block_id};

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

/// Writes records `range` to `path` as JSON lines, `render(sub_range)` producing a block's
/// bytes (on a blocking thread). Blocks staged by an earlier, interrupted run are kept.
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
    F: Fn(Range<u64>) -> Result<Vec<u8>, SinkError> + Send + Sync + 'static,
{
    if lake.exists(path).await? && lake.staged_blocks(path).await?.is_empty() {
        progress.add(range.end - range.start);
        return Ok(Written::AlreadyComplete);
    }
    let per = plan.records_per_block.max(1);
    let blocks: Vec<Range<u64>> = (range.start..range.end)
        .step_by(per as usize)
        .map(|s| s..(s + per).min(range.end))
        .collect();
    let ids: Vec<String> = blocks
        .iter()
        .map(|b| block_id(b.start, b.end - b.start))
        .collect();
    let staged = lake.staged_blocks(path).await?;
    let render = Arc::new(render);
    let mut tasks = Bounded::new(plan.concurrency);
    let mut staged_now = 0;
    for (block, id) in blocks.iter().zip(&ids) {
        if staged.contains(id) {
            progress.add(block.end - block.start);
            continue;
        }
        let (lake, render, block, id, path) = (
            lake.clone(),
            render.clone(),
            block.clone(),
            id.clone(),
            path.to_owned(),
        );
        let progress = progress.clone();
        let stage = async move {
            let n = block.end - block.start;
            let data = tokio::task::spawn_blocking(move || render(block)).await??;
            lake.stage_block(&path, &id, Bytes::from(data)).await?;
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

/// Renders `records` as JSON lines.
pub fn json_lines<T: serde::Serialize>(
    records: impl Iterator<Item = T>,
    capacity: usize,
) -> Result<Vec<u8>, SinkError> {
    let mut out = Vec::with_capacity(capacity);
    for r in records {
        serde_json::to_writer(&mut out, &r)?;
        out.push(b'\n');
    }
    Ok(out)
}
