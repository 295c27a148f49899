//! `Timestamp`: a UTC instant with nanosecond precision, parsed from and printed as RFC 3339.
//!
//! The service sends `startTime`/`endTime` with 0 to 7 fractional digits and a `Z`; users and other tools
//! write offsets (`+02:00`) and, as OData allows, times without seconds (`2026-01-01T10:00+02:00`). Everything
//! is normalised to UTC. Printing uses the fewest fractional digits that keep the value exact, so
//! `parse(display(t)) == t` for every representable `t`.
//!
//! Written by hand (about a hundred lines) rather than pulling `time`/`jiff` into the browser bundle.

use std::fmt;

/// A UTC instant between `0001-01-01T00:00:00Z` and `9999-12-31T23:59:59.999999999Z`: what the service's .NET
/// `DateTimeOffset` holds (<https://learn.microsoft.com/en-us/dotnet/api/system.datetimeoffset.minvalue>), to the
/// nanosecond.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    secs: i64,
    nanos: u32,
}

/// Why a text is not an RFC 3339 date-time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid date-time at byte {position}: expected {expected} (form: 2024-01-31T23:59:59.1234567Z or with an offset like +02:00)")]
pub struct TimestampError {
    /// Byte offset in the parsed text where the problem was found.
    pub position: usize,
    /// What was expected there.
    pub expected: &'static str,
}

/// Nanoseconds per unit of a fraction of `n` digits (`n` from 0 to 9): `10^(9 - n)`.
const NANOS_PER_DIGITS: [u32; 10] =
    [1_000_000_000, 100_000_000, 10_000_000, 1_000_000, 100_000, 10_000, 1_000, 100, 10, 1];

const MIN_SECS: i64 = -62_135_596_800; // 0001-01-01T00:00:00Z
const MAX_SECS: i64 = 253_402_300_799; // 9999-12-31T23:59:59Z

impl Timestamp {
    /// The earliest representable instant, `0001-01-01T00:00:00Z`.
    pub const MIN: Timestamp = Timestamp { secs: MIN_SECS, nanos: 0 };
    /// The latest representable instant, `9999-12-31T23:59:59.999999999Z`.
    pub const MAX: Timestamp = Timestamp { secs: MAX_SECS, nanos: 999_999_999 };

    /// Builds a timestamp from seconds and nanoseconds since the Unix epoch; `None` when out of range.
    #[inline(always)]
    pub fn from_unix(secs: i64, nanos: u32) -> Option<Timestamp> {
        if nanos >= 1_000_000_000 || !(MIN_SECS..=MAX_SECS).contains(&secs) {
            return None;
        }
        Some(Timestamp { secs, nanos })
    }

    /// Builds a timestamp from milliseconds since the Unix epoch (what `Date.now()` gives).
    pub fn from_unix_millis(ms: i64) -> Option<Timestamp> {
        // Counted from MIN_SECS: negative (too early) is refused, and the division needs no Euclidean adjustment.
        let since_min = u64::try_from(ms.checked_sub(MIN_SECS * 1000)?).ok()?;
        Timestamp::from_unix((since_min / 1000) as i64 + MIN_SECS, (since_min % 1000) as u32 * 1_000_000)
    }

    /// Seconds since the Unix epoch (floor).
    pub fn unix_seconds(&self) -> i64 {
        self.secs
    }

    /// Nanoseconds within the second.
    pub fn subsec_nanos(&self) -> u32 {
        self.nanos
    }

    /// Milliseconds since the Unix epoch (floor).
    pub fn unix_millis(&self) -> i64 {
        self.secs * 1000 + i64::from(self.nanos / 1_000_000)
    }

