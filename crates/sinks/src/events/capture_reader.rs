//! Following the capture files of one hub as the stream writes them:
//! `{hub}/{partition}/{yyyy}/{mm}/{dd}/{hh}/{mm}.json`, each partition's files in name order
//! (zero-padded, so in send-time order), whole lines only.
//!
//! The writer appends whole lines to a partition's newest file and moves to a new file each
//! minute, so a file older than a partition's newest is complete: the reader moves on from it
//! once it has read it to the end. A line without its end (a write in progress) is left for
//! the next read. New partitions and files are found on every read that finds nothing new.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use playground_model::Millis;

use super::source::{EventSource, Mark, Position, ReadEvent};
use crate::SinkError;

/// How often a reader that found nothing looks again while it waits.
const POLL: Duration = Duration::from_millis(100);
/// Most bytes read from one file at once.
const CHUNK: u64 = 4 << 20;

/// Where one partition is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Cursor {
    /// Relative to the partition directory; `None` before the first file.
    file: Option<String>,
    offset: u64,
}

/// A reader of one hub's capture files.
#[derive(Debug)]
pub struct CaptureReader {
    root: PathBuf,
    cursors: BTreeMap<u32, Cursor>,
    /// Per partition: found at its end by the last read.
    at_end: BTreeMap<u32, bool>,
    caught_up: bool,
}

impl CaptureReader {
    /// Reads the hub directory `root` (it may not exist yet) from `position` (empty: from the
    /// beginning). A position naming an Event Hubs sequence number is refused.
    pub fn open(root: PathBuf, position: &Position) -> Result<CaptureReader, SinkError> {
        let mut cursors = BTreeMap::new();
        for (partition, mark) in &position.0 {
            match mark {
                Mark::File { file, offset } => {
                    cursors.insert(
                        *partition,
                        Cursor {
                            file: Some(file.clone()),
                            offset: *offset,
                        },
                    );
                }
                Mark::Sequence(_) => {
                    return Err(SinkError::Task(format!(
                        "{}: the saved position is an Event Hubs one; capture files cannot go on from it",
                        root.display()
                    )));
                }
            }
        }
        Ok(CaptureReader {
            root,
            cursors,
            at_end: BTreeMap::new(),
            caught_up: false,
        })
    }

    /// Reads what is there now, without waiting.
    fn read_now(&mut self, max: usize) -> Result<Vec<ReadEvent>, SinkError> {
        for partition in partitions(&self.root)? {
            self.cursors.entry(partition).or_default();
        }
        let mut out = Vec::new();
        // The partitions in step: always the one whose current file (minute) is oldest, a
        // file at a time, so that a reader catching up moves through time on all of them
        // together and a consumer's per-partition watermark keeps moving.
        let mut open: BTreeMap<u32, bool> = self.cursors.keys().map(|p| (*p, false)).collect();
        while out.len() < max {
            let next = open
                .iter()
                .filter(|(_, at_end)| !**at_end)
                .map(|(p, _)| *p)
                .min_by_key(|p| {
                    self.cursors
                        .get(p)
                        .and_then(|c| c.file.clone())
                        .unwrap_or_default()
                });
            let Some(partition) = next else { break };
            let dir = self.root.join(partition.to_string());
            let at_end = self.read_partition(partition, &dir, max - out.len(), &mut out)?;
            open.insert(partition, at_end);
        }
        self.at_end = open;
        self.caught_up = self.at_end.values().all(|e| *e);
        Ok(out)
    }

    /// Reads up to `max` lines of one partition's current file into `out`, moving to its next
    /// file at the end; true when the partition is at its end.
    fn read_partition(
        &mut self,
        partition: u32,
        dir: &Path,
        max: usize,
        out: &mut Vec<ReadEvent>,
    ) -> Result<bool, SinkError> {
        let Some(cursor) = self.cursors.get_mut(&partition) else {
            return Ok(true);
        };
        let start = out.len();
        let mut files: Option<Vec<String>> = None;
        loop {
            let file = match cursor.file.clone() {
                Some(file) => file,
                None => match files.get_or_insert(list_files(dir)?).first() {
                    Some(first) => {
                        cursor.file = Some(first.clone());
                        cursor.offset = 0;
                        continue;
                    }
                    None => return Ok(true),
                },
            };
            let path = dir.join(&file);
            let arrived = file_minute(&file);
            let remaining = max - (out.len() - start);
            let (consumed, at_eof) = read_lines(&path, cursor.offset, remaining, |body| {
                out.push(ReadEvent {
                    partition,
                    arrived,
                    body,
                });
            })?;
            cursor.offset += consumed;
            if out.len() - start >= max {
                return Ok(false);
            }
            if !at_eof {
                if consumed == 0 {
                    return Err(SinkError::Task(format!(
                        "{}: a line longer than {CHUNK} bytes at byte {}",
                        path.display(),
                        cursor.offset
                    )));
                }
                continue;
            }
            // This file is read to its end: move on if a newer one exists (this one is then
            // complete), else this partition is at its end for now.
            match files
                .get_or_insert(list_files(dir)?)
                .iter()
                .find(|f| f.as_str() > file.as_str())
            {
                Some(next) => {
                    let len = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
                    if len > cursor.offset {
                        tracing::warn!(file = %path.display(), bytes = len - cursor.offset, "a capture file ends without a line end; skipping its tail");
                    }
                    cursor.file = Some(next.clone());
                    cursor.offset = 0;
                    // One file at a time: the caller picks the partition that is furthest behind.
                    return Ok(false);
                }
                None => return Ok(true),
            }
        }
    }
}

