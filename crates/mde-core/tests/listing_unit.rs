//! The listing machine's rules, one scripted exchange at a time.

use std::time::Duration;

use mde_core::exchange::Response;
use mde_core::filter::state;
use mde_core::query::{ListQuery, Top};
use mde_core::{
    Action, BaseUrl, Error, ErrorKind, InvestigationState, Listing, ListingOptions, RateLimitConfig, RateLimiter,
    Timestamp, WaitCause,
};

const NOW: u64 = 1_750_000_000_000;

fn body(ids: &[u32], next_link: Option<&str>) -> Vec<u8> {
    let items: Vec<String> =
        ids.iter().map(|i| format!(r#"{{"id":"{i}","startTime":"2025-01-01T00:00:00Z","state":"Running"}}"#)).collect();
    let link = next_link.map(|l| format!(r#","@odata.nextLink":"{l}""#)).unwrap_or_default();
    format!(r#"{{"value":[{}]{link}}}"#, items.join(",")).into_bytes()
}

fn ok(body: &[u8]) -> Response<'_> {
    Response { status: 200, retry_after: None, retry_after_ms: None, body }
}

struct Harness {
    listing: Listing,
    limiter: RateLimiter,
    now: u64,
}

impl Harness {
    fn new(query: ListQuery, page_size: u32) -> Harness {
        let base = BaseUrl::parse("https://api.security.microsoft.com").unwrap();
        let options = ListingOptions { page_size, ..ListingOptions::default() };
        Harness {
            listing: Listing::new(base, query, options).unwrap(),
            limiter: RateLimiter::new(RateLimitConfig::default()),
            now: NOW,
        }
    }

    /// Polls through waits until the machine wants something else; returns it.
    fn next(&mut self) -> Action {
        loop {
            match self.listing.poll(self.now, &mut self.limiter) {
                Action::Wait { duration, .. } => self.now += duration.as_millis() as u64,
                other => return other,
            }
        }
    }

    fn expect_send(&mut self) -> mde_core::Request {
        match self.next() {
            Action::Send(r) => r,
            other => panic!("expected Send, got {other:?}"),
        }
    }

    fn respond(&mut self, response: &Response<'_>) {
        self.listing.handle_response(self.now, &mut self.limiter, response);
    }

    fn expect_page(&mut self) -> Vec<String> {
        match self.next() {
            Action::Page(items) => items.into_iter().map(|i| i.id).collect(),
            other => panic!("expected Page, got {other:?}"),
        }
    }
}

#[test]
fn pages_with_top_and_skip_and_stops_on_a_short_page() {
    let query = ListQuery { filter: Some(state().eq(InvestigationState::Running)), ..ListQuery::default() };
    let mut h = Harness::new(query, 2);
    let r = h.expect_send();
    assert_eq!(
        r.url,
        "https://api.security.microsoft.com/api/investigations?$filter=state%20eq%20%27Running%27&$top=2"
    );
    assert_eq!((r.attempt, r.refresh_token), (1, false));
    h.respond(&ok(&body(&[5, 4], None)));
    assert_eq!(h.expect_page(), ["5", "4"]);
    let r = h.expect_send();
    assert!(r.url.ends_with("&$top=2&$skip=2"), "{}", r.url);
    h.respond(&ok(&body(&[3], None)));
    assert_eq!(h.expect_page(), ["3"]);
    assert_eq!(h.next(), Action::Done);
    let p = h.listing.progress();
    assert_eq!((p.pages, p.items, p.requests, p.position), (2, 3, 2, 3));
}

#[test]
fn total_limit_from_top_caps_the_last_request() {
    let query = ListQuery { top: Some(Top::new(3).unwrap()), skip: 10, ..ListQuery::default() };
    let mut h = Harness::new(query, 2);
    assert!(h.expect_send().url.ends_with("?$top=2&$skip=10"));
    h.respond(&ok(&body(&[9, 8], None)));
    h.expect_page();
    assert!(h.expect_send().url.ends_with("?$top=1&$skip=12"));
    h.respond(&ok(&body(&[7], None)));
    assert_eq!(h.expect_page(), ["7"]);
    assert_eq!(h.next(), Action::Done);
}

#[test]
fn a_foreign_next_link_is_refused_after_delivering_its_page() {
    let mut h = Harness::new(ListQuery::default(), 2);
    h.expect_send();
    h.respond(&ok(&body(&[2, 1], Some("https://evil.example/api/investigations?$skip=2"))));
    assert_eq!(h.expect_page(), ["2", "1"]);
    match h.next() {
        Action::Fail(e) => assert_eq!(e.kind(), ErrorKind::ForeignOrigin, "{e}"),
        other => panic!("expected ForeignOrigin, got {other:?}"),
    }
    // It stays failed, and nothing more is ever sent.
    assert!(matches!(h.next(), Action::Fail(_)));
}

#[test]
fn a_same_origin_next_link_is_followed_only_when_it_names_the_next_page() {
    let mut h = Harness::new(ListQuery::default(), 2);
    h.expect_send();
    // An opaque token, a link back to the start and a link that skips ahead are ignored: own paging goes on.
    for link in [
        "https://api.security.microsoft.com/api/investigations?$skiptoken=abc",
        "/api/investigations?$top=2",
        "/api/investigations?$top=2&$skip=9",
        "/api/investigations?$top=2&$skip=2&$filter=id%20eq%20%271%27",
    ] {
        let position = h.listing.progress().position;
        h.respond(&ok(&body(&[100 - position as u32, 99 - position as u32], Some(link))));
        h.expect_page();
        let r = h.expect_send();
        assert!(r.url.ends_with(&format!("?$top=2&$skip={}", position + 2)), "{link}: {}", r.url);
    }
    // A link to exactly the next page is followed (here with a larger $top), once.
    let next = "https://api.security.microsoft.com/api/investigations?$top=3&$skip=10";
    h.respond(&ok(&body(&[50, 49], Some(next))));
    h.expect_page();
    assert_eq!(h.expect_send().url, next);
    h.respond(&ok(&body(&[], Some("/api/investigations?$top=2&$skip=12"))));
    assert_eq!(h.next(), Action::Done, "an empty page ends the listing even with a link");
}

#[test]
fn a_service_that_ignores_skip_cannot_make_the_listing_loop() {
    let mut h = Harness::new(ListQuery::default(), 2);
    let mut sent = 0;
    loop {
        match h.next() {
            Action::Send(_) => {
                sent += 1;
                h.respond(&ok(&body(&[2, 1], None)));
            }
            Action::Page(_) => {}
            Action::Fail(e) => {
                assert_eq!(e.kind(), ErrorKind::InvalidResponse, "{e}");
                break;
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(sent < 10, "the listing loops");
    }
    assert_eq!(h.listing.progress().items, 2);
}

#[test]
fn a_short_page_with_a_next_link_is_not_the_end() {
    let mut h = Harness::new(ListQuery::default(), 10);
    h.expect_send();
    h.respond(&ok(&body(&[9, 8], Some("/api/investigations?$top=10&$skip=2"))));
    h.expect_page();
    let r = h.expect_send();
    assert_eq!(r.url, "https://api.security.microsoft.com/api/investigations?$top=10&$skip=2");
    h.respond(&ok(&body(&[7], None)));
    assert_eq!(h.expect_page(), ["7"]);
    assert_eq!(h.next(), Action::Done);
}

/// A followed link may ask for fewer than the page size (a service that pages itself sends the rest of the `$top`
/// it was asked for): a page as long as the link's `$top` is full, not the end of the listing.
#[test]
fn a_followed_link_with_a_smaller_top_is_full_when_it_brings_that_many() {
    let mut h = Harness::new(ListQuery::default(), 10);
    h.expect_send();
    h.respond(&ok(&body(&[20, 19], Some("/api/investigations?$top=8&$skip=2"))));
    assert_eq!(h.expect_page(), ["20", "19"]);
    assert_eq!(h.expect_send().url, "https://api.security.microsoft.com/api/investigations?$top=8&$skip=2");
    h.respond(&ok(&body(&[18, 17, 16, 15, 14, 13, 12, 11], None)));
    assert_eq!(h.expect_page().len(), 8);
    let r = h.expect_send();
    assert_eq!(r.url, "https://api.security.microsoft.com/api/investigations?$top=10&$skip=10");
    h.respond(&ok(&body(&[10, 9], None)));
    assert_eq!(h.expect_page(), ["10", "9"]);
    assert_eq!(h.next(), Action::Done, "a page shorter than the link's $top is the end");
    assert_eq!(h.listing.progress().items, 12);
}

#[test]
fn a_401_asks_for_a_fresh_token_once_then_fails() {
    let mut h = Harness::new(ListQuery::default(), 5);
    h.expect_send();
    let unauthorized = br#"{"error":{"code":"Unauthorized","message":"expired","target":"c0ffee"}}"#;
    let r401 = Response { status: 401, retry_after: None, retry_after_ms: None, body: unauthorized };
    h.respond(&r401);
    let r = h.expect_send();
    assert_eq!((r.attempt, r.refresh_token), (2, true));
    h.respond(&r401);
    match h.next() {
        Action::Fail(Error::Unauthorized(http)) => {
            assert_eq!(http.status, 401);
            assert_eq!(http.service.unwrap().target.as_deref(), Some("c0ffee"));
        }
        other => panic!("expected Unauthorized, got {other:?}"),
    }
}

#[test]
fn a_429_waits_for_retry_after_and_the_limiter_holds_everything() {
    let mut h = Harness::new(ListQuery::default(), 5);
    h.expect_send();
    let sent = h.now;
    h.respond(&Response { status: 429, retry_after: Some("7"), retry_after_ms: Some("6500"), body: b"" });
    match h.listing.poll(h.now, &mut h.limiter) {
        Action::Wait { duration, cause } => {
            assert_eq!(cause, WaitCause::RetryAfter);
            assert_eq!(duration, Duration::from_millis(6500), "retry-after-ms is preferred, being exact");
        }
        other => panic!("expected a wait, got {other:?}"),
    }
    let r = h.expect_send();
    assert!(h.now >= sent + 6500);
    assert_eq!(r.attempt, 2);
}

#[test]
fn a_retry_after_beyond_the_cap_is_a_throttled_error() {
    let mut h = Harness::new(ListQuery::default(), 5);
    h.expect_send();
    h.respond(&Response { status: 429, retry_after: Some("3600"), retry_after_ms: None, body: b"" });
    match h.next() {
        Action::Fail(Error::Throttled { retry_after, .. }) => assert_eq!(retry_after, Some(Duration::from_secs(3600))),
        other => panic!("expected Throttled, got {other:?}"),
    }
}

#[test]
fn client_errors_fail_at_once_and_server_errors_back_off() {
    for (status, kind) in [(400, ErrorKind::InvalidQuery), (403, ErrorKind::Forbidden), (404, ErrorKind::NotFound)] {
        let mut h = Harness::new(ListQuery::default(), 5);
        h.expect_send();
        h.respond(&Response { status, retry_after: None, retry_after_ms: None, body: b"{}" });
        match h.next() {
            Action::Fail(e) => assert_eq!(e.kind(), kind),
            other => panic!("{status}: expected failure, got {other:?}"),
        }
        assert_eq!(h.listing.progress().requests, 1);
    }
    let mut h = Harness::new(ListQuery::default(), 5);
    for attempt in 1..=6 {
        let r = h.expect_send();
        assert_eq!(r.attempt, attempt);
        h.respond(&Response { status: 503, retry_after: None, retry_after_ms: None, body: b"" });
    }
    assert!(matches!(h.next(), Action::Fail(Error::Server(_))), "bounded attempts end in Server");
}

/// A redirect (or a browser's opaque one, status 0) is not followed, so that the token cannot go along; it fails at
/// once as a link refused (`ForeignOrigin`), not as a query the service rejected.
#[test]
fn a_redirect_fails_at_once_as_a_refused_link() {
    for status in [0, 301, 302, 307, 308] {
        let mut h = Harness::new(ListQuery::default(), 5);
        h.expect_send();
        h.respond(&Response { status, retry_after: None, retry_after_ms: None, body: b"" });
        match h.next() {
            Action::Fail(e) => {
                assert_eq!(e.kind(), ErrorKind::ForeignOrigin, "{status}");
                assert!(e.to_string().contains(&format!("redirect (HTTP {status}")), "{e}");
            }
            other => panic!("{status}: expected failure, got {other:?}"),
        }
        assert_eq!(h.listing.progress().requests, 1);
    }
}

#[test]
fn a_broken_page_is_retried_then_reported_with_its_location() {
    let mut h = Harness::new(ListQuery::default(), 5);
    for _ in 0..6 {
        h.expect_send();
        h.respond(&ok(br#"{"value":[{"id":"1"},{"id":"2","startTime":"never"}]}"#));
    }
    match h.next() {
        Action::Fail(Error::InvalidResponse(e)) => assert_eq!(e.location, "value[1].startTime"),
        other => panic!("expected InvalidResponse, got {other:?}"),
    }
}

#[test]
fn misuse_is_a_typed_error_not_a_panic() {
    let mut h = Harness::new(ListQuery::default(), 5);
    h.respond(&ok(&body(&[1], None)));
    assert!(matches!(h.next(), Action::Fail(Error::Misuse { .. })));
    let mut h = Harness::new(ListQuery::default(), 5);
    h.expect_send();
    assert!(matches!(h.listing.poll(h.now, &mut h.limiter), Action::Fail(Error::Misuse { .. })));
}

#[test]
fn invalid_settings_and_tokens_are_refused() {
    let base = BaseUrl::parse("http://127.0.0.1:4010").unwrap();
    for page_size in [0, 10_001] {
        let options = ListingOptions { page_size, ..ListingOptions::default() };
        assert!(matches!(Listing::new(base.clone(), ListQuery::default(), options), Err(Error::InvalidConfig { .. })));
    }
    for token in ["", "garbage", "mdeR1.{", "mdeR1.{\"filter\":\"nope eq 1\",\"skip\":0,\"max\":null,\"page\":5,\"pos\":0,\"items\":0,\"pages\":0,\"snap\":null,\"ids\":[]}"] {
        assert!(matches!(Listing::resume(base.clone(), token, ListingOptions::default()), Err(Error::InvalidResumeToken { .. })), "{token}");
    }
}

#[test]
fn snapshot_mode_bounds_the_filter_and_the_token_carries_it() {
    let base = BaseUrl::parse("http://127.0.0.1:4010").unwrap();
    let at = Timestamp::parse("2026-11-27T07:00:00Z").unwrap();
    let query = ListQuery { filter: Some(state().eq(InvestigationState::Queued)), ..ListQuery::default() };
    let options = ListingOptions { page_size: 2, snapshot_at: Some(at), ..ListingOptions::default() };
    let mut listing = Listing::new(base.clone(), query, options).unwrap();
    assert_eq!(
        listing.effective_filter().unwrap().to_odata(),
        "state eq 'Queued' and startTime lt 2026-11-27T07:00:00Z"
    );
    let mut limiter = RateLimiter::new(RateLimitConfig::default());
    assert!(matches!(listing.poll(NOW, &mut limiter), Action::Send(_)));
    listing.handle_response(NOW, &mut limiter, &ok(&body(&[2, 1], None)));
    assert!(matches!(listing.poll(NOW, &mut limiter), Action::Page(_)));
    let resumed = Listing::resume(base, &listing.resume_token(), ListingOptions::default()).unwrap();
    assert_eq!(resumed.snapshot_at(), Some(at));
    assert_eq!(resumed.effective_filter(), listing.effective_filter());
    assert_eq!(resumed.progress().items, 2);
}

/// Snapshot mode delivers only investigations that started before the bound, even from a service that ignores
/// the filter: one without a `startTime` is excluded, as `startTime lt T` excludes it
/// ([`Filter::matches`](mde_core::Filter::matches) is the oracle).
#[test]
fn snapshot_mode_drops_what_the_bound_excludes_even_when_the_service_sends_it() {
    let base = BaseUrl::parse("http://127.0.0.1:4010").unwrap();
    let at = Timestamp::parse("2026-11-27T07:00:00Z").unwrap();
    let options = ListingOptions { page_size: 10, snapshot_at: Some(at), ..ListingOptions::default() };
    let mut listing = Listing::new(base, ListQuery::default(), options).unwrap();
    let mut limiter = RateLimiter::new(RateLimitConfig::default());
    assert!(matches!(listing.poll(NOW, &mut limiter), Action::Send(_)));
    let page = br#"{"value":[
        {"id":"1","startTime":"2026-11-27T06:59:59Z","state":"Running"},
        {"id":"2","startTime":null,"state":"Running"},
        {"id":"3","state":"Running"},
        {"id":"4","startTime":"2026-11-27T07:00:00Z","state":"Running"}
    ]}"#;
    listing.handle_response(NOW, &mut limiter, &ok(page));
    let Action::Page(items) = listing.poll(NOW, &mut limiter) else { panic!("expected a page") };
    let bound = listing.effective_filter().unwrap().clone();
    let all = mde_core::decode::decode_page(page).unwrap().value;
    let expected: Vec<&str> = all.iter().filter(|i| bound.matches(i)).map(|i| i.id.as_str()).collect();
    assert_eq!(expected, ["1"]);
    assert_eq!(items.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(), expected);
}
