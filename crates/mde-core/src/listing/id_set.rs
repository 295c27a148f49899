//! [`IdSet`]: the ids a listing has delivered (and the links it has followed): a small hash set of strings of
//! its own, with a multiply-rotate hash instead of the standard library's SipHash.
//!
//! Why: the set takes every id of every page (10,000 per call at most), which makes it part of the hot path,
//! and the standard `HashSet` (hashbrown, and SipHash) is a measurable part of the wasm module. This one only
//! inserts (and grows): open addressing with linear probing over a table of positions, each entry keeping its
//! hash, so that growing never hashes a string again. The strings stay in insertion order, which is the order in
//! which a listing delivered its ids: the resume token takes the last of them from there ([`IdSet::as_slice`]). Measured (BENCHMARKS.md): the same speed as hashbrown with
//! the same hash, and 1.7 KB less gzip in the wasm module. What SipHash's random keys buy, resistance to chosen collisions, is
//! not there on `wasm32-unknown-unknown` anyway (no entropy source: the keys are fixed), and the worst a service
//! that chose colliding ids could do is slow its own listing.

/// A set of strings (ids, links) that only grows.
#[derive(Debug, Clone, Default)]
pub(crate) struct IdSet {
    /// Where each entry is: `0` for an empty slot, `n` for `strings[n - 1]`. Empty, or a power of two long and
    /// at least twice as long as `strings`, so that probing always ends at an empty slot.
    slots: Vec<usize>,
    /// The hash of each string, at the same position.
    hashes: Vec<u64>,
    /// The strings in insertion order.
    strings: Vec<String>,
}

/// An odd constant with well-mixed bits (the one FxHash uses).
const K: u64 = 0x517c_c1b7_2722_0a95;

/// A multiply-rotate hash over bytes, in the manner of rustc's FxHash (one round per byte: ids are short). The
/// table takes the top bits, where the multiplications have mixed in every byte.
#[inline]
#[cfg_attr(mde_size, optimize(speed))]
fn hash(bytes: &[u8]) -> u64 {
    hash_from(0, bytes)
}

