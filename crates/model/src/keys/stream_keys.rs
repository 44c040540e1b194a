//! The one pass that computes the stream outputs' keys: both streams merged into event-time
//! order, then each output's rule applied as the events go by.

use std::cmp::{Ordering, Reverse};
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, BinaryHeap, HashMap, HashSet, VecDeque};

use super::asa::{
    self, Certainty, FIRST_VIEW_INTERVAL, HTTP_METHODS_WINDOW, MINUTE, UNHAPPY_BELOW_STARS, UNHAPPY_REACH,
};
use super::{HttpMethodsRow, KeyConfig, KeyRange, Output, Row, Sent};
use crate::events::{EventStream, EventTime, Pageview, Pageviews, Star, Stars};
use crate::timeline::{Millis, Timeline};
use crate::users::UserGenerator;

/// What a pass saw and produced.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyStats {
    /// Distinct events read (in the range or near it).
    pub events: u64,
    /// Rows produced per output.
    pub rows: BTreeMap<Output, u64>,
    /// Most events held at once (reordering, the join's ten minutes, the current hour's users):
    /// what bounds the memory.
    pub peak_held: usize,
}

enum Event {
    View(Pageview),
    Rating(Star),
}

/// An event waiting for its turn in event-time order: by time, views before ratings at the
/// same millisecond (so a rating joins a view of its own instant), then in send order (how
/// Stream Analytics orders events with one timestamp: "in the order of arrival").
struct Queued {
    time: Millis,
    rank: u8,
    seq: u64,
    sent_at: Millis,
    sent_twice: bool,
    event: Event,
}

impl Queued {
    fn key(&self) -> (Millis, u8, u64) {
        (self.time, self.rank, self.seq)
    }
}
impl PartialEq for Queued {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}
impl Eq for Queued {}
impl PartialOrd for Queued {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Queued {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(&other.key())
    }
}

