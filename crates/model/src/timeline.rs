//! The session timeline both event streams derive from.
//!
//! Wall-clock time is cut into one-second buckets. How many sessions start in second `T` is a
//! Poisson draw from the stream `(seed, SessionBucket, T)`; session `j` of second `T` is a pure
//! function of `(seed, Session, T, j)` and its pageview `k` of `(seed, Pageview, T, j, k)`. The
//! pageviews and stars services both evaluate the same functions, so a star always follows
//! pageviews of its own session's user, with no communication between them.

use rand::Rng;
use rand::distr::Distribution;
use rand::distr::weighted::WeightedIndex;
use rand_distr::{Normal, Poisson};

use crate::locale::Locale;
use crate::products;
use crate::rng::{Entity, RecordRng, stream};
use crate::skew::Popularity;
use crate::web::{HTTP_METHODS, USER_AGENTS};

/// Milliseconds since the Unix epoch (UTC).
pub type Millis = i64;

/// Settings of the streams; shared by pageviews and stars so both see one timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamConfig {
    /// The seed shared by every service of one playground.
    pub seed: u64,
    /// Users that exist.
    pub users_count: u64,
    /// Products that exist.
    pub products_count: u64,
    /// Locale of the shop host in URIs.
    pub locale: Locale,
    /// Mean sessions starting per second (over a day, when the daily curve is on).
    pub sessions_per_second: f64,
    /// Vary the rate with the time of day (UTC): quiet at 4:00, busiest at 16:00–20:00.
    pub daily_curve: bool,
    /// Fraction of events whose event time lags their send time (late, out of order).
    pub late_fraction: f64,
    /// How far behind a late event's time can be, in seconds.
    pub late_max_seconds: u32,
    /// Fraction of events sent twice (same id), as an at-least-once producer would.
    pub duplicate_fraction: f64,
}

impl StreamConfig {
    /// One session per second, no curve, no late or duplicate events.
    pub fn new(seed: u64, users_count: u64, products_count: u64) -> StreamConfig {
        StreamConfig {
            seed,
            users_count,
            products_count,
            locale: Locale::CsCz,
            sessions_per_second: 1.0,
            daily_curve: false,
            late_fraction: 0.0,
            late_max_seconds: 60,
            duplicate_fraction: 0.0,
        }
    }
}

/// One visit: one user, 1–30 pageviews spread over its duration, maybe a rating after.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Session {
    /// Second of the timeline the session started in.
    pub second: i64,
    /// Index among the sessions of that second.
    pub index: u32,
    /// The visiting user.
    pub user_id: u64,
    /// Number of pageviews, 1..=30.
    pub views: u32,
    /// When the first pageview could happen.
    pub start: Millis,
    /// Span over which the pageviews are spread.
    pub duration: Millis,
    /// Stars (1..=5) given about one session in 50, and how long after the last view.
    pub rating: Option<(u8, Millis)>,
    /// The visitor's address for the whole session; `None` (about 1%) when the log lost it.
    pub client_ip: Option<[u8; 4]>,
    /// Index into the user-agent list, fixed for the session.
    pub user_agent: u16,
}

/// A pageview as the model defines it, before any late or duplicate treatment.
#[derive(Debug, Clone, PartialEq)]
pub struct View {
    /// Position in the session, 0-based.
    pub k: u32,
    /// When it happened.
    pub time: Millis,
    /// HTTP method.
    pub http_method: &'static str,
    /// A page of an existing product.
    pub uri: String,
    /// Product the page belongs to.
    pub product_id: u64,
    /// Response time in ms: around 200, about 1% outliers of 500–5000.
    pub latency: u32,
}

/// A day's shape: relative rate per hour of day, mean 1.0.
fn daily_factor(second: i64) -> f64 {
    let hour = second.rem_euclid(86_400) as f64 / 3600.0;
    // Trough at 04:00, crest at 16:00; a sine keeps the daily mean at exactly 1.
    1.0 + 0.6 * ((hour - 10.0) / 24.0 * std::f64::consts::TAU).sin()
}

/// The timeline for one configuration.
#[derive(Debug, Clone)]
pub struct Timeline {
    cfg: StreamConfig,
    users: Popularity,
    products: Popularity,
    agents: WeightedIndex<u32>,
    methods: WeightedIndex<u32>,
    latency: Normal<f64>,
}

/// Longest gap between two pageviews of a session.
pub const MAX_DWELL: Millis = 90_000;
/// Longest a rating comes after the session's last view.
pub const MAX_RATING_DELAY: Millis = 300_000;

