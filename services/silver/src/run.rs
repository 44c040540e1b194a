//! One run of the pipeline Data Factory runs every hour: the copy, then the notebook.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use datafusion::datasource::file_format::json::JsonFormat;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl};
use datafusion::execution::disk_manager::{DiskManagerBuilder, DiskManagerMode};
use datafusion::execution::memory_pool::FairSpillPool;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::execution::session_state::SessionStateBuilder;
use datafusion::prelude::{SessionConfig, SessionContext};
use deltalake::DeltaTable;
use deltalake::delta_datafusion::planner::DeltaPlanner;
use deltalake::kernel::transaction::CommitProperties;
use deltalake::operations::write::SchemaMode;
use deltalake::protocol::SaveMode;
use playground_sinks::SinkError;
use playground_sinks::lake::LakeTarget;
use playground_sinks::table::TableTarget;
use playground_sinks::table::mssql::MssqlTables;

use crate::config::Config;
use crate::copy::{Copied, CopyError, From, copy};
use crate::store::{Lake, StoreError};
use crate::tables::{Container, Format, Source, Table};

/// Why a run failed.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A setting cannot be used.
    #[error("{variable}: {message}")]
    Setting {
        /// The variable.
        variable: &'static str,
        /// Why.
        message: String,
    },
    /// The lake.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The copy.
    #[error(transparent)]
    Copy(#[from] CopyError),
    /// A query.
    #[error("table {table}: {source}")]
    Query {
        /// The silver table.
        table: &'static str,
        /// Why.
        #[source]
        source: datafusion::error::DataFusionError,
    },
    /// Writing a Delta table.
    #[error("table {table} (silver/tables/{table}): {source}")]
    Delta {
        /// The silver table.
        table: &'static str,
        /// Why.
        #[source]
        source: deltalake::DeltaTableError,
    },
}

