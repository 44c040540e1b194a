//! The embedded lake: a directory. Same guarantees as the blob backend, with files.
//!
//! Small objects are written to a temporary name, synced, and renamed into place. Large
//! objects stage each block as `{path}.staging/{id}.{len}.block` (also written, synced, then
//! renamed; `len` is its length in bytes, checked before the block is trusted), and the
//! commit concatenates the blocks into a temporary file that is synced and renamed onto the
//! final name, so the final name only ever holds a complete object, even after a power loss.
//! Temporary files of killed writers are removed when the object is next written.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use bytes::Bytes;

use super::{LakeReader, LakeSink};
use crate::SinkError;

/// A lake in a directory (one container).
#[derive(Debug, Clone)]
pub struct LocalLake {
    root: PathBuf,
}

const STAGING: &str = ".staging";
const TMP: &str = ".tmp";

impl LocalLake {
    /// Opens (and creates) the container directory. One that cannot be written fails now,
    /// before any work starts, with a configuration error naming `setting`, the variable that
    /// chose it.
    pub fn open(root: PathBuf, setting: &'static str) -> Result<LocalLake, SinkError> {
        crate::error::writable_dir(&root, setting)?;
        Ok(LocalLake { root })
    }

    /// The container directory `root` for reading, neither created nor checked: a missing
    /// directory lists as empty.
    pub fn at(root: PathBuf) -> LocalLake {
        LocalLake { root }
    }

    fn file(&self, path: &str) -> PathBuf {
        self.root.join(path)
    }

    fn staging_dir(&self, path: &str) -> PathBuf {
        let mut p = self.file(path).into_os_string();
        p.push(STAGING);
        PathBuf::from(p)
    }
}

/// Deletes a temporary file left by a writer that was killed (its process is gone), so a
/// killed run leaves no clutter beside the real objects after the next run lists them.
fn remove_if_orphaned(path: &Path, name: &str) {
    let pid = name
        .rsplit_once(&format!("{TMP}-"))
        .and_then(|(_, p)| p.parse::<u32>().ok());
    let orphaned = pid
        .is_some_and(|pid| pid != std::process::id() && !Path::new("/proc").join(pid.to_string()).exists());
    if orphaned && Path::new("/proc/self").exists() {
        match std::fs::remove_file(path) {
            Ok(()) => tracing::debug!(path = %path.display(), "removed a temporary file of a killed run"),
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "cannot remove a stale temporary file")
            }
        }
    }
}

/// Removes the temporary siblings of `dest` (`{dest}.tmp-{pid}`) whose writer is gone.
fn remove_orphaned_siblings(dest: &Path) {
    let (Some(dir), Some(name)) = (dest.parent(), dest.file_name()) else {
        return;
    };
    let prefix = format!("{}{TMP}-", name.to_string_lossy());
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let n = entry.file_name();
        let n = n.to_string_lossy();
        if n.starts_with(&prefix) {
            remove_if_orphaned(&entry.path(), &n);
        }
    }
}

/// Makes a rename in `dir` durable (best effort: not every file system syncs directories).
fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Writes `data` to `dest` through a temporary sibling, synced before the rename.
fn write_atomically(dest: &Path, data: &[u8]) -> Result<(), SinkError> {
    use std::io::Write;
    if let Some(dir) = dest.parent() {
        std::fs::create_dir_all(dir).map_err(SinkError::io("create directory", dir))?;
    }
    let mut tmp = dest.as_os_str().to_owned();
    tmp.push(format!("{TMP}-{}", std::process::id()));
    let tmp = PathBuf::from(tmp);
    let mut file = std::fs::File::create(&tmp).map_err(SinkError::io("create", &tmp))?;
    file.write_all(data).map_err(SinkError::io("write", &tmp))?;
    file.sync_all().map_err(SinkError::io("sync", &tmp))?;
    drop(file);
    std::fs::rename(&tmp, dest).map_err(SinkError::io("rename", dest))?;
    if let Some(dir) = dest.parent() {
        sync_dir(dir);
    }
    Ok(())
}