    /// Builds a timestamp from a UTC calendar date and time of day; `None` when a field is out of range.
    pub fn from_utc(
        year: i32,
        month: u32,
        day: u32,
        hour: u32,
        minute: u32,
        second: u32,
        nanos: u32,
    ) -> Option<Timestamp> {
        if !(1..=9999).contains(&year)
            || !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(year as i64, month)
        {
            return None;
        }
        if hour > 23 || minute > 59 || second > 59 {
            return None;
        }
        let days = days_from_civil(i64::from(year), month, day);
        Timestamp::from_unix(days * 86_400 + i64::from(hour * 3600 + minute * 60 + second), nanos)
    }

    /// Parses RFC 3339 (`2024-01-31T23:59:59Z`, `Z` or `±HH:MM`) and OData's `dateTimeOffsetValue`, which also
    /// allows a time without seconds (`2024-01-31T23:59Z`) and up to 12 fractional digits (those past the ninth,
    /// below a nanosecond, are dropped); `T` and `Z` in either case. Normalised to UTC.
    // A wrapper: the work is in `parse_bytes`.
    #[inline]
    pub fn parse(text: &str) -> Result<Timestamp, TimestampError> {
        Timestamp::parse_bytes(text.as_bytes())
    }

    /// [`Timestamp::parse`] of a text given as bytes (as RFC 3339 is ASCII, any other byte is refused where it
    /// is), for a reader that has them without making them a `str`.
    // It runs for every item of a page (the page walks call it) and once in a while elsewhere (filters, tokens).
    // Not `#[inline]`: one copy in the wasm module, in mde-core, which is built for size, but `optimize(speed)`,
    // its helpers `#[inline(always)]`, the digits and the fraction's loops written so that they need no loop
    // unrolling (which a size build does not do): as fast as the copy that mde-wasm compiled at `opt-level = 3`
    // when it was `#[inline]` (validate.bench.js), 2.8 KB less wasm.
    #[cfg_attr(mde_size, optimize(speed))]
    pub fn parse_bytes(b: &[u8]) -> Result<Timestamp, TimestampError> {
        let mut p = Cursor { b, i: 0 };
        let year = p.digits(4, "a four-digit year")? as i32;
        p.byte(b'-', "'-' after the year")?;
        let month = p.digits(2, "a two-digit month")?;
        p.byte(b'-', "'-' after the month")?;
        let day_pos = p.i;
        let day = p.digits(2, "a two-digit day")?;
        if !(1..=12).contains(&month) {
            return Err(TimestampError { position: 5, expected: "a month from 01 to 12" });
        }
        if day == 0 || day > days_in_month(i64::from(year), month) {
            return Err(TimestampError { position: day_pos, expected: "a day that exists in that month" });
        }
        if !(p.eat(b'T') || p.eat(b't')) {
            return Err(TimestampError { position: p.i, expected: "'T' and a time of day" });
        }
        let hour = p.digits(2, "a two-digit hour")?;
        p.byte(b':', "':' after the hour")?;
        let minute_pos = p.i;
        let minute = p.digits(2, "two-digit minutes")?;
        // Seconds, and a fraction after them, are optional (RFC 3339 requires them; OData's dateTimeOffsetValue
        // does not: `2026-01-01T00:00Z`).
        let (second, has_seconds) = if p.eat(b':') { (p.digits(2, "two-digit seconds")?, true) } else { (0, false) };
        if hour > 23 || minute > 59 || second > 59 {
            return Err(TimestampError { position: minute_pos - 3, expected: "a time from 00:00:00 to 23:59:59" });
        }
        let mut nanos = 0u32;
        if has_seconds && p.eat(b'.') {
            // Up to 12 digits (OData's fractionalSeconds); those past the ninth are below a nanosecond: dropped.
            // Two loops without a test per digit of which part it is in, and the scale from a table: mde-core
            // is built for size, where LLVM neither unrolls this loop nor turns `pow` into a constant.
            let start = p.i;
            let nine = b.len().min(start + 9);
            while p.i < nine && b[p.i].is_ascii_digit() {
                nanos = nanos * 10 + u32::from(b[p.i] - b'0');
                p.i += 1;
            }
            let kept = p.i - start;
            while p.i < b.len() && b[p.i].is_ascii_digit() {
                if p.i - start == 12 {
                    return Err(TimestampError { position: p.i, expected: "at most 12 fractional digits" });
                }
                p.i += 1;
            }
            if kept == 0 {
                return Err(TimestampError { position: p.i, expected: "a digit after '.'" });
            }
            nanos *= NANOS_PER_DIGITS[kept];
        }
        let offset_secs: i64 = if p.eat(b'Z') || p.eat(b'z') {
            0
        } else if p.i < b.len() && (b[p.i] == b'+' || b[p.i] == b'-') {
            let sign = if b[p.i] == b'-' { -1 } else { 1 };
            p.i += 1;
            let oh = p.digits(2, "a two-digit offset hour")?;
            p.byte(b':', "':' in the offset")?;
            let om = p.digits(2, "two-digit offset minutes")?;
            // RFC 3339 and OData allow offsets to ±23:59; .NET's DateTimeOffset, ±14:00.
            if om > 59 || oh * 60 + om > 14 * 60 {
                return Err(TimestampError { position: p.i - 5, expected: "an offset from -14:00 to +14:00" });
            }
            sign * i64::from(oh * 3600 + om * 60)
        } else {
            return Err(TimestampError { position: p.i, expected: "'Z' or an offset like +02:00" });
        };
        if p.i != b.len() {
            return Err(TimestampError { position: p.i, expected: "the end of the date-time" });
        }
        let local =
            days_from_civil(i64::from(year), month, day) * 86_400 + i64::from(hour * 3600 + minute * 60 + second);
        Timestamp::from_unix(local - offset_secs, nanos)
            .ok_or(TimestampError { position: 0, expected: "a date-time between years 0001 and 9999 in UTC" })
    }

