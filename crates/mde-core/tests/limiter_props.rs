//! Property tests for `RateLimiter` against a brute-force oracle that keeps the full call history and
//! re-counts every window from its definition.

use std::time::Duration;

use mde_core::limiter::{Decision, RateLimitConfig, RateLimiter, Window};
use proptest::prelude::*;

/// Knows every call ever sent and the latest `Retry-After` end; counts by scanning everything.
struct Oracle {
    /// (limit, effective length W + margin in ms, server length W in ms)
    windows: Vec<(usize, u64, u64)>,
    history: Vec<u64>,
    blocked_until: u64,
}

impl Oracle {
    fn new(config: &RateLimitConfig) -> Oracle {
        let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap();
        let windows = config.windows.iter().map(|w| (w.limit as usize, ms(w.length + config.margin), ms(w.length)));
        Oracle { windows: windows.collect(), history: Vec::new(), blocked_until: 0 }
    }

    /// Calls in `(t - length, t]`, by scanning the whole history.
    fn count(&self, t: u64, length: u64) -> usize {
        self.history.iter().filter(|&&e| e <= t && e + length > t).count()
    }

    fn fits(&self, t: u64) -> bool {
        t >= self.blocked_until && self.windows.iter().all(|&(limit, length, _)| self.count(t, length) < limit)
    }

    /// The first millisecond at or after `t` when a call fits, by stepping forward one millisecond at a time.
    fn earliest_fit_by_steps(&self, t: u64) -> u64 {
        (t..).find(|&at| self.fits(at)).unwrap()
    }

    /// The same, for large windows: the earliest fit is `t`, the block's end, or a moment a call leaves a
    /// window; try those in order.
    fn earliest_fit_by_candidates(&self, t: u64) -> u64 {
        let leaving = self.history.iter().flat_map(|&e| self.windows.iter().map(move |&(_, length, _)| e + length));
        let mut candidates: Vec<u64> = leaving.chain([t, self.blocked_until]).filter(|&c| c >= t).collect();
        candidates.sort_unstable();
        candidates.into_iter().find(|&c| self.fits(c)).unwrap()
    }

    /// Checks, right after a call at `t` was recorded, that no window holds more than its limit, counted with
    /// the client's effective length and with the server's plain length. (The fullest span of any length
    /// ends at a call, so checking at every call checks every span.)
    fn assert_within_limits(&self, t: u64) {
        for &(limit, length, server_length) in &self.windows {
            assert!(self.count(t, length) <= limit, "{} calls in ({}, {t}]", self.count(t, length), t - length);
            assert!(self.count(t, server_length) <= limit);
        }
    }
}

#[derive(Debug, Clone)]
enum Op {
    /// Time passes, then one call wants to go out.
    Arrive(u64),
    /// Several calls want to go out at the same moment.
    Burst(u8),
    /// The server answers with a `Retry-After` of this many milliseconds.
    RetryAfter(u64),
    /// A call goes out without asking (a driver that ignores the limiter), after this gap.
    Force(u64),
    /// The state is exported and a new limiter imported from it (an extension's worker restarts).
    Reload,
}

fn small_config() -> impl Strategy<Value = RateLimitConfig> {
    let window = (1u32..6, 1u64..300).prop_map(|(limit, length)| Window::new(limit, Duration::from_millis(length)));
    (prop::collection::vec(window, 1..4), 0u64..20)
        .prop_map(|(windows, margin)| RateLimitConfig { windows, margin: Duration::from_millis(margin) })
}

fn ops(max_gap: u64, max_burst: u8, max_retry_after: u64, force: bool) -> impl Strategy<Value = Vec<Op>> {
    let op = prop_oneof![
        6 => (0..max_gap).prop_map(Op::Arrive),
        2 => (1..max_burst).prop_map(Op::Burst),
        1 => (0..max_retry_after).prop_map(Op::RetryAfter),
        if force { 2 } else { 0 } => (0..max_gap).prop_map(Op::Force),
        1 => Just(Op::Reload),
    ];
    prop::collection::vec(op, 1..80)
}

