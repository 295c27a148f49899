//! The design's paging promise beyond the mock's well-behaved pages: "the client pages itself with
//! `$top`/`$skip`, treats a `nextLink` as an untrusted hint, stops on a short page, and never loops".
//!
//! The stubs here are servers that misbehave in ways the real service has in other list APIs: a same-origin
//! `nextLink` that points back to the start, and a server that ignores `$skip`.

use std::collections::HashSet;
use std::time::Duration;

use mde_conformance::driver::Driver;
use mde_conformance::harness::{block_on, fast_retry, limits, TOKEN};
use mde_conformance::oracle::gen;
use mde_conformance::oracle::model::Inv;
use mde_core::{BaseUrl, ListQuery, Listing, ListingOptions};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const LIMIT: Duration = Duration::from_secs(60);

/// A list endpoint over `items` that honours `$top`/`$skip` (or ignores `$skip`), and adds `link` as
/// `@odata.nextLink` to every page.
struct Pages {
    items: Vec<serde_json::Value>,
    link: Option<String>,
    honour_skip: bool,
}

/// A list endpoint that serves `filtered` for calls with a `$filter` and `all` for calls without one, and links
/// every page to the unfiltered list.
struct FilterDroppingLink {
    filtered: Vec<serde_json::Value>,
    all: Vec<serde_json::Value>,
    link: String,
}

impl Respond for FilterDroppingLink {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let has_filter = req.url.query_pairs().any(|(k, _)| k == "$filter");
        let skip = req.url.query_pairs().find(|(k, _)| k == "$skip").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
        let items = if has_filter { &self.filtered } else { &self.all };
        let value: Vec<_> = items.iter().skip(skip).take(2).cloned().collect();
        ResponseTemplate::new(200).set_body_json(serde_json::json!({ "value": value, "@odata.nextLink": self.link }))
    }
}

impl Respond for Pages {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let param =
            |name: &str| req.url.query_pairs().find(|(k, _)| k == name).and_then(|(_, v)| v.parse::<usize>().ok());
        let skip = if self.honour_skip { param("$skip").unwrap_or(0) } else { 0 };
        let top = param("$top").unwrap_or(10_000);
        let value: Vec<_> = self.items.iter().skip(skip).take(top).cloned().collect();
        let mut body = serde_json::json!({ "value": value });
        if let Some(link) = &self.link {
            body["@odata.nextLink"] = serde_json::Value::String(link.clone());
        }
        ResponseTemplate::new(200).set_body_json(body)
    }
}

/// Lists from a stub with pages of 2 for at most `seconds`: `Err` when the listing fails or is still going.
async fn list(stub: &MockServer, seconds: u64) -> Result<Vec<String>, String> {
    list_query(stub, seconds, ListQuery::default()).await
}

async fn list_query(stub: &MockServer, seconds: u64, query: ListQuery) -> Result<Vec<String>, String> {
    let base = BaseUrl::parse(&stub.uri()).expect("a base URL");
    let options = ListingOptions { page_size: 2, retry: fast_retry(2), ..ListingOptions::default() };
    let mut listing = Listing::new(base, query, options).expect("a listing");
    let mut driver = Driver::new(TOKEN, limits(0.001, Duration::ZERO));
    let run = tokio::time::timeout(Duration::from_secs(seconds), driver.collect(&mut listing)).await;
    match run {
        Ok((items, None)) => Ok(items.into_iter().map(|i| i.id).collect()),
        Ok((_, Some(e))) => Err(format!("failed: {e}")),
        Err(_) => Err(format!("still going after {seconds} s and {} calls", driver.stats.sent.len())),
    }
}

async fn stub(items: &[Inv], link: impl FnOnce(&str) -> Option<String>, honour_skip: bool) -> MockServer {
    let server = MockServer::start().await;
    let link = link(&server.uri());
    let items = items.iter().map(Inv::to_json).collect();
    Mock::given(method("GET"))
        .and(path("/api/investigations"))
        .respond_with(Pages { items, link, honour_skip })
        .mount(&server)
        .await;
    server
}

