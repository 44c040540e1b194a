//! `playground-analytics query "SQL"`: a look at what the job wrote, on any machine, with no
//! other tool. Every output folder of the lake becomes a table named like the output with `_`
//! for `-` (`silver_http_methods`), read through the same lake settings as the job.

use std::sync::Arc;

use arrow::array::{RecordBatch, RecordBatchReader};
use datafusion::datasource::MemTable;
use datafusion::prelude::SessionContext;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use playground_sinks::lake::{LakeBackend, LakeReader, LakeTarget};

use crate::outputs::Output;

/// Why a query failed.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// The lake failed.
    #[error(transparent)]
    Lake(#[from] playground_sinks::SinkError),
    /// A file is not Parquet.
    #[error("{path}: {source}")]
    Parquet {
        /// The object.
        path: String,
        /// Why.
        #[source]
        source: parquet::errors::ParquetError,
    },
    /// The SQL failed.
    #[error(transparent)]
    Sql(#[from] datafusion::error::DataFusionError),
    /// Arrow failed.
    #[error(transparent)]
    Arrow(#[from] arrow::error::ArrowError),
}

/// The table name of an output.
pub fn table_name(output: Output) -> String {
    output.name().replace('-', "_")
}

/// Runs `sql` over the outputs in the lake; returns the result as a text table.
pub async fn query(lake: &LakeTarget, sql: &str) -> Result<String, QueryError> {
    let ctx = SessionContext::new();
    for output in Output::ALL {
        let (container, path) = output.location();
        let store = LakeBackend::open_for_reading(lake, container).await?;
        let mut batches: Vec<RecordBatch> = Vec::new();
        let mut schema = None;
        for (name, _) in store.walk(path).await? {
            if !name.ends_with(".parquet") {
                continue;
            }
            let full = format!("{path}/{name}");
            let bytes = store.get(&full).await?;
            let fail = |source| QueryError::Parquet {
                path: format!("{container}/{full}"),
                source,
            };
            let reader = ParquetRecordBatchReaderBuilder::try_new(bytes)
                .map_err(fail)?
                .build()
                .map_err(fail)?;
            schema.get_or_insert(reader.schema());
            for batch in reader {
                batches.push(batch?);
            }
        }
        if let Some(schema) = schema {
            let table = MemTable::try_new(schema, vec![batches])?;
            ctx.register_table(table_name(output), Arc::new(table))?;
        }
    }
    let result = ctx.sql(sql).await?.collect().await?;
    Ok(arrow::util::pretty::pretty_format_batches(&result)?.to_string())
}
