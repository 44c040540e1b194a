//! Where records go. One trait per kind of destination, one module per backend, and an enum
//! per kind that configuration picks:
//!
//! | kind | trait | backend enum | chosen by | embedded default | other backends (cargo feature) |
//! |---|---|---|---|---|---|
//! | lake objects (JSON files) | [`lake::LakeSink`] | [`lake::LakeBackend`] | [`lake::LakeTarget`] | `lake::local::LocalLake`, a directory | blob container (`blob`) |
//! | table rows | [`table::TableSink`] | `table::TableBackend` | [`table::TableTarget`] | `table::sqlite::SqliteTables`, a SQLite file (`sqlite`) | SQL Server (`mssql`) |
//! | events | [`events::EventSink`] | [`events::EventBackend`] | [`events::EventTarget`] | `events::capture_files::CaptureFiles`, JSON lines laid out like Event Hubs Capture | Event Hubs (`eventhubs`) |
//!
//! A target is plain data naming the setting that chose it, so every error names the variable
//! a user would fix; which variable that is, and every check of a setting's value, belongs to
//! the runtime crate that reads the settings. This crate knows no variable names.
//!
//! Every write is safe to repeat, so a killed service can simply be started again: large
//! objects are staged in deterministic blocks and committed at the end (nobody sees half a
//! file), small objects replace whole, table rows are written in atomic chunks that a restart
//! finds and skips, and events are at-least-once with deterministic ids.

#[cfg(any(feature = "blob", feature = "mssql", feature = "eventhubs"))]
pub mod ca_certificates;
pub mod error;
pub mod events;
pub mod lake;
pub mod table;
#[cfg(any(feature = "blob", feature = "mssql", feature = "eventhubs"))]
pub mod tls;

pub use error::SinkError;
