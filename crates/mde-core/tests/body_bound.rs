//! What a hostile or broken server (or proxy) can send: a body longer than `MAX_BODY_BYTES`, and ids as JSON
//! integers with more digits than a double holds.

use mde_core::decode::{
    body_too_large, decode_investigation, decode_page, decode_service_error, outline_page, validate_investigation,
    MAX_BODY_BYTES,
};
use mde_core::exchange::Response;
use mde_core::get::{GetAction, GetInvestigation};
use mde_core::query::ListQuery;
use mde_core::{Action, BaseUrl, Error, ErrorKind, Listing, ListingOptions, RateLimitConfig, RateLimiter, RetryPolicy};

const NOW: u64 = 1_750_000_000_000;

fn base() -> BaseUrl {
    BaseUrl::parse("https://api.security.microsoft.com").unwrap()
}

/// A valid page of exactly `len` bytes: one item whose `statusDetails` is padded with `x`.
fn page_of_len(len: usize) -> Vec<u8> {
    let head = br#"{"value":[{"id":"1","statusDetails":""#;
    let tail = br#""}]}"#;
    let mut body = head.to_vec();
    body.resize(len - tail.len(), b'x');
    body.extend_from_slice(tail);
    assert_eq!(body.len(), len);
    body
}

fn ok(body: &[u8]) -> Response<'_> {
    Response { status: 200, retry_after: None, retry_after_ms: None, body }
}

fn is_too_large(e: &Error) -> bool {
    e.kind() == ErrorKind::InvalidResponse && e.to_string().contains(&MAX_BODY_BYTES.to_string())
}

#[test]
fn the_bound_is_documented_and_well_above_a_full_page_of_realistic_items() {
    // A realistic item (the documented example's shape, with a 7-digit fraction) takes about 315 bytes.
    let item = r#"{"id":"63017","startTime":"2020-01-06T14:11:34.1234567Z","endTime":"2020-01-06T14:41:34.1234567Z","state":"Running","cancelledBy":null,"statusDetails":null,"machineId":"a69a22debe5f274d8765ea3c368d00762e057b30","computerDnsName":"desktop-gtrcon0.corp.example.com","triggeringAlertId":"da637139166940871892_-598649278"},"#;
    assert!(MAX_BODY_BYTES >= 10 * 10_000 * item.len(), "{MAX_BODY_BYTES} against {} per item", item.len());
    assert_eq!(MAX_BODY_BYTES, 32 << 20);
}

#[test]
fn every_decoder_accepts_the_bound_and_refuses_one_byte_more() {
    let at = page_of_len(MAX_BODY_BYTES);
    assert_eq!(decode_page(&at).unwrap().value.len(), 1);
    assert_eq!(outline_page(&at).unwrap().ids, ["1"]);
    let over = page_of_len(MAX_BODY_BYTES + 1);
    assert_eq!(decode_page(&over).unwrap_err(), body_too_large());
    assert_eq!(outline_page(&over).unwrap_err(), body_too_large());
    let mut entity = br#"{"id":"1"}"#.to_vec();
    entity.resize(MAX_BODY_BYTES + 1, b' ');
    assert_eq!(decode_investigation(&entity).unwrap_err(), body_too_large());
    assert_eq!(validate_investigation(&entity).unwrap_err(), body_too_large());
    entity.truncate(MAX_BODY_BYTES);
    assert_eq!(decode_investigation(&entity).unwrap().id, "1");
    let mut error = br#"{"error":{"code":"X"}}"#.to_vec();
    error.resize(MAX_BODY_BYTES + 1, b' ');
    assert_eq!(decode_service_error(&error), None);
    let message = body_too_large().to_string();
    assert!(message.contains("33554432") && message.contains("32 MiB"), "{message}");
}

/// Pumps `listing` through waits to its next request (`None`: it ended instead).
fn next_send(listing: &mut Listing, limiter: &mut RateLimiter, now: &mut u64) -> Option<Action> {
    loop {
        match listing.poll(*now, limiter) {
            Action::Wait { duration, .. } => *now += duration.as_millis() as u64,
            action => return Some(action),
        }
    }
}

