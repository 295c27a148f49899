//! The fast path of [`outline_page`](super::outline_page): a scanner specialised for list pages, about three
//! times faster than [`decode_page`](super::decode_page) on a 10,000-item page (`cargo bench -p mde-core`).
//!
//! It accepts a subset of what [`decode_page`](super::decode_page) accepts and, on it, returns the same
//! outline; on anything unusual (an escape sequence in a key, a date or the next link, a duplicate key, a
//! non-ASCII key, nesting deeper than 64 in an ignored member, an exponent of three digits or more, an integer
//! of more than 200 digits, any error) it gives up with `None` and the caller runs
//! [`decode_page`](super::decode_page), which then decides and words the error. Like it, the scanner checks
//! everything it skips (UTF-8, escapes and surrogate pairs in every string, the number grammar). Escapes
//! outside keys (decoded in ids, checked elsewhere) and integer ids are handled here, so that one such item
//! does not send a whole page to the slow path. The `outline` property tests check both halves of that
//! contract against `decode_page`.
//!
//! Everything here is `#[inline]` (as are [`outline_page`](super::outline_page) and
//! [`Listing::handle_response_indexed`](crate::listing::Listing::handle_response_indexed)): a driver crate then
//! compiles the scanner at its own optimisation level, so the wasm build can keep mde-core at `opt-level = "z"`
//! and still validate pages at full speed (`xtask/src/package.rs`, BENCHMARKS.md).

use std::borrow::Cow;

use super::PageOutline;
use crate::Timestamp;

/// The outline of `body`, or `None` when the slow path must decide.
#[inline]
pub(super) fn outline(body: &[u8]) -> Option<PageOutline<'_>> {
    let mut s = Scanner { b: body, i: 0 };
    let mut context_seen = false;
    let mut next_link: Option<Option<String>> = None;
    let mut value: Option<Columns<'_>> = None;
    s.expect(b'{')?;
    if !s.eat(b'}') {
        loop {
            let key = s.key()?;
            s.expect(b':')?;
            match key {
                b"@odata.context" if !context_seen => {
                    context_seen = true;
                    s.checked_text_or_null()?;
                }
                b"@odata.nextLink" if next_link.is_none() => next_link = Some(s.text_or_null()?.map(str::to_owned)),
                b"value" if value.is_none() => value = Some(s.items()?),
                b"@odata.context" | b"@odata.nextLink" | b"value" => return None,
                _ => s.skip_value()?,
            }
            if !s.comma_or(b'}')? {
                break;
            }
        }
    }
    s.ws();
    if s.i != body.len() {
        return None;
    }
    let (ids, start_times) = value?;
    Some(PageOutline { ids, start_times, next_link: next_link.flatten() })
}

/// The ids and start times of the items, in order.
type Columns<'a> = (Vec<Cow<'a, str>>, Vec<Option<Timestamp>>);

/// The nine properties of an investigation, by position in a bit mask of those already seen.
const FIELDS: [&[u8]; 9] = [
    b"id",
    b"startTime",
    b"endTime",
    b"state",
    b"cancelledBy",
    b"statusDetails",
    b"machineId",
    b"computerDnsName",
    b"triggeringAlertId",
];

/// The position of the first `"`, `\\` or control character in `rest`, looking at eight bytes at a time.
#[inline]
pub(super) fn string_end(rest: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Bytes of `w` that are zero (or, for `below`, less than `n`) get their high bit set; others may too when a
    // lower byte matched, which only ends the fast loop early.
    let zero = |w: u64| w.wrapping_sub(ONES) & !w & HIGH;
    let below = |w: u64, n: u64| w.wrapping_sub(ONES * n) & !w & HIGH;
    let mut i = 0;
    while let Some(chunk) = rest.get(i..i + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        if zero(w ^ (ONES * u64::from(b'"'))) | zero(w ^ (ONES * u64::from(b'\\'))) | below(w, 0x20) != 0 {
            break;
        }
        i += 8;
    }
    rest[i..].iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20).map(|p| i + p)
}

struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Scanner<'a> {
    #[inline]
    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.b.get(self.i) {
            self.i += 1;
        }
    }

    #[inline]
    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.b.get(self.i).copied()
    }

    #[inline]
    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    #[inline]
    fn expect(&mut self, c: u8) -> Option<()> {
        self.eat(c).then_some(())
    }

    /// After a member or element: `true` after a `,`, `false` after `close`.
    #[inline]
    fn comma_or(&mut self, close: u8) -> Option<bool> {
        match self.peek()? {
            b',' => {
                self.i += 1;
                Some(true)
            }
            c if c == close => {
                self.i += 1;
                Some(false)
            }
            _ => None,
        }
    }

    /// The raw bytes of a string without escapes or control characters (the opening quote is next).
    #[inline]
    fn raw_string(&mut self) -> Option<&'a [u8]> {
        if self.peek() != Some(b'"') {
            return None;
        }
        let start = self.i + 1;
        let rest = self.b.get(start..)?;
        let len = string_end(rest)?;
        if rest[len] != b'"' {
            return None;
        }
        self.i = start + len + 1;
        Some(&rest[..len])
    }

    /// A key: ASCII only (anything else goes to the slow path, which validates UTF-8 in keys).
    #[inline]
    fn key(&mut self) -> Option<&'a [u8]> {
        let k = self.raw_string()?;
        k.is_ascii().then_some(k)
    }

    /// A string parsed as `str` (UTF-8 validated).
    #[inline]
    fn text(&mut self) -> Option<&'a str> {
        std::str::from_utf8(self.raw_string()?).ok()
    }

    #[inline]
    fn null(&mut self) -> bool {
        if self.peek() == Some(b'n') && self.b.get(self.i..self.i + 4) == Some(b"null") {
            self.i += 4;
            true
        } else {
            false
        }
    }

    #[inline]
    fn text_or_null(&mut self) -> Option<Option<&'a str>> {
        if self.null() {
            Some(None)
        } else {
            self.text().map(Some)
        }
    }

    /// Moves past a string (its opening quote is next) that may hold escapes, checking it as the reader does
    /// (escapes, paired surrogates, UTF-8). `None` on anything it would refuse (the slow path then words the
    /// error).
    #[inline]
    fn string(&mut self) -> Option<()> {
        if self.peek() != Some(b'"') {
            return None;
        }
        let start = self.i + 1;
        let mut i = start;
        loop {
            i += string_end(self.b.get(i..)?)?;
            match self.b[i] {
                b'"' => break,
                b'\\' => i = self.escape(i + 1)?,
                _ => return None,
            }
        }
        if std::str::from_utf8(&self.b[start..i]).is_err() {
            return None;
        }
        self.i = i + 1;
        Some(())
    }

    /// Checks the escape whose backslash is just before `i`; returns where it ends.
    fn escape(&self, i: usize) -> Option<usize> {
        match *self.b.get(i)? {
            b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => Some(i + 1),
            b'u' => match self.hex4(i + 1)? {
                0xDC00..=0xDFFF => None,
                0xD800..=0xDBFF => {
                    if self.b.get(i + 5..i + 7)? != b"\\u" {
                        return None;
                    }
                    (0xDC00..=0xDFFF).contains(&self.hex4(i + 7)?).then_some(i + 11)
                }
                _ => Some(i + 5),
            },
            _ => None,
        }
    }

    /// The four hex digits at `i`.
    fn hex4(&self, i: usize) -> Option<u16> {
        self.b.get(i..i + 4)?.iter().try_fold(0u16, |n, &c| Some(n << 4 | char::from(c).to_digit(16)? as u16))
    }

    /// An id as the decoder reads it: a string (borrowed unless it holds escapes) or an integer (as its decimal
    /// text). `None` for anything else, and for `-0`, which is no integer for the decoder either.
    #[inline]
    fn id(&mut self) -> Option<Cow<'a, str>> {
        if self.peek()? != b'"' {
            let start = self.i;
            self.number()?;
            let digits = std::str::from_utf8(&self.b[start..self.i]).ok()?;
            return match digits.strip_prefix('-') {
                Some("0") => None,
                Some(_) => digits.parse::<i64>().ok().map(|n| Cow::Owned(n.to_string())),
                None => digits.parse::<u64>().ok().map(|n| Cow::Owned(n.to_string())),
            };
        }
        let start = self.i + 1;
        let (mut i, mut segment) = (start, start);
        let mut decoded: Option<String> = None;
        loop {
            i += string_end(self.b.get(i..)?)?;
            match self.b[i] {
                b'"' => break,
                b'\\' => {
                    let out = decoded.get_or_insert_with(String::new);
                    out.push_str(std::str::from_utf8(&self.b[segment..i]).ok()?);
                    i = self.unescape(i + 1, out)?;
                    segment = i;
                }
                _ => return None,
            }
        }
        let tail = std::str::from_utf8(&self.b[segment..i]).ok()?;
        self.i = i + 1;
        Some(match decoded {
            None => Cow::Borrowed(tail),
            Some(mut out) => {
                out.push_str(tail);
                Cow::Owned(out)
            }
        })
    }

    /// Decodes the escape whose backslash is just before `i` into `out`; returns where it ends.
    fn unescape(&self, i: usize, out: &mut String) -> Option<usize> {
        let c = match *self.b.get(i)? {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let n = u32::from(self.hex4(i + 1)?);
                let (c, end) = match n {
                    0xDC00..=0xDFFF => return None,
                    0xD800..=0xDBFF => {
                        if self.b.get(i + 5..i + 7)? != b"\\u" {
                            return None;
                        }
                        let low = u32::from(self.hex4(i + 7)?);
                        if !(0xDC00..=0xDFFF).contains(&low) {
                            return None;
                        }
                        (char::from_u32(0x10000 + ((n - 0xD800) << 10 | (low - 0xDC00)))?, i + 11)
                    }
                    _ => (char::from_u32(n)?, i + 5),
                };
                out.push(c);
                return Some(end);
            }
            _ => return None,
        };
        out.push(c);
        Some(i + 1)
    }

    /// A string checked as text (its value unused), or `null`.
    #[inline]
    fn checked_text_or_null(&mut self) -> Option<()> {
        if self.null() {
            Some(())
        } else {
            self.string()
        }
    }

    #[inline]
    fn time_or_null(&mut self) -> Option<Option<Timestamp>> {
        match self.text_or_null()? {
            None => Some(None),
            Some(t) => Timestamp::parse(t).ok().map(Some),
        }
    }

    #[inline]
    fn items(&mut self) -> Option<Columns<'a>> {
        self.expect(b'[')?;
        let guess = (self.b.len() / 200).min(16_384);
        let mut ids = Vec::with_capacity(guess);
        let mut start_times = Vec::with_capacity(guess);
        if self.eat(b']') {
            return Some((ids, start_times));
        }
        loop {
            let (id, start_time) = self.item()?;
            ids.push(id);
            start_times.push(start_time);
            if !self.comma_or(b']')? {
                return Some((ids, start_times));
            }
        }
    }

    #[inline]
    fn item(&mut self) -> Option<(Cow<'a, str>, Option<Timestamp>)> {
        self.expect(b'{')?;
        let mut seen = 0u16;
        let mut id = None;
        let mut start_time = None;
        if !self.eat(b'}') {
            loop {
                let key = self.key()?;
                self.expect(b':')?;
                match FIELDS.iter().position(|f| *f == key) {
                    Some(k) => {
                        if seen & (1 << k) != 0 {
                            return None;
                        }
                        seen |= 1 << k;
                        match k {
                            0 => id = Some(self.id()?),
                            1 => start_time = self.time_or_null()?,
                            2 => {
                                self.time_or_null()?;
                            }
                            _ => {
                                self.checked_text_or_null()?;
                            }
                        }
                    }
                    None => self.skip_value()?,
                }
                if !self.comma_or(b'}')? {
                    break;
                }
            }
        }
        Some((id?, start_time))
    }

    /// Skips any JSON value, checking it as the reader does; gives up beyond 64 nested arrays and objects
    /// (the reader's limit, 127 in the whole document, is then the decoder's to apply).
    #[inline]
    fn skip_value(&mut self) -> Option<()> {
        let mut open: Vec<u8> = Vec::new();
        loop {
            if open.len() >= 64 {
                return None;
            }
            // A value.
            match self.peek()? {
                b'{' => {
                    self.i += 1;
                    if !self.eat(b'}') {
                        open.push(b'}');
                        self.string()?;
                        self.expect(b':')?;
                        continue;
                    }
                }
                b'[' => {
                    self.i += 1;
                    if !self.eat(b']') {
                        open.push(b']');
                        continue;
                    }
                }
                b'"' => {
                    self.string()?;
                }
                b't' => self.literal(b"true")?,
                b'f' => self.literal(b"false")?,
                b'n' => self.literal(b"null")?,
                _ => self.number()?,
            }
            // What follows it.
            loop {
                let Some(&close) = open.last() else { return Some(()) };
                if self.comma_or(close)? {
                    if close == b'}' {
                        self.string()?;
                        self.expect(b':')?;
                    }
                    break;
                }
                open.pop();
            }
        }
    }

    #[inline]
    fn literal(&mut self, word: &[u8]) -> Option<()> {
        if self.b.get(self.i..self.i + word.len()) == Some(word) {
            self.i += word.len();
            Some(())
        } else {
            None
        }
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, with at most 200 integer digits and two exponent
    /// digits, so that it is always within `f64` range (the decoder's check of larger ones is not repeated here).
    #[inline]
    fn number(&mut self) -> Option<()> {
        let b = self.b;
        let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
        let mut i = self.i;
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        let int_start = i;
        match b.get(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => {
                while digit(i) {
                    i += 1;
                }
                if i - int_start > 200 {
                    return None;
                }
            }
            _ => return None,
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            if !digit(i) {
                return None;
            }
            while digit(i) {
                i += 1;
            }
        }
        if let Some(b'e' | b'E') = b.get(i) {
            i += 1;
            if let Some(b'+' | b'-') = b.get(i) {
                i += 1;
            }
            let exp_start = i;
            while digit(i) {
                i += 1;
            }
            if i == exp_start || i - exp_start > 2 {
                return None;
            }
        }
        self.i = i;
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_end_finds_the_first_special_byte() {
        for len in 0..40 {
            for special in [b'"', b'\\', 0x00, 0x1f] {
                let mut bytes = vec![b'a'; len];
                bytes.extend_from_slice(&[0xc3, 0xa9, 0x7f, b' ']);
                let at = bytes.len();
                bytes.push(special);
                bytes.extend_from_slice(b"tail\"x");
                assert_eq!(string_end(&bytes), Some(at), "len {len} special {special}");
            }
            assert_eq!(string_end(&vec![b'z'; len]), None);
        }
    }

    #[test]
    fn takes_the_fast_path_for_plain_pages_only() {
        let plain = br#" {"@odata.context":"c","value":[{"id":"1","startTime":"2024-01-01T00:00:00.1234567Z","endTime":null,"state":"Running","machineId":"ab","new":{"a":[1,-2.5e3,true,null,"x"]}},{"id":"2"}],"@odata.nextLink":null} "#;
        let o = outline(plain).unwrap();
        assert_eq!(o.ids, ["1", "2"]);
        assert_eq!(o.start_times[0].map(|t| t.to_string()).as_deref(), Some("2024-01-01T00:00:00.1234567Z"));
        assert_eq!(o.next_link, None);
        // Escapes (decoded in ids, checked elsewhere) and integer ids stay on the fast path, with the decoder's
        // result.
        for (fast, id) in [
            (
                &br#"{"@odata.context":"a\"b","value":[{"id":"1","state":"a\"b\\c\/\b\f\n\r\t\u00e9\ud83d\ude00"}]}"#[..],
                "1",
            ),
            (br#"{"value":[{"id":"1","statusDetails":null,"x":{"k\u00e9\ud800\udc00":["\ud83d\ude00",{"\"":"\\"}]}}]}"#, "1"),
            (br#"{"value":[{"id":"1","x":[1e99,-0.5E-20,0,-0]}]}"#, "1"),
            (br#"{"value":[{"id":7}]}"#, "7"),
            (br#"{"value":[{"id":-12}]}"#, "-12"),
            (br#"{"value":[{"id":18446744073709551615}]}"#, "18446744073709551615"),
            (br#"{"value":[{"id":"\u0031\n\u00e9\ud83d\ude00\"x"}]}"#, "1\n\u{e9}\u{1f600}\"x"),
        ] {
            let page = super::super::decode_page(fast).unwrap();
            assert_eq!(page.value[0].id, id);
            let ids = outline(fast).map(|o| o.ids);
            assert_eq!(ids, Some(vec![Cow::Owned(id.to_owned())]), "{}", String::from_utf8_lossy(fast));
        }
        assert!(matches!(outline(br#"{"value":[{"id":"1"}]}"#).unwrap().ids[0], Cow::Borrowed("1")));
        for slow in [
            &br#"{"value":[{"id":"1","state":"\udc00"}]}"#[..],
            br#"{"value":[{"id":"1","state":"\ud83dx"}]}"#,
            br#"{"value":[{"id":"1","state":"\ud83d\u0041"}]}"#,
            br#"{"value":[{"id":"1","state":"\x"}]}"#,
            br#"{"value":[{"id":"1","state":"\u00e"}]}"#,
            br#"{"value":[{"id":"1","x":"\u00g0"}]}"#,
            br#"{"value":[{"id":"1","startTime":"2024-01-01T00:00:00\u005a"}]}"#,
            br#"{"value":[{"id":"1","st\u0061te":"x"}]}"#,
            br#"{"value":[],"@odata.nextLink":"\/x"}"#,
            br#"{"value":[{"id":"1","id":"2"}]}"#,
            br#"{"value":[],"value":[]}"#,
            br#"{"value":[{"state":"x"}]}"#,
            br#"{"value":[{"id":"1","startTime":"bad"}]}"#,
            br#"{"value":[{"id":"1","x":01}]}"#,
            br#"{"value":[{"id":"1"}]} x"#,
            br#"{"value":[{"id":"1",}]}"#,
            br#"{"value":[{"id":1.5}]}"#,
            br#"{"value":[{"id":-0}]}"#,
            br#"{"value":[{"id":18446744073709551616}]}"#,
            br#"{"value":[{"id":-9223372036854775809}]}"#,
            br#"{"value":[{"id":"1","x":{"k\u00e9\udc00":1}}]}"#,
            br#"{"value":[{"id":"1","x":["\ud800"]}]}"#,
            b"{\"value\":[{\"id\":\"1\",\"x\":\"\xff\"}]}",
            b"{\"value\":[{\"id\":\"1\",\"x\xc3\xa9\":1}]}",
            br#"{"value":[{"id":"1","x":1e400}]}"#,
            br#"{"value":[{"id":"1","x":1e100}]}"#,
            br#"{"value":[{"id":"\udc00"}]}"#,
            br#"{"value":[{"id":"\ud800\u0041"}]}"#,
        ] {
            assert!(outline(slow).is_none(), "{}", String::from_utf8_lossy(slow));
        }
        let nested = |n: usize| format!(r#"{{"value":[{{"id":"1","x":{}{}}}]}}"#, "[".repeat(n), "]".repeat(n));
        assert!(outline(nested(64).as_bytes()).is_some());
        assert!(outline(nested(65).as_bytes()).is_none());
    }
}
