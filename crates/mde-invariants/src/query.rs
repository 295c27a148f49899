//! The `$filter` parser and the query string (`$filter`, `$top`, `$skip`): what a user types, and what the mock
//! decodes from every request.

use mde_core::filter::ParseOptions;
use mde_core::{Filter, ListQuery};

/// Any bytes as a filter's OData text, strict and lenient about state names:
/// - round trip: a parsed filter printed (`to_odata`) parses to the same filter, and printing is then stable;
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
        assert_eq!(again, f, "{printed:?}");
        assert_eq!(again.to_odata(), printed);
    }
}

/// Any bytes as a query string (what follows `?`): a parsed query written back (`to_query_string`) parses to the
/// same query, and writing is then stable.
pub fn list_query(data: &[u8]) {
    let Some(text) = crate::text(data) else { return };
    let Ok(q) = ListQuery::from_query_string(text) else { return };
    let written = q.to_query_string();
    let again = ListQuery::from_query_string(&written).unwrap_or_else(|e| panic!("{written:?} does not parse: {e}"));
    assert_eq!(again, q, "{written:?}");
    assert_eq!(again.to_query_string(), written);
}
