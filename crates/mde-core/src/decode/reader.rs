//! A strict JSON reader (RFC 8259), written by hand so that the crate needs neither `serde` nor `serde_json` and
//! never parses or prints a floating-point number (core's float parser and printer are large in WebAssembly).
//!
//! It is a pull reader: [`decode_page`](super::decode_page) walks a page member by member with it, and
//! [`Node::parse`] builds a whole tree with it. What it accepts is what `serde_json` accepts for a
//! `serde_json::Value` (the property tests in `tests/json_reader.rs` check that against `serde_json`):
//!
//! - UTF-8 is checked everywhere, including in strings that a decoder then ignores;
//! - escapes are `\" \\ \/ \b \f \n \r \t \uXXXX`; a `\u` surrogate must be a leading one followed by a trailing
//!   one (a lone surrogate is an error); control characters must be escaped;
//! - numbers follow the grammar exactly (no leading zeros, no `+`, no bare `.`), and one whose magnitude would
//!   round to infinity as an `f64` is refused as out of range, as `serde_json` refuses it;
//! - no trailing commas, nothing but whitespace after the value, and at most [`MAX_DEPTH`] nested arrays and
//!   objects (the reader recurses, so hostile nesting is an error and never a stack overflow).
//!
//! Numbers are not converted to `f64`: an integer that fits `u64` (or, negative, `i64`) is read as one; any
//! other number is kept as its source text.

use std::borrow::Cow;

use super::fast::string_end;
use super::node::Node;

/// The deepest nesting of arrays and objects a document may have (as `serde_json`'s limit: its 128th level is
/// an error).
pub const MAX_DEPTH: u32 = 127;

/// Why a text is not JSON, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} at line {line} column {column}")]
pub struct JsonError {
    /// What is wrong.
    pub kind: JsonErrorKind,
    /// The line of the byte where it was found (from 1).
    pub line: usize,
    /// The column of that byte, in bytes from 1 (one past the last byte when the text ends early).
    pub column: usize,
    /// The offset of that byte (the text's length when it ends early).
    pub offset: usize,
}

impl JsonError {
    /// Whether the text ends before the document does: a truncated body.
    pub fn is_eof(&self) -> bool {
        self.kind == JsonErrorKind::UnexpectedEnd
    }
}

/// What is wrong with a JSON text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum JsonErrorKind {
    /// The text ends in the middle of the document.
    #[error("the text ends early")]
    UnexpectedEnd,
    /// Something other than a value where one must be.
    #[error("expected a value")]
    ExpectedValue,
    /// Something other than a string where an object's key must be.
    #[error("expected a string key")]
    ExpectedKey,
    /// A key not followed by `:`.
    #[error("expected `:`")]
    ExpectedColon,
    /// An element not followed by `,` or `]`.
    #[error("expected `,` or `]`")]
    ExpectedCommaOrBracket,
    /// A member not followed by `,` or `}`.
    #[error("expected `,` or `}}`")]
    ExpectedCommaOrBrace,
    /// A `,` just before `]` or `}`.
    #[error("trailing comma")]
    TrailingComma,
    /// A number that does not follow the grammar (leading zero, missing digits, ...).
    #[error("invalid number")]
    InvalidNumber,
    /// A number too large for an `f64`.
    #[error("number out of range")]
    NumberOutOfRange,
    /// A `\` not followed by a valid escape.
    #[error("invalid escape")]
    InvalidEscape,
    /// A `\u` escape of half a surrogate pair.
    #[error("lone surrogate in a \\u escape")]
    LoneSurrogate,
    /// An unescaped control character (below U+0020) in a string.
    #[error("control character in a string")]
    ControlCharacter,
    /// Bytes that are not UTF-8 in a string.
    #[error("invalid UTF-8")]
    InvalidUtf8,
    /// More than [`MAX_DEPTH`] nested arrays and objects.
    #[error("nested more than 127 arrays and objects deep")]
    TooDeep,
    /// Something other than whitespace after the document.
    #[error("trailing characters after the document")]
    TrailingCharacters,
}

/// A number as read: an integer when it fits, otherwise its exact source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Number<'a> {
    /// A non-negative integer that fits `u64`.
    UInt(u64),
    /// A negative integer that fits `i64`.
    Int(i64),
    /// Any other number (`-0`, a fraction, an exponent, a larger integer), as written.
    Other(&'a str),
}

