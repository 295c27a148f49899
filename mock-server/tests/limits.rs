//! Acceptance 4: per-token limits over both windows, 429 with Retry-After (and retry-after-ms when asked for).
//!
//! Windows are scaled down with the time scale. Timing is only asserted one way: a retry is expected to
//! be throttled only when the client is sure it came back early.

mod common;

use std::time::{Duration, Instant};

use common::*;
use mde_mock::Window;

fn retry_after_ms(a: &Answer) -> u64 {
    a.header("retry-after-ms").unwrap().parse().unwrap()
}

#[tokio::test]
async fn the_minute_window_throttles_and_an_early_retry_is_throttled_again() {
    // A minute lasts 3 s.
    let api = builder().count(5).per_minute(3).time_scale(0.05).retry_after_ms(true).start().await.unwrap();
    let c = client();
    let first = Instant::now();
    for _ in 0..3 {
        assert_eq!(get(&c, &api.uri(), "/api/investigations", "t").await.status, 200);
    }
    let sent = Instant::now();
    let a = get(&c, &api.uri(), "/api/investigations", "t").await;
    assert_error(&a, 429, "TooManyRequests");
    assert!(a.json().get("value").is_none(), "throttled calls return no data");
    let wait = retry_after_ms(&a);
    assert!((1..=3_000).contains(&wait), "{wait}");
    // Retry-After: whole seconds, rounded up, at least 1.
    assert_eq!(a.header("retry-after").unwrap(), wait.div_ceil(1000).max(1).to_string());
    // The slot frees 3 s after the first call, not earlier.
    assert!(first.elapsed() + Duration::from_millis(wait) >= Duration::from_millis(2_900));

    // Coming back early: throttled again, with no longer a wait than before.
    let early = Instant::now();
    if early < sent + Duration::from_millis(wait) {
        let b = get(&c, &api.uri(), "/api/investigations", "t").await;
        assert_eq!(b.status, 429);
        assert!(retry_after_ms(&b) <= wait);
    }
    // Another token has its own windows.
    assert_eq!(get(&c, &api.uri(), "/api/investigations", "other").await.status, 200);
    // After the announced wait, admitted.
    tokio::time::sleep(Duration::from_millis(wait) + Duration::from_millis(20)).await;
    assert_eq!(get(&c, &api.uri(), "/api/investigations", "t").await.status, 200);
    // The journal shows the waits it announced.
    let journal = api.journal().await;
    assert!(journal.iter().filter(|e| e.status == Some(429)).all(|e| e.retry_after_ms.is_some()));
}

#[tokio::test]
async fn the_hour_window_binds_and_bad_queries_count() {
    // A generous minute, an hour of 4 calls (an hour lasts 36 s here: nothing leaves it during the test).
    let api =
        builder().count(5).per_minute(100).per_hour(4).time_scale(0.01).retry_after_ms(true).start().await.unwrap();
    let c = client();
    assert_eq!(get(&c, &api.uri(), "/api/investigations", "t").await.status, 200);
    assert_eq!(get(&c, &api.uri(), "/api/investigations?$top=0", "t").await.status, 400);
    assert_eq!(get(&c, &api.uri(), "/api/investigations/nope", "t").await.status, 404);
    assert_eq!(get(&c, &api.uri(), "/api/nothing-here", "t").await.status, 404);
    let a = get(&c, &api.uri(), "/api/investigations", "t").await;
    assert_error(&a, 429, "TooManyRequests");
    let wait = retry_after_ms(&a);
    assert!(wait > 30_000 && wait <= 36_000, "{wait}");
    assert_eq!(a.header("retry-after").unwrap(), wait.div_ceil(1000).to_string());
    // Unauthenticated calls are refused before the limiter and do not count.
    assert_eq!(send(client().get(format!("{}/api/investigations", api.uri()))).await.status, 401);
}

#[tokio::test]
async fn fixed_windows_free_every_slot_at_the_boundary() {
    // A minute lasts 3 s (long enough for four calls to any face on a busy machine); fixed windows start when the
    // mock starts.
    let api = builder()
        .count(5)
        .per_minute(2)
        .time_scale(0.05)
        .window(Window::Fixed)
        .retry_after_ms(true)
        .start()
        .await
        .unwrap();
    let c = client();
    let mut throttled = None;
    for _ in 0..4 {
        let a = get(&c, &api.uri(), "/api/investigations", "t").await;
        if a.status == 429 {
            throttled = Some(retry_after_ms(&a));
            break;
        }
    }
    let wait = throttled.expect("at most 2 calls per window");
    assert!(wait <= 3_000);
    tokio::time::sleep(Duration::from_millis(wait + 5)).await;
    // A fresh window: two calls pass again.
    assert_eq!(get(&c, &api.uri(), "/api/investigations", "t").await.status, 200);
}

#[tokio::test]
async fn reset_forgets_the_counts() {
    let api = builder().count(5).per_minute(1).retry_after_ms(true).start().await.unwrap();
    let c = client();
    assert_eq!(get(&c, &api.uri(), "/api/investigations", "t").await.status, 200);
    let a = get(&c, &api.uri(), "/api/investigations", "t").await;
    assert_eq!(a.status, 429);
    // Unscaled: a real minute.
    assert!(retry_after_ms(&a) > 50_000);
    assert_eq!(a.header("retry-after").unwrap().parse::<u64>().unwrap(), retry_after_ms(&a).div_ceil(1000));
    api.reset().await;
    assert_eq!(get(&c, &api.uri(), "/api/investigations", "t").await.status, 200);
}

#[tokio::test]
async fn retry_after_alone_by_default_in_whole_seconds() {
    // The service sends Retry-After in seconds only; retry-after-ms is the mock's, on request.
    let api = builder().count(5).per_minute(1).time_scale(0.01).start().await.unwrap();
    let c = client();
    assert_eq!(get(&c, &api.uri(), "/api/investigations", "t").await.status, 200);
    let a = get(&c, &api.uri(), "/api/investigations", "t").await;
    assert_error(&a, 429, "TooManyRequests");
    assert_eq!(a.header("retry-after").as_deref(), Some("1"));
    assert_eq!(a.header("retry-after-ms"), None);
}
