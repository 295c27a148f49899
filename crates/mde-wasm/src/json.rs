//! [`Json`]: a JSON value that keeps the order of object keys, so that a filter object such as
//! `{ state: 'Running', startTime: {...} }` prints its conditions in the order the user wrote them; the
//! [`Members`] of an object, read option by option; and [`ObjectWriter`], which writes the small JSON texts
//! that cross to JavaScript. (Hand-written rather than serde-derived: the derived code for a handful of option
//! structs was a sizeable part of the wasm module.)

use mde_core::decode::{write_json_string as write_str, Node};

/// A JSON value; objects keep their keys in document order (and keep duplicates, which JS cannot produce).
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number.
    Number(f64),
    /// A string.
    Str(String),
    /// An array.
    Array(Vec<Json>),
    /// An object, in document order.
    Object(Vec<(String, Json)>),
}

impl Json {
    /// What kind of value this is, for error messages: `a string`, `an array`, ...
    pub fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Number(_) => "a number",
            Json::Str(_) => "a string",
            Json::Array(_) => "an array",
            Json::Object(_) => "an object",
        }
    }
}

impl Json {
    /// Reads a JSON text (`serde_json`'s syntax and messages, through mde-core's reader).
    pub fn parse(text: &str) -> Result<Json, String> {
        Node::parse(text.as_bytes()).map(Json::from).map_err(|e| e.to_string())
    }
}

/// The members of a JSON object, for reading options: unknown keys are ignored, a known key given twice is an
/// error, and `null` counts as absent (as `undefined` options are).
#[derive(Debug, Clone, Copy)]
pub struct Members<'a> {
    entries: &'a [(String, Json)],
}

impl<'a> Members<'a> {
    /// The members of `v`, or an error naming what was expected.
    pub fn of(v: &'a Json, what: &str) -> Result<Members<'a>, String> {
        match v {
            Json::Object(entries) => Ok(Members { entries }),
            other => Err(format!("{what} must be an object, not {}", other.kind())),
        }
    }

    /// The value of `key`, if present and not `null`.
    pub fn get(&self, key: &str) -> Result<Option<&'a Json>, String> {
        let mut found = self.entries.iter().filter(|(k, _)| k == key).map(|(_, v)| v);
        let first = found.next();
        if found.next().is_some() {
            return Err(format!("duplicate option `{key}`"));
        }
        Ok(first.filter(|v| **v != Json::Null))
    }

    /// A number option.
    pub fn number(&self, key: &str) -> Result<Option<f64>, String> {
        match self.get(key)? {
            None => Ok(None),
            Some(Json::Number(n)) => Ok(Some(*n)),
            Some(other) => Err(format!("{key} must be a number, not {}", other.kind())),
        }
    }

    /// A string option.
    pub fn string(&self, key: &str) -> Result<Option<String>, String> {
        match self.get(key)? {
            None => Ok(None),
            Some(Json::Str(s)) => Ok(Some(s.clone())),
            Some(other) => Err(format!("{key} must be a string, not {}", other.kind())),
        }
    }

    /// A boolean option (absent: `false`).
    pub fn flag(&self, key: &str) -> Result<bool, String> {
        match self.get(key)? {
            None => Ok(false),
            Some(Json::Bool(b)) => Ok(*b),
            Some(other) => Err(format!("{key} must be a boolean, not {}", other.kind())),
        }
    }
}

/// Writes a JSON object member by member (compact, keys in call order, strings escaped as `serde_json` does).
#[derive(Debug)]
pub struct ObjectWriter {
    out: String,
}

impl Default for ObjectWriter {
    fn default() -> Self {
        ObjectWriter { out: String::from("{") }
    }
}

impl ObjectWriter {
    /// An empty object.
    pub fn new() -> ObjectWriter {
        ObjectWriter::default()
    }

    fn key(mut self, key: &str) -> ObjectWriter {
        if self.out.len() > 1 {
            self.out.push(',');
        }
        write_str(key, &mut self.out);
        self.out.push(':');
        self
    }

    /// A string member.
    pub fn str(self, key: &str, value: &str) -> ObjectWriter {
        let mut w = self.key(key);
        write_str(value, &mut w.out);
        w
    }

