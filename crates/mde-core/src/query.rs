//! `ListQuery`: the query string of `GET /api/investigations` (`$filter`, `$top`, `$skip`), both ways.
//!
//! ```
//! use mde_core::filter::state;
//! use mde_core::query::{ListQuery, Top};
//! use mde_core::InvestigationState;
//!
//! let q = ListQuery { filter: Some(state().eq(InvestigationState::Running)), top: Some(Top::new(100)?), skip: 200 };
//! let qs = q.to_query_string();
//! assert_eq!(qs, "$filter=state%20eq%20%27Running%27&$top=100&$skip=200");
//! assert_eq!(ListQuery::from_query_string(&qs)?, q);
//! // What other tools send decodes too: `+` for spaces, `%24` for `$`, any order.
//! assert_eq!(ListQuery::from_query_string("$skip=200&%24top=100&$filter=state+eq+'Running'")?, q);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::base_url::percent_encode;
use crate::checked::times;
use crate::filter::{Excerpt, Filter, FilterError, ParseOptions};
use std::fmt::Write;

/// What stays literal in an encoded `$filter` value: the unreserved characters (`A-Za-z0-9-._~`) and
/// `( ) , :`, which keep filters readable and which neither query-string splitting, form decoding nor the
/// WHATWG URL parser touch. Everything else is percent-encoded, including space (`%20`), `'` (browsers
/// rewrite it to `%27` in URLs anyway), `+`, `&`, `=`, `#`, `%` and non-ASCII (as UTF-8).
const FILTER_VALUE: &[u8] = b"-._~(),:";

/// The largest `$top` the service accepts (also [`listing::MAX_PAGE_SIZE`](crate::listing::MAX_PAGE_SIZE)).
pub const MAX_PAGE_SIZE: u32 = 10_000;

/// A page size, `$top`: 1 to [`MAX_PAGE_SIZE`] (the API's maximum).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Top(u32);

impl Top {
    /// The largest page the API serves, 10,000.
    pub const MAX: Top = Top(MAX_PAGE_SIZE);

    /// `n` as a page size; [`QueryError::InvalidTop`] unless `1 <= n <= 10_000`.
    pub fn new(n: u32) -> Result<Top, QueryError> {
        if (1..=Top::MAX.0).contains(&n) {
            Ok(Top(n))
        } else {
            Err(QueryError::InvalidTop { text: n.to_string() })
        }
    }

    /// The page size.
    pub const fn get(self) -> u32 {
        self.0
    }
}

impl std::fmt::Display for Top {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The query options of one `GET /api/investigations` request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListQuery {
    /// `$filter`, if any.
    pub filter: Option<Filter>,
    /// `$top`, if any (the service's default page size applies without it).
    pub top: Option<Top>,
    /// `$skip`: how many items to skip (0 is not sent).
    pub skip: u64,
}

/// Why a query string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QueryError {
    /// `$top` is not a whole number from 1 to 10000.
    #[error("invalid $top `{}`: expected a whole number from 1 to 10000", Excerpt(.text))]
    InvalidTop {
        /// The decoded value.
        text: String,
    },
    /// `$skip` is not a whole number of 0 or more.
    #[error("invalid $skip `{}`: expected a whole number of 0 or more", Excerpt(.text))]
    InvalidSkip {
        /// The decoded value.
        text: String,
    },
    /// `$filter` does not parse; the error's position is a byte offset into the decoded value.
    #[error("invalid $filter (byte positions are in the decoded value): {0}")]
    Filter(#[from] FilterError),
    /// The same option twice.
    #[error(
        "query option `{}` is given more than once; each of $filter, $top and $skip may appear once",
        Excerpt(.name)
    )]
    DuplicateOption {
        /// The option, decoded (`$top`).
        name: String,
    },
    /// An option the API does not document (`$orderby`, `$select`, `$expand`, `$count`, ...).
    #[error(
        "query option `{}` is not supported: the API documents only $filter, $top and $skip (lowercase)",
        Excerpt(.name)
    )]
    UnsupportedOption {
        /// The option, decoded.
        name: String,
    },
    /// A `%` not followed by two hexadecimal digits.
    #[error("invalid percent-encoding at byte {position} of the query string: `%` must be followed by two hex digits")]
    InvalidPercentEncoding {
        /// Byte offset of the `%` in the query string.
        position: usize,
    },
    /// A key or value that is not UTF-8 once percent-decoded.
    #[error("a query option is not valid UTF-8 once percent-decoded: encode text as UTF-8 before percent-encoding")]
    NotUtf8,
}

