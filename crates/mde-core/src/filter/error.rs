//! `FilterError`: why a `$filter` text was refused, where, and what was expected there.

use super::ast::{CmpOp, Property};
use crate::TimestampError;
use std::borrow::Cow;
use std::fmt;

/// Why a `$filter` text was refused, at which byte, and what would have been accepted there.
///
/// `position` is a byte offset into the text given to [`Filter::parse`](crate::filter::Filter::parse) (for a
/// query string: into the decoded `$filter` value); it is never greater than the text's length and always
/// on a character boundary, so `&text[position..]` is safe.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} at byte {position}: expected {expected}, found {found}")]
pub struct FilterError {
    /// What went wrong.
    pub kind: FilterErrorKind,
    /// Byte offset in the parsed text.
    pub position: usize,
    /// What would have been accepted at `position`.
    pub expected: Cow<'static, str>,
    /// What was found at `position` (a short excerpt, or `end of input`).
    pub found: String,
}

/// The cases of [`FilterError`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FilterErrorKind {
    /// The text is empty or only whitespace.
    Empty,
    /// The text is longer than the limit, in bytes.
    TooLong {
        /// The limit ([`ParseOptions::max_len`](crate::filter::ParseOptions::max_len)).
        limit: usize,
    },
    /// Parentheses and `not` are nested deeper than the limit.
    TooDeep {
        /// The limit ([`ParseOptions::max_depth`](crate::filter::ParseOptions::max_depth)).
        limit: usize,
    },
    /// The filter has more conditions than the limit.
    TooManyConditions {
        /// The limit ([`ParseOptions::max_conditions`](crate::filter::ParseOptions::max_conditions)).
        limit: usize,
    },
    /// A name that is not one of the five filterable properties.
    UnknownProperty {
        /// The name as written.
        name: String,
        /// The property it probably means (same name in another case, or a small typo).
        suggestion: Option<Property>,
    },
    /// A property of an investigation that the API does not filter on (`endTime`, `computerDnsName`, ...).
    NotFilterable {
        /// The name as written.
        name: String,
    },
    /// A value of the wrong type for the property (`startTime eq 'abc'`, `state eq 5`, `id eq null`).
    WrongValueType {
        /// The property.
        property: Property,
        /// The type it takes.
        expected: &'static str,
    },
    /// A state name that is not documented (with the strict [`ParseOptions`](crate::filter::ParseOptions)).
    UnknownState {
        /// The name as written.
        name: String,
        /// The documented state it probably means.
        suggestion: Option<&'static str>,
    },
    /// A function call (`contains(`, `startswith(`, `tolower(`, ...): the API supports none.
    UnsupportedFunction {
        /// The function's name.
        name: String,
    },
    /// An operator the API does not support (`has`, `add`, `>=`, `&&`, ...).
    UnsupportedOperator {
        /// The operator as written.
        op: String,
    },
    /// A comparison the property does not support (`state gt 'Running'`: states have no order).
    OperatorNotAllowed {
        /// The property.
        property: Property,
        /// The operator.
        op: CmpOp,
    },
    /// A `(` that is never closed (`open` is its byte offset), or a `)` without a `(` (`open` is `None`).
    UnbalancedParentheses {
        /// Where the unclosed `(` is.
        open: Option<usize>,
    },
    /// Text after a complete filter.
    TrailingInput,
    /// The text ends where more was expected.
    UnexpectedEnd,
    /// Something else than what the grammar allows at this point.
    UnexpectedToken,
    /// A date-time that is not valid RFC 3339 (the inner error's position is relative to the literal).
    InvalidDateTime(TimestampError),
    /// A string literal without its closing `'`.
    UnterminatedString,
    /// `in ()`: the list needs at least one value.
    EmptyList,
    /// Syntax of OData 4.01 (or of no OData version) in a filter parsed as OData 4.0, the version the service
    /// implements ([`Dialect::OData40`](crate::filter::Dialect::OData40)).
    NotOData40 {
        /// What was written: `in`, an operator in upper case, ...
        construct: &'static str,
    },
}

const FILTERABLE: &str = "startTime, id, state, machineId, triggeringAlertId";

