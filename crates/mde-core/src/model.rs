//! The entities the service returns: [`Investigation`] and the list [`Page`].

use crate::{InvestigationState, Timestamp};

/// One automated investigation, with the service's nine properties.
///
/// With the `serde` feature, serialises with the service's property names (`startTime`, `machineId`, ...) and
/// `null`s.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize), serde(rename_all = "camelCase"))]
pub struct Investigation {
    /// Investigation id: a string of digits (the service has also sent it as a JSON number).
    pub id: String,
    /// When the investigation started, if known.
    pub start_time: Option<Timestamp>,
    /// When it ended; `None` while running.
    pub end_time: Option<Timestamp>,
    /// Its state.
    pub state: InvestigationState,
    /// Who cancelled it, if someone did.
    pub cancelled_by: Option<String>,
    /// Free-text details of the status.
    pub status_details: Option<String>,
    /// The device, 40 hex characters.
    pub machine_id: Option<String>,
    /// The device's DNS name.
    pub computer_dns_name: Option<String>,
    /// The alert that started it, shaped like `da637139166940871892_-598649278`.
    pub triggering_alert_id: Option<String>,
}

impl Investigation {
    /// Appends the investigation as a JSON object with the service's nine properties, in its order, and `null`s
    /// (what the service sends, and what [`decode_investigation`](crate::decode::decode_investigation) reads
    /// back as the same investigation).
    pub fn write_json(&self, out: &mut String) {
        use crate::decode::node::write_json_string as string;
        let text = |name: &str, value: &Option<String>, out: &mut String| {
            out.push_str(name);
            match value {
                Some(v) => string(v, out),
                None => out.push_str("null"),
            }
        };
        let time = |name: &str, value: &Option<Timestamp>, out: &mut String| {
            out.push_str(name);
            match value {
                // A timestamp prints as plain ASCII: nothing to escape.
                Some(t) => {
                    out.push('"');
                    out.push_str(&t.to_string());
                    out.push('"');
                }
                None => out.push_str("null"),
            }
        };
        out.push_str("{\"id\":");
        string(&self.id, out);
        time(",\"startTime\":", &self.start_time, out);
        time(",\"endTime\":", &self.end_time, out);
        out.push_str(",\"state\":");
        string(self.state.as_str(), out);
        text(",\"cancelledBy\":", &self.cancelled_by, out);
        text(",\"statusDetails\":", &self.status_details, out);
        text(",\"machineId\":", &self.machine_id, out);
        text(",\"computerDnsName\":", &self.computer_dns_name, out);
        text(",\"triggeringAlertId\":", &self.triggering_alert_id, out);
        out.push('}');
    }
}

/// One page of `GET /api/investigations`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// `@odata.context`, if sent.
    pub context: Option<String>,
    /// The items.
    pub value: Vec<Investigation>,
    /// `@odata.nextLink`, if sent: an untrusted hint.
    pub next_link: Option<String>,
}
