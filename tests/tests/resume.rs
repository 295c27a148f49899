//! Point 6: a listing stopped at a random point (by the caller after some pages or inside a page, or by a failure
//! it gave up on) and resumed from its token in a new client yields the oracle's set exactly once across both runs.

use std::collections::HashSet;
use std::time::Duration;

use mde_conformance::driver::Driver;
use mde_conformance::harness::{base, block_on, cases, fast_retry, limits, mock_with, TOKEN};
use mde_conformance::oracle::model::{record_from_core, to_core, Record};
use mde_conformance::oracle::time;
use mde_conformance::oracle::{self, gen};
use mde_core::{Filter, ListQuery, Listing, ListingOptions, RateLimiter, Timestamp};
use mde_mock::Fault;
use proptest::prelude::*;

const SCALE: f64 = 0.001;
const LIMIT: Duration = Duration::from_secs(120);

/// How the first run stops.
#[derive(Debug, Clone, Copy)]
enum Stop {
    /// The caller stops after this many pages.
    AfterPages(usize),
    /// The caller stops after this many pages and this many investigations of the next one (a `break` in a loop
    /// over items).
    InsidePage(usize, usize),
    /// After this many pages, the service fails the next call with this fault, and the client (allowed one
    /// attempt) gives up.
    Failure(usize, Fault),
}

fn stop() -> impl Strategy<Value = Stop> {
    let fault = proptest::sample::select(vec![
        Fault::InternalServerError,
        Fault::ServiceUnavailable,
        Fault::CloseConnection,
        Fault::TruncatedBody,
    ]);
    prop_oneof![
        2 => (0usize..12).prop_map(Stop::AfterPages),
        2 => (0usize..12, 0usize..30).prop_map(|(n, k)| Stop::InsidePage(n, k)),
        1 => (0usize..12, fault).prop_map(|(n, f)| Stop::Failure(n, f)),
    ]
}

proptest! {
    #![proptest_config(cases(48))]

    #[test]
    fn a_resumed_listing_completes_exactly_once(
        data in gen::dataset(0, 120),
        filter in proptest::option::weighted(0.5, (gen::filter(), gen::style())),
        page_size in prop_oneof![2 => 1u32..=4, 1 => 5u32..=30],
        stop in stop(),
        snapshot in proptest::option::of(proptest::sample::select(gen::pool_instants())),
        seed in 0u64..1_000_000,
    ) {
        block_on(LIMIT, async {
            let api = mock_with(&data, |b| b.time_scale(SCALE)).await;
            let query = ListQuery {
                filter: filter.as_ref().map(|(f, s)| Filter::parse(&f.to_odata(*s)).expect("valid")),
                ..ListQuery::default()
            };
            let snapshot_at = snapshot.map(|at| Timestamp::parse(&time::render(at, 9, 0, true)).expect("RFC 3339"));
            let config = limits(SCALE, Duration::from_millis(3));
            let (pages, inside, fail_with) = match stop {
                Stop::AfterPages(n) => (n, None, None),
                Stop::InsidePage(n, k) => (n, Some(k), None),
                Stop::Failure(n, f) => (n, None, Some(f)),
            };
            let attempts = if fail_with.is_some() { 1 } else { 20 };
            let options = ListingOptions { page_size, snapshot_at, retry: fast_retry(attempts), ..Default::default() };
            let mut listing = Listing::new(base(&api), query, options).expect("a listing");

            // First run: stop after `pages` pages (and part of the next), by choice or by a failure.
            let mut first = Driver::new(TOKEN, config.clone());
            let mut got: Vec<Record> = Vec::new();
            let mut delivered = 0;
            let mut consumed = usize::MAX;
            loop {
                if delivered == pages {
                    match (fail_with, inside) {
                        (Some(fault), _) => api.plan_faults([fault]).await,
                        (None, None) => break,
                        (None, Some(_)) => {}
                    }
                }
                match first.next_page(&mut listing).await {
                    Some(Ok(page)) if delivered == pages && inside.is_some() => {
                        // Hand on part of this page and stop.
                        let k = inside.unwrap_or(0).min(page.len());
                        got.extend(page[..k].iter().map(record_from_core));
                        consumed = k;
                        break;
                    }
                    Some(Ok(page)) => {
                        got.extend(page.iter().map(record_from_core));
                        delivered += 1;
                    }
                    Some(Err(_)) | None => break,
                }
            }
            let token = listing.resume_token_after(consumed);
            let spent = first.limiter.export();
            drop(listing);
            drop(first);

            // Between the runs, in snapshot mode, new investigations arrive (they must not appear).
            if let Some(at) = snapshot {
                api.add_investigations(gen::arrivals(7, at, seed).iter().map(to_core).collect()).await;
            }

            // Second run: a new client that knows what the first one spent, from the token alone.
            let limiter = RateLimiter::import(config.clone(), &spent).expect("the export imports");
            let mut second = Driver::with_limiter(TOKEN, limiter);
            let options = ListingOptions { retry: fast_retry(20), ..ListingOptions::default() };
            let mut resumed = Listing::resume(base(&api), &token, options).expect("the token resumes");
            let (rest, error) = second.collect(&mut resumed).await;
            prop_assert!(error.is_none(), "the resumed listing failed: {:?}", error);
            got.extend(rest.iter().map(record_from_core));

            let mut want = oracle::select(&data, filter.as_ref().map(|(f, _)| f));
            if let Some(at) = snapshot {
                want.retain(|r| r.start.is_some_and(|s| s < at));
            }
            let mut ids = HashSet::new();
            let twice: Vec<&str> = got.iter().filter(|r| !ids.insert(r.id.clone())).map(|r| r.id.as_str()).collect();
            prop_assert!(twice.is_empty(), "delivered twice across the runs: {:?}", twice);
            let missing: Vec<&str> = want.iter().filter(|r| !ids.contains(&r.id)).map(|r| r.id.as_str()).collect();
            prop_assert!(missing.is_empty(), "lost across the runs: {:?}", missing);
            prop_assert!(got == want, "not the oracle's items or order");
            Ok(())
        })?;
    }
}
