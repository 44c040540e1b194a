//! `playground-analytics`: the Stream Analytics job of the playground, locally.
//!
//! It reads pageviews and stars as the stream services write them, computes every output of
//! `terraform/modules/stream_analytics/query.asaql` in SQL on DataFusion ([`outputs`]), in
//! event time with the job's out-of-order tolerance ([`engine`]), writes them as Parquet where
//! the Azure job writes them ([`write`]), and keeps a checkpoint to go on from after a
//! restart ([`checkpoint`]). It computes only from what it reads: it does not depend on the
//! model crate, whose answer keys check it.

pub mod checkpoint;
pub mod config;
pub mod engine;
pub mod input;
pub mod outputs;
pub mod query;
pub mod run;
pub mod write;
