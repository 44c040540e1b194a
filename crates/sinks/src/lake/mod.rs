//! The data lake: named objects holding JSON, under a container such as `bronze`.
//!
//! Paths are relative and use `/` (`users/users.json`). Large objects are written as blocks
//! that are staged (invisible) and then committed in one step, like Azure block blobs. A block
//! id names the records it holds (see [`block_id`]), so a restarted writer skips the blocks
//! already staged and the committed object is byte-identical to an uninterrupted run, even if
//! the block size setting changed in between.

#[cfg(feature = "blob")]
pub mod blob;
pub mod local;
pub mod sas;
mod staging;
mod target;

use std::collections::BTreeSet;
use std::future::Future;

pub use target::{BlobAuthKind, BlobTarget, LakeTarget};

use bytes::Bytes;

use crate::SinkError;

/// A destination for lake objects.
pub trait LakeSink: Send + Sync {
    /// Writes a small object whole, replacing any previous version; a reader sees the old or
    /// the new object, never a mix.
    fn put(&self, path: &str, data: Bytes) -> impl Future<Output = Result<(), SinkError>> + Send;

    /// Calls `visit` with the name (relative to `prefix`, e.g. `product_7.json`) and size in
    /// bytes of every committed object directly under `prefix`, for resuming many small writes
    /// (the size lets a resume check an object rather than trust its name). A visitor rather
    /// than a collection, so 100,000 names need not be held at once.
    fn list(
        &self,
        prefix: &str,
        visit: &mut (dyn FnMut(&str, u64) + Send),
    ) -> impl Future<Output = Result<(), SinkError>> + Send;

    /// Whether a committed object exists at `path`.
    fn exists(&self, path: &str) -> impl Future<Output = Result<bool, SinkError>> + Send;

    /// Stages block `id` of the large object at `path`; invisible until committed.
    fn stage_block(
        &self,
        path: &str,
        id: &str,
        data: Bytes,
    ) -> impl Future<Output = Result<(), SinkError>> + Send;

    /// Ids of the blocks of `path` already staged and not yet committed.
    fn staged_blocks(&self, path: &str) -> impl Future<Output = Result<BTreeSet<String>, SinkError>> + Send;

    /// Makes the blocks `ids`, in this order, the content of `path`, in one step.
    fn commit_blocks(&self, path: &str, ids: &[String])
    -> impl Future<Output = Result<(), SinkError>> + Send;

    /// Whether blocks cost less staged one after another in the order of the commit than
    /// staged at once in any order. The directory lake appends blocks to one file that the
    /// commit renames when they are in order (each byte written once, not twice); a blob
    /// store stages blocks independently, and faster several at a time.
    fn stages_in_order(&self) -> bool {
        false
    }

    /// Where the objects go, for logs (never contains a secret).
    fn describe(&self) -> String;
}

/// Reading a lake back, for the verifier: every object below a folder, and an object's bytes.
/// Separate from [`LakeSink`] because a reader needs none of the writing, and may hold a SAS
/// that grants only reading and listing.
pub trait LakeReader: Send + Sync {
    /// The name (relative to `prefix`, with `/` between folders, e.g. `2026/12/01/05/x.parquet`)
    /// and size of every committed object anywhere below the folder `prefix`, sorted by name.
    /// A folder that does not exist holds nothing.
    fn walk(&self, prefix: &str) -> impl Future<Output = Result<Vec<(String, u64)>, SinkError>> + Send;

    /// The bytes of the object at `path`.
    fn get(&self, path: &str) -> impl Future<Output = Result<Bytes, SinkError>> + Send;
}

/// The id of the block holding records `start..start + count`: equal ids mean equal content.
/// Fixed width, so every id of an object has the same length (Azure requires that).
pub fn block_id(start: u64, count: u64) -> String {
    format!("{start:012}-{count:08}")
}

/// The configured lake.
#[derive(Debug)]
pub enum LakeBackend {
    /// A directory on disk.
    Local(local::LocalLake),
    /// A blob container.
    #[cfg(feature = "blob")]
    Blob(blob::BlobLake),
}

impl LakeBackend {
    /// Opens the lake `target`. Fails with a configuration error (naming the setting) when the
    /// destination cannot be used.
    pub async fn open(target: &LakeTarget) -> Result<LakeBackend, SinkError> {
        match target {
            LakeTarget::Local { root, setting } => Ok(LakeBackend::Local(local::LocalLake::open(
                root.join("bronze"),
                setting,
            )?)),
            #[cfg(feature = "blob")]
            LakeTarget::Blob(target) => Ok(LakeBackend::Blob(blob::BlobLake::open(target).await?)),
            #[cfg(not(feature = "blob"))]
            LakeTarget::Blob(target) => Err(crate::error::not_built(target.setting, "blob")),
        }
    }
}