    /// An integer member.
    pub fn num(self, key: &str, value: u64) -> ObjectWriter {
        let mut w = self.key(key);
        w.out.push_str(&value.to_string());
        w
    }

    /// A boolean member.
    pub fn flag(self, key: &str, value: bool) -> ObjectWriter {
        let mut w = self.key(key);
        w.out.push_str(if value { "true" } else { "false" });
        w
    }

    /// A member whose value is already JSON text.
    pub fn raw(self, key: &str, json: &str) -> ObjectWriter {
        let mut w = self.key(key);
        w.out.push_str(json);
        w
    }

    /// A string member when `value` is `Some`.
    pub fn opt_str(self, key: &str, value: Option<&str>) -> ObjectWriter {
        match value {
            Some(v) => self.str(key, v),
            None => self,
        }
    }

    /// An integer member when `value` is `Some`.
    pub fn opt_num(self, key: &str, value: Option<u64>) -> ObjectWriter {
        match value {
            Some(v) => self.num(key, v),
            None => self,
        }
    }

    /// The JSON text.
    pub fn finish(mut self) -> String {
        self.out.push('}');
        self.out
    }
}

impl From<Node> for Json {
    fn from(node: Node) -> Json {
        match node {
            Node::Null => Json::Null,
            Node::Bool(b) => Json::Bool(b),
            Node::UInt(n) => Json::Number(n as f64),
            Node::Int(n) => Json::Number(n as f64),
            Node::Float(n) => Json::Number(n),
            Node::Str(s) => Json::Str(s),
            Node::Array(items) => Json::Array(items.into_iter().map(Json::from).collect()),
            Node::Object(entries) => Json::Object(entries.into_iter().map(|(k, v)| (k, Json::from(v))).collect()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_key_order_and_nesting() {
        let v = Json::parse(r#"{"z":1,"a":[true,null,"x"],"m":{"b":2.5,"a":-1}}"#).unwrap();
        let Json::Object(entries) = v else { panic!("not an object") };
        let keys: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["z", "a", "m"]);
        assert_eq!(entries[1].1, Json::Array(vec![Json::Bool(true), Json::Null, Json::Str("x".into())]));
        assert_eq!(entries[2].1, Json::Object(vec![("b".into(), Json::Number(2.5)), ("a".into(), Json::Number(-1.0))]));
    }

    #[test]
    fn members_read_options_and_reject_wrong_types() {
        let v = Json::parse(r#"{"n":5,"s":"x","b":true,"z":null,"d":1,"d":2,"unknown":[]}"#).unwrap();
        let m = Members::of(&v, "options").unwrap();
        assert_eq!(m.number("n"), Ok(Some(5.0)));
        assert_eq!(m.string("s"), Ok(Some("x".to_owned())));
        assert_eq!(m.flag("b"), Ok(true));
        assert_eq!(m.flag("missing"), Ok(false));
        assert_eq!(m.number("z"), Ok(None));
        assert!(m.number("d").unwrap_err().contains("duplicate"));
        assert_eq!(m.number("s").unwrap_err(), "s must be a number, not a string");
        assert_eq!(m.string("n").unwrap_err(), "n must be a string, not a number");
        assert_eq!(m.flag("s").unwrap_err(), "s must be a boolean, not a string");
        assert!(Members::of(&Json::Bool(true), "options").is_err());
        assert!(Json::parse("{").is_err());
    }

    #[test]
    fn writes_json_as_serde_json_does() {
        let text = "q\"b\\n\nr\rt\tx\u{8}\u{c}\u{1}\u{1f}\u{7f}é€😀";
        let mut out = String::new();
        write_str(text, &mut out);
        assert_eq!(out, serde_json::to_string(text).unwrap());
        let json = ObjectWriter::new()
            .str("a", "x")
            .num("n", u64::MAX)
            .flag("f", false)
            .raw("r", "[1]")
            .opt_str("none", None)
            .opt_num("some", Some(3))
            .finish();
        assert_eq!(json, r#"{"a":"x","n":18446744073709551615,"f":false,"r":[1],"some":3}"#);
        assert_eq!(ObjectWriter::new().finish(), "{}");
    }
}
