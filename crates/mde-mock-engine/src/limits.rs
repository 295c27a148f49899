//! The service's rate limits, per token, over two windows: by default 100 calls a minute and 1,500 an hour.
//!
//! Rules (the service's, as documented, made exact):
//! - every authenticated call to `/api/` that is not itself throttled counts: `200`s, but also `400`s for a
//!   bad query, `404`s and injected faults, as the service counts calls, not successes;
//! - a call is throttled when either window already holds its limit; the answer is `429` with the time
//!   until the window frees a slot (`retry_after_ms`); the mock sends it as `Retry-After` (whole seconds,
//!   rounded up, at least 1) and `retry-after-ms` (exact);
//! - a throttled call does not count and does not push the end of the ban further: a call that comes back
//!   before that end is throttled again with the time that is left, and one at or after it is admitted
//!   (unless calls admitted meanwhile filled the window again);
//! - [`Window::Sliding`] (default) counts the calls of the last 60 s / 3,600 s; [`Window::Fixed`] counts
//!   calls in fixed slots that start when the mock starts (or is reset);
//! - both window lengths are multiplied by the time scale: with `0.01` a minute lasts 600 ms.
//!
//! Time comes in as milliseconds from a monotonic clock: the limiter itself reads no clock.

use std::collections::{HashMap, VecDeque};

/// How the windows move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Window {
    /// The last minute and the last hour before each call (the default).
    #[default]
    Sliding,
    /// Consecutive minutes and hours counted from the mock's start.
    Fixed,
}

impl std::str::FromStr for Window {
    type Err = String;

    fn from_str(s: &str) -> Result<Window, String> {
        match s {
            "sliding" => Ok(Window::Sliding),
            "fixed" => Ok(Window::Fixed),
            other => Err(format!("unknown window `{other}`: expected `sliding` or `fixed`")),
        }
    }
}

/// The configuration of the limiter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LimitConfig {
    /// Calls allowed per (scaled) minute.
    pub per_minute: u32,
    /// Calls allowed per (scaled) hour.
    pub per_hour: u32,
    /// Sliding or fixed windows.
    pub window: Window,
    /// Multiplies both window lengths.
    pub time_scale: f64,
}

impl LimitConfig {
    /// Length of the minute window in milliseconds, after scaling (at least 1).
    pub fn minute_ms(&self) -> u64 {
        scaled(60_000, self.time_scale)
    }

    /// `ms` multiplied by the time scale, rounded, at least 1.
    pub fn scaled_ms(&self, ms: u64) -> u64 {
        scaled(ms, self.time_scale)
    }

    /// Length of the hour window in milliseconds, after scaling (at least 1).
    pub fn hour_ms(&self) -> u64 {
        scaled(3_600_000, self.time_scale)
    }
}

fn scaled(ms: u64, scale: f64) -> u64 {
    let v = (ms as f64 * scale).round();
    if v.is_finite() && v >= 1.0 {
        v.min(u64::MAX as f64 / 4.0) as u64
    } else {
        1
    }
}

/// What the limiter says about one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Admitted, and counted.
    Admitted,
    /// Throttled: come back in this many milliseconds.
    Throttled {
        /// Milliseconds until the call would be admitted (at least 1).
        retry_after_ms: u64,
    },
}

#[derive(Debug, Default)]
struct TokenState {
    /// Sliding: times of admitted calls within the last hour, oldest first.
    calls: VecDeque<u64>,
    /// Fixed: (slot number, calls in it) for the minute and the hour.
    minute_slot: (u64, u32),
    hour_slot: (u64, u32),
    /// No call is admitted before this time.
    blocked_until: u64,
}

/// Per-token dual-window limiter.
#[derive(Debug)]
pub struct Limiter {
    config: LimitConfig,
    tokens: HashMap<String, TokenState>,
}

impl Limiter {
    /// A limiter with no calls counted yet.
    pub fn new(config: LimitConfig) -> Limiter {
        Limiter { config, tokens: HashMap::new() }
    }

