//! The embedded events backend: JSON lines laid out like Event Hubs Capture,
//! `{hub}/{partition}/{yyyy}/{mm}/{dd}/{hh}/{mm}.json` by send time (UTC).
//!
//! Each batch is appended as whole lines and synced before `send` returns, so every event
//! reported written survives a kill. A kill in the middle of a batch can leave a partial last
//! line; reopening a file drops that tail (those events were never reported written).

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, Timelike};

use super::{EventRecord, EventSink, partition_of};
use crate::SinkError;

/// JSON-lines files for one hub.
#[derive(Debug)]
pub struct CaptureFiles {
    root: PathBuf,
    partitions: u32,
    /// The open file of each partition, with the relative path it was opened for.
    open: HashMap<u32, (PathBuf, File)>,
}

impl CaptureFiles {
    /// Opens the hub directory `root` (created when missing) with `partitions` partitions. A
    /// directory that cannot be written is a configuration error naming `setting`, the
    /// variable that chose it.
    pub fn open(
        root: PathBuf,
        partitions: NonZeroU32,
        setting: &'static str,
    ) -> Result<CaptureFiles, SinkError> {
        let partitions = partitions.get();
        crate::error::writable_dir(&root, setting)?;
        // A kill can leave a partial line only in the file each partition was appending to:
        // its newest. Repair those now, so every file holds whole lines even if this run
        // never appends to them again.
        for partition in 0..partitions {
            if let Some(newest) = newest_file(&root.join(partition.to_string())) {
                drop(open_for_append(&newest)?);
            }
        }
        Ok(CaptureFiles {
            root,
            partitions,
            open: HashMap::new(),
        })
    }

    /// Relative path of the file holding events of `partition` sent at `millis`.
    pub fn relative_path(partition: u32, millis: i64) -> PathBuf {
        let t = DateTime::from_timestamp_millis(millis).unwrap_or_default();
        PathBuf::from(format!(
            "{partition}/{:04}/{:02}/{:02}/{:02}/{:02}.json",
            t.year(),
            t.month(),
            t.day(),
            t.hour(),
            t.minute()
        ))
    }

    fn file_for(&mut self, partition: u32, rel: &Path) -> Result<&mut File, SinkError> {
        let stale = self.open.get(&partition).is_none_or(|(p, _)| p != rel);
        if stale {
            let path = self.root.join(rel);
            let file = open_for_append(&path)?;
            self.open.insert(partition, (rel.to_path_buf(), file));
        }
        match self.open.get_mut(&partition) {
            Some((_, f)) => Ok(f),
            None => Err(SinkError::Task("capture file vanished".into())),
        }
    }

    fn append(&mut self, batch: Vec<EventRecord>) -> Result<(), SinkError> {
        // Group whole lines per target file, keeping the batch order within each file.
        let mut groups: Vec<(u32, PathBuf, Vec<u8>)> = Vec::new();
        for e in batch {
            let partition = partition_of(&e.partition_key, self.partitions);
            let rel = Self::relative_path(partition, e.sent_at);
            let slot = match groups.iter().position(|(p, r, _)| *p == partition && *r == rel) {
                Some(i) => i,
                None => {
                    groups.push((partition, rel, Vec::new()));
                    groups.len() - 1
                }
            };
            let buf = &mut groups[slot].2;
            buf.extend_from_slice(&e.body);
            buf.push(b'\n');
        }
        for (partition, rel, lines) in groups {
            let path = self.root.join(&rel);
            let file = self.file_for(partition, &rel)?;
            file.write_all(&lines)
                .map_err(SinkError::io("append to", &path))?;
            file.sync_data().map_err(SinkError::io("sync", &path))?;
        }
        Ok(())
    }
}

/// The newest capture file under a partition directory: the greatest name at every level of
/// `yyyy/mm/dd/hh/mm.json` (zero-padded, so names sort by time).
fn newest_file(dir: &Path) -> Option<PathBuf> {
    let mut current = dir.to_path_buf();
    loop {
        let newest = std::fs::read_dir(&current)
            .ok()?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_dir() || p.extension().is_some_and(|x| x == "json"))
            .max()?;
        if newest.is_dir() {
            current = newest;
        } else {
            return Some(newest);
        }
    }
}

