//! [`GetInvestigation`]: the sans-I/O machine for `GET /api/investigations/{id}` (an investigation id or the id
//! of the alert that triggered it), with the same limiter, retries and token refresh as a listing.

use crate::base_url::BaseUrl;
use crate::decode::{decode_investigation, validate_investigation, DecodeError};
use crate::error::Error;
use crate::exchange::{Exchange, Handled, Request, Response, RetryContext, Step, WaitCause};
use crate::jitter::Jitter;
use crate::limiter::RateLimiter;
use crate::retry::RetryPolicy;
use crate::Investigation;

/// What the driver must do next for a single fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
#[must_use = "an action tells the driver what to do next: send, wait, or take the outcome"]
pub enum GetAction {
    /// Send this request.
    Send(Request),
    /// Sleep, then poll again.
    Wait {
        /// How long.
        duration: std::time::Duration,
        /// Why.
        cause: WaitCause,
    },
    /// The investigation.
    Done(Box<Investigation>),
    /// The last response's body is a valid investigation (after
    /// [`GetInvestigation::handle_response_validated`], which keeps none).
    Valid,
    /// Stopped for good.
    Fail(Error),
}

/// One `GET /api/investigations/{id}`.
#[derive(Debug, Clone)]
pub struct GetInvestigation {
    exchange: Exchange,
    retry: RetryPolicy,
    jitter: Jitter,
    /// `Ok(None)`: the body was validated only.
    outcome: Option<Result<Option<Investigation>, Error>>,
}

impl GetInvestigation {
    /// Plans the fetch; an empty id, `.` or `..` is [`Error::InvalidConfig`] (no path segment can carry the last
    /// two: a browser reads `%2E%2E` as `..`, and would fetch another resource with the token).
    pub fn new(base: &BaseUrl, id: &str, retry: RetryPolicy, jitter_seed: u64) -> Result<GetInvestigation, Error> {
        if id.is_empty() {
            return Err(Error::InvalidConfig { message: "an investigation id must not be empty".into() });
        }
        if id == "." || id == ".." {
            return Err(Error::InvalidConfig { message: "an investigation id cannot be `.` or `..`".into() });
        }
        Ok(GetInvestigation {
            exchange: Exchange::new(base.entity_url(id)),
            retry,
            jitter: Jitter::from_seed(jitter_seed),
            outcome: None,
        })
    }

    /// What the driver must do next.
    pub fn poll(&mut self, now_ms: u64, limiter: &mut RateLimiter) -> GetAction {
        match (self.poll_unfinished(now_ms, limiter), &self.outcome) {
            (Some(action), _) => action,
            (None, Some(Ok(Some(inv)))) => GetAction::Done(Box::new(inv.clone())),
            (None, Some(Err(e))) => GetAction::Fail(e.clone()),
            (None, _) => GetAction::Valid,
        }
    }

    /// [`poll`](Self::poll) until the fetch has ended, then `None` instead of [`GetAction::Done`],
    /// [`GetAction::Valid`] or [`GetAction::Fail`]: [`failure`](Self::failure) then tells whether it failed,
    /// without a copy of the error.
    #[must_use = "the action tells the driver what to do next"]
    pub fn poll_unfinished(&mut self, now_ms: u64, limiter: &mut RateLimiter) -> Option<GetAction> {
        if self.outcome.is_some() {
            return None;
        }
        Some(match self.exchange.poll(now_ms, limiter) {
            Ok(Step::Send(r)) => GetAction::Send(r),
            Ok(Step::Wait { duration, cause }) => GetAction::Wait { duration, cause },
            Err(e) => GetAction::Fail(e),
        })
    }

    /// Why the fetch failed, once it has (what [`poll`](Self::poll) returns in [`GetAction::Fail`] from then on).
    pub fn failure(&self) -> Option<&Error> {
        match &self.outcome {
            Some(Err(e)) => Some(e),
            _ => None,
        }
    }

    /// Reports the response to the last [`GetAction::Send`].
    pub fn handle_response(&mut self, now_ms: u64, limiter: &mut RateLimiter, response: &Response<'_>) {
        self.handle(now_ms, limiter, response, |body| decode_investigation(body).map(Some));
    }

    /// [`handle_response`](Self::handle_response) for a driver whose host builds the investigation from the body
    /// itself: the body is checked by the same rules (same acceptance, same errors, same retries), but no
    /// [`Investigation`] is built, and [`poll`](Self::poll) then returns [`GetAction::Valid`] instead of
    /// [`GetAction::Done`].
    pub fn handle_response_validated(&mut self, now_ms: u64, limiter: &mut RateLimiter, response: &Response<'_>) {
        self.handle(now_ms, limiter, response, |body| validate_investigation(body).map(|()| None));
    }