/// Pumps the limiter like a driver would (on `Wait(d)`, sleep `d` and ask again) and compares every answer
/// with the oracle. With `force`, calls also go out unasked, so only the answers are compared, not the limits.
fn run(config: RateLimitConfig, ops: Vec<Op>, start: u64, by_steps: bool) {
    let mut limiter = RateLimiter::new(config.clone());
    let mut oracle = Oracle::new(&config);
    let mut now = start;
    let mut forced = false;
    let earliest = |oracle: &Oracle, t| {
        if by_steps {
            oracle.earliest_fit_by_steps(t)
        } else {
            oracle.earliest_fit_by_candidates(t)
        }
    };
    let acquire = |limiter: &mut RateLimiter, oracle: &mut Oracle, now: &mut u64, forced: bool| {
        for _ in 0..2 {
            let expected = earliest(oracle, *now);
            assert_eq!(oracle.fits(*now), expected == *now);
            match limiter.try_acquire(*now) {
                Decision::SendNow => {
                    assert_eq!(expected, *now, "sent at {now} but the oracle says the call fits only at {expected}");
                    oracle.history.push(*now);
                    if !forced {
                        oracle.assert_within_limits(*now);
                    }
                    return;
                }
                Decision::Wait(wait) => {
                    let wait = u64::try_from(wait.as_millis()).unwrap();
                    assert!(wait > 0);
                    assert_eq!(*now + wait, expected, "at {now}: told to wait {wait} ms, oracle says {expected}");
                    *now += wait;
                }
            }
        }
        panic!("still not allowed to send after waiting as told");
    };
    for op in ops {
        match op {
            Op::Arrive(gap) => {
                now += gap;
                acquire(&mut limiter, &mut oracle, &mut now, forced);
            }
            Op::Burst(n) => {
                for _ in 0..n {
                    acquire(&mut limiter, &mut oracle, &mut now, forced);
                }
            }
            Op::RetryAfter(wait) => {
                limiter.on_retry_after(now, Duration::from_millis(wait));
                oracle.blocked_until = oracle.blocked_until.max(now + wait);
            }
            Op::Force(gap) => {
                now += gap;
                limiter.record(now);
                oracle.history.push(now);
                forced = true;
            }
            Op::Reload => {
                let state = limiter.export();
                limiter = RateLimiter::import(config.clone(), &state).unwrap();
                assert_eq!(limiter.export(), state, "export(import(s)) == s");
            }
        }
        // Usage agrees with the oracle's counts too.
        // (After calls that went out unasked, the limiter remembers only the newest `largest limit` calls.)
        let largest = oracle.windows.iter().map(|w| w.0).max().unwrap();
        let remembered = &oracle.history[oracle.history.len().saturating_sub(largest)..];
        for (usage, &(limit, length, _)) in limiter.usage(now).iter().zip(&oracle.windows) {
            assert_eq!(usage.limit as usize, limit);
            assert_eq!(usage.used as usize, oracle.count(now, length).min(largest));
            let oldest = remembered.iter().copied().find(|&e| e + length > now);
            let resets_in = oldest.map_or(0, |e| e + length - now);
            assert_eq!(usage.resets_in, Duration::from_millis(resets_in));
        }
    }
}

const T0: u64 = 1_700_000_000_000;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Small random windows, random gaps, bursts, retry-afters and restarts: every answer is exactly the
    /// oracle's (SendNow when the call fits, otherwise the wait until the first millisecond it fits), and no
    /// window ever holds more than its limit.
    #[test]
    fn small_windows_match_the_oracle(config in small_config(), ops in ops(400, 8, 600, false)) {
        run(config, ops, T0, true);
    }

    /// Calls that go out without asking overfill windows; the answers still match the oracle (which is what
    /// lets the limiter keep only the newest calls).
    #[test]
    fn forced_calls_match_the_oracle(config in small_config(), ops in ops(200, 8, 300, true)) {
        run(config, ops, T0, true);
    }

    /// Near the epoch, times are small: windows reaching before zero must not underflow.
    #[test]
    fn near_the_epoch(config in small_config(), ops in ops(50, 4, 100, false)) {
        run(config, ops, 0, true);
    }

    /// A corrupted state string is a typed error, never a panic.
    #[test]
    fn import_never_panics(state in "(l1:)?[0-9a-z:,A-Z+-]{0,40}", any in ".{0,40}") {
        let _ = RateLimiter::import(RateLimitConfig::default(), &state);
        let _ = RateLimiter::import(RateLimitConfig::default(), &any);
    }

    /// Any order of calls at any times (the clock jumping back and forth, up to the end of u64): no panic, and
    /// the answers stay consistent: after `Wait(d)` the call fits at `t + d` and not a millisecond earlier.
    #[test]
    fn arbitrary_times_never_panic(
        config in small_config(),
        steps in prop::collection::vec((prop_oneof![any::<u64>(), T0..T0 + 2_000, u64::MAX - 500..=u64::MAX], 0u8..4), 1..60),
    ) {
        let mut limiter = RateLimiter::new(config.clone());
        for (t, what) in steps {
            match what {
                0 => limiter.record(t),
                1 => limiter.on_retry_after(t, Duration::from_millis(t % 1_000)),
                2 => {
                    let state = limiter.export();
                    limiter = RateLimiter::import(config.clone(), &state).unwrap();
                }
                _ => {
                    let _ = limiter.usage(t);
                    if let Decision::Wait(wait) = limiter.try_acquire(t) {
                        let wait = u64::try_from(wait.as_millis()).unwrap();
                        prop_assert!(wait > 0);
                        prop_assert!(limiter.check(t + wait - 1) != Decision::SendNow);
                        if t.checked_add(wait).is_some_and(|end| end < u64::MAX) {
                            prop_assert_eq!(limiter.check(t + wait), Decision::SendNow);
                        }
                    }
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// The real configuration (100 / 60 s and 1,500 / 3,600 s, +1 s) through bursts long enough to fill the
    /// hour window.
    #[test]
    fn default_config_matches_the_oracle(ops in ops(20_000, 120, 150_000, false)) {
        run(RateLimitConfig::default(), ops, T0, false);
    }
}

/// A long deterministic run of the default configuration at full speed: the hour window fills after 1,500
/// calls and then admits calls exactly as old ones leave it.
#[test]
fn default_config_sustained_load() {
    let ops = vec![Op::Burst(250); 8];
    run(RateLimitConfig::default(), ops, T0, false);
}
