//! The oracle's own date-times: an instant is an `i128` of nanoseconds since 1970-01-01T00:00:00Z.
//!
//! Written naively on purpose (calendar arithmetic by counting days year by year, month by month), so that it
//! shares nothing with mde-core's `Timestamp` but its behaviour.

/// Nanoseconds in a second.
pub const NANOS: i128 = 1_000_000_000;

/// Nanoseconds since the Unix epoch.
pub type Instant = i128;

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn month_days(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the given date (negative before it), by counting.
fn days_since_epoch(year: i64, month: u32, day: u32) -> i64 {
    let mut days = 0i64;
    if year >= 1970 {
        for y in 1970..year {
            days += if is_leap(y) { 366 } else { 365 };
        }
    } else {
        for y in year..1970 {
            days -= if is_leap(y) { 366 } else { 365 };
        }
    }
    for m in 1..month {
        days += i64::from(month_days(year, m));
    }
    days + i64::from(day) - 1
}

/// The calendar date of a day number (days since 1970-01-01), by counting.
fn date_of_day(mut days: i64) -> (i64, u32, u32) {
    let mut year = 1970i64;
    loop {
        let len = if is_leap(year) { 366 } else { 365 };
        if days < 0 {
            year -= 1;
            days += if is_leap(year) { 366 } else { 365 };
        } else if days >= len {
            days -= len;
            year += 1;
        } else {
            break;
        }
    }
    let mut month = 1;
    while days >= i64::from(month_days(year, month)) {
        days -= i64::from(month_days(year, month));
        month += 1;
    }
    (year, month, days as u32 + 1)
}

/// An instant from UTC calendar fields and nanoseconds.
pub fn instant(year: i64, month: u32, day: u32, hour: u32, minute: u32, second: u32, nanos: u32) -> Instant {
    let days = days_since_epoch(year, month, day);
    let secs = days * 86_400 + i64::from(hour) * 3_600 + i64::from(minute) * 60 + i64::from(second);
    i128::from(secs) * NANOS + i128::from(nanos)
}

/// The fewest fractional digits that write `instant` exactly (0 to 9).
pub fn min_digits(instant: Instant) -> u8 {
    let mut frac = instant.rem_euclid(NANOS);
    if frac == 0 {
        return 0;
    }
    let mut digits = 9;
    while frac % 10 == 0 {
        frac /= 10;
        digits -= 1;
    }
    digits
}

/// Writes `instant` as RFC 3339 with exactly `digits` fractional digits (at least [`min_digits`], at most 9)
/// and the given UTC offset in minutes (`Z` for 0 when `z` is true, else `+00:00`).
pub fn render(instant: Instant, digits: u8, offset_minutes: i32, z: bool) -> String {
    let digits = digits.clamp(min_digits(instant), 9);
    let local = instant + i128::from(offset_minutes) * 60 * NANOS;
    let secs = local.div_euclid(NANOS) as i64;
    let frac = local.rem_euclid(NANOS) as u32;
    let (y, mo, d) = date_of_day(secs.div_euclid(86_400));
    let sod = secs.rem_euclid(86_400);
    let mut out = format!("{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}", sod / 3600, sod / 60 % 60, sod % 60);
    if digits > 0 {
        let all = format!("{frac:09}");
        out.push('.');
        out.push_str(&all[..digits as usize]);
    }
    if offset_minutes == 0 && z {
        out.push('Z');
    } else {
        let sign = if offset_minutes < 0 { '-' } else { '+' };
        let m = offset_minutes.unsigned_abs();
        out.push_str(&format!("{sign}{:02}:{:02}", m / 60, m % 60));
    }
    out
}

/// Reads RFC 3339 (`Z` or an offset, 0 to 9 fractional digits); `None` when it is not one.
pub fn parse(text: &str) -> Option<Instant> {
    let b = text.as_bytes();
    let num = |from: usize, len: usize| -> Option<u32> {
        let s = b.get(from..from + len)?;
        s.iter().all(u8::is_ascii_digit).then(|| s.iter().fold(0u32, |n, c| n * 10 + u32::from(c - b'0')))
    };
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') || !matches!(b.get(10), Some(b'T' | b't')) {
        return None;
    }
    if b.get(13) != Some(&b':') || b.get(16) != Some(&b':') {
        return None;
    }
    if !(1..=12).contains(&month) || day == 0 || day > month_days(i64::from(year), month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let mut i = 19;
    let mut nanos = 0u32;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        let n = i - start;
        if n == 0 || n > 9 {
            return None;
        }
        nanos = num(start, n)? * 10u32.pow(9 - n as u32);
    }
    let offset_minutes: i64 = match b.get(i) {
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(&sign @ (b'+' | b'-')) if i + 6 == b.len() && b[i + 3] == b':' => {
            let (h, m) = (num(i + 1, 2)?, num(i + 4, 2)?);
            if h > 23 || m > 59 {
                return None;
            }
            let total = i64::from(h * 60 + m);
            if sign == b'-' {
                -total
            } else {
                total
            }
        }
        _ => return None,
    };
    let local = instant(i64::from(year), month, day, hour, minute, second, nanos);
    Some(local - i128::from(offset_minutes) * 60 * NANOS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants() {
        assert_eq!(instant(1970, 1, 1, 0, 0, 0, 0), 0);
        assert_eq!(instant(2000, 3, 1, 0, 0, 0, 0), 951_868_800 * NANOS);
        assert_eq!(instant(1969, 12, 31, 23, 59, 59, 0), -NANOS);
        assert_eq!(parse("2024-02-29T23:59:59.1234567Z"), Some(instant(2024, 2, 29, 23, 59, 59, 123_456_700)));
        assert_eq!(parse("2024-03-01T01:29:59+01:30"), Some(instant(2024, 2, 29, 23, 59, 59, 0)));
        assert_eq!(parse("2023-02-29T00:00:00Z"), None);
        assert_eq!(parse("2023-01-01T00:00:00"), None);
        assert_eq!(parse("2023-01-01T00:00:00.Z"), None);
    }

    #[test]
    fn render_and_parse_agree() {
        let t = instant(2025, 12, 31, 23, 59, 59, 500_000_000);
        assert_eq!(render(t, 0, 0, true), "2025-12-31T23:59:59.5Z");
        assert_eq!(render(t, 7, 0, true), "2025-12-31T23:59:59.5000000Z");
        assert_eq!(render(t, 1, 90, true), "2026-01-01T01:29:59.5+01:30");
        assert_eq!(render(t, 1, -300, false), "2025-12-31T18:59:59.5-05:00");
        for offset in [-720, -1, 0, 1, 330, 840] {
            for digits in 0..=9 {
                assert_eq!(parse(&render(t, digits, offset, digits % 2 == 0)), Some(t));
            }
        }
        assert_eq!(min_digits(t), 1);
        assert_eq!(min_digits(t + 100), 7);
    }
}
