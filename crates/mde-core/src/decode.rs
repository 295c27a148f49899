//! Decoding what the service sends: list pages, single investigations and error bodies.
//!
//! The fast path is `serde_json` into typed structs. When it fails, a second, slower pass walks the document as
//! generic JSON to say exactly where it broke (`value[3].startTime: expected a date-time string`), so a broken
//! page gives a precise, typed [`DecodeError`] and never a panic.

use serde::Deserialize;

mod fast;
pub(crate) mod node;

pub use node::{write_str as write_json_string, Node};

use crate::{Investigation, InvestigationState, Page, Timestamp};

/// Where and why a response body could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid response body at {location}: {reason}")]
pub struct DecodeError {
    /// Index of the item in `value`, when the problem is inside one.
    pub index: Option<usize>,
    /// The property that is wrong, when known (`startTime`, `value`, ...).
    pub field: Option<String>,
    /// A readable location: `value[3].startTime`, `byte 1024`, `the document`.
    pub location: String,
    /// What was wrong.
    pub reason: String,
}

/// The service's error body: `{"error": {"code": "...", "message": "...", "target": "..."}}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct ServiceError {
    /// Machine-readable code, such as `BadRequest`, `Unauthorized`, `TooManyRequests`.
    pub code: Option<String>,
    /// Human-readable message.
    pub message: Option<String>,
    /// Correlation id of the failed call (not always a GUID).
    pub target: Option<String>,
}

#[derive(Deserialize)]
struct RawPage {
    #[serde(rename = "@odata.context", default)]
    context: Option<String>,
    value: Vec<RawInvestigation>,
    #[serde(rename = "@odata.nextLink", default)]
    next_link: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawInvestigation {
    #[serde(deserialize_with = "id_string_or_number")]
    id: String,
    #[serde(default)]
    start_time: Option<Timestamp>,
    #[serde(default)]
    end_time: Option<Timestamp>,
    #[serde(default)]
    state: Option<InvestigationState>,
    #[serde(default)]
    cancelled_by: Option<String>,
    #[serde(default)]
    status_details: Option<String>,
    #[serde(default)]
    machine_id: Option<String>,
    #[serde(default)]
    computer_dns_name: Option<String>,
    #[serde(default)]
    triggering_alert_id: Option<String>,
}

impl From<RawInvestigation> for Investigation {
    fn from(r: RawInvestigation) -> Investigation {
        Investigation {
            id: r.id,
            start_time: r.start_time,
            end_time: r.end_time,
            state: r.state.unwrap_or(InvestigationState::Unknown),
            cancelled_by: r.cancelled_by,
            status_details: r.status_details,
            machine_id: r.machine_id,
            computer_dns_name: r.computer_dns_name,
            triggering_alert_id: r.triggering_alert_id,
        }
    }
}

fn id_string_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    struct V;
    impl serde::de::Visitor<'_> for V {
        type Value = String;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an id as a string or an integer")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<String, E> {
            Ok(v.to_owned())
        }
        fn visit_string<E: serde::de::Error>(self, v: String) -> Result<String, E> {
            Ok(v)
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<String, E> {
            Ok(v.to_string())
        }
    }
    d.deserialize_any(V)
}

/// Decodes a list page (`{"@odata.context": ..., "value": [...], "@odata.nextLink": ...}`).
pub fn decode_page(body: &[u8]) -> Result<Page, DecodeError> {
    match serde_json::from_slice::<RawPage>(body) {
        Ok(raw) => Ok(Page {
            context: raw.context,
            value: raw.value.into_iter().map(Investigation::from).collect(),
            next_link: raw.next_link,
        }),
        Err(e) => Err(locate_page_error(body, &e)),
    }
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
    // What the scanner hands over (escapes in keys, dates or the next link, duplicate keys, errors) goes through
    // the typed decoder itself: the same acceptance and the same errors by construction, at the cost of building
    // the items.
    let page = decode_page(body)?;
    let (ids, start_times) = page.value.into_iter().map(|i| (std::borrow::Cow::Owned(i.id), i.start_time)).unzip();
    Ok(PageOutline { ids, start_times, next_link: page.next_link })
}