    /// The UTC calendar fields: (year, month, day, hour, minute, second).
    pub fn to_utc_fields(&self) -> (i32, u32, u32, u32, u32, u32) {
        // Counted from MIN_SECS (a whole day), the seconds are never negative: no Euclidean adjustments.
        let since_min = (self.secs - MIN_SECS) as u64;
        let sod = (since_min % 86_400) as u32;
        let (y, m, d) = civil_from_days((since_min / 86_400) as i64 + MIN_SECS / 86_400);
        (y as i32, m, d, sod / 3600, sod / 60 % 60, sod % 60)
    }
}

impl fmt::Display for Timestamp {
    // Digits written into a buffer by hand: no width/fill formatting machinery for the seven padded fields.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, mo, d, h, mi, s) = self.to_utc_fields();
        let mut buf = *b"0000-00-00T00:00:00.000000000Z";
        put_digits(&mut buf[..4], y as u32);
        put_digits(&mut buf[5..7], mo);
        put_digits(&mut buf[8..10], d);
        put_digits(&mut buf[11..13], h);
        put_digits(&mut buf[14..16], mi);
        put_digits(&mut buf[17..19], s);
        put_digits(&mut buf[20..29], self.nanos);
        // The fewest fractional digits that keep the value exact; none (and no '.') for whole seconds.
        let mut len = 29;
        while buf[len - 1] == b'0' && len > 20 {
            len -= 1;
        }
        if len == 20 {
            len = 19;
        }
        buf[len] = b'Z';
        f.write_str(std::str::from_utf8(&buf[..=len]).unwrap_or_default())
    }
}

