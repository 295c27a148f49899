//! `RateLimiter`: an exact sliding-window log over several windows, plus the server's `Retry-After`.
//!
//! The service allows 100 calls per minute and 1,500 per hour. A token bucket or GCRA (the `governor` crate)
//! admits up to about twice the limit within some moving window, which earns 429s; this limiter instead
//! remembers when each recent call went out and answers exactly.
//!
//! # Semantics
//! Each window has a limit `L` and an effective length `W' = W + margin` (rounded up to whole milliseconds;
//! see [`RateLimitConfig`] for why the margin). A call at time `t` (milliseconds since the Unix epoch) **fits**
//! when
//! - for every window, fewer than `L` recorded calls lie in `(t - W', t]`, and
//! - `t >= blocked_until`, the end of the latest `Retry-After` the server sent.
//!
//! [`RateLimiter::check`] answers [`Decision::SendNow`] when the call fits, and otherwise
//! [`Decision::Wait`] with the exact time until the earliest moment it fits: for each full window the
//! `(count - L + 1)`-th oldest call in it leaves at its time `+ W'`, and the answer is the latest of those and
//! `blocked_until`. Recording a call when told `SendNow` therefore never puts more than `L` calls into any
//! span of length `W'` (and so none into the server's shorter span `W`).
//!
//! Clocks may go backwards (a restored state from a machine whose clock ran ahead, a corrected system
//! clock): a recorded call that lies *after* `t` is counted as if it were inside every window, so a
//! backwards clock never lets out an extra call; nothing panics or underflows. Times near `u64::MAX`
//! saturate.
//!
//! # Cost
//! The log is one sorted `Vec<u64>` holding at most the largest window limit of calls (only the newest
//! `L` calls can ever decide a window with limit `L`): [`check`](RateLimiter::check) is O(number of windows),
//! [`record`](RateLimiter::record) amortised O(1) while time moves forward.
//!
//! # Example
//! ```
//! use std::time::Duration;
//! use mde_core::limiter::{Decision, RateLimitConfig, RateLimiter};
//!
//! let mut limiter = RateLimiter::new(RateLimitConfig::default()); // 100 / 60 s and 1,500 / 3,600 s, +1 s
//! let t0 = 1_700_000_000_000;
//! for i in 0..100 {
//!     assert_eq!(limiter.try_acquire(t0 + i), Decision::SendNow);
//! }
//! // The 101st call waits until the first one leaves the 61-second window.
//! assert_eq!(limiter.try_acquire(t0 + 100), Decision::Wait(Duration::from_millis(60_900)));
//! // The server says "Retry-After: 120": nothing goes out for two minutes, whatever the windows say.
//! limiter.on_retry_after(t0 + 100, Duration::from_secs(120));
//! assert_eq!(limiter.check(t0 + 61_000), Decision::Wait(Duration::from_millis(59_100)));
//! // An extension's service worker can save the state and restore it later.
//! let saved = limiter.export();
//! let restored = RateLimiter::import(RateLimitConfig::default(), &saved).unwrap();
//! assert_eq!(restored.check(t0 + 120_100), Decision::SendNow);
//! ```

mod codec;
mod config;

use std::time::Duration;

use crate::checked::times;

pub use codec::LimiterStateError;
pub use config::{LimitConfigError, RateLimitConfig, Window, MAX_LIMIT, MAX_WINDOWS};

/// The longest block a `Retry-After` puts on the limiter when its windows are all shorter: an hour, the service's
/// longest window (1,500 calls an hour:
/// <https://learn.microsoft.com/en-us/defender-endpoint/api/get-all-investigations#limitations>).
pub const MAX_BLOCK: Duration = Duration::from_secs(3_600);

/// May a call go out now?
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[must_use = "a decision says whether the call may go out now"]
pub enum Decision {
    /// The call fits now.
    SendNow,
    /// The call fits after this long (at least one millisecond), and not earlier.
    Wait(Duration),
}