/// Control: a well-behaved server without links gives everything once, in four calls.
#[test]
fn control_a_plain_server_lists_everything() {
    let data = gen::bulk(6, 9);
    block_on(LIMIT, async {
        let server = stub(&data, |_| None, true).await;
        let ids = list(&server, 10).await.unwrap();
        assert_eq!(ids, data.iter().map(|i| i.id.clone()).collect::<Vec<_>>());
    });
}

/// A same-origin `nextLink` that points back to the first page: following it must not lose the items the
/// listing's own `$skip` paging would have fetched. Fails today: items 3 and 4 are never delivered, because the
/// repeated page that the link returned advances the `$skip` position as if it had been the next page.
#[test]
fn a_looping_same_origin_next_link_loses_nothing() {
    let data = gen::bulk(6, 9);
    block_on(LIMIT, async {
        let server = stub(&data, |uri| Some(format!("{uri}/api/investigations?$top=2&$skip=0")), true).await;
        let ids = list(&server, 10).await.unwrap();
        let unique: HashSet<&String> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len(), "duplicates: {ids:?}");
        let want: Vec<String> = data.iter().map(|i| i.id.clone()).collect();
        let missing: Vec<&String> = want.iter().filter(|id| !unique.contains(id)).collect();
        assert!(missing.is_empty(), "lost {missing:?}; delivered {ids:?}");
    });
}

/// A `nextLink` that skips ahead (`$skip=4` after the first page) must not make the listing skip the items
/// between either.
#[test]
fn a_next_link_that_skips_ahead_loses_nothing() {
    let data = gen::bulk(6, 9);
    block_on(LIMIT, async {
        let server = stub(&data, |uri| Some(format!("{uri}/api/investigations?$top=2&$skip=4")), true).await;
        let ids = list(&server, 10).await.unwrap();
        let unique: HashSet<&String> = ids.iter().collect();
        let missing: Vec<String> = data.iter().map(|i| i.id.clone()).filter(|id| !unique.contains(id)).collect();
        assert!(missing.is_empty(), "lost {missing:?}; delivered {ids:?}");
    });
}

/// A server that ignores `$skip` and serves the same full page forever: the listing must end (an error is
/// fine) instead of calling forever. Fails today: every page is full, so the listing never sees a short page.
#[test]
fn a_server_that_ignores_skip_cannot_make_the_listing_loop() {
    let data = gen::bulk(6, 9);
    block_on(LIMIT, async {
        let server = stub(&data, |_| None, false).await;
        match list(&server, 5).await {
            Ok(ids) => assert_eq!(&ids, &data[..2].iter().map(|i| i.id.clone()).collect::<Vec<_>>()),
            Err(e) => assert!(e.starts_with("failed"), "{e}"),
        }
    });
}

/// A same-origin `nextLink` that drops the listing's `$filter`: the listing must still deliver only
/// investigations that match its filter. Fails today: the link's page is delivered as it is.
#[test]
fn a_next_link_without_the_filter_delivers_nothing_outside_it() {
    let mut data = gen::bulk(6, 9);
    for (k, inv) in data.iter_mut().enumerate() {
        inv.state = if k % 2 == 0 { "Running" } else { "Benign" }.to_string();
    }
    block_on(LIMIT, async {
        let server = MockServer::start().await;
        let running: Vec<&Inv> = data.iter().filter(|i| i.state == "Running").collect();
        let responder = FilterDroppingLink {
            filtered: running.iter().map(|i| i.to_json()).collect(),
            all: data.iter().map(Inv::to_json).collect(),
            link: format!("{}/api/investigations?$top=2", server.uri()),
        };
        Mock::given(method("GET")).and(path("/api/investigations")).respond_with(responder).mount(&server).await;
        let query = ListQuery {
            filter: Some(mde_core::filter::state().eq(mde_core::InvestigationState::Running)),
            ..ListQuery::default()
        };
        let ids = list_query(&server, 10, query).await.unwrap();
        let outside: Vec<&String> = ids.iter().filter(|id| !running.iter().any(|r| &r.id == *id)).collect();
        assert!(outside.is_empty(), "delivered investigations outside the filter: {outside:?} of {ids:?}");
    });
}
