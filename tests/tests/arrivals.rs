//! Point 5: investigations appended during a snapshot listing neither appear nor shift the pages: the listing
//! delivers exactly the oracle's selection of the data as it was, bounded by the snapshot instant.

use std::collections::HashSet;
use std::time::Duration;

use mde_conformance::driver::Driver;
use mde_conformance::harness::{base, block_on, cases, fast_retry, limits, mock_with, TOKEN};
use mde_conformance::oracle::model::{record_from_core, to_core, Inv, Record};
use mde_conformance::oracle::time::{self, Instant};
use mde_conformance::oracle::{self, gen};
use mde_core::{Filter, ListQuery, Listing, ListingOptions, Timestamp};
use proptest::prelude::*;

const SCALE: f64 = 0.001;
const LIMIT: Duration = Duration::from_secs(120);

/// The snapshot bound: one of the pool's instants (so data falls on both sides of it and exactly on it).
fn snapshot() -> impl Strategy<Value = Instant> {
    proptest::sample::select(gen::pool_instants())
}

/// The oracle: what `filter` selects among the data that started strictly before `at`.
fn expected(data: &[Inv], filter: Option<&mde_conformance::oracle::filter::Expr>, at: Instant) -> Vec<Record> {
    oracle::select(data, filter).into_iter().filter(|r| r.start.is_some_and(|s| s < at)).collect()
}

proptest! {
    #![proptest_config(cases(48))]

    #[test]
    fn arrivals_neither_appear_nor_shift_pages(
        data in gen::dataset(0, 150),
        filter in proptest::option::weighted(0.5, (gen::filter(), gen::style())),
        page_size in prop_oneof![2 => 1u32..=5, 1 => 6u32..=40],
        at in snapshot(),
        per_page in 1usize..=6,
        seed in 0u64..1_000_000,
    ) {
        block_on(LIMIT, async {
            let api = mock_with(&data, |b| b.time_scale(SCALE)).await;
            let query = ListQuery {
                filter: filter.as_ref().map(|(f, s)| Filter::parse(&f.to_odata(*s)).expect("valid")),
                ..ListQuery::default()
            };
            let snapshot_at = Timestamp::parse(&time::render(at, 9, 0, true)).expect("the oracle writes RFC 3339");
            let options = ListingOptions {
                page_size,
                snapshot_at: Some(snapshot_at),
                retry: fast_retry(20),
                ..ListingOptions::default()
            };
            let mut listing = Listing::new(base(&api), query, options).expect("a listing");
            let mut driver = Driver::new(TOKEN, limits(SCALE, Duration::from_millis(3)));
            let mut got = Vec::new();
            let mut arrived = HashSet::new();
            let mut page_no = 0;
            while let Some(page) = driver.next_page(&mut listing).await {
                let page = page.map_err(|e| TestCaseError::fail(format!("the listing failed: {e}")))?;
                got.extend(page.iter().map(record_from_core));
                // New investigations start while the export runs: at or after the snapshot instant.
                let new = gen::arrivals(per_page, at, seed * 1_000 + page_no);
                arrived.extend(new.iter().map(|i| i.id.clone()));
                api.add_investigations(new.iter().map(to_core).collect()).await;
                page_no += 1;
            }
            let leaked: Vec<&Record> = got.iter().filter(|r| arrived.contains(&r.id)).collect();
            prop_assert!(leaked.is_empty(), "arrivals appeared: {:?}", leaked);
            let want = expected(&data, filter.as_ref().map(|(f, _)| f), at);
            let mut ids = HashSet::new();
            prop_assert!(got.iter().all(|r| ids.insert(r.id.clone())), "an item was delivered twice");
            prop_assert_eq!(got.len(), want.len());
            prop_assert!(got == want, "not the oracle's items or order");
            Ok(())
        })?;
    }
}
