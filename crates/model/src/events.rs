//! The two event streams' records and the emitter that plays the timeline in send order.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::fmt;

use serde::{Serialize, Serializer};

use crate::timeline::{MAX_DWELL, MAX_RATING_DELAY, Millis, Session, Timeline};
use crate::web::USER_AGENTS;

/// An instant serialised as RFC 3339 UTC with milliseconds (`2026-11-25T10:00:00.123Z`), the
/// form Stream Analytics and Spark parse without a format string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct EventTime(pub Millis);

impl fmt::Display for EventTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match chrono::DateTime::from_timestamp_millis(self.0) {
            Some(t) => write!(f, "{}", t.format("%Y-%m-%dT%H:%M:%S%.3fZ")),
            None => write!(f, "{}", self.0),
        }
    }
}

impl Serialize for EventTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// One pageview event. Field names are what the downstream jobs read; never rename them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pageview {
    /// The session's user.
    pub user_id: u64,
    /// Mostly GET.
    pub http_method: &'static str,
    /// A page of an existing product.
    pub uri: String,
    /// Absent in about 1% of events, as in real logs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_ip: Option<String>,
    /// The session's browser.
    pub user_agent: &'static str,
    /// Milliseconds.
    pub latency: u32,
    /// When it happened (may lag the send time when late events are on).
    pub event_time: EventTime,
    /// Deterministic and unique: consumers drop duplicates by it.
    pub event_id: String,
    /// The session the view belongs to.
    pub session_id: String,
}

/// One rating event, given by the user of a session shortly after its last pageview.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Star {
    /// The session's user.
    pub user_id: u64,
    /// 1..=5.
    pub stars: u8,
    /// When it happened.
    pub event_time: EventTime,
    /// Deterministic and unique.
    pub event_id: String,
    /// The session rated.
    pub session_id: String,
}

/// What every event carries for its transport: a deterministic id (consumers drop duplicates
/// by it) and the user, which is the partition key (one user's events stay in order).
pub trait Identified {
    /// The event's id, unique within its stream.
    fn event_id(&self) -> &str;
    /// The user the event belongs to.
    fn user_id(&self) -> u64;
}

impl Identified for Pageview {
    fn event_id(&self) -> &str {
        &self.event_id
    }
    fn user_id(&self) -> u64 {
        self.user_id
    }
}

impl Identified for Star {
    fn event_id(&self) -> &str {
        &self.event_id
    }
    fn user_id(&self) -> u64 {
        self.user_id
    }
}

/// What one stream takes from a session: which of its events exist and what they look like.
pub trait EventKind {
    /// The record sent.
    type Event: Identified + serde::Serialize;
    /// Tag mixed into delivery decisions and ids.
    const TAG: u64;
    /// The first event of `session`: `(time, k)`.
    fn first(timeline: &Timeline, session: &Session) -> Option<(Millis, u32)>;
    /// The event after number `k`.
    fn after(timeline: &Timeline, session: &Session, k: u32) -> Option<(Millis, u32)>;
    /// Event `k` of `session` with its event time lagging by `lag` ms.
    fn build(timeline: &Timeline, session: &Session, k: u32, lag: Millis) -> Self::Event;
}

/// Selects the pageviews of the timeline.
#[derive(Debug)]
pub enum Pageviews {}

/// Selects the star ratings of the timeline.
#[derive(Debug)]
pub enum Stars {}

fn session_id(s: &Session) -> String {
    format!("{}-{}", s.second, s.index)
}

