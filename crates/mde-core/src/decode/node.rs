//! [`Node`]: a whole JSON document, read by the crate's own reader (`reader.rs`), for the slow paths (the
//! service's error bodies, the resume token) and for drivers that read small JSON texts (the wasm binding's
//! options), so that one JSON reader serves them all. Objects are plain vectors in document order (duplicates
//! kept; a lookup takes the last, as `JSON.parse` does), and [`Node::to_json`] prints them in that order.
//!
//! A number that is not an integer fitting `u64`/`i64` is kept as its source text ([`Node::Number`]) and printed
//! back as that text (`1.50` and `1E2` print as written). No float is parsed or printed: core's float code is
//! large in WebAssembly.

use super::reader::{self, JsonError};

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
        reader::parse(body)
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
            Node::Str(s) => write_str(s, out),
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
                    write_str(k, out);
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
        }
    }
}

/// A key given twice in an object where it may appear once ([`Node::unique`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a key given twice")]
pub struct DuplicateKey;

/// Writes `s` as a JSON string literal, escaped as `serde_json` escapes it.
pub fn write_str(s: &str, out: &mut String) {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