/// The staged blocks in `dir` whose length matches the one in their name, by id, with their
/// files. A block of another length (truncated by a power loss, say) is removed, so it is
/// staged again; so are temporary files of killed writers.
fn staged_in(dir: &Path) -> Result<std::collections::BTreeMap<String, PathBuf>, SinkError> {
    let mut blocks = std::collections::BTreeMap::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(blocks),
        Err(e) => return Err(SinkError::io("list", dir)(e)),
    };
    for entry in entries {
        let entry = entry.map_err(SinkError::io("list", dir))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let path = entry.path();
        if name.contains(TMP) {
            remove_if_orphaned(&path, &name);
            continue;
        }
        let Some(stem) = name.strip_suffix(".block") else {
            continue;
        };
        let parsed = stem
            .rsplit_once('.')
            .and_then(|(id, len)| Some((id, len.parse::<u64>().ok()?)));
        let actual = entry.metadata().map(|m| m.len()).ok();
        match parsed {
            Some((id, len)) if actual == Some(len) => {
                blocks.insert(id.to_owned(), path);
            }
            _ => {
                tracing::warn!(
                    block = %path.display(),
                    size = actual,
                    "a staged block is not the length it was written with; staging it again"
                );
                std::fs::remove_file(&path).map_err(SinkError::io("remove damaged block", &path))?;
            }
        }
    }
    Ok(blocks)
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, SinkError> + Send + 'static,
) -> Result<T, SinkError> {
    tokio::task::spawn_blocking(f).await?
}

/// Every committed file below `dir`, as `rel/path` names (hidden and temporary ones left out:
/// a writer's staging, `.tmp-` files and e.g. Spark's `.crc` or `_SUCCESS` markers stay, as
/// their names say what they are).
fn walk_dir(dir: &Path, rel: &str, out: &mut Vec<(String, u64)>) -> Result<(), SinkError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(SinkError::io("list", dir)(e)),
    };
    for entry in entries {
        let entry = entry.map_err(SinkError::io("list", dir))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || name.contains(TMP) || name.ends_with(STAGING) {
            continue;
        }
        let path = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        let meta = entry.metadata().map_err(SinkError::io("stat", entry.path()))?;
        if meta.is_dir() {
            walk_dir(&entry.path(), &path, out)?;
        } else if meta.is_file() {
            out.push((path, meta.len()));
        }
    }
    Ok(())
}

impl LakeReader for LocalLake {
    async fn walk(&self, prefix: &str) -> Result<Vec<(String, u64)>, SinkError> {
        let dir = self.file(prefix.trim_end_matches('/'));
        blocking(move || {
            let mut out = Vec::new();
            walk_dir(&dir, "", &mut out)?;
            out.sort();
            Ok(out)
        })
        .await
    }

    async fn get(&self, path: &str) -> Result<Bytes, SinkError> {
        let file = self.file(path);
        blocking(move || {
            std::fs::read(&file)
                .map(Bytes::from)
                .map_err(SinkError::io("read", &file))
        })
        .await
    }
}

impl LakeSink for LocalLake {
    async fn put(&self, path: &str, data: Bytes) -> Result<(), SinkError> {
        let dest = self.file(path);
        blocking(move || write_atomically(&dest, &data)).await
    }

    async fn list(&self, prefix: &str, visit: &mut (dyn FnMut(&str, u64) + Send)) -> Result<(), SinkError> {
        let dir = self.file(prefix);
        let entries = match tokio::fs::read_dir(&dir).await {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(SinkError::io("list", &dir)(e)),
        };
        let mut entries = entries;
        while let Some(entry) = entries.next_entry().await.map_err(SinkError::io("list", &dir))? {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let meta = entry.metadata().await.ok().filter(std::fs::Metadata::is_file);
            match meta {
                Some(_) if name.contains(TMP) => remove_if_orphaned(&dir.join(&*name), &name),
                Some(m) if !name.starts_with('.') => visit(&name, m.len()),
                _ => {}
            }
        }
        Ok(())
    }

    async fn exists(&self, path: &str) -> Result<bool, SinkError> {
        let file = self.file(path);
        blocking(move || match std::fs::metadata(&file) {
            Ok(m) => Ok(m.is_file()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(SinkError::io("stat", &file)(e)),
        })
        .await
    }

    async fn stage_block(&self, path: &str, id: &str, data: Bytes) -> Result<(), SinkError> {
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err(SinkError::Task(format!("invalid block id {id:?}")));
        }
        let block = self.staging_dir(path).join(format!("{id}.{}.block", data.len()));
        blocking(move || write_atomically(&block, &data)).await
    }

    async fn staged_blocks(&self, path: &str) -> Result<BTreeSet<String>, SinkError> {
        let dir = self.staging_dir(path);
        let dest = self.file(path);
        blocking(move || {
            // A commit killed half-way leaves `{path}.tmp-{pid}`: remove it now.
            remove_orphaned_siblings(&dest);
            Ok(staged_in(&dir)?.into_keys().collect())
        })
        .await
    }