/// The decimal digits of the smallest magnitude that rounds to infinity as an `f64`, `2^1024 - 2^970` (half way
/// between `f64::MAX` and `2^1024`; ties round to even, which is infinity): a number with 309 digits before its
/// point is out of range when its digits are at least these.
const OVERFLOW: &[u8; 309] = b"179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497792";

/// A cursor over a JSON text.
pub(crate) struct Reader<'a> {
    b: &'a [u8],
    i: usize,
    depth: u32,
}

type Result<T> = std::result::Result<T, JsonError>;

impl<'a> Reader<'a> {
    /// A reader at the start of `b`.
    pub(crate) fn new(b: &'a [u8]) -> Reader<'a> {
        Reader { b, i: 0, depth: 0 }
    }

    /// An error found at byte `at`.
    fn error_at(&self, at: usize, kind: JsonErrorKind) -> JsonError {
        let at = at.min(self.b.len());
        let before = &self.b[..at];
        let line = 1 + before.iter().filter(|&&c| c == b'\n').count();
        let line_start = before.iter().rposition(|&c| c == b'\n').map_or(0, |p| p + 1);
        JsonError { kind, line, column: at - line_start + 1, offset: at }
    }

    /// An error found at the current byte.
    pub(crate) fn error(&self, kind: JsonErrorKind) -> JsonError {
        self.error_at(self.i, kind)
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.b.get(self.i) {
            self.i += 1;
        }
    }

    /// The next byte that is not whitespace (not consumed); the text must not end before it.
    pub(crate) fn peek(&mut self) -> Result<u8> {
        self.ws();
        match self.b.get(self.i) {
            Some(&c) => Ok(c),
            None => Err(self.error(JsonErrorKind::UnexpectedEnd)),
        }
    }

    /// Checks that only whitespace is left.
    pub(crate) fn end(&mut self) -> Result<()> {
        self.ws();
        if self.i == self.b.len() {
            Ok(())
        } else {
            Err(self.error(JsonErrorKind::TrailingCharacters))
        }
    }

    /// Consumes the `[` or `{` that is next, one level deeper.
    fn enter(&mut self) -> Result<()> {
        if self.depth >= MAX_DEPTH {
            return Err(self.error(JsonErrorKind::TooDeep));
        }
        self.depth += 1;
        self.i += 1;
        Ok(())
    }

    /// Opens the object that is next (its `{` must be the next byte) and reads its first key; `None` when it
    /// is empty (and then closed).
    pub(crate) fn begin_object(&mut self) -> Result<Option<Cow<'a, str>>> {
        self.enter()?;
        if self.peek()? == b'}' {
            self.i += 1;
            self.depth -= 1;
            return Ok(None);
        }
        self.key().map(Some)
    }

