//! One request to the API, with everything around it: the rate limiter's permission, attempts, `Retry-After`,
//! exponential backoff and the one token refresh after a 401. [`crate::listing::Listing`] runs one per page and
//! [`crate::get::GetInvestigation`] one in all; both share the driver-facing types defined here.

use std::time::Duration;

use crate::base_url::UrlError;
use crate::checked::times;
use crate::decode::{body_too_large, decode_service_error, DecodeError, MAX_BODY_BYTES};
use crate::error::{Error, HttpError};
use crate::jitter::Jitter;
use crate::limiter::{Decision, RateLimiter};
use crate::retry::{Failure, GiveUpReason, RetryDecision, RetryPolicy, WaitReason};
use crate::retry_after::retry_after_from_headers;

/// A request the driver must send now: `GET url` with `Authorization: Bearer <token>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The absolute URL, always on the configured origin.
    pub url: String,
    /// 1 for the first try of this request, then 2, 3, ...
    pub attempt: u32,
    /// The previous attempt got a 401: fetch a fresh token (bypass any cache) before sending.
    pub refresh_token: bool,
}

/// What the driver got back: status, the two throttling headers and the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Response<'a> {
    /// HTTP status.
    pub status: u16,
    /// The `Retry-After` header, if present.
    pub retry_after: Option<&'a str>,
    /// The `retry-after-ms` header, if present.
    pub retry_after_ms: Option<&'a str>,
    /// The body. One longer than [`MAX_BODY_BYTES`](crate::decode::MAX_BODY_BYTES) fails the request with
    /// [`Error::InvalidResponse`], whatever the status; a driver stops reading there and reports
    /// `handle_body_too_large` instead of passing such a body.
    pub body: &'a [u8],
}

/// Why the driver must wait before polling again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WaitCause {
    /// The client's own limiter: sending now would exceed 100 per minute or 1,500 per hour.
    RateLimit,
    /// The service answered 429 and asked to wait.
    RetryAfter,
    /// Backing off after a failure (5xx, network, broken body).
    Backoff,
}

impl WaitCause {
    /// The cause's name as in the JS API: `rateLimit`, `retryAfter`, `backoff`.
    pub fn as_str(self) -> &'static str {
        match self {
            WaitCause::RateLimit => "rateLimit",
            WaitCause::RetryAfter => "retryAfter",
            WaitCause::Backoff => "backoff",
        }
    }
}

/// What an exchange needs from its owner to decide on retries.
pub(crate) struct RetryContext<'a> {
    pub policy: &'a RetryPolicy,
    pub jitter: &'a mut Jitter,
}

pub(crate) enum Step {
    Send(Request),
    Wait { duration: Duration, cause: WaitCause },
}

pub(crate) enum Handled<'a> {
    /// A 2xx: here is the body.
    Success(&'a [u8]),
    /// Will retry; poll again.
    Retrying,
    /// Gave up.
    Failed(Error),
}

#[derive(Debug, Clone)]
enum Phase {
    Ready,
    InFlight,
    Backoff { until_ms: u64, cause: WaitCause },
}

/// The attempts at one URL.
#[derive(Debug, Clone)]
pub(crate) struct Exchange {
    url: String,
    attempt: u32,
    refreshed: bool,
    refresh_next: bool,
    phase: Phase,
}

pub(crate) const MISUSE_POLL: &str = "poll() while a request is in flight: report its outcome first";
pub(crate) const MISUSE_HANDLE: &str = "a response or transport error was reported while no request was in flight";

impl Exchange {
    pub(crate) fn new(url: String) -> Exchange {
        Exchange { url, attempt: 1, refreshed: false, refresh_next: false, phase: Phase::Ready }
    }

    pub(crate) fn is_in_flight(&self) -> bool {
        matches!(self.phase, Phase::InFlight)
    }

    pub(crate) fn poll(&mut self, now_ms: u64, limiter: &mut RateLimiter) -> Result<Step, Error> {
        match self.phase {
            Phase::InFlight => return Err(Error::Misuse { message: MISUSE_POLL }),
            Phase::Backoff { until_ms, cause } if now_ms < until_ms => {
                return Ok(Step::Wait { duration: Duration::from_millis(until_ms - now_ms), cause });
            }
            Phase::Backoff { .. } | Phase::Ready => {}
        }
        match limiter.try_acquire(now_ms) {
            Decision::SendNow => {
                self.phase = Phase::InFlight;
                let refresh_token = std::mem::take(&mut self.refresh_next);
                Ok(Step::Send(Request { url: self.url.clone(), attempt: self.attempt, refresh_token }))
            }
            Decision::Wait(duration) => {
                let cause = if limiter.blocked_until().is_some_and(|t| t > now_ms) {
                    WaitCause::RetryAfter
                } else {
                    WaitCause::RateLimit
                };
                self.phase = Phase::Ready;
                Ok(Step::Wait { duration, cause })
            }
        }
    }

