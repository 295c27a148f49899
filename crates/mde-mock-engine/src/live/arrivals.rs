//! When investigations arrive: a Poisson process of `rate` arrivals per world hour, drawn slot by slot.
//!
//! World time after the start is cut into slots (one minute, or `1 / rate` hours when that is longer, so that a
//! slot holds 1 to 60 arrivals on average). Slot `k`'s arrivals (how many, when, and the seed of each one's
//! fields) come from a hash of `(seed, k)` alone: never from when the mock was called. A slot is drawn once,
//! when the world's time reaches its start.
//!
//! **Bound.** One advance draws the slots of at most [`MAX_SPAN_ARRIVALS`] arrivals' worth of world time (500
//! hours at the default rate): when the world was left alone longer than that (a mock idle for hours at a
//! small time scale), the slots before that span are skipped (nothing arrived then) and counted in
//! `skipped_ms`. Only then does the world depend on when it was called.

use crate::rng::{mix, SplitMix64};

/// Arrivals per world hour by default: one every three minutes on average.
pub const DEFAULT_RATE: f64 = 20.0;
/// The highest rate (one a second on average).
pub const MAX_RATE: f64 = 3_600.0;
/// One advance draws the arrivals of at most this many arrivals' worth of world time (see the module's docs).
pub const MAX_SPAN_ARRIVALS: f64 = 10_000.0;

const HOUR_MS: f64 = 3_600_000.0;
const MIN_SLOT_MS: i64 = 60_000;
/// Mixed into the seed for the arrivals.
const ARRIVAL_SALT: u64 = 0xA771_7A15_0000_0002;

/// One arrival drawn from its slot, not yet applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Draft {
    /// When, in world ms since the Unix epoch.
    pub at_ms: i64,
    /// Its slot.
    pub slot: u64,
    /// Its place among the slot's arrivals, in the order drawn.
    pub index: u32,
    /// The seed of its fields (id step, machine, alert, sub-millisecond ticks).
    pub seed: u64,
}

/// The slots of a world.
#[derive(Debug, Clone, PartialEq)]
pub struct Arrivals {
    seed: u64,
    /// Length of a slot in ms; 0 when nothing arrives (rate 0).
    slot_ms: i64,
    /// Arrivals per slot, on average.
    mean: f64,
    /// World ms at which slot 0 starts (the world's start).
    origin_ms: i64,
    /// The first slot not drawn yet.
    next_slot: u64,
    /// The most world time one advance draws.
    span_ms: i64,
}

impl Arrivals {
    /// The arrivals of a world that starts at `origin_ms`, at `rate` per world hour (0 to [`MAX_RATE`]).
    pub fn new(seed: u64, rate: f64, origin_ms: i64) -> Arrivals {
        let (slot_ms, mean, span_ms) = if rate > 0.0 {
            let slot_ms = ((HOUR_MS / rate) as i64).max(MIN_SLOT_MS);
            let span_ms = (MAX_SPAN_ARRIVALS / rate * HOUR_MS) as i64;
            (slot_ms, rate * slot_ms as f64 / HOUR_MS, span_ms.max(slot_ms))
        } else {
            (0, 0.0, 0)
        };
        Arrivals { seed, slot_ms, mean, origin_ms, next_slot: 0, span_ms }
    }

    fn slot_start(&self, slot: u64) -> i64 {
        let offset = i64::try_from(slot).unwrap_or(i64::MAX).saturating_mul(self.slot_ms);
        self.origin_ms.saturating_add(offset)
    }

    /// Draws every slot that starts before `to_ms` and was not drawn yet (skipping what lies beyond the
    /// bound), appending its arrivals to `out`; returns the world ms skipped.
    pub fn draw_until(&mut self, to_ms: i64, out: &mut Vec<Draft>) -> u64 {
        if self.slot_ms == 0 || to_ms <= self.slot_start(self.next_slot) {
            return 0;
        }
        // The slot that holds `to_ms - 1`: every slot that starts before `to_ms` is drawn.
        let last = ((to_ms - 1 - self.origin_ms) / self.slot_ms) as u64;
        let mut skipped = 0;
        let keep_from = to_ms.saturating_sub(self.span_ms);
        if keep_from > self.slot_start(self.next_slot) {
            let first_kept = ((keep_from - self.origin_ms) / self.slot_ms) as u64;
            if first_kept > self.next_slot {
                skipped = (self.slot_start(first_kept) - self.slot_start(self.next_slot)) as u64;
                self.next_slot = first_kept;
            }
        }
        for slot in self.next_slot..=last {
            self.draw_slot(slot, out);
        }
        self.next_slot = last + 1;
        skipped
    }

