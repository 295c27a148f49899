//! The resume token's JSON (after its `mdeR1.` prefix), written and read by hand with the decoder's [`Node`]:
//! `{"filter":..,"skip":..,"max":..,"page":..,"pos":..,"items":..,"pages":..,"snap":..,"ids":[..]}`, the
//! same text that a serde derive produced, so older tokens keep working.

use crate::decode::node::{write_json_string as write_str, Node};
use crate::Timestamp;
use std::fmt::{self, Write};

/// A number, or `null` for `None`.
struct OrNull(Option<u64>);

impl fmt::Display for OrNull {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(n) => write!(f, "{n}"),
            None => f.write_str("null"),
        }
    }
}

/// What a resume token carries: its boundary ids owned when read (`Vec<String>`), or borrowed from the listing to
/// be written (`&[String]`, no copy of up to `RESUME_BOUNDARY_IDS` strings).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ResumeState<Ids = Vec<String>> {
    pub filter: Option<String>,
    pub skip: u64,
    pub max: Option<u64>,
    pub page: u32,
    pub pos: u64,
    pub items: u64,
    pub pages: u64,
    pub snap: Option<Timestamp>,
    pub ids: Ids,
}

impl<Ids: AsRef<[String]>> ResumeState<Ids> {
    /// The JSON text (the tests' form of [`ResumeState::write_json`]).
    #[cfg(test)]
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.write_json(&mut out);
        out
    }

    /// Appends the JSON text to `out` (after the token's prefix).
    pub fn write_json(&self, out: &mut String) {
        out.push_str("{\"filter\":");
        match &self.filter {
            Some(f) => write_str(f, out),
            None => out.push_str("null"),
        }
        let _ = write!(
            out,
            ",\"skip\":{},\"max\":{},\"page\":{},\"pos\":{},\"items\":{},\"pages\":{},\"snap\":",
            self.skip,
            OrNull(self.max),
            self.page,
            self.pos,
            self.items,
            self.pages,
        );
        // A timestamp prints as plain ASCII (digits, `-`, `:`, `.`, `T`, `Z`): nothing to escape.
        let _ = match self.snap {
            Some(t) => write!(out, "\"{t}\""),
            None => out.write_str("null"),
        };
        out.push_str(",\"ids\":[");
        for (i, id) in self.ids.as_ref().iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            write_str(id, out);
        }
        out.push_str("]}");
    }
}

impl ResumeState {
    /// Reads the JSON text; the error says what is wrong.
    pub fn from_json(json: &str) -> Result<ResumeState, String> {
        let doc = Node::parse(json.as_bytes()).map_err(|e| e.to_string())?;
        if !matches!(doc, Node::Object(_)) {
            return Err(format!("expected an object, found {}", doc.kind()));
        }
        let field = |name: &str| doc.unique(name).map_err(|_| format!("duplicate field `{name}`"));
        let number = |name: &str| match field(name)? {
            None => Ok(None),
            Some(Node::UInt(n)) => Ok(Some(*n)),
            Some(other) => Err(wrong(name, "a non-negative integer", other)),
        };
        let required = |name: &str| number(name)?.ok_or_else(|| missing(name));
        let filter = field("filter")?.map(|v| text(v, "filter").map(str::to_owned)).transpose()?;
        let snap = match field("snap")? {
            None => None,
            Some(v) => Some(Timestamp::parse(text(v, "snap")?).map_err(|e| format!("`snap`: {e}"))?),
        };
        let ids = match field("ids")? {
            Some(Node::Array(items)) => {
                let mut ids = Vec::with_capacity(items.len());
                for v in items {
                    ids.push(text(v, "ids")?.to_owned());
                }
                ids
            }
            Some(other) => return Err(wrong("ids", "an array", other)),
            None => return Err(missing("ids")),
        };
        let page = u32::try_from(required("page")?).map_err(|_| "`page` is too large".to_owned())?;
        Ok(ResumeState {
            filter,
            skip: required("skip")?,
            max: number("max")?,
            page,
            pos: required("pos")?,
            items: required("items")?,
            pages: required("pages")?,
            snap,
            ids,
        })
    }
}