/// Opens `path` for appending, first cutting a partial last line left by a kill.
fn open_for_append(path: &Path) -> Result<File, SinkError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(SinkError::io("create directory", dir))?;
    }
    let mut file = OpenOptions::new()
        .create(true)
        .read(true)
        .append(true)
        .open(path)
        .map_err(SinkError::io("open", path))?;
    let len = file.metadata().map_err(SinkError::io("stat", path))?.len();
    let keep = complete_prefix_len(&mut file, len).map_err(SinkError::io("read", path))?;
    if keep < len {
        tracing::warn!(path = %path.display(), dropped_bytes = len - keep, "dropping a partial last line left by an interrupted write");
        file.set_len(keep).map_err(SinkError::io("truncate", path))?;
    }
    Ok(file)
}

/// Length of the file up to and including its last newline.
fn complete_prefix_len(file: &mut File, len: u64) -> std::io::Result<u64> {
    let mut end = len;
    let mut buf = vec![0u8; 64 * 1024];
    while end > 0 {
        let start = end.saturating_sub(buf.len() as u64);
        let n = (end - start) as usize;
        file.seek(SeekFrom::Start(start))?;
        file.read_exact(&mut buf[..n])?;
        if let Some(i) = buf[..n].iter().rposition(|&b| b == b'\n') {
            return Ok(start + i as u64 + 1);
        }
        end = start;
    }
    Ok(0)
}

impl EventSink for CaptureFiles {
    async fn send(&mut self, batch: Vec<EventRecord>) -> Result<(), SinkError> {
        // Appends are small and synced; doing them inline keeps the file handles simple and
        // only this stream's task waits.
        tokio::task::block_in_place(|| self.append(batch))
    }

    async fn close(&mut self) -> Result<(), SinkError> {
        for (rel, file) in self.open.values() {
            file.sync_all()
                .map_err(SinkError::io("sync", self.root.join(rel)))?;
        }
        self.open.clear();
        Ok(())
    }

    fn describe(&self) -> String {
        format!(
            "JSON-lines capture files under {} ({} partitions)",
            self.root.display(),
            self.partitions
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(id: &str, key: &str, at: i64) -> EventRecord {
        EventRecord {
            id: id.into(),
            partition_key: key.into(),
            sent_at: at,
            body: format!("{{\"event_id\":\"{id}\"}}").into_bytes(),
        }
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn partial_tail_is_dropped_on_reopen() {
        let dir = tempfile::tempdir().expect("tempdir");
        let t = 1_764_028_800_000;
        {
            let mut s =
                CaptureFiles::open(dir.path().to_path_buf(), NonZeroU32::MIN, "the-setting").expect("open");
            s.send(vec![rec("a", "1", t), rec("b", "1", t + 1)])
                .await
                .expect("send");
            s.close().await.expect("close");
        }
        let file = dir.path().join(CaptureFiles::relative_path(0, t));
        assert!(file.ends_with("0/2025/11/25/00/00.json"), "{}", file.display());
        // Simulate a kill mid-write: half a line at the end.
        let mut f = OpenOptions::new().append(true).open(&file).expect("open");
        f.write_all(b"{\"event_id\":\"c").expect("write");
        drop(f);
        let mut s =
            CaptureFiles::open(dir.path().to_path_buf(), NonZeroU32::MIN, "the-setting").expect("open");
        let repaired = std::fs::read_to_string(&file).expect("read");
        assert_eq!(
            repaired, "{\"event_id\":\"a\"}\n{\"event_id\":\"b\"}\n",
            "repaired at open"
        );
        s.send(vec![rec("d", "1", t + 2)]).await.expect("send");
        let text = std::fs::read_to_string(&file).expect("read");
        assert_eq!(
            text,
            "{\"event_id\":\"a\"}\n{\"event_id\":\"b\"}\n{\"event_id\":\"d\"}\n"
        );
    }

    #[test]
    fn partitions_are_stable_and_spread() {
        let parts: std::collections::HashSet<u32> =
            (0..100).map(|u| partition_of(&u.to_string(), 4)).collect();
        assert_eq!(parts.len(), 4);
        assert_eq!(partition_of("42", 4), partition_of("42", 4));
    }
}
