//! HTTP-dates (RFC 9110, section 5.6.7): the preferred IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) and the
//! two obsolete forms that recipients must accept, RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime
//! (`Sun Nov  6 08:49:37 1994`).
//!
//! The same acceptance as the `httpdate` crate (which the tests use as the oracle): exact layouts, a day name
//! that matches the date, years 1970 to 9999, two-digit RFC 850 years below 70 in the 2000s. Written here, in a
//! few table-driven lines, because the wasm module is size-bound and this runs once per throttled response.

use crate::Timestamp;

const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const LONG_DAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// The three layouts, tried in this order. Digits stand for fields: `1` a day name, `2` a long day name, `3` a
/// month name, `4` a two-digit day, `5` asctime's day (a space and one digit, or two digits), `6` a four-digit
/// year, `7` a two-digit year (below 70 in the 2000s), `h`, `m` and `s` two-digit hours, minutes and seconds; any
/// other byte stands for itself.
const LAYOUTS: [&[u8]; 3] = [b"1, 4 3 6 h:m:s GMT", b"2, 4-3-7 h:m:s GMT", b"1 3 5 h:m:s 6"];

/// The date as seconds since the Unix epoch; `None` if `text` (already trimmed) is not an HTTP-date.
pub(crate) fn parse_http_date(text: &str) -> Option<u64> {
    LAYOUTS.iter().find_map(|layout| read(text.as_bytes(), layout))?.unix_seconds()
}

/// The fields of `text` if it has exactly this layout.
fn read(text: &[u8], layout: &[u8]) -> Option<Fields> {
    let mut c = Cursor(text);
    let mut f = Fields { wday: 0, day: 0, month: 0, year: 0, time: (0, 0, 0) };
    for &token in layout {
        match token {
            b'1' => f.wday = c.name(&DAYS)?,
            b'2' => f.wday = c.name(&LONG_DAYS)?,
            b'3' => f.month = c.name(&MONTHS)?,
            b'4' => f.day = c.digits(2)?,
            b'5' => f.day = if c.lit(b' ').is_some() { c.digits(1)? } else { c.digits(2)? },
            b'6' => f.year = c.digits(4)?,
            b'7' => {
                let yy = c.digits(2)?;
                f.year = if yy < 70 { 2000 + yy } else { 1900 + yy };
            }
            b'h' => f.time.0 = c.digits(2)?,
            b'm' => f.time.1 = c.digits(2)?,
            b's' => f.time.2 = c.digits(2)?,
            _ => c.lit(token)?,
        }
    }
    c.end(f)
}

struct Fields {
    /// 0 = Monday.
    wday: usize,
    day: u32,
    /// 0 = January.
    month: usize,
    year: u32,
    time: (u32, u32, u32),
}

impl Fields {
    fn unix_seconds(&self) -> Option<u64> {
        if self.year < 1970 {
            return None;
        }
        let (h, m, s) = self.time;
        let at = Timestamp::from_utc(self.year as i32, self.month as u32 + 1, self.day, h, m, s, 0)?;
        let secs = u64::try_from(at.unix_seconds()).ok()?;
        // 1970-01-01 was a Thursday (index 3).
        (((secs / 86_400 + 3) % 7) as usize == self.wday).then_some(secs)
    }
}

struct Cursor<'a>(&'a [u8]);

impl Cursor<'_> {
    fn lit(&mut self, byte: u8) -> Option<()> {
        match self.0 {
            [first, rest @ ..] if *first == byte => {
                self.0 = rest;
                Some(())
            }
            _ => None,
        }
    }

    fn name(&mut self, names: &[&str]) -> Option<usize> {
        let i = names.iter().position(|n| self.0.starts_with(n.as_bytes()))?;
        self.0 = &self.0[names[i].len()..];
        Some(i)
    }

    fn digits(&mut self, n: usize) -> Option<u32> {
        let (digits, rest) = self.0.split_at_checked(n)?;
        let mut v = 0;
        for &d in digits {
            if !d.is_ascii_digit() {
                return None;
            }
            v = v * 10 + u32::from(d - b'0');
        }
        self.0 = rest;
        Some(v)
    }

    fn end<T>(&self, value: T) -> Option<T> {
        self.0.is_empty().then_some(value)
    }
}

