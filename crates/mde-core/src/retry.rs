//! `RetryPolicy`: what to do after an attempt failed.
//!
//! | What happened                                   | Decision                                                |
//! |-------------------------------------------------|---------------------------------------------------------|
//! | 429                                             | wait `Retry-After` (or [`RetryPolicy::default_retry_after`]); longer than [`RetryPolicy::max_retry_after`]: give up with [`GiveUpReason::RetryAfterTooLong`] |
//! | 500, 502, 503, 504, 408, transport error, a 200 whose body is truncated or undecodable | exponential backoff with full jitter; a `Retry-After` on the response is honoured when longer (and capped like a 429's) |
//! | 401, first time                                 | [`RetryDecision::RefreshToken`]: get a fresh token and retry at once (unless [`RetryPolicy::refresh_token`] is `false`: give up) |
//! | 401 after a refresh                             | give up: [`GiveUpReason::Unauthorized`]                 |
//! | 400, 403, 404 and any other status              | give up at once: [`GiveUpReason::NotRetryable`]         |
//!
//! Every retry, the token refresh included, is a new attempt and counts towards
//! [`RetryPolicy::max_attempts`]: once the attempt that failed is the last allowed one, the decision is
//! [`GiveUpReason::AttemptsExhausted`] (unless an earlier row already gave up for its own reason), so no
//! sequence of failures retries forever.
//!
//! The policy decides only; the driver waits. A wait should also go to the rate limiter
//! ([`RateLimiter::on_retry_after`](crate::limiter::RateLimiter::on_retry_after)) when it comes from the
//! server, so no other call goes out before it either.

use std::time::Duration;

use crate::checked::times;
use crate::jitter::Jitter;

/// How many times to try and how long to wait in between.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RetryPolicy {
    /// Total attempts, the first one included (default 6). Zero is treated as one: never retry.
    pub max_attempts: u32,
    /// The backoff cap for the first retry, doubled for each further one (default 500 ms).
    pub base_delay: Duration,
    /// The largest backoff cap (default 30 s).
    pub max_delay: Duration,
    /// The longest server-requested wait the client accepts (default 5 min); beyond it the operation gives up
    /// with [`GiveUpReason::RetryAfterTooLong`] so the caller can decide (show "throttled, try again at ...").
    pub max_retry_after: Duration,
    /// The wait after a 429 without a usable `Retry-After` (default 60 s). The limits are shared by every
    /// client of the same application and tenant, so a 429 that our own limiter did not prevent means someone
    /// else spent the quota; a minute lets the per-minute window roll over entirely.
    pub default_retry_after: Duration,
    /// Whether a 401 is worth a fresh token (default `true`). `false` for a token that cannot change (a fixed
    /// string): the first 401 gives up with [`GiveUpReason::Unauthorized`] instead of sending the same token
    /// again, which would only spend a call of the quota.
    pub refresh_token: bool,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 6,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(300),
            default_retry_after: Duration::from_secs(60),
            refresh_token: true,
        }
    }
}

/// What went wrong with one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Failure {
    /// The server answered with a non-success status (and perhaps asked to wait, from `Retry-After` or
    /// `retry-after-ms`; see [`retry_after_from_headers`](crate::retry_after::retry_after_from_headers)).
    Status {
        /// The HTTP status code.
        status: u16,
        /// The wait the response's headers asked for, if any.
        retry_after: Option<Duration>,
    },
    /// The request did not complete: network error, reset connection, timeout, aborted response.
    Transport,
    /// A success status whose body was truncated or could not be decoded.
    InvalidBody,
}

/// Why a retry waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WaitReason {
    /// The server asked for the wait (`Retry-After`, `retry-after-ms`, or the 429 default).
    RetryAfter,
    /// Exponential backoff with jitter.
    Backoff,
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[must_use = "a decision says whether to retry, refresh the token, or give up"]
pub enum RetryDecision {
    /// Try again after `after`.
    Retry {
        /// How long to wait before the next attempt.
        after: Duration,
        /// Where the wait comes from.
        reason: WaitReason,
    },
    /// Get a fresh token, then try again at once (this is the next attempt).
    RefreshToken,
    /// Stop and report the failure.
    GiveUp(GiveUpReason),
}