impl fmt::Display for FilterErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FilterErrorKind::Empty => f.write_str("empty filter"),
            FilterErrorKind::TooLong { limit } => write!(f, "filter longer than {limit} bytes"),
            FilterErrorKind::TooDeep { limit } => {
                write!(f, "filter nested deeper than {limit} levels of parentheses and `not`")
            }
            FilterErrorKind::TooManyConditions { limit } => {
                write!(f, "filter with more than {limit} conditions (use `in (...)` for long lists of values)")
            }
            FilterErrorKind::UnknownProperty { name, suggestion } => {
                write!(f, "unknown property `{}`", Excerpt(name))?;
                if let Some(p) = suggestion {
                    write!(f, " (did you mean `{p}`?)")?;
                }
                write!(f, "; the filterable properties are {FILTERABLE}")
            }
            FilterErrorKind::NotFilterable { name } => {
                write!(f, "property `{name}` cannot be filtered on; the filterable properties are {FILTERABLE}")
            }
            FilterErrorKind::WrongValueType { property, expected } => {
                write!(f, "wrong type of value for `{property}`, which takes {expected}")
            }
            FilterErrorKind::UnknownState { name, suggestion } => {
                write!(f, "unknown state '{}'", Excerpt(name))?;
                if let Some(s) = suggestion {
                    write!(f, " (did you mean '{s}'?)")?;
                }
                Ok(())
            }
            FilterErrorKind::UnsupportedFunction { name } => write!(
                f,
                "function `{}` is not supported: the API filters only with eq, ne, gt, ge, lt, le, in, and, or, not",
                Excerpt(name)
            ),
            FilterErrorKind::UnsupportedOperator { op } => write!(
                f,
                "operator `{}` is not supported: the API filters only with eq, ne, gt, ge, lt, le, in, and, or, not",
                Excerpt(op)
            ),
            FilterErrorKind::OperatorNotAllowed { property, op } => {
                write!(f, "`{property}` cannot be compared with `{op}`: it takes only eq, ne and in")
            }
            FilterErrorKind::UnbalancedParentheses { open: Some(open) } => {
                write!(f, "unbalanced parentheses: the `(` at byte {open} is never closed")
            }
            FilterErrorKind::UnbalancedParentheses { open: None } => {
                f.write_str("unbalanced parentheses: `)` without a matching `(`")
            }
            FilterErrorKind::TrailingInput => f.write_str("unexpected text after the end of the filter"),
            FilterErrorKind::UnexpectedEnd => f.write_str("unexpected end of the filter"),
            FilterErrorKind::UnexpectedToken => f.write_str("unexpected token"),
            FilterErrorKind::InvalidDateTime(e) => {
                write!(f, "invalid date-time (byte {} of the literal)", e.position)
            }
            FilterErrorKind::UnterminatedString => f.write_str("string literal without its closing `'`"),
            FilterErrorKind::EmptyList => f.write_str("empty `in` list"),
            FilterErrorKind::NotOData40 { construct } => {
                write!(f, "{construct} is not OData 4.0, the version the service implements")
            }
        }
    }
}

/// Prints at most 40 characters of a user-supplied text, control characters escaped, `...` when cut.
pub(crate) struct Excerpt<'a>(pub(crate) &'a str);

impl fmt::Display for Excerpt<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const MAX: usize = 40;
        let text = self.0;
        // Text from `plain` on is written as it is, up to the next control character or the cut.
        let mut plain = 0;
        for (n, (i, c)) in text.char_indices().enumerate() {
            if n == MAX || c.is_control() {
                f.write_str(&text[plain..i])?;
                if n == MAX {
                    return f.write_str("...");
                }
                write_escaped_control(f, c)?;
                plain = i + c.len_utf8();
            }
        }
        f.write_str(&text[plain..])
    }
}

