//! The filter object form of the JS API, translated into mde-core's filter builder, so that both forms are
//! validated by the same Rust code and print as the same OData text.
//!
//! Grammar (`T` is a value of the property's type: a date-time string or milliseconds since the epoch for
//! `startTime` — a `Date` arrives as its ISO string —, a documented state name for `state`, a string for `id`,
//! `machineId` and `triggeringAlertId`):
//!
//! ```text
//! filter   := { key: ..., ... }          every key is a condition; all of them must hold (and)
//! key      := startTime | id | machineId | triggeringAlertId | state   with a test
//!           | and: [filter, ...]  | or: [filter, ...]  | not: filter
//! test     := T                          eq
//!           | [T, ...]                   in
//!           | { eq?, ne?, gt?, ge?, lt?, le?: T, in?: [T, ...] }   all must hold (state: eq, ne, in only)
//! ```
//!
//! Conditions print in the order they were written. Every error names the path of the offending value, such
//! as `filter.or[1].startTime.ge`.

use mde_core::filter::{self, CmpOp, Filter, TextField};
use mde_core::{InvestigationState, Quoted, Timestamp};

use crate::error::ErrorInfo;
use crate::json::Json;

const KEYS: [&str; 8] = ["startTime", "id", "machineId", "triggeringAlertId", "state", "and", "or", "not"];
const NOT_FILTERABLE: [&str; 4] = ["endTime", "cancelledBy", "statusDetails", "computerDnsName"];

/// Translates a filter object (parsed from the JSON that `JSON.stringify` made of it) into a [`Filter`].
#[cfg_attr(mde_size, optimize(size))]
pub fn filter_from_object(value: &Json) -> Result<Filter, ErrorInfo> {
    node(value, "filter")
}

#[cfg_attr(mde_size, optimize(size))]
fn node(value: &Json, path: &str) -> Result<Filter, ErrorInfo> {
    let Json::Object(entries) = value else {
        return Err(ErrorInfo::query_at(
            path,
            format!("{path}: expected a filter object such as {{ state: 'Running' }}, found {}", value.kind()),
        ));
    };
    let mut conditions = Vec::with_capacity(entries.len());
    for (key, value) in entries {
        let at = format!("{path}.{key}");
        let condition = match key.as_str() {
            "and" => combine(value, &at, Filter::and)?,
            "or" => combine(value, &at, Filter::or)?,
            "not" => node(value, &at)?.negate(),
            "startTime" => test(value, &at, &Time)?,
            "state" => test(value, &at, &State)?,
            "id" => test(value, &at, &Text(filter::id))?,
            "machineId" => test(value, &at, &Text(filter::machine_id))?,
            "triggeringAlertId" => test(value, &at, &Text(filter::triggering_alert_id))?,
            other => return Err(unknown_key(other, &at)),
        };
        conditions.push(condition);
    }
    all_of(conditions)
        .ok_or_else(|| ErrorInfo::query_at(path, format!("{path}: a filter object needs at least one condition")))
}

#[cfg_attr(mde_size, optimize(size))]
fn unknown_key(key: &str, at: &str) -> ErrorInfo {
    let message = if NOT_FILTERABLE.contains(&key) {
        format!(
            "{at}: the API does not filter on {key}; it filters on startTime, id, state, machineId, triggeringAlertId"
        )
    } else if let Some(k) = KEYS.iter().find(|k| k.eq_ignore_ascii_case(key)) {
        format!("{at}: unknown key {}; did you mean {}?", Quoted(key), Quoted(k))
    } else {
        format!("{at}: unknown key {}; expected one of {}", Quoted(key), KEYS.join(", "))
    };
    ErrorInfo::query_at(at, message)
}

#[cfg_attr(mde_size, optimize(size))]
fn all_of(conditions: Vec<Filter>) -> Option<Filter> {
    conditions.into_iter().reduce(Filter::and)
}

#[cfg_attr(mde_size, optimize(size))]
fn combine(value: &Json, path: &str, join: fn(Filter, Filter) -> Filter) -> Result<Filter, ErrorInfo> {
    let Json::Array(items) = value else {
        return Err(ErrorInfo::query_at(
            path,
            format!("{path}: expected an array of filter objects, found {}", value.kind()),
        ));
    };
    let mut filters = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        filters.push(node(item, &format!("{path}[{i}]"))?);
    }
    filters.into_iter().reduce(join).ok_or_else(|| ErrorInfo::query_at(path, format!("{path}: the array is empty")))
}

/// How one property's values are read and compared.
trait Field {
    type Value;
    /// What a value looks like, for messages.
    const EXPECTED: &'static str;
    fn value(&self, v: &Json, path: &str) -> Result<Self::Value, ErrorInfo>;
    fn cmp(&self, op: CmpOp, v: Self::Value, path: &str) -> Result<Filter, ErrorInfo>;
    fn is_in(&self, values: Vec<Self::Value>) -> Option<Filter>;
}

