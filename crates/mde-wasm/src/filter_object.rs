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

use mde_core::decode::write_json_string;
use mde_core::filter::{CmpOp, Condition, Filter, OneOrMore, Property, StateTest, Test};
use mde_core::{InvestigationState, Timestamp};

use crate::error::ErrorInfo;
use crate::json::Json;

const KEYS: [&str; 8] = ["startTime", "id", "machineId", "triggeringAlertId", "state", "and", "or", "not"];
/// [`KEYS`] as the messages list them.
const KEY_LIST: &str = "startTime, id, machineId, triggeringAlertId, state, and, or, not";
const NOT_FILTERABLE: [&str; 4] = ["endTime", "cancelledBy", "statusDetails", "computerDnsName"];
/// What a `startTime` value looks like, for messages.
const TIME: &str = "a Date, an RFC 3339 date-time string or milliseconds since 1970";

/// Translates a filter object (parsed from the JSON that `JSON.stringify` made of it) into a [`Filter`].
#[cfg_attr(mde_size, optimize(size))]
pub fn filter_from_object(value: &Json) -> Result<Filter, ErrorInfo> {
    node(value, &mut String::from("filter"))
}

/// The error `{path}: {parts...}`, at `path`.
#[cfg_attr(mde_size, optimize(size))]
fn fail(path: &str, parts: &[&str]) -> ErrorInfo {
    let mut message = String::from(path);
    message.push_str(": ");
    for part in parts {
        message.push_str(part);
    }
    ErrorInfo::query_at(path, message)
}

/// `{path}: expected {expected}, found {what v is}`.
#[cfg_attr(mde_size, optimize(size))]
fn wrong(path: &str, expected: &str, v: &Json) -> ErrorInfo {
    fail(path, &["expected ", expected, ", found ", v.kind()])
}

/// `s` quoted and escaped as a JSON string (as `mde_core::Quoted` prints it).
#[cfg_attr(mde_size, optimize(size))]
fn quoted(s: &str) -> String {
    let mut out = String::new();
    write_json_string(s, &mut out);
    out
}

/// Extends `path` by `open`, `name` and `close` (`.key` or `[i]`); returns its length before, to truncate it back
/// to when the value there is read. (An error keeps the path where it happened.)
#[cfg_attr(mde_size, optimize(size))]
fn enter(path: &mut String, open: &str, name: &str, close: &str) -> usize {
    let len = path.len();
    path.push_str(open);
    path.push_str(name);
    path.push_str(close);
    len
}

/// Extends `path` by `[i]` (see [`enter`]).
#[cfg_attr(mde_size, optimize(size))]
fn enter_item(path: &mut String, i: usize) -> usize {
    enter(path, "[", &i.to_string(), "]")
}

/// Adds `next` to `all` (joined by `join`, in written order), or returns its error.
#[cfg_attr(mde_size, optimize(size))]
fn add(
    all: &mut Option<Filter>,
    next: Result<Filter, ErrorInfo>,
    join: fn(Filter, Filter) -> Filter,
) -> Result<(), ErrorInfo> {
    let next = next?;
    *all = Some(match all.take() {
        Some(f) => join(f, next),
        None => next,
    });
    Ok(())
}

#[cfg_attr(mde_size, optimize(size))]
fn node(value: &Json, path: &mut String) -> Result<Filter, ErrorInfo> {
    match value {
        Json::Object(entries) => members(entries, None, path),
        _ => Err(wrong(path, "a filter object such as { state: 'Running' }", value)),
    }
}

/// The conditions that the members of an object write, all of which must hold: the members of a filter
/// object (`of` is `None`), or the operators of a test of `of`.
#[cfg_attr(mde_size, optimize(size))]
fn members(entries: &[(String, Json)], of: Option<Property>, path: &mut String) -> Result<Filter, ErrorInfo> {
    let mut all = None;
    for (key, value) in entries {
        let len = enter(path, ".", key, "");
        add(&mut all, member(of, key, value, path), Filter::and)?;
        path.truncate(len);
    }
    all.ok_or_else(|| match of {
        None => fail(path, &["a filter object needs at least one condition"]),
        Some(property) => fail(
            path,
            &["expected ", expected(property), " or an object of operators such as { eq: ... }, found an empty object"],
        ),
    })
}

/// The condition that one member of an object writes (see [`members`]).
#[cfg_attr(mde_size, optimize(size))]
fn member(of: Option<Property>, key: &str, value: &Json, path: &mut String) -> Result<Filter, ErrorInfo> {
    match (of, key, value) {
        (None, "and", _) => combine(value, path, Filter::and),
        (None, "or", _) => combine(value, path, Filter::or),
        (None, "not", _) => node(value, path).map(Filter::negate),
        (None, _, _) => match Property::from_name(key) {
            Some(property) => test(property, value, path),
            None => Err(unknown_key(key, path)),
        },
        (Some(property), "in", Json::Array(items)) => in_list(property, items, path),
        (Some(_), "in", _) => Err(wrong(path, "an array", value)),
        (Some(property), _, _) => match CmpOp::from_keyword(key).filter(|o| o.as_str() == key) {
            Some(op) => compare(property, op, value, path),
            None => Err(fail(path, &["unknown operator ", &quoted(key), "; expected eq, ne, gt, ge, lt, le or in"])),
        },
    }
}

