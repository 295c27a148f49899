//! Lenient reading of investigations from JSON: `--data FILE` and `POST /__admin/investigations`.
//!
//! Accepts a JSON array of investigations, a page `{"value": [...]}` (what the service or `GET
//! /api/investigations` returns), or, for the admin API, one object. Per item: `id` is required (a string,
//! or a number as the service once sent); every other field may be missing or `null`; `state` defaults to
//! `Unknown` and keeps unknown names; unknown fields are ignored. Errors name the item and the field.

use mde_core::{Investigation, InvestigationState, Timestamp};
use serde_json::{Map, Value};

/// Why a JSON text does not hold investigations.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The text is not JSON.
    #[error("not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The top level is neither an array nor an object with a `value` array.
    #[error("expected a JSON array of investigations or an object with a \"value\" array")]
    Shape,
    /// One item is wrong.
    #[error("item {index}: {problem}")]
    Item {
        /// Position of the item in the array, from 0.
        index: usize,
        /// What is wrong with it.
        problem: String,
    },
}

/// Whether a single object (not in an array) is accepted as one investigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Single {
    /// Accept `{...}` as one item (the admin API).
    Allowed,
    /// Only arrays and pages (the data file).
    Refused,
}

/// Parses investigations from JSON text.
pub fn parse_investigations(text: &[u8], single: Single) -> Result<Vec<Investigation>, DataError> {
    investigations_from_value(serde_json::from_slice(text)?, single)
}

/// Reads investigations from parsed JSON: an array, a page `{"value": [...]}`, or (when allowed) one object.
pub fn investigations_from_value(value: Value, single: Single) -> Result<Vec<Investigation>, DataError> {
    let items = match value {
        Value::Array(items) => items,
        Value::Object(mut map) => match map.remove("value") {
            Some(Value::Array(items)) => items,
            Some(_) => return Err(DataError::Shape),
            None if single == Single::Allowed => vec![Value::Object(map)],
            None => return Err(DataError::Shape),
        },
        _ => return Err(DataError::Shape),
    };
    items
        .iter()
        .enumerate()
        .map(|(index, item)| investigation(item).map_err(|problem| DataError::Item { index, problem }))
        .collect()
}

fn investigation(item: &Value) -> Result<Investigation, String> {
    let Value::Object(map) = item else {
        return Err("expected an object".to_string());
    };
    let id = match map.get("id") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(_)) => return Err("`id` is empty".to_string()),
        Some(Value::Null) | None => return Err("`id` is missing".to_string()),
        Some(_) => return Err("`id` must be a string or a number".to_string()),
    };
    let state = match map.get("state") {
        Some(Value::String(s)) => InvestigationState::from_name(s),
        Some(Value::Null) | None => InvestigationState::Unknown,
        Some(_) => return Err("`state` must be a string".to_string()),
    };
    Ok(Investigation {
        id,
        start_time: time(map, "startTime")?,
        end_time: time(map, "endTime")?,
        state,
        cancelled_by: text(map, "cancelledBy")?,
        status_details: text(map, "statusDetails")?,
        machine_id: text(map, "machineId")?,
        computer_dns_name: text(map, "computerDnsName")?,
        triggering_alert_id: text(map, "triggeringAlertId")?,
    })
}

pub(super) fn time(map: &Map<String, Value>, field: &str) -> Result<Option<Timestamp>, String> {
    match map.get(field) {
        Some(Value::String(s)) => Timestamp::parse(s).map(Some).map_err(|e| format!("`{field}`: {e}")),
        Some(Value::Null) | None => Ok(None),
        Some(_) => Err(format!("`{field}` must be an RFC 3339 date-time string or null")),
    }
}

pub(super) fn text(map: &Map<String, Value>, field: &str) -> Result<Option<String>, String> {
    match map.get(field) {
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(Value::Null) | None => Ok(None),
        Some(_) => Err(format!("`{field}` must be a string or null")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_arrays_pages_and_numbers_as_ids() {
        let page =
            br#"{"@odata.context":"x","value":[{"id":63017,"state":"Running","extra":1},{"id":"7","startTime":null}]}"#;
        let items = parse_investigations(page, Single::Refused).unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].id, "63017");
        assert_eq!(items[0].state, InvestigationState::Running);
        assert_eq!(items[1].state, InvestigationState::Unknown);
        assert_eq!(items[1].start_time, None);
        let array = br#"[{"id":"1","state":"BrandNewState","startTime":"2024-01-01T00:00:00.1234567Z"}]"#;
        let items = parse_investigations(array, Single::Refused).unwrap();
        assert_eq!(items[0].state.as_str(), "BrandNewState");
    }

    #[test]
    fn errors_name_the_item_and_the_field() {
        let err = parse_investigations(br#"[{"id":"1"},{"id":"2","startTime":"yesterday"}]"#, Single::Refused);
        let msg = err.unwrap_err().to_string();
        assert!(msg.starts_with("item 1: `startTime`"), "{msg}");
        assert!(matches!(parse_investigations(br#"{"id":"1"}"#, Single::Refused), Err(DataError::Shape)));
        assert_eq!(parse_investigations(br#"{"id":"1"}"#, Single::Allowed).unwrap().len(), 1);
        assert!(parse_investigations(br#"[{"state":"Running"}]"#, Single::Refused).is_err());
        assert!(parse_investigations(b"[", Single::Refused).is_err());
    }
}