    /// After a member's value: the next key, or `None` at the object's `}` (consumed).
    pub(crate) fn next_key(&mut self) -> Result<Option<Cow<'a, str>>> {
        match self.peek()? {
            b',' => {
                self.i += 1;
                if self.peek()? == b'}' {
                    return Err(self.error(JsonErrorKind::TrailingComma));
                }
                self.key().map(Some)
            }
            b'}' => {
                self.i += 1;
                self.depth -= 1;
                Ok(None)
            }
            _ => Err(self.error(JsonErrorKind::ExpectedCommaOrBrace)),
        }
    }

    /// A key and its `:`.
    fn key(&mut self) -> Result<Cow<'a, str>> {
        if self.peek()? != b'"' {
            return Err(self.error(JsonErrorKind::ExpectedKey));
        }
        let key = self.string()?;
        if self.peek()? != b':' {
            return Err(self.error(JsonErrorKind::ExpectedColon));
        }
        self.i += 1;
        Ok(key)
    }

    /// Opens the array that is next (its `[` must be the next byte): `true` when an element follows, `false`
    /// when it is empty (and then closed).
    pub(crate) fn begin_array(&mut self) -> Result<bool> {
        self.enter()?;
        if self.peek()? == b']' {
            self.i += 1;
            self.depth -= 1;
            return Ok(false);
        }
        Ok(true)
    }

    /// After an element: `true` when another one follows, `false` at the array's `]` (consumed).
    pub(crate) fn next_element(&mut self) -> Result<bool> {
        match self.peek()? {
            b',' => {
                self.i += 1;
                if self.peek()? == b']' {
                    return Err(self.error(JsonErrorKind::TrailingComma));
                }
                Ok(true)
            }
            b']' => {
                self.i += 1;
                self.depth -= 1;
                Ok(false)
            }
            _ => Err(self.error(JsonErrorKind::ExpectedCommaOrBracket)),
        }
    }

    /// Reads `null` if it is next.
    pub(crate) fn null(&mut self) -> Result<bool> {
        if self.peek()? == b'n' {
            self.literal(b"null")?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    fn literal(&mut self, word: &[u8]) -> Result<()> {
        for (k, &c) in word.iter().enumerate() {
            match self.b.get(self.i + k) {
                Some(&found) if found == c => {}
                Some(_) => return Err(self.error_at(self.i + k, JsonErrorKind::ExpectedValue)),
                None => return Err(self.error_at(self.i + k, JsonErrorKind::UnexpectedEnd)),
            }
        }
        self.i += word.len();
        Ok(())
    }

    /// The string that is next (its `"` must be the next byte), borrowed from the text unless it holds escapes.
    pub(crate) fn string(&mut self) -> Result<Cow<'a, str>> {
        let start = self.i + 1;
        let (mut i, mut segment) = (start, start);
        let mut decoded: Option<String> = None;
        loop {
            let Some(len) = self.b.get(i..).and_then(string_end) else {
                return Err(self.error_at(self.b.len(), JsonErrorKind::UnexpectedEnd));
            };
            i += len;
            match self.b[i] {
                b'"' => break,
                b'\\' => {
                    let text = self.utf8(segment, i)?;
                    let out = decoded.get_or_insert_with(String::new);
                    out.push_str(text);
                    i = self.unescape(i + 1, out)?;
                    segment = i;
                }
                _ => return Err(self.error_at(i, JsonErrorKind::ControlCharacter)),
            }
        }
        let tail = self.utf8(segment, i)?;
        self.i = i + 1;
        Ok(match decoded {
            None => Cow::Borrowed(tail),
            Some(mut out) => {
                out.push_str(tail);
                Cow::Owned(out)
            }
        })
    }

    /// `b[from..to]` as text (it holds no `"`, `\` or control character).
    fn utf8(&self, from: usize, to: usize) -> Result<&'a str> {
        let b: &'a [u8] = self.b;
        std::str::from_utf8(&b[from..to]).map_err(|e| self.error_at(from + e.valid_up_to(), JsonErrorKind::InvalidUtf8))
    }

    /// Decodes the escape whose backslash is just before `i` into `out`; returns where it ends.
    fn unescape(&self, i: usize, out: &mut String) -> Result<usize> {
        let Some(&c) = self.b.get(i) else { return Err(self.error_at(i, JsonErrorKind::UnexpectedEnd)) };
        let c = match c {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let n = self.hex4(i + 1)?;
                let lone = || self.error_at(i - 1, JsonErrorKind::LoneSurrogate);
                let (n, end) = match n {
                    0xDC00..=0xDFFF => return Err(lone()),
                    0xD800..=0xDBFF => {
                        for (k, &c) in b"\\u".iter().enumerate() {
                            match self.b.get(i + 5 + k) {
                                None => return Err(self.error_at(i + 5 + k, JsonErrorKind::UnexpectedEnd)),
                                Some(&found) if found != c => return Err(lone()),
                                Some(_) => {}
                            }
                        }
                        let low = self.hex4(i + 7)?;
                        if !(0xDC00..=0xDFFF).contains(&low) {
                            return Err(lone());
                        }
                        (0x10000 + ((n - 0xD800) << 10 | (low - 0xDC00)), i + 11)
                    }
                    _ => (n, i + 5),
                };
                out.push(char::from_u32(n).ok_or_else(lone)?);
                return Ok(end);
            }
            _ => return Err(self.error_at(i, JsonErrorKind::InvalidEscape)),
        };
        out.push(c);
        Ok(i + 1)
    }

    /// The four hex digits at `i`.
    fn hex4(&self, i: usize) -> Result<u32> {
        let mut n = 0;
        for k in i..i + 4 {
            let Some(&c) = self.b.get(k) else { return Err(self.error_at(k, JsonErrorKind::UnexpectedEnd)) };
            let Some(d) = char::from(c).to_digit(16) else {
                return Err(self.error_at(k, JsonErrorKind::InvalidEscape));
            };
            n = n << 4 | d;
        }
        Ok(n)
    }

    /// The number that is next (its first byte must be `-` or a digit).
    pub(crate) fn number(&mut self) -> Result<Number<'a>> {
        let b: &'a [u8] = self.b;
        let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
        let start = self.i;
        let mut i = start;
        let negative = b.get(i) == Some(&b'-');
        if negative {
            i += 1;
        }
        // The first digit of a part, which must be there.
        let first = |i: usize| match b.get(i) {
            Some(c) if c.is_ascii_digit() => Ok(()),
            Some(_) => Err(self.error_at(i, JsonErrorKind::InvalidNumber)),
            None => Err(self.error_at(i, JsonErrorKind::UnexpectedEnd)),
        };
        first(i)?;
        let int_start = i;
        if b[i] == b'0' {
            i += 1;
            if digit(i) {
                return Err(self.error_at(i, JsonErrorKind::InvalidNumber));
            }
        } else {
            while digit(i) {
                i += 1;
            }
        }
        let int_end = i;
        let (mut frac_start, mut frac_end) = (i, i);
        if b.get(i) == Some(&b'.') {
            i += 1;
            first(i)?;
            frac_start = i;
            while digit(i) {
                i += 1;
            }
            frac_end = i;
        }
        let mut exponent: i64 = 0;
        let has_exponent = matches!(b.get(i), Some(b'e' | b'E'));
        if has_exponent {
            i += 1;
            let negative_exponent = b.get(i) == Some(&b'-');
            if let Some(b'+' | b'-') = b.get(i) {
                i += 1;
            }
            first(i)?;
            while digit(i) {
                exponent = (exponent * 10 + i64::from(b[i] - b'0')).min(1 << 40);
                i += 1;
            }
            if negative_exponent {
                exponent = -exponent;
            }
        }
        self.i = i;
        let (int, frac) = (&b[int_start..int_end], &b[frac_start..frac_end]);
        if frac_start == frac_end && !has_exponent {
            let n = int.iter().try_fold(0u64, |n, &d| n.checked_mul(10)?.checked_add(u64::from(d - b'0')));
            match n {
                Some(n) if !negative => return Ok(Number::UInt(n)),
                // `-0` is no integer, as in `serde_json` (a float there, -0.0).
                Some(n) if n != 0 && n <= 1 << 63 => return Ok(Number::Int((n as i64).wrapping_neg())),
                _ => {}
            }
        }
        if out_of_range(int, frac, exponent) {
            return Err(self.error_at(start, JsonErrorKind::NumberOutOfRange));
        }
        let text = std::str::from_utf8(&b[start..i]).map_err(|_| self.error_at(start, JsonErrorKind::InvalidNumber))?;
        Ok(Number::Other(text))
    }

    /// Moves past the value that is next, checking it as [`Reader::node`] does.
    pub(crate) fn skip_value(&mut self) -> Result<()> {
        match self.peek()? {
            b'{' => {
                let mut key = self.begin_object()?;
                while key.is_some() {
                    self.skip_value()?;
                    key = self.next_key()?;
                }
                Ok(())
            }
            b'[' => {
                let mut more = self.begin_array()?;
                while more {
                    self.skip_value()?;
                    more = self.next_element()?;
                }
                Ok(())
            }
            b'"' => self.string().map(drop),
            b'-' | b'0'..=b'9' => self.number().map(drop),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            _ => Err(self.error(JsonErrorKind::ExpectedValue)),
        }
    }

    /// Reads the value that is next as a [`Node`].
    pub(crate) fn node(&mut self) -> Result<Node> {
        Ok(match self.peek()? {
            b'{' => {
                let mut entries = Vec::new();
                let mut key = self.begin_object()?;
                while let Some(k) = key {
                    entries.push((k.into_owned(), self.node()?));
                    key = self.next_key()?;
                }
                Node::Object(entries)
            }
            b'[' => {
                let mut items = Vec::new();
                let mut more = self.begin_array()?;
                while more {
                    items.push(self.node()?);
                    more = self.next_element()?;
                }
                Node::Array(items)
            }
            b'"' => Node::Str(self.string()?.into_owned()),
            b'-' | b'0'..=b'9' => match self.number()? {
                Number::UInt(n) => Node::UInt(n),
                Number::Int(n) => Node::Int(n),
                Number::Other(text) => Node::Number(text.to_owned()),
            },
            b't' => {
                self.literal(b"true")?;
                Node::Bool(true)
            }
            b'f' => {
                self.literal(b"false")?;
                Node::Bool(false)
            }
            b'n' => {
                self.literal(b"null")?;
                Node::Null
            }
            _ => return Err(self.error(JsonErrorKind::ExpectedValue)),
        })
    }
}