/// Decodes one investigation (the body of `GET /api/investigations/{id}`).
pub fn decode_investigation(body: &[u8]) -> Result<Investigation, DecodeError> {
    match serde_json::from_slice::<RawInvestigation>(body) {
        Ok(raw) => Ok(raw.into()),
        Err(e) => Err(match Node::parse(body) {
            Err(syntax) => syntax_error(&syntax),
            Ok(v) => locate_item_error(&v, None).unwrap_or_else(|| generic(&e)),
        }),
    }
}

/// Decodes the service's error body; `None` when the body is not one (HTML from a proxy, empty, ...).
pub fn decode_service_error(body: &[u8]) -> Option<ServiceError> {
    #[derive(Deserialize)]
    struct Outer {
        error: Inner,
    }
    #[derive(Deserialize)]
    struct Inner {
        #[serde(default)]
        code: Option<Node>,
        #[serde(default)]
        message: Option<Node>,
        #[serde(default)]
        target: Option<Node>,
    }
    let text = |v: Option<Node>| match v {
        Some(Node::Str(s)) => Some(s),
        Some(Node::Null) | None => None,
        Some(other) => Some(other.to_json()),
    };
    let outer: Outer = serde_json::from_slice(body).ok()?;
    Some(ServiceError {
        code: text(outer.error.code),
        message: text(outer.error.message),
        target: text(outer.error.target),
    })
}

fn generic(e: &serde_json::Error) -> DecodeError {
    DecodeError { index: None, field: None, location: "the document".into(), reason: e.to_string() }
}

fn syntax_error(e: &serde_json::Error) -> DecodeError {
    let reason = if e.is_eof() { format!("the body ends early (truncated?): {e}") } else { format!("not JSON: {e}") };
    DecodeError { index: None, field: None, location: format!("line {} column {}", e.line(), e.column()), reason }
}

fn locate_page_error(body: &[u8], e: &serde_json::Error) -> DecodeError {
    let doc = match Node::parse(body) {
        Ok(v) => v,
        Err(syntax) => return syntax_error(&syntax),
    };
    let field_err = |field: &str, reason: &str| DecodeError {
        index: None,
        field: Some(field.into()),
        location: field.into(),
        reason: reason.into(),
    };
    let Node::Object(_) = doc else {
        return field_err("the document", "expected a JSON object with a `value` array");
    };
    for key in ["@odata.context", "@odata.nextLink"] {
        if doc.get(key).is_some_and(|v| !matches!(v, Node::Str(_) | Node::Null)) {
            return field_err(key, "expected a string");
        }
    }
    let Some(items) = doc.get("value") else { return field_err("value", "missing: a page has a `value` array") };
    let Node::Array(items) = items else { return field_err("value", "expected an array") };
    items.iter().enumerate().find_map(|(i, item)| locate_item_error(item, Some(i))).unwrap_or_else(|| generic(e))
}

/// Finds the first property of one item that the typed decoder would refuse.
fn locate_item_error(item: &Node, index: Option<usize>) -> Option<DecodeError> {
    let at = |field: Option<&str>| match (index, field) {
        (Some(i), Some(f)) => format!("value[{i}].{f}"),
        (Some(i), None) => format!("value[{i}]"),
        (None, Some(f)) => f.to_owned(),
        (None, None) => "the document".to_owned(),
    };
    let fail = |field: Option<&str>, reason: String| {
        Some(DecodeError { index, field: field.map(str::to_owned), location: at(field), reason })
    };
    let Node::Object(_) = item else { return fail(None, "expected an investigation object".into()) };
    match item.get("id") {
        None => return fail(Some("id"), "missing".into()),
        Some(Node::Str(_) | Node::UInt(_) | Node::Int(_)) => {}
        Some(other) => return fail(Some("id"), format!("expected a string or an integer, found {}", other.kind())),
    }
    for field in ["startTime", "endTime"] {
        match item.get(field) {
            None | Some(Node::Null) => {}
            Some(Node::Str(s)) => {
                if let Err(e) = Timestamp::parse(s) {
                    return fail(Some(field), format!("{e} (found {s:?})"));
                }
            }
            Some(other) => return fail(Some(field), format!("expected a date-time string, found {}", other.kind())),
        }
    }
    for field in ["state", "cancelledBy", "statusDetails", "machineId", "computerDnsName", "triggeringAlertId"] {
        match item.get(field) {
            None | Some(Node::Null | Node::Str(_)) => {}
            Some(other) => return fail(Some(field), format!("expected a string or null, found {}", other.kind())),
        }
    }
    None
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