/// Computes every stream output's key over `range`, calling `emit` once per row: raw rows and
/// row-at-a-time outputs in event-time order, window counts when their window closes.
///
/// The events read are those sent in `[range.from, range.until + LATE_MAX_SECONDS]`: an event
/// in the range is sent at or after its event time and at most the largest lag after it.
pub fn stream_keys(cfg: &KeyConfig, range: KeyRange, mut emit: impl FnMut(Row<'_>)) -> KeyStats {
    let timeline = Timeline::new(cfg.stream.clone());
    let lag = super::max_lag(&cfg.stream);
    let end = range.until.saturating_add(lag + 1);
    let mut views = EventStream::<Pageviews>::unopened_at(timeline.clone(), range.from);
    let mut ratings = EventStream::<Stars>::unopened_at(timeline, range.from);
    let mut pass = Pass::new(cfg, range);
    let mut queue: BinaryHeap<Reverse<Queued>> = BinaryHeap::new();
    let (mut views_done, mut ratings_done, mut seq) = (false, false, 0u64);
    while !(views_done && ratings_done) {
        let take_view = !views_done && (ratings_done || views.next_due() <= ratings.next_due());
        let next = if take_view {
            views.next_before(end).map(|e| {
                let at = (e.event.event_time.0, 0, e.send_at);
                (at, e.duplicate, e.sent_twice, Event::View(e.event))
            })
        } else {
            ratings.next_before(end).map(|e| {
                let at = (e.event.event_time.0, 1, e.send_at);
                (at, e.duplicate, e.sent_twice, Event::Rating(e.event))
            })
        };
        match next {
            // The second send of a duplicated event: the first carries `sent_twice`.
            Some((_, true, _, _)) => {}
            Some(((time, rank, sent_at), false, sent_twice, event)) => {
                seq += 1;
                queue.push(Reverse(Queued {
                    time,
                    rank,
                    seq,
                    sent_at,
                    sent_twice,
                    event,
                }));
            }
            None if take_view => views_done = true,
            None => ratings_done = true,
        }
        // No event still to come is sent before the watermark, so none has an event time
        // earlier than the watermark less the largest lag.
        let due = |done: bool, next: Millis| if done { Millis::MAX } else { next };
        let watermark = due(views_done, views.next_due())
            .min(due(ratings_done, ratings.next_due()))
            .saturating_sub(lag);
        pass.stats.peak_held = pass.stats.peak_held.max(queue.len() + pass.held());
        while queue.peek().is_some_and(|q| q.0.time < watermark) {
            if let Some(Reverse(q)) = queue.pop() {
                pass.take(q, &mut emit);
            }
        }
    }
    while let Some(Reverse(q)) = queue.pop() {
        pass.take(q, &mut emit);
    }
    pass.close_windows_before(Millis::MAX, &mut emit);
    pass.stats
}

/// The state of the outputs while the events go by in event-time order.
struct Pass {
    range: KeyRange,
    high_latency_ms: u32,
    users: UserGenerator,
    vips: HashSet<u64>,
    /// Open windows: (end, method) -> (distinct, sends).
    windows: BTreeMap<(Millis, &'static str), (u64, u64)>,
    /// The views of the last [`UNHAPPY_REACH`], by user, and their expiry order.
    views_by_user: HashMap<u64, VecDeque<(Pageview, bool)>>,
    view_expiry: VecDeque<(Millis, u64)>,
    /// Low ratings of the last minute (a view after its rating may still join under the
    /// boundary reading of DATEDIFF), by user.
    low_by_user: HashMap<u64, VecDeque<(Star, bool)>>,
    low_expiry: VecDeque<(Millis, u64)>,
    /// Users seen in the current ISFIRST interval, under the key's reading and the other one.
    first: [(Millis, HashSet<u64>); 2],
    stats: KeyStats,
}

impl Pass {
    fn new(cfg: &KeyConfig, range: KeyRange) -> Pass {
        let s = &cfg.stream;
        let users = UserGenerator::new(s.seed, s.users_count, s.locale);
        let vips = users
            .vips(0..cfg.vip_count.min(s.users_count))
            .map(|v| v.id)
            .collect();
        Pass {
            range,
            high_latency_ms: cfg.high_latency_ms,
            users,
            vips,
            windows: BTreeMap::new(),
            views_by_user: HashMap::new(),
            view_expiry: VecDeque::new(),
            low_by_user: HashMap::new(),
            low_expiry: VecDeque::new(),
            first: [(Millis::MIN, HashSet::new()), (Millis::MIN, HashSet::new())],
            stats: KeyStats::default(),
        }
    }

    fn held(&self) -> usize {
        self.view_expiry.len() + self.low_expiry.len() + self.first[0].1.len() + self.first[1].1.len()
    }

    fn count(&mut self, output: Output) {
        *self.stats.rows.entry(output).or_default() += 1;
    }

    fn send(&mut self, row: Row<'_>, emit: &mut impl FnMut(Row<'_>)) {
        self.count(row.output());
        emit(row);
    }

    fn take(&mut self, q: Queued, emit: &mut impl FnMut(Row<'_>)) {
        self.stats.events += 1;
        if !self.range.contains(q.time) {
            return;
        }
        self.expire(q.time);
        let sent = Sent {
            at: q.sent_at,
            twice: q.sent_twice,
        };
        match q.event {
            Event::View(v) => self.view(v, sent, emit),
            Event::Rating(s) => self.rating(s, sent, emit),
        }
    }

    fn expire(&mut self, now: Millis) {
        expire(
            &mut self.view_expiry,
            &mut self.views_by_user,
            now - UNHAPPY_REACH,
        );
        expire(&mut self.low_expiry, &mut self.low_by_user, now - MINUTE);
    }

    fn view(&mut self, v: Pageview, sent: Sent, emit: &mut impl FnMut(Row<'_>)) {
        let t = v.event_time.0;
        let sent_twice = sent.twice;
        self.send(Row::Pageview { event: &v, sent }, emit);

        let end = asa::tumbling_window_end(t, HTTP_METHODS_WINDOW);
        self.close_windows_before(end, emit);
        let counts = self.windows.entry((end, v.http_method)).or_default();
        counts.0 += 1;
        counts.1 += 1 + u64::from(sent_twice);

        if v.latency > self.high_latency_ms {
            self.send(Row::LatencyAlert(&v, sent), emit);
            let user = self.users.user(v.user_id);
            self.send(Row::LatencyAlertUser(&v, &user), emit);
        }
        if self.vips.contains(&v.user_id) {
            self.send(Row::VipPageview(&v, sent), emit);
        }

        // ISFIRST(minute, 60) OVER (PARTITION BY user_id), under both readings.
        let (ours, other) = asa::isfirst_intervals(t, FIRST_VIEW_INTERVAL);
        let mut first = [false; 2];
        for (i, interval) in [ours, other].into_iter().enumerate() {
            let (current, seen) = &mut self.first[i];
            if *current != interval {
                *current = interval;
                seen.clear();
            }
            first[i] = seen.insert(v.user_id) && self.range.holds_window(interval, FIRST_VIEW_INTERVAL);
        }
        if first[0] || first[1] {
            let certainty = if first[0] && first[1] {
                Certainty::Certain
            } else {
                Certainty::Borderline
            };
            self.send(Row::FirstView { view: &v, certainty }, emit);
        }

        // A low rating of the last minute that may join this later view (borderline only).
        let earlier: Vec<(Star, bool)> = self
            .low_by_user
            .get(&v.user_id)
            .map(|stars| {
                stars
                    .iter()
                    .filter(|(s, _)| s.event_time.0 < t)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        for (star, star_twice) in &earlier {
            if let Some(certainty) = asa::unhappy_pair(t, star.event_time.0) {
                self.send(
                    Row::UnhappyView {
                        view: &v,
                        star,
                        certainty,
                        copies: copies(sent_twice, *star_twice),
                    },
                    emit,
                );
            }
        }
        self.view_expiry.push_back((t, v.user_id));
        self.views_by_user
            .entry(v.user_id)
            .or_default()
            .push_back((v, sent_twice));
    }

    fn rating(&mut self, s: Star, sent: Sent, emit: &mut impl FnMut(Row<'_>)) {
        self.send(Row::Star { event: &s, sent }, emit);
        if s.stars >= UNHAPPY_BELOW_STARS {
            return;
        }
        let t = s.event_time.0;
        let views: Vec<(Pageview, bool)> = self
            .views_by_user
            .get(&s.user_id)
            .map(|v| v.iter().cloned().collect())
            .unwrap_or_default();
        for (view, view_twice) in &views {
            if let Some(certainty) = asa::unhappy_pair(view.event_time.0, t) {
                self.send(
                    Row::UnhappyView {
                        view,
                        star: &s,
                        certainty,
                        copies: copies(*view_twice, sent.twice),
                    },
                    emit,
                );
            }
        }
        self.low_expiry.push_back((t, s.user_id));
        self.low_by_user
            .entry(s.user_id)
            .or_default()
            .push_back((s, sent.twice));
    }

    /// Emits the windows that end before `end` (every later event falls after them).
    fn close_windows_before(&mut self, end: Millis, emit: &mut impl FnMut(Row<'_>)) {
        while let Some(entry) = self.windows.first_entry() {
            let (window_end, http_method) = *entry.key();
            if window_end >= end {
                break;
            }
            let (pageviews, sends) = entry.remove();
            if self.range.holds_window(window_end, HTTP_METHODS_WINDOW) {
                let row = HttpMethodsRow {
                    http_method,
                    pageviews,
                    sends,
                    window_end: EventTime(window_end),
                };
                self.send(Row::HttpMethods(&row), emit);
            }
        }
    }
}

/// Drops what is older than `before` from a per-user buffer and its expiry order.
/// Rows a join writes for a pair: every copy of one side meets every copy of the other.
fn copies(view_twice: bool, star_twice: bool) -> u8 {
    (1 + u8::from(view_twice)) * (1 + u8::from(star_twice))
}

fn expire<T>(order: &mut VecDeque<(Millis, u64)>, by_user: &mut HashMap<u64, VecDeque<T>>, before: Millis) {
    while order.front().is_some_and(|(t, _)| *t < before) {
        let Some((_, user)) = order.pop_front() else { break };
        if let Entry::Occupied(mut e) = by_user.entry(user) {
            e.get_mut().pop_front();
            if e.get().is_empty() {
                e.remove();
            }
        }
    }
}