#[cfg_attr(mde_size, optimize(size))]
fn test<F: Field>(value: &Json, path: &str, field: &F) -> Result<Filter, ErrorInfo> {
    match value {
        Json::Array(items) => in_list(items, path, field),
        Json::Object(entries) => {
            let mut conditions = Vec::with_capacity(entries.len());
            for (op, v) in entries {
                let at = format!("{path}.{op}");
                conditions.push(match (op.as_str(), v) {
                    ("in", Json::Array(items)) => in_list(items, &at, field)?,
                    ("in", other) => {
                        return Err(ErrorInfo::query_at(
                            &at,
                            format!("{at}: expected an array, found {}", other.kind()),
                        ))
                    }
                    (name, v) => match CmpOp::ALL.into_iter().find(|o| o.as_str() == name) {
                        Some(op) => field.cmp(op, field.value(v, &at)?, &at)?,
                        None => {
                            return Err(ErrorInfo::query_at(
                                &at,
                                format!(
                                    "{at}: unknown operator {}; expected eq, ne, gt, ge, lt, le or in",
                                    Quoted(name)
                                ),
                            ))
                        }
                    },
                });
            }
            all_of(conditions).ok_or_else(|| {
                ErrorInfo::query_at(
                    path,
                    format!(
                        "{path}: expected {} or an object of operators such as {{ eq: ... }}, found an empty object",
                        F::EXPECTED
                    ),
                )
            })
        }
        v => field.cmp(CmpOp::Eq, field.value(v, path)?, path),
    }
}

#[cfg_attr(mde_size, optimize(size))]
fn in_list<F: Field>(items: &[Json], path: &str, field: &F) -> Result<Filter, ErrorInfo> {
    let mut values = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        values.push(field.value(item, &format!("{path}[{i}]"))?);
    }
    field.is_in(values).ok_or_else(|| ErrorInfo::query_at(path, format!("{path}: the list needs at least one value")))
}

#[cfg_attr(mde_size, optimize(size))]
fn wrong(path: &str, expected: &str, v: &Json) -> ErrorInfo {
    ErrorInfo::query_at(path, format!("{path}: expected {expected}, found {}", v.kind()))
}

struct Time;

impl Field for Time {
    type Value = Timestamp;
    const EXPECTED: &'static str = "a Date, an RFC 3339 date-time string or milliseconds since 1970";

    #[cfg_attr(mde_size, optimize(size))]
    fn value(&self, v: &Json, path: &str) -> Result<Timestamp, ErrorInfo> {
        match v {
            Json::Str(s) => Timestamp::parse(s)
                .map_err(|e| ErrorInfo::query_at(path, format!("{path}: {e} in the date-time {}", Quoted(s)))),
            // An invalid Date becomes null in JSON.stringify.
            Json::Null => Err(ErrorInfo::query_at(
                path,
                format!("{path}: expected {}, found null (an invalid Date?)", Self::EXPECTED),
            )),
            other => match crate::json::whole_millis(other) {
                Some(ms) => Timestamp::from_unix_millis(ms).ok_or_else(|| {
                    ErrorInfo::query_at(path, format!("{path}: {ms} ms is outside the years 0000 to 9999"))
                }),
                None => Err(wrong(path, Self::EXPECTED, other)),
            },
        }
    }

    #[cfg_attr(mde_size, optimize(size))]
    fn cmp(&self, op: CmpOp, t: Timestamp, _: &str) -> Result<Filter, ErrorInfo> {
        let f = filter::start_time();
        Ok(match op {
            CmpOp::Eq => f.eq(t),
            CmpOp::Ne => f.ne(t),
            CmpOp::Gt => f.gt(t),
            CmpOp::Ge => f.ge(t),
            CmpOp::Lt => f.lt(t),
            CmpOp::Le => f.le(t),
        })
    }

    #[cfg_attr(mde_size, optimize(size))]
    fn is_in(&self, values: Vec<Timestamp>) -> Option<Filter> {
        filter::start_time().is_in(values)
    }
}

struct State;

impl Field for State {
    type Value = InvestigationState;
    const EXPECTED: &'static str = "a documented state name such as 'Running'";

    #[cfg_attr(mde_size, optimize(size))]
    fn value(&self, v: &Json, path: &str) -> Result<InvestigationState, ErrorInfo> {
        let Json::Str(name) = v else { return Err(wrong(path, Self::EXPECTED, v)) };
        InvestigationState::known(name).ok_or_else(|| {
            let hint =
                InvestigationState::suggest(name).map(|s| format!("; did you mean {}?", Quoted(s))).unwrap_or_default();
            ErrorInfo::query_at(path, format!("{path}: {} is not a documented state{hint}", Quoted(name)))
        })
    }

    #[cfg_attr(mde_size, optimize(size))]
    fn cmp(&self, op: CmpOp, s: InvestigationState, path: &str) -> Result<Filter, ErrorInfo> {
        match op {
            CmpOp::Eq => Ok(filter::state().eq(s)),
            CmpOp::Ne => Ok(filter::state().ne(s)),
            other => Err(ErrorInfo::query_at(
                path,
                format!("{path}: states have no order, so {} is not allowed; use eq, ne or in", other.as_str()),
            )),
        }
    }