impl LakeBackend {
    /// Opens container `container` of the lake `target` for writing (created when missing),
    /// for a writer of more than one container (the local processing half writes bronze and
    /// silver).
    pub async fn open_container(target: &LakeTarget, container: &str) -> Result<LakeBackend, SinkError> {
        match target {
            LakeTarget::Local { root, setting } => Ok(LakeBackend::Local(local::LocalLake::open(
                root.join(container),
                setting,
            )?)),
            #[cfg(feature = "blob")]
            LakeTarget::Blob(target) => Ok(LakeBackend::Blob(
                blob::BlobLake::open(&target.sibling(container)).await?,
            )),
            #[cfg(not(feature = "blob"))]
            LakeTarget::Blob(target) => Err(crate::error::not_built(target.setting, "blob")),
        }
    }

    /// Opens container `container` of the lake `target` for reading only: a directory that is
    /// missing is an empty container, and a blob container is neither created nor written.
    pub async fn open_for_reading(target: &LakeTarget, container: &str) -> Result<LakeBackend, SinkError> {
        match target {
            LakeTarget::Local { root, .. } => {
                Ok(LakeBackend::Local(local::LocalLake::at(root.join(container))))
            }
            #[cfg(feature = "blob")]
            LakeTarget::Blob(target) => Ok(LakeBackend::Blob(
                blob::BlobLake::connect(&target.sibling(container), false).await?,
            )),
            #[cfg(not(feature = "blob"))]
            LakeTarget::Blob(target) => Err(crate::error::not_built(target.setting, "blob")),
        }
    }
}

impl LakeReader for LakeBackend {
    async fn walk(&self, prefix: &str) -> Result<Vec<(String, u64)>, SinkError> {
        match self {
            LakeBackend::Local(l) => l.walk(prefix).await,
            #[cfg(feature = "blob")]
            LakeBackend::Blob(b) => b.walk(prefix).await,
        }
    }
    async fn get(&self, path: &str) -> Result<Bytes, SinkError> {
        match self {
            LakeBackend::Local(l) => l.get(path).await,
            #[cfg(feature = "blob")]
            LakeBackend::Blob(b) => b.get(path).await,
        }
    }
}

impl LakeSink for LakeBackend {
    async fn put(&self, path: &str, data: Bytes) -> Result<(), SinkError> {
        match self {
            LakeBackend::Local(l) => l.put(path, data).await,
            #[cfg(feature = "blob")]
            LakeBackend::Blob(b) => b.put(path, data).await,
        }
    }
    async fn list(&self, prefix: &str, visit: &mut (dyn FnMut(&str, u64) + Send)) -> Result<(), SinkError> {
        match self {
            LakeBackend::Local(l) => l.list(prefix, visit).await,
            #[cfg(feature = "blob")]
            LakeBackend::Blob(b) => b.list(prefix, visit).await,
        }
    }
    async fn exists(&self, path: &str) -> Result<bool, SinkError> {
        match self {
            LakeBackend::Local(l) => l.exists(path).await,
            #[cfg(feature = "blob")]
            LakeBackend::Blob(b) => b.exists(path).await,
        }
    }
    async fn stage_block(&self, path: &str, id: &str, data: Bytes) -> Result<(), SinkError> {
        match self {
            LakeBackend::Local(l) => l.stage_block(path, id, data).await,
            #[cfg(feature = "blob")]
            LakeBackend::Blob(b) => b.stage_block(path, id, data).await,
        }
    }
    async fn staged_blocks(&self, path: &str) -> Result<BTreeSet<String>, SinkError> {
        match self {
            LakeBackend::Local(l) => l.staged_blocks(path).await,
            #[cfg(feature = "blob")]
            LakeBackend::Blob(b) => b.staged_blocks(path).await,
        }
    }
    async fn commit_blocks(&self, path: &str, ids: &[String]) -> Result<(), SinkError> {
        match self {
            LakeBackend::Local(l) => l.commit_blocks(path, ids).await,
            #[cfg(feature = "blob")]
            LakeBackend::Blob(b) => b.commit_blocks(path, ids).await,
        }
    }
    fn stages_in_order(&self) -> bool {
        match self {
            LakeBackend::Local(l) => l.stages_in_order(),
            #[cfg(feature = "blob")]
            LakeBackend::Blob(b) => b.stages_in_order(),
        }
    }
    fn describe(&self) -> String {
        match self {
            LakeBackend::Local(l) => l.describe(),
            #[cfg(feature = "blob")]
            LakeBackend::Blob(b) => b.describe(),
        }
    }
}
