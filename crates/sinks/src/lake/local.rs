//! The embedded lake: a directory. Same guarantees as the blob backend, with files.
//!
//! Small objects are written to a temporary name and renamed into place. Large objects stage
//! each block as `{path}.staging/{id}.block` (also written then renamed), and the commit
//! concatenates the blocks into a temporary file that is renamed onto the final name, so the
//! final name only ever holds a complete object.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use bytes::Bytes;

use super::Lake;
use crate::SinkError;

/// A lake in a directory (one container).
#[derive(Debug, Clone)]
pub struct LocalLake {
    root: PathBuf,
}

const STAGING: &str = ".staging";
const TMP: &str = ".tmp";

impl LocalLake {
    /// Opens (and creates) the container directory; fails if it cannot be written.
    pub fn open(root: PathBuf) -> Result<LocalLake, SinkError> {
        std::fs::create_dir_all(&root).map_err(SinkError::io("create directory", &root))?;
        // Prove it is writable now, before any work starts.
        let probe = root.join(format!(".write-probe-{}", std::process::id()));
        std::fs::write(&probe, b"").map_err(SinkError::io("write in", &root))?;
        let _ = std::fs::remove_file(&probe);
        Ok(LocalLake { root })
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

/// Writes `data` to `dest` through a temporary sibling and a rename.
fn write_atomically(dest: &Path, data: &[u8]) -> Result<(), SinkError> {
    if let Some(dir) = dest.parent() {
        std::fs::create_dir_all(dir).map_err(SinkError::io("create directory", dir))?;
    }
    let mut tmp = dest.as_os_str().to_owned();
    tmp.push(format!("{TMP}-{}", std::process::id()));
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, data).map_err(SinkError::io("write", &tmp))?;
    std::fs::rename(&tmp, dest).map_err(SinkError::io("rename", dest))
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, SinkError> + Send + 'static,
) -> Result<T, SinkError> {
    tokio::task::spawn_blocking(f).await?
}

impl Lake for LocalLake {
    async fn put(&self, path: &str, data: Bytes) -> Result<(), SinkError> {
        let dest = self.file(path);
        blocking(move || write_atomically(&dest, &data)).await
    }

    async fn list(&self, prefix: &str, visit: &mut (dyn FnMut(&str) + Send)) -> Result<(), SinkError> {
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
            let is_file = entry.file_type().await.map(|t| t.is_file()).unwrap_or(false);
            if is_file && name.contains(TMP) {
                remove_if_orphaned(&dir.join(&*name), &name);
            } else if is_file && !name.starts_with('.') {
                visit(&name);
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
        let block = self.staging_dir(path).join(format!("{id}.block"));
        blocking(move || write_atomically(&block, &data)).await
    }

    async fn staged_blocks(&self, path: &str) -> Result<BTreeSet<String>, SinkError> {
        let dir = self.staging_dir(path);
        blocking(move || {
            let mut blocks = BTreeSet::new();
            let entries = match std::fs::read_dir(&dir) {
                Ok(e) => e,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(blocks),
                Err(e) => return Err(SinkError::io("list", &dir)(e)),
            };
            for entry in entries {
                let entry = entry.map_err(SinkError::io("list", &dir))?;
                let name = entry.file_name();
                let name = name.to_string_lossy();
                if let Some(id) = name.strip_suffix(".block") {
                    blocks.insert(id.to_owned());
                }
            }
            Ok(blocks)
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
            let file = std::fs::File::create(&tmp).map_err(SinkError::io("create", &tmp))?;
            let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
            for id in &ids {
                let block = dir.join(format!("{id}.block"));
                let mut input =
                    std::fs::File::open(&block).map_err(SinkError::io("open staged block", &block))?;
                std::io::copy(&mut input, &mut out).map_err(SinkError::io("append", &tmp))?;
            }
            let file = out
                .into_inner()
                .map_err(|e| SinkError::io("write", &tmp)(e.into_error()))?;
            file.sync_all().map_err(SinkError::io("sync", &tmp))?;
            std::fs::rename(&tmp, &dest).map_err(SinkError::io("rename", &dest))?;
            std::fs::remove_dir_all(&dir).map_err(SinkError::io("remove staging", &dir))?;
            Ok(())
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
        lake.list(prefix, &mut |n| names.push(n.to_owned()))
            .await
            .expect("list");
        names
    }

    #[tokio::test]
    async fn blocks_become_visible_only_when_committed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let lake = LocalLake::open(dir.path().join("bronze")).expect("open");
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
        let lake = LocalLake::open(dir.path().join("bronze")).expect("open");
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
        assert!(LocalLake::open(file.join("bronze")).is_err());
    }
}
