//! Writing slices to the lake as Parquet, where the Azure job writes each output
//! (`{container}/{path}/{yyyy}/{MM}/{dd}/{HH}/`), under names that depend only on the slice,
//! so that computing a slice again replaces its file and never adds one.

use bytes::Bytes;
use chrono::DateTime;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use playground_sinks::SinkError;
use playground_sinks::lake::{LakeBackend, LakeSink, LakeTarget};

use crate::engine::Slice;

/// Why a slice could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// Encoding failed.
    #[error("encoding {path} as Parquet: {source}")]
    Parquet {
        /// The object.
        path: String,
        /// Why.
        #[source]
        source: parquet::errors::ParquetError,
    },
    /// The lake refused.
    #[error(transparent)]
    Lake(#[from] SinkError),
}

/// The lake's two containers the job writes.
#[derive(Debug)]
pub struct Outputs {
    bronze: LakeBackend,
    silver: LakeBackend,
}

impl Outputs {
    /// Opens `bronze` and `silver` of the lake (creating them when missing).
    pub async fn open(target: &LakeTarget) -> Result<Outputs, SinkError> {
        Ok(Outputs {
            bronze: LakeBackend::open_container(target, "bronze").await?,
            silver: LakeBackend::open_container(target, "silver").await?,
        })
    }

    /// Writes one slice; returns its path (`container/...`).
    pub async fn write(&self, slice: &Slice) -> Result<String, WriteError> {
        let (container, path) = slice.output.location();
        let name = object_name(path, slice.start);
        let bytes = parquet_bytes(slice).map_err(|source| WriteError::Parquet {
            path: name.clone(),
            source,
        })?;
        let lake = if container == "bronze" {
            &self.bronze
        } else {
            &self.silver
        };
        lake.put(&name, bytes).await?;
        Ok(format!("{container}/{name}"))
    }
}

/// `{path}/{yyyy}/{MM}/{dd}/{HH}/{yyyyMMddTHHmm}.parquet` for the slice starting at `start`.
pub fn object_name(path: &str, start: i64) -> String {
    let at = DateTime::from_timestamp_millis(start).unwrap_or_default();
    format!(
        "{path}/{}/{}.parquet",
        at.format("%Y/%m/%d/%H"),
        at.format("%Y%m%dT%H%M")
    )
}

fn parquet_bytes(slice: &Slice) -> Result<Bytes, parquet::errors::ParquetError> {
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let mut buf = Vec::new();
    let mut writer = ArrowWriter::try_new(&mut buf, slice.rows.schema(), Some(props))?;
    writer.write(&slice.rows)?;
    writer.close()?;
    Ok(Bytes::from(buf))
}