/// Writes the last `slots.len()` decimal digits of `v` into `slots`, zero-padded.
fn put_digits(slots: &mut [u8], mut v: u32) {
    for slot in slots.iter_mut().rev() {
        *slot = b'0' + (v % 10) as u8;
        v /= 10;
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::str::FromStr for Timestamp {
    type Err = TimestampError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Timestamp::parse(s)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Timestamp;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RFC 3339 date-time string")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Timestamp, E> {
                Timestamp::parse(v).map_err(E::custom)
            }
        }
        d.deserialize_str(V)
    }
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    /// `n` (2 or 4) digits. Unrolled by hand: mde-core is built for size, where LLVM unrolls no loop.
    #[inline(always)]
    fn digits(&mut self, n: usize, expected: &'static str) -> Result<u32, TimestampError> {
        let mut v = self.digit(0, expected)? * 10 + self.digit(1, expected)?;
        if n == 4 {
            v = (v * 10 + self.digit(2, expected)?) * 10 + self.digit(3, expected)?;
        }
        self.i += n;
        Ok(v)
    }
    #[inline(always)]
    fn digit(&self, k: usize, expected: &'static str) -> Result<u32, TimestampError> {
        match self.b.get(self.i + k) {
            Some(c) if c.is_ascii_digit() => Ok(u32::from(c - b'0')),
            _ => Err(TimestampError { position: self.i + k, expected }),
        }
    }
    #[inline(always)]
    fn eat(&mut self, c: u8) -> bool {
        if self.b.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    #[inline(always)]
    fn byte(&mut self, c: u8, expected: &'static str) -> Result<(), TimestampError> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(TimestampError { position: self.i, expected })
        }
    }
}

#[inline(always)]
fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

