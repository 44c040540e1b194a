//! Reading the event streams back, for the local processing half (`playground-analytics`): the
//! same two backends the streams write, capture files and Event Hubs, behind one trait, with a
//! position a reader saves and gives back to go on exactly where it stopped.

use std::collections::BTreeMap;
use std::future::Future;
use std::time::Duration;

use playground_model::Millis;
use serde::{Deserialize, Serialize};

use crate::SinkError;

/// One event read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadEvent {
    /// The partition it was read from; one user's events share one, in send order.
    pub partition: u32,
    /// When it arrived, as far as the backend knows: Event Hubs' enqueued time, or the
    /// start of a capture file's minute (files are laid out by send time).
    pub arrived: Millis,
    /// The JSON body, without a line end.
    pub body: Vec<u8>,
}

/// Where one partition has been read up to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mark {
    /// A capture file (relative to the partition's directory) and the bytes of it read.
    File {
        /// `yyyy/mm/dd/hh/mm.json`.
        file: String,
        /// Bytes read, always at a line end.
        offset: u64,
    },
    /// The sequence number of the last event read from an Event Hubs partition.
    Sequence(i64),
}

/// Where a reader has got to, per partition: save it with the output it produced, and open
/// the next reader at it, so that every event is read once across restarts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position(pub BTreeMap<u32, Mark>);

/// A stream being read.
pub trait EventSource: Send {
    /// Up to `max` events that arrived since the last call, in order within each partition.
    /// Waits up to `wait` when none are there yet; empty when none came.
    fn read(
        &mut self,
        max: usize,
        wait: Duration,
    ) -> impl Future<Output = Result<Vec<ReadEvent>, SinkError>> + Send;

    /// Where the events returned so far end.
    fn position(&self) -> Position;

    /// True once the last `read` found every partition at its end: everything written so far
    /// has been read (a process-and-exit run stops here).
    fn caught_up(&self) -> bool;

    /// Every partition known so far and whether the last `read` found it at its end. A
    /// consumer that keeps an event-time watermark per partition lets only partitions with
    /// more to read hold it back: one read stops at `max` inside a partition, and the
    /// partitions after it, not yet read, are not at their end.
    fn partitions(&self) -> BTreeMap<u32, bool>;

    /// What is read, for logs (never contains a secret).
    fn describe(&self) -> String;
}
