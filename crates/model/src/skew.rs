//! Skewed choice of "who": popular products and active users occur more often.

use rand::Rng;

use crate::rng::{Entity, stream};

/// Zipf-like choice of an id in `0..n`, with the popularity ranks scattered over the ids by a
/// keyed permutation (so the most popular user is not always user 0).
///
/// The rank is a discretised bounded power law: `x` has density proportional to `x^-s` on
/// `[1, n+1)`, drawn by inverting its CDF (one `powf`, or one `exp` for `s = 1`), and the rank
/// is `floor(x) - 1`. That is Zipf's law up to the discretisation of the first few ranks, at a
/// third of the cost of `rand_distr::Zipf`'s rejection sampler, which mattered for the 10 M
/// rows/s target of orders and items (see docs/decisions.md).
#[derive(Debug, Clone)]
pub struct Popularity {
    n: u64,
    /// `ln(n+1)` when `s == 1`, else `(n+1)^(1-s) - 1`.
    span: f64,
    /// `1 / (1-s)`, unused when `s == 1`.
    inv_exponent: f64,
    harmonic: bool,
    perm: ScatterPermutation,
}

impl Popularity {
    /// Popularity over `0..n` with Zipf exponent `s` (1.0 is the classic web skew). `salt`
    /// separates independent rankings (users vs products) under one seed.
    pub fn new(seed: u64, salt: u64, n: u64, s: f64) -> Popularity {
        let top = n as f64 + 1.0;
        let harmonic = (s - 1.0).abs() < 1e-9;
        Popularity {
            n,
            span: if harmonic {
                top.ln()
            } else {
                top.powf(1.0 - s) - 1.0
            },
            inv_exponent: if harmonic { 0.0 } else { 1.0 / (1.0 - s) },
            harmonic,
            perm: ScatterPermutation::new(seed, salt, n),
        }
    }

    /// One draw; `0` when `n` is 0 or 1.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        if self.n <= 1 {
            return 0;
        }
        let u: f64 = rng.random();
        let x = if self.harmonic {
            (u * self.span).exp()
        } else {
            (1.0 + u * self.span).powf(self.inv_exponent)
        };
        let rank = (x as u64).clamp(1, self.n) - 1;
        self.perm.apply(rank)
    }
}

/// A keyed bijection of `0..n` that scatters neighbours: three rounds of an invertible
/// multiply-add-xorshift mix on the smallest power-of-two domain holding `n`, with cycle
/// walking (re-applying until the value falls below `n`; fewer than two steps on average).
#[derive(Debug, Clone, Copy)]
pub struct ScatterPermutation {
    n: u64,
    bits: u32,
    keys: [(u64, u64); 3],
}

impl ScatterPermutation {
    /// A permutation of `0..n` chosen by `(seed, salt)`.
    pub fn new(seed: u64, salt: u64, n: u64) -> ScatterPermutation {
        let bits = (64 - n.saturating_sub(1).leading_zeros()).max(1);
        let mut rng = stream(seed, Entity::Popularity, &[salt]);
        let keys = [0; 3].map(|_| (rng.random::<u64>() | 1, rng.random::<u64>()));
        ScatterPermutation { n, bits, keys }
    }

    #[inline]
    fn mix(&self, mut x: u64) -> u64 {
        let mask = if self.bits >= 64 {
            u64::MAX
        } else {
            (1u64 << self.bits) - 1
        };
        let shift = self.bits.div_ceil(2);
        for (a, b) in self.keys {
            // Each step is a bijection on `bits` bits: odd multiply, add, xor with a right shift.
            x = x.wrapping_mul(a).wrapping_add(b) & mask;
            x ^= x >> shift;
        }
        x
    }

    /// The image of `i` (`i < n`).
    #[inline]
    pub fn apply(&self, i: u64) -> u64 {
        if self.n <= 1 {
            return 0;
        }
        let mut x = self.mix(i);
        while x >= self.n {
            x = self.mix(x);
        }
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permutation_is_a_bijection() {
        for n in [1u64, 2, 3, 10, 97, 100, 1024] {
            let p = ScatterPermutation::new(42, 1, n);
            let mut seen = vec![false; n as usize];
            for i in 0..n {
                let j = p.apply(i) as usize;
                assert!(!seen[j], "n={n}: {j} twice");
                seen[j] = true;
            }
        }
    }

    #[test]
    fn popularity_is_skewed_and_in_range() {
        for s in [1.0, 0.8] {
            let pop = Popularity::new(1, 2, 1000, s);
            let mut rng = stream(1, Entity::Order, &[0]);
            let mut counts = vec![0u32; 1000];
            for _ in 0..100_000 {
                counts[pop.sample(&mut rng) as usize] += 1;
            }
            counts.sort_unstable_by(|a, b| b.cmp(a));
            // Power law: the top 1% of ids get far more than 1% of the draws, every id
            // still occurs, and frequency falls with rank roughly as rank^-s.
            let top: u32 = counts[..10].iter().sum();
            assert!(top > 15_000, "s={s}: top 10 got {top}");
            assert!(
                counts[999] > 0 && counts[999] < 100,
                "s={s}: rarest {}",
                counts[999]
            );
            let ratio = counts[10] as f64 / counts[100] as f64;
            let expected = 10f64.powf(s);
            assert!(
                (ratio / expected - 1.0).abs() < 0.35,
                "s={s}: rank 10 vs 100 ratio {ratio}"
            );
        }
    }
}
