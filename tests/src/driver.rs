//! The thin native driver: pumps an [`mde_core::Listing`] with reqwest and tokio. The reference for the wasm
//! driver: everything it does is send what the core says, report what came back, sleep when told.
//!
//! ```no_run
//! # async fn demo() -> Result<(), mde_core::Error> {
//! use mde_conformance::driver::Driver;
//! use mde_core::{BaseUrl, ListQuery, Listing, ListingOptions, RateLimitConfig};
//!
//! let base = BaseUrl::parse("http://127.0.0.1:4010").expect("a base URL");
//! let mut driver = Driver::new("token", RateLimitConfig::default());
//! let mut listing = Listing::new(base, ListQuery::default(), ListingOptions::default())?;
//! while let Some(page) = driver.next_page(&mut listing).await {
//!     println!("{} investigations", page?.len());
//! }
//! # Ok(())
//! # }
//! ```

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mde_core::exchange::{Response, WaitCause};
use mde_core::listing::Action;
use mde_core::{Error, Investigation, Listing, RateLimitConfig, RateLimiter};

/// What a driver did, for assertions and benchmarks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Every URL sent, in order.
    pub sent: Vec<String>,
    /// HTTP statuses received, in order (transport errors are not statuses).
    pub statuses: Vec<u16>,
    /// Transport errors (closed connection, truncated body).
    pub transport_errors: u32,
    /// Waits by cause: rate limit, Retry-After, backoff.
    pub waits: [u32; 3],
    /// Time spent in requests (sending to the last byte of the body), over all of them.
    pub busy: Duration,
}

/// A client: one HTTP connection pool, one bearer token, one rate limiter shared by its listings.
#[derive(Debug)]
pub struct Driver {
    http: reqwest::Client,
    token: String,
    /// The limiter every listing of this client spends from.
    pub limiter: RateLimiter,
    /// What was done so far.
    pub stats: Stats,
}

/// Milliseconds since the Unix epoch: the driver's clock.
pub fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

impl Driver {
    /// A driver that sends `Authorization: Bearer {token}` and limits itself with `limits`.
    pub fn new(token: impl Into<String>, limits: RateLimitConfig) -> Driver {
        Driver::with_limiter(token, RateLimiter::new(limits))
    }

    /// A driver with a limiter that has already spent (for instance one imported from an export).
    pub fn with_limiter(token: impl Into<String>, limiter: RateLimiter) -> Driver {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap_or_default();
        Driver { http, token: token.into(), limiter, stats: Stats::default() }
    }

    /// Pumps `listing` until it delivers a page (`Some(Ok)`), ends (`None`) or fails (`Some(Err)`).
    ///
    /// The token is fixed, so a request that asks for a fresh one (`refresh_token`) is sent with the same.
    pub async fn next_page(&mut self, listing: &mut Listing) -> Option<Result<Vec<Investigation>, Error>> {
        loop {
            match listing.poll(now_ms(), &mut self.limiter) {
                Action::Send(request) => {
                    self.stats.sent.push(request.url.clone());
                    let started = std::time::Instant::now();
                    let outcome = self.send(&request.url).await;
                    self.stats.busy += started.elapsed();
                    match outcome {
                        Ok((status, retry_after, retry_after_ms, body)) => {
                            self.stats.statuses.push(status);
                            let response = Response {
                                status,
                                retry_after: retry_after.as_deref(),
                                retry_after_ms: retry_after_ms.as_deref(),
                                body: &body,
                            };
                            listing.handle_response(now_ms(), &mut self.limiter, &response);
                        }
                        Err(message) => {
                            self.stats.transport_errors += 1;
                            listing.handle_transport_error(now_ms(), &message);
                        }
                    }
                }
                Action::Wait { duration, cause } => {
                    self.stats.waits[wait_index(cause)] += 1;
                    tokio::time::sleep(duration).await;
                }
                Action::Page(items) => return Some(Ok(items)),
                Action::Done => return None,
                Action::Fail(error) => return Some(Err(error)),
                other => panic!("an action this driver does not know: {other:?}"),
            }
        }
    }

    /// Runs `listing` to its end: every item, or the items delivered before the error and the error.
    pub async fn collect(&mut self, listing: &mut Listing) -> (Vec<Investigation>, Option<Error>) {
        let mut items = Vec::new();
        while let Some(page) = self.next_page(listing).await {
            match page {
                Ok(page) => items.extend(page),
                Err(error) => return (items, Some(error)),
            }
        }
        (items, None)
    }

    /// One GET: status, the two throttling headers and the whole body, or why there is no response.
    async fn send(&self, url: &str) -> Result<(u16, Option<String>, Option<String>, Vec<u8>), String> {
        let response = self.http.get(url).bearer_auth(&self.token).send().await.map_err(|e| format!("{e:?}"))?;
        let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let (retry_after, retry_after_ms) = (header("retry-after"), header("retry-after-ms"));
        let status = response.status().as_u16();
        let body = response.bytes().await.map_err(|e| format!("{e:?}"))?;
        Ok((status, retry_after, retry_after_ms, body.to_vec()))
    }
}

/// Index of a wait cause in [`Stats::waits`].
pub fn wait_index(cause: WaitCause) -> usize {
    match cause {
        WaitCause::RateLimit => 0,
        WaitCause::RetryAfter => 1,
        WaitCause::Backoff => 2,
        other => panic!("a wait cause this driver does not know: {other:?}"),
    }
}
