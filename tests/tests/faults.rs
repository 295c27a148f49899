//! Point 4: under 5xx answers, closed connections, truncated bodies (up to 30% of the calls) and 429 bursts
//! from a second client spending the same token's budget, a listing still delivers the oracle's set exactly
//! once; the mock's journal shows that the client never came back before a `Retry-After` had passed and that
//! every 429 it got was caused by the other client's spending.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use mde_conformance::driver::Driver;
use mde_conformance::harness::{
    base, block_on, cases, check_throttling, fast_retry, get, is_spender, limits, mock_with, spawn_spender, TOKEN,
};
use mde_conformance::oracle::gen;
use mde_conformance::oracle::model::{record_from_core, Inv, Record};
use mde_conformance::oracle::{self, filter::Expr, filter::Style};
use mde_core::{Filter, ListQuery, Listing, ListingOptions};
use mde_mock::{Fault, JournalEntry, MockApi};
use proptest::prelude::*;

/// A minute lasts 600 ms, an hour 36 s.
const SCALE: f64 = 0.01;
const LIMIT: Duration = Duration::from_secs(150);
/// The mock's windows at this scale: (length in ms, calls allowed).
const WINDOWS: [(u64, usize); 2] = [(600, 100), (36_000, 1_500)];

/// A mock at `SCALE`; `precise`: it also sends `retry-after-ms` with its 429s (the service sends only
/// `Retry-After`, in whole seconds, which a time-scaled test waits out at full length).
async fn mock(data: &[Inv], fault_rate: f64, seed: u64, precise: bool) -> MockApi {
    mock_with(data, |b| b.time_scale(SCALE).fault_rate(fault_rate).seed(seed).retry_after_ms(precise)).await
}

fn driver() -> Driver {
    Driver::new(TOKEN, limits(SCALE, Duration::from_millis(10)))
}

async fn list(api: &MockApi, driver: &mut Driver, filter: Option<&(Expr, Style)>, page_size: u32) -> Vec<Record> {
    let query = ListQuery {
        filter: filter.map(|(f, s)| Filter::parse(&f.to_odata(*s)).expect("valid")),
        ..ListQuery::default()
    };
    let options = ListingOptions { page_size, retry: fast_retry(40), jitter_seed: 7, ..ListingOptions::default() };
    let mut listing = Listing::new(base(api), query, options).expect("a listing");
    let (items, error) = driver.collect(&mut listing).await;
    assert!(error.is_none(), "the listing failed: {error:?}");
    items.iter().map(record_from_core).collect()
}

fn exactly_once(got: &[Record], expected: &[Record]) -> Result<(), String> {
    let mut ids = HashSet::new();
    if let Some(r) = got.iter().find(|r| !ids.insert(r.id.clone())) {
        return Err(format!("{} delivered twice", r.id));
    }
    if got != expected {
        return Err(format!("got {} items, the oracle {}, or another order", got.len(), expected.len()));
    }
    Ok(())
}

/// The client's entries are the ones without the spender's mark.
fn client(e: &JournalEntry) -> bool {
    !is_spender(e)
}

proptest! {
    #![proptest_config(cases(6))]

    #[test]
    fn exactly_once_under_faults_and_a_competing_client(
        data in gen::dataset(200, 400),
        filter in proptest::option::weighted(0.3, (gen::filter(), gen::style())),
        page_size in 2u32..=4,
        fault_rate in 0.0f64..=0.3,
        seed in any::<u64>(),
    ) {
        block_on(LIMIT, async {
            let api = mock(&data, fault_rate, seed, true).await;
            let stop = Arc::new(AtomicBool::new(false));
            let spender = spawn_spender(api.uri(), seed, stop.clone());
            let mut driver = driver();
            let got = list(&api, &mut driver, filter.as_ref(), page_size).await;
            stop.store(true, Ordering::Relaxed);
            let spent = spender.await.unwrap_or(0);
            let expected = oracle::select(&data, filter.as_ref().map(|(f, _)| f));
            exactly_once(&got, &expected).map_err(TestCaseError::fail)?;
            let journal = api.journal().await;
            let throttled = check_throttling(&journal, client, &WINDOWS).map_err(TestCaseError::fail)?;
            let faults = journal.iter().filter(|e| client(e) && e.fault.is_some()).count();
            eprintln!(
                "{} items, page {page_size}, fault rate {fault_rate:.2}: {} client calls ({faults} faults, \
                 {throttled} throttled), {spent} spender calls",
                got.len(),
                driver.stats.sent.len()
            );
            Ok::<(), TestCaseError>(())
        })?;
    }
}

/// The other client spends the whole minute just before ours starts: our first call gets a 429, which we wait
/// out exactly once, and the listing completes; the journal proves the 429 was the other client's doing. The
/// mock answers as the service does, with `Retry-After` in whole seconds only.
#[test]
fn a_budget_spent_by_another_client_is_waited_out() {
    let data = gen::bulk(60, 11);
    block_on(LIMIT, async {
        let api = mock(&data, 0.0, 1, false).await;
        let http = reqwest::Client::new();
        for _ in 0..100 {
            let a = get(&http, &api.uri(), &format!("/api/investigations?$top=1&{}", "spender=1")).await;
            assert_eq!(a.status, 200);
        }
        let mut driver = driver();
        let got = list(&api, &mut driver, None, 25).await;
        exactly_once(&got, &oracle::select(&data, None)).unwrap();
        let journal = api.journal().await;
        let throttled = check_throttling(&journal, client, &WINDOWS).unwrap();
        assert!(throttled >= 1, "the client was never throttled: {:?}", driver.stats.statuses);
        assert_eq!(driver.stats.statuses.iter().filter(|s| **s == 429).count(), throttled);
    });
}

/// Each kind of fault, planned, on the first calls: 500, 503, a closed connection, a truncated 200 body, an
/// injected 429 and a CPU throttle (both with `Retry-After` in whole seconds only, as the service sends them);
/// the listing retries each and delivers everything once, honouring the 429s' waits.
#[test]
fn every_kind_of_fault_is_retried() {
    let data = gen::bulk(50, 12);
    block_on(LIMIT, async {
        let api = mock(&data, 0.0, 2, false).await;
        let plan = [
            Fault::InternalServerError,
            Fault::ServiceUnavailable,
            Fault::CloseConnection,
            Fault::TruncatedBody,
            Fault::TooManyRequests,
            Fault::CpuThrottle,
            Fault::TruncatedBody,
            Fault::CloseConnection,
        ];
        api.plan_faults(plan).await;
        let mut driver = driver();
        let got = list(&api, &mut driver, None, 10).await;
        exactly_once(&got, &oracle::select(&data, None)).unwrap();
        let journal = api.journal().await;
        let faults: Vec<Fault> = journal.iter().filter_map(|e| e.fault).collect();
        assert_eq!(faults, plan);
        check_throttling(&journal, client, &WINDOWS).unwrap();
        assert_eq!(driver.stats.transport_errors, 4, "closed connections and truncated bodies");
        assert_eq!(journal.len(), plan.len() + 6, "five full pages, one short, and one call per fault");
    });
}