    fn handle(
        &mut self,
        now_ms: u64,
        limiter: &mut RateLimiter,
        response: &Response<'_>,
        decode: impl FnOnce(&[u8]) -> Result<Option<Investigation>, DecodeError>,
    ) {
        let ctx = RetryContext { policy: &self.retry, jitter: &mut self.jitter };
        let handled = match self.exchange.handle_response(now_ms, limiter, ctx, response) {
            Handled::Success(body) => match decode(body) {
                Ok(inv) => return self.outcome = Some(Ok(inv)),
                Err(e) => {
                    let ctx = RetryContext { policy: &self.retry, jitter: &mut self.jitter };
                    self.exchange.handle_invalid_body(now_ms, ctx, e)
                }
            },
            other => other,
        };
        if let Handled::Failed(e) = handled {
            self.outcome = Some(Err(e));
        }
    }

    /// Reports that the response to the last request has a body longer than
    /// [`MAX_BODY_BYTES`](crate::decode::MAX_BODY_BYTES), which the driver stopped reading: the fetch fails with
    /// [`Error::InvalidResponse`], without a retry.
    pub fn handle_body_too_large(&mut self) {
        if let Handled::Failed(e) = self.exchange.handle_body_too_large() {
            self.outcome = Some(Err(e));
        }
    }

    /// Reports that the last request got no HTTP response.
    pub fn handle_transport_error(&mut self, now_ms: u64, message: &str) {
        let ctx = RetryContext { policy: &self.retry, jitter: &mut self.jitter };
        if let Handled::Failed(e) = self.exchange.handle_transport_error(now_ms, ctx, message) {
            self.outcome = Some(Err(e));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limiter::RateLimitConfig;

    fn op() -> GetInvestigation {
        let base = BaseUrl::parse("http://127.0.0.1:4010").unwrap();
        GetInvestigation::new(&base, "42", RetryPolicy::default(), 0).unwrap()
    }

    fn respond(op: &mut GetInvestigation, limiter: &mut RateLimiter, status: u16, body: &[u8], validate: bool) {
        assert!(matches!(op.poll_unfinished(0, limiter), Some(GetAction::Send(_))));
        let response = Response { status, retry_after: None, retry_after_ms: None, body };
        if validate {
            op.handle_response_validated(0, limiter, &response);
        } else {
            op.handle_response(0, limiter, &response);
        }
    }

    #[test]
    fn ids_that_no_path_segment_can_carry_are_refused() {
        // Found by the `url` crate oracle (crates/mde-invariants): a browser reads `%2E%2E` as `..`, so `get('..')`
        // fetched `/api/` with the token, and `get('.')` the list.
        let base = BaseUrl::parse("https://proxy.example/mde").unwrap();
        for id in ["", ".", ".."] {
            let e = GetInvestigation::new(&base, id, RetryPolicy::default(), 0).unwrap_err();
            assert!(matches!(e, Error::InvalidConfig { .. }), "{id:?}: {e}");
        }
        for id in ["...", ".a", "%2e%2e", "../x"] {
            assert!(GetInvestigation::new(&base, id, RetryPolicy::default(), 0).is_ok(), "{id:?}");
        }
    }

    #[test]
    fn an_ended_fetch_polls_none_and_poll_still_tells_the_outcome() {
        let mut limiter = RateLimiter::new(RateLimitConfig::default());
        let body = br#"{"id":"42","state":"Running"}"#;

        let mut done = op();
        respond(&mut done, &mut limiter, 200, body, false);
        assert_eq!(done.poll_unfinished(0, &mut limiter), None);
        assert_eq!(done.failure(), None);
        let GetAction::Done(inv) = done.poll(0, &mut limiter) else { panic!("not done") };
        assert_eq!(inv.id, "42");

        let mut valid = op();
        respond(&mut valid, &mut limiter, 200, body, true);
        assert_eq!(valid.poll_unfinished(0, &mut limiter), None);
        assert_eq!(valid.failure(), None);
        assert_eq!(valid.poll(0, &mut limiter), GetAction::Valid);

        let mut failed = op();
        respond(&mut failed, &mut limiter, 404, b"", true);
        assert_eq!(failed.poll_unfinished(0, &mut limiter), None);
        let expected = Error::NotFound(crate::error::HttpError { status: 404, service: None });
        assert_eq!(failed.failure(), Some(&expected));
        assert_eq!(failed.poll(0, &mut limiter), GetAction::Fail(expected.clone()));
        assert_eq!(failed.poll(0, &mut limiter), GetAction::Fail(expected));
    }

    #[test]
    fn misuse_is_failed_by_poll_unfinished_too() {
        let mut limiter = RateLimiter::new(RateLimitConfig::default());
        let mut op = op();
        assert!(matches!(op.poll_unfinished(0, &mut limiter), Some(GetAction::Send(_))));
        assert!(matches!(op.poll_unfinished(0, &mut limiter), Some(GetAction::Fail(Error::Misuse { .. }))));
    }
}