    async fn commit_blocks(&self, path: &str, ids: &[String]) -> Result<(), SinkError> {
        let dest = self.file(path);
        let dir = self.staging_dir(path);
        let ids = ids.to_vec();
        blocking(move || {
            let mut tmp = dest.as_os_str().to_owned();
            tmp.push(format!("{TMP}-{}", std::process::id()));
            let tmp = PathBuf::from(tmp);
            if let Some(parent) = dest.parent() {
                std::fs::create_dir_all(parent).map_err(SinkError::io("create directory", parent))?;
            }
            let staged = staged_in(&dir)?;
            let file = std::fs::File::create(&tmp).map_err(SinkError::io("create", &tmp))?;
            let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
            for id in &ids {
                let block = staged
                    .get(id)
                    .ok_or_else(|| SinkError::Task(format!("staged block {id} is missing or damaged")))?;
                let mut input = std::fs::File::open(block)
                    .map_err(SinkError::io("open staged block", block.as_path()))?;
                std::io::copy(&mut input, &mut out).map_err(SinkError::io("append", &tmp))?;
            }
            let file = out
                .into_inner()
                .map_err(|e| SinkError::io("write", &tmp)(e.into_error()))?;
            file.sync_all().map_err(SinkError::io("sync", &tmp))?;
            drop(file);
            std::fs::rename(&tmp, &dest).map_err(SinkError::io("rename", &dest))?;
            if let Some(parent) = dest.parent() {
                sync_dir(parent);
            }
            // An empty object (an empty shard) had no blocks, hence no staging directory.
            match std::fs::remove_dir_all(&dir) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(SinkError::io("remove staging", &dir)(e)),
            }
        })
        .await
    }

    fn describe(&self) -> String {
        format!("directory {}", self.root.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn names(lake: &LocalLake, prefix: &str) -> Vec<String> {
        let mut names = Vec::new();
        lake.list(prefix, &mut |n, _| names.push(n.to_owned()))
            .await
            .expect("list");
        names
    }

    #[tokio::test]
    async fn blocks_become_visible_only_when_committed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let lake = LocalLake::open(dir.path().join("bronze"), "THE_SETTING").expect("open");
        lake.stage_block("users/users.json", "b1", Bytes::from_static(b"b\n"))
            .await
            .expect("stage");
        lake.stage_block("users/users.json", "a0", Bytes::from_static(b"a\n"))
            .await
            .expect("stage");
        assert!(!lake.exists("users/users.json").await.expect("exists"));
        assert!(names(&lake, "users").await.is_empty());
        assert_eq!(
            lake.staged_blocks("users/users.json").await.expect("staged"),
            BTreeSet::from(["a0".to_owned(), "b1".to_owned()])
        );
        lake.commit_blocks("users/users.json", &["a0".to_owned(), "b1".to_owned()])
            .await
            .expect("commit");
        let body = std::fs::read(dir.path().join("bronze/users/users.json")).expect("read");
        assert_eq!(body, b"a\nb\n");
        assert!(
            lake.staged_blocks("users/users.json")
                .await
                .expect("staged")
                .is_empty()
        );
        lake.put("products/product_1.json", Bytes::from_static(b"{}"))
            .await
            .expect("put");
        assert_eq!(names(&lake, "products").await, vec!["product_1.json".to_owned()]);
    }

    #[tokio::test]
    async fn list_removes_temporary_files_of_dead_writers_only() {
        let dir = tempfile::tempdir().expect("tempdir");
        let lake = LocalLake::open(dir.path().join("bronze"), "THE_SETTING").expect("open");
        let products = dir.path().join("bronze/products");
        std::fs::create_dir_all(&products).expect("mkdir");
        let dead = products.join("product_3.json.tmp-4294967295");
        let live = products.join(format!("product_4.json.tmp-{}", std::process::id()));
        std::fs::write(&dead, b"{").expect("write");
        std::fs::write(&live, b"{").expect("write");
        assert!(
            names(&lake, "products").await.is_empty(),
            "temporary files are never listed"
        );
        assert!(!dead.exists(), "a dead writer's file is removed");
        assert!(live.exists(), "a running writer's file is kept");
    }

    #[test]
    fn an_unwritable_root_fails_at_open() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("not-a-dir");
        std::fs::write(&file, b"x").expect("write");
        assert!(LocalLake::open(file.join("bronze"), "THE_SETTING").is_err());
    }
}
