//! Answer keys: what each output of the playground's pipelines must contain, computed from the
//! settings alone.
//!
//! The streams are a pure function of their settings ([`crate::timeline`]), the users and the
//! VIP list of theirs ([`crate::users`]), so the exact contents of every output of
//! `terraform/modules/stream_analytics/query.asaql` over an event-time range follow from them
//! too. [`stream_keys`] computes them in one pass over the events, in event-time order, in
//! memory bounded by the rate (the late-event lag, ten minutes of pageviews for the join, the
//! users of one hour), never by the length of the range. The semantics, with the documentation
//! they follow and the choices made where it is silent, are in [`asa`].
//!
//! The keys describe distinct events: a duplicated event (sent twice by the producer) is one
//! row, marked as sent twice ([`Sent`]), and window counts carry both the distinct count and the count
//! of sends. The event time is the event's own `event_time` (the job reads
//! `TIMESTAMP BY event_time`), so a late event belongs to its event-time window; a job whose
//! tolerance moved it elsewhere differs there, and the verifier says so.

pub mod asa;
pub mod batch;
mod stream_keys;

pub use asa::Certainty;
pub use stream_keys::{KeyStats, stream_keys};

use serde::Serialize;

use crate::events::{EventTime, Pageview, Star};
use crate::timeline::{Millis, StreamConfig};
use crate::users::User;

/// What the keys are computed from: the streams' settings, the VIP list's length and the
/// job's alert threshold (Terraform's `high_latency_ms`).
#[derive(Debug, Clone, PartialEq)]
pub struct KeyConfig {
    /// The streams' settings (SEED, USERS_COUNT, PRODUCTS_COUNT, LOCALE, rate, curve, late,
    /// duplicates).
    pub stream: StreamConfig,
    /// VIP_COUNT of the users service (the first `vip_count` of its VIP permutation).
    pub vip_count: u64,
    /// A pageview with a latency above this raises an alert.
    pub high_latency_ms: u32,
}

/// An event-time range `(from, until]`, open at the start and closed at the end as Stream
/// Analytics' windows are, in Unix milliseconds. Windowed outputs are keyed only for windows
/// that lie wholly inside it; a join row needs both its events inside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyRange {
    /// Events at or before this are outside.
    pub from: Millis,
    /// Events after this are outside.
    pub until: Millis,
}

impl KeyRange {
    /// Whether an event at `t` lies in the range.
    pub fn contains(&self, t: Millis) -> bool {
        self.from < t && t <= self.until
    }

    /// Whether the window `(end - width, end]` lies wholly in the range.
    pub fn holds_window(&self, end: Millis, width: Millis) -> bool {
        end - width >= self.from && end <= self.until
    }
}

/// The largest time between an event's `event_time` and its (last) send: a live run's output
/// is complete up to its newest event less this.
pub fn max_lag(stream: &StreamConfig) -> Millis {
    if stream.late_fraction > 0.0 {
        Millis::from(stream.late_max_seconds.max(1)) * 1000
    } else {
        0
    }
}

/// The outputs keyed: the job's outputs by their names in `query.asaql`, and the silver
/// notebook's enrichment of the alerts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Output {
    /// `bronze-pageviews`: every pageview.
    BronzePageviews,
    /// `bronze-stars`: every rating.
    BronzeStars,
    /// `silver-http-methods`: pageviews per method per 5-minute window.
    SilverHttpMethods,
    /// `silver-latency-alerts`: pageviews slower than the threshold.
    SilverLatencyAlerts,
    /// `latency_alerts_users` (silver notebook): the alerts with the user's fields.
    LatencyAlertsUsers,
    /// `silver-vip-pageviews`: pageviews of VIP users.
    SilverVipPageviews,
    /// `silver-unhappy-views`: pageviews followed within 10 minutes by a rating below 3.
    SilverUnhappyViews,
    /// `silver-first-views`: each user's first pageview in each 60-minute interval.
    SilverFirstViews,
}