    #[cfg_attr(mde_size, optimize(size))]
    fn is_in(&self, values: Vec<InvestigationState>) -> Option<Filter> {
        filter::state().is_in(values)
    }
}

struct Text(fn() -> TextField);

impl Field for Text {
    type Value = String;
    const EXPECTED: &'static str = "a string";

    #[cfg_attr(mde_size, optimize(size))]
    fn value(&self, v: &Json, path: &str) -> Result<String, ErrorInfo> {
        match v {
            Json::Str(s) => Ok(s.clone()),
            other => Err(wrong(path, Self::EXPECTED, other)),
        }
    }

    #[cfg_attr(mde_size, optimize(size))]
    fn cmp(&self, op: CmpOp, s: String, _: &str) -> Result<Filter, ErrorInfo> {
        let f = (self.0)();
        Ok(match op {
            CmpOp::Eq => f.eq(s),
            CmpOp::Ne => f.ne(s),
            CmpOp::Gt => f.gt(s),
            CmpOp::Ge => f.ge(s),
            CmpOp::Lt => f.lt(s),
            CmpOp::Le => f.le(s),
        })
    }

    #[cfg_attr(mde_size, optimize(size))]
    fn is_in(&self, values: Vec<String>) -> Option<Filter> {
        (self.0)().is_in(values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn odata(json: &str) -> Result<String, ErrorInfo> {
        let v = crate::json::parse(json).unwrap();
        filter_from_object(&v).map(|f| f.to_odata())
    }

    fn path_of(json: &str) -> String {
        odata(json).unwrap_err().path.clone().unwrap_or_default()
    }

    #[test]
    fn conditions_print_in_written_order() {
        assert_eq!(
            odata(r#"{"state":"Running","startTime":{"ge":"2024-01-01T00:00:00.000Z"}}"#).unwrap(),
            "state eq 'Running' and startTime ge 2024-01-01T00:00:00Z"
        );
        assert_eq!(
            odata(r#"{"startTime":{"ge":1704067200000,"lt":"2024-02-01T01:00:00+01:00"}}"#).unwrap(),
            "startTime ge 2024-01-01T00:00:00Z and startTime lt 2024-02-01T00:00:00Z"
        );
    }

    #[test]
    fn arrays_are_in_and_or_not_nest() {
        assert_eq!(odata(r#"{"machineId":{"in":["a","b'c"]}}"#).unwrap(), "machineId in ('a','b''c')");
        assert_eq!(odata(r#"{"state":["Running","Queued"]}"#).unwrap(), "state in ('Running','Queued')");
        let text = odata(r#"{"or":[{"id":"1"},{"triggeringAlertId":{"ne":"x"}}],"not":{"state":"Benign"}}"#).unwrap();
        assert_eq!(text, "(id eq '1' or triggeringAlertId ne 'x') and not (state eq 'Benign')");
        // The object form and the text form mean the same filter.
        assert_eq!(Filter::parse(&text).unwrap().to_odata(), text);
    }

    #[test]
    fn errors_name_the_path() {
        assert_eq!(
            path_of(r#"{"or":[{"id":"1"},{"startTime":{"gx":"2024-01-01T00:00:00Z"}}]}"#),
            "filter.or[1].startTime.gx"
        );
        assert_eq!(path_of(r#"{"startTime":{"ge":"yesterday"}}"#), "filter.startTime.ge");
        assert_eq!(path_of(r#"{"startTime":null}"#), "filter.startTime");
        assert_eq!(path_of(r#"{"state":{"gt":"Running"}}"#), "filter.state.gt");
        assert_eq!(path_of(r#"{"state":["Running","running"]}"#), "filter.state[1]");
        assert!(odata(r#"{"state":"running"}"#).unwrap_err().message.contains("did you mean \"Running\""));
        assert_eq!(path_of(r#"{"endTime":"2024-01-01T00:00:00Z"}"#), "filter.endTime");
        assert!(odata(r#"{"StartTime":1}"#).unwrap_err().message.contains("did you mean \"startTime\""));
        assert_eq!(path_of(r#"{"id":5}"#), "filter.id");
        assert_eq!(path_of(r#"{"id":[]}"#), "filter.id");
        assert_eq!(path_of(r#"{}"#), "filter");
        assert_eq!(path_of(r#"{"not":{}}"#), "filter.not");
        assert_eq!(path_of(r#"{"and":[]}"#), "filter.and");
        assert_eq!(path_of(r#"{"or":{"id":"1"}}"#), "filter.or");
        assert_eq!(path_of(r#""state eq 'Running'""#), "filter");
        assert_eq!(odata(r#"{"id":"1"}"#).map_err(|e| e.kind), Ok("id eq '1'".to_owned()));
        assert_eq!(odata(r#"{"id":{}}"#).unwrap_err().kind, "InvalidQuery");
    }
}
