//! The tokenizer under the `$filter` parser: one pass over the bytes, each byte looked at a bounded number
//! of times. Tokens borrow from the text; a string literal's value is made by [`unquote`] when needed.

use super::error::{FilterError, FilterErrorKind};
use std::borrow::Cow;

/// A token's kind and payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tok<'a> {
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `,`
    Comma,
    /// A name or keyword: `[A-Za-z_][A-Za-z0-9_]*`.
    Ident(&'a str),
    /// A string literal: the text between its quotes, a quote inside still written `''` (see [`unquote`]).
    Str(&'a str),
    /// An unquoted literal starting with a digit or `-`: a number or a date-time.
    Bare(&'a str),
    /// A run of `= ! < > & |`: operators from other languages, reported with a hint.
    Sym(&'a str),
    /// Any other character.
    Other(&'a str),
    /// The end of the text.
    End,
}

/// A token with its byte span in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Token<'a> {
    pub(super) tok: Tok<'a>,
    pub(super) start: usize,
    pub(super) end: usize,
}

/// Whitespace between tokens: space, tab, line feed, carriage return.
pub(super) fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_ident_continue(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn is_bare_continue(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b':' | b'.' | b'+' | b'_')
}

fn is_sym(b: u8) -> bool {
    matches!(b, b'=' | b'!' | b'<' | b'>' | b'&' | b'|')
}

/// The length of the character whose first byte is `lead`.
fn utf8_len(lead: u8) -> usize {
    match lead {
        0xF0.. => 4,
        0xE0.. => 3,
        0xC0.. => 2,
        _ => 1,
    }
}

/// Whether the first non-space byte at or after `from` is `(` (a function call after a name).
pub(super) fn paren_follows(text: &str, from: usize) -> bool {
    text.as_bytes().get(from..).and_then(|rest| rest.iter().find(|b| !is_space(**b))) == Some(&b'(')
}

pub(super) struct Lexer<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Lexer<'a> {
    pub(super) fn new(text: &'a str) -> Lexer<'a> {
        Lexer { text, pos: 0 }
    }

    /// The next token; an error only for a string literal without its closing quote.
    pub(super) fn next_token(&mut self) -> Result<Token<'a>, Box<FilterError>> {
        let b = self.text.as_bytes();
        while self.pos < b.len() && is_space(b[self.pos]) {
            self.pos += 1;
        }
        let start = self.pos;
        let Some(&c) = b.get(start) else {
            return Ok(Token { tok: Tok::End, start, end: start });
        };
        let scan = |from: usize, pred: fn(u8) -> bool| from + b[from..].iter().take_while(|x| pred(**x)).count();
        let (tok, end) = match c {
            b'(' => (Tok::LParen, start + 1),
            b')' => (Tok::RParen, start + 1),
            b',' => (Tok::Comma, start + 1),
            b'\'' => return self.string(start),
            _ if is_ident_start(c) => {
                let end = scan(start + 1, is_ident_continue);
                (Tok::Ident(&self.text[start..end]), end)
            }
            _ if c.is_ascii_digit() || c == b'-' => {
                let end = scan(start + 1, is_bare_continue);
                (Tok::Bare(&self.text[start..end]), end)
            }
            _ if is_sym(c) => {
                let end = scan(start + 1, is_sym);
                (Tok::Sym(&self.text[start..end]), end)
            }
            _ => {
                let end = start + utf8_len(c);
                (Tok::Other(&self.text[start..end]), end)
            }
        };
        self.pos = end;
        Ok(Token { tok, start, end })
    }

    /// A string literal starting at the quote at `start`.
    fn string(&mut self, start: usize) -> Result<Token<'a>, Box<FilterError>> {
        let b = self.text.as_bytes();
        let mut i = start + 1;
        loop {
            let Some(off) = b[i..].iter().position(|x| *x == b'\'') else {
                return Err(unterminated(start));
            };
            let q = i + off;
            if b.get(q + 1) == Some(&b'\'') {
                i = q + 2;
            } else {
                self.pos = q + 1;
                return Ok(Token { tok: Tok::Str(&self.text[start + 1..q]), start, end: q + 1 });
            }
        }
    }
}

/// The error for a string literal whose closing quote is missing.
#[cold]
#[inline(never)]
fn unterminated(start: usize) -> Box<FilterError> {
    Box::new(FilterError {
        kind: FilterErrorKind::UnterminatedString,
        position: start,
        expected: "a closing `'` for the string that starts here (a quote inside a string is written `''`)".into(),
        found: "end of input".into(),
    })
}

/// The value of a string literal from the text between its quotes ([`Tok::Str`]): `''` is one `'`.
/// Borrowed unless there is a quote to undouble.
pub(super) fn unquote(raw: &str) -> Cow<'_, str> {
    if !raw.as_bytes().contains(&b'\'') {
        return Cow::Borrowed(raw);
    }
    let mut value = String::with_capacity(raw.len());
    // Quotes in `raw` come in pairs: "a''b" splits into "a", "", "b", every other part empty.
    for (i, part) in raw.split('\'').enumerate() {
        if i % 2 == 0 {
            value.push_str(part);
        } else {
            value.push('\'');
        }
    }
    Cow::Owned(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(text: &str) -> Vec<Tok<'_>> {
        let mut lx = Lexer::new(text);
        let mut out = Vec::new();
        loop {
            let t = lx.next_token().unwrap();
            if t.tok == Tok::End {
                return out;
            }
            out.push(t.tok);
        }
    }

    #[test]
    fn splits_without_spaces_around_punctuation() {
        assert_eq!(
            toks("not(id eq'a''b')and\tstartTime\nge 2024-01-01T00:00:00+02:00,x>=é"),
            vec![
                Tok::Ident("not"),
                Tok::LParen,
                Tok::Ident("id"),
                Tok::Ident("eq"),
                Tok::Str("a''b"),
                Tok::RParen,
                Tok::Ident("and"),
                Tok::Ident("startTime"),
                Tok::Ident("ge"),
                Tok::Bare("2024-01-01T00:00:00+02:00"),
                Tok::Comma,
                Tok::Ident("x"),
                Tok::Sym(">="),
                Tok::Other("é"),
            ]
        );
    }

    #[test]
    fn strings_are_undoubled_and_borrowed_unless_escaped() {
        assert_eq!(toks("'plain'"), vec![Tok::Str("plain")]);
        assert_eq!(toks("''''"), vec![Tok::Str("''")]);
        assert_eq!(toks("''"), vec![Tok::Str("")]);
        assert!(matches!(unquote("plain"), Cow::Borrowed("plain")));
        assert!(matches!(unquote(""), Cow::Borrowed("")));
        for (raw, value) in [("''", "'"), ("a''b", "a'b"), ("''''", "''"), ("x''", "x'"), ("''é''''日", "'é''日")] {
            assert!(matches!(unquote(raw), Cow::Owned(v) if v == value), "{raw}");
        }
        let err = Lexer::new("  'abc''").next_token().unwrap_err();
        assert_eq!((err.kind, err.position), (FilterErrorKind::UnterminatedString, 2));
    }

    #[test]
    fn utf8_len_is_the_length_of_the_character() {
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            assert_eq!(utf8_len(c.to_string().as_bytes()[0]), c.len_utf8(), "{c:?}");
        }
    }

    #[test]
    fn paren_follows_skips_spaces() {
        assert!(paren_follows("contains \t(", 8));
        assert!(!paren_follows("contains x(", 8));
        assert!(!paren_follows("x", 5));
    }

    proptest::proptest! {
        #[test]
        fn a_quoted_value_lexes_and_unquotes_back(value in "('|a|é|日| |\\)){0,12}") {
            let text = format!("'{}'", value.replace('\'', "''"));
            let t = Lexer::new(&text).next_token().unwrap();
            proptest::prop_assert_eq!((t.start, t.end), (0, text.len()));
            let Tok::Str(raw) = t.tok else { panic!("{:?}", t.tok) };
            proptest::prop_assert_eq!(unquote(raw), value);
        }
    }
}