/// A control character (U+0000 to U+001F, U+007F to U+009F) as [`char::escape_default`] writes it: `\t`,
/// `\r`, `\n`, or `\u{..}` with lowercase hex digits and no leading zeros.
fn write_escaped_control(f: &mut fmt::Formatter<'_>, c: char) -> fmt::Result {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    match c {
        '\t' => f.write_str("\\t"),
        '\r' => f.write_str("\\r"),
        '\n' => f.write_str("\\n"),
        _ => {
            let n = (c as usize) & 0xff; // below 0xA0: one or two hex digits
            f.write_str("\\u{")?;
            if n >= 16 {
                fmt::Write::write_char(f, char::from(HEX[n >> 4]))?;
            }
            fmt::Write::write_char(f, char::from(HEX[n & 15]))?;
            f.write_str("}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_escapes_control_characters_and_cuts_at_40_characters() {
        let e = |s: &str| Excerpt(s).to_string();
        assert_eq!(e(""), "");
        assert_eq!(
            e("\u{0}\u{7f}\u{9f}\u{a0}\t\r\n\u{1b}\u{85}é\u{200b}'\"\\"),
            "\\u{0}\\u{7f}\\u{9f}\u{a0}\\t\\r\\n\\u{1b}\\u{85}é\u{200b}'\"\\"
        );
        assert_eq!(e(&"é".repeat(40)), "é".repeat(40));
        assert_eq!(e(&"é".repeat(41)), format!("{}...", "é".repeat(40)));
        assert_eq!(e(&"\t".repeat(41)), format!("{}...", "\\t".repeat(40)));
        assert_eq!(e(&format!("{}🦀\u{1}", "a".repeat(38))), format!("{}🦀\\u{{1}}", "a".repeat(38)));
        assert_eq!(e(&format!("{}🦀\u{1}x", "a".repeat(38))), format!("{}🦀\\u{{1}}...", "a".repeat(38)));
    }

    #[test]
    fn control_characters_are_escaped_as_escape_default_does() {
        for c in (0..=0x10ffff).filter_map(char::from_u32).filter(|c| c.is_control()) {
            assert_eq!(Excerpt(&c.to_string()).to_string(), c.escape_default().to_string());
        }
    }

    #[test]
    fn every_kind_has_its_message() {
        use FilterErrorKind as K;
        let ts = TimestampError { position: 7, expected: "x" };
        let cases: &[(K, &str)] = &[
            (K::Empty, "empty filter"),
            (K::TooLong { limit: 12 }, "filter longer than 12 bytes"),
            (K::TooDeep { limit: 0 }, "filter nested deeper than 0 levels of parentheses and `not`"),
            (
                K::TooManyConditions { limit: 1000 },
                "filter with more than 1000 conditions (use `in (...)` for long lists of values)",
            ),
            (
                K::UnknownProperty { name: "Id\n".into(), suggestion: Some(Property::Id) },
                "unknown property `Id\\n` (did you mean `id`?); the filterable properties are \
                 startTime, id, state, machineId, triggeringAlertId",
            ),
            (
                K::UnknownProperty { name: "x".into(), suggestion: None },
                "unknown property `x`; the filterable properties are startTime, id, state, machineId, triggeringAlertId",
            ),
            (
                K::NotFilterable { name: "end\nTime".into() },
                "property `end\nTime` cannot be filtered on; the filterable properties are \
                 startTime, id, state, machineId, triggeringAlertId",
            ),
            (
                K::WrongValueType { property: Property::MachineId, expected: "a string" },
                "wrong type of value for `machineId`, which takes a string",
            ),
            (K::UnknownState { name: "r\tn".into(), suggestion: Some("Running") }, "unknown state 'r\\tn' (did you mean 'Running'?)"),
            (K::UnknownState { name: "r".into(), suggestion: None }, "unknown state 'r'"),
            (
                K::UnsupportedFunction { name: "f\u{1}".into() },
                "function `f\\u{1}` is not supported: the API filters only with eq, ne, gt, ge, lt, le, in, and, or, not",
            ),
            (
                K::UnsupportedOperator { op: "&\u{1}".into() },
                "operator `&\\u{1}` is not supported: the API filters only with eq, ne, gt, ge, lt, le, in, and, or, not",
            ),
            (
                K::OperatorNotAllowed { property: Property::State, op: CmpOp::Le },
                "`state` cannot be compared with `le`: it takes only eq, ne and in",
            ),
            (K::UnbalancedParentheses { open: Some(3) }, "unbalanced parentheses: the `(` at byte 3 is never closed"),
            (K::UnbalancedParentheses { open: None }, "unbalanced parentheses: `)` without a matching `(`"),
            (K::TrailingInput, "unexpected text after the end of the filter"),
            (K::UnexpectedEnd, "unexpected end of the filter"),
            (K::UnexpectedToken, "unexpected token"),
            (K::InvalidDateTime(ts), "invalid date-time (byte 7 of the literal)"),
            (K::UnterminatedString, "string literal without its closing `'`"),
            (K::EmptyList, "empty `in` list"),
        ];
        for (kind, message) in cases {
            assert_eq!(kind.to_string(), *message);
        }
        let e = FilterError { kind: K::EmptyList, position: 9, expected: "one".into(), found: "`)`".into() };
        assert_eq!(e.to_string(), "empty `in` list at byte 9: expected one, found `)`");
    }
}
