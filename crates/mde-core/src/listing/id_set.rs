//! [`IdSet`]: the ids a listing has delivered (and the links it has followed), hashed with a small
//! multiply-rotate hash instead of the standard library's SipHash.
//!
//! Why: the set takes every id of every page (10,000 per call at most), which makes its hash part of the hot
//! path, and SipHash's code and its keyed state are a measurable part of the wasm module. Measured in Node on a
//! 10,000-item page (BENCHMARKS.md): 3.9 ms to 3.6 ms per page, and 1.9 KB less wasm. What SipHash's random keys
//! buy, resistance to chosen collisions, is not there on `wasm32-unknown-unknown` anyway (no entropy source:
//! the keys are fixed), and the worst a service that chose colliding ids could do is slow its own listing: a
//! page holds at most 10,000 ids.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

/// A set of strings (ids, links) with [`IdHasher`].
pub(crate) type IdSet = HashSet<String, BuildHasherDefault<IdHasher>>;

/// A multiply-rotate hash over bytes, in the manner of rustc's FxHash (one round per byte: ids are short).
#[derive(Default, Clone, Copy)]
pub(crate) struct IdHasher(u64);

/// An odd constant with well-mixed bits (the one FxHash uses).
const K: u64 = 0x517c_c1b7_2722_0a95;

impl Hasher for IdHasher {
    #[inline]
    #[cfg_attr(mde_size, optimize(speed))]
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }

    #[inline]
    fn write_u8(&mut self, b: u8) {
        self.write(&[b]);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    #[test]
    fn deduplicates_like_a_set() {
        let mut set = IdSet::default();
        assert!(set.insert("1".to_owned()));
        assert!(!set.insert("1".to_owned()));
        assert!(set.insert("10".to_owned()));
        assert!(set.insert(String::new()));
        assert!(set.contains("10") && !set.contains("2"));
    }

    /// The shapes the service uses (sequential decimal ids, `da..._-...` alert-like strings): no two of 100,000
    /// share a full hash, and the low bits that pick a bucket spread evenly (no bucket of 4,096 gets more than
    /// three times its share).
    #[test]
    fn spreads_typical_ids() {
        let build = BuildHasherDefault::<IdHasher>::default();
        for ids in [
            (1..=100_000u64).map(|i| i.to_string()).collect::<Vec<_>>(),
            (0..100_000u64).map(|i| format!("da637{:014}_-{}", i * 7919, i % 977)).collect(),
        ] {
            let mut hashes: Vec<u64> = ids.iter().map(|id| build.hash_one(id)).collect();
            let mut buckets = vec![0u32; 4096];
            for h in &hashes {
                buckets[(h & 4095) as usize] += 1;
            }
            let share = ids.len() as u32 / 4096;
            assert!(buckets.iter().all(|&n| n <= 3 * share + 8), "max {:?}", buckets.iter().max());
            hashes.sort_unstable();
            hashes.dedup();
            assert_eq!(hashes.len(), ids.len());
        }
    }
}