    /// Slot `slot`'s arrivals, in the order drawn (the world's queue puts them in time order): each at a time
    /// within `(start, start + slot]`.
    fn draw_slot(&self, slot: u64, out: &mut Vec<Draft>) {
        let mut rng = SplitMix64::new(mix(mix(self.seed ^ ARRIVAL_SALT) ^ mix(slot)));
        let n = poisson(&mut rng, self.mean);
        let start = self.slot_start(slot);
        out.extend((0..n).map(|index| Draft {
            at_ms: start.saturating_add(1 + rng.below(self.slot_ms as u64) as i64),
            slot,
            index,
            seed: rng.next_u64(),
        }));
    }
}

/// A Poisson draw of mean `mean` (at most 60 here) by inversion; bounded so that a rounding error cannot loop.
fn poisson(rng: &mut SplitMix64, mean: f64) -> u32 {
    if mean <= 0.0 {
        return 0;
    }
    let u = rng.unit();
    let mut p = (-mean).exp();
    let mut cumulative = p;
    let mut k = 0u32;
    let bound = (mean * 10.0) as u32 + 20;
    while u >= cumulative && k < bound {
        k += 1;
        p *= mean / f64::from(k);
        cumulative += p;
    }
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 1_795_000_000_000;

    #[test]
    fn drawing_in_pieces_or_at_once_gives_the_same_arrivals() {
        let mut whole = Arrivals::new(3, 20.0, T);
        let mut all = Vec::new();
        whole.draw_until(T + 10 * 3_600_000, &mut all);
        let mut pieces = Arrivals::new(3, 20.0, T);
        let mut parts = Vec::new();
        for step in 1..=600 {
            pieces.draw_until(T + step * 60_000, &mut parts);
        }
        assert_eq!(all, parts);
        assert!(all
            .iter()
            .all(|d| d.at_ms > T + d.slot as i64 * 180_000 && d.at_ms <= T + (d.slot as i64 + 1) * 180_000));
        // 200 on average over 10 hours.
        assert!((130..=270).contains(&all.len()), "{}", all.len());
    }

    #[test]
    fn the_mean_follows_the_rate_and_poisson_is_poisson() {
        // Poisson(2.5) against its known moments, over 200,000 draws: mean 2.5, variance 2.5.
        let mut rng = SplitMix64::new(11);
        let draws: Vec<f64> = (0..200_000).map(|_| f64::from(poisson(&mut rng, 2.5))).collect();
        let mean = draws.iter().sum::<f64>() / draws.len() as f64;
        let var = draws.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / draws.len() as f64;
        assert!((mean - 2.5).abs() < 0.05 && (var - 2.5).abs() < 0.1, "{mean} {var}");
        assert_eq!(poisson(&mut rng, 0.0), 0);
        assert_eq!(Arrivals::new(1, 20.0, T).slot_ms, 180_000);
        assert_eq!(Arrivals::new(1, 600.0, T).slot_ms, 60_000);
        let mut none = Arrivals::new(1, 0.0, T);
        let mut out = Vec::new();
        assert_eq!(none.draw_until(T + 1_000_000_000, &mut out), 0);
        assert!(out.is_empty());
    }

    #[test]
    fn a_long_idle_world_draws_only_the_last_span() {
        let mut a = Arrivals::new(5, 20.0, T);
        let mut out = Vec::new();
        let year = 365 * 24 * 3_600_000;
        let skipped = a.draw_until(T + year, &mut out);
        let span = 500 * 3_600_000;
        assert!(skipped as i64 >= year - span - 180_000 && skipped as i64 <= year - span, "{skipped}");
        assert!((9_000..=11_000).contains(&out.len()), "{}", out.len());
        assert!(out.iter().all(|d| d.at_ms > T + year - span - 180_000));
        // The slots kept are the same as when drawn one by one.
        let mut b = Arrivals::new(5, 20.0, T);
        let mut steady = Vec::new();
        for h in 1..=(365 * 24) {
            b.draw_until(T + h * 3_600_000, &mut steady);
        }
        let tail: Vec<Draft> = steady.into_iter().filter(|d| d.slot >= out[0].slot).collect();
        assert_eq!(tail, out);
    }
}
