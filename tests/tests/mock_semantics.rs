//! Point 2: for random data, filters, `$top` and `$skip` (spelled every way clients send them), the mock
//! returns exactly the oracle's items in the documented order, and the oracle's error for invalid queries.

use std::time::Duration;

use mde_conformance::harness::{block_on, cases, get, mock_with, Answer};
use mde_conformance::oracle::encode::{query_string, spelling, Spelling};
use mde_conformance::oracle::filter::{Expr, Style, Syntax};
use mde_conformance::oracle::gen::{self, InvalidQuery};
use mde_conformance::oracle::model::{record_from_json, Inv, Record, PROPERTIES};
use mde_conformance::oracle::{self, MAX_PAGE};
use mde_mock::MockApi;
use proptest::prelude::*;

const LIMIT: Duration = Duration::from_secs(120);

/// A mock with limits that never bind (OData 4.0, the default).
async fn mock(data: &[Inv]) -> MockApi {
    mock_with(data, |b| b.per_minute(1_000_000).per_hour(1_000_000)).await
}

/// The same with `--odata 4.01`.
async fn mock_401(data: &[Inv]) -> MockApi {
    mock_with(data, |b| b.per_minute(1_000_000).per_hour(1_000_000).odata(mde_mock::ODataVersion::V401)).await
}

/// One list query: its filter with its meaning, `$top`, `$skip`, and how it is spelled.
#[derive(Debug, Clone)]
struct Query {
    filter: Option<(Expr, Style)>,
    top: Option<u32>,
    skip: Option<u64>,
    spelling: Spelling,
    reverse: bool,
}

impl Query {
    fn path(&self) -> String {
        let mut pairs = Vec::new();
        if let Some((f, s)) = &self.filter {
            pairs.push(("$filter".to_string(), f.to_odata(*s)));
        }
        if let Some(top) = self.top {
            pairs.push(("$top".to_string(), top.to_string()));
        }
        if let Some(skip) = self.skip {
            pairs.push(("$skip".to_string(), skip.to_string()));
        }
        if self.reverse {
            pairs.reverse();
        }
        let qs = query_string(&pairs, self.spelling);
        if qs.is_empty() {
            "/api/investigations".to_string()
        } else {
            format!("/api/investigations?{qs}")
        }
    }
}

/// A query whose filter is spelled in `syntax`.
fn query(syntax: Syntax) -> impl Strategy<Value = Query> {
    let top = prop_oneof![2 => Just(None), 4 => (1u32..=70).prop_map(Some), 1 => Just(Some(10_000))];
    let skip = prop_oneof![2 => Just(None), 1 => Just(Some(0)), 3 => (0u64..80).prop_map(Some)];
    let filter = prop_oneof![1 => Just(None), 4 => (gen::filter(), gen::style_in(syntax)).prop_map(Some)];
    (filter, top, skip, spelling(), any::<bool>()).prop_map(|(filter, top, skip, spelling, reverse)| Query {
        filter,
        top,
        skip,
        spelling,
        reverse,
    })
}

/// Reads a page: the records in order; checks the envelope on the way, with the `@odata.nextLink` expected.
fn page_records(answer: &Answer, uri: &str, next_link: Option<String>) -> Result<Vec<Record>, String> {
    if answer.status != 200 {
        return Err(format!("status {}: {}", answer.status, String::from_utf8_lossy(&answer.body)));
    }
    let v = answer.json();
    let context = v["@odata.context"].as_str().unwrap_or_default();
    if context != format!("{uri}/api/$metadata#Investigations") {
        return Err(format!("@odata.context is `{context}`"));
    }
    let link = v.get("@odata.nextLink").map(|l| l.as_str().map(str::to_string).unwrap_or_default());
    if link != next_link {
        return Err(format!("@odata.nextLink is {link:?}, expected {next_link:?}"));
    }
    let items = v["value"].as_array().ok_or("no value array")?;
    items
        .iter()
        .map(|item| {
            for p in PROPERTIES {
                if item.get(p).is_none() {
                    return Err(format!("{p} missing (the service sends nulls): {item}"));
                }
            }
            record_from_json(item)
        })
        .collect()
}

fn check_page(answer: &Answer, uri: &str, expected: &[Record], what: &str) -> Result<(), TestCaseError> {
    check_page_and_link(answer, uri, expected, None, what)
}

fn check_page_and_link(
    answer: &Answer,
    uri: &str,
    expected: &[Record],
    next_link: Option<String>,
    what: &str,
) -> Result<(), TestCaseError> {
    let got = page_records(answer, uri, next_link).map_err(|e| TestCaseError::fail(format!("{what}: {e}")))?;
    if got != expected {
        let ids = |r: &[Record]| r.iter().map(|r| r.id.clone()).collect::<Vec<_>>();
        return Err(TestCaseError::fail(format!(
            "{what}\n got      {:?}\n expected {:?}\n first difference: {:?}",
            ids(&got),
            ids(expected),
            got.iter().zip(expected).find(|(a, b)| a != b)
        )));
    }
    Ok(())
}