#[cfg_attr(mde_size, optimize(size))]
fn unknown_key(key: &str, at: &str) -> ErrorInfo {
    if NOT_FILTERABLE.contains(&key) {
        fail(
            at,
            &["the API does not filter on ", key, "; it filters on startTime, id, state, machineId, triggeringAlertId"],
        )
    } else if let Some(k) = KEYS.iter().find(|k| k.eq_ignore_ascii_case(key)) {
        fail(at, &["unknown key ", &quoted(key), "; did you mean ", &quoted(k), "?"])
    } else {
        fail(at, &["unknown key ", &quoted(key), "; expected one of ", KEY_LIST])
    }
}

#[cfg_attr(mde_size, optimize(size))]
fn combine(value: &Json, path: &mut String, join: fn(Filter, Filter) -> Filter) -> Result<Filter, ErrorInfo> {
    let Json::Array(items) = value else {
        return Err(wrong(path, "an array of filter objects", value));
    };
    let mut all = None;
    for (i, f) in items.iter().enumerate() {
        let len = enter_item(path, i);
        add(&mut all, node(f, path), join)?;
        path.truncate(len);
    }
    all.ok_or_else(|| fail(path, &["the array is empty"]))
}

/// What a value of `property` looks like, for messages.
#[cfg_attr(mde_size, optimize(size))]
fn expected(property: Property) -> &'static str {
    match property {
        Property::StartTime => TIME,
        Property::State => "a documented state name such as 'Running'",
        _ => "a string",
    }
}

/// The test of `property` that `value` writes: a value (`eq`), a list (`in`) or an object of operators.
#[cfg_attr(mde_size, optimize(size))]
fn test(property: Property, value: &Json, path: &mut String) -> Result<Filter, ErrorInfo> {
    match value {
        Json::Array(items) => in_list(property, items, path),
        Json::Object(entries) => members(entries, Some(property), path),
        v => compare(property, CmpOp::Eq, v, path),
    }
}

/// A value of one of the properties.
enum Value {
    Time(Timestamp),
    State(InvestigationState),
    Text(String),
}

/// Reads `v` as a value of `property`: a [`Value::Time`] for `startTime`, a [`Value::State`] for `state`, a
/// [`Value::Text`] for the others.
#[cfg_attr(mde_size, optimize(size))]
fn read(property: Property, v: &Json, path: &str) -> Result<Value, ErrorInfo> {
    match (property, v) {
        (Property::StartTime, Json::Str(s)) => Timestamp::parse(s)
            .map(Value::Time)
            .map_err(|e| fail(path, &[&e.to_string(), " in the date-time ", &quoted(s)])),
        // An invalid Date becomes null in JSON.stringify.
        (Property::StartTime, Json::Null) => Err(fail(path, &["expected ", TIME, ", found null (an invalid Date?)"])),
        (Property::StartTime, other) => match crate::json::whole_millis(other) {
            Some(ms) => Timestamp::from_unix_millis(ms)
                .map(Value::Time)
                .ok_or_else(|| fail(path, &[&ms.to_string(), " ms is outside the years 0001 to 9999"])),
            None => Err(wrong(path, TIME, other)),
        },
        (Property::State, Json::Str(name)) => InvestigationState::known(name).map(Value::State).ok_or_else(|| {
            let q = quoted(name);
            match InvestigationState::suggest(name) {
                Some(s) => fail(path, &[&q, " is not a documented state; did you mean ", &quoted(s), "?"]),
                None => fail(path, &[&q, " is not a documented state"]),
            }
        }),
        (Property::State, _) => Err(wrong(path, expected(property), v)),
        (_, Json::Str(s)) => Ok(Value::Text(s.clone())),
        (_, other) => Err(wrong(path, expected(property), other)),
    }
}

/// The condition of a string `property` (`id`, `machineId` or `triggeringAlertId`).
#[cfg_attr(mde_size, optimize(size))]
fn text(property: Property, test: Test<String>) -> Condition {
    match property {
        Property::Id => Condition::Id(test),
        Property::MachineId => Condition::MachineId(test),
        _ => Condition::TriggeringAlertId(test),
    }
}

/// `property op v`.
#[cfg_attr(mde_size, optimize(size))]
fn compare(property: Property, op: CmpOp, v: &Json, path: &str) -> Result<Filter, ErrorInfo> {
    Ok(Filter::Cond(match read(property, v, path)? {
        Value::Time(t) => Condition::StartTime(Test::Cmp(op, t)),
        Value::State(s) => Condition::State(match op {
            CmpOp::Eq => StateTest::Eq(s),
            CmpOp::Ne => StateTest::Ne(s),
            other => {
                return Err(fail(
                    path,
                    &["states have no order, so ", other.as_str(), " is not allowed; use eq, ne or in"],
                ))
            }
        }),
        Value::Text(s) => text(property, Test::Cmp(op, s)),
    }))
}

