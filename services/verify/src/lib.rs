//! `playground-verify`: does a pipeline's output hold what it must? The answer keys
//! ([`playground_model::keys`]) say what each output of the Stream Analytics query contains
//! for the playground's settings and an event-time range; [`expected`] turns them into rows
//! as an output holds them, and [`compare`] sets the rows found against them, explaining
//! what it can: a producer's duplicate, a late event in a neighbouring window, a borderline
//! row the documentation leaves open. [`tables`] does the same for the silver tables, by
//! count and fingerprint.
//!
//! [`lake`] finds the outputs where Terraform's job and the silver notebook write them and
//! reads them ([`parquet_rows`], [`delta`]); [`range`] chooses the event-time range they
//! fully cover; [`check`] puts it together and [`report`] prints it.

pub mod check;
pub mod compare;
pub mod config;
pub mod delta;
pub mod expected;
pub mod lake;
pub mod parquet_rows;
pub mod range;
pub mod report;
pub mod tables;

pub use compare::{Example, OutputReport, compare};
pub use expected::{Columns, Expected, ExpectedRow, Spec, expected};
pub use tables::{TableReport, compare_table};
