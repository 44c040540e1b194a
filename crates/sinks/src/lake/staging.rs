//! The staged blocks of one large object in the directory lake, written once.
//!
//! `{path}.staging/blocks` holds the blocks' bytes, appended in the order they were staged;
//! `{path}.staging/index` has one line per block, `{id} {offset} {len} {crc32}`, appended
//! after the block's bytes. When the blocks were staged in the order of the commit (the
//! writer does so when it can), the commit syncs `blocks` and renames it onto the object's
//! name: every byte is written once. Otherwise (blocks of an earlier run with another block
//! size, a damaged block staged again) the commit copies the blocks in order into a new file.
//!
//! Nothing is synced while staging: a resume ([`Staging::verify`]) checks every block
//! against its checksum and drops those a kill or a power loss damaged, so they are staged
//! again, and the commit syncs what it renames.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::SinkError;

/// Staged bytes between early syncs of `blocks` (see [`Staging::append`]).
const WRITEBACK_BYTES: u64 = 16 << 20;

/// Where a staged block's bytes are in `blocks`, and their checksum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    offset: u64,
    len: u64,
    crc: u32,
}

/// The staging directory of one object.
#[derive(Debug)]
pub(super) struct Staging {
    dir: PathBuf,
}

impl Staging {
    pub(super) fn new(dir: PathBuf) -> Staging {
        Staging { dir }
    }

    fn blocks(&self) -> PathBuf {
        self.dir.join("blocks")
    }

    fn index(&self) -> PathBuf {
        self.dir.join("index")
    }

    /// Appends block `id`: its bytes, then its index line. The caller serialises appends to
    /// one object (the offset is the file's length when the bytes go in).
    ///
    /// Each time `blocks` grows past another [`WRITEBACK_BYTES`], a thread of its own syncs
    /// it, so the disk writes while the next blocks render and the commit's sync waits only
    /// for the tail. Nothing depends on that sync: the checksums make a resume safe.
    pub(super) fn append(&self, id: &str, data: &[u8]) -> Result<(), SinkError> {
        let path = self.blocks();
        let mut blocks = self
            .lock_blocks(true)?
            .ok_or_else(|| SinkError::Task(format!("{} could not be created", path.display())))?;
        let offset = blocks.metadata().map_err(SinkError::io("stat", &path))?.len();
        blocks.write_all(data).map_err(SinkError::io("write", &path))?;
        let line = format!("{id} {offset} {} {:08x}\n", data.len(), crc32fast::hash(data));
        let index = self.index();
        OpenOptions::new()
            .create(true)
            .append(true)
            .open(&index)
            .and_then(|mut f| f.write_all(line.as_bytes()))
            .map_err(SinkError::io("write", &index))?;
        blocks.unlock().map_err(SinkError::io("unlock", &path))?;
        let end = offset + data.len() as u64;
        if end / WRITEBACK_BYTES > offset / WRITEBACK_BYTES {
            std::thread::spawn(move || {
                // Best effort: a failure shows again, and fails, at the commit's sync.
                let _ = blocks.sync_data();
            });
        }
        Ok(())
    }

    /// Opens `blocks` locked against every other writer of this object, in this process or
    /// another (two runs of the same shard at once must not interleave their offsets);
    /// `None` when there is none and `create` is false. A lock won on a file that a commit
    /// renamed onto the object meanwhile is let go, and the current `blocks` locked instead.
    fn lock_blocks(&self, create: bool) -> Result<Option<File>, SinkError> {
        let path = self.blocks();
        loop {
            if create {
                std::fs::create_dir_all(&self.dir).map_err(SinkError::io("create directory", &self.dir))?;
            }
            let file = match OpenOptions::new()
                .read(true)
                .append(true)
                .create(create)
                .open(&path)
            {
                Ok(f) => f,
                Err(e) if !create && e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                Err(e) => return Err(SinkError::io("open", &path)(e)),
            };
            file.lock().map_err(SinkError::io("lock", &path))?;
            let now = match std::fs::metadata(&path) {
                Ok(m) => m,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(SinkError::io("stat", &path)(e)),
            };
            let locked = file.metadata().map_err(SinkError::io("stat", &path))?;
            if same_file(&now, &locked) {
                return Ok(Some(file));
            }
        }
    }

    /// The index's entries that lie within `blocks` (a later line for the same id wins),
    /// without reading the blocks. A line cut short by a kill does not parse and is skipped.
    fn entries(&self) -> Result<(BTreeMap<String, Entry>, u64), SinkError> {
        let index = self.index();
        let text = match std::fs::read(&index) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((BTreeMap::new(), 0)),
            Err(e) => return Err(SinkError::io("read", &index)(e)),
        };
        let len = match std::fs::metadata(self.blocks()) {
            Ok(m) => m.len(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => 0,
            Err(e) => return Err(SinkError::io("stat", self.blocks())(e)),
        };
        let mut entries = BTreeMap::new();
        for line in String::from_utf8_lossy(&text).lines() {
            let mut f = line.split(' ');
            let parsed = (|| {
                let id = f.next()?;
                let offset = f.next()?.parse::<u64>().ok()?;
                let n = f.next()?.parse::<u64>().ok()?;
                let crc = u32::from_str_radix(f.next()?, 16).ok()?;
                (f.next().is_none() && offset.checked_add(n)? <= len)
                    .then_some((id, Entry { offset, len: n, crc }))
            })();
            if let Some((id, entry)) = parsed {
                entries.insert(id.to_owned(), entry);
            }
        }
        Ok((entries, len))
    }

