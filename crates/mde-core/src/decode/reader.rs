//! The crate's one JSON reader (RFC 8259), written by hand so that the crate needs neither `serde` nor
//! `serde_json` and never parses or prints a floating-point number (core's float parser and printer are large in
//! WebAssembly).
//!
//! It is a pull reader: the page and item walks of [`decode`](super) (behind `decode_page`, `outline_page` and
//! `decode_investigation`) read a document member by member with it, skipping what they ignore, and
//! `node.rs` builds a whole tree ([`Node`](super::Node)) with it. What it accepts is strict JSON:
//!
//! - UTF-8 is checked everywhere, including in strings that a decoder then ignores;
//! - escapes are `\" \\ \/ \b \f \n \r \t \uXXXX`; a `\u` surrogate must be a leading one followed by a trailing
//!   one (a lone surrogate is an error); control characters must be escaped;
//! - numbers follow the grammar exactly (no leading zeros, no `+`, no bare `.`); any such number is accepted,
//!   however large (`1e400` too, as JavaScript's `JSON.parse` accepts it; `serde_json` would refuse it);
//! - no trailing commas, nothing but whitespace after the value, and at most [`MAX_DEPTH`] nested arrays and
//!   objects (the reader recurses, so hostile nesting is an error and never a stack overflow).
//!
//! Numbers are not converted to `f64`: an integer that fits `u64` (or, negative, `i64`) is read as one; any
//! other number is kept as its source text.
//!
//! Speed and size: a list page is read on every call of the hot path (`outline_page`). What a page's common case
//! runs (whitespace, punctuation, plain ASCII strings, whose end is found eight bytes at a time) has an
//! `#[inline(always)]` form (`*_inline`) for that walk, which a driver crate compiles at its own optimisation level
//! (the wasm build keeps mde-core at `opt-level = "z"` and mde-wasm at 3; `xtask/src/package.rs`); every other
//! caller uses the plain, shared form ([`Reader::str`], [`Reader::next_key`], [`Reader::skip_string`]), and the
//! rest (escapes, numbers, skipped values, errors) exists once.

use std::borrow::Cow;

/// The deepest nesting of arrays and objects a document may have (its 128th level is an error).
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum JsonErrorKind {
    /// The text ends in the middle of the document.
    UnexpectedEnd,
    /// Something other than a value where one must be.
    ExpectedValue,
    /// Something other than a string where an object's key must be.
    ExpectedKey,
    /// A key not followed by `:`.
    ExpectedColon,
    /// An element not followed by `,` or `]`.
    ExpectedCommaOrBracket,
    /// A member not followed by `,` or `}`.
    ExpectedCommaOrBrace,
    /// A `,` just before `]` or `}`.
    TrailingComma,
    /// A number that does not follow the grammar (leading zero, missing digits, ...).
    InvalidNumber,
    /// A `\` not followed by a valid escape.
    InvalidEscape,
    /// A `\u` escape of half a surrogate pair.
    LoneSurrogate,
    /// An unescaped control character (below U+0020) in a string.
    ControlCharacter,
    /// Bytes that are not UTF-8 in a string.
    InvalidUtf8,
    /// More than [`MAX_DEPTH`] nested arrays and objects.
    TooDeep,
    /// Something other than whitespace after the document.
    TrailingCharacters,
}

impl std::fmt::Display for JsonErrorKind {
    /// One message per kind, written as it is (a table, not a format per kind).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            JsonErrorKind::UnexpectedEnd => "the text ends early",
            JsonErrorKind::ExpectedValue => "expected a value",
            JsonErrorKind::ExpectedKey => "expected a string key",
            JsonErrorKind::ExpectedColon => "expected `:`",
            JsonErrorKind::ExpectedCommaOrBracket => "expected `,` or `]`",
            JsonErrorKind::ExpectedCommaOrBrace => "expected `,` or `}`",
            JsonErrorKind::TrailingComma => "trailing comma",
            JsonErrorKind::InvalidNumber => "invalid number",
            JsonErrorKind::InvalidEscape => "invalid escape",
            JsonErrorKind::LoneSurrogate => "lone surrogate in a \\u escape",
            JsonErrorKind::ControlCharacter => "control character in a string",
            JsonErrorKind::InvalidUtf8 => "invalid UTF-8",
            JsonErrorKind::TooDeep => "nested more than 127 arrays and objects deep",
            JsonErrorKind::TrailingCharacters => "trailing characters after the document",
        })
    }
}

impl std::error::Error for JsonErrorKind {}

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