/// The string `v` of the field `name`.
fn text<'a>(v: &'a Node, name: &str) -> Result<&'a str, String> {
    match v {
        Node::Str(s) => Ok(s),
        other => Err(wrong(name, "a string", other)),
    }
}

/// ``"`{name}`: expected {expected}, found {kind}"``.
#[cold]
fn wrong(name: &str, expected: &str, found: &Node) -> String {
    format!("`{name}`: expected {expected}, found {}", found.kind())
}

/// ``"missing field `{name}`"``.
#[cold]
fn missing(name: &str) -> String {
    format!("missing field `{name}`")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> ResumeState {
        ResumeState {
            filter: Some("state eq 'Running' and machineId eq 'a\"b\\\\c'".into()),
            skip: 3,
            max: Some(100),
            page: 50,
            pos: 53,
            items: 50,
            pages: 1,
            snap: Timestamp::from_unix_millis(1_700_000_000_123),
            ids: vec!["1".into(), "x\u{1}é".into()],
        }
    }

    #[test]
    fn round_trips_and_reads_the_serde_format() {
        let s = state();
        assert_eq!(ResumeState::from_json(&s.to_json()), Ok(s.clone()));
        let empty = ResumeState { filter: None, max: None, snap: None, ids: vec![], ..s };
        let json = empty.to_json();
        assert_eq!(
            json,
            r#"{"filter":null,"skip":3,"max":null,"page":50,"pos":53,"items":50,"pages":1,"snap":null,"ids":[]}"#
        );
        let mut token = String::from("mdeR1.");
        empty.write_json(&mut token);
        assert_eq!(token, format!("mdeR1.{json}"));
        assert_eq!(ResumeState::from_json(&json), Ok(empty));
        // Written by the former serde derive: key order and absent options do not matter.
        let old = r#"{"ids":["7"],"pages":2,"items":4,"pos":4,"page":2,"skip":0,"snap":"2024-01-01T00:00:00Z"}"#;
        let read = ResumeState::from_json(old).unwrap();
        assert_eq!((read.ids, read.filter, read.max, read.page), (vec!["7".to_owned()], None, None, 2));
    }

    #[test]
    fn writes_what_serde_json_reads_back() {
        let s = state();
        let v: serde_json::Value = serde_json::from_str(&s.to_json()).unwrap();
        let expected = serde_json::json!({
            "filter": "state eq 'Running' and machineId eq 'a\"b\\\\c'",
            "skip": 3, "max": 100, "page": 50, "pos": 53, "items": 50, "pages": 1,
            "snap": "2023-11-14T22:13:20.123Z",
            "ids": ["1", "x\u{1}é"],
        });
        assert_eq!(v, expected);
        let ResumeState { filter, skip, max, page, pos, items, pages, snap, ids } = s;
        let borrowed = ResumeState { filter, skip, max, page, pos, items, pages, snap, ids: ids.as_slice() };
        let v: serde_json::Value = serde_json::from_str(&borrowed.to_json()).unwrap();
        assert_eq!(v, expected);
    }

    #[test]
    fn refuses_broken_state() {
        for bad in [
            "",
            "[]",
            r#"{"skip":0,"page":1,"pos":0,"items":0,"pages":0}"#,
            r#"{"skip":-1,"page":1,"pos":0,"items":0,"pages":0,"ids":[]}"#,
            r#"{"skip":0,"page":4294967296,"pos":0,"items":0,"pages":0,"ids":[]}"#,
            r#"{"skip":0,"skip":0,"page":1,"pos":0,"items":0,"pages":0,"ids":[]}"#,
            r#"{"skip":0,"page":1,"pos":0,"items":0,"pages":0,"ids":[1]}"#,
            r#"{"skip":0,"page":1,"pos":0,"items":0,"pages":0,"ids":[],"snap":"yesterday"}"#,
            r#"{"skip":0,"page":1,"pos":0,"items":0,"pages":0,"ids":[],"filter":5}"#,
            r#"{"skip":0.5,"page":1,"pos":0,"items":0,"pages":0,"ids":[]}"#,
        ] {
            assert!(ResumeState::from_json(bad).is_err(), "{bad}");
        }
    }
}
