//! The counter-based random streams every record is drawn from.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The random stream of one record.
pub type RecordRng = ChaCha8Rng;

/// What a random stream belongs to. The discriminant is mixed into the stream key, so each
/// entity's streams are independent of every other's; the numbers are part of the determinism
/// contract and never change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum Entity {
    /// One user record.
    User = 1,
    /// One product record.
    Product = 2,
    /// One order row.
    Order = 3,
    /// The items of one order (and how many there are).
    Items = 4,
    /// How many sessions start in one second of the timeline.
    SessionBucket = 5,
    /// One session: its user, length, duration and rating.
    Session = 6,
    /// One pageview inside a session.
    Pageview = 7,
    /// Choice of the popularity permutations (which users and products are popular).
    Popularity = 8,
    /// How one event is delivered (late, duplicated).
    Delivery = 9,
}

/// SplitMix64 finaliser: a bijective 64-bit mixer with full avalanche.
#[inline]
pub const fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

/// The stream for `(seed, entity, index...)`: a pure function of its arguments.
///
/// The key is 256 bits derived from the arguments by chained SplitMix64; ChaCha8 then expands it.
/// `index` is a path (e.g. `[second, session]` or `[second, session, view]`), so nested records
/// need no arithmetic packing that could overflow.
#[inline]
pub fn stream(seed: u64, entity: Entity, index: &[u64]) -> RecordRng {
    let mut h = mix64(seed ^ GOLDEN);
    h = mix64(h ^ (entity as u64).wrapping_mul(GOLDEN));
    for &i in index {
        h = mix64(h.wrapping_add(GOLDEN) ^ i);
    }
    let mut key = [0u8; 32];
    let mut s = h;
    for chunk in key.chunks_exact_mut(8) {
        s = s.wrapping_add(GOLDEN);
        chunk.copy_from_slice(&mix64(s).to_le_bytes());
    }
    ChaCha8Rng::from_seed(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngCore;

    #[test]
    fn streams_are_pure_and_distinct() {
        let a = stream(7, Entity::User, &[3]).next_u64();
        assert_eq!(a, stream(7, Entity::User, &[3]).next_u64());
        assert_ne!(a, stream(7, Entity::User, &[4]).next_u64());
        assert_ne!(a, stream(8, Entity::User, &[3]).next_u64());
        assert_ne!(a, stream(7, Entity::Product, &[3]).next_u64());
        assert_ne!(
            stream(7, Entity::Pageview, &[1, 2]).next_u64(),
            stream(7, Entity::Pageview, &[2, 1]).next_u64()
        );
    }
}
