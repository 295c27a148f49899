//! The oracle's investigation, its documented order, and reading one back from the service's JSON.

use std::cmp::Ordering;

use serde_json::Value;

use super::time::{self, Instant};

/// A date-time as the data set writes it: the instant, and the exact text sent (0 to 7 fractional digits).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Time {
    /// The instant.
    pub at: Instant,
    /// The text the data set carries.
    pub text: String,
}

impl Time {
    /// The instant written with `digits` fractional digits (clamped to what writes it exactly) and `Z`.
    pub fn new(at: Instant, digits: u8) -> Time {
        Time { at, text: time::render(at, digits, 0, true) }
    }
}

/// One investigation of the oracle's data set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inv {
    /// `id`.
    pub id: String,
    /// `startTime`.
    pub start: Option<Time>,
    /// `endTime`.
    pub end: Option<Time>,
    /// `state`, as sent (possibly not a documented one).
    pub state: String,
    /// `cancelledBy`.
    pub cancelled_by: Option<String>,
    /// `statusDetails`.
    pub status_details: Option<String>,
    /// `machineId`.
    pub machine_id: Option<String>,
    /// `computerDnsName`.
    pub computer_dns_name: Option<String>,
    /// `triggeringAlertId`.
    pub triggering_alert_id: Option<String>,
}

/// What two investigations must agree on to be the same: every field, date-times as instants.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Record {
    /// `id`.
    pub id: String,
    /// `startTime` as an instant.
    pub start: Option<Instant>,
    /// `endTime` as an instant.
    pub end: Option<Instant>,
    /// `state`.
    pub state: String,
    /// `cancelledBy`, `statusDetails`, `machineId`, `computerDnsName`, `triggeringAlertId`.
    pub texts: [Option<String>; 5],
}

impl Inv {
    /// The comparable record.
    pub fn record(&self) -> Record {
        Record {
            id: self.id.clone(),
            start: self.start.as_ref().map(|t| t.at),
            end: self.end.as_ref().map(|t| t.at),
            state: self.state.clone(),
            texts: [
                self.cancelled_by.clone(),
                self.status_details.clone(),
                self.machine_id.clone(),
                self.computer_dns_name.clone(),
                self.triggering_alert_id.clone(),
            ],
        }
    }

    /// The investigation as the service's JSON object (all nine properties, `null`s included).
    pub fn to_json(&self) -> Value {
        let time = |t: &Option<Time>| t.as_ref().map_or(Value::Null, |t| Value::String(t.text.clone()));
        let text = |s: &Option<String>| s.as_ref().map_or(Value::Null, |s| Value::String(s.clone()));
        serde_json::json!({
            "id": self.id,
            "startTime": time(&self.start),
            "endTime": time(&self.end),
            "state": self.state,
            "cancelledBy": text(&self.cancelled_by),
            "statusDetails": text(&self.status_details),
            "machineId": text(&self.machine_id),
            "computerDnsName": text(&self.computer_dns_name),
            "triggeringAlertId": text(&self.triggering_alert_id),
        })
    }
}

/// The nine property names of an investigation on the wire.
pub const PROPERTIES: [&str; 9] = [
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

/// Reads an investigation object of a response into a [`Record`]; `Err` says what is wrong with it.
pub fn record_from_json(v: &Value) -> Result<Record, String> {
    let obj = v.as_object().ok_or_else(|| format!("not an object: {v}"))?;
    let id = match obj.get("id") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        other => return Err(format!("bad id {other:?}")),
    };
    let time = |name: &str| -> Result<Option<Instant>, String> {
        match obj.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => time::parse(s).map(Some).ok_or_else(|| format!("bad {name} `{s}`")),
            Some(other) => Err(format!("bad {name} {other}")),
        }
    };
    let text = |name: &str| -> Result<Option<String>, String> {
        match obj.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(format!("bad {name} {other}")),
        }
    };
    let state = match obj.get("state") {
        Some(Value::String(s)) => s.clone(),
        other => return Err(format!("bad state {other:?}")),
    };
    Ok(Record {
        id,
        start: time("startTime")?,
        end: time("endTime")?,
        state,
        texts: [
            text("cancelledBy")?,
            text("statusDetails")?,
            text("machineId")?,
            text("computerDnsName")?,
            text("triggeringAlertId")?,
        ],
    })
}

/// The order of ids, and of any string the API compares (ascending): ordinal, as OData (and .NET's
/// `String.CompareOrdinal`) compares strings, UTF-16 code unit by code unit: `"10"` before `"9"`.
pub fn id_order(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// The documented order of a list: `startTime` descending with `null`s last, then `id` descending.
pub fn documented_order(a: &Record, b: &Record) -> Ordering {
    let start = match (a.start, b.start) {
        (Some(x), Some(y)) => y.cmp(&x),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    };
    start.then_with(|| id_order(&b.id, &a.id))
}

/// Converts an mde-core investigation (what the client delivers) into a [`Record`].
pub fn record_from_core(inv: &mde_core::Investigation) -> Record {
    let instant = |t: &mde_core::Timestamp| i128::from(t.unix_seconds()) * time::NANOS + i128::from(t.subsec_nanos());
    Record {
        id: inv.id.clone(),
        start: inv.start_time.as_ref().map(instant),
        end: inv.end_time.as_ref().map(instant),
        state: inv.state.as_str().to_string(),
        texts: [
            inv.cancelled_by.clone(),
            inv.status_details.clone(),
            inv.machine_id.clone(),
            inv.computer_dns_name.clone(),
            inv.triggering_alert_id.clone(),
        ],
    }
}

/// Converts an oracle investigation into the mde-core model that a mock serves (the one place where the
/// oracle's data crosses into the code under test; date-times are read from the oracle's own text).
pub fn to_core(inv: &Inv) -> mde_core::Investigation {
    let ts = |t: &Option<Time>| {
        t.as_ref()
            .map(|t| mde_core::Timestamp::parse(&t.text).unwrap_or_else(|e| panic!("oracle wrote `{}`: {e}", t.text)))
    };
    mde_core::Investigation {
        id: inv.id.clone(),
        start_time: ts(&inv.start),
        end_time: ts(&inv.end),
        state: mde_core::InvestigationState::from_name(&inv.state),
        cancelled_by: inv.cancelled_by.clone(),
        status_details: inv.status_details.clone(),
        machine_id: inv.machine_id.clone(),
        computer_dns_name: inv.computer_dns_name.clone(),
        triggering_alert_id: inv.triggering_alert_id.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_order_as_strings() {
        let mut ids = vec!["10", "9", "a", "010", "", "1", "007", "7", "ä", "B", "\u{ff61}", "\u{1f600}"];
        ids.sort_by(|a, b| id_order(a, b));
        assert_eq!(ids, ["", "007", "010", "1", "10", "7", "9", "B", "a", "ä", "\u{1f600}", "\u{ff61}"]);
        assert_eq!(id_order("123456789012345678901234567890", "99"), Ordering::Less);
    }
}
