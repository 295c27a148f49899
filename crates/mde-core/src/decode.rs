//! Decoding what the service sends: list pages, single investigations and error bodies.
//!
//! Everything is read with the crate's own strict JSON reader (no `serde`; see [`Node::parse`]): [`decode_page`] and
//! [`decode_investigation`] walk the document member by member and build the items directly, and
//! [`outline_page`] first tries a faster scanner specialised for pages (`fast.rs`), which hands anything
//! unusual over to [`decode_page`].
//!
//! # What a page must be
//!
//! - Syntax: strict JSON (RFC 8259) as [`Node::parse`] checks it, everywhere in the body, including in
//!   members that are ignored: UTF-8, escapes, no lone surrogates, no trailing commas, numbers by the grammar
//!   and within `f64` range, at most 127 nested arrays and objects, nothing after the document.
//! - A page is an object with a `value` array of investigation objects; `@odata.context` and `@odata.nextLink`
//!   are strings, `null` or absent. An investigation has an `id` (a string, or an integer that fits `u64` or
//!   `i64`, kept as its decimal text; `-0`, fractions and exponents are refused); `startTime` and `endTime` are
//!   RFC 3339 date-time strings, `null` or absent; `state` and the other five properties are strings, `null` or
//!   absent (an unknown state name is kept as [`InvestigationState::Other`], an absent or `null` one is
//!   [`InvestigationState::Unknown`]).
//! - Unknown members are ignored (after the syntax check), at every level; an unknown member may repeat.
//! - A known member given twice (in the page or in an item) is an error, as it was under `serde`'s derive.
//! - A single investigation follows the item rules, at the top level (its `@odata.context` is ignored).
//!
//! # Which error
//!
//! A syntax error anywhere wins (reported with line and column; a body that ends early says it may be
//! truncated). Otherwise the first problem in document order is reported, with where it is
//! (`value[3].startTime: expected a date-time string, found a number`); a missing member is found at the end of
//! its object.

mod fast;
pub(crate) mod node;
pub(crate) mod reader;

pub use node::{write_str as write_json_string, Node};
pub use reader::{JsonError, JsonErrorKind, MAX_DEPTH};

use reader::{Number, Reader};

use crate::{Investigation, InvestigationState, Page, Timestamp};

/// Where and why a response body could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid response body at {location}: {reason}")]
pub struct DecodeError {
    /// Index of the item in `value`, when the problem is inside one.
    pub index: Option<usize>,
    /// The property that is wrong, when known (`startTime`, `value`, ...).
    pub field: Option<String>,
    /// A readable location: `value[3].startTime`, `line 1 column 80`, `the document`.
    pub location: String,
    /// What was wrong.
    pub reason: String,
}

/// The service's error body: `{"error": {"code": "...", "message": "...", "target": "..."}}`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ServiceError {
    /// Machine-readable code, such as `BadRequest`, `Unauthorized`, `TooManyRequests`.
    pub code: Option<String>,
    /// Human-readable message.
    pub message: Option<String>,
    /// Correlation id of the failed call (not always a GUID).
    pub target: Option<String>,
}

/// Why a walk stopped: the text is not JSON, or it is but not the expected shape.
enum Fail {
    Syntax(JsonError),
    Shape(DecodeError),
}

impl From<JsonError> for Fail {
    fn from(e: JsonError) -> Fail {
        Fail::Syntax(e)
    }
}

/// The error of a walk over `body`: a syntax error anywhere in the body wins over a shape problem.
fn finish<T>(body: &[u8], walked: Result<T, Fail>) -> Result<T, DecodeError> {
    walked.map_err(|fail| match fail {
        Fail::Syntax(e) => syntax_error(&e),
        Fail::Shape(shape) => match reader::validate(body) {
            Err(e) => syntax_error(&e),
            Ok(()) => shape,
        },
    })
}

fn syntax_error(e: &JsonError) -> DecodeError {
    let reason = if e.is_eof() { format!("the body ends early (truncated?): {e}") } else { format!("not JSON: {e}") };
    DecodeError { index: None, field: None, location: format!("line {} column {}", e.line, e.column), reason }
}

/// A problem with a member of the page itself.
fn page_problem(field: &str, reason: &str) -> Fail {
    Fail::Shape(DecodeError { index: None, field: Some(field.into()), location: field.into(), reason: reason.into() })
}

