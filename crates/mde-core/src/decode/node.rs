//! [`Node`]: a whole JSON document, read with the crate's own reader (`reader.rs`, which knows nothing of it), for
//! the slow paths (the service's error bodies, the resume token) and for drivers that read small JSON texts (the
//! wasm binding's options), so that one JSON reader serves them all. Objects are plain vectors in document order (duplicates
//! kept; a lookup takes the last, as `JSON.parse` does), and [`Node::to_json`] prints them in that order.
//!
//! A number that is not an integer fitting `u64`/`i64` is kept as its source text ([`Node::Number`]) and printed
//! back as that text (`1.50` and `1E2` print as written). No float is parsed or printed: core's float code is
//! large in WebAssembly.

use super::reader::{JsonError, JsonErrorKind, Number, Reader};

/// A JSON value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A non-negative integer that fits `u64`.
    UInt(u64),
    /// A negative integer that fits `i64`.
    Int(i64),
    /// Any other number (a fraction, an exponent, `-0`, an integer beyond `u64`/`i64`), as its source text.
    Number(String),
    /// A string.
    Str(String),
    /// An array.
    Array(Vec<Node>),
    /// An object, in document order (duplicates kept; [`Node::get`] takes the last).
    Object(Vec<(String, Node)>),
}

impl Node {
    /// Reads a whole document: strict RFC 8259. UTF-8 is checked everywhere; escapes must be valid and
    /// surrogates paired; numbers follow the grammar (of any size, as `JSON.parse` reads them); no trailing commas
    /// or trailing characters; at most [`MAX_DEPTH`](super::MAX_DEPTH) nested arrays and objects. The
    /// [`JsonError`] says what and where (and whether the text ends early).
    pub fn parse(body: &[u8]) -> Result<Node, JsonError> {
        let mut r = Reader::new(body);
        let node = read(&mut r)?;
        r.end()?;
        Ok(node)
    }

    /// The value of `key` in an object (the last one, as `JSON.parse` keeps it); `None` for non-objects.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Object(entries) => entries.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The value of `key` in an object when the key must be given at most once (options, the service's error
    /// body): `Ok(None)` when it is absent or `null` (or this is no object), [`DuplicateKey`] when it is given
    /// twice.
    pub fn unique(&self, key: &str) -> Result<Option<&Node>, DuplicateKey> {
        let Node::Object(entries) = self else { return Ok(None) };
        let mut found = None;
        for (k, v) in entries {
            if k == key && found.replace(v).is_some() {
                return Err(DuplicateKey);
            }
        }
        Ok(found.filter(|v| !matches!(v, Node::Null)))
    }

    /// What kind of value this is, for messages: `null`, `a string`, ...
    pub fn kind(&self) -> &'static str {
        match self {
            Node::Null => "null",
            Node::Bool(_) => "a boolean",
            Node::UInt(_) | Node::Int(_) | Node::Number(_) => "a number",
            Node::Str(_) => "a string",
            Node::Array(_) => "an array",
            Node::Object(_) => "an object",
        }
    }

    /// Compact JSON text: members in document order (duplicates kept), a [`Node::Number`] as its source text,
    /// strings escaped by [`write_str`].
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Node::Null => out.push_str("null"),
            Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Node::UInt(n) => out.push_str(&n.to_string()),
            Node::Int(n) => out.push_str(&n.to_string()),
            Node::Number(text) => out.push_str(text),
            Node::Str(s) => write_json_string(s, out),
            Node::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Node::Object(entries) => {
                out.push('{');
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_json_string(k, out);
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
        }
    }
}

/// Reads the value that is next in `r` as a [`Node`].
fn read(r: &mut Reader<'_>) -> Result<Node, JsonError> {
    Ok(match r.peek()? {
        b'{' => {
            let mut entries = Vec::new();
            let mut key = r.begin_object()?;
            while let Some(k) = key {
                let value = read(r)?;
                entries.push((k.into_text().into_owned(), value));
                key = r.next_key()?;
            }
            Node::Object(entries)
        }
        b'[' => {
            let mut items = Vec::new();
            let mut more = r.begin_array()?;
            while more {
                items.push(read(r)?);
                more = r.next_element()?;
            }
            Node::Array(items)
        }
        b'"' => Node::Str(r.string()?.into_owned()),
        b'-' | b'0'..=b'9' => match r.number()? {
            Number::UInt(n) => Node::UInt(n),
            Number::Int(n) => Node::Int(n),
            Number::Other(text) => Node::Number(text.to_owned()),
        },
        c @ (b't' | b'f' | b'n') => {
            r.word(c)?;
            if c == b'n' {
                Node::Null
            } else {
                Node::Bool(c == b't')
            }
        }
        _ => return Err(r.error(JsonErrorKind::ExpectedValue)),
    })
}

