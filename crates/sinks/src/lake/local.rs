//! The embedded lake: a directory. Same guarantees as the blob backend, with files.
//!
//! Small objects are written to a temporary name, synced, and renamed into place. Large
//! objects are staged in `{path}.staging/` (see [`super::staging`]: the blocks appended to
//! one file with a checksummed index) and committed by a sync and a rename, so the final name
//! only ever holds a complete object, even after a power loss. Temporary files of killed
//! writers are removed when the object is next written.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use bytes::Bytes;

use super::staging::Staging;
use super::{LakeReader, LakeSink};
use crate::SinkError;

/// A lake in a directory (one container).
#[derive(Debug, Clone)]
pub struct LocalLake {
    root: PathBuf,
    /// Held while a block is appended to an object's staging (the offset is the file's
    /// length), so blocks staged at once do not interleave.
    appending: Arc<Mutex<()>>,
}

const STAGING: &str = ".staging";
const TMP: &str = ".tmp";

impl LocalLake {
    /// Opens (and creates) the container directory. One that cannot be written fails now,
    /// before any work starts, with a configuration error naming `setting`, the variable that
    /// chose it.
    pub fn open(root: PathBuf, setting: &'static str) -> Result<LocalLake, SinkError> {
        crate::error::writable_dir(&root, setting)?;
        Ok(LocalLake::at(root))
    }

    /// The container directory `root` for reading, neither created nor checked: a missing
    /// directory lists as empty.
    pub fn at(root: PathBuf) -> LocalLake {
        LocalLake {
            root,
            appending: Arc::default(),
        }
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
pub(super) fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Writes `data` to `dest` through a temporary sibling, synced before the rename.
pub(super) fn write_atomically(dest: &Path, data: &[u8]) -> Result<(), SinkError> {
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
        let staging = Staging::new(self.staging_dir(path));
        let (id, appending) = (id.to_owned(), self.appending.clone());
        blocking(move || {
            let _one_at_a_time = appending
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            staging.append(&id, &data)
        })
        .await
    }

    async fn staged_blocks(&self, path: &str) -> Result<BTreeSet<String>, SinkError> {
        let staging = Staging::new(self.staging_dir(path));
        let dest = self.file(path);
        blocking(move || {
            // A commit killed half-way leaves `{path}.tmp-{pid}`: remove it now.
            remove_orphaned_siblings(&dest);
            Ok(staging.verify()?.into_keys().collect())
        })
        .await
    }

    async fn commit_blocks(&self, path: &str, ids: &[String]) -> Result<(), SinkError> {
        let dest = self.file(path);
        let staging = Staging::new(self.staging_dir(path));
        let ids = ids.to_vec();
        blocking(move || {
            let mut tmp = dest.as_os_str().to_owned();
            tmp.push(format!("{TMP}-{}", std::process::id()));
            if let Some(parent) = dest.parent() {
                std::fs::create_dir_all(parent).map_err(SinkError::io("create directory", parent))?;
            }
            staging.commit(&ids, &dest, Path::new(&tmp))
        })
        .await
    }

    fn stages_in_order(&self) -> bool {
        true
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

    /// Blocks staged in the order of the commit are written once: the committed object is
    /// the staging file itself, renamed (same inode), not a copy.
    #[tokio::test]
    async fn blocks_staged_in_order_are_renamed_not_copied() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let lake = LocalLake::open(dir.path().join("bronze"), "THE_SETTING").expect("open");
        for (id, body) in [("a0", "first\n"), ("b1", "second\n"), ("c2", "third\n")] {
            lake.stage_block("u.json", id, Bytes::from(body))
                .await
                .expect("stage");
        }
        let staged = dir.path().join("bronze/u.json.staging/blocks");
        let inode = std::fs::metadata(&staged).expect("staged").ino();
        let ids = ["a0", "b1", "c2"].map(String::from);
        lake.commit_blocks("u.json", &ids).await.expect("commit");
        let dest = dir.path().join("bronze/u.json");
        assert_eq!(std::fs::read(&dest).expect("read"), b"first\nsecond\nthird\n");
        assert_eq!(std::fs::metadata(&dest).expect("dest").ino(), inode);
        assert!(!dir.path().join("bronze/u.json.staging").exists());
    }

    /// A resume trusts a staged block only if its bytes match its checksum: a flipped byte
    /// and a file cut short (power loss) are staged again, and the object comes out whole.
    #[tokio::test]
    async fn a_resume_restages_damaged_and_cut_blocks() {
        let dir = tempfile::tempdir().expect("tempdir");
        let lake = LocalLake::open(dir.path().join("bronze"), "THE_SETTING").expect("open");
        let blocks = [
            ("a0", "aaaa\n"),
            ("b1", "bbbb\n"),
            ("c2", "cccc\n"),
            ("d3", "dddd\n"),
        ];
        for (id, body) in blocks {
            lake.stage_block("u.json", id, Bytes::from(body))
                .await
                .expect("stage");
        }
        let file = dir.path().join("bronze/u.json.staging/blocks");
        let mut bytes = std::fs::read(&file).expect("read");
        bytes[6] = b'X'; // inside b1
        bytes.truncate(17); // d3 cut short
        std::fs::write(&file, &bytes).expect("damage");
        let trusted = lake.staged_blocks("u.json").await.expect("staged");
        assert_eq!(trusted, BTreeSet::from(["a0".to_owned(), "c2".to_owned()]));
        assert_eq!(std::fs::metadata(&file).expect("stat").len(), 15, "cut after c2");
        for (id, body) in [blocks[1], blocks[3]] {
            lake.stage_block("u.json", id, Bytes::from(body))
                .await
                .expect("stage");
        }
        let ids = blocks.map(|(id, _)| id.to_owned());
        lake.commit_blocks("u.json", &ids).await.expect("commit");
        assert_eq!(
            std::fs::read(dir.path().join("bronze/u.json")).expect("read"),
            b"aaaa\nbbbb\ncccc\ndddd\n"
        );
        // A block the index does not hold cannot be committed.
        let missing = lake.commit_blocks("v.json", &["zz".to_owned()]).await;
        assert!(missing.is_err_and(|e| e.to_string().contains("zz")));
    }

    /// Two runs of one shard at once (two `make run`s, say) stage into the same files. Each
    /// `LocalLake` serialises only its own appends, as each process does; the file lock
    /// keeps the other's offsets apart, and the object comes out whole.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn two_writers_of_one_object_do_not_interleave() {
        let dir = tempfile::tempdir().expect("tempdir");
        let body = |i: usize| Bytes::from(format!("{i:04}").repeat(2000 + i % 7));
        let ids: Vec<String> = (0..200).map(|i| format!("b{i:03}")).collect();
        let mut writers = Vec::new();
        for _ in 0..2 {
            let lake = Arc::new(LocalLake::open(dir.path().join("bronze"), "THE_SETTING").expect("open"));
            for (i, id) in ids.iter().enumerate() {
                let (lake, id) = (lake.clone(), id.clone());
                writers.push(tokio::spawn(async move {
                    lake.stage_block("u.json", &id, body(i)).await
                }));
            }
        }
        for w in writers {
            w.await.expect("join").expect("stage");
        }
        let lake = LocalLake::open(dir.path().join("bronze"), "THE_SETTING").expect("open");
        assert_eq!(lake.staged_blocks("u.json").await.expect("staged").len(), 200);
        lake.commit_blocks("u.json", &ids).await.expect("commit");
        let want: Vec<u8> = (0..200).flat_map(|i| body(i).to_vec()).collect();
        assert!(std::fs::read(dir.path().join("bronze/u.json")).expect("read") == want);
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
