//! Skewed choice of "who": popular products and active users occur more often.

use rand::Rng;

use crate::rng::{Entity, stream};

/// Zipf-like choice of an id in `0..n`, with the popularity ranks scattered over the ids by an
/// affine permutation (so the most popular user is not always user 0).
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
    perm: AffinePermutation,
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
            perm: AffinePermutation::new(seed, salt, n),
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

/// A bijection of `0..n`: `i -> (a*i + b) mod n` with `gcd(a, n) = 1`.
#[derive(Debug, Clone, Copy)]
pub struct AffinePermutation {
    n: u64,
    a: u64,
    b: u64,
}

impl AffinePermutation {
    /// A permutation of `0..n` chosen by `(seed, salt)`.
    pub fn new(seed: u64, salt: u64, n: u64) -> AffinePermutation {
        if n <= 1 {
            return AffinePermutation { n, a: 1, b: 0 };
        }
        let mut rng = stream(seed, Entity::Popularity, &[salt]);
        // Start in the upper two thirds (so neighbours in rank land far apart) and walk up to
        // the next multiplier coprime with n; 1 always is, so the walk ends.
        let mut a = rng.random_range(n / 3..n).max(1);
        while gcd(a, n) != 1 {
            a = a % (n - 1) + 1;
        }
        let b = rng.random_range(0..n);
        AffinePermutation { n, a, b }
    }

    /// The image of `i` (`i < n`).
    #[inline]
    pub fn apply(&self, i: u64) -> u64 {
        if self.n <= 1 {
            return 0;
        }
        ((self.a as u128 * i as u128 + self.b as u128) % self.n as u128) as u64
    }
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permutation_is_a_bijection() {
        for n in [1u64, 2, 3, 10, 97, 100, 1024] {
            let p = AffinePermutation::new(42, 1, n);
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
