//! `playground-silver`: Data Factory's copy and the Databricks silver notebook, locally.
//!
//! [`copy`] streams orders and items from the table store to bronze as Parquet; [`tables`]
//! holds the notebook's tables as SQL; [`run`] executes them on DataFusion with a memory cap
//! and writes each with delta-rs, overwriting, so a second run leaves the same tables. Like
//! the analytics job it computes only from what it reads: no dependency on the model crate,
//! whose answer keys check it.

pub mod config;
pub mod copy;
pub mod query;
pub mod run;
pub mod store;
pub mod tables;
