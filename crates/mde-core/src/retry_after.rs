//! `Retry-After` and `retry-after-ms`: how long the server asks us to wait.
//!
//! HTTP (RFC 9110, section 10.2.3) allows two forms of `Retry-After`: delay-seconds (`120`) and an HTTP-date
//! (`Wed, 21 Oct 2015 07:28:00 GMT`, plus the obsolete RFC 850 and asctime forms; see `http_date`). Azure services
//! and our mock also send `retry-after-ms` with integer or decimal milliseconds.
//!
//! Rules, chosen so that a caller never retries too early and never panics on what a server sends:
//! - Surrounding whitespace is ignored; anything else that is not one of the forms is a [`RetryAfterError`].
//! - A decimal fraction is accepted in both numeric forms (`1.5`, `250.75`); results are rounded **up** to
//!   whole milliseconds, so converting them to milliseconds never shortens the wait.
//! - A negative number (`-5`) or a date in the past gives zero.
//! - Absurdly large values saturate at [`MAX_WAIT`] (about 584 million years), which still fits in `u64`
//!   milliseconds.

use std::time::Duration;

use crate::checked::times;

mod http_date;

/// The longest wait this module returns: `u64::MAX` milliseconds. Larger values saturate to it.
pub const MAX_WAIT: Duration = Duration::from_millis(u64::MAX);

/// How much of a malformed value an error keeps (in bytes, cut at a character boundary).
const KEEP_BYTES: usize = 64;

/// Why a `Retry-After` or `retry-after-ms` value could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RetryAfterError {
    /// The value is empty or only whitespace.
    #[error("empty Retry-After value")]
    Empty,
    /// A `Retry-After` value that is neither delay-seconds nor an HTTP-date (the text keeps at most 64 bytes).
    #[error("Retry-After is neither a number of seconds nor an HTTP-date: {}", crate::Quoted(.0))]
    Malformed(String),
    /// A `retry-after-ms` value that is not a number of milliseconds (the text keeps at most 64 bytes).
    #[error("retry-after-ms is not a number of milliseconds: {}", crate::Quoted(.0))]
    MalformedMillis(String),
}

/// Parses a `Retry-After` value into how long to wait from `now_ms` (milliseconds since the Unix epoch).
///
/// `"120"` gives 120 s; `"Wed, 21 Oct 2015 07:28:00 GMT"` gives the time from `now_ms` to that date, or zero
/// if it has passed.
pub fn parse_retry_after(value: &str, now_ms: u64) -> Result<Duration, RetryAfterError> {
    parse(value, Some(now_ms)).map_err(|value| malformed(value, RetryAfterError::Malformed))
}

/// Parses a `retry-after-ms` value (integer or decimal milliseconds, e.g. `"1500"` or `"1500.25"`).
pub fn parse_retry_after_ms(value: &str) -> Result<Duration, RetryAfterError> {
    parse(value, None).map_err(|value| malformed(value, RetryAfterError::MalformedMillis))
}

/// The wait that a response's headers ask for: a valid `retry-after-ms` (more precise) wins, else a valid
/// `Retry-After`, else `None`. Malformed values are ignored, as if the header were absent.
pub fn retry_after_from_headers(
    retry_after: Option<&str>,
    retry_after_ms: Option<&str>,
    now_ms: u64,
) -> Option<Duration> {
    retry_after_ms.and_then(|v| parse(v, None).ok()).or_else(|| retry_after.and_then(|v| parse(v, Some(now_ms)).ok()))
}

/// Both parsers without building an error: `now_ms` given, a `Retry-After` value (seconds or an HTTP-date),
/// else a `retry-after-ms` value. `Err` holds the trimmed value.
fn parse(value: &str, now_ms: Option<u64>) -> Result<Duration, &str> {
    let value = value.trim();
    if let Some(wait) = number(value, if now_ms.is_some() { 1_000 } else { 1 }) {
        return Ok(wait);
    }
    let Some(now_ms) = now_ms else { return Err(value) };
    match http_date::parse_http_date(value) {
        // At most year 9999: the milliseconds fit.
        Some(secs) => Ok(Duration::from_millis((secs * 1000).saturating_sub(now_ms))),
        None => Err(value),
    }
}

/// The error for a trimmed `value` that did not parse.
fn malformed(value: &str, kind: fn(String) -> RetryAfterError) -> RetryAfterError {
    if value.is_empty() {
        RetryAfterError::Empty
    } else {
        kind(keep_prefix(value))
    }
}

