//! Point 7: the token never leaves the configured origin. A page whose `@odata.nextLink` names another origin
//! (a second mock) is delivered, then the listing stops with `ForeignOrigin`, and the second mock's journal
//! shows no request. And filter values can never change a filter's structure.
//!
//! mde-mock never sends a `nextLink` (the service sends none with `$top`), so the first origin here is a small
//! wiremock stub that serves one page with the hostile link.

use std::collections::HashSet;
use std::time::Duration;

use mde_conformance::driver::Driver;
use mde_conformance::harness::{base, block_on, cases, fast_retry, limits, mock_with, TOKEN};
use mde_conformance::oracle::gen::{self, TEXTS};
use mde_conformance::oracle::model::{record_from_core, Inv, Record};
use mde_conformance::oracle::{self, filter::Expr, filter::Field, filter::Op, filter::TextLit};
use mde_core::filter::{id, machine_id, triggering_alert_id};
use mde_core::{BaseUrl, ErrorKind, Filter, ListQuery, Listing, ListingOptions};
use mde_mock::MockApi;
use proptest::prelude::*;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const LIMIT: Duration = Duration::from_secs(60);

/// A page of two investigations with the given `@odata.nextLink`.
fn page_with_link(link: &str) -> serde_json::Value {
    let items: Vec<serde_json::Value> = gen::bulk(2, 5).iter().map(Inv::to_json).collect();
    serde_json::json!({
        "@odata.context": "https://api.securitycenter.microsoft.com/api/$metadata#Investigations",
        "value": items,
        "@odata.nextLink": link,
    })
}

/// Lists from `origin` with pages of 2 (so the stub's page is full and the listing would go on).
async fn list_from(origin: &str) -> (usize, Option<mde_core::Error>, Driver) {
    let base = BaseUrl::parse(origin).expect("a base URL");
    let options = ListingOptions { page_size: 2, retry: fast_retry(3), ..ListingOptions::default() };
    let mut listing = Listing::new(base, ListQuery::default(), options).expect("a listing");
    let mut driver = Driver::new(TOKEN, limits(1.0, Duration::ZERO));
    let (items, error) = driver.collect(&mut listing).await;
    (items.len(), error, driver)
}

#[test]
fn a_next_link_to_another_origin_is_refused_and_nothing_is_sent_there() {
    block_on(LIMIT, async {
        let other = MockApi::builder().token(TOKEN).count(10).start().await.expect("the second mock starts");
        let stub = MockServer::start().await;
        let here = stub.uri();
        let there = other.uri();
        let there_port = other.address().port();
        let here_port = stub.address().port();
        let links = [
            format!("{there}/api/investigations?$top=2&$skip=2"),
            format!("//127.0.0.1:{there_port}/api/investigations?$skip=2"),
            format!("http://localhost:{there_port}/api/investigations"),
            format!("https://127.0.0.1:{here_port}/api/investigations?$skip=2"),
            format!("http://localhost:{here_port}/api/investigations?$skip=2"),
            format!("http://127.0.0.1:{here_port}@127.0.0.1:{there_port}/api/investigations"),
            format!("http://127.0.0.1:{here_port}\\@127.0.0.1:{there_port}/api/investigations"),
            format!("http:/127.0.0.1:{there_port}/api/investigations"),
            format!("{there}/api/investigations#{here}"),
            format!(" {there}/api/investigations"),
            format!("HTTP://127.0.0.1:{there_port}/api/investigations"),
            format!("{here}/api/other?$skip=2"),
            format!("{here}/api/investigations/../../api/investigations?$skip=2"),
            format!("{here}/api/investigations/1"),
        ];
        for link in &links {
            stub.reset().await;
            Mock::given(method("GET"))
                .and(path("/api/investigations"))
                .respond_with(ResponseTemplate::new(200).set_body_json(page_with_link(link)))
                .mount(&stub)
                .await;
            let (delivered, error, driver) = list_from(&here).await;
            let error = error.unwrap_or_else(|| panic!("`{link}` was followed or ignored: {:?}", driver.stats.sent));
            assert_eq!(error.kind(), ErrorKind::ForeignOrigin, "`{link}`: {error}");
            assert_eq!(delivered, 2, "`{link}`: the page that carried the link is still delivered");
            assert!(driver.stats.sent.iter().all(|u| u.starts_with(&format!("{here}/"))), "{:?}", driver.stats.sent);
            assert_eq!(stub.received_requests().await.map(|r| r.len()), Some(1), "`{link}`: one call, to the stub");
            assert!(other.journal().await.is_empty(), "`{link}`: the second mock was called");
        }
    });
}