fn check_error(answer: &Answer, expected: &InvalidQuery, what: &str) -> Result<(), TestCaseError> {
    let v = serde_json::from_slice::<serde_json::Value>(&answer.body).unwrap_or_default();
    let code = v["error"]["code"].as_str().unwrap_or_default();
    prop_assert_eq!(answer.status, 400, "{} ({}): {}", what, expected.why, v);
    prop_assert_eq!(code, expected.code.as_str(), "{} ({}): {}", what, expected.why, v);
    prop_assert!(v["error"]["message"].as_str().is_some_and(|m| m.len() > 5), "{}: {}", what, v);
    prop_assert!(v["error"]["target"].as_str().is_some_and(|t| !t.is_empty()), "{}: {}", what, v);
    Ok(())
}

proptest! {
    #![proptest_config(cases(48))]

    /// Random data, several random queries (in OData 4.0, the service's syntax) against one mock: each page is
    /// exactly the oracle's.
    #[test]
    fn pages_are_the_oracles(data in gen::dataset(0, 60), queries in proptest::collection::vec(query(Syntax::OData40), 6)) {
        block_on(LIMIT, async {
            let api = mock(&data).await;
            let http = reqwest::Client::new();
            for q in &queries {
                let path = q.path();
                let expected = oracle::page(&data, q.filter.as_ref().map(|(f, _)| f), q.top, q.skip.unwrap_or(0));
                let answer = get(&http, &api.uri(), &path).await;
                check_page(&answer, &api.uri(), &expected, &path)?;
            }
            Ok::<(), TestCaseError>(())
        })?;
    }
}

proptest! {
    #![proptest_config(cases(16))]

    /// With `--odata 4.01`, filters in OData 4.01 (`in`, operators in any case) select what the oracle selects.
    #[test]
    fn pages_are_the_oracles_in_odata_401(data in gen::dataset(0, 40), queries in proptest::collection::vec(query(Syntax::OData401), 4)) {
        block_on(LIMIT, async {
            let api = mock_401(&data).await;
            let http = reqwest::Client::new();
            for q in &queries {
                let path = q.path();
                let expected = oracle::page(&data, q.filter.as_ref().map(|(f, _)| f), q.top, q.skip.unwrap_or(0));
                check_page(&get(&http, &api.uri(), &path).await, &api.uri(), &expected, &path)?;
            }
            Ok::<(), TestCaseError>(())
        })?;
    }
}

proptest! {
    #![proptest_config(cases(64))]

    /// Invalid queries get `400` with the oracle's `code`, a message and a correlation id.
    #[test]
    fn invalid_queries_get_the_oracles_error(q in gen::invalid_query(), s in spelling()) {
        block_on(LIMIT, async {
            let api = mock(&gen::bulk(5, 1)).await;
            let path = format!("/api/investigations?{}", query_string(&q.pairs, s));
            let answer = get(&reqwest::Client::new(), &api.uri(), &path).await;
            check_error(&answer, &q, &path)
        })?;
    }
}

/// Without `$top` a page holds at most 10,000 items and, when more match, links to the next page as the
/// service does (absolute, the same query with `$skip` advanced by 10,000); `$skip` past the end gives an
/// empty page; a full data set of awkward values comes back whole, in the documented order.
#[test]
fn large_pages_and_the_edges() {
    let data = gen::bulk(MAX_PAGE + 57, 7);
    block_on(LIMIT, async {
        let api = mock(&data).await;
        let http = reqwest::Client::new();
        let uri = api.uri();
        let all = oracle::select(&data, None);
        let first_link = format!("{uri}/api/investigations?$skip=10000");
        // The query as it reached the mock (the HTTP client writes ' as %27), $skip replaced.
        let filtered_link = format!("{uri}/api/investigations?$filter=id%20ne%20%27x%27&$skip=10001");
        for (path, top, skip, link) in [
            ("/api/investigations".to_string(), None, 0, Some(first_link)),
            ("/api/investigations?$filter=id%20ne%20'x'&$skip=1".to_string(), None, 1, Some(filtered_link)),
            ("/api/investigations?$skip=10000".to_string(), None, 10_000, None),
            ("/api/investigations?$top=10000&$skip=50".to_string(), Some(10_000), 50, None),
            (format!("/api/investigations?$skip={}", all.len()), None, all.len() as u64, None),
            ("/api/investigations?$skip=18446744073709551615".to_string(), None, u64::MAX, None),
        ] {
            let expected = oracle::page(&data, None, top, skip);
            check_page_and_link(&get(&http, &uri, &path).await, &uri, &expected, link, &path).unwrap();
        }
    });
}