/// One window's state at some moment, for a dashboard gauge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WindowUsage {
    /// Calls counted in the window (its effective length, margin included). The limiter remembers at most the
    /// largest limit of calls, so after calls that went out without asking, a count above that is capped.
    pub used: u32,
    /// The window's limit.
    pub limit: u32,
    /// The window's configured length, without the margin (what a label shows: "100 / 60 s").
    pub length: Duration,
    /// Time until the oldest counted call leaves the window; zero when the window is empty.
    pub resets_in: Duration,
}

/// A window as the limiter enforces it.
#[derive(Debug, Clone, Copy)]
struct Span {
    limit: usize,
    /// Effective length `W + margin`, rounded up to whole milliseconds, at least 1.
    length_ms: u64,
}

/// The exact dual-window limiter (see the [module documentation](self) for the semantics).
#[derive(Debug, Clone)]
pub struct RateLimiter {
    config: RateLimitConfig,
    spans: Vec<Span>,
    /// Send times, sorted ascending; at most `keep` of them.
    log: Vec<u64>,
    /// The largest limit: how many calls can matter.
    keep: usize,
    /// The longest effective window: older calls are pruned.
    longest_ms: u64,
    blocked_until: Option<u64>,
}

impl RateLimiter {
    /// A limiter with no calls recorded and no block.
    ///
    /// It does not validate `config` (call [`RateLimitConfig::validate`] for a typed error); out-of-range
    /// values are clamped instead of panicking: only the first [`MAX_WINDOWS`] windows count, limits are
    /// clamped to `1..=`[`MAX_LIMIT`], lengths to at least 1 ms. With no windows only `Retry-After` limits.
    pub fn new(config: RateLimitConfig) -> RateLimiter {
        let windows = &config.windows[..config.windows.len().min(MAX_WINDOWS)];
        let mut spans = Vec::with_capacity(windows.len());
        let (mut keep, mut longest_ms) = (0, 0);
        for w in windows {
            let span = Span {
                limit: w.limit.clamp(1, MAX_LIMIT) as usize,
                length_ms: ceil_millis(w.length.saturating_add(config.margin)).max(1),
            };
            keep = keep.max(span.limit);
            longest_ms = longest_ms.max(span.length_ms);
            spans.push(span);
        }
        RateLimiter { config, spans, log: Vec::with_capacity(keep.min(4_096)), keep, longest_ms, blocked_until: None }
    }

    /// The configuration this limiter was built with.
    pub fn config(&self) -> &RateLimitConfig {
        &self.config
    }

    /// May a call go out at `now_ms`? `SendNow`, or exactly how long until it may.
    pub fn check(&self, now_ms: u64) -> Decision {
        let at = self.next_send_at(now_ms);
        if at <= now_ms {
            Decision::SendNow
        } else {
            Decision::Wait(Duration::from_millis(at - now_ms))
        }
    }

    /// The earliest time at or after `now_ms` when a call fits (`now_ms` itself when it fits now).
    pub fn next_send_at(&self, now_ms: u64) -> u64 {
        let mut at = now_ms.max(self.blocked_until.unwrap_or(0));
        for span in &self.spans {
            // Only the newest `limit` calls can fill a window: it is full exactly when the `limit`-th newest
            // call is still in it, and then fits again when that call leaves.
            if let Some(index) = self.log.len().checked_sub(span.limit) {
                let oldest_that_matters = self.log[index];
                if in_window(oldest_that_matters, now_ms, span.length_ms) {
                    at = at.max(oldest_that_matters.saturating_add(span.length_ms));
                }
            }
        }
        at
    }

    /// Records that a call went out at `now_ms`, whether or not [`check`](Self::check) allowed it. Also forgets
    /// calls that have left the longest window, and a `Retry-After` block that has ended.
    pub fn record(&mut self, now_ms: u64) {
        if self.blocked_until.is_some_and(|until| until <= now_ms) {
            self.blocked_until = None;
        }
        if self.keep == 0 {
            return;
        }
        // Calls that have left the longest window are a prefix of the sorted log; the new call is not among them.
        let stale = self.log.partition_point(|&time| !in_window(time, now_ms, self.longest_ms));
        match self.log.last() {
            Some(&last) if last > now_ms => {
                // The clock went backwards: keep the log sorted.
                let index = self.log.partition_point(|&time| time <= now_ms);
                self.log.insert(index, now_ms);
            }
            _ => self.log.push(now_ms),
        }
        // Forget the stale calls, and the oldest beyond the `keep` newest, in one move.
        let excess = self.log.len().saturating_sub(self.keep);
        self.log.drain(..stale.max(excess));
    }