/// What a run wrote.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Rows copied per table.
    pub copied: Vec<(&'static str, u64)>,
    /// The Delta version written per silver table.
    pub versions: Vec<(&'static str, u64)>,
}

/// A DataFusion session whose memory is capped at the setting: sorts and aggregations beyond
/// it spill to temporary files rather than grow.
pub fn session(cfg: &Config) -> Result<SessionContext, datafusion::error::DataFusionError> {
    let bytes = cfg.memory_mb * 1024 * 1024;
    let runtime = RuntimeEnvBuilder::new()
        .with_memory_pool(Arc::new(FairSpillPool::new(bytes)))
        .with_disk_manager_builder(DiskManagerBuilder::default().with_mode(DiskManagerMode::OsTmpDirectory))
        .build_arc()?;
    let mut config = SessionConfig::new()
        .with_target_partitions(cfg.partitions)
        .with_batch_size(8192);
    // Stream Analytics writes bronze into {date}/{time} folders, which are not `key=value`
    // partitions: read every file below a source's folder, as Spark does.
    config.options_mut().execution.listing_table_ignore_subdirectory = false;
    // delta-rs' writer plans its own nodes (metrics, the write itself): its planner has to
    // be the session's.
    let state = SessionStateBuilder::new()
        .with_default_features()
        .with_config(config)
        .with_runtime_env(runtime)
        .with_query_planner(DeltaPlanner::new())
        .build();
    Ok(SessionContext::new_with_state(state))
}

/// Registers every bronze source of the notebook in `ctx`.
pub async fn register_sources(ctx: &SessionContext, lake: &Lake) -> Result<(), RunError> {
    lake.register(ctx, &[lake.bronze(), "silver"])?;
    for source in Source::ALL {
        let container = match source.container {
            Container::Bronze => lake.bronze().to_owned(),
            Container::Silver => "silver".to_owned(),
        };
        let err = |source_err| RunError::Query {
            table: source.name,
            source: source_err,
        };
        let (folder, glob) = match source.path.rsplit_once('/') {
            Some((dir, file)) if !file.is_empty() => (format!("{dir}/"), Some(file)),
            _ => (source.path.to_owned(), None),
        };
        let url = lake.url(&container, &folder);
        let glob = glob
            .map(|g| {
                glob::Pattern::new(g).map_err(|e| RunError::Query {
                    table: source.name,
                    source: datafusion::error::DataFusionError::External(Box::new(e)),
                })
            })
            .transpose()?;
        let table_url = ListingTableUrl::try_new(url, glob).map_err(err)?;
        let options = match source.format {
            Format::Json => ListingOptions::new(Arc::new(JsonFormat::default())).with_file_extension(".json"),
            Format::Parquet => {
                ListingOptions::new(Arc::new(ParquetFormat::default())).with_file_extension(".parquet")
            }
        };
        let config = ListingTableConfig::new(table_url)
            .with_listing_options(options)
            .with_schema(source.schema());
        let table = ListingTable::try_new(config).map_err(err)?;
        ctx.register_table(source.name, Arc::new(table)).map_err(err)?;
    }
    Ok(())
}

/// Copies orders and items to bronze, then writes every silver table.
pub async fn run(cfg: &Config, lake_target: &LakeTarget, tables: &TableTarget) -> Result<Summary, RunError> {
    let lake = Lake::new(lake_target)?;
    let mut summary = Summary::default();
    if cfg.copy {
        let (_, store) = lake.store(lake.bronze())?;
        let prefix = lake.object_prefix(lake.bronze());
        let from = match tables {
            TableTarget::Sqlite { path, .. } => From::Sqlite(path.clone()),
            // Opening proves the address and the login, or names the setting that is wrong.
            TableTarget::Mssql(m) => From::Mssql(MssqlTables::open(m).await.map_err(|e| match e {
                SinkError::Config { setting, message } => RunError::Setting {
                    variable: setting,
                    message,
                },
                other => RunError::Copy(CopyError::Read {
                    table: "orders",
                    message: other.to_string(),
                }),
            })?),
        };
        for table in Copied::ALL {
            let rows = copy(&from, table, store.clone(), &prefix, cfg.batch_rows).await?;
            summary.copied.push((table.name(), rows));
        }
    }
    let ctx = session(cfg).map_err(|source| RunError::Query {
        table: "session",
        source,
    })?;
    register_sources(&ctx, &lake).await?;
    for table in Table::ALL {
        let started = Instant::now();
        let q = |source| RunError::Query {
            table: table.name,
            source,
        };
        let delta = |source| RunError::Delta {
            table: table.name,
            source,
        };
        let plan = ctx.sql(table.sql).await.map_err(q)?.into_unoptimized_plan();
        let folder = format!("tables/{}", table.name);
        if let Some(dir) = lake.local_dir("silver", &folder) {
            std::fs::create_dir_all(&dir).map_err(|e| StoreError::Setting {
                setting: lake.setting,
                message: format!("cannot create {}: {e}", dir.display()),
            })?;
        }
        let url = lake.url("silver", &folder);
        let target = DeltaTable::try_from_url_with_storage_options(url.clone(), lake.options())
            .await
            .map_err(delta)?;
        let mut write = target
            .write(Vec::new())
            .with_input_plan(plan)
            .with_session_state(Arc::new(ctx.state()))
            .with_save_mode(SaveMode::Overwrite)
            .with_schema_mode(SchemaMode::Overwrite)
            .with_table_name(table.name)
            .with_commit_properties(CommitProperties::default().with_metadata(HashMap::from([(
                "writer".to_owned(),
                serde_json::Value::from("playground-silver"),
            )])));
        if let Some(p) = table.partition {
            write = write.with_partition_columns([p]);
        }
        let written = write.await.map_err(delta)?;
        let version = written.version().unwrap_or_default();
        tracing::info!(
            table = table.name,
            version,
            files = written.get_file_uris().map(|f| f.count()).unwrap_or(0),
            seconds = started.elapsed().as_secs_f64(),
            "silver table written"
        );
        summary.versions.push((table.name, version));
        if table.name == "users" {
            // latency_alerts_users joins the users just written, as the notebook joins its
            // users DataFrame.
            let provider = written.table_provider().await.map_err(q)?;
            ctx.register_table("silver_users", provider).map_err(q)?;
        }
    }
    Ok(summary)
}