#[cfg(test)]
mod tests {
    use super::parse_http_date;
    use proptest::prelude::*;
    use std::time::UNIX_EPOCH;

    /// The oracle: the `httpdate` crate.
    fn oracle(text: &str) -> Option<u64> {
        httpdate::parse_http_date(text).ok().map(|t| t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()))
    }

    #[test]
    fn the_three_forms_of_rfc_9110() {
        for text in ["Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"] {
            assert_eq!(parse_http_date(text), Some(784_111_777), "{text}");
        }
        assert_eq!(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(parse_http_date("Fri, 31 Dec 9999 23:59:59 GMT"), Some(253_402_300_799));
        assert_eq!(parse_http_date("Wednesday, 01-Jan-20 00:00:00 GMT"), Some(1_577_836_800));
        for bad in [
            "Mon, 06 Nov 1994 08:49:37 GMT", // wrong day name
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 6 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sun, 31 Feb 1994 08:49:37 GMT",
            "Wed, 31 Dec 1969 23:59:59 GMT",
            "Sun, 06 Nov 1994 08:49:37 GMTX",
            "",
            "Sunday",
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad}");
            assert_eq!(oracle(bad), None, "the oracle on {bad}");
        }
    }

    fn layouts() -> impl Strategy<Value = String> {
        let day = prop::sample::select(vec!["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "Mo", "sun"]);
        let long =
            prop::sample::select(vec!["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]);
        let month = prop::sample::select(vec![
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Foo",
        ]);
        let n = |hi: u32| (0..hi).prop_map(move |v| v);
        prop_oneof![
            (day.clone(), n(33), month.clone(), 1960u32..10_010, n(26), n(62), n(62))
                .prop_map(|(w, d, m, y, h, mi, s)| { format!("{w}, {d:02} {m} {y:04} {h:02}:{mi:02}:{s:02} GMT") }),
            (long, n(33), month.clone(), n(100), n(26), n(62), n(62))
                .prop_map(|(w, d, m, y, h, mi, s)| { format!("{w}, {d:02}-{m}-{y:02} {h:02}:{mi:02}:{s:02} GMT") }),
            (day, month, n(33), n(26), n(62), n(62), 1960u32..10_010, any::<bool>()).prop_map(
                |(w, m, d, h, mi, s, y, pad)| {
                    let d = if pad && d < 10 { format!(" {d}") } else { format!("{d:02}") };
                    format!("{w} {m} {d} {h:02}:{mi:02}:{s:02} {y:04}")
                }
            ),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        /// Every date in range, printed in each of the three layouts, reads back as the same instant.
        #[test]
        fn agrees_with_httpdate_on_real_dates(secs in 0u64..253_402_300_800) {
            let t = UNIX_EPOCH + std::time::Duration::from_secs(secs);
            let text = httpdate::fmt_http_date(t);
            prop_assert_eq!(parse_http_date(&text), Some(secs));
            prop_assert_eq!(oracle(&text), Some(secs));
        }

        /// Near-miss texts (wrong day names, impossible days and times, years out of range): same verdict.
        #[test]
        fn agrees_with_httpdate_on_near_misses(text in layouts()) {
            prop_assert_eq!(parse_http_date(&text), oracle(&text), "{}", text);
        }

        /// Anything at all: same verdict, never a panic.
        #[test]
        fn agrees_with_httpdate_on_noise(text in "[A-Za-z0-9 ,:-]{0,32}") {
            // The oracle trims; `parse_retry_after` trims before calling.
            prop_assert_eq!(parse_http_date(text.trim()), oracle(&text));
        }
    }
}