#[test]
fn a_listing_fails_at_once_on_a_body_too_large_and_keeps_what_it_delivered() {
    for indexed in [false, true] {
        for reported_by_length in [false, true] {
            let options = ListingOptions { page_size: 2, ..ListingOptions::default() };
            let mut listing = Listing::new(base(), ListQuery::default(), options).unwrap();
            let mut limiter = RateLimiter::new(RateLimitConfig::default());
            let mut now = NOW;
            assert!(matches!(next_send(&mut listing, &mut limiter, &mut now), Some(Action::Send(_))));
            let first = br#"{"value":[{"id":"a"},{"id":"b"}]}"#;
            if indexed {
                assert_eq!(listing.handle_response_indexed(now, &mut limiter, &ok(first)), Some(vec![0, 1]));
            } else {
                listing.handle_response(now, &mut limiter, &ok(first));
                assert!(matches!(listing.poll(now, &mut limiter), Action::Page(p) if p.len() == 2));
            }
            let token = listing.resume_token();
            assert!(matches!(next_send(&mut listing, &mut limiter, &mut now), Some(Action::Send(_))));
            if reported_by_length {
                let over = page_of_len(MAX_BODY_BYTES + 1);
                if indexed {
                    assert_eq!(listing.handle_response_indexed(now, &mut limiter, &ok(&over)), None);
                } else {
                    listing.handle_response(now, &mut limiter, &ok(&over));
                }
            } else {
                listing.handle_body_too_large();
            }
            // No retry: the next poll is the failure, and the token still continues after the first page.
            match listing.poll(now, &mut limiter) {
                Action::Fail(e) => assert!(is_too_large(&e), "{e}"),
                other => panic!("expected the failure, got {other:?}"),
            }
            assert_eq!(listing.progress().requests, 2);
            assert_eq!(listing.resume_token(), token);
        }
    }
}

#[test]
fn a_body_too_large_fails_whatever_the_status_and_out_of_turn_is_misuse() {
    for status in [200, 429, 500] {
        let mut listing = Listing::new(base(), ListQuery::default(), ListingOptions::default()).unwrap();
        let mut limiter = RateLimiter::new(RateLimitConfig::default());
        assert!(matches!(listing.poll(NOW, &mut limiter), Action::Send(_)));
        let over = vec![b' '; MAX_BODY_BYTES + 1];
        let response = Response { status, retry_after: Some("1"), retry_after_ms: None, body: &over };
        listing.handle_response(NOW, &mut limiter, &response);
        assert!(matches!(listing.poll(NOW, &mut limiter), Action::Fail(e) if is_too_large(&e)), "{status}");
    }
    let mut listing = Listing::new(base(), ListQuery::default(), ListingOptions::default()).unwrap();
    listing.handle_body_too_large();
    assert!(matches!(listing.failure(), Some(Error::Misuse { .. })));
}

#[test]
fn a_get_fails_at_once_on_a_body_too_large() {
    let mut limiter = RateLimiter::new(RateLimitConfig::default());
    let mut op = GetInvestigation::new(&base(), "42", RetryPolicy::default(), 0).unwrap();
    assert!(matches!(op.poll(NOW, &mut limiter), GetAction::Send(_)));
    op.handle_body_too_large();
    assert!(matches!(op.poll(NOW, &mut limiter), GetAction::Fail(e) if is_too_large(&e)));
}

#[test]
fn integer_ids_keep_every_digit() {
    // Oracle: the digits as written in the body. Beyond 2^53 a double (JavaScript's number) loses some.
    for digits in ["12345678901234567890", "18446744073709551615", "-9223372036854775808", "9007199254740993", "0"] {
        let page = format!(r#"{{"value":[{{"id":{digits}}},{{"id":"s"}}]}}"#);
        assert_eq!(decode_page(page.as_bytes()).unwrap().value[0].id, digits);
        assert_eq!(outline_page(page.as_bytes()).unwrap().ids, [digits, "s"]);
        let entity = format!(r#"{{"@odata.context":"x","id":{digits}}}"#);
        assert_eq!(decode_investigation(entity.as_bytes()).unwrap().id, digits);
    }
    // Integers beyond u64 and i64 are refused rather than rounded.
    for digits in ["18446744073709551616", "-9223372036854775809", "1e3", "1.0"] {
        let entity = format!(r#"{{"id":{digits}}}"#);
        assert_eq!(decode_investigation(entity.as_bytes()).unwrap_err().field.as_deref(), Some("id"), "{digits}");
    }
}