    pub(crate) fn handle_response<'a>(
        &mut self,
        now_ms: u64,
        limiter: &mut RateLimiter,
        ctx: RetryContext<'_>,
        response: &Response<'a>,
    ) -> Handled<'a> {
        if !self.is_in_flight() {
            return Handled::Failed(Error::Misuse { message: MISUSE_HANDLE });
        }
        if response.body.len() > MAX_BODY_BYTES {
            return Handled::Failed(Error::InvalidResponse(body_too_large()));
        }
        if (200..300).contains(&response.status) {
            return Handled::Success(response.body);
        }
        let retry_after = retry_after_from_headers(response.retry_after, response.retry_after_ms, now_ms);
        if response.status == 429 {
            limiter.on_retry_after(now_ms, retry_after.unwrap_or(ctx.policy.default_retry_after));
        }
        let Err(reason) = self.retry(now_ms, ctx, Failure::Status { status: response.status, retry_after }) else {
            return Handled::Retrying;
        };
        let http = HttpError { status: response.status, service: decode_service_error(response.body) };
        Handled::Failed(match response.status {
            401 => Error::Unauthorized(http),
            403 => Error::Forbidden(http),
            404 => Error::NotFound(http),
            429 => Error::Throttled {
                retry_after: match reason {
                    GiveUpReason::RetryAfterTooLong(d) => Some(d),
                    _ => retry_after,
                },
                http,
            },
            408 | 500..=599 => Error::Server(http),
            0 | 300..=399 => Error::ForeignOrigin(UrlError::Redirect { status: response.status }),
            _ => Error::BadRequest(http),
        })
    }

    pub(crate) fn handle_transport_error(
        &mut self,
        now_ms: u64,
        ctx: RetryContext<'_>,
        message: &str,
    ) -> Handled<'static> {
        if !self.is_in_flight() {
            return Handled::Failed(Error::Misuse { message: MISUSE_HANDLE });
        }
        match self.retry(now_ms, ctx, Failure::Transport) {
            Ok(()) => Handled::Retrying,
            Err(_) => Handled::Failed(Error::Network { message: message.to_owned() }),
        }
    }

    /// A response whose body is longer than [`MAX_BODY_BYTES`], which the driver stopped reading: not retried (the
    /// same request would bring the same body back).
    pub(crate) fn handle_body_too_large(&mut self) -> Handled<'static> {
        if !self.is_in_flight() {
            return Handled::Failed(Error::Misuse { message: MISUSE_HANDLE });
        }
        Handled::Failed(Error::InvalidResponse(body_too_large()))
    }

    /// A 2xx whose body did not decode: retried like a transport failure (a truncated body usually is one).
    pub(crate) fn handle_invalid_body(
        &mut self,
        now_ms: u64,
        ctx: RetryContext<'_>,
        error: DecodeError,
    ) -> Handled<'static> {
        match self.retry(now_ms, ctx, Failure::InvalidBody) {
            Ok(()) => Handled::Retrying,
            Err(_) => Handled::Failed(Error::InvalidResponse(error)),
        }
    }

    /// Asks the policy about a failed attempt: `Ok` when it will be retried (the phase is set for it), else why
    /// it gives up (the caller builds the error).
    fn retry(&mut self, now_ms: u64, ctx: RetryContext<'_>, failure: Failure) -> Result<(), GiveUpReason> {
        match ctx.policy.decide(self.attempt, &failure, self.refreshed, ctx.jitter) {
            RetryDecision::Retry { after, reason } => {
                self.attempt += 1;
                let cause = match reason {
                    WaitReason::RetryAfter => WaitCause::RetryAfter,
                    WaitReason::Backoff => WaitCause::Backoff,
                };
                let wait_ms = ceil_millis_of_micros(after);
                let until_ms = now_ms.saturating_add(wait_ms);
                self.phase = Phase::Backoff { until_ms, cause };
                Ok(())
            }
            RetryDecision::RefreshToken => {
                self.attempt += 1;
                self.refreshed = true;
                self.refresh_next = true;
                self.phase = Phase::Ready;
                Ok(())
            }
            RetryDecision::GiveUp(reason) => Err(reason),
        }
    }
}

/// Whole microseconds of `d`, then milliseconds rounded up, saturating at `u64::MAX`: what
/// `u64::try_from(d.as_micros().div_ceil(1000))` gives, without 128-bit division (which would link
/// compiler-builtins' `u128` division, 1 KB, into the wasm module).
fn ceil_millis_of_micros(d: Duration) -> u64 {
    let whole = times(d.as_secs(), 1000).and_then(|ms| ms.checked_add(u64::from(d.subsec_millis())));
    match whole {
        Some(ms) => ms.saturating_add(u64::from(!d.subsec_micros().is_multiple_of(1000))),
        None => u64::MAX,
    }
}

#[cfg(test)]
mod ceil_millis_tests {
    use super::*;
    use proptest::prelude::*;

    fn oracle(d: Duration) -> u64 {
        u64::try_from(d.as_micros().div_ceil(1000)).unwrap_or(u64::MAX)
    }

    #[test]
    fn edges() {
        for d in [
            Duration::ZERO,
            Duration::from_nanos(999),
            Duration::from_nanos(1_000),
            Duration::from_micros(999),
            Duration::from_micros(1_000),
            Duration::from_micros(1_001),
            Duration::new(7, 999_999_999),
            Duration::from_millis(u64::MAX),
            Duration::from_millis(u64::MAX) + Duration::from_micros(1),
            Duration::new(u64::MAX / 1000, 999_999_999),
            Duration::new(u64::MAX / 1000 + 1, 0),
            Duration::MAX,
        ] {
            assert_eq!(ceil_millis_of_micros(d), oracle(d), "{d:?}");
        }
    }

    proptest! {
        #[test]
        fn agrees_with_u128_arithmetic(secs in prop_oneof![0..100_000u64, any::<u64>()], nanos in 0..1_000_000_000u32) {
            let d = Duration::new(secs, nanos);
            prop_assert_eq!(ceil_millis_of_micros(d), oracle(d));
        }
    }
}
