//! The watch's resume token: a user hands back what an earlier watch gave (kept in `chrome.storage` by an
//! extension, possibly edited, truncated or forged).

use mde_core::retry::RetryPolicy;
use mde_core::watch::{Watch, WatchAction, WatchOptions};
use mde_core::{BaseUrl, RateLimitConfig, RateLimiter, Response};

/// Any bytes as a watch's resume token: a token that is accepted gives a watch whose own token is accepted and
/// reads back the same (writing is then stable), and both watches do the same first steps, at any time up to the
/// end of `u64` milliseconds (no overflow, whatever interval or newest start time the token carries).
pub fn watch_token(data: &[u8]) {
    let Some(token) = crate::text(data) else { return };
    let base = BaseUrl::parse("https://api.security.microsoft.com").expect("a valid base URL");
    let Ok(watch) = Watch::resume(base.clone(), token, one_attempt()) else { return };
    let written = watch.resume_token();
    let again = Watch::resume(base, &written, one_attempt())
        .unwrap_or_else(|e| panic!("the token written after {token:?} is refused: {written:?}: {e}"));
    assert_eq!(again.resume_token(), written, "read from {token:?}");
    assert_eq!(first_steps(watch), first_steps(again), "read from {token:?}");
}

/// One attempt a call, so that a failed request fails its tick.
fn one_attempt() -> WatchOptions {
    WatchOptions { retry: RetryPolicy { max_attempts: 1, ..RetryPolicy::default() }, ..WatchOptions::default() }
}

/// What a watch does at times from now to the end of `u64` time: its first request fails (the tick fails and
/// waits for the next), every later one gets an empty page (ticks complete and wait).
fn first_steps(mut watch: Watch) -> Vec<WatchAction> {
    let mut limiter = RateLimiter::new(RateLimitConfig::default());
    let empty = Response { status: 200, retry_after: None, retry_after_ms: None, body: br#"{"value":[]}"# };
    let now = 1_750_000_000_000;
    let times = [now; 4].into_iter().chain([now + 1; 4]).chain([u64::MAX - 1; 4]).chain([u64::MAX; 2]);
    let mut sent = 0;
    times
        .map(|at| {
            let action = watch.poll(at, &mut limiter);
            if matches!(action, WatchAction::Send(_)) {
                sent += 1;
                if sent == 1 {
                    watch.handle_transport_error(at, "reset");
                } else {
                    watch.handle_response(at, &mut limiter, &empty);
                }
            }
            action
        })
        .collect()
}