/// What kind of value is next, for messages (a syntax error when no value starts there).
fn kind_next(r: &mut Reader<'_>) -> Result<&'static str, JsonError> {
    Ok(match r.peek()? {
        b'{' => "an object",
        b'[' => "an array",
        b'"' => "a string",
        b't' | b'f' => "a boolean",
        b'n' => "null",
        b'-' | b'0'..=b'9' => "a number",
        _ => return Err(r.error(JsonErrorKind::ExpectedValue)),
    })
}

/// Decodes a list page (`{"@odata.context": ..., "value": [...], "@odata.nextLink": ...}`); see the
/// [module](self) for what it accepts.
pub fn decode_page(body: &[u8]) -> Result<Page, DecodeError> {
    finish(body, page(&mut Reader::new(body)))
}

fn page(r: &mut Reader<'_>) -> Result<Page, Fail> {
    if r.peek()? != b'{' {
        kind_next(r)?;
        return Err(page_problem("the document", "expected a JSON object with a `value` array"));
    }
    let (mut context, mut next_link, mut value) = (None, None, None);
    let mut key = r.begin_object()?;
    while let Some(k) = key {
        match &*k {
            "@odata.context" | "@odata.nextLink" => {
                let slot = if k == "@odata.context" { &mut context } else { &mut next_link };
                if slot.is_some() {
                    return Err(page_problem(&k, "given twice"));
                }
                *slot = Some(match optional_string(r)? {
                    Ok(text) => text,
                    Err(_) => return Err(page_problem(&k, "expected a string")),
                });
            }
            "value" => {
                if value.is_some() {
                    return Err(page_problem("value", "given twice"));
                }
                value = Some(items(r)?);
            }
            _ => r.skip_value()?,
        }
        key = r.next_key()?;
    }
    r.end()?;
    let Some(value) = value else { return Err(page_problem("value", "missing: a page has a `value` array")) };
    Ok(Page { context: context.flatten(), value, next_link: next_link.flatten() })
}

fn items(r: &mut Reader<'_>) -> Result<Vec<Investigation>, Fail> {
    if r.peek()? != b'[' {
        kind_next(r)?;
        return Err(page_problem("value", "expected an array"));
    }
    let mut out = Vec::new();
    let mut more = r.begin_array()?;
    while more {
        out.push(item(r, Some(out.len()))?);
        more = r.next_element()?;
    }
    Ok(out)
}

/// A string or `null` (`Ok(None)`); `Err(kind)` naming what else is there.
fn optional_string(r: &mut Reader<'_>) -> Result<Result<Option<String>, &'static str>, JsonError> {
    if r.null()? {
        return Ok(Ok(None));
    }
    if r.peek()? == b'"' {
        return Ok(Ok(Some(r.string()?.into_owned())));
    }
    Ok(Err(kind_next(r)?))
}

/// The nine properties of an investigation, in the order of [`Investigation`]'s fields.
const FIELDS: [&str; 9] = [
    "id",
    "startTime",
    "endTime",
    "state",
    "cancelledBy",
    "statusDetails",
    "machineId",
    "computerDnsName",
    "triggeringAlertId",
];

/// One investigation object (`index`: its place in `value`, `None` for a single entity).
fn item(r: &mut Reader<'_>, index: Option<usize>) -> Result<Investigation, Fail> {
    let fail = |field: Option<&str>, reason: String| {
        let location = match (index, field) {
            (Some(i), Some(f)) => format!("value[{i}].{f}"),
            (Some(i), None) => format!("value[{i}]"),
            (None, Some(f)) => f.to_owned(),
            (None, None) => "the document".to_owned(),
        };
        Fail::Shape(DecodeError { index, field: field.map(str::to_owned), location, reason })
    };
    if r.peek()? != b'{' {
        kind_next(r)?;
        return Err(fail(None, "expected an investigation object".into()));
    }
    let mut seen = 0u16;
    let mut id = None;
    let mut times: [Option<Timestamp>; 2] = [None, None];
    let mut texts: [Option<String>; 6] = Default::default();
    let mut key = r.begin_object()?;
    while let Some(k) = key {
        match FIELDS.iter().position(|f| *f == k) {
            None => r.skip_value()?,
            Some(f) => {
                let field = FIELDS[f];
                if seen & (1 << f) != 0 {
                    return Err(fail(Some(field), "given twice".into()));
                }
                seen |= 1 << f;
                match f {
                    0 => {
                        id = Some(match r.peek()? {
                            b'"' => r.string()?.into_owned(),
                            b'-' | b'0'..=b'9' => match r.number()? {
                                Number::UInt(n) => n.to_string(),
                                Number::Int(n) => n.to_string(),
                                Number::Other(_) => {
                                    return Err(fail(
                                        Some(field),
                                        "expected a string or an integer, found a number".into(),
                                    ))
                                }
                            },
                            _ => {
                                let found = kind_next(r)?;
                                return Err(fail(
                                    Some(field),
                                    format!("expected a string or an integer, found {found}"),
                                ));
                            }
                        })
                    }
                    1 | 2 => match optional_string(r)? {
                        Ok(None) => {}
                        Ok(Some(s)) => match Timestamp::parse(&s) {
                            Ok(t) => times[f - 1] = Some(t),
                            Err(e) => return Err(fail(Some(field), format!("{e} (found {})", crate::Quoted(&s)))),
                        },
                        Err(found) => {
                            return Err(fail(Some(field), format!("expected a date-time string, found {found}")))
                        }
                    },
                    _ => match optional_string(r)? {
                        Ok(text) => texts[f - 3] = text,
                        Err(found) => {
                            return Err(fail(Some(field), format!("expected a string or null, found {found}")))
                        }
                    },
                }
            }
        }
        key = r.next_key()?;
    }
    let Some(id) = id else { return Err(fail(Some("id"), "missing".into())) };
    let [start_time, end_time] = times;
    let [state, cancelled_by, status_details, machine_id, computer_dns_name, triggering_alert_id] = texts;
    Ok(Investigation {
        id,
        start_time,
        end_time,
        state: state.map_or(InvestigationState::Unknown, |s| InvestigationState::from_name(&s)),
        cancelled_by,
        status_details,
        machine_id,
        computer_dns_name,
        triggering_alert_id,
    })
}

/// What a driver that lets another parser build the items (the wasm binding uses JavaScript's `JSON.parse`) needs
/// of a list page: the ids and start times that paging, de-duplication and the snapshot bound use, and the
/// `@odata.nextLink`. Produced by [`outline_page`], which validates exactly what [`decode_page`] validates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageOutline<'a> {
    /// The `id` of each item of `value`, in order (a JSON integer id as its decimal text).
    pub ids: Vec<std::borrow::Cow<'a, str>>,
    /// The `startTime` of each item of `value`, in order.
    pub start_times: Vec<Option<Timestamp>>,
    /// `@odata.nextLink`, if sent: an untrusted hint.
    pub next_link: Option<String>,
}

/// Validates a list page exactly as [`decode_page`] does (same acceptance, same [`DecodeError`]s) but builds no
/// [`Investigation`]: it returns only the [`PageOutline`] that paging needs, borrowing ids from `body` where it
/// can. For drivers whose host builds the items faster itself (`JSON.parse` in a browser); see
/// [`Listing::handle_response_indexed`](crate::listing::Listing::handle_response_indexed).
#[inline]
pub fn outline_page(body: &[u8]) -> Result<PageOutline<'_>, DecodeError> {
    if let Some(outline) = fast::outline(body) {
        return Ok(outline);
    }
    // What the scanner hands over (escapes in keys, dates or the next link, duplicate keys, deep nesting,
    // errors) goes through the decoder itself: the same acceptance and the same errors by construction, at the
    // cost of building the items.
    let page = decode_page(body)?;
    let (ids, start_times) = page.value.into_iter().map(|i| (std::borrow::Cow::Owned(i.id), i.start_time)).unzip();
    Ok(PageOutline { ids, start_times, next_link: page.next_link })
}

