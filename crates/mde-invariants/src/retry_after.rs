//! `Retry-After` and `retry-after-ms`: headers of any response, from the service or from a proxy.

use std::time::Duration;

use mde_core::retry_after::{parse_retry_after, parse_retry_after_ms, retry_after_from_headers, MAX_WAIT};

/// When the fuzzer's "now" is (milliseconds since the epoch): 2025-06-15, so that dates before and after it occur.
const NOW_MS: u64 = 1_750_000_000_000;

/// Any bytes as either header:
/// - oracle: a number `-?[0-9]+(\.[0-9]+)?` (surrounding whitespace aside) is that many seconds (or
///   milliseconds), rounded up to a whole millisecond, zero when negative, saturating at [`MAX_WAIT`] (computed
///   here in `u128` from the digits);
/// - `retry_after_from_headers` takes a valid `retry-after-ms` first, else a valid `Retry-After`.
pub fn retry_after(data: &[u8]) {
    let Some(value) = crate::text(data) else { return };
    let seconds = parse_retry_after(value, NOW_MS);
    let millis = parse_retry_after_ms(value);
    if let Some(expected) = oracle(value.trim(), 1_000) {
        assert_eq!(seconds, Ok(expected), "Retry-After {value:?}");
    }
    match oracle(value.trim(), 1) {
        Some(expected) => assert_eq!(millis, Ok(expected), "retry-after-ms {value:?}"),
        None => assert!(millis.is_err(), "retry-after-ms {value:?} read as {millis:?}"),
    }
    assert_eq!(retry_after_from_headers(Some(value), None, NOW_MS), seconds.clone().ok());
    assert_eq!(retry_after_from_headers(None, Some(value), NOW_MS), millis.clone().ok());
    assert_eq!(retry_after_from_headers(Some("1"), Some(value), NOW_MS), millis.ok().or(Some(Duration::from_secs(1))));
}

/// `text` as `-?[0-9]+(\.[0-9]+)?` times `unit_ms`, rounded up to a whole millisecond; `None` for other text.
fn oracle(text: &str, unit_ms: u128) -> Option<Duration> {
    let (negative, number) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || (number.contains('.') && !digits(fraction)) {
        return None;
    }
    if negative {
        return Some(Duration::ZERO);
    }
    let cap = u128::from(u64::MAX);
    // More than 39 digits overflow u128: the wait saturates anyway.
    let whole_ms = whole.trim_start_matches('0');
    let whole_ms = if whole_ms.len() > 30 { cap } else { whole_ms.parse::<u128>().unwrap_or(0) * unit_ms };
    // The fraction's first 30 digits, exactly; any non-zero digit after them adds a little, which rounds up.
    let (head, tail) = fraction.split_at(fraction.len().min(30));
    let head_value = if head.is_empty() { 0 } else { head.parse::<u128>().ok()? };
    let scale = 10u128.pow(head.len() as u32);
    let product = head_value * unit_ms;
    let rounded_up =
        product.div_ceil(scale) + u128::from(product.is_multiple_of(scale) && tail.bytes().any(|b| b != b'0'));
    let total = whole_ms.saturating_add(rounded_up).min(cap);
    Some(Duration::from_millis(total as u64).min(MAX_WAIT))
}