    /// [`check`](Self::check), and [`record`](Self::record) the call when the answer is `SendNow`.
    pub fn try_acquire(&mut self, now_ms: u64) -> Decision {
        let decision = self.check(now_ms);
        if decision == Decision::SendNow {
            self.record(now_ms);
        }
        decision
    }

    /// The server asked (at `now_ms`) to wait `wait` (rounded up to whole milliseconds): no call fits before
    /// `now_ms + wait`. An earlier, later-ending block is kept; a zero wait changes nothing.
    ///
    /// The block lasts at most [`MAX_BLOCK`] or the longest window, whichever is longer: a longer `Retry-After`
    /// cannot be about the quota this limiter keeps, and a broken or hostile header must not stop every later
    /// call (and a saved or shared state) for years. The operation that received it still sees the whole wait.
    pub fn on_retry_after(&mut self, now_ms: u64, wait: Duration) {
        let until = now_ms.saturating_add(ceil_millis(wait).min(self.longest_ms.max(ceil_millis(MAX_BLOCK))));
        if until > now_ms {
            self.blocked_until = Some(self.blocked_until.map_or(until, |b| b.max(until)));
        }
    }

    /// The end of the current `Retry-After` block, in milliseconds since the Unix epoch, if there is one. It
    /// may lie in the past; it is forgotten when a call is recorded after it.
    pub fn blocked_until(&self) -> Option<u64> {
        self.blocked_until
    }

    /// Each window's usage at `now_ms`, in configuration order.
    pub fn usage(&self, now_ms: u64) -> Vec<WindowUsage> {
        self.spans
            .iter()
            .zip(&self.config.windows)
            .map(|(span, window)| {
                let first = self.log.partition_point(|&time| !in_window(time, now_ms, span.length_ms));
                let used = self.log.len() - first;
                let resets_in = self
                    .log
                    .get(first)
                    .map_or(0, |&oldest| oldest.saturating_add(span.length_ms).saturating_sub(now_ms));
                WindowUsage {
                    used: u32::try_from(used).unwrap_or(u32::MAX),
                    limit: span.limit as u32,
                    length: window.length,
                    resets_in: Duration::from_millis(resets_in),
                }
            })
            .collect()
    }

    /// The state (recent call times and the `Retry-After` block) as a compact, versioned string such as
    /// `l1:lq2x8k0g:lq2x5p1c,1a,0,k2`; the configuration is not included. See [`import`](Self::import).
    pub fn export(&self) -> String {
        codec::encode(self.blocked_until, &self.log)
    }

    /// A limiter with `config` and the state from [`export`](Self::export). Calls beyond what `config` can
    /// need (more than its largest limit) are dropped, oldest first. Garbage gives a typed error.
    pub fn import(config: RateLimitConfig, state: &str) -> Result<RateLimiter, LimiterStateError> {
        let mut limiter = RateLimiter::new(config);
        let (blocked_until, log) = codec::decode(state, limiter.keep)?;
        limiter.blocked_until = blocked_until;
        limiter.log = log;
        Ok(limiter)
    }
}

/// Does a call at `time` count in the window of length `length_ms` ending at `now` (`(now - length, now]`)?
/// A call after `now` (the clock went backwards) counts.
fn in_window(time: u64, now: u64, length_ms: u64) -> bool {
    time > now || now - time < length_ms
}

