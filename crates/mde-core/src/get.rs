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
    /// Plans the fetch; an empty id is [`Error::InvalidConfig`].
    pub fn new(base: &BaseUrl, id: &str, retry: RetryPolicy, jitter_seed: u64) -> Result<GetInvestigation, Error> {
        if id.is_empty() {
            return Err(Error::InvalidConfig { message: "an investigation id must not be empty".into() });
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
        match &self.outcome {
            Some(Ok(Some(inv))) => return GetAction::Done(Box::new(inv.clone())),
            Some(Ok(None)) => return GetAction::Valid,
            Some(Err(e)) => return GetAction::Fail(e.clone()),
            None => {}
        }
        match self.exchange.poll(now_ms, limiter) {
            Ok(Step::Send(r)) => GetAction::Send(r),
            Ok(Step::Wait { duration, cause }) => GetAction::Wait { duration, cause },
            Err(e) => GetAction::Fail(e),
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

    /// Reports that the last request got no HTTP response.
    pub fn handle_transport_error(&mut self, now_ms: u64, message: &str) {
        let ctx = RetryContext { policy: &self.retry, jitter: &mut self.jitter };
        if let Handled::Failed(e) = self.exchange.handle_transport_error(now_ms, ctx, message) {
            self.outcome = Some(Err(e));
        }
    }
}
