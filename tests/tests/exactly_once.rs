//! Point 3: a full listing through the client (mde-core's `Listing` pumped by the native driver), for page
//! sizes from 1 to 10,000, returns the oracle's set, in the documented order, with no duplicate and no gap.

use std::collections::HashSet;
use std::time::Duration;

use mde_conformance::driver::Driver;
use mde_conformance::harness::{base, block_on, cases, fast_retry, limits, mock_with};
use mde_conformance::oracle::filter::{Expr, Style};
use mde_conformance::oracle::gen;
use mde_conformance::oracle::model::{record_from_core, Inv, Record};
use mde_conformance::oracle::{self};
use mde_core::query::Top;
use mde_core::{Filter, ListQuery, Listing, ListingOptions};
use proptest::prelude::*;

const SCALE: f64 = 0.001;
const LIMIT: Duration = Duration::from_secs(150);

/// Lists everything `filter` selects (from `skip`, at most `total`) with pages of `page_size`.
async fn list_all(
    data: &[Inv],
    filter: Option<&(Expr, Style)>,
    page_size: u32,
    skip: u64,
    total: Option<u32>,
) -> Result<(Vec<Record>, Driver), TestCaseError> {
    let api = mock_with(data, |b| b.time_scale(SCALE)).await;
    let query = ListQuery {
        filter: filter.map(|(f, s)| Filter::parse(&f.to_odata(*s)).expect("the oracle writes valid filters")),
        top: total.map(|t| Top::new(t).expect("1..=10000")),
        skip,
    };
    let options = ListingOptions { page_size, retry: fast_retry(20), ..ListingOptions::default() };
    let mut listing = Listing::new(base(&api), query, options).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let mut driver = Driver::new(mde_conformance::harness::TOKEN, limits(SCALE, Duration::from_millis(3)));
    let (items, error) = driver.collect(&mut listing).await;
    if let Some(e) = error {
        return Err(TestCaseError::fail(format!("the listing failed: {e}")));
    }
    Ok((items.iter().map(record_from_core).collect(), driver))
}

fn assert_exactly_once(got: &[Record], expected: &[Record]) -> Result<(), TestCaseError> {
    let mut ids = HashSet::new();
    for r in got {
        prop_assert!(ids.insert(&r.id), "{} delivered twice", r.id);
    }
    let missing: Vec<&str> = expected.iter().filter(|r| !ids.contains(&r.id)).map(|r| r.id.as_str()).collect();
    prop_assert!(missing.is_empty(), "never delivered: {:?}", missing);
    prop_assert_eq!(got.len(), expected.len(), "items the oracle does not select were delivered");
    prop_assert!(got == expected, "same set, but not the oracle's order or content");
    Ok(())
}

fn page_size() -> impl Strategy<Value = u32> {
    prop_oneof![4 => 1u32..=5, 4 => 6u32..=60, 1 => 61u32..=10_000, 1 => Just(9_999), 1 => Just(10_000)]
}

proptest! {
    #![proptest_config(cases(24))]

    #[test]
    fn a_full_listing_is_the_oracles_set_exactly_once(
        data in gen::dataset(0, 200),
        filter in proptest::option::of((gen::filter(), gen::style())),
        page_size in page_size(),
        skip in prop_oneof![3 => Just(0u64), 1 => 0u64..40],
        total in proptest::option::weighted(0.25, 1u32..150),
    ) {
        block_on(LIMIT, async {
            let (got, _) = list_all(&data, filter.as_ref(), page_size, skip, total).await?;
            let selected = oracle::select(&data, filter.as_ref().map(|(f, _)| f));
            let expected: Vec<Record> = selected
                .into_iter()
                .skip(skip as usize)
                .take(total.map_or(usize::MAX, |t| t as usize))
                .collect();
            assert_exactly_once(&got, &expected)
        })?;
    }
}

/// Real 10,000-item pages: 25,001 awkward investigations with pages of 10,000 and 9,999, with and without a
/// filter; the number of calls is the fewest possible.
#[test]
fn ten_thousand_item_pages() {
    let data = gen::bulk(25_001, 3);
    let running = (mde_conformance::oracle::filter::Expr::State(false, "Running".into()), Style::default());
    for (page_size, filter, calls) in [(10_000, None, 3), (9_999, None, 3), (10_000, Some(&running), 3)] {
        block_on(LIMIT, async {
            let (got, driver) = list_all(&data, filter, page_size, 0, None).await.unwrap();
            let expected = oracle::select(&data, filter.map(|(f, _)| f));
            assert_exactly_once(&got, &expected).unwrap();
            assert_eq!(driver.stats.sent.len(), calls, "page size {page_size}: {:?}", driver.stats.sent);
        });
    }
}