/// A string as read once, already checked (an object's key, or what a walk wants as bytes): its bytes when it is
/// plain ASCII without escapes (the common case, never made a `str`), else its text, escapes decoded (borrowed
/// unless it holds escapes).
#[derive(Debug, Clone)]
pub(crate) enum Str<'a> {
    /// A plain ASCII string without escapes, as written.
    Plain(&'a [u8]),
    /// Any other string (non-ASCII or with escapes), as text.
    Text(Cow<'a, str>),
}

impl<'a> Str<'a> {
    /// The string's bytes: as written when plain, else its decoded text's.
    pub(crate) fn bytes(&self) -> &[u8] {
        match self {
            Str::Plain(plain) => plain,
            Str::Text(text) => text.as_bytes(),
        }
    }

    /// The string's text.
    pub(crate) fn into_text(self) -> Cow<'a, str> {
        match self {
            // Plain strings are ASCII (checked by the reader), so never empty by this default.
            Str::Plain(plain) => Cow::Borrowed(std::str::from_utf8(plain).unwrap_or_default()),
            Str::Text(text) => text,
        }
    }
}

/// The position of the first `"`, `\\` or control character in `rest` (or of the first byte that is not ASCII,
/// when `ascii`), looking at eight bytes at a time.
#[inline(always)]
fn string_end(rest: &[u8], ascii: bool) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Bytes of `w` that are zero (or, for `below`, less than `n`) get their high bit set; others may too when a
    // lower byte matched, which only ends the fast loop early.
    let zero = |w: u64| w.wrapping_sub(ONES) & !w & HIGH;
    let below = |w: u64, n: u64| w.wrapping_sub(ONES * n) & !w & HIGH;
    let high = if ascii { HIGH } else { 0 };
    let mut i = 0;
    while let Some(chunk) = rest.get(i..i + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        if zero(w ^ (ONES * u64::from(b'"'))) | zero(w ^ (ONES * u64::from(b'\\'))) | below(w, 0x20) | (w & high) != 0 {
            break;
        }
        i += 8;
    }
    rest[i..].iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20 || ascii && c >= 0x80).map(|p| i + p)
}

/// A cursor over a JSON text.
pub(crate) struct Reader<'a> {
    b: &'a [u8],
    i: usize,
    depth: u32,
    /// Whether an error carries its line and column (found by reading the text from its start, so not for a walk
    /// that reads a growing text again and again and drops its errors: see [`Reader::resume`]).
    lines: bool,
}

type Result<T> = std::result::Result<T, JsonError>;

impl<'a> Reader<'a> {
    /// A reader at the start of `b`.
    #[inline]
    pub(crate) fn new(b: &'a [u8]) -> Reader<'a> {
        Reader { b, i: 0, depth: 0, lines: true }
    }

    /// A reader at byte `i` of `b`, `depth` arrays and objects deep: where an earlier reader of a prefix of `b`
    /// stopped (see [`Reader::offset`] and [`Reader::depth`]), for a walk that goes on as more of the text arrives.
    /// Its errors give line and column 0 (counting them would read the text from its start at every error).
    #[inline]
    pub(crate) fn resume(b: &'a [u8], i: usize, depth: u32) -> Reader<'a> {
        Reader { b, i, depth, lines: false }
    }

    /// The byte the reader is at.
    #[inline]
    pub(crate) fn offset(&self) -> usize {
        self.i
    }

    /// How many arrays and objects the reader is inside.
    #[inline]
    pub(crate) fn depth(&self) -> u32 {
        self.depth
    }

    /// An error found at byte `at`.
    #[cold]
    #[inline(never)]
    fn error_at(&self, at: usize, kind: JsonErrorKind) -> JsonError {
        let at = at.min(self.b.len());
        if !self.lines {
            return JsonError { kind, line: 0, column: 0, offset: at };
        }
        let (mut line, mut line_start) = (1, 0);
        for (k, &c) in self.b[..at].iter().enumerate() {
            if c == b'\n' {
                line += 1;
                line_start = k + 1;
            }
        }
        JsonError { kind, line, column: at - line_start + 1, offset: at }
    }

    /// An error found at the current byte.
    #[cold]
    #[inline(never)]
    pub(crate) fn error(&self, kind: JsonErrorKind) -> JsonError {
        self.error_at(self.i, kind)
    }

    #[inline(always)]
    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.b.get(self.i) {
            self.i += 1;
        }
    }

    /// The next byte that is not whitespace (not consumed); the text must not end before it.
    #[inline(always)]
    pub(crate) fn peek(&mut self) -> Result<u8> {
        self.ws();
        match self.b.get(self.i) {
            Some(&c) => Ok(c),
            None => Err(self.error(JsonErrorKind::UnexpectedEnd)),
        }
    }

    /// Checks that only whitespace is left.
    #[inline]
    pub(crate) fn end(&mut self) -> Result<()> {
        self.ws();
        if self.i == self.b.len() {
            Ok(())
        } else {
            Err(self.error(JsonErrorKind::TrailingCharacters))
        }
    }

    /// Consumes the `[` or `{` that is next, one level deeper.
    #[inline(always)]
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
    pub(crate) fn begin_object(&mut self) -> Result<Option<Str<'a>>> {
        self.enter()?;
        match self.peek()? {
            b'"' => self.key::<false>().map(Some),
            b'}' => {
                self.i += 1;
                self.depth -= 1;
                Ok(None)
            }
            _ => Err(self.error(JsonErrorKind::ExpectedKey)),
        }
    }

