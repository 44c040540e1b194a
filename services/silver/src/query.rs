//! `playground-silver query "SQL"`: a look at the silver tables on any machine, with no other
//! tool. Each table present is registered under its name.

use datafusion::prelude::SessionContext;
use deltalake::DeltaTable;
use playground_sinks::lake::LakeTarget;

use crate::store::{Lake, StoreError};
use crate::tables::Table;

/// Why a query failed.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// The lake.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The SQL failed.
    #[error(transparent)]
    Sql(#[from] datafusion::error::DataFusionError),
    /// A table could not be opened.
    #[error(transparent)]
    Delta(#[from] deltalake::DeltaTableError),
    /// Formatting failed.
    #[error(transparent)]
    Arrow(#[from] arrow::error::ArrowError),
}

/// Runs `sql` over the silver tables in the lake; returns the result as a text table.
pub async fn query(target: &LakeTarget, sql: &str) -> Result<String, QueryError> {
    let lake = Lake::new(target)?;
    let ctx = SessionContext::new();
    lake.register(&ctx, &["silver"])?;
    for table in Table::ALL {
        let folder = format!("tables/{}", table.name);
        if lake.local_dir("silver", &folder).is_some_and(|dir| !dir.exists()) {
            continue; // not written yet
        }
        let url = lake.url("silver", &folder);
        let delta = DeltaTable::try_from_url_with_storage_options(url, lake.options()).await?;
        if delta.version().is_some() {
            ctx.register_table(table.name, delta.table_provider().await?)?;
        }
    }
    let result = ctx.sql(sql).await?.collect().await?;
    Ok(arrow::util::pretty::pretty_format_batches(&result)?.to_string())
}