    /// Forgets every call (the admin reset).
    pub fn reset(&mut self) {
        self.tokens.clear();
    }

    /// Makes `token` wait until `until_ms` (an injected `429`): calls before then are throttled.
    pub fn block(&mut self, token: &str, until_ms: u64) {
        let state = self.tokens.entry(token.to_string()).or_default();
        state.blocked_until = state.blocked_until.max(until_ms);
    }

    /// Decides about one call of `token` at `now_ms`, and counts it when admitted.
    pub fn check(&mut self, token: &str, now_ms: u64) -> Verdict {
        let config = self.config;
        let state = match self.tokens.get_mut(token) {
            Some(s) => s,
            None => self.tokens.entry(token.to_string()).or_default(),
        };
        if now_ms < state.blocked_until {
            return Verdict::Throttled { retry_after_ms: state.blocked_until - now_ms };
        }
        let retry_at = match config.window {
            Window::Sliding => sliding(&config, state, now_ms),
            Window::Fixed => fixed(&config, state, now_ms),
        };
        match retry_at {
            Some(at) => {
                state.blocked_until = at;
                Verdict::Throttled { retry_after_ms: at.saturating_sub(now_ms).max(1) }
            }
            None => Verdict::Admitted,
        }
    }
}

/// Returns when a slot frees if the call is throttled; otherwise counts it.
fn sliding(config: &LimitConfig, state: &mut TokenState, now: u64) -> Option<u64> {
    let (minute, hour) = (config.minute_ms(), config.hour_ms());
    while state.calls.front().is_some_and(|t| t + hour <= now) {
        state.calls.pop_front();
    }
    let len = state.calls.len();
    let first_in_minute = state.calls.partition_point(|t| t + minute <= now);
    let in_minute = len - first_in_minute;
    let mut retry_at: Option<u64> = None;
    let per_minute = config.per_minute as usize;
    let per_hour = config.per_hour as usize;
    if in_minute >= per_minute {
        // The oldest `in_minute - per_minute + 1` calls of the window must leave it.
        let t = state.calls.get(len.saturating_sub(per_minute.max(1))).copied().unwrap_or(now);
        retry_at = Some(t + minute);
    }
    if len >= per_hour {
        let t = state.calls.get(len.saturating_sub(per_hour.max(1))).copied().unwrap_or(now);
        retry_at = Some(retry_at.map_or(t + hour, |r| r.max(t + hour)));
    }
    if retry_at.is_none() {
        state.calls.push_back(now);
    }
    retry_at
}

fn fixed(config: &LimitConfig, state: &mut TokenState, now: u64) -> Option<u64> {
    let (minute, hour) = (config.minute_ms(), config.hour_ms());
    let (m_slot, h_slot) = (now / minute, now / hour);
    if state.minute_slot.0 != m_slot {
        state.minute_slot = (m_slot, 0);
    }
    if state.hour_slot.0 != h_slot {
        state.hour_slot = (h_slot, 0);
    }
    let mut retry_at: Option<u64> = None;
    if state.minute_slot.1 >= config.per_minute {
        retry_at = Some((m_slot + 1) * minute);
    }
    if state.hour_slot.1 >= config.per_hour {
        let at = (h_slot + 1) * hour;
        retry_at = Some(retry_at.map_or(at, |r| r.max(at)));
    }
    if retry_at.is_none() {
        state.minute_slot.1 += 1;
        state.hour_slot.1 += 1;
    }
    retry_at
}

