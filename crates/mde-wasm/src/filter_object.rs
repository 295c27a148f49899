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

    /// Every error the translator makes, with its exact path and message (pinned: the JS tests and users
    /// match on them).
    #[test]
    fn every_error_message_is_pinned() {
        const TIME: &str = "a Date, an RFC 3339 date-time string or milliseconds since 1970";
        let cases: &[(&str, &str, &str)] = &[
            // Not a filter object, or an empty one.
            (r#""state eq 'Running'""#, "filter", "expected a filter object such as { state: 'Running' }, found a string"),
            (r#"null"#, "filter", "expected a filter object such as { state: 'Running' }, found null"),
            (r#"[]"#, "filter", "expected a filter object such as { state: 'Running' }, found an array"),
            (r#"{}"#, "filter", "a filter object needs at least one condition"),
            (r#"{"not":{}}"#, "filter.not", "a filter object needs at least one condition"),
            (r#"{"not":1.5}"#, "filter.not", "expected a filter object such as { state: 'Running' }, found a number"),
            (r#"{"and":[{"id":"1"},true]}"#, "filter.and[1]", "expected a filter object such as { state: 'Running' }, found a boolean"),
            // Unknown keys.
            (
                r#"{"endTime":"2024-01-01T00:00:00Z"}"#,
                "filter.endTime",
                "the API does not filter on endTime; it filters on startTime, id, state, machineId, triggeringAlertId",
            ),
            (r#"{"cancelledBy":1}"#, "filter.cancelledBy", "the API does not filter on cancelledBy; it filters on startTime, id, state, machineId, triggeringAlertId"),
            (r#"{"statusDetails":1}"#, "filter.statusDetails", "the API does not filter on statusDetails; it filters on startTime, id, state, machineId, triggeringAlertId"),
            (r#"{"computerDnsName":1}"#, "filter.computerDnsName", "the API does not filter on computerDnsName; it filters on startTime, id, state, machineId, triggeringAlertId"),
            (r#"{"StartTime":1}"#, "filter.StartTime", r#"unknown key "StartTime"; did you mean "startTime"?"#),
            (r#"{"OR":[]}"#, "filter.OR", r#"unknown key "OR"; did you mean "or"?"#),
            (r#"{"MACHINEID":"a"}"#, "filter.MACHINEID", r#"unknown key "MACHINEID"; did you mean "machineId"?"#),
            (
                r#"{"id":"1","EndTime":1}"#,
                "filter.EndTime",
                r#"unknown key "EndTime"; expected one of startTime, id, machineId, triggeringAlertId, state, and, or, not"#,
            ),
            (
                r#"{"a\"b\n":1}"#,
                "filter.a\"b\n",
                r#"unknown key "a\"b\n"; expected one of startTime, id, machineId, triggeringAlertId, state, and, or, not"#,
            ),
            (r#"{"":1}"#, "filter.", r#"unknown key ""; expected one of startTime, id, machineId, triggeringAlertId, state, and, or, not"#),
            // and / or.
            (r#"{"or":{"id":"1"}}"#, "filter.or", "expected an array of filter objects, found an object"),
            (r#"{"and":"x"}"#, "filter.and", "expected an array of filter objects, found a string"),
            (r#"{"and":[]}"#, "filter.and", "the array is empty"),
            (r#"{"or":[]}"#, "filter.or", "the array is empty"),
            (r#"{"or":[{"id":"1"},{"and":[{"nope":1}]}]}"#, "filter.or[1].and[0].nope", r#"unknown key "nope"; expected one of startTime, id, machineId, triggeringAlertId, state, and, or, not"#),
            // Operators.
            (r#"{"id":{"in":"1"}}"#, "filter.id.in", "expected an array, found a string"),
            (r#"{"state":{"in":{}}}"#, "filter.state.in", "expected an array, found an object"),
            (r#"{"startTime":{"in":null}}"#, "filter.startTime.in", "expected an array, found null"),
            (r#"{"id":{"gx":"1"}}"#, "filter.id.gx", r#"unknown operator "gx"; expected eq, ne, gt, ge, lt, le or in"#),
            (r#"{"state":{"EQ":"Running"}}"#, "filter.state.EQ", r#"unknown operator "EQ"; expected eq, ne, gt, ge, lt, le or in"#),
            (r#"{"startTime":{"In":[1]}}"#, "filter.startTime.In", r#"unknown operator "In"; expected eq, ne, gt, ge, lt, le or in"#),
            (r#"{"id":{"eq":"1","\u0001":"1"}}"#, "filter.id.\u{1}", r#"unknown operator "\u0001"; expected eq, ne, gt, ge, lt, le or in"#),
            // Empty operator objects and lists.
            (r#"{"id":{}}"#, "filter.id", "expected a string or an object of operators such as { eq: ... }, found an empty object"),
            (r#"{"machineId":{}}"#, "filter.machineId", "expected a string or an object of operators such as { eq: ... }, found an empty object"),
            (r#"{"triggeringAlertId":{}}"#, "filter.triggeringAlertId", "expected a string or an object of operators such as { eq: ... }, found an empty object"),
            (
                r#"{"state":{}}"#,
                "filter.state",
                "expected a documented state name such as 'Running' or an object of operators such as { eq: ... }, found an empty object",
            ),
            (
                r#"{"startTime":{}}"#,
                "filter.startTime",
                "expected a Date, an RFC 3339 date-time string or milliseconds since 1970 or an object of operators such as { eq: ... }, found an empty object",
            ),
            (r#"{"id":[]}"#, "filter.id", "the list needs at least one value"),
            (r#"{"state":[]}"#, "filter.state", "the list needs at least one value"),
            (r#"{"startTime":{"in":[]}}"#, "filter.startTime.in", "the list needs at least one value"),
            // Text values.
            (r#"{"id":5}"#, "filter.id", "expected a string, found a number"),
            (r#"{"machineId":true}"#, "filter.machineId", "expected a string, found a boolean"),
            (r#"{"triggeringAlertId":null}"#, "filter.triggeringAlertId", "expected a string, found null"),
            (r#"{"id":{"ge":["1"]}}"#, "filter.id.ge", "expected a string, found an array"),
            (r#"{"id":{"le":{"eq":"1"}}}"#, "filter.id.le", "expected a string, found an object"),
            (r#"{"id":["1",[]]}"#, "filter.id[1]", "expected a string, found an array"),
            (r#"{"machineId":{"in":["a",{}]}}"#, "filter.machineId.in[1]", "expected a string, found an object"),
            (r#"{"triggeringAlertId":{"in":[1.5]}}"#, "filter.triggeringAlertId.in[0]", "expected a string, found a number"),
            // State values.
            (r#"{"state":"running"}"#, "filter.state", r#""running" is not a documented state; did you mean "Running"?"#),
            (r#"{"state":"Asleep"}"#, "filter.state", r#""Asleep" is not a documented state"#),
            (r#"{"state":"Other"}"#, "filter.state", r#""Other" is not a documented state"#),
            (r#"{"state":"a\"\\"}"#, "filter.state", r#""a\"\\" is not a documented state"#),
            (r#"{"state":{"ne":"QUEUED"}}"#, "filter.state.ne", r#""QUEUED" is not a documented state; did you mean "Queued"?"#),
            (r#"{"state":["Running","running"]}"#, "filter.state[1]", r#""running" is not a documented state; did you mean "Running"?"#),
            (r#"{"state":{"in":["x"]}}"#, "filter.state.in[0]", r#""x" is not a documented state"#),
            (r#"{"state":3}"#, "filter.state", "expected a documented state name such as 'Running', found a number"),
            (r#"{"state":null}"#, "filter.state", "expected a documented state name such as 'Running', found null"),
            (r#"{"state":[false]}"#, "filter.state[0]", "expected a documented state name such as 'Running', found a boolean"),
            (r#"{"state":{"eq":[]}}"#, "filter.state.eq", "expected a documented state name such as 'Running', found an array"),
            (r#"{"state":{"gt":"Running"}}"#, "filter.state.gt", "states have no order, so gt is not allowed; use eq, ne or in"),
            (r#"{"state":{"ge":"Running"}}"#, "filter.state.ge", "states have no order, so ge is not allowed; use eq, ne or in"),
            (r#"{"state":{"lt":"Running"}}"#, "filter.state.lt", "states have no order, so lt is not allowed; use eq, ne or in"),
            (r#"{"state":{"le":"Running"}}"#, "filter.state.le", "states have no order, so le is not allowed; use eq, ne or in"),
            // The value is read before the operator is judged.
            (r#"{"state":{"gt":"Nope"}}"#, "filter.state.gt", r#""Nope" is not a documented state"#),
            (r#"{"state":{"lt":1}}"#, "filter.state.lt", "expected a documented state name such as 'Running', found a number"),
            // Date-time values.
            (
                r#"{"startTime":"yesterday"}"#,
                "filter.startTime",
                r#"invalid date-time at byte 0: expected a four-digit year (form: 2024-01-31T23:59:59.1234567Z or with an offset like +02:00) in the date-time "yesterday""#,
            ),
            (
                r#"{"startTime":{"ge":"2024-13-01T00:00:00Z"}}"#,
                "filter.startTime.ge",
                r#"invalid date-time at byte 5: expected a month from 01 to 12 (form: 2024-01-31T23:59:59.1234567Z or with an offset like +02:00) in the date-time "2024-13-01T00:00:00Z""#,
            ),
            (
                r#"{"startTime":["2024-01-01T00:00:00Z","2024-01-01\t"]}"#,
                "filter.startTime[1]",
                r#"invalid date-time at byte 10: expected 'T' and a time of day (form: 2024-01-31T23:59:59.1234567Z or with an offset like +02:00) in the date-time "2024-01-01\t""#,
            ),
            (r#"{"startTime":null}"#, "filter.startTime", "expected a Date, an RFC 3339 date-time string or milliseconds since 1970, found null (an invalid Date?)"),
            (r#"{"startTime":{"lt":null}}"#, "filter.startTime.lt", "expected a Date, an RFC 3339 date-time string or milliseconds since 1970, found null (an invalid Date?)"),
            (r#"{"startTime":{"in":[1,null]}}"#, "filter.startTime.in[1]", "expected a Date, an RFC 3339 date-time string or milliseconds since 1970, found null (an invalid Date?)"),
            (r#"{"startTime":253402300800000}"#, "filter.startTime", "253402300800000 ms is outside the years 0000 to 9999"),
            (r#"{"startTime":{"gt":-62167219200001}}"#, "filter.startTime.gt", "-62167219200001 ms is outside the years 0000 to 9999"),
            (r#"{"startTime":[8.9e15]}"#, "filter.startTime[0]", "8900000000000000 ms is outside the years 0000 to 9999"),
            (r#"{"startTime":1.5}"#, "filter.startTime", &format!("expected {TIME}, found a number")),
            (r#"{"startTime":9e15}"#, "filter.startTime", &format!("expected {TIME}, found a number")),
            (r#"{"startTime":true}"#, "filter.startTime", &format!("expected {TIME}, found a boolean")),
            (r#"{"startTime":{"eq":{}}}"#, "filter.startTime.eq", &format!("expected {TIME}, found an object")),
            (r#"{"startTime":{"ne":[1]}}"#, "filter.startTime.ne", &format!("expected {TIME}, found an array")),
            (r#"{"startTime":[[1]]}"#, "filter.startTime[0]", &format!("expected {TIME}, found an array")),
            // The first error in document order wins.
            (r#"{"id":5,"nope":1}"#, "filter.id", "expected a string, found a number"),
            (r#"{"id":{"eq":"1","ne":2,"gx":3}}"#, "filter.id.ne", "expected a string, found a number"),
            (r#"{"not":{"not":{"or":[{"state":"Running"},{"state":[]}]}}}"#, "filter.not.not.or[1].state", "the list needs at least one value"),
            (r#"{"and":[{"id":"1"}],"and":[{}]}"#, "filter.and[0]", "a filter object needs at least one condition"),
            (r#"{"startTime":{"in":[1,"x"],"zz":1}}"#, "filter.startTime.in[1]", r#"invalid date-time at byte 0: expected a four-digit year (form: 2024-01-31T23:59:59.1234567Z or with an offset like +02:00) in the date-time "x""#),
        ];
        for (json, path, message) in cases {
            let e = odata(json).unwrap_err();
            assert_eq!(e.kind, "InvalidQuery", "{json}");
            assert_eq!(e.path.as_deref(), Some(*path), "{json}");
            assert_eq!(e.message, format!("{path}: {message}"), "{json}");
        }
    }

    #[test]
    fn every_form_translates() {
        let cases: &[(&str, &str)] = &[
            (r#"{"startTime":0}"#, "startTime eq 1970-01-01T00:00:00Z"),
            (r#"{"startTime":-1}"#, "startTime eq 1969-12-31T23:59:59.999Z"),
            (r#"{"startTime":2.5e3}"#, "startTime eq 1970-01-01T00:00:02.5Z"),
            (r#"{"startTime":253402300799999}"#, "startTime eq 9999-12-31T23:59:59.999Z"),
            (r#"{"startTime":-62167219200000}"#, "startTime eq 0000-01-01T00:00:00Z"),
            (
                r#"{"startTime":{"eq":0,"ne":1,"gt":"2024-01-01T00:00:00Z","ge":2,"lt":3,"le":4}}"#,
                "startTime eq 1970-01-01T00:00:00Z and startTime ne 1970-01-01T00:00:00.001Z and startTime gt 2024-01-01T00:00:00Z and startTime ge 1970-01-01T00:00:00.002Z and startTime lt 1970-01-01T00:00:00.003Z and startTime le 1970-01-01T00:00:00.004Z",
            ),
            (r#"{"startTime":[0,"2024-01-01T00:00:00Z"]}"#, "startTime in (1970-01-01T00:00:00Z,2024-01-01T00:00:00Z)"),
            (r#"{"startTime":{"in":[0]}}"#, "startTime in (1970-01-01T00:00:00Z)"),
            (r#"{"state":"Running"}"#, "state eq 'Running'"),
            (r#"{"state":{"eq":"Queued","ne":"Benign","in":["Failed"]}}"#, "state eq 'Queued' and state ne 'Benign' and state in ('Failed')"),
            (r#"{"state":["Unknown","SuppressedAlert"]}"#, "state in ('Unknown','SuppressedAlert')"),
            (r#"{"id":"1"}"#, "id eq '1'"),
            (r#"{"id":{"eq":"a","ne":"b","gt":"c","ge":"d","lt":"e","le":"f"}}"#, "id eq 'a' and id ne 'b' and id gt 'c' and id ge 'd' and id lt 'e' and id le 'f'"),
            (r#"{"machineId":{"gt":"x","in":["a","b"]}}"#, "machineId gt 'x' and machineId in ('a','b')"),
            (r#"{"triggeringAlertId":["a"]}"#, "triggeringAlertId in ('a')"),
            (r#"{"triggeringAlertId":{"le":""}}"#, "triggeringAlertId le ''"),
            (r#"{"id":"1","id":"2"}"#, "id eq '1' and id eq '2'"),
            (r#"{"and":[{"id":"1"},{"id":"2"},{"id":"3"}]}"#, "id eq '1' and id eq '2' and id eq '3'"),
            (r#"{"or":[{"id":"1"}]}"#, "id eq '1'"),
            (r#"{"or":[{"id":"1","state":"Running"},{"id":"2"}]}"#, "id eq '1' and state eq 'Running' or id eq '2'"),
            (r#"{"not":{"id":"1","id":"2"}}"#, "not (id eq '1' and id eq '2')"),
            (r#"{"not":{"not":{"id":"1"}}}"#, "not (not (id eq '1'))"),
        ];
        for (json, expected) in cases {
            assert_eq!(odata(json).unwrap(), *expected, "{json}");
        }
    }
}