/// `-?[0-9]+(\.[0-9]+)?` (no `+`, no exponent, no bare `.5`) times `unit_ms` milliseconds, rounded up to a whole
/// millisecond, saturating at [`MAX_WAIT`]; zero when negative; `None` when `text` is not of that form.
fn number(text: &str, unit_ms: u64) -> Option<Duration> {
    let (negative, digits) = match text.as_bytes() {
        [b'-', rest @ ..] => (true, rest),
        all => (false, all),
    };
    let mut whole = Some(0u64); // `None` once it overflows
    let mut in_fraction = false;
    let mut part_len = 0; // digits in the current part (whole or fraction)
                          // unit_ms <= 1000, so the first four fractional digits decide the whole milliseconds, and any non-zero digit
                          // after them rounds up.
    let mut scaled: u64 = 0; // the first four fractional digits, as ten-thousandths
    let mut rest_nonzero = false;
    for &c in digits {
        match c {
            b'0'..=b'9' => {
                let digit = u64::from(c - b'0');
                if !in_fraction {
                    whole = whole.and_then(|w| times(w, 10)?.checked_add(digit));
                } else if part_len < 4 {
                    scaled = scaled * 10 + digit;
                } else {
                    rest_nonzero |= digit != 0;
                }
                part_len += 1;
            }
            b'.' if !in_fraction && part_len > 0 => {
                in_fraction = true;
                part_len = 0;
            }
            _ => return None,
        }
    }
    if part_len == 0 {
        return None;
    }
    if negative {
        return Some(Duration::ZERO);
    }
    if in_fraction {
        for _ in part_len..4 {
            scaled *= 10;
        }
    }
    let numerator = scaled * unit_ms; // ten-thousandths of a millisecond, < 10^7
    let fraction_ms = numerator.div_ceil(10_000) + u64::from(rest_nonzero && numerator.is_multiple_of(10_000));
    Some(whole.and_then(|w| times(w, unit_ms)?.checked_add(fraction_ms)).map_or(MAX_WAIT, Duration::from_millis))
}

