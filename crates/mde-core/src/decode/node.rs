//! [`Node`]: a whole JSON document as `serde_json` reads it, for the rare slow paths (locating what broke in a
//! body, the service's error bodies, the resume token) and for drivers that read small JSON texts (the wasm
//! binding's options), so that one instance of the JSON reader serves them all. It does what `serde_json::Value`
//! did here, with less code: objects are plain vectors in document order, and lookups and printing follow
//! `Value`'s rules (the last of duplicate keys wins; printing sorts keys as `Value`'s map does).

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// A JSON value.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A non-negative integer that fits `u64`.
    UInt(u64),
    /// A negative integer that fits `i64`.
    Int(i64),
    /// Any other number.
    Float(f64),
    /// A string.
    Str(String),
    /// An array.
    Array(Vec<Node>),
    /// An object, in document order (duplicates kept; [`Node::get`] takes the last).
    Object(Vec<(String, Node)>),
}

impl Node {
    /// Reads a whole document (`serde_json`'s syntax, errors and limits).
    pub fn parse(body: &[u8]) -> Result<Node, serde_json::Error> {
        serde_json::from_slice(body)
    }

    /// The value of `key` in an object (the last one, as `serde_json::Value` keeps it); `None` for non-objects.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Object(entries) => entries.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// What kind of value this is, for messages: `null`, `a string`, ...
    pub fn kind(&self) -> &'static str {
        match self {
            Node::Null => "null",
            Node::Bool(_) => "a boolean",
            Node::UInt(_) | Node::Int(_) | Node::Float(_) => "a number",
            Node::Str(_) => "a string",
            Node::Array(_) => "an array",
            Node::Object(_) => "an object",
        }
    }

    /// Compact JSON text, exactly as `serde_json::Value`'s `Display` prints the same document.
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
            Node::Float(f) => out.push_str(&serde_json::to_string(f).unwrap_or_default()),
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
                let sorted: BTreeMap<&str, &Node> = entries.iter().map(|(k, v)| (k.as_str(), v)).collect();
                out.push('{');
                for (i, (k, v)) in sorted.into_iter().enumerate() {
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

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Node, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any valid JSON value")
    }
    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
        Ok(Node::UInt(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
        // serde_json calls this for negative integers only; keep `Value`'s split anyway.
        Ok(u64::try_from(v).map_or(Node::Int(v), Node::UInt))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Str(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Node, E> {
        Ok(Node::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry::<String, Node>()? {
            entries.push(entry);
        }
        Ok(Node::Object(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOCS: &[&str] = &[
        r#"{"z":1,"a":[true,null,"x\"\\\n\u0001\u001f\t\b\f\u00e9"],"m":{"b":2.5,"a":-1,"b":1e300},"n":-0.0}"#,
        r#"[18446744073709551615, 18446744073709551616, -9223372036854775808, -9223372036854775809, 0.1, 1E2]"#,
        r#""plain""#,
        "null",
        r#"{"k":{},"j":[],"k":[{}]}"#,
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
    fn integers_and_floats_split_as_in_value() {
        let node = Node::parse(DOCS[1].as_bytes()).unwrap();
        let Node::Array(items) = node else { panic!("not an array") };
        assert!(matches!(items[0], Node::UInt(u64::MAX)));
        assert!(matches!(items[1], Node::Float(_)));
        assert!(matches!(items[2], Node::Int(i64::MIN)));
        assert!(matches!(items[3], Node::Float(_)));
        assert!(Node::parse(b"{\"a\":1,}").is_err());
    }
}
