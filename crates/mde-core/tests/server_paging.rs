//! Listings against a fake service that pages itself, as OData services do: it serves at most `cap` items a
//! request whatever `$top` asks, and sends an `@odata.nextLink` for the rest of the `$top` it was asked for. The
//! oracle is the fake's collection: every investigation once, in the service's order, whatever the page size,
//! the cap, the total limit, the spelling of the links, how the driver reports pages, and a resume on the way.

use mde_core::exchange::Response;
use mde_core::query::{ListQuery, Top};
use mde_core::{Action, BaseUrl, Listing, ListingOptions, RateLimitConfig, RateLimiter};
use proptest::prelude::*;

/// How the fake spells its links.
#[derive(Debug, Clone, Copy)]
enum LinkStyle {
    /// `https://host/api/investigations?$top=..&$skip=..`
    Absolute,
    /// `/api/investigations?$skip=..&$top=..`
    Relative,
    /// A link also after the last page, when it was cut (it then names an empty page).
    Eager,
}

/// How the driver reports a page.
#[derive(Debug, Clone, Copy)]
enum Report {
    /// `handle_response`, then the page from `poll`.
    Whole,
    /// `handle_response_indexed` (the wasm binding's way).
    Indexed,
    /// `handle_body_chunk` in two chunks, then `handle_streamed_end`.
    Streamed,
}

/// One answer of the fake: the page body for the query string, and the ids in its `value`.
fn answer(total: usize, cap: usize, style: LinkStyle, qs: &str) -> (Vec<u8>, Vec<String>) {
    let q = ListQuery::from_query_string(qs).expect("the client sends valid queries");
    let top = q.top.map_or(10_000, |t| t.get() as usize);
    let skip = q.skip as usize;
    // Ids descending from `total`: the service's order.
    let ids: Vec<usize> = (0..total).rev().skip(skip).take(top.min(cap)).collect();
    let cut = top > cap && (skip + cap < total || matches!(style, LinkStyle::Eager));
    let items: Vec<String> = ids.iter().map(|i| format!(r#"{{"id":"{i}","state":"Running"}}"#)).collect();
    let link = match style {
        _ if !cut => String::new(),
        LinkStyle::Absolute | LinkStyle::Eager => format!(
            r#","@odata.nextLink":"https://api.security.microsoft.com/api/investigations?$top={}&$skip={}""#,
            top - cap,
            skip + cap
        ),
        LinkStyle::Relative => {
            format!(r#","@odata.nextLink":"/api/investigations?$skip={}&$top={}""#, skip + cap, top - cap)
        }
    };
    let body = format!(r#"{{"value":[{}]{link}}}"#, items.join(",")).into_bytes();
    (body, ids.iter().map(usize::to_string).collect())
}

fn style() -> impl Strategy<Value = LinkStyle> {
    prop_oneof![Just(LinkStyle::Absolute), Just(LinkStyle::Relative), Just(LinkStyle::Eager)]
}

fn report() -> impl Strategy<Value = Report> {
    prop_oneof![Just(Report::Whole), Just(Report::Indexed), Just(Report::Streamed)]
}

proptest! {
    #[test]
    fn a_service_that_pages_itself_loses_nothing(
        total in 0usize..80,
        page_size in 1u32..25,
        cap in 1usize..25,
        limit in proptest::option::of(1u32..90),
        style in style(),
        report in report(),
        split in 0usize..400,
        resume_after in proptest::option::of(1usize..8),
    ) {
        let base = BaseUrl::parse("https://api.security.microsoft.com").unwrap();
        let query = ListQuery { top: limit.map(|l| Top::new(l).unwrap()), ..ListQuery::default() };
        let options = ListingOptions { page_size, ..ListingOptions::default() };
        let mut listing = Listing::new(base.clone(), query, options.clone()).unwrap();
        let mut limiter = RateLimiter::new(RateLimitConfig::default());
        let mut now = 1_750_000_000_000u64;
        let mut delivered = Vec::new();
        let mut requests = 0;
        loop {
            match listing.poll(now, &mut limiter) {
                Action::Send(request) => {
                    requests += 1;
                    prop_assert!(requests <= 200, "the listing loops");
                    let qs = request.url.split_once('?').map_or("", |(_, q)| q);
                    let (body, ids) = answer(total, cap, style, qs);
                    let response = Response { status: 200, retry_after: None, retry_after_ms: None, body: &body };
                    match report {
                        Report::Whole => listing.handle_response(now, &mut limiter, &response),
                        Report::Indexed => {
                            let keep = listing.handle_response_indexed(now, &mut limiter, &response).unwrap();
                            delivered.extend(keep.into_iter().map(|i| ids[i].clone()));
                        }
                        Report::Streamed => {
                            let (a, b) = body.split_at(split.min(body.len()));
                            for chunk in [a, b] {
                                let got = listing.handle_body_chunk(chunk).unwrap();
                                delivered.extend(got.keep.into_iter().map(|i| ids[i].clone()));
                            }
                            let end = listing.handle_streamed_end(now, &mut limiter, 200, None, None).unwrap();
                            delivered.extend(end.keep.into_iter().map(|i| ids[i].clone()));
                        }
                    }
                    if resume_after == Some(requests) {
                        // A new listing from the token: it continues after what was handed on.
                        listing = Listing::resume(base.clone(), &listing.resume_token(), options.clone()).unwrap();
                    }
                }
                Action::Wait { duration, .. } => now += duration.as_millis() as u64,
                Action::Page(items) => delivered.extend(items.into_iter().map(|i| i.id)),
                Action::Done => break,
                other => prop_assert!(false, "unexpected {:?}", other),
            }
        }
        let wanted = limit.map_or(total, |l| total.min(l as usize));
        let expected: Vec<String> = (0..total).rev().take(wanted).map(|i| i.to_string()).collect();
        prop_assert_eq!(delivered, expected);
    }
}