/// A value that would change the filter's structure if pasted into the text.
fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(TEXTS).prop_map(str::to_string),
        "\\PC{0,12}",
        "[' ()a-z=&#%+,]{0,12}",
        Just("x' or machineId ne 'x".to_string()),
        Just("') or not (id eq '".to_string()),
    ]
}

proptest! {
    #![proptest_config(cases(512))]

    /// Built with the core's builders, any value stays one literal: the printed filter parses back to the same
    /// tree, the query string reads back to the same query, and the value is never bare in the query string.
    #[test]
    fn values_never_change_a_filters_structure(v in hostile(), w in hostile()) {
        // An `in` list is sent as OData 4.0's `or` of `eq`s: that is the tree it parses back to.
        let as_40 = machine_id().eq(v.as_str()).or(machine_id().eq(w.as_str()));
        for (f, sent) in [
            (machine_id().eq(v.as_str()), None),
            (triggering_alert_id().ne(v.as_str()), None),
            (id().gt(v.as_str()), None),
            (machine_id().is_in([v.as_str(), w.as_str()]).expect("a non-empty list"), Some(as_40)),
            (machine_id().eq(v.as_str()).and(id().eq(w.as_str())), None),
        ] {
            let text = f.to_odata();
            let sent = sent.unwrap_or_else(|| f.clone());
            prop_assert_eq!(Filter::parse(&text).ok(), Some(sent.clone()), "{}", text);
            let q = ListQuery { filter: Some(f), top: None, skip: 0 };
            let qs = q.to_query_string();
            prop_assert_eq!(qs.matches('&').count(), 0, "{}", qs);
            prop_assert!(!qs.contains(['#', '+', ' ', '\'']), "{}", qs);
            prop_assert_eq!(ListQuery::from_query_string(&qs).ok(), Some(ListQuery { filter: Some(sent), ..q }));
        }
    }
}

/// End to end: for every awkward value, a listing of `machineId eq v` (and of `triggeringAlertId in (v, ...)`
/// and `not (id eq v)`) through the client returns exactly the oracle's items.
#[test]
fn hostile_values_select_exactly_their_items_end_to_end() {
    let mut data = gen::bulk(3 * TEXTS.len(), 21);
    for (k, inv) in data.iter_mut().enumerate() {
        inv.machine_id = Some(TEXTS[k % TEXTS.len()].to_string());
        inv.triggering_alert_id = Some(TEXTS[(k * 7) % TEXTS.len()].to_string());
    }
    block_on(Duration::from_secs(120), async {
        let api = mock_with(&data, |b| b.per_minute(1_000_000).per_hour(1_000_000)).await;
        let mut driver = Driver::new(TOKEN, limits(0.001, Duration::from_millis(1)));
        for v in TEXTS {
            let cases: [(Filter, Expr); 3] = [
                (machine_id().eq(*v), Expr::Text(Field::MachineId, Op::Eq, TextLit::quoted(*v))),
                (
                    triggering_alert_id().is_in([*v, "x' or '1' eq '1"]).expect("a list"),
                    Expr::TextIn(
                        Field::TriggeringAlertId,
                        vec![TextLit::quoted(*v), TextLit::quoted("x' or '1' eq '1")],
                    ),
                ),
                (!id().eq(*v), Expr::Not(Box::new(Expr::Text(Field::Id, Op::Eq, TextLit::quoted(*v))))),
            ];
            for (filter, meaning) in cases {
                let text = filter.to_odata();
                let query = ListQuery { filter: Some(filter), ..ListQuery::default() };
                let options = ListingOptions { page_size: 10, retry: fast_retry(5), ..ListingOptions::default() };
                let mut listing = Listing::new(base(&api), query, options).expect("a listing");
                let (items, error) = driver.collect(&mut listing).await;
                assert!(error.is_none(), "`{text}`: {error:?}");
                let got: Vec<Record> = items.iter().map(record_from_core).collect();
                let want = oracle::select(&data, Some(&meaning));
                let ids: HashSet<&str> = got.iter().map(|r| r.id.as_str()).collect();
                assert_eq!(ids.len(), got.len(), "`{text}`: duplicates");
                assert!(got == want, "`{text}`: got {} items, the oracle {}", got.len(), want.len());
            }
        }
    });
}