impl ListQuery {
    /// The query string, without a leading `?`: `$filter=...&$top=10&$skip=20`, leaving out absent options
    /// and `$skip=0`. The filter is [`Filter::to_odata`] percent-encoded (see `FILTER_VALUE` above: only
    /// `A-Za-z0-9-._~(),:` stay literal, space is `%20`); the keys keep a literal `$`.
    pub fn to_query_string(&self) -> String {
        let mut out = String::new();
        if let Some(f) = &self.filter {
            out.push_str("$filter=");
            percent_encode(&mut out, &f.to_odata(), FILTER_VALUE);
        }
        if let Some(top) = self.top {
            push_option(&mut out, "$top=", top.get().into());
        }
        if self.skip > 0 {
            push_option(&mut out, "$skip=", self.skip);
        }
        out
    }

    /// Reads a query string (with or without a leading `?`), parsing `$filter` strictly (see
    /// [`ListQuery::from_query_string_with`]).
    pub fn from_query_string(qs: &str) -> Result<ListQuery, QueryError> {
        ListQuery::from_query_string_with(qs, &ParseOptions::DEFAULT)
    }

    /// Reads a query string (with or without a leading `?`), parsing `$filter` with `opts`.
    ///
    /// Options are separated by `&`, in any order; keys and values are percent-decoded with `+` as a
    /// space (so a literal `+` must be sent as `%2B`). `$filter`, `$top` and `$skip` are read (lowercase,
    /// `$` literal or `%24`), each at most once; any other key starting with `$` is an
    /// [`QueryError::UnsupportedOption`]; keys not starting with `$` and empty segments are ignored (but a
    /// key must still be valid percent-encoding to tell). Errors inside `$filter` carry byte positions in
    /// the decoded value.
    pub fn from_query_string_with(qs: &str, opts: &ParseOptions) -> Result<ListQuery, QueryError> {
        let (body, base) = match qs.strip_prefix('?') {
            Some(rest) => (rest, 1),
            None => (qs, 0),
        };
        let mut q = ListQuery::default();
        let (mut seen_filter, mut seen_top, mut seen_skip) = (false, false, false);
        let mut start = base;
        for segment in body.split('&') {
            let seg_start = start;
            start += segment.len() + 1;
            if segment.is_empty() {
                continue;
            }
            let (raw_key, raw_value, value_start) = match segment.find('=') {
                Some(i) => (&segment[..i], &segment[i + 1..], seg_start + i + 1),
                None => (segment, "", seg_start + segment.len()),
            };
            let key = decode(raw_key, seg_start)?;
            if !key.starts_with('$') {
                continue;
            }
            let seen = match key.as_str() {
                "$filter" => &mut seen_filter,
                "$top" => &mut seen_top,
                "$skip" => &mut seen_skip,
                _ => return Err(QueryError::UnsupportedOption { name: key }),
            };
            if std::mem::replace(seen, true) {
                return Err(QueryError::DuplicateOption { name: key });
            }
            let value = decode(raw_value, value_start)?;
            match key.as_str() {
                "$filter" => q.filter = Some(Filter::parse_with(&value, opts)?),
                // Read as a `u64` (one parser for both), then bounded as `Top::new` bounds it (without building
                // its error).
                "$top" => {
                    q.top = Some(
                        parse_digits(&value)
                            .filter(|n| (1..=u64::from(Top::MAX.0)).contains(n))
                            .map(|n| Top(n as u32))
                            .ok_or(QueryError::InvalidTop { text: value })?,
                    )
                }
                _ => q.skip = parse_digits(&value).ok_or(QueryError::InvalidSkip { text: value })?,
            }
        }
        Ok(q)
    }
}

/// Appends `key` (with its `=`) and `n`, after a `&` unless it is the first option.
fn push_option(out: &mut String, key: &str, n: u64) {
    if !out.is_empty() {
        out.push('&');
    }
    let _ = write!(out, "{key}{n}");
}

/// A non-empty run of ASCII digits as a number (no sign, no spaces); `None` otherwise or on overflow.
fn parse_digits(s: &str) -> Option<u64> {
    let mut n = 0u64;
    for &b in s.as_bytes() {
        if !b.is_ascii_digit() {
            return None;
        }
        n = times(n, 10)?.checked_add(u64::from(b - b'0'))?;
    }
    (!s.is_empty()).then_some(n)
}

