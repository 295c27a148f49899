//! The `$filter` parser and the query string (`$filter`, `$top`, `$skip`): what a user types, and what the mock
//! decodes from every request.

use mde_core::filter::{Condition, Dialect, ParseOptions, StateTest, Test};
use mde_core::{Filter, ListQuery};

/// Whether `f` has an `in` list (which prints as OData 4.0's `or` of `eq`s, and so parses back as that).
fn has_in_list(f: &Filter) -> bool {
    match f {
        Filter::And(a, b) | Filter::Or(a, b) => has_in_list(a) || has_in_list(b),
        Filter::Not(a) => has_in_list(a),
        Filter::Cond(c) => matches!(
            c,
            Condition::StartTime(Test::In(_))
                | Condition::Id(Test::In(_))
                | Condition::MachineId(Test::In(_))
                | Condition::TriggeringAlertId(Test::In(_))
                | Condition::State(StateTest::In(_))
        ),
    }
}

/// Any bytes as a filter's OData text, strict and lenient about state names:
/// - round trip: a parsed filter printed (`to_odata`) is OData 4.0 (the strictest dialect reads it), parses to
///   the same filter (to the same with its `in` lists written as `or`s of `eq`s), and printing is then stable;
/// - what the strict parser takes, the lenient one takes as the same filter.
pub fn filter(data: &[u8]) {
    let Some(text) = crate::text(data) else { return };
    let strict = Filter::parse(text);
    let lenient = Filter::parse_with(text, &ParseOptions::LENIENT_STATES);
    if let Ok(f) = &strict {
        assert_eq!(lenient.as_ref(), Ok(f), "the lenient parser differs from the strict one");
    }
    for (parsed, options) in [(strict, ParseOptions::DEFAULT), (lenient, ParseOptions::LENIENT_STATES)] {
        let Ok(f) = parsed else { continue };
        let printed = f.to_odata();
        let again =
            Filter::parse_with(&printed, &options).unwrap_or_else(|e| panic!("{printed:?} does not parse: {e}"));
        if !has_in_list(&f) {
            assert_eq!(again, f, "{printed:?}");
        }
        assert_eq!(again.to_odata(), printed);
        let odata_40 = ParseOptions { dialect: Dialect::OData40, ..options };
        assert_eq!(Filter::parse_with(&printed, &odata_40).as_ref(), Ok(&again), "{printed:?} is not OData 4.0");
    }
}

/// Any bytes as a query string (what follows `?`): a parsed query written back (`to_query_string`) parses to the
/// same query (its `in` lists written as `or`s of `eq`s), and writing is then stable.
pub fn list_query(data: &[u8]) {
    let Some(text) = crate::text(data) else { return };
    let Ok(q) = ListQuery::from_query_string(text) else { return };
    let written = q.to_query_string();
    let again = ListQuery::from_query_string(&written).unwrap_or_else(|e| panic!("{written:?} does not parse: {e}"));
    if !q.filter.as_ref().is_some_and(has_in_list) {
        assert_eq!(again, q, "{written:?}");
    }
    assert_eq!(again.to_query_string(), written);
}
