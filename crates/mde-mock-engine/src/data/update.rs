//! Changes to one investigation: `PATCH /__admin/investigations/{id}` and `MockApi::update_investigation`, so
//! that a test can make investigations progress (`Running` to `Benign` with an `endTime`, say).

use mde_core::{Investigation, InvestigationState, Timestamp};
use serde_json::{Map, Value};

use super::load::{text, time};

/// The fields to change; `None` leaves a field as it is, `Some(None)` sets it to `null`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InvestigationUpdate {
    /// New `startTime` (moves the investigation in the documented order).
    pub start_time: Option<Option<Timestamp>>,
    /// New `endTime`.
    pub end_time: Option<Option<Timestamp>>,
    /// New `state` (an undocumented name is kept, as the service may add states).
    pub state: Option<InvestigationState>,
    /// New `cancelledBy`.
    pub cancelled_by: Option<Option<String>>,
    /// New `statusDetails`.
    pub status_details: Option<Option<String>>,
    /// New `machineId`.
    pub machine_id: Option<Option<String>>,
    /// New `computerDnsName`.
    pub computer_dns_name: Option<Option<String>>,
    /// New `triggeringAlertId`.
    pub triggering_alert_id: Option<Option<String>>,
}

/// Why an update was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UpdateError {
    /// No investigation has that id.
    #[error("no investigation has the id `{0}`")]
    NotFound(String),
    /// A field is unknown or has a value it cannot take.
    #[error("{0}")]
    Invalid(String),
}

/// The fields an update may name (the service's properties; `id` only with the investigation's own id).
const FIELDS: &[&str] = &[
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

impl InvestigationUpdate {
    /// Reads `{"state": "Benign", "endTime": "..."}` for the investigation `id`: every key must be one of the
    /// service's properties, with a value of its type or `null`; `id`, if present, must be `id` itself (an id
    /// is not changed).
    pub fn from_json(id: &str, body: &[u8]) -> Result<InvestigationUpdate, UpdateError> {
        let value: Value = serde_json::from_slice(body)
            .map_err(|e| UpdateError::Invalid(format!("the body is not valid JSON: {e}")))?;
        let Value::Object(map) = value else {
            return Err(UpdateError::Invalid(
                "the body must be a JSON object of fields, such as {\"state\": \"Benign\"}".to_string(),
            ));
        };
        InvestigationUpdate::from_map(id, &map).map_err(UpdateError::Invalid)
    }

    fn from_map(id: &str, map: &Map<String, Value>) -> Result<InvestigationUpdate, String> {
        if let Some(unknown) = map.keys().find(|k| !FIELDS.contains(&k.as_str())) {
            return Err(format!("unknown field `{unknown}`: the fields are {}", FIELDS.join(", ")));
        }
        match map.get("id") {
            None => {}
            Some(Value::String(s)) if s == id => {}
            Some(Value::Number(n)) if n.to_string() == id => {}
            Some(other) => return Err(format!("`id` cannot be changed (from `{id}` to {other})")),
        }
        let state = match map.get("state") {
            None => None,
            Some(Value::String(s)) if !s.is_empty() => Some(InvestigationState::from_name(s)),
            Some(_) => return Err("`state` must be a state name such as \"Benign\"".to_string()),
        };
        let present = |field: &str| map.contains_key(field);
        let texts = |field: &str| -> Result<Option<Option<String>>, String> {
            if present(field) {
                text(map, field).map(Some)
            } else {
                Ok(None)
            }
        };
        let times = |field: &str| -> Result<Option<Option<Timestamp>>, String> {
            if present(field) {
                time(map, field).map(Some)
            } else {
                Ok(None)
            }
        };
        Ok(InvestigationUpdate {
            start_time: times("startTime")?,
            end_time: times("endTime")?,
            state,
            cancelled_by: texts("cancelledBy")?,
            status_details: texts("statusDetails")?,
            machine_id: texts("machineId")?,
            computer_dns_name: texts("computerDnsName")?,
            triggering_alert_id: texts("triggeringAlertId")?,
        })
    }

    /// Applies the changes to `inv`.
    pub fn apply(&self, inv: &mut Investigation) {
        fn set<T: Clone>(field: &mut T, value: &Option<T>) {
            if let Some(v) = value {
                *field = v.clone();
            }
        }
        set(&mut inv.start_time, &self.start_time);
        set(&mut inv.end_time, &self.end_time);
        set(&mut inv.state, &self.state);
        set(&mut inv.cancelled_by, &self.cancelled_by);
        set(&mut inv.status_details, &self.status_details);
        set(&mut inv.machine_id, &self.machine_id);
        set(&mut inv.computer_dns_name, &self.computer_dns_name);
        set(&mut inv.triggering_alert_id, &self.triggering_alert_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fields_nulls_and_refuses_what_is_wrong() {
        let u = InvestigationUpdate::from_json(
            "7",
            br#"{"state":"Benign","endTime":"2026-01-01T00:00:00Z","cancelledBy":null,"id":7}"#,
        )
        .unwrap();
        assert_eq!(u.state, Some(InvestigationState::Benign));
        assert_eq!(u.end_time, Some(Some(Timestamp::parse("2026-01-01T00:00:00Z").unwrap())));
        assert_eq!(u.cancelled_by, Some(None));
        assert_eq!(u.start_time, None);
        let err = |body: &[u8]| InvestigationUpdate::from_json("7", body).unwrap_err().to_string();
        assert!(err(br#"{"stat":"Benign"}"#).contains("unknown field `stat`"));
        assert!(err(br#"{"endTime":"soon"}"#).contains("`endTime`"));
        assert!(err(br#"{"state":3}"#).contains("`state`"));
        assert!(err(br#"{"id":"8"}"#).contains("`id` cannot be changed"));
        assert!(err(br#"{"machineId":[1]}"#).contains("`machineId`"));
        assert!(err(b"[1]").contains("JSON object"));
        assert!(err(b"{").contains("not valid JSON"));
    }
}
