//! The job's checkpoint: where each stream was read up to and the state that goes with it,
//! saved together so that a restart reads every event once.
//!
//! `checkpoint.json` names a generation; its tables are `state-{generation}-{table}.arrow`
//! (Arrow IPC). A save writes the new generation's tables, syncs them, then replaces
//! `checkpoint.json` (written aside, synced, renamed), and only then removes the old tables:
//! a kill at any point leaves the old checkpoint or the new one, whole.
//!
//! Slices written after the checkpoint are computed again after a restart and their files
//! replaced by the same content (see [`crate::engine`]).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;
use arrow::ipc::reader::FileReader;
use arrow::ipc::writer::FileWriter;
use playground_sinks::events::Position;
use serde::{Deserialize, Serialize};

use crate::engine::{Marks, State, seen_schema};
use crate::input::Stream;

const MANIFEST: &str = "checkpoint.json";
const VERSION: u32 = 1;

/// What the outputs depend on besides the events: a checkpoint made with other values cannot
/// be continued (half the windows would follow one threshold and half another).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    /// `HIGH_LATENCY_MS`.
    pub high_latency_ms: u32,
    /// `OUT_OF_ORDER_SECONDS`, in milliseconds.
    pub tolerance_ms: i64,
}

#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    version: u32,
    generation: u64,
    settings: Fingerprint,
    positions: BTreeMap<Stream, Position>,
    marks: Marks,
}

/// Why the checkpoint could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    /// File system.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Not a checkpoint of this version.
    #[error("{path}: not a checkpoint this job can read: {message}")]
    Bad {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> CheckpointError + '_ {
    move |source| CheckpointError::Io {
        path: path.to_owned(),
        source,
    }
}

fn bad(path: &Path, message: impl ToString) -> CheckpointError {
    CheckpointError::Bad {
        path: path.to_owned(),
        message: message.to_string(),
    }
}

/// A checkpoint read back.
#[derive(Debug)]
pub struct Restored {
    /// The settings it was made with.
    pub settings: Fingerprint,
    /// Where each stream goes on.
    pub positions: BTreeMap<Stream, Position>,
    /// The state.
    pub state: State,
}

/// The checkpoint directory.
#[derive(Debug)]
pub struct Checkpoints {
    dir: PathBuf,
    generation: u64,
}

impl Checkpoints {
    /// Opens (creating) `dir` and reads its checkpoint, if there is one.
    pub fn open(dir: PathBuf) -> Result<(Checkpoints, Option<Restored>), CheckpointError> {
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        let path = dir.join(MANIFEST);
        let text = match std::fs::read(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok((Checkpoints { dir, generation: 0 }, None));
            }
            Err(e) => return Err(io(&path)(e)),
        };
        let manifest: Manifest = serde_json::from_slice(&text).map_err(|e| bad(&path, e))?;
        if manifest.version != VERSION {
            return Err(bad(
                &path,
                format!("version {}, expected {VERSION}", manifest.version),
            ));
        }
        let mut events = BTreeMap::new();
        for stream in Stream::ALL {
            let file = table_file(&dir, manifest.generation, stream.table());
            events.insert(stream, read_table(&file, &stream.schema())?);
        }
        let seen = read_table(&table_file(&dir, manifest.generation, "seen"), &seen_schema())?;
        let restored = Restored {
            settings: manifest.settings,
            positions: manifest.positions,
            state: State {
                marks: manifest.marks,
                events,
                seen,
            },
        };
        Ok((
            Checkpoints {
                dir,
                generation: manifest.generation,
            },
            Some(restored),
        ))
    }

    /// Saves `state` with the positions it was read up to.
    pub fn save(
        &mut self,
        settings: &Fingerprint,
        positions: BTreeMap<Stream, Position>,
        state: &State,
    ) -> Result<(), CheckpointError> {
        let generation = self.generation + 1;
        for stream in Stream::ALL {
            let batches = state.events.get(&stream).map(Vec::as_slice).unwrap_or_default();
            write_table(
                &table_file(&self.dir, generation, stream.table()),
                &stream.schema(),
                batches,
            )?;
        }
        write_table(
            &table_file(&self.dir, generation, "seen"),
            &seen_schema(),
            &state.seen,
        )?;
        let manifest = Manifest {
            version: VERSION,
            generation,
            settings: settings.clone(),
            positions,
            marks: state.marks.clone(),
        };
        let path = self.dir.join(MANIFEST);
        let json = serde_json::to_vec_pretty(&manifest).map_err(|e| bad(&path, e))?;
        write_synced(&path, |f| f.write_all(&json))?;
        File::open(&self.dir)
            .and_then(|d| d.sync_all())
            .map_err(io(&self.dir))?;
        let old = self.generation;
        self.generation = generation;
        if old > 0 {
            for table in ["pv", "st", "seen"] {
                let _ = std::fs::remove_file(table_file(&self.dir, old, table));
            }
        }
        Ok(())
    }
}

fn table_file(dir: &Path, generation: u64, table: &str) -> PathBuf {
    dir.join(format!("state-{generation}-{table}.arrow"))
}

/// Writes `path` through a temporary file that is synced and renamed into place.
fn write_synced(
    path: &Path,
    body: impl FnOnce(&mut File) -> std::io::Result<()>,
) -> Result<(), CheckpointError> {
    let tmp = path.with_extension("tmp");
    let mut f = File::create(&tmp).map_err(io(&tmp))?;
    body(&mut f).map_err(io(&tmp))?;
    f.sync_all().map_err(io(&tmp))?;
    std::fs::rename(&tmp, path).map_err(io(path))
}

fn write_table(path: &Path, schema: &SchemaRef, batches: &[RecordBatch]) -> Result<(), CheckpointError> {
    let mut failure = None;
    write_synced(path, |f| {
        let result = (|| {
            let mut w = FileWriter::try_new(&mut *f, schema)?;
            for b in batches {
                w.write(b)?;
            }
            w.finish()
        })();
        if let Err(e) = result {
            failure = Some(e.to_string());
        }
        Ok(())
    })?;
    match failure {
        Some(message) => Err(bad(path, message)),
        None => Ok(()),
    }
}

fn read_table(path: &Path, schema: &SchemaRef) -> Result<Vec<RecordBatch>, CheckpointError> {
    let file = File::open(path).map_err(io(path))?;
    let reader = FileReader::try_new(file, None).map_err(|e| bad(path, e))?;
    if reader.schema().fields() != schema.fields() {
        return Err(bad(path, "its columns are not this job's"));
    }
    reader.collect::<Result<Vec<_>, _>>().map_err(|e| bad(path, e))
}