    /// The blocks that can be trusted, by id, for a resume: each one's bytes are read and
    /// checked against its checksum; a damaged one is dropped (and staged again by the
    /// writer). The index is rewritten to the trusted blocks and `blocks` cut after the last
    /// of them, so what is staged next follows it. A directory left by a commit that was
    /// killed after its rename (no `blocks` any more) is removed.
    pub(super) fn verify(&self) -> Result<BTreeMap<String, u64>, SinkError> {
        let Some(mut file) = self.lock_blocks(false)? else {
            remove_dir(&self.dir)?;
            return Ok(BTreeMap::new());
        };
        let (entries, len) = self.entries()?;
        let path = self.blocks();
        let mut good = BTreeMap::new();
        let mut buf = Vec::new();
        for (id, e) in &entries {
            buf.resize(e.len as usize, 0);
            file.seek(SeekFrom::Start(e.offset))
                .and_then(|_| file.read_exact(&mut buf))
                .map_err(SinkError::io("read staged block", &path))?;
            if crc32fast::hash(&buf) == e.crc {
                good.insert(id.clone(), *e);
            } else {
                tracing::warn!(block = %id, staging = %self.dir.display(), "a staged block does not match its checksum; staging it again");
            }
        }
        let end = good.values().map(|e| e.offset + e.len).max().unwrap_or(0);
        if end < len {
            file.set_len(end).map_err(SinkError::io("truncate", &path))?;
        }
        if good.len() < entries.len() || end < len {
            let mut lines = String::new();
            for (id, e) in &good {
                lines.push_str(&format!("{id} {} {} {:08x}\n", e.offset, e.len, e.crc));
            }
            super::local::write_atomically(&self.index(), lines.as_bytes())?;
        }
        Ok(good.into_iter().map(|(id, e)| (id, e.len)).collect())
    }

    /// Makes the blocks `ids`, in this order, the content of `dest`, and removes the staging.
    /// `tmp` is where a copy is assembled when the blocks are not already in order.
    pub(super) fn commit(&self, ids: &[String], dest: &Path, tmp: &Path) -> Result<(), SinkError> {
        let locked = self.lock_blocks(false)?;
        let (entries, len) = self.entries()?;
        let mut order = Vec::with_capacity(ids.len());
        for id in ids {
            let e = entries.get(id).ok_or_else(|| {
                let hint = if dest.exists() {
                    format!(
                        "; {} was committed meanwhile, by another run writing the same object: \
                         one run per shard at a time (run again to finish this one)",
                        dest.display()
                    )
                } else {
                    String::new()
                };
                SinkError::Task(format!("staged block {id} is missing or damaged{hint}"))
            })?;
            order.push(*e);
        }
        let mut next = 0;
        let in_order = order.iter().all(|e| {
            let here = e.offset == next;
            next = e.offset + e.len;
            here
        }) && next == len
            && !ids.is_empty();
        let path = self.blocks();
        if let (true, Some(file)) = (in_order, &locked) {
            file.sync_all().map_err(SinkError::io("sync", &path))?;
            std::fs::rename(&path, dest).map_err(SinkError::io("rename", dest))?;
        } else {
            let out = File::create(tmp).map_err(SinkError::io("create", tmp))?;
            let mut out = std::io::BufWriter::with_capacity(1 << 20, out);
            if !order.is_empty() {
                let mut input = File::open(&path).map_err(SinkError::io("open", &path))?;
                for e in &order {
                    input
                        .seek(SeekFrom::Start(e.offset))
                        .map_err(SinkError::io("read staged block", &path))?;
                    let copied = std::io::copy(&mut (&mut input).take(e.len), &mut out)
                        .map_err(SinkError::io("append", tmp))?;
                    if copied != e.len {
                        return Err(SinkError::Task(format!(
                            "staged blocks in {} are shorter than their index says",
                            self.dir.display()
                        )));
                    }
                }
            }
            let file = out
                .into_inner()
                .map_err(|e| SinkError::io("write", tmp)(e.into_error()))?;
            file.sync_all().map_err(SinkError::io("sync", tmp))?;
            drop(file);
            std::fs::rename(tmp, dest).map_err(SinkError::io("rename", dest))?;
        }
        if let Some(parent) = dest.parent() {
            super::local::sync_dir(parent);
        }
        remove_dir(&self.dir)
    }
}

/// Whether two metadata describe one file (the same inode).
#[cfg(unix)]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    (a.dev(), a.ino()) == (b.dev(), b.ino())
}

#[cfg(not(unix))]
fn same_file(_a: &std::fs::Metadata, _b: &std::fs::Metadata) -> bool {
    true
}

/// Removes a staging directory; one that is not there (an empty object had no blocks) is fine.
fn remove_dir(dir: &Path) -> Result<(), SinkError> {
    match std::fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(SinkError::io("remove staging", dir)(e)),
    }
}