impl EventKind for Pageviews {
    type Event = Pageview;
    const TAG: u64 = 1;
    fn first(timeline: &Timeline, session: &Session) -> Option<(Millis, u32)> {
        Some((timeline.view_time(session, 0), 0))
    }
    fn after(timeline: &Timeline, session: &Session, k: u32) -> Option<(Millis, u32)> {
        (k + 1 < session.views).then(|| (timeline.view_time(session, k + 1), k + 1))
    }
    fn build(timeline: &Timeline, session: &Session, k: u32, lag: Millis) -> Pageview {
        let v = timeline.view(session, k);
        Pageview {
            user_id: session.user_id,
            http_method: v.http_method,
            uri: v.uri,
            client_ip: session
                .client_ip
                .map(|ip| std::net::Ipv4Addr::from(ip).to_string()),
            user_agent: USER_AGENTS[session.user_agent as usize % USER_AGENTS.len()].0,
            latency: v.latency,
            event_time: EventTime(v.time - lag),
            event_id: format!("pv-{}-{}-{}", session.second, session.index, k),
            session_id: session_id(session),
        }
    }
}

impl EventKind for Stars {
    type Event = Star;
    const TAG: u64 = 2;
    fn first(timeline: &Timeline, session: &Session) -> Option<(Millis, u32)> {
        timeline.rating_time(session).map(|(_, t)| (t, 0))
    }
    fn after(_: &Timeline, _: &Session, _: u32) -> Option<(Millis, u32)> {
        None
    }
    fn build(timeline: &Timeline, session: &Session, _k: u32, lag: Millis) -> Star {
        let (stars, time) = timeline.rating_time(session).unwrap_or((0, session.start));
        Star {
            user_id: session.user_id,
            stars,
            event_time: EventTime(time - lag),
            event_id: format!("st-{}-{}", session.second, session.index),
            session_id: session_id(session),
        }
    }
}

/// How far before its start a stream looks for sessions still in progress: the longest
/// session (30 views, each up to [`MAX_DWELL`] apart) plus the longest wait for a rating.
pub const LOOKBACK_SECONDS: i64 = (30 * MAX_DWELL + MAX_RATING_DELAY) / 1000 + 1;

/// An event with the moment it is due to be sent.
#[derive(Debug, Clone, PartialEq)]
pub struct Emitted<E> {
    /// When the event is due (its nominal time); the emitter yields in this order.
    pub send_at: Millis,
    /// True for the second send of a duplicated event.
    pub duplicate: bool,
    /// True for both sends of a duplicated event (the second comes right after the first).
    pub sent_twice: bool,
    /// The record.
    pub event: E,
}

#[derive(Debug)]
struct Pending {
    at: Millis,
    k: u32,
    duplicate: bool,
    session: Session,
}

impl Pending {
    fn key(&self) -> (Millis, i64, u32, u32, bool) {
        (
            self.at,
            self.session.second,
            self.session.index,
            self.k,
            self.duplicate,
        )
    }
}

impl PartialEq for Pending {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}
impl Eq for Pending {}
impl PartialOrd for Pending {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Pending {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(&other.key())
    }
}

/// Plays one stream of the timeline in send order: every event due at or after
/// `start_second`, including those of sessions already in progress then, so the stream is in
/// its steady state from the first second. Memory is one small entry per session in progress,
/// whatever the rate.
///
/// Yields exactly the same events, in the same order, whether it is drained in one call or
/// in many small steps: the events sent in `[start, until)` are a pure function of the
/// configuration and the two instants.
#[derive(Debug)]
pub struct EventStream<K: EventKind> {
    timeline: Timeline,
    /// `start_second` in milliseconds: the look-back buckets keep events due from here.
    start: Millis,
    next_second: i64,
    heap: BinaryHeap<Reverse<Pending>>,
    kind: std::marker::PhantomData<K>,
}

impl<K: EventKind> EventStream<K> {
    /// The stream of events due at or after `start_second`.
    pub fn new(timeline: Timeline, start_second: i64) -> Self {
        let mut s = Self::unopened(timeline, start_second);
        s.open_buckets_from(s.start);
        s
    }

    /// The same stream with its look-back window not yet read: opening it costs one session
    /// draw per session of the [`LOOKBACK_SECONDS`] before the start (seconds at high rates).
    /// [`EventStream::warm_up`] does it in steps, so a caller can stop in between; the first
    /// [`EventStream::next_before`] finishes it otherwise. Yields the same events as `new`.
    pub fn unopened(timeline: Timeline, start_second: i64) -> Self {
        Self::unopened_at(timeline, start_second * 1000)
    }