/// The `Retry-After` header value for a wait: whole seconds, rounded up, at least 1.
pub fn retry_after_seconds(retry_after_ms: u64) -> u64 {
    retry_after_ms.div_ceil(1000).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(window: Window) -> LimitConfig {
        LimitConfig { per_minute: 3, per_hour: 5, window, time_scale: 1.0 }
    }

    /// Oracle: count admitted calls in the half-open windows `(now - W, now]`, by brute force.
    fn oracle_admits(admitted: &[u64], now: u64, c: &LimitConfig) -> bool {
        let in_window = |w: u64| admitted.iter().filter(|t| **t + w > now).count();
        in_window(c.minute_ms()) < c.per_minute as usize && in_window(c.hour_ms()) < c.per_hour as usize
    }

    #[test]
    fn sliding_admits_exactly_what_the_windows_allow() {
        let c = config(Window::Sliding);
        let mut limiter = Limiter::new(c);
        let mut admitted = Vec::new();
        let mut blocked_until = 0;
        let mut rng = crate::rng::SplitMix64::new(3);
        let mut now = 0;
        for _ in 0..2_000 {
            now += rng.below(30_000);
            let verdict = limiter.check("t", now);
            let expected = now >= blocked_until && oracle_admits(&admitted, now, &c);
            assert_eq!(verdict == Verdict::Admitted, expected, "at {now}");
            match verdict {
                Verdict::Admitted => admitted.push(now),
                Verdict::Throttled { retry_after_ms } => {
                    // The slot really frees at that time, not before.
                    let at = now + retry_after_ms;
                    assert!(oracle_admits(&admitted, at, &c));
                    assert!(retry_after_ms == 1 || !oracle_admits(&admitted, at - 1, &c) || at - 1 < blocked_until);
                    blocked_until = blocked_until.max(at);
                }
            }
        }
    }

    #[test]
    fn early_retries_are_throttled_again_without_extending_the_ban() {
        let mut limiter = Limiter::new(config(Window::Sliding));
        for t in 0..3 {
            assert_eq!(limiter.check("t", t), Verdict::Admitted);
        }
        assert_eq!(limiter.check("t", 10), Verdict::Throttled { retry_after_ms: 59_990 });
        assert_eq!(limiter.check("t", 30_000), Verdict::Throttled { retry_after_ms: 30_000 });
        assert_eq!(limiter.check("t", 59_999), Verdict::Throttled { retry_after_ms: 1 });
        assert_eq!(limiter.check("t", 60_000), Verdict::Admitted);
        // Another token is not affected.
        assert_eq!(limiter.check("u", 60_000), Verdict::Admitted);
    }

    #[test]
    fn the_hour_window_binds_too() {
        let mut limiter = Limiter::new(config(Window::Sliding));
        let mut now = 0;
        for _ in 0..5 {
            assert_eq!(limiter.check("t", now), Verdict::Admitted);
            now += 61_000;
        }
        // 5 calls in the hour: throttled until the first leaves the hour window.
        assert_eq!(limiter.check("t", now), Verdict::Throttled { retry_after_ms: 3_600_000 - now });
    }

    #[test]
    fn fixed_windows_reset_at_slot_boundaries() {
        let mut limiter = Limiter::new(config(Window::Fixed));
        for t in [59_000, 59_100, 59_200] {
            assert_eq!(limiter.check("t", t), Verdict::Admitted);
        }
        assert_eq!(limiter.check("t", 59_300), Verdict::Throttled { retry_after_ms: 700 });
        assert_eq!(limiter.check("t", 60_000), Verdict::Admitted);
    }

    #[test]
    fn scale_shortens_windows_and_retry_after_rounds_up() {
        let c = LimitConfig { per_minute: 1, per_hour: 100, window: Window::Sliding, time_scale: 0.01 };
        assert_eq!(c.minute_ms(), 600);
        let mut limiter = Limiter::new(c);
        assert_eq!(limiter.check("t", 0), Verdict::Admitted);
        assert_eq!(limiter.check("t", 100), Verdict::Throttled { retry_after_ms: 500 });
        assert_eq!(retry_after_seconds(500), 1);
        assert_eq!(retry_after_seconds(1000), 1);
        assert_eq!(retry_after_seconds(1001), 2);
        assert_eq!(retry_after_seconds(0), 1);
    }
}