impl Timeline {
    /// The timeline for `cfg`.
    pub fn new(cfg: StreamConfig) -> Timeline {
        let weights = |w: &[(&str, u32)]| {
            WeightedIndex::new(w.iter().map(|x| x.1))
                .unwrap_or_else(|_| unreachable!("constant positive weights"))
        };
        Timeline {
            users: Popularity::new(cfg.seed, 0x55_53_45_52, cfg.users_count, 0.8),
            products: Popularity::new(cfg.seed, 0x50_52_4f_44, cfg.products_count, 1.0),
            agents: weights(USER_AGENTS),
            methods: weights(HTTP_METHODS),
            latency: Normal::new(200.0, 45.0).unwrap_or_else(|_| unreachable!("constant parameters")),
            cfg,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &StreamConfig {
        &self.cfg
    }

    /// Expected sessions in second `second` (the Poisson mean).
    pub fn rate_at(&self, second: i64) -> f64 {
        let base = self.cfg.sessions_per_second.max(0.0);
        if self.cfg.daily_curve {
            base * daily_factor(second)
        } else {
            base
        }
    }

    /// How many sessions start in `second`.
    pub fn sessions_in(&self, second: i64) -> u32 {
        let lambda = self.rate_at(second);
        if lambda <= 0.0 {
            return 0;
        }
        let mut rng = stream(self.cfg.seed, Entity::SessionBucket, &[second as u64]);
        match Poisson::new(lambda) {
            Ok(p) => p.sample(&mut rng).min(u32::MAX as f64) as u32,
            Err(_) => 0,
        }
    }

    /// Session `index` of `second`.
    pub fn session(&self, second: i64, index: u32) -> Session {
        let mut rng = stream(self.cfg.seed, Entity::Session, &[second as u64, index as u64]);
        let user_id = self.users.sample(&mut rng);
        // 1 + geometric, mean ~5.5, capped at 30.
        let mut views = 1;
        while views < 30 && rng.random_bool(0.82) {
            views += 1;
        }
        let start = second * 1000 + rng.random_range(0..1000);
        let duration = if views == 1 {
            0
        } else {
            (1..views).map(|_| rng.random_range(5_000..MAX_DWELL)).sum()
        };
        let rating = rng.random_bool(1.0 / 50.0).then(|| {
            // J-shaped, as real ratings are: mostly fives and fours, some ones.
            let stars = match rng.random_range(0..100) {
                0..8 => 1,
                8..13 => 2,
                13..23 => 3,
                23..48 => 4,
                _ => 5,
            };
            (stars, rng.random_range(10_000..MAX_RATING_DELAY))
        });
        let client_ip = (!rng.random_bool(0.01)).then(|| public_ipv4(&mut rng));
        let user_agent = self.agents.sample(&mut rng) as u16;
        Session {
            second,
            index,
            user_id,
            views,
            start,
            duration,
            rating,
            client_ip,
            user_agent,
        }
    }

    fn view_stream(&self, session: &Session, k: u32) -> RecordRng {
        stream(
            self.cfg.seed,
            Entity::Pageview,
            &[session.second as u64, session.index as u64, k as u64],
        )
    }

    /// Time of view `k`, the first draw of the view's stream: view `k` lies in the `k`-th of
    /// `views` equal slices of the duration, so times increase with `k` and need nothing from
    /// the other views.
    fn view_time_from(session: &Session, k: u32, rng: &mut RecordRng) -> Millis {
        if session.views <= 1 {
            return session.start;
        }
        let slice = (session.duration / session.views as i64).max(1);
        session.start + slice * k as i64 + rng.random_range(0..slice)
    }

    /// Time of view `k` of `session`.
    pub fn view_time(&self, session: &Session, k: u32) -> Millis {
        Self::view_time_from(session, k, &mut self.view_stream(session, k))
    }

    /// Pageview `k` of `session`.
    pub fn view(&self, session: &Session, k: u32) -> View {
        let mut rng = self.view_stream(session, k);
        let time = Self::view_time_from(session, k, &mut rng);
        let http_method = HTTP_METHODS[self.methods.sample(&mut rng)].0;
        let product_id = self.products.sample(&mut rng);
        let page = match rng.random_range(0..10) {
            0..7 => 0,
            7..9 => 1,
            _ => 2,
        };
        let latency = if rng.random_bool(0.01) {
            rng.random_range(500..=5000)
        } else {
            self.latency.sample(&mut rng).clamp(20.0, 480.0) as u32
        };
        View {
            k,
            time,
            http_method,
            uri: products::page_url(self.cfg.locale, product_id, page),
            product_id,
            latency,
        }
    }

    /// When `session`'s rating is given, if it has one.
    pub fn rating_time(&self, session: &Session) -> Option<(u8, Millis)> {
        let (stars, delay) = session.rating?;
        Some((stars, self.view_time(session, session.views - 1) + delay))
    }

    /// Per-event random choices about delivery (late event time, duplicate send), from a
    /// stream of their own so they never change what the event is.
    pub fn delivery(&self, id: &[u64]) -> Delivery {
        let c = &self.cfg;
        if c.late_fraction <= 0.0 && c.duplicate_fraction <= 0.0 {
            return Delivery::default();
        }
        let mut rng = stream(c.seed, Entity::Delivery, id);
        let lag = if rng.random_bool(c.late_fraction.clamp(0.0, 1.0)) {
            rng.random_range(1..=(c.late_max_seconds.max(1) as Millis * 1000))
        } else {
            0
        };
        let duplicate = rng.random_bool(c.duplicate_fraction.clamp(0.0, 1.0));
        Delivery { lag, duplicate }
    }
}

/// How one event is delivered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delivery {
    /// Milliseconds the event time lies behind the send time (0: on time).
    pub lag: Millis,
    /// Sent twice with the same id.
    pub duplicate: bool,
}

fn public_ipv4<R: Rng + ?Sized>(rng: &mut R) -> [u8; 4] {
    loop {
        let ip: [u8; 4] = rng.random();
        let private = ip[0] == 10
            || ip[0] == 127
            || ip[0] == 0
            || ip[0] >= 224
            || (ip[0] == 172 && (16..32).contains(&ip[1]))
            || (ip[0] == 192 && ip[1] == 168)
            || (ip[0] == 169 && ip[1] == 254)
            || (ip[0] == 100 && (64..128).contains(&ip[1]));
        if !private {
            return ip;
        }
    }
}