/// Percent-decodes one key or value (`+` is a space); `offset` is where `raw` starts in the query string.
fn decode(raw: &str, offset: usize) -> Result<String, QueryError> {
    let b = raw.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        let byte = match c {
            b'%' => match b.get(i + 1..i + 3).and_then(|h| Some(hex_value(h[0])? << 4 | hex_value(h[1])?)) {
                Some(byte) => {
                    i += 2;
                    byte
                }
                None => return Err(QueryError::InvalidPercentEncoding { position: offset + i }),
            },
            b'+' => b' ',
            other => other,
        };
        out.push(byte);
        i += 1;
    }
    String::from_utf8(out).map_err(|_| QueryError::NotUtf8)
}

/// The value of a hexadecimal digit.
fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::{id, start_time, state, FilterErrorKind};
    use crate::{InvestigationState, Timestamp};

    fn qs(s: &str) -> Result<ListQuery, QueryError> {
        ListQuery::from_query_string(s)
    }

    #[test]
    fn top_bounds() {
        assert!(Top::new(0).is_err());
        assert_eq!(Top::new(1).unwrap().get(), 1);
        assert_eq!(Top::new(10_000).unwrap(), Top::MAX);
        assert_eq!(Top::new(10_001), Err(QueryError::InvalidTop { text: "10001".into() }));
    }

    #[test]
    fn prints_only_present_options() {
        assert_eq!(ListQuery::default().to_query_string(), "");
        assert_eq!(ListQuery { skip: 5, ..Default::default() }.to_query_string(), "$skip=5");
        assert_eq!(ListQuery { top: Some(Top::MAX), ..Default::default() }.to_query_string(), "$top=10000");
        assert_eq!(ListQuery { top: Some(Top::MAX), skip: 7, filter: None }.to_query_string(), "$top=10000&$skip=7");
        let q = ListQuery { filter: Some(id().eq("1")), top: Some(Top::new(3).unwrap()), skip: u64::MAX };
        assert_eq!(q.to_query_string(), "$filter=id%20eq%20%271%27&$top=3&$skip=18446744073709551615");
        let q = ListQuery { filter: Some(id().eq("1")), top: None, skip: 1 };
        assert_eq!(q.to_query_string(), "$filter=id%20eq%20%271%27&$skip=1");
        let t = Timestamp::parse("2024-01-01T00:00:00Z").unwrap();
        let q = ListQuery { filter: Some(start_time().ge(t).and(id().eq("a&b#c+d%e f'é"))), top: None, skip: 0 };
        assert_eq!(
            q.to_query_string(),
            "$filter=startTime%20ge%202024-01-01T00:00:00Z%20and%20id%20eq%20%27a%26b%23c%2Bd%25e%20f%27%27%C3%A9%27"
        );
        assert_eq!(qs(&q.to_query_string()).unwrap(), q);
    }

    #[test]
    fn reads_what_other_tools_send() {
        let q =
            qs("?$filter=startTime ge 2024-01-01T00:00:00.000Z and (state eq 'Running' or state eq 'Queued')&$top=10")
                .unwrap();
        assert_eq!(
            q.filter.unwrap().to_odata(),
            "startTime ge 2024-01-01T00:00:00Z and (state eq 'Running' or state eq 'Queued')"
        );
        assert_eq!(q.top, Some(Top::new(10).unwrap()));
        let q = qs("api-version=1&%24filter=state+eq+%27Running%27&&$skip=0&other=%zz").unwrap();
        assert_eq!(q.filter, Some(state().eq(InvestigationState::Running)));
        assert_eq!(q.skip, 0);
        assert_eq!(qs("$filter=id eq 'a%2Bb+c'").unwrap().filter, Some(id().eq("a+b c")));
        assert_eq!(qs("").unwrap(), ListQuery::default());
        assert_eq!(qs("?").unwrap(), ListQuery::default());
    }

    #[test]
    fn refuses_with_reasons() {
        for bad in ["0", "-1", "10001", "abc", "", "+5", " 5", "99999999999"] {
            let q = format!("$top={}", bad.replace('+', "%2B"));
            assert!(matches!(qs(&q), Err(QueryError::InvalidTop { .. })), "{q}");
        }
        assert_eq!(qs("$skip=-1"), Err(QueryError::InvalidSkip { text: "-1".into() }));
        assert_eq!(qs("$skip=1.5"), Err(QueryError::InvalidSkip { text: "1.5".into() }));
        assert_eq!(qs("$top=1&$top=2"), Err(QueryError::DuplicateOption { name: "$top".into() }));
        assert_eq!(qs("$top=1&%24top=2"), Err(QueryError::DuplicateOption { name: "$top".into() }));
        for opt in ["$orderby=id", "$select=id", "$expand=x", "$count=true", "$Top=5", "$stop=5"] {
            assert!(matches!(qs(opt), Err(QueryError::UnsupportedOption { .. })), "{opt}");
        }
        assert_eq!(qs("$top=1&$filter=id eq '%zz'"), Err(QueryError::InvalidPercentEncoding { position: 22 }));
        assert_eq!(qs("?$skip=%4"), Err(QueryError::InvalidPercentEncoding { position: 7 }));
        assert_eq!(qs("$filter=id eq '%FF'"), Err(QueryError::NotUtf8));
        match qs("$filter=StartTim+ge+2024-01-01T00:00:00Z") {
            Err(QueryError::Filter(e)) => {
                assert_eq!(e.position, 0);
                assert!(matches!(e.kind, FilterErrorKind::UnknownProperty { .. }));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(qs("$filter="), Err(QueryError::Filter(FilterError { kind: FilterErrorKind::Empty, .. }))));
        let msg = qs("$orderby=id").unwrap_err().to_string();
        assert!(msg.contains("$orderby") && msg.contains("$filter, $top and $skip"), "{msg}");
    }

    #[test]
    fn top_and_skip_bounds_as_top_new_and_u64_take_them() {
        for (text, top) in [("1", 1), ("007", 7), ("10000", 10_000)] {
            assert_eq!(qs(&format!("$top={text}")).unwrap().top, Some(Top::new(top).unwrap()), "{text}");
        }
        for text in ["0", "10001", "4294967295", "4294967296", "4294967297", "18446744073709551616"] {
            assert_eq!(qs(&format!("$top={text}")), Err(QueryError::InvalidTop { text: text.into() }), "{text}");
        }
        assert_eq!(qs("$skip=18446744073709551615").unwrap().skip, u64::MAX);
        assert_eq!(qs("$skip=0018").unwrap().skip, 18);
        for text in ["18446744073709551616", "1e3", "0x10", "-0", "5 "] {
            let q = format!("$skip={}", text.replace(' ', "%20"));
            assert_eq!(qs(&q), Err(QueryError::InvalidSkip { text: text.into() }), "{text}");
        }
    }

    #[test]
    fn lenient_states_through_the_query_string() {
        let opts = ParseOptions::LENIENT_STATES;
        let q = ListQuery::from_query_string_with("$filter=state eq 'Brand''New'", &opts).unwrap();
        assert_eq!(q.filter, Some(state().eq(InvestigationState::Other("Brand'New".into()))));
    }

    proptest::proptest! {
        /// Oracle: std's `u64` parser, on texts of ASCII digits only (it also takes a leading `+`).
        #[test]
        fn parse_digits_agrees_with_std(s in "[0-9]{0,22}|[0-9+ a-]{0,4}|1844674407370955161[0-9]") {
            let expected = if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) { s.parse::<u64>().ok() } else { None };
            proptest::prop_assert_eq!(parse_digits(&s), expected);
        }


        /// Oracle: the `percent-encoding` crate's decoder after replacing `+`, with the first bad `%` found apart.
        #[test]
        fn decode_agrees_with_percent_encoding(raw in "[%+aFgz09 \u{e9}\u{80}]{0,12}", offset in 0usize..5) {
            let b = raw.as_bytes();
            let hex = |i: usize| b.get(i).is_some_and(u8::is_ascii_hexdigit);
            let expected = match (0..b.len()).find(|&i| b[i] == b'%' && !(hex(i + 1) && hex(i + 2))) {
                Some(i) => Err(QueryError::InvalidPercentEncoding { position: offset + i }),
                None => percent_encoding::percent_decode_str(&raw.replace('+', " "))
                    .decode_utf8()
                    .map(|s| s.into_owned())
                    .map_err(|_| QueryError::NotUtf8),
            };
            proptest::prop_assert_eq!(decode(&raw, offset), expected);
        }
    }
}