/// Whether the number with integer digits `int`, fraction digits `frac` and exponent `exponent` rounds to
/// infinity as an `f64`.
fn out_of_range(int: &[u8], frac: &[u8], exponent: i64) -> bool {
    let mut digits = int.iter().chain(frac).copied().peekable();
    let mut zeros = 0i64;
    while digits.next_if_eq(&b'0').is_some() {
        zeros += 1;
    }
    if digits.peek().is_none() {
        return false;
    }
    // The number is 0.DIGITS × 10^scale.
    let scale = int.len() as i64 - zeros + exponent;
    if scale != OVERFLOW.len() as i64 {
        return scale > OVERFLOW.len() as i64;
    }
    for &limit in OVERFLOW {
        match digits.next() {
            Some(d) if d != limit => return d > limit,
            Some(_) => {}
            // A prefix of the limit (whose last digit is not 0) is below it.
            None => return false,
        }
    }
    true
}

/// Reads a whole document.
pub(crate) fn parse(text: &[u8]) -> Result<Node> {
    let mut r = Reader::new(text);
    let node = r.node()?;
    r.end()?;
    Ok(node)
}

/// Checks a whole document without building it.
pub(crate) fn validate(text: &[u8]) -> Result<()> {
    let mut r = Reader::new(text);
    r.skip_value()?;
    r.end()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(text: &str) -> JsonErrorKind {
        match parse(text.as_bytes()) {
            Ok(node) => panic!("{text:?} parsed as {node:?}"),
            Err(e) => e.kind,
        }
    }

    #[test]
    fn the_overflow_limit_is_two_to_the_1024_minus_2_to_the_970() {
        // Decimal digits, least significant first.
        let mut n = vec![1u8];
        let mul2 = |n: &mut Vec<u8>| {
            let mut carry = 0;
            for d in n.iter_mut() {
                let v = *d * 2 + carry;
                *d = v % 10;
                carry = v / 10;
            }
            if carry > 0 {
                n.push(carry);
            }
        };
        for _ in 0..54 {
            mul2(&mut n);
        }
        // 2^54 - 1, then times 2^970.
        n[0] -= 1;
        for _ in 0..970 {
            mul2(&mut n);
        }
        let text: Vec<u8> = n.iter().rev().map(|d| b'0' + d).collect();
        assert_eq!(&text[..], &OVERFLOW[..]);
    }

    #[test]
    fn out_of_range_is_where_f64_rounds_to_infinity() {
        for text in [
            "1.7976931348623157e308",
            "1.7976931348623158e308",
            "1.79769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497791e308",
            "1.797693134862315807937289714053034150799341327100378269361737789804449682927647509466490179775872070963302864166928879109465555478519404026306574886715058206819089020007083836762738548458177115317644757302700698555713669596228429148198608349364752927190741684443655107043427115596995080930428801779041744977920e308",
            "1.7976931348623159e308",
            "-1e309",
            "0.1e310",
            "1000e306",
            "1e308",
            "0e999999999999999999999",
            "1e-999999999999999999999",
            "0.000001e314",
            "0.000001e315",
        ] {
            let infinite = text.parse::<f64>().unwrap().is_infinite();
            let refused = parse(text.as_bytes()).is_err_and(|e| e.kind == JsonErrorKind::NumberOutOfRange);
            assert_eq!(refused, infinite, "{text}");
        }
    }

    #[test]
    fn names_each_kind_of_mistake() {
        use JsonErrorKind::*;
        let cases: &[(&str, JsonErrorKind)] = &[
            ("", UnexpectedEnd),
            ("  ", UnexpectedEnd),
            ("[1,", UnexpectedEnd),
            ("\"ab", UnexpectedEnd),
            ("tru", UnexpectedEnd),
            ("-", UnexpectedEnd),
            ("1.", UnexpectedEnd),
            ("1e+", UnexpectedEnd),
            ("\"\\u12", UnexpectedEnd),
            ("\"\\ud800\\", UnexpectedEnd),
            ("x", ExpectedValue),
            ("trux", ExpectedValue),
            ("{1:2}", ExpectedKey),
            ("{\"a\" 2}", ExpectedColon),
            ("[1 2]", ExpectedCommaOrBracket),
            ("{\"a\":1 \"b\"}", ExpectedCommaOrBrace),
            ("[1,]", TrailingComma),
            ("{\"a\":1,}", TrailingComma),
            ("01", InvalidNumber),
            ("-01", InvalidNumber),
            ("1.e5", InvalidNumber),
            ("+1", ExpectedValue),
            (".5", ExpectedValue),
            ("1e400", NumberOutOfRange),
            ("\"\\x\"", InvalidEscape),
            ("\"\\u00g0\"", InvalidEscape),
            ("\"\\udc00\"", LoneSurrogate),
            ("\"\\ud800\"", LoneSurrogate),
            ("\"\\ud800\\u0041\"", LoneSurrogate),
            ("\"a\nb\"", ControlCharacter),
            ("[1] 2", TrailingCharacters),
        ];
        for (text, expected) in cases {
            assert_eq!(kind(text), *expected, "{text:?}");
        }
        assert_eq!(parse(b"\"\xff\"").unwrap_err().kind, InvalidUtf8);
        assert_eq!(parse(b"\"a\\n\xc3\"").unwrap_err().kind, InvalidUtf8);
        let e = parse(b"{\n  \"a\": [1,\n   ]}").unwrap_err();
        assert_eq!((e.kind, e.line, e.column, e.offset), (TrailingComma, 3, 4, 16));
        assert_eq!(e.to_string(), "trailing comma at line 3 column 4");
        assert!(parse(b"[1").unwrap_err().is_eof());
    }

    #[test]
    fn nesting_stops_at_the_limit_without_recursing_further() {
        let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(parse(deep(MAX_DEPTH as usize).as_bytes()).is_ok());
        assert_eq!(parse(deep(MAX_DEPTH as usize + 1).as_bytes()).unwrap_err().kind, JsonErrorKind::TooDeep);
        let hostile = "[{\"a\":".repeat(100_000);
        assert_eq!(parse(hostile.as_bytes()).unwrap_err().kind, JsonErrorKind::TooDeep);
        assert_eq!(validate(hostile.as_bytes()).unwrap_err().kind, JsonErrorKind::TooDeep);
    }

    #[test]
    fn reads_integers_and_keeps_other_numbers_as_text() {
        let text = "[0, 18446744073709551615, 18446744073709551616, -1, -9223372036854775808, \
                    -9223372036854775809, -0, 1.50, 1E2]";
        let node = parse(text.as_bytes()).unwrap();
        let Node::Array(items) = node else { panic!("not an array") };
        assert_eq!(items[0], Node::UInt(0));
        assert_eq!(items[1], Node::UInt(u64::MAX));
        assert_eq!(items[2], Node::Number("18446744073709551616".into()));
        assert_eq!(items[3], Node::Int(-1));
        assert_eq!(items[4], Node::Int(i64::MIN));
        assert_eq!(items[5], Node::Number("-9223372036854775809".into()));
        assert_eq!(items[6], Node::Number("-0".into()));
        assert_eq!(items[7], Node::Number("1.50".into()));
        assert_eq!(items[8], Node::Number("1E2".into()));
    }

    #[test]
    fn decodes_escapes_and_borrows_plain_strings() {
        let mut r = Reader::new(br#""plain""#);
        assert!(matches!(r.string(), Ok(Cow::Borrowed("plain"))));
        let mut r = Reader::new(br#""a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00z""#);
        assert_eq!(r.string().unwrap(), "a\"\\/\u{8}\u{c}\n\r\t\u{e9}\u{1f600}z");
    }
}