/// Whole milliseconds, rounded up, saturating at `u64::MAX`.
fn ceil_millis(d: Duration) -> u64 {
    // `as_millis` is 128-bit arithmetic in the wasm module (see `checked`).
    times(d.as_secs(), 1_000).map_or(u64::MAX, |ms| ms.saturating_add(u64::from(d.subsec_nanos().div_ceil(1_000_000))))
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: u64 = 1_700_000_000_000;

    fn small() -> RateLimitConfig {
        RateLimitConfig {
            windows: vec![Window::new(2, Duration::from_millis(100)), Window::new(3, Duration::from_millis(1_000))],
            margin: Duration::from_millis(10),
        }
    }

    fn wait(ms: u64) -> Decision {
        Decision::Wait(Duration::from_millis(ms))
    }

    #[test]
    fn short_window_then_long_window() {
        let mut l = RateLimiter::new(small());
        assert_eq!(l.try_acquire(T0), Decision::SendNow);
        assert_eq!(l.try_acquire(T0 + 5), Decision::SendNow);
        assert_eq!(l.try_acquire(T0 + 6), wait(104), "first call leaves the 110 ms window at T0 + 110");
        assert_eq!(l.try_acquire(T0 + 109), wait(1));
        assert_eq!(l.try_acquire(T0 + 110), Decision::SendNow);
        // Three calls in the 1,010 ms window: the next fits when the first leaves it.
        assert_eq!(l.check(T0 + 200), wait(810));
        assert_eq!(l.check(T0 + 1_010), Decision::SendNow);
    }

    #[test]
    fn retry_after_blocks_and_keeps_the_later_end() {
        let mut l = RateLimiter::new(small());
        l.on_retry_after(T0, Duration::from_millis(500));
        assert_eq!(l.blocked_until(), Some(T0 + 500));
        l.on_retry_after(T0 + 10, Duration::from_millis(100));
        assert_eq!(l.blocked_until(), Some(T0 + 500), "an earlier end does not shorten the block");
        l.on_retry_after(T0 + 10, Duration::from_micros(500_001));
        assert_eq!(l.blocked_until(), Some(T0 + 511), "rounded up to whole milliseconds");
        assert_eq!(l.check(T0 + 20), wait(491));
        assert_eq!(l.try_acquire(T0 + 511), Decision::SendNow);
        assert_eq!(l.blocked_until(), None, "forgotten once a call went out after it");
        l.on_retry_after(T0 + 600, Duration::ZERO);
        assert_eq!(l.blocked_until(), None);
        l.on_retry_after(u64::MAX - 1, Duration::MAX);
        assert_eq!(l.blocked_until(), Some(u64::MAX));
    }

    /// A `Retry-After` of years (a broken or hostile header) blocks for an hour, or the longest window when that
    /// is longer, not for years: the saved and the shared state would keep the block.
    #[test]
    fn a_block_lasts_at_most_an_hour_or_the_longest_window() {
        let hour = 3_600_000;
        let mut l = RateLimiter::new(small());
        l.on_retry_after(T0, Duration::from_secs(3 * 365 * 86_400));
        assert_eq!(l.blocked_until(), Some(T0 + hour));
        l.on_retry_after(T0, Duration::MAX);
        assert_eq!(l.blocked_until(), Some(T0 + hour));
        let mut own = RateLimiter::new(RateLimitConfig { windows: vec![], ..RateLimitConfig::default() });
        own.on_retry_after(T0, Duration::MAX);
        assert_eq!(own.blocked_until(), Some(T0 + hour), "without windows too");
        let mut service = RateLimiter::new(RateLimitConfig::default());
        service.on_retry_after(T0, Duration::from_secs(3_000));
        assert_eq!(service.blocked_until(), Some(T0 + 3_000_000), "a wait within the bound is kept whole");
        let day = Window { limit: 10, length: Duration::from_secs(86_400) };
        let mut daily = RateLimiter::new(RateLimitConfig { windows: vec![day], margin: Duration::ZERO });
        daily.on_retry_after(T0, Duration::MAX);
        assert_eq!(daily.blocked_until(), Some(T0 + 86_400_000), "the longest window when longer than an hour");
    }

    #[test]
    fn usage_reports_each_window() {
        let mut l = RateLimiter::new(small());
        l.record(T0);
        l.record(T0 + 50);
        let usage = l.usage(T0 + 60);
        assert_eq!(
            usage,
            [
                WindowUsage {
                    used: 2,
                    limit: 2,
                    length: Duration::from_millis(100),
                    resets_in: Duration::from_millis(50)
                },
                WindowUsage {
                    used: 2,
                    limit: 3,
                    length: Duration::from_millis(1_000),
                    resets_in: Duration::from_millis(950)
                },
            ]
        );
        let usage = l.usage(T0 + 110);
        assert_eq!((usage[0].used, usage[0].resets_in), (1, Duration::from_millis(50)));
        let usage = l.usage(T0 + 5_000);
        assert_eq!((usage[1].used, usage[1].resets_in), (0, Duration::ZERO));
    }

    #[test]
    fn memory_is_bounded_by_the_largest_limit() {
        let mut l = RateLimiter::new(small());
        for i in 0..50 {
            l.record(T0 + i);
        }
        assert_eq!(l.log.len(), 3);
        l.record(T0 + 10_000);
        assert_eq!(l.log.len(), 1, "calls older than the longest window are pruned");
    }

    #[test]
    fn backwards_clock_is_conservative() {
        let mut l = RateLimiter::new(small());
        l.record(T0 + 1_000);
        l.record(T0 + 1_001);
        // Seen from an earlier clock the two calls are "in the future": they count.
        assert_eq!(l.check(T0), wait(1_110));
        l.record(T0 + 500); // recorded anyway, e.g. by a driver that ignored the answer
        assert_eq!(l.log, [T0 + 500, T0 + 1_000, T0 + 1_001]);
        assert_eq!(l.check(0), wait(T0 + 1_510), "the long window is full too");
        assert_eq!(l.check(u64::MAX), Decision::SendNow);
        let usage = l.usage(0);
        assert_eq!(usage[0].used, 3);
    }

    #[test]
    fn export_and_import() {
        let mut l = RateLimiter::new(small());
        assert_eq!(l.export(), "l1::");
        l.record(36);
        l.record(37);
        l.on_retry_after(37, Duration::from_millis(35));
        assert_eq!(l.export(), "l1:20:10,1");
        let restored = RateLimiter::import(small(), "l1:20:10,1").unwrap();
        assert_eq!(restored.blocked_until(), Some(72));
        assert_eq!(restored.check(40), l.check(40));
        assert_eq!(restored.check(40), wait(106));
        assert_eq!(RateLimiter::import(small(), "junk").unwrap_err(), LimiterStateError::UnknownVersion);
        // A smaller configuration keeps only the calls it can need.
        let one = RateLimitConfig { windows: vec![Window::new(1, Duration::from_millis(5))], margin: Duration::ZERO };
        let restored = RateLimiter::import(one, "l1::10,1,1,1").unwrap();
        assert_eq!(restored.export(), "l1::13");
    }

    #[test]
    fn invalid_configurations_do_not_panic() {
        let none = RateLimitConfig { windows: vec![], margin: Duration::ZERO };
        let mut l = RateLimiter::new(none);
        for _ in 0..10 {
            assert_eq!(l.try_acquire(T0), Decision::SendNow);
        }
        assert_eq!(l.export(), "l1::");
        assert!(l.usage(T0).is_empty());
        let zero = RateLimitConfig { windows: vec![Window::new(0, Duration::ZERO)], margin: Duration::ZERO };
        let mut l = RateLimiter::new(zero);
        assert_eq!(l.try_acquire(T0), Decision::SendNow, "limit clamped to 1 per 1 ms");
        assert_eq!(l.try_acquire(T0), wait(1));
        let huge = RateLimitConfig { windows: vec![Window::new(u32::MAX, Duration::MAX)], margin: Duration::MAX };
        let mut l = RateLimiter::new(huge);
        assert_eq!(l.try_acquire(u64::MAX), Decision::SendNow);
        assert_eq!(l.usage(0)[0].limit, MAX_LIMIT);
    }

    proptest::proptest! {
        /// Oracle: the same rounding in `u128` milliseconds.
        #[test]
        fn ceil_millis_rounds_up_and_saturates(secs in proptest::prop_oneof![0u64..100_000, proptest::num::u64::ANY], nanos in 0u32..1_000_000_000) {
            let d = Duration::new(secs, nanos);
            let expected = u64::try_from(d.as_millis() + u128::from(nanos % 1_000_000 != 0)).unwrap_or(u64::MAX);
            proptest::prop_assert_eq!(ceil_millis(d), expected);
        }
    }
}
