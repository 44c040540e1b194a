//! Which backend each kind of sink uses, from the environment: the one place that decides,
//! so the six services cannot drift apart. With nothing set, everything goes under
//! `./playground-data/`.

use std::path::PathBuf;

use playground_sinks::SinkError;
use playground_sinks::events::{EventsBackend, EventsTarget};
use playground_sinks::lake::{LakeSink, LakeTarget};
use playground_sinks::table::{TableBackend, TableTarget};
use serde::Deserialize;

use crate::settings::{ConfigError, Setting, from_iter};

/// Default root of the embedded backends.
pub const DEFAULT_DATA: &str = "playground-data";

/// Settings of the embedded root, shared by every sink kind.
pub const DATA_SETTINGS: &[Setting] = &[Setting {
    name: "PLAYGROUND_DATA",
    default: DEFAULT_DATA,
    help: "Root directory of the embedded backends: lake/, orders.sqlite, events/.",
}];

/// Settings of the events backend.
pub const EVENTS_SETTINGS: &[Setting] = &[Setting {
    name: "EVENTS_PARTITIONS",
    default: "4",
    help: "Partitions of each hub's capture files (events are spread by user id).",
}];

#[derive(Debug, Deserialize)]
struct DataVars {
    playground_data: Option<PathBuf>,
}

#[derive(Debug, Deserialize)]
struct EventsVars {
    events_partitions: Option<u32>,
}

/// A snapshot of the environment.
pub type Vars = Vec<(String, String)>;

fn data_root(vars: &Vars) -> Result<PathBuf, ConfigError> {
    let v: DataVars = from_iter(vars.clone())?;
    Ok(v.playground_data.unwrap_or_else(|| PathBuf::from(DEFAULT_DATA)))
}

/// The lake: `{PLAYGROUND_DATA}/lake`.
pub fn lake(vars: &Vars) -> Result<LakeTarget, ConfigError> {
    Ok(LakeTarget::Local {
        root: data_root(vars)?.join("lake"),
    })
}

/// The tables: `{PLAYGROUND_DATA}/orders.sqlite`.
pub fn table(vars: &Vars) -> Result<TableTarget, ConfigError> {
    Ok(TableTarget::Sqlite {
        path: data_root(vars)?.join("orders.sqlite"),
    })
}

/// The events: `{PLAYGROUND_DATA}/events/{hub}/...`.
pub fn events(vars: &Vars) -> Result<EventsTarget, ConfigError> {
    let e: EventsVars = from_iter(vars.clone())?;
    let partitions = e.events_partitions.unwrap_or(4);
    if !(1..=1024).contains(&partitions) {
        return Err(ConfigError::new(
            "EVENTS_PARTITIONS",
            format!("{partitions} is out of range 1..=1024"),
        ));
    }
    Ok(EventsTarget::CaptureFiles {
        root: data_root(vars)?.join("events"),
        partitions,
    })
}

/// Opens the configured lake with objects in `container`.
pub async fn open_lake(vars: &Vars, container: &str) -> Result<LakeSink, ConfigError> {
    LakeSink::open(&lake(vars)?, container).await.map_err(open_error)
}

/// Opens the configured tables.
pub async fn open_table(vars: &Vars) -> Result<TableBackend, ConfigError> {
    TableBackend::open(&table(vars)?).await.map_err(open_error)
}

/// Opens the configured events backend for `hub`.
pub async fn open_events(vars: &Vars, hub: &str) -> Result<EventsBackend, ConfigError> {
    EventsBackend::open(&events(vars)?, hub).await.map_err(open_error)
}

/// Turns a failure to open a sink into the configuration error a user can act on: which
/// variable chose the destination and why it cannot be used.
pub fn open_error(err: SinkError) -> ConfigError {
    match err {
        SinkError::Config { setting, message } => ConfigError::new(setting, message),
        other => ConfigError::new("PLAYGROUND_DATA", format!("cannot use the destination: {other}")),
    }
}