impl Output {
    /// Every output, in report order.
    pub const ALL: [Output; 8] = [
        Output::BronzePageviews,
        Output::BronzeStars,
        Output::SilverHttpMethods,
        Output::SilverLatencyAlerts,
        Output::LatencyAlertsUsers,
        Output::SilverVipPageviews,
        Output::SilverUnhappyViews,
        Output::SilverFirstViews,
    ];

    /// The name the job (or the notebook) gives it.
    pub fn name(self) -> &'static str {
        match self {
            Output::BronzePageviews => "bronze-pageviews",
            Output::BronzeStars => "bronze-stars",
            Output::SilverHttpMethods => "silver-http-methods",
            Output::SilverLatencyAlerts => "silver-latency-alerts",
            Output::LatencyAlertsUsers => "latency_alerts_users",
            Output::SilverVipPageviews => "silver-vip-pageviews",
            Output::SilverUnhappyViews => "silver-unhappy-views",
            Output::SilverFirstViews => "silver-first-views",
        }
    }
}

/// One row of the 5-minute pageview counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HttpMethodsRow {
    /// The method.
    pub http_method: &'static str,
    /// Distinct pageviews in the window.
    pub pageviews: u64,
    /// Sends in the window, duplicates included (what a job without deduplication counts).
    pub sends: u64,
    /// The window's end, `System.Timestamp()`.
    pub window_end: EventTime,
}

/// How the producer sent an event: when (its event time lags this for a late event), and
/// whether twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Sent {
    /// The send time; `event_time` is earlier by the event's lag.
    pub at: Millis,
    /// Sent twice with the same id.
    pub twice: bool,
}

impl Sent {
    /// How long after its event time the event was sent (0: on time).
    pub fn lag(&self, event_time: EventTime) -> Millis {
        self.at - event_time.0
    }
}

/// One row of an answer key, borrowed from the pass that computes it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Row<'a> {
    /// A raw pageview, and how it was sent.
    Pageview {
        /// The event.
        event: &'a Pageview,
        /// When and how often.
        sent: Sent,
    },
    /// A raw rating, and how it was sent.
    Star {
        /// The event.
        event: &'a Star,
        /// When and how often.
        sent: Sent,
    },
    /// A window count.
    HttpMethods(&'a HttpMethodsRow),
    /// A pageview above the latency threshold, and how it was sent (the job passes each copy
    /// of a duplicate through).
    LatencyAlert(&'a Pageview, Sent),
    /// The same alert with its user.
    LatencyAlertUser(&'a Pageview, &'a User),
    /// A pageview of a VIP user, and how it was sent (each copy joins the reference data).
    VipPageview(&'a Pageview, Sent),
    /// A pageview and the low rating that followed it.
    UnhappyView {
        /// The pageview.
        view: &'a Pageview,
        /// The rating (`stars`, `stars_time`).
        star: &'a Star,
        /// Borderline under the other reading of DATEDIFF.
        certainty: Certainty,
        /// The rows the job writes for the pair: each copy of a view sent twice joins each
        /// copy of a rating sent twice (1, 2 or 4).
        copies: u8,
    },
    /// A user's first pageview of an interval.
    FirstView {
        /// The pageview.
        view: &'a Pageview,
        /// Borderline under the other reading of the interval's ends.
        certainty: Certainty,
    },
}

impl Row<'_> {
    /// The output the row belongs to.
    pub fn output(&self) -> Output {
        match self {
            Row::Pageview { .. } => Output::BronzePageviews,
            Row::Star { .. } => Output::BronzeStars,
            Row::HttpMethods(_) => Output::SilverHttpMethods,
            Row::LatencyAlert(..) => Output::SilverLatencyAlerts,
            Row::LatencyAlertUser(..) => Output::LatencyAlertsUsers,
            Row::VipPageview(..) => Output::SilverVipPageviews,
            Row::UnhappyView { .. } => Output::SilverUnhappyViews,
            Row::FirstView { .. } => Output::SilverFirstViews,
        }
    }
}