impl EventSource for CaptureReader {
    async fn read(&mut self, max: usize, wait: Duration) -> Result<Vec<ReadEvent>, SinkError> {
        let deadline = Instant::now() + wait;
        loop {
            let events = self.read_now(max.max(1))?;
            if !events.is_empty() || Instant::now() >= deadline {
                return Ok(events);
            }
            tokio::time::sleep(POLL.min(deadline.saturating_duration_since(Instant::now()))).await;
        }
    }

    fn position(&self) -> Position {
        Position(
            self.cursors
                .iter()
                .filter_map(|(p, c)| {
                    c.file.as_ref().map(|file| {
                        (
                            *p,
                            Mark::File {
                                file: file.clone(),
                                offset: c.offset,
                            },
                        )
                    })
                })
                .collect(),
        )
    }

    fn caught_up(&self) -> bool {
        self.caught_up
    }

    fn partitions(&self) -> BTreeMap<u32, bool> {
        self.cursors
            .keys()
            .map(|p| (*p, self.at_end.get(p).copied().unwrap_or(false)))
            .collect()
    }

    fn describe(&self) -> String {
        format!("capture files {}", self.root.display())
    }
}

/// The partition directories under a hub directory (none when it does not exist yet).
fn partitions(root: &Path) -> Result<Vec<u32>, SinkError> {
    let entries = match std::fs::read_dir(root) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(SinkError::io("list", root)(e)),
    };
    let mut out: Vec<u32> = entries
        .flatten()
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().to_str().and_then(|n| n.parse().ok()))
        .collect();
    out.sort_unstable();
    Ok(out)
}

/// Every `yyyy/mm/dd/hh/mm.json` under a partition directory, sorted.
fn list_files(dir: &Path) -> Result<Vec<String>, SinkError> {
    fn walk(dir: &Path, rel: &str, depth: usize, out: &mut Vec<String>) -> Result<(), SinkError> {
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(SinkError::io("list", dir)(e)),
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            if depth < 4 && entry.path().is_dir() {
                walk(&entry.path(), &path, depth + 1, out)?;
            } else if depth == 4 && name.ends_with(".json") && !name.starts_with('.') {
                out.push(path);
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dir, "", 0, &mut out)?;
    out.sort();
    Ok(out)
}

/// The start of the minute a capture file holds (`yyyy/mm/dd/hh/mm.json`), in Unix ms.
fn file_minute(file: &str) -> Millis {
    NaiveDateTime::parse_from_str(
        &format!("{}:00", file.trim_end_matches(".json")),
        "%Y/%m/%d/%H/%M:%S",
    )
    .map(|t| t.and_utc().timestamp_millis())
    .unwrap_or(0)
}

/// Reads whole lines of `path` from `offset`, at most `max` lines and one chunk; `each` gets
/// each line's bytes. Returns the bytes consumed and whether the chunk reached the file's end
/// (what is left after the consumed bytes is then at most a line without its end).
fn read_lines(
    path: &Path,
    offset: u64,
    max: usize,
    mut each: impl FnMut(Vec<u8>),
) -> Result<(u64, bool), SinkError> {
    let mut file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((0, true)),
        Err(e) => return Err(SinkError::io("open", path)(e)),
    };
    let len = file.metadata().map_err(SinkError::io("stat", path))?.len();
    if len <= offset {
        return Ok((0, true));
    }
    file.seek(SeekFrom::Start(offset))
        .map_err(SinkError::io("seek in", path))?;
    let want = (len - offset).min(CHUNK);
    let mut buf = Vec::with_capacity(usize::try_from(want).unwrap_or(0));
    file.take(want)
        .read_to_end(&mut buf)
        .map_err(SinkError::io("read", path))?;
    let mut consumed = 0usize;
    let mut lines = 0usize;
    while lines < max {
        let Some(end) = buf[consumed..].iter().position(|b| *b == b'\n') else {
            break;
        };
        let line = &buf[consumed..consumed + end];
        if !line.is_empty() {
            each(line.to_vec());
            lines += 1;
        }
        consumed += end + 1;
    }
    Ok((consumed as u64, offset + want == len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minute_of_a_file() {
        assert_eq!(file_minute("2026/12/01/10/03.json"), 1_796_119_380_000);
        assert_eq!(file_minute("nonsense"), 0);
    }
}