#[inline(always)]
fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
#[inline(always)]
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's algorithm), for the days of
/// representable timestamps: shifted by one more 400-year era, every step is on non-negative `u32`s.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = (z + 719_468 + 146_097) as u32;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = i64::from(yoe + era * 400) - 400;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parse_bytes_reads_as_parse_reads() {
        for text in ["2020-01-06T14:11:34.1234567Z", "2024-02-29T23:59:59+02:00", "2024-02-30T00:00:00Z", "x", ""] {
            assert_eq!(Timestamp::parse_bytes(text.as_bytes()), Timestamp::parse(text), "{text}");
        }
        assert!(Timestamp::parse_bytes(b"2020-01-06T14:11:34\xffZ").is_err());
    }

    #[test]
    fn parses_service_forms() {
        let t = Timestamp::parse("2020-01-06T14:11:34Z").unwrap();
        assert_eq!(t.unix_seconds(), 1_578_319_894);
        assert_eq!(t.to_string(), "2020-01-06T14:11:34Z");
        let t = Timestamp::parse("2020-01-06T14:11:34.1234567Z").unwrap();
        assert_eq!(t.subsec_nanos(), 123_456_700);
        assert_eq!(t.to_string(), "2020-01-06T14:11:34.1234567Z");
        assert_eq!(Timestamp::parse("2020-01-06T16:11:34.5+02:00").unwrap().to_string(), "2020-01-06T14:11:34.5Z");
        assert_eq!(Timestamp::parse("2020-01-06T00:00:00-01:30").unwrap().to_string(), "2020-01-06T01:30:00Z");
        assert_eq!(Timestamp::parse("1970-01-01T00:00:00Z").unwrap().unix_millis(), 0);
        assert_eq!(Timestamp::parse("2024-02-29T00:00:00Z").unwrap().to_string(), "2024-02-29T00:00:00Z");
    }

    #[test]
    fn parses_odata_forms() {
        // OData's dateTimeOffsetValue: seconds optional, 1 to 12 fractional digits, `T`/`Z` in either case.
        let t = |s: &str| Timestamp::parse(s).map(|t| t.to_string());
        assert_eq!(t("2026-01-01T00:00Z").unwrap(), "2026-01-01T00:00:00Z");
        assert_eq!(t("2026-01-01T10:00+02:00").unwrap(), "2026-01-01T08:00:00Z");
        assert_eq!(t("2026-01-01t10:00z").unwrap(), "2026-01-01T10:00:00Z");
        assert_eq!(t("2012-09-03T13:52:07.123456789012Z").unwrap(), "2012-09-03T13:52:07.123456789Z");
        assert_eq!(t("2012-09-03T13:52:07.1234567899Z").unwrap(), "2012-09-03T13:52:07.123456789Z");
        let e = Timestamp::parse("2012-09-03T13:52:07.1234567890123Z").unwrap_err();
        assert_eq!((e.position, e.expected), (32, "at most 12 fractional digits"));
        // No fraction without seconds, no hour without minutes.
        assert_eq!(Timestamp::parse("2026-01-01T00:00.5Z").unwrap_err().position, 16);
        assert_eq!(Timestamp::parse("2026-01-01T00Z").unwrap_err().position, 13);
        assert_eq!(Timestamp::parse("2026-01-01T00:60Z").unwrap_err().position, 11);
    }

    #[test]
    fn rejects_with_position() {
        for (text, pos) in [
            ("2023-02-29T00:00:00Z", 8),
            ("2020-01-06 14:11:34Z", 10),
            ("2020-01-06T14:11:34", 19),
            ("2020-01-06T14:11:34.Z", 20),
            ("2020-01-06T24:00:00Z", 11),
            ("2020-13-06T00:00:00Z", 5),
            ("2020-01-06T14:11:34Zx", 20),
            ("20", 2),
            ("", 0),
            ("0001-01-01T00:00:00+00:01", 0),
            ("0000-01-01T00:00:00Z", 0),
            ("2020-01-06T00:00:00+14:01", 20),
            ("2020-01-06T00:00:00-23:59", 20),
        ] {
            assert_eq!(Timestamp::parse(text).unwrap_err().position, pos, "{text}");
        }
    }

    #[test]
    fn from_unix_millis_bounds() {
        assert_eq!(Timestamp::from_unix_millis(MIN_SECS * 1000), Some(Timestamp::MIN));
        assert_eq!(Timestamp::from_unix_millis(MIN_SECS * 1000 - 1), None);
        assert_eq!(
            Timestamp::from_unix_millis(MAX_SECS * 1000 + 999).map(|t| t.unix_millis()),
            Some(MAX_SECS * 1000 + 999)
        );
        assert_eq!(Timestamp::from_unix_millis(MAX_SECS * 1000 + 1000), None);
        assert_eq!(Timestamp::from_unix_millis(-1), Timestamp::from_unix(-1, 999_000_000));
        assert_eq!(Timestamp::from_unix_millis(i64::MIN), None);
        assert_eq!(Timestamp::from_unix_millis(i64::MAX), None);
    }

    #[test]
    fn displays_the_extremes_and_fraction_lengths() {
        assert_eq!(Timestamp::MIN.to_string(), "0001-01-01T00:00:00Z");
        assert_eq!(Timestamp::MAX.to_string(), "9999-12-31T23:59:59.999999999Z");
        assert_eq!(Timestamp::from_unix(-1, 1).unwrap().to_string(), "1969-12-31T23:59:59.000000001Z");
        assert_eq!(Timestamp::from_unix(0, 100_000_000).unwrap().to_string(), "1970-01-01T00:00:00.1Z");
        assert_eq!(
            Timestamp::from_unix(MIN_SECS + (3 * 365 + 59) * 86_400, 0).unwrap().to_string(),
            "0004-02-29T00:00:00Z"
        );
        assert_eq!(
            Timestamp::from_unix(MIN_SECS + (3 * 365 + 60) * 86_400, 0).unwrap().to_string(),
            "0004-03-01T00:00:00Z"
        );
        assert_eq!(format!("{:>40}", Timestamp::MIN), "0001-01-01T00:00:00Z", "no padding, as before");
    }

    proptest! {
        /// Oracle: the fields through `format!`'s zero padding, the fraction trimmed of trailing zeros.
        #[test]
        fn display_agrees_with_format(secs in MIN_SECS..=MAX_SECS, nanos in 0u32..1_000_000_000, whole in 0..3) {
            let nanos = [nanos, 0, nanos / 1000 * 1000][whole as usize];
            let t = Timestamp::from_unix(secs, nanos).unwrap();
            let (y, mo, d, h, mi, s) = t.to_utc_fields();
            let mut expected = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}");
            if nanos != 0 {
                expected += format!(".{nanos:09}").trim_end_matches('0');
            }
            expected.push('Z');
            prop_assert_eq!(t.to_string(), expected);
        }

        /// Oracle: days counted by `div_euclid` from the Unix epoch, the time of day by `rem_euclid`.
        #[test]
        fn fields_agree_with_euclidean_split(secs in MIN_SECS..=MAX_SECS) {
            let t = Timestamp::from_unix(secs, 0).unwrap();
            let (y, mo, d, h, mi, s) = t.to_utc_fields();
            let sod = secs.rem_euclid(86_400);
            prop_assert_eq!((i64::from(h), i64::from(mi), i64::from(s)), (sod / 3600, sod / 60 % 60, sod % 60));
            prop_assert_eq!(days_from_civil(i64::from(y), mo, d), secs.div_euclid(86_400));
        }

        /// Oracle: `div_euclid`/`rem_euclid` of the milliseconds, then the range check of `from_unix`.
        #[test]
        fn from_unix_millis_agrees_with_euclidean_division(ms in proptest::num::i64::ANY, near in -2_000i64..2_000) {
            for ms in [ms, MIN_SECS * 1000 + near, MAX_SECS * 1000 + 999 + near, near] {
                let expected = Timestamp::from_unix(ms.div_euclid(1000), (ms.rem_euclid(1000) as u32) * 1_000_000);
                prop_assert_eq!(Timestamp::from_unix_millis(ms), expected, "{}", ms);
            }
        }

        #[test]
        fn display_round_trips(secs in MIN_SECS..=MAX_SECS, nanos in 0u32..1_000_000_000) {
            let t = Timestamp::from_unix(secs, nanos).unwrap();
            prop_assert_eq!(Timestamp::parse(&t.to_string()).unwrap(), t);
        }

        #[test]
        fn fields_agree_with_naive_day_count(days in -719_528i64..2_932_896) {
            // Oracle: walk whole years and months from 1970 (or backwards), counting days.
            let (y, m, d) = civil_from_days(days);
            let mut count = 0i64;
            if y >= 1970 { for yy in 1970..y { count += if is_leap(yy) { 366 } else { 365 }; } }
            else { for yy in y..1970 { count -= if is_leap(yy) { 366 } else { 365 }; } }
            for mm in 1..m { count += i64::from(days_in_month(y, mm)); }
            count += i64::from(d) - 1;
            prop_assert_eq!(count, days);
            prop_assert_eq!(days_from_civil(y, m, d), days);
        }

        /// Oracle: the first nine digits, padded with zeros to nine, are the nanoseconds; digits 10 to 12 are
        /// dropped; none, or a 13th, is an error where it is.
        #[test]
        fn fractions_read_as_padded_digits(digits in "[0-9]{0,14}", end in "Z|\\+01:00|x") {
            let text = format!("2020-01-06T14:11:34.{digits}{end}");
            let got = Timestamp::parse(&text);
            let n = digits.len();
            if n == 0 {
                prop_assert_eq!(got.map_err(|e| (e.position, e.expected)), Err((20, "a digit after '.'")));
            } else if n > 12 {
                prop_assert_eq!(got.map_err(|e| (e.position, e.expected)), Err((32, "at most 12 fractional digits")));
            } else if end == "x" {
                prop_assert_eq!(got.map_err(|e| e.position), Err(20 + n));
            } else {
                let nanos: u32 = format!("{:0<9}", &digits[..n.min(9)]).parse().unwrap();
                let secs = 1_578_319_894 - if end == "Z" { 0 } else { 3600 };
                prop_assert_eq!(got, Ok(Timestamp::from_unix(secs, nanos).unwrap()));
            }
        }

        #[test]
        fn never_panics(s in "\\PC{0,40}") {
            let _ = Timestamp::parse(&s);
        }
    }
}
