//! `SplitMix64`: the small, fixed pseudo-random generator behind every "random" choice of the mock.
//!
//! Generated data, fault choices and correlation ids come from it, seeded by `--seed`, so the same flags
//! give the same answers on every machine and every run. It never reads OS randomness. Not for secrets.

/// A SplitMix64 generator (Steele, Lea and Flood, 2014): 64 bits of state, one multiply-xorshift per draw.
/// The sequence is mde-core's [`Jitter`](mde_core::jitter::Jitter) (the same generator); this adds the draws
/// the data generator needs.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    inner: mde_core::jitter::Jitter,
}

impl SplitMix64 {
    /// A generator whose sequence is fixed by `seed`.
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64 { inner: mde_core::jitter::Jitter::from_seed(seed) }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.inner.next_u64()
    }

    /// A uniform number in `0..n` (`n > 0`; returns 0 for `n == 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        // Lemire's multiply-shift: unbiased enough for test data, and branch-free.
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// A uniform number in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Picks an index by weight: `weights[i] / sum` is the chance of `i`. Returns 0 for an empty slice.
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|w| u64::from(*w)).sum();
        let mut ticket = self.below(total);
        for (i, w) in weights.iter().enumerate() {
            let w = u64::from(*w);
            if ticket < w {
                return i;
            }
            ticket -= w;
        }
        0
    }
}

/// The SplitMix64 finaliser: a good 64-bit mixing function, also used to hash `(seed, n)` pairs.
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a, 64 bits: a fast, non-cryptographic hash (used to show *that* a token was sent, never which).
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_matches_reference_values() {
        // Reference: the first outputs of SplitMix64 seeded with 0 (as in the paper's C code).
        let mut r = SplitMix64::new(0);
        assert_eq!(r.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(r.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn fnv_matches_reference_values() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn below_and_unit_stay_in_range() {
        let mut r = SplitMix64::new(7);
        for _ in 0..10_000 {
            assert!(r.below(13) < 13);
            let u = r.unit();
            assert!((0.0..1.0).contains(&u));
        }
    }
}