/// The hash `h` continued over `bytes`.
#[inline]
#[cfg_attr(mde_size, optimize(speed))]
fn hash_from(mut h: u64, bytes: &[u8]) -> u64 {
    // Four bytes a turn, then the rest: the same steps as one loop over the bytes, unrolled by hand for
    // mde-core's size build, which unrolls no loop.
    let mut quads = bytes.chunks_exact(4);
    for q in &mut quads {
        for &b in q {
            h = (h.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }
    for &b in quads.remainder() {
        h = (h.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
    }
    h
}

/// The first slot to probe for `hash` in a table of `len` slots (a power of two, at least 2).
#[inline]
fn home(hash: u64, len: usize) -> usize {
    (hash >> (64 - len.trailing_zeros())) as usize
}

impl IdSet {
    /// Makes room for `additional` more strings without growing the table while they go in.
    pub(crate) fn reserve(&mut self, additional: usize) {
        let needed = self.strings.len().saturating_add(additional);
        if needed.saturating_mul(2) > self.slots.len() {
            self.grow(needed);
        }
        self.hashes.reserve(additional);
        self.strings.reserve(additional);
    }

    /// The strings, in the order they went in.
    pub(crate) fn as_slice(&self) -> &[String] {
        &self.strings
    }

    /// Adds `id`; `false` if it was there already.
    // Not `#[inline]`: one copy in the wasm module (in mde-core, for the page walk, the watch and the followed
    // links), `optimize(speed)` with the hash unrolled by hand, where `#[inline]` gave mde-wasm a copy of its own.
    #[cfg_attr(mde_size, optimize(speed))]
    pub(crate) fn insert(&mut self, id: String) -> bool {
        if (self.strings.len() + 1) * 2 > self.slots.len() {
            self.grow(self.strings.len() + 1);
        }
        let h = hash(id.as_bytes());
        let mask = self.slots.len() - 1;
        let mut at = home(h, self.slots.len());
        loop {
            match self.slots[at] {
                0 => break,
                n => {
                    if self.hashes[n - 1] == h && self.strings[n - 1] == id {
                        return false;
                    }
                }
            }
            at = (at + 1) & mask;
        }
        self.hashes.push(h);
        self.strings.push(id);
        self.slots[at] = self.strings.len();
        true
    }

    /// A table for at least `count` entries (twice as many slots, at least 16), with the entries placed again.
    #[cold]
    #[inline(never)]
    fn grow(&mut self, count: usize) {
        let len = count.saturating_mul(2).max(16).next_power_of_two();
        let mut slots = vec![0; len];
        for (n, h) in self.hashes.iter().enumerate() {
            let mut at = home(*h, len);
            while slots[at] != 0 {
                at = (at + 1) & (len - 1);
            }
            slots[at] = n + 1;
        }
        self.slots = slots;
    }
}

impl FromIterator<String> for IdSet {
    fn from_iter<I: IntoIterator<Item = String>>(iter: I) -> IdSet {
        let mut set = IdSet::default();
        for id in iter {
            set.insert(id);
        }
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashSet;

    impl IdSet {
        fn contains(&self, id: &str) -> bool {
            self.strings.iter().any(|s| s == id)
        }
    }

    #[test]
    fn deduplicates_like_a_set() {
        let mut set = IdSet::default();
        assert!(set.insert("1".to_owned()));
        assert!(!set.insert("1".to_owned()));
        assert!(set.insert("10".to_owned()));
        assert!(set.insert(String::new()));
        assert!(!set.insert(String::new()));
        assert!(set.contains("10") && !set.contains("2"));
        let collected: IdSet = ["a", "b", "a"].map(str::to_owned).into_iter().collect();
        assert_eq!(collected.as_slice(), ["a", "b"]);
    }

    #[test]
    fn spreads_typical_ids() {
        for ids in [
            (1..=100_000u64).map(|i| i.to_string()).collect::<Vec<_>>(),
            (0..100_000u64).map(|i| format!("da637{:014}_-{}", i * 7919, i % 977)).collect(),
        ] {
            let mut hashes: Vec<u64> = ids.iter().map(|id| hash(id.as_bytes())).collect();
            let mut buckets = vec![0u32; 4096];
            for &h in &hashes {
                buckets[home(h, 4096)] += 1;
            }
            let share = ids.len() as u32 / 4096;
            assert!(buckets.iter().all(|&n| n <= 3 * share + 8), "max {:?}", buckets.iter().max());
            hashes.sort_unstable();
            hashes.dedup();
            assert_eq!(hashes.len(), ids.len());
        }
    }

    /// Ids drawn from a small alphabet, so that repeats and shared prefixes are common.
    fn ids() -> impl Strategy<Value = Vec<String>> {
        proptest::collection::vec("[ab1_-]{0,4}", 0..300)
    }

    proptest! {
        /// Oracle: the hash as one loop over the bytes.
        #[test]
        fn the_unrolled_hash_is_the_byte_loop(bytes in proptest::collection::vec(any::<u8>(), 0..40), h in any::<u64>()) {
            let mut expected = h;
            for &b in &bytes {
                expected = (expected.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
            }
            prop_assert_eq!(hash_from(h, &bytes), expected);
        }

        /// Inserting answers as the standard `HashSet` does, whatever the reservations in between, and the set
        /// then holds exactly the distinct strings, in the order of their first insertion.
        #[test]
        fn behaves_as_a_hash_set(ids in ids(), reserve_every in 1..50usize, reserve in 0..40usize) {
            let mut set = IdSet::default();
            let mut oracle = HashSet::new();
            let mut first_seen = Vec::new();
            for (i, id) in ids.iter().enumerate() {
                if i % reserve_every == 0 {
                    set.reserve(reserve);
                }
                let new = oracle.insert(id.clone());
                if new {
                    first_seen.push(id.clone());
                }
                prop_assert_eq!(set.insert(id.clone()), new, "{}", id);
            }
            for id in &oracle {
                prop_assert!(set.contains(id));
            }
            prop_assert_eq!(set.as_slice(), first_seen.as_slice());
            prop_assert_eq!(set.hashes.len(), oracle.len());
            prop_assert!(set.slots.is_empty() || set.slots.len() >= 2 * set.strings.len());
        }
    }
}
