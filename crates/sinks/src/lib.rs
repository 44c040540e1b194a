//! Where records go. One trait per kind of destination, one module per backend, and an enum
//! per kind that configuration picks:
//!
//! | kind | trait | embedded default |
//! |---|---|---|
//! | lake objects (JSON files) | [`lake::Lake`] | [`lake::local::LocalLake`], a directory |
//! | table rows | [`table::TableSink`] | [`table::sqlite::SqliteTables`], a SQLite file |
//! | events | [`events::EventSink`] | [`events::capture_files::CaptureFiles`], JSON lines laid out like Event Hubs Capture |
//!
//! Every write is safe to repeat, so a killed service can simply be started again: large
//! objects are staged in deterministic blocks and committed at the end (nobody sees half a
//! file), small objects replace whole, table rows are written in atomic chunks that a restart
//! finds and skips, and events are at-least-once with deterministic ids.

pub mod ca_certificates;
pub mod error;
pub mod events;
pub mod lake;
pub mod table;

pub use error::SinkError;