/// `property in (items...)`.
#[cfg_attr(mde_size, optimize(size))]
fn in_list(property: Property, items: &[Json], path: &mut String) -> Result<Filter, ErrorInfo> {
    let (mut times, mut states, mut texts) = (Vec::new(), Vec::new(), Vec::new());
    for (i, v) in items.iter().enumerate() {
        let len = enter_item(path, i);
        match read(property, v, path)? {
            Value::Time(t) => times.push(t),
            Value::State(s) => states.push(s),
            Value::Text(s) => texts.push(s),
        }
        path.truncate(len);
    }
    let condition = match property {
        Property::StartTime => OneOrMore::try_from_vec(times).map(|l| Condition::StartTime(Test::In(l))),
        Property::State => OneOrMore::try_from_vec(states).map(|l| Condition::State(StateTest::In(l))),
        _ => OneOrMore::try_from_vec(texts).map(|l| text(property, Test::In(l))),
    };
    condition.map(Filter::Cond).ok_or_else(|| fail(path, &["the list needs at least one value"]))
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
        assert_eq!(odata(r#"{"machineId":{"in":["a","b'c"]}}"#).unwrap(), "machineId eq 'a' or machineId eq 'b''c'");
        assert_eq!(odata(r#"{"state":["Running","Queued"]}"#).unwrap(), "state eq 'Running' or state eq 'Queued'");
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
            (r#"{"startTime":253402300800000}"#, "filter.startTime", "253402300800000 ms is outside the years 0001 to 9999"),
            (r#"{"startTime":{"gt":-62135596800001}}"#, "filter.startTime.gt", "-62135596800001 ms is outside the years 0001 to 9999"),
            (r#"{"startTime":[8.9e15]}"#, "filter.startTime[0]", "8900000000000000 ms is outside the years 0001 to 9999"),
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
    fn the_deepest_nesting_the_reader_allows_translates() {
        // 126 `not`s and the innermost object: MAX_DEPTH (127) nested objects.
        let depth = mde_core::decode::MAX_DEPTH as usize - 1;
        let json = format!("{}{{\"id\":\"1\"}}{}", "{\"not\":".repeat(depth), "}".repeat(depth));
        let text = odata(&json).unwrap();
        assert_eq!(text, format!("{}id eq '1'{}", "not (".repeat(depth), ")".repeat(depth)));
        // Alternating objects and arrays: the path of the innermost value is exact.
        let depth = (mde_core::decode::MAX_DEPTH as usize - 1) / 2;
        let json = format!("{}{{\"id\":5}}{}", "{\"or\":[".repeat(depth), "]}".repeat(depth));
        assert_eq!(path_of(&json), format!("filter{}.id", ".or[0]".repeat(depth)));
    }

    #[test]
    fn every_form_translates() {
        let cases: &[(&str, &str)] = &[
            (r#"{"startTime":0}"#, "startTime eq 1970-01-01T00:00:00Z"),
            (r#"{"startTime":-1}"#, "startTime eq 1969-12-31T23:59:59.999Z"),
            (r#"{"startTime":2.5e3}"#, "startTime eq 1970-01-01T00:00:02.5Z"),
            (r#"{"startTime":253402300799999}"#, "startTime eq 9999-12-31T23:59:59.999Z"),
            (r#"{"startTime":-62135596800000}"#, "startTime eq 0001-01-01T00:00:00Z"),
            (
                r#"{"startTime":{"eq":0,"ne":1,"gt":"2024-01-01T00:00:00Z","ge":2,"lt":3,"le":4}}"#,
                "startTime eq 1970-01-01T00:00:00Z and startTime ne 1970-01-01T00:00:00.001Z and startTime gt 2024-01-01T00:00:00Z and startTime ge 1970-01-01T00:00:00.002Z and startTime lt 1970-01-01T00:00:00.003Z and startTime le 1970-01-01T00:00:00.004Z",
            ),
            (r#"{"startTime":[0,"2024-01-01T00:00:00Z"]}"#, "startTime eq 1970-01-01T00:00:00Z or startTime eq 2024-01-01T00:00:00Z"),
            (r#"{"startTime":{"in":[0]}}"#, "startTime eq 1970-01-01T00:00:00Z"),
            (r#"{"state":"Running"}"#, "state eq 'Running'"),
            (r#"{"state":{"eq":"Queued","ne":"Benign","in":["Failed"]}}"#, "state eq 'Queued' and state ne 'Benign' and state eq 'Failed'"),
            (r#"{"state":["Unknown","SuppressedAlert"]}"#, "state eq 'Unknown' or state eq 'SuppressedAlert'"),
            (r#"{"id":"1"}"#, "id eq '1'"),
            (r#"{"id":{"eq":"a","ne":"b","gt":"c","ge":"d","lt":"e","le":"f"}}"#, "id eq 'a' and id ne 'b' and id gt 'c' and id ge 'd' and id lt 'e' and id le 'f'"),
            (r#"{"machineId":{"gt":"x","in":["a","b"]}}"#, "machineId gt 'x' and (machineId eq 'a' or machineId eq 'b')"),
            (r#"{"triggeringAlertId":["a"]}"#, "triggeringAlertId eq 'a'"),
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
