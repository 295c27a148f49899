//! The client's handling of `@odata.nextLink`, against the mock's links rather than stubs: links that advance
//! (followed or not, the listing is the oracle's, once), links that never advance (no loop), and links to
//! another origin (refused, nothing sent there, nothing lost before).

use std::time::Duration;

use mde_conformance::driver::Driver;
use mde_conformance::harness::{base, block_on, cases, fast_retry, limits, mock_with, TOKEN};
use mde_conformance::oracle::gen;
use mde_conformance::oracle::model::{record_from_core, Record};
use mde_conformance::oracle::{self};
use mde_core::{ErrorKind, ListQuery, Listing, ListingOptions};
use mde_mock::NextLinks;
use proptest::prelude::*;

const SCALE: f64 = 0.001;
const LIMIT: Duration = Duration::from_secs(120);

proptest! {
    #![proptest_config(cases(12))]

    #[test]
    fn every_link_mode_lists_the_oracles_set_once(
        data in gen::dataset(1, 120),
        page_size in 1u32..40,
        mode in proptest::sample::select(vec![NextLinks::Service, NextLinks::Always, NextLinks::Stale]),
    ) {
        block_on(LIMIT, async {
            let api = mock_with(&data, |b| b.time_scale(SCALE).next_links(mode)).await;
            let options = ListingOptions { page_size, retry: fast_retry(10), ..ListingOptions::default() };
            let mut listing = Listing::new(base(&api), ListQuery::default(), options)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            let mut driver = Driver::new(TOKEN, limits(SCALE, Duration::from_millis(3)));
            let (items, error) = driver.collect(&mut listing).await;
            prop_assert!(error.is_none(), "{:?}: {:?}", mode, error);
            let got: Vec<Record> = items.iter().map(record_from_core).collect();
            prop_assert_eq!(got, oracle::select(&data, None), "{:?}", mode);
            // Never more calls than pages (plus the one that finds the end): no loop on stale links.
            let calls = api.journal().await.len();
            prop_assert!(calls <= data.len() / page_size as usize + 2, "{:?}: {} calls", mode, calls);
            Ok::<(), TestCaseError>(())
        })?;
    }
}

#[test]
fn a_link_to_another_origin_ends_the_listing_after_its_page() {
    let data = gen::bulk(30, 3);
    block_on(LIMIT, async {
        let api = mock_with(&data, |b| b.time_scale(SCALE).next_links(NextLinks::Foreign)).await;
        let options = ListingOptions { page_size: 10, retry: fast_retry(3), ..ListingOptions::default() };
        let mut listing = Listing::new(base(&api), ListQuery::default(), options).unwrap();
        let mut driver = Driver::new(TOKEN, limits(SCALE, Duration::from_millis(3)));
        let (items, error) = driver.collect(&mut listing).await;
        let error = error.expect("a foreign link is an error");
        assert_eq!(error.kind(), ErrorKind::ForeignOrigin, "{error}");
        // The page that came with the link was delivered; only the mock was ever called.
        let expected: Vec<Record> = oracle::select(&data, None).into_iter().take(10).collect();
        assert_eq!(items.iter().map(record_from_core).collect::<Vec<_>>(), expected);
        assert_eq!(api.journal().await.len(), 1);
    });
}