/// Why the operation stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum GiveUpReason {
    /// A status that retrying cannot fix: 400, 403, 404 and every status not listed as retryable.
    NotRetryable,
    /// A 401 again after the token was refreshed.
    Unauthorized,
    /// The server asked to wait longer than [`RetryPolicy::max_retry_after`]; the requested wait.
    RetryAfterTooLong(Duration),
    /// The failed attempt was the last one allowed.
    AttemptsExhausted,
}

/// How a failure is handled.
enum Class {
    Fatal,
    Unauthorized,
    Throttled(Option<Duration>),
    Transient(Option<Duration>),
}

fn classify(failure: &Failure) -> Class {
    match *failure {
        Failure::Status { status: 429, retry_after } => Class::Throttled(retry_after),
        Failure::Status { status: 401, .. } => Class::Unauthorized,
        Failure::Status { status: 408 | 500 | 502 | 503 | 504, retry_after } => Class::Transient(retry_after),
        Failure::Status { .. } => Class::Fatal,
        Failure::Transport | Failure::InvalidBody => Class::Transient(None),
    }
}

impl RetryPolicy {
    /// The decision after attempt number `attempt` (1-based: 1 is the first try) failed with `failure`.
    /// `token_already_refreshed` tells whether this operation has already refreshed its token once. `jitter`
    /// is drawn from only when the decision is a backoff retry.
    pub fn decide(
        &self,
        attempt: u32,
        failure: &Failure,
        token_already_refreshed: bool,
        jitter: &mut Jitter,
    ) -> RetryDecision {
        let attempts_left = attempt.max(1) < self.max_attempts.max(1);
        let exhausted = RetryDecision::GiveUp(GiveUpReason::AttemptsExhausted);
        let (throttled, retry_after) = match classify(failure) {
            Class::Fatal => return RetryDecision::GiveUp(GiveUpReason::NotRetryable),
            Class::Unauthorized if token_already_refreshed || !self.refresh_token => {
                return RetryDecision::GiveUp(GiveUpReason::Unauthorized)
            }
            Class::Unauthorized if attempts_left => return RetryDecision::RefreshToken,
            Class::Unauthorized => return exhausted,
            Class::Throttled(retry_after) => (true, Some(retry_after.unwrap_or(self.default_retry_after))),
            Class::Transient(retry_after) => (false, retry_after),
        };
        // A 429 always waits as asked (or the default); a transient failure waits as asked only when that is
        // longer than its backoff.
        match retry_after {
            Some(wait) if wait > self.max_retry_after => RetryDecision::GiveUp(GiveUpReason::RetryAfterTooLong(wait)),
            _ if !attempts_left => exhausted,
            _ => {
                let backoff = if throttled { Duration::ZERO } else { self.backoff(attempt, jitter) };
                match retry_after {
                    Some(wait) if throttled || wait > backoff => {
                        RetryDecision::Retry { after: wait, reason: WaitReason::RetryAfter }
                    }
                    _ => RetryDecision::Retry { after: backoff, reason: WaitReason::Backoff },
                }
            }
        }
    }

    /// The backoff after attempt number `attempt` failed, with "full jitter": uniform in
    /// `[0, min(max_delay, base_delay * 2^(attempt - 1))]`, in whole microseconds (sub-microsecond parts of
    /// `base_delay` and `max_delay` are dropped). Attempt 0 counts as 1; huge attempt numbers saturate at
    /// `max_delay` without overflow.
    pub fn backoff(&self, attempt: u32, jitter: &mut Jitter) -> Duration {
        let exponent = attempt.max(1) - 1;
        let base = micros(self.base_delay);
        let grown = doubled(base, exponent);
        let cap = if base == 0 { 0 } else { grown.min(micros(self.max_delay)) };
        Duration::from_micros(jitter.up_to(cap))
    }
}

