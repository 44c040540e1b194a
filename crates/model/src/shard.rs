//! `SHARD=i/n`: which contiguous slice of a dataset one process generates.

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

/// Slice `index` of `count` equal slices. Slices are contiguous, so concatenating the output of
/// shards `0/n, 1/n, …` in order gives exactly the output of `0/1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    index: u32,
    count: u32,
}

/// A `SHARD` value that is not `i/n` with `0 <= i < n`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a shard: expected i/n with 0 <= i < n, e.g. 0/1 or 2/4")]
pub struct BadShard(pub String);

impl Shard {
    /// The whole dataset in one process.
    pub const WHOLE: Shard = Shard { index: 0, count: 1 };

    /// Slice `index` of `count`; `None` unless `index < count`.
    pub fn new(index: u32, count: u32) -> Option<Shard> {
        (index < count).then_some(Shard { index, count })
    }

    /// Which slice, 0-based.
    pub fn index(self) -> u32 {
        self.index
    }

    /// How many slices in all.
    pub fn count(self) -> u32 {
        self.count
    }

    /// The record indexes of this slice of `0..total`.
    pub fn range(self, total: u64) -> Range<u64> {
        let part = |i: u64| ((total as u128 * i as u128) / self.count as u128) as u64;
        part(self.index as u64)..part(self.index as u64 + 1)
    }
}

impl Default for Shard {
    fn default() -> Self {
        Shard::WHOLE
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = BadShard;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadShard(s.to_owned());
        let (i, n) = s.trim().split_once('/').ok_or_else(bad)?;
        let i = i.trim().parse().map_err(|_| bad())?;
        let n = n.trim().parse().map_err(|_| bad())?;
        Shard::new(i, n).ok_or_else(bad)
    }
}

impl<'de> serde::Deserialize<'de> for Shard {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        assert_eq!("2/4".parse::<Shard>(), Ok(Shard { index: 2, count: 4 }));
        for bad in ["", "1", "4/4", "1/0", "-1/2", "a/b", "1/2/3"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn slices_tile_the_range() {
        for total in [0u64, 1, 7, 100, 1_000_003] {
            for n in 1..9 {
                let mut next = 0;
                for i in 0..n {
                    let r = Shard::new(i, n).expect("valid").range(total);
                    assert_eq!(r.start, next);
                    next = r.end;
                }
                assert_eq!(next, total);
            }
        }
    }
}
