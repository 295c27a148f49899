//! RFC 3339 date-times, as pages carry them and as users give them.

use mde_core::Timestamp;

/// Any bytes as a date-time: `parse` and `parse_bytes` agree; a parsed instant prints (`Display`) as text that
/// parses to the same instant, and printing is then stable; whole milliseconds go through the Unix form unchanged.
pub fn timestamp(data: &[u8]) {
    let from_bytes = Timestamp::parse_bytes(data);
    let Some(text) = crate::text(data) else {
        assert!(from_bytes.is_err(), "bytes that are not UTF-8 parsed as a date-time");
        return;
    };
    let parsed = Timestamp::parse(text);
    assert_eq!(parsed, from_bytes);
    let Ok(t) = parsed else { return };
    let printed = t.to_string();
    let again = Timestamp::parse(&printed).unwrap_or_else(|e| panic!("{printed:?} does not parse: {e}"));
    assert_eq!(again, t, "{printed:?}");
    assert_eq!(again.to_string(), printed);
    if t.subsec_nanos() % 1_000_000 == 0 {
        assert_eq!(Timestamp::from_unix_millis(t.unix_millis()), Some(t));
    }
}
