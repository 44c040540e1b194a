//! `playground-verify`: does a pipeline's output hold what it must? The answer keys
//! ([`playground_model::keys`]) say what each output of the Stream Analytics query contains
//! for the playground's settings and an event-time range; [`expected`] turns them into rows
//! as an output holds them, and [`compare`] sets the rows found against them, explaining
//! what it can: a producer's duplicate, a late event in a neighbouring window, a borderline
//! row the documentation leaves open. [`tables`] does the same for the silver tables, by
//! count and fingerprint.
//!
//! Reading the rows from a lake (Parquet as Stream Analytics writes it, Delta tables) and the
//! command-line binary come next (issue 16); this crate holds the comparison they will use.

pub mod compare;
pub mod expected;
pub mod tables;

pub use compare::{Example, OutputReport, compare};
pub use expected::{Columns, Expected, ExpectedRow, Spec, expected};
pub use tables::{TableReport, compare_table};