/// `base * 2^exponent`, saturating at `u64::MAX`, with the overflow ruled out by a comparison (`saturating_mul`
/// is a 128-bit multiply in the wasm module).
fn doubled(base: u64, exponent: u32) -> u64 {
    if exponent >= 64 || base > u64::MAX >> exponent {
        u64::MAX
    } else {
        base << exponent
    }
}

/// Whole microseconds, rounded down, saturating at `u64::MAX`.
fn micros(d: Duration) -> u64 {
    // `as_micros` is 128-bit arithmetic in the wasm module (see `checked`).
    times(d.as_secs(), 1_000_000).map_or(u64::MAX, |us| us.saturating_add(u64::from(d.subsec_micros())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(status: u16, retry_after: Option<u64>) -> Failure {
        Failure::Status { status, retry_after: retry_after.map(Duration::from_secs) }
    }

    fn decide(attempt: u32, failure: Failure, refreshed: bool) -> RetryDecision {
        RetryPolicy::default().decide(attempt, &failure, refreshed, &mut Jitter::from_seed(1))
    }

    fn give_up(reason: GiveUpReason) -> RetryDecision {
        RetryDecision::GiveUp(reason)
    }

    #[test]
    fn throttled_waits_for_retry_after() {
        let retry = |secs| RetryDecision::Retry { after: Duration::from_secs(secs), reason: WaitReason::RetryAfter };
        assert_eq!(decide(1, status(429, Some(7)), false), retry(7));
        assert_eq!(decide(1, status(429, Some(0)), false), retry(0));
        assert_eq!(decide(1, status(429, Some(300)), false), retry(300), "the cap itself is accepted");
        assert_eq!(decide(1, status(429, None), false), retry(60), "no header: the default");
        assert_eq!(
            decide(1, status(429, Some(301)), false),
            give_up(GiveUpReason::RetryAfterTooLong(Duration::from_secs(301)))
        );
        assert_eq!(decide(5, status(429, Some(7)), false), retry(7));
        assert_eq!(decide(6, status(429, Some(7)), false), give_up(GiveUpReason::AttemptsExhausted));
        let no_default = RetryPolicy { default_retry_after: Duration::from_secs(600), ..RetryPolicy::default() };
        assert_eq!(
            no_default.decide(1, &status(429, None), false, &mut Jitter::from_seed(1)),
            give_up(GiveUpReason::RetryAfterTooLong(Duration::from_secs(600)))
        );
    }

    #[test]
    fn transient_failures_back_off() {
        for failure in [
            status(500, None),
            status(502, None),
            status(503, None),
            status(504, None),
            status(408, None),
            Failure::Transport,
            Failure::InvalidBody,
        ] {
            for attempt in 1..=5 {
                let RetryDecision::Retry { after, reason: WaitReason::Backoff } = decide(attempt, failure, false)
                else {
                    panic!("{failure:?} at attempt {attempt} should back off");
                };
                let cap = Duration::from_millis(500 * (1 << (attempt - 1))).min(Duration::from_secs(30));
                assert!(after <= cap, "{failure:?}: {after:?} > {cap:?}");
            }
            assert_eq!(decide(6, failure, false), give_up(GiveUpReason::AttemptsExhausted));
            assert_eq!(decide(60, failure, true), give_up(GiveUpReason::AttemptsExhausted));
        }
    }

    #[test]
    fn transient_failures_honour_a_longer_retry_after() {
        let retry = |secs| RetryDecision::Retry { after: Duration::from_secs(secs), reason: WaitReason::RetryAfter };
        assert_eq!(decide(1, status(503, Some(20)), false), retry(20), "longer than the 500 ms cap");
        assert!(matches!(
            decide(1, status(503, Some(0)), false),
            RetryDecision::Retry { reason: WaitReason::Backoff, .. }
        ));
        assert_eq!(
            decide(1, status(503, Some(3_600)), false),
            give_up(GiveUpReason::RetryAfterTooLong(Duration::from_secs(3_600)))
        );
    }

    #[test]
    fn client_errors_fail_at_once() {
        for code in [400, 403, 404, 405, 409, 410, 413, 422, 451, 501, 505, 200, 302, 0, u16::MAX] {
            assert_eq!(decide(1, status(code, Some(1)), false), give_up(GiveUpReason::NotRetryable), "{code}");
        }
    }

    #[test]
    fn unauthorized_refreshes_once() {
        assert_eq!(decide(1, status(401, None), false), RetryDecision::RefreshToken);
        assert_eq!(decide(2, status(401, None), true), give_up(GiveUpReason::Unauthorized));
        let fixed = RetryPolicy { refresh_token: false, ..RetryPolicy::default() };
        let first = fixed.decide(1, &status(401, None), false, &mut Jitter::from_seed(1));
        assert_eq!(first, give_up(GiveUpReason::Unauthorized), "a token that cannot change is not sent twice");
        assert_eq!(decide(6, status(401, None), false), give_up(GiveUpReason::AttemptsExhausted));
        assert_eq!(decide(6, status(401, None), true), give_up(GiveUpReason::Unauthorized));
    }

    #[test]
    fn zero_attempts_means_one() {
        let policy = RetryPolicy { max_attempts: 0, ..RetryPolicy::default() };
        let mut jitter = Jitter::from_seed(1);
        assert_eq!(policy.decide(1, &Failure::Transport, false, &mut jitter), give_up(GiveUpReason::AttemptsExhausted));
        assert_eq!(policy.decide(0, &Failure::Transport, false, &mut jitter), give_up(GiveUpReason::AttemptsExhausted));
    }

    #[test]
    fn giving_up_draws_no_jitter() {
        let mut jitter = Jitter::from_seed(9);
        // Only the jitter matters here: giving up, and waiting what the server asked, draw none.
        let _ = RetryPolicy::default().decide(6, &Failure::Transport, false, &mut jitter);
        let _ = RetryPolicy::default().decide(1, &status(429, Some(1)), false, &mut jitter);
        assert_eq!(jitter, Jitter::from_seed(9));
    }

    #[test]
    fn backoff_edges() {
        let policy = RetryPolicy::default();
        let mut jitter = Jitter::from_seed(3);
        for attempt in [0, 1, 2, 7, 63, 64, 65, 1_000, u32::MAX] {
            assert!(policy.backoff(attempt, &mut jitter) <= Duration::from_secs(30));
        }
        let zero = RetryPolicy { base_delay: Duration::ZERO, ..RetryPolicy::default() };
        assert_eq!(zero.backoff(40, &mut jitter), Duration::ZERO);
        let huge = RetryPolicy { base_delay: Duration::MAX, max_delay: Duration::MAX, ..RetryPolicy::default() };
        huge.backoff(u32::MAX, &mut jitter);
    }

    proptest::proptest! {
        /// Oracle: the 128-bit arithmetic of `as_micros`, saturated to `u64`.
        #[test]
        fn micros_agrees_with_u128_arithmetic(
            secs in proptest::prop_oneof![0..100_000u64, u64::MAX / 1_000_000 - 2..=u64::MAX / 1_000_000 + 2, proptest::num::u64::ANY],
            nanos in 0..1_000_000_000u32,
        ) {
            let d = Duration::new(secs, nanos);
            proptest::prop_assert_eq!(micros(d), u64::try_from(d.as_micros()).unwrap_or(u64::MAX));
        }

        /// Oracle: `saturating_mul`, as the backoff computed it before.
        #[test]
        fn doubled_agrees_with_saturating_mul(base in proptest::num::u64::ANY, small in 0..4u64, exponent in 0u32..80) {
            for base in [base, small, base >> (exponent % 64)] {
                let expected = if exponent >= 64 { u64::MAX } else { base.saturating_mul(1u64 << exponent) };
                proptest::prop_assert_eq!(doubled(base, exponent), expected);
            }
        }
    }
}