    /// The stream of events due at or after the instant `start` (any millisecond: a replay
    /// of a range starts where the range does), look-back window not yet read.
    pub fn unopened_at(timeline: Timeline, start: Millis) -> Self {
        EventStream {
            timeline,
            start,
            next_second: start.div_euclid(1000) - LOOKBACK_SECONDS,
            heap: BinaryHeap::new(),
            kind: std::marker::PhantomData,
        }
    }

    /// Opens up to `seconds` seconds of the look-back window; true when it is all open.
    pub fn warm_up(&mut self, seconds: u32) -> bool {
        for _ in 0..seconds {
            if self.next_second * 1000 >= self.start {
                break;
            }
            self.open_bucket(self.start);
        }
        self.next_second * 1000 >= self.start
    }

    /// The timeline played.
    pub fn timeline(&self) -> &Timeline {
        &self.timeline
    }

    /// Sessions in progress (the emitter's memory, in entries).
    pub fn pending(&self) -> usize {
        self.heap.len()
    }

    /// First second whose sessions have not been started yet.
    pub fn next_second(&self) -> i64 {
        self.next_second
    }

    /// When the next event is due, as far as known: no event before it exists.
    pub fn next_due(&self) -> Millis {
        let next_bucket = self.next_second * 1000;
        self.heap.peek().map_or(next_bucket, |p| p.0.at.min(next_bucket))
    }

    fn open_buckets_before(&mut self, until: Millis) {
        while self.next_second * 1000 < until {
            self.open_bucket(Millis::MIN);
        }
    }

    /// Opens the buckets of the look-back window, keeping only events due at or after
    /// `start` (sessions over by then cost one session draw each).
    fn open_buckets_from(&mut self, start: Millis) {
        while self.next_second * 1000 < start {
            self.open_bucket(start);
        }
    }

    fn open_bucket(&mut self, not_before: Millis) {
        let second = self.next_second;
        for index in 0..self.timeline.sessions_in(second) {
            let session = self.timeline.session(second, index);
            if session.start + session.duration + MAX_RATING_DELAY < not_before {
                continue;
            }
            let mut next = K::first(&self.timeline, &session);
            while let Some((at, k)) = next {
                if at >= not_before {
                    break;
                }
                next = K::after(&self.timeline, &session, k);
            }
            if let Some((at, k)) = next {
                self.heap.push(Reverse(Pending {
                    at,
                    k,
                    duplicate: false,
                    session,
                }));
            }
        }
        self.next_second += 1;
    }

    /// The next event due strictly before `until`, or `None` when the next one is later.
    pub fn next_before(&mut self, until: Millis) -> Option<Emitted<K::Event>> {
        self.open_buckets_from(self.start);
        self.open_buckets_before(until);
        if self.heap.peek()?.0.at >= until {
            return None;
        }
        let Reverse(p) = self.heap.pop()?;
        let s = &p.session;
        let id = [K::TAG, s.second as u64, s.index as u64, p.k as u64];
        let delivery = self.timeline.delivery(&id);
        if !p.duplicate {
            if delivery.duplicate {
                self.heap.push(Reverse(Pending { duplicate: true, ..p }));
            }
            if let Some((at, k)) = K::after(&self.timeline, s, p.k) {
                self.heap.push(Reverse(Pending {
                    at,
                    k,
                    duplicate: false,
                    session: p.session,
                }));
            }
        }
        Some(Emitted {
            send_at: p.at,
            duplicate: p.duplicate,
            sent_twice: delivery.duplicate,
            event: K::build(&self.timeline, &p.session, p.k, delivery.lag),
        })
    }

    /// Every event due before `until`, in send order.
    pub fn drain_before(&mut self, until: Millis) -> Vec<Emitted<K::Event>> {
        std::iter::from_fn(|| self.next_before(until)).collect()
    }
}