/// Writes `s` as a JSON string literal, escaped as `serde_json` escapes it. It uses nothing, so that
/// [`Quoted`](crate::Quoted), which the modules below `decode` quote with, prints with it too. (In a module of its
/// own it would reorder the wasm module's constant data: 27 bytes more of gzip, measured.)
pub fn write_json_string(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                out.push_str("\\u00");
                out.push(char::from(HEX[(c as usize) >> 4]));
                out.push(char::from(HEX[(c as usize) & 15]));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A key given twice in an object where it may appear once ([`Node::unique`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a key given twice")]
pub struct DuplicateKey;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::reader::{validate, MAX_DEPTH};

    /// The whole-document reader, as the moved reader tests call it.
    fn parse(text: &[u8]) -> Result<Node, JsonError> {
        Node::parse(text)
    }

    /// Documents whose numbers are all integers and whose objects have sorted, distinct keys: printed exactly
    /// as `serde_json::Value` prints them.
    const DOCS: &[&str] = &[
        r#"{"a":[true,null,"x\"\\\n\u0001\u001f\t\b\f\u00e9\ud83d\ude00"],"m":{"a":-1,"b":3},"n":-7,"z":1}"#,
        r#"[18446744073709551615, -9223372036854775808, 0]"#,
        r#""plain""#,
        "null",
        r#"{"j":[],"k":[{}]}"#,
    ];

    #[test]
    fn prints_and_looks_up_as_serde_json_value_does() {
        for doc in DOCS {
            let node = Node::parse(doc.as_bytes()).unwrap();
            let value: serde_json::Value = serde_json::from_str(doc).unwrap();
            assert_eq!(node.to_json(), value.to_string(), "{doc}");
            if let Some(obj) = value.as_object() {
                for (k, v) in obj {
                    assert_eq!(node.get(k).unwrap().to_json(), v.to_string());
                }
            }
        }
    }

    #[test]
    fn prints_members_in_document_order_and_looks_up_the_last() {
        let doc = r#"{"z":1, "m":{"b":2,"a":-1,"b":3}, "a":[{}]}"#;
        let node = Node::parse(doc.as_bytes()).unwrap();
        assert_eq!(node.to_json(), r#"{"z":1,"m":{"b":2,"a":-1,"b":3},"a":[{}]}"#);
        assert_eq!(node.get("m").and_then(|m| m.get("b")), Some(&Node::UInt(3)));
        assert_eq!(Node::parse(node.to_json().as_bytes()), Ok(node));
    }

    #[test]
    fn unique_takes_one_key_counts_null_as_absent_and_refuses_two() {
        let node = Node::parse(br#"{"a":1,"n":null,"d":1,"d":null,"e":{"a":2}}"#).unwrap();
        assert_eq!(node.unique("a"), Ok(Some(&Node::UInt(1))));
        assert_eq!(node.unique("n"), Ok(None));
        assert_eq!(node.unique("missing"), Ok(None));
        assert_eq!(node.unique("d"), Err(DuplicateKey));
        assert_eq!(Node::UInt(1).unique("a"), Ok(None));
    }

    #[test]
    fn other_numbers_print_as_written() {
        let doc = r#"{"b":[2.50,1E2,-0,18446744073709551616,-9223372036854775809,1e-7,1e400],"a":0.1}"#;
        let node = Node::parse(doc.as_bytes()).unwrap();
        assert_eq!(
            node.to_json(),
            r#"{"b":[2.50,1E2,-0,18446744073709551616,-9223372036854775809,1e-7,1e400],"a":0.1}"#
        );
        assert_eq!(node.get("a"), Some(&Node::Number("0.1".into())));
        assert_eq!(node.get("a").map(Node::kind), Some("a number"));
    }

    #[test]
    fn integers_and_other_numbers_split_as_in_value() {
        let node = Node::parse(br#"[18446744073709551615, 18446744073709551616, -9223372036854775808, 1.0]"#).unwrap();
        let Node::Array(items) = node else { panic!("not an array") };
        assert!(matches!(items[0], Node::UInt(u64::MAX)));
        assert!(matches!(items[1], Node::Number(_)));
        assert!(matches!(items[2], Node::Int(i64::MIN)));
        assert!(matches!(items[3], Node::Number(_)));
        assert!(Node::parse(b"{\"a\":1,}").is_err());
    }

    fn kind(text: &str) -> JsonErrorKind {
        match parse(text.as_bytes()) {
            Ok(node) => panic!("{text:?} parsed as {node:?}"),
            Err(e) => e.kind,
        }
    }

    #[test]
    fn accepts_any_number_of_the_grammar_however_large() {
        let huge = format!("1{}", "0".repeat(400));
        for text in ["1e400", "-1e400", "1.7976931348623159e308", "0e999999999999999999999", "1e-99999999999", &huge] {
            assert_eq!(parse(text.as_bytes()), Ok(Node::Number(text.to_owned())), "{text}");
            assert!(text.parse::<f64>().is_ok(), "{text} is a number for Rust too");
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
            let skipped = validate(text.as_bytes()).map_err(|e| e.kind);
            assert_eq!(skipped, Err(*expected), "{text:?}: the reader's skip finds the same mistake");
        }
        assert_eq!(parse(b"\"\xff\"").unwrap_err().kind, InvalidUtf8);
        assert_eq!(parse(b"\"a\\n\xc3\"").unwrap_err().kind, InvalidUtf8);
        let e = parse(b"{\n  \"a\": [1,\n   ]}").unwrap_err();
        assert_eq!((e.kind, e.line, e.column, e.offset), (TrailingComma, 3, 4, 16));
        assert_eq!(e.to_string(), "trailing comma at line 3 column 4");
        assert!(parse(b"[1").unwrap_err().is_eof());
    }

    #[test]
    fn each_kind_has_its_message() {
        use JsonErrorKind::*;
        let messages = [
            (UnexpectedEnd, "the text ends early"),
            (ExpectedValue, "expected a value"),
            (ExpectedKey, "expected a string key"),
            (ExpectedColon, "expected `:`"),
            (ExpectedCommaOrBracket, "expected `,` or `]`"),
            (ExpectedCommaOrBrace, "expected `,` or `}`"),
            (TrailingComma, "trailing comma"),
            (InvalidNumber, "invalid number"),
            (InvalidEscape, "invalid escape"),
            (LoneSurrogate, r"lone surrogate in a \u escape"),
            (ControlCharacter, "control character in a string"),
            (InvalidUtf8, "invalid UTF-8"),
            (TooDeep, "nested more than 127 arrays and objects deep"),
            (TrailingCharacters, "trailing characters after the document"),
        ];
        for (kind, message) in messages {
            assert_eq!(kind.to_string(), message);
        }
        let e = parse(b"[1,\n 2 3]").unwrap_err();
        assert_eq!(e.to_string(), "expected `,` or `]` at line 2 column 4");
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
    fn integers_fit_u64_and_i64_exactly_as_std_parses_them() {
        let mut texts = Vec::new();
        for base in [u64::MAX / 10, u64::MAX / 10 + 1, u64::MAX - 9, 1 << 63, (1 << 63) - 9] {
            for d in 0..10u64 {
                texts.push(base.saturating_add(d).to_string());
                texts.push(format!("{}{d}", base / 10));
                texts.push(format!("{base}{d}"));
            }
        }
        for text in texts {
            let expected = match text.parse::<u64>() {
                Ok(n) => Node::UInt(n),
                Err(_) => Node::Number(text.clone()),
            };
            assert_eq!(parse(text.as_bytes()), Ok(expected), "{text}");
            let negative = format!("-{text}");
            let expected = match negative.parse::<i64>() {
                Ok(0) | Err(_) => Node::Number(negative.clone()),
                Ok(n) => Node::Int(n),
            };
            assert_eq!(parse(negative.as_bytes()), Ok(expected), "{negative}");
        }
    }

    #[test]
    fn hex_digits_of_either_case_and_nothing_else() {
        for c in 0..=255u8 {
            let mut text = br#""\u004"#.to_vec();
            text.extend_from_slice(&[c, b'"']);
            let result = parse(&text);
            if c.is_ascii_hexdigit() {
                let n = u32::from_str_radix(&format!("4{}", char::from(c)), 16).unwrap();
                assert_eq!(result, Ok(Node::Str(char::from_u32(n).unwrap().to_string())), "{c}");
            } else {
                let e = result.unwrap_err();
                assert_eq!((e.kind, e.offset), (JsonErrorKind::InvalidEscape, 6), "{c}");
            }
        }
    }

    #[test]
    fn a_leading_surrogate_needs_a_trailing_one_right_after() {
        use JsonErrorKind::*;
        let cases: &[(&[u8], JsonErrorKind, usize)] = &[
            (br#""\ud800"#, UnexpectedEnd, 7),
            (br#""\ud800\"#, UnexpectedEnd, 8),
            (br#""\ud800\u"#, UnexpectedEnd, 9),
            (br#""\ud800x""#, LoneSurrogate, 1),
            (br#""\ud800\x""#, LoneSurrogate, 1),
            (br#""\ud800u""#, LoneSurrogate, 1),
            (br#""ab\ud800\ud800""#, LoneSurrogate, 3),
        ];
        for (text, kind, offset) in cases {
            let e = parse(text).unwrap_err();
            assert_eq!((e.kind, e.offset), (*kind, *offset), "{}", String::from_utf8_lossy(text));
        }
        assert_eq!(parse(br#""\ud800\udc00""#), Ok(Node::Str("\u{10000}".into())));
    }
}