/// Decodes one investigation (the body of `GET /api/investigations/{id}`), by the item rules of the
/// [module](self).
pub fn decode_investigation(body: &[u8]) -> Result<Investigation, DecodeError> {
    let mut r = Reader::new(body);
    let walked = item(&mut r, None).and_then(|inv| Ok(r.end().map(|()| inv)?));
    finish(body, walked)
}

/// Decodes the service's error body; `None` when the body is not one (HTML from a proxy, empty, not an object
/// with an `error` object, `error` or one of its three members given twice, ...). A member that is not a string
/// is kept as its JSON text; `null` is absent.
pub fn decode_service_error(body: &[u8]) -> Option<ServiceError> {
    /// The value of `key` (`Ok(None)` when absent or `null`); `Err` when it is given twice.
    fn member<'n>(entries: &'n [(String, Node)], key: &str) -> Result<Option<&'n Node>, ()> {
        let mut found = entries.iter().filter(|(k, _)| k == key).map(|(_, v)| v);
        let first = found.next();
        if found.next().is_some() {
            return Err(());
        }
        Ok(first.filter(|v| **v != Node::Null))
    }
    let Node::Object(outer) = Node::parse(body).ok()? else { return None };
    let Some(Node::Object(inner)) = member(&outer, "error").ok()? else { return None };
    let text = |key: &str| -> Result<Option<String>, ()> {
        Ok(member(inner, key)?.map(|v| match v {
            Node::Str(s) => s.clone(),
            other => other.to_json(),
        }))
    };
    Some(ServiceError { code: text("code").ok()?, message: text("message").ok()?, target: text("target").ok()? })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED_EXAMPLE: &str = r#"{
        "@odata.context": "https://api.securitycenter.microsoft.com/api/$metadata#Investigations",
        "value": [{
            "id": "63017", "startTime": "2020-01-06T14:11:34Z", "endTime": null, "state": "Running",
            "cancelledBy": null, "statusDetails": null, "machineId": "a69a22debe5f274d8765ea3c368d00762e057b30",
            "computerDnsName": "desktop-gtrcon0", "triggeringAlertId": "da637139166940871892_-598649278"
        }]
    }"#;

    #[test]
    fn decodes_the_documented_example() {
        let page = decode_page(SEED_EXAMPLE.as_bytes()).unwrap();
        assert_eq!(page.value.len(), 1);
        assert!(page.next_link.is_none());
        let inv = &page.value[0];
        assert_eq!(inv.id, "63017");
        assert_eq!(inv.state, InvestigationState::Running);
        assert_eq!(inv.start_time.unwrap().to_string(), "2020-01-06T14:11:34Z");
        assert_eq!(inv.end_time, None);
        assert_eq!(inv.triggering_alert_id.as_deref(), Some("da637139166940871892_-598649278"));
    }

    #[test]
    fn tolerates_numbers_unknown_fields_and_new_states() {
        let body = br#"{"value":[{"id":63017,"state":"Hibernating","startTime":"2020-01-06T14:11:34.1234567Z","newField":{"a":[1]}},{"id":"5"}],"@odata.nextLink":"https://x/api/investigations?$skip=2"}"#;
        let page = decode_page(body).unwrap();
        assert_eq!(page.value[0].id, "63017");
        assert_eq!(page.value[0].state, InvestigationState::Other("Hibernating".into()));
        assert_eq!(page.value[1].state, InvestigationState::Unknown);
        assert_eq!(page.value[1].machine_id, None);
        assert_eq!(page.next_link.as_deref(), Some("https://x/api/investigations?$skip=2"));
    }

    #[test]
    fn names_the_item_and_field_that_broke() {
        let cases: &[(&str, Option<usize>, Option<&str>)] = &[
            (r#"{"value":[{"id":"1"},{"id":"2","startTime":"yesterday"}]}"#, Some(1), Some("startTime")),
            (r#"{"value":[{"id":"1","machineId":42}]}"#, Some(0), Some("machineId")),
            (r#"{"value":[{"id":1.5}]}"#, Some(0), Some("id")),
            (r#"{"value":[{"state":"Running"}]}"#, Some(0), Some("id")),
            (r#"{"value":[{"id":"1"}, 7]}"#, Some(1), None),
            (r#"{"value":{}}"#, None, Some("value")),
            (r#"{"items":[]}"#, None, Some("value")),
            (r#"[1,2]"#, None, Some("the document")),
            (r#"{"value":[],"@odata.nextLink":5}"#, None, Some("@odata.nextLink")),
        ];
        for (body, index, field) in cases {
            let e = decode_page(body.as_bytes()).unwrap_err();
            assert_eq!((e.index, e.field.as_deref()), (*index, *field), "{body}: {e}");
        }
    }

    #[test]
    fn truncated_body_is_an_error_not_a_panic() {
        let full = SEED_EXAMPLE.as_bytes();
        for cut in 0..full.len() {
            assert!(decode_page(&full[..cut]).is_err(), "cut at {cut}");
        }
        let e = decode_page(&full[..full.len() / 2]).unwrap_err();
        assert!(e.reason.contains("truncated"), "{e}");
    }

    #[test]
    fn decodes_service_errors() {
        let e =
            decode_service_error(br#"{"error":{"code":"BadRequest","message":"Invalid filter","target":"43d5d3a7"}}"#)
                .unwrap();
        assert_eq!(e.code.as_deref(), Some("BadRequest"));
        assert_eq!(e.target.as_deref(), Some("43d5d3a7"));
        assert!(decode_service_error(b"<html>proxy error</html>").is_none());
        assert!(decode_service_error(b"").is_none());
    }

    #[test]
    fn single_entity() {
        let inv = decode_investigation(br#"{"@odata.context":"x","id":"7","state":"Benign"}"#).unwrap();
        assert_eq!(inv.state, InvestigationState::Benign);
        let e = decode_investigation(br#"{"id":"7","endTime":false}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("endTime"));
    }
}