fn keep_prefix(value: &str) -> String {
    let mut end = value.len().min(KEEP_BYTES);
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    value[..end].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEC: u64 = 1_000;
    /// 2015-10-21T07:28:00Z in milliseconds since the epoch.
    const OCT_21_2015: u64 = 1_445_412_480 * SEC;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn delay_seconds() {
        assert_eq!(parse_retry_after("120", 0), Ok(ms(120_000)));
        assert_eq!(parse_retry_after("0", 5), Ok(ms(0)));
        assert_eq!(parse_retry_after("  7\t", 5), Ok(ms(7_000)));
        assert_eq!(parse_retry_after("007", 5), Ok(ms(7_000)));
        assert_eq!(parse_retry_after("1.5", 5), Ok(ms(1_500)));
        assert_eq!(parse_retry_after("0.0001", 5), Ok(ms(1)), "rounds up to a whole millisecond");
        assert_eq!(parse_retry_after("2.0000000000001", 5), Ok(ms(2_001)));
        assert_eq!(parse_retry_after("-5", 5), Ok(ms(0)));
        assert_eq!(parse_retry_after("-0.5", 5), Ok(ms(0)));
    }

    #[test]
    fn http_dates() {
        let date = "Wed, 21 Oct 2015 07:28:00 GMT";
        assert_eq!(parse_retry_after(date, OCT_21_2015 - 90 * SEC), Ok(ms(90_000)));
        assert_eq!(parse_retry_after(date, OCT_21_2015 - 1), Ok(ms(1)));
        assert_eq!(parse_retry_after(date, OCT_21_2015), Ok(ms(0)));
        assert_eq!(parse_retry_after(date, OCT_21_2015 + 3_600 * SEC), Ok(ms(0)), "past dates give zero");
        assert_eq!(parse_retry_after(date, u64::MAX), Ok(ms(0)));
        // The obsolete forms RFC 9110 still requires recipients to accept.
        assert_eq!(parse_retry_after("Wednesday, 21-Oct-15 07:28:00 GMT", OCT_21_2015 - SEC), Ok(ms(1_000)));
        assert_eq!(parse_retry_after("Wed Oct 21 07:28:00 2015", OCT_21_2015 - SEC), Ok(ms(1_000)));
        // The far future is a long but finite wait.
        assert_eq!(parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", 0), Ok(ms(253_402_300_799 * SEC)));
    }

    #[test]
    fn absurd_values_saturate() {
        assert_eq!(parse_retry_after("18446744073709551615", 0), Ok(MAX_WAIT));
        assert_eq!(parse_retry_after("18446744073709552", 0), Ok(MAX_WAIT), "seconds overflow as milliseconds");
        assert_eq!(parse_retry_after(&"9".repeat(500), 0), Ok(MAX_WAIT));
        assert_eq!(parse_retry_after_ms("18446744073709551615"), Ok(MAX_WAIT));
        assert_eq!(parse_retry_after_ms("18446744073709551615.5"), Ok(MAX_WAIT));
        assert_eq!(parse_retry_after_ms("18446744073709551614.5"), Ok(MAX_WAIT));
        assert_eq!(parse_retry_after_ms("18446744073709551613.5"), Ok(ms(u64::MAX - 1)));
    }

    #[test]
    fn milliseconds() {
        assert_eq!(parse_retry_after_ms("1500"), Ok(ms(1_500)));
        assert_eq!(parse_retry_after_ms(" 1500.25 "), Ok(ms(1_501)));
        assert_eq!(parse_retry_after_ms("1500.000"), Ok(ms(1_500)));
        assert_eq!(parse_retry_after_ms("0.00001"), Ok(ms(1)));
        assert_eq!(parse_retry_after_ms("0"), Ok(ms(0)));
        assert_eq!(parse_retry_after_ms("-20"), Ok(ms(0)));
    }

    #[test]
    fn malformed_values_are_typed_errors() {
        for bad in ["abc", "1e3", "+5", "5s", "1.", ".5", "1..2", "--1", "- 1", "1 2", "0x10", "١٢", "Wed, 21 Oct"] {
            assert!(matches!(parse_retry_after(bad, 0), Err(RetryAfterError::Malformed(_))), "{bad:?}");
            assert!(matches!(parse_retry_after_ms(bad), Err(RetryAfterError::MalformedMillis(_))), "{bad:?}");
        }
        assert_eq!(parse_retry_after("", 0), Err(RetryAfterError::Empty));
        assert_eq!(parse_retry_after(" \t", 0), Err(RetryAfterError::Empty));
        assert_eq!(parse_retry_after_ms(""), Err(RetryAfterError::Empty));
        assert_eq!(parse_retry_after_ms(" \t"), Err(RetryAfterError::Empty));
        // A date is a `Retry-After` form only.
        assert_eq!(
            parse_retry_after_ms(" Wed, 21 Oct 2015 07:28:00 GMT "),
            Err(RetryAfterError::MalformedMillis("Wed, 21 Oct 2015 07:28:00 GMT".into()))
        );
        assert_eq!(retry_after_from_headers(None, Some("Wed, 21 Oct 2015 07:28:00 GMT"), 0), None);
        assert_eq!(
            parse_retry_after("Thu, 31 Feb 2015 07:28:00 GMT", 0),
            Err(RetryAfterError::Malformed("Thu, 31 Feb 2015 07:28:00 GMT".into()))
        );
    }

    #[test]
    fn errors_keep_a_bounded_prefix() {
        let long = "é".repeat(100);
        let Err(RetryAfterError::Malformed(kept)) = parse_retry_after(&long, 0) else { panic!("expected error") };
        assert_eq!(kept, "é".repeat(32));
    }

    /// The oracle: exact `u128` arithmetic on a number already known to match `-?[0-9]{1,20}(\.[0-9]{1,12})?`.
    fn exact_ms(text: &str, unit_ms: u128) -> Duration {
        if text.starts_with('-') {
            return Duration::ZERO;
        }
        let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
        let scale = 10u128.pow(fraction.len() as u32);
        let value = whole.parse::<u128>().unwrap() * scale + fraction.parse::<u128>().unwrap_or(0);
        let ms = (value * unit_ms).div_ceil(scale);
        Duration::from_millis(u64::try_from(ms).unwrap_or(u64::MAX))
    }

    proptest::proptest! {
        #[test]
        fn numbers_agree_with_exact_arithmetic(text in "-?[0-9]{1,20}(\\.[0-9]{1,12})?", pad in "[ \t]{0,2}") {
            let padded = format!("{pad}{text}{pad}");
            proptest::prop_assert_eq!(parse_retry_after(&padded, 0), Ok(exact_ms(&text, 1000)));
            proptest::prop_assert_eq!(parse_retry_after_ms(&padded), Ok(exact_ms(&text, 1)));
        }

        #[test]
        fn near_numbers_are_refused(text in "[-+.0-9e ]{0,8}") {
            // The oracle for the form: a hand-written check of `-?[0-9]+(\.[0-9]+)?`, surrounding spaces trimmed.
            let t = text.trim();
            let body = t.strip_prefix('-').unwrap_or(t);
            let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
            let is_number = match body.split_once('.') {
                Some((w, f)) => digits(w) && digits(f),
                None => digits(body),
            };
            proptest::prop_assert_eq!(parse_retry_after_ms(&text).is_ok(), is_number, "{:?}", text);
            proptest::prop_assert_eq!(parse_retry_after(&text, 0).is_ok(), is_number, "{:?}", text);
        }
    }

    #[test]
    fn headers_prefer_valid_milliseconds() {
        assert_eq!(retry_after_from_headers(Some("2"), Some("1500"), 0), Some(ms(1_500)));
        assert_eq!(retry_after_from_headers(Some("2"), Some("soon"), 0), Some(ms(2_000)));
        assert_eq!(retry_after_from_headers(Some("2"), None, 0), Some(ms(2_000)));
        assert_eq!(retry_after_from_headers(None, Some("1500"), 0), Some(ms(1_500)));
        assert_eq!(retry_after_from_headers(Some("later"), Some(""), 0), None);
        assert_eq!(retry_after_from_headers(None, None, 0), None);
        assert_eq!(
            retry_after_from_headers(Some("Wed, 21 Oct 2015 07:28:00 GMT"), None, OCT_21_2015 - SEC),
            Some(ms(1_000))
        );
    }
}