    /// After a member's value: the next key, or `None` at the object's `}` (consumed).
    pub(crate) fn next_key(&mut self) -> Result<Option<Str<'a>>> {
        self.next_key_as::<false>()
    }

    /// [`Reader::next_key`] with the common case inlined, for the hot path.
    #[inline(always)]
    pub(crate) fn next_key_inline(&mut self) -> Result<Option<Str<'a>>> {
        self.next_key_as::<true>()
    }

    /// [`Reader::next_key`], its string read inline (`INLINE`) or by the shared [`Reader::str`].
    #[inline(always)]
    fn next_key_as<const INLINE: bool>(&mut self) -> Result<Option<Str<'a>>> {
        match self.peek()? {
            b',' => {
                self.i += 1;
                match self.peek()? {
                    b'"' => self.key::<INLINE>().map(Some),
                    b'}' => Err(self.error(JsonErrorKind::TrailingComma)),
                    _ => Err(self.error(JsonErrorKind::ExpectedKey)),
                }
            }
            b'}' => {
                self.i += 1;
                self.depth -= 1;
                Ok(None)
            }
            _ => Err(self.error(JsonErrorKind::ExpectedCommaOrBrace)),
        }
    }

    /// The key whose `"` is the next byte (checked as [`Reader::string`] checks it, and decoded once unless it is
    /// plain ASCII), and its `:`.
    #[inline(always)]
    fn key<const INLINE: bool>(&mut self) -> Result<Str<'a>> {
        let key = if INLINE { self.str_inline()? } else { self.str()? };
        if self.peek()? != b':' {
            return Err(self.error(JsonErrorKind::ExpectedColon));
        }
        self.i += 1;
        Ok(key)
    }

    /// Opens the array that is next (its `[` must be the next byte): `true` when an element follows, `false`
    /// when it is empty (and then closed).
    #[inline]
    #[cfg_attr(mde_size, optimize(speed))]
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
    #[inline]
    #[cfg_attr(mde_size, optimize(speed))]
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
    #[inline]
    #[cfg_attr(mde_size, optimize(speed))]
    pub(crate) fn null(&mut self) -> Result<bool> {
        if self.peek()? != b'n' {
            return Ok(false);
        }
        if let Some(&[b'n', b'u', b'l', b'l']) = self.b.get(self.i..self.i + 4) {
            self.i += 4;
            return Ok(true);
        }
        self.literal(b"null").map(|()| true)
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

    /// Reads the `true`, `false` or `null` whose first byte is `c`.
    pub(crate) fn word(&mut self, c: u8) -> Result<()> {
        self.literal(match c {
            b't' => b"true",
            b'f' => b"false",
            _ => b"null",
        })
    }

    /// The string that is next (its `"` must be the next byte), borrowed from the text unless it holds escapes.
    pub(crate) fn string(&mut self) -> Result<Cow<'a, str>> {
        let b: &'a [u8] = self.b;
        let start = self.i + 1;
        if let Some(end) = self.ascii_end(start) {
            if let Ok(text) = std::str::from_utf8(&b[start..end]) {
                self.i = end + 1;
                return Ok(Cow::Borrowed(text));
            }
        }
        self.string_slow(start)
    }

    /// Moves past the string that is next (its `"` must be the next byte), checking it as [`Reader::string`]
    /// does, without making it a `str` or decoding its escapes.
    pub(crate) fn skip_string(&mut self) -> Result<()> {
        self.skip_string_inline()
    }

    /// [`Reader::skip_string`] inlined, for the hot path.
    #[inline(always)]
    pub(crate) fn skip_string_inline(&mut self) -> Result<()> {
        let start = self.i + 1;
        if let Some(end) = self.ascii_end(start) {
            self.i = end + 1;
            return Ok(());
        }
        self.skip_string_slow(start)
    }

    /// [`Reader::skip_string`] of a string that is not plain ASCII: checked as [`Reader::string`] checks it, its
    /// escapes decoded into nothing.
    fn skip_string_slow(&mut self, start: usize) -> Result<()> {
        self.scan_string(start, false).map(drop)
    }

    /// The string that is next (its `"` must be the next byte), as a [`Str`]: checked as [`Reader::string`]
    /// checks it, and decoded unless it is plain ASCII.
    pub(crate) fn str(&mut self) -> Result<Str<'a>> {
        self.str_inline()
    }

    /// [`Reader::str`] inlined, for the hot path.
    #[inline(always)]
    pub(crate) fn str_inline(&mut self) -> Result<Str<'a>> {
        let start = self.i + 1;
        if let Some(end) = self.ascii_end(start) {
            self.i = end + 1;
            return Ok(Str::Plain(&self.b[start..end]));
        }
        self.string_slow(start).map(Str::Text)
    }

    /// Where the string whose first byte is `start` ends (its closing `"`) when it is plain ASCII: no escape,
    /// control character or other byte.
    #[inline(always)]
    fn ascii_end(&self, start: usize) -> Option<usize> {
        let end = start + string_end(self.b.get(start..)?, true)?;
        (self.b[end] == b'"').then_some(end)
    }

    /// [`Reader::string`] of a string with escapes (or a mistake) in it, from its first byte `start`.
    fn string_slow(&mut self, start: usize) -> Result<Cow<'a, str>> {
        self.scan_string(start, true)
    }

    /// Moves past the string whose first byte is `start`, checking it all; returns its text when `decode`
    /// (borrowed unless it holds escapes). Without `decode` nothing is allocated, escapes are only checked, and
    /// what is returned is only the string's text after its last escape.
    fn scan_string(&mut self, start: usize, decode: bool) -> Result<Cow<'a, str>> {
        let (mut i, mut segment) = (start, start);
        let mut decoded: Option<String> = None;
        loop {
            let Some(len) = self.b.get(i..).and_then(|rest| string_end(rest, false)) else {
                return Err(self.error_at(self.b.len(), JsonErrorKind::UnexpectedEnd));
            };
            i += len;
            match self.b[i] {
                b'"' => break,
                b'\\' => {
                    let text = self.utf8(segment, i)?;
                    let mut out = decode.then(|| decoded.get_or_insert_with(String::new));
                    if let Some(out) = out.as_deref_mut() {
                        out.push_str(text);
                    }
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

    /// Checks the escape whose backslash is just before `i` and decodes it into `out`, if any; returns where it
    /// ends.
    fn unescape(&self, i: usize, out: Option<&mut String>) -> Result<usize> {
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
                        // The `\u` of the trailing half.
                        match (self.b.get(i + 5), self.b.get(i + 6)) {
                            (Some(b'\\'), Some(b'u')) => {}
                            (None, _) => return Err(self.error_at(i + 5, JsonErrorKind::UnexpectedEnd)),
                            (Some(b'\\'), None) => return Err(self.error_at(i + 6, JsonErrorKind::UnexpectedEnd)),
                            _ => return Err(lone()),
                        }
                        let low = self.hex4(i + 7)?;
                        if !(0xDC00..=0xDFFF).contains(&low) {
                            return Err(lone());
                        }
                        (0x10000 + ((n - 0xD800) << 10 | (low - 0xDC00)), i + 11)
                    }
                    _ => (n, i + 5),
                };
                let c = char::from_u32(n).ok_or_else(lone)?;
                if let Some(out) = out {
                    out.push(c);
                }
                return Ok(end);
            }
            _ => return Err(self.error_at(i, JsonErrorKind::InvalidEscape)),
        };
        if let Some(out) = out {
            out.push(c);
        }
        Ok(i + 1)
    }

    /// The four hex digits at `i`.
    fn hex4(&self, i: usize) -> Result<u32> {
        let mut n = 0;
        for k in i..i + 4 {
            let Some(&c) = self.b.get(k) else { return Err(self.error_at(k, JsonErrorKind::UnexpectedEnd)) };
            let d = match c {
                b'0'..=b'9' => c - b'0',
                b'a'..=b'f' => c - b'a' + 10,
                b'A'..=b'F' => c - b'A' + 10,
                _ => return Err(self.error_at(k, JsonErrorKind::InvalidEscape)),
            };
            n = n << 4 | u32::from(d);
        }
        Ok(n)
    }

    /// The number that is next (its first byte must be `-` or a digit): any number of the grammar, however large.
    pub(crate) fn number(&mut self) -> Result<Number<'a>> {
        let b: &'a [u8] = self.b;
        let digits = |mut i: usize| {
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            i
        };
        // The digits of a part, at least one.
        let part = |i: usize| match b.get(i) {
            Some(c) if c.is_ascii_digit() => Ok(digits(i)),
            Some(_) => Err(self.error_at(i, JsonErrorKind::InvalidNumber)),
            None => Err(self.error_at(i, JsonErrorKind::UnexpectedEnd)),
        };
        let start = self.i;
        let negative = matches!(b.get(start), Some(b'-'));
        let int_start = start + usize::from(negative);
        let mut i = part(int_start)?;
        if b[int_start] == b'0' && i > int_start + 1 {
            return Err(self.error_at(int_start + 1, JsonErrorKind::InvalidNumber));
        }
        let integer = !matches!(b.get(i), Some(b'.' | b'e' | b'E'));
        if let Some(b'.') = b.get(i) {
            i = part(i + 1)?;
        }
        if let Some(b'e' | b'E') = b.get(i) {
            i += 1;
            if let Some(b'+' | b'-') = b.get(i) {
                i += 1;
            }
            i = part(i)?;
        }
        self.i = i;
        if integer {
            let int = &b[int_start..i];
            // `n * 10` overflows exactly when `n > u64::MAX / 10` (a plain test, no 128-bit product).
            let n = int.iter().try_fold(0u64, |n, &d| {
                if n > u64::MAX / 10 {
                    return None;
                }
                (n * 10).checked_add(u64::from(d - b'0'))
            });
            match n {
                Some(n) if !negative => return Ok(Number::UInt(n)),
                // `-0` is no integer (a float in JavaScript and in `serde_json`).
                Some(n) if n != 0 && n <= 1 << 63 => return Ok(Number::Int((n as i64).wrapping_neg())),
                _ => {}
            }
        }
        // Signs, digits, `.`, `e` and `E` only: always text, never empty by this default.
        Ok(Number::Other(std::str::from_utf8(&b[start..i]).unwrap_or_default()))
    }

    /// Moves past the value that is next, checking it as reading it whole would (`node.rs`).
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
            b'"' => self.skip_string(),
            b'-' | b'0'..=b'9' => self.number().map(drop),
            c @ (b't' | b'f' | b'n') => self.word(c),
            _ => Err(self.error(JsonErrorKind::ExpectedValue)),
        }
    }
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

    /// The streamed walk reads a growing body again from a unit's start after each chunk and drops the errors:
    /// counting lines for them read the body from its start each time, which made a 3 MB page in 49 chunks take
    /// 90 ms instead of 5 (quadratic). A resumed reader's errors carry no line or column.
    #[test]
    fn a_resumed_reader_does_not_count_lines_for_its_errors() {
        let text = b"{\n\"a\": [1,\n 2, \"b";
        let mut r = Reader::resume(text, 14, 2);
        let e = r.skip_value().and_then(|()| r.next_element().map(drop)).unwrap_err();
        assert_eq!((e.line, e.column, e.offset), (0, 0, text.len()));
        assert!(e.is_eof());
        let mut whole = Reader::new(text);
        let e = whole.skip_value().unwrap_err();
        assert_eq!((e.line, e.offset), (3, text.len()));
    }

    #[test]
    fn string_end_finds_the_first_special_byte() {
        for len in 0..40 {
            for special in [b'"', b'\\', 0x00, 0x1f] {
                let mut bytes = vec![b'a'; len];
                bytes.extend_from_slice(&[0xc3, 0xa9, 0x7f, b' ']);
                let at = bytes.len();
                bytes.push(special);
                bytes.extend_from_slice(b"tail\"x");
                assert_eq!(string_end(&bytes, false), Some(at), "len {len} special {special}");
                assert_eq!(string_end(&bytes, true), Some(len), "len {len} special {special}");
            }
            assert_eq!(string_end(&vec![b'z'; len], false), None);
            assert_eq!(string_end(&vec![b'z'; len], true), None);
        }
    }

    #[test]
    fn decodes_escapes_and_borrows_plain_strings() {
        let mut r = Reader::new(br#""plain""#);
        assert!(matches!(r.string(), Ok(Cow::Borrowed("plain"))));
        let mut r = Reader::new(br#""a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00z""#);
        assert_eq!(r.string().unwrap(), "a\"\\/\u{8}\u{c}\n\r\t\u{e9}\u{1f600}z");
    }
}
