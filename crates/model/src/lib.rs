//! Records and deterministic generators of the data playground.
//!
//! # Determinism: every record is a pure function of `(seed, entity, index)`
//!
//! Nothing here reads a clock, a thread-local RNG or a hash map's order. Each record draws its
//! randomness from its own stream: [`rng::stream`] hashes the seed, the kind of entity and the
//! record's index (for example user 42, or pageview 3 of session 7 of second 1 764 000 000) into
//! a 256-bit key for a ChaCha8 generator. Because a record never shares a stream with another,
//! user 42 is the same whether it is generated first, last, alone, in shard 3 of 8 or on
//! another thread. Everything else follows by arithmetic instead of coordination: orders pick
//! `userId` from `0..users_count`; the items service recomputes "order *i* has *k* items" from
//! order *i*'s stream; VIPs are a keyed permutation of user ids, so they are distinct
//! existing users; [`shard::Shard`] cuts `0..count` into contiguous slices whose concatenation
//! is the whole; a restarted service resumes at the first index not yet durably written. The
//! event streams share one [`timeline::Timeline`]: the sessions of wall-clock second *T* are a
//! function of `(seed, T)`, so the pageviews and stars services derive the same sessions
//! independently and every star follows its user's pageviews. Golden tests pin the first
//! records for a fixed seed; the `Cargo.lock` pins the RNG crates, since `rand`'s
//! distributions may change their sampling between major versions.
//!
//! The crate is sync and pure: no I/O, no async runtime, no cloud SDK.

pub mod birth_number;
pub mod events;
pub mod keys;
pub mod locale;
pub mod orders;
pub mod products;
pub mod rng;
pub mod shard;
pub mod skew;
mod text;
pub mod timeline;
pub mod users;
pub mod web;

pub use chrono::NaiveDate;
pub use events::{Emitted, EventStream, EventTime, Pageview, Pageviews, Star, Stars};
pub use locale::Locale;
pub use orders::{Item, Order, OrderGenerator, OrdersConfig};
pub use products::{Product, ProductGenerator};
pub use shard::Shard;
pub use timeline::{Millis, Session, StreamConfig, Timeline};
pub use users::{User, UserGenerator, Vip};
