//! Simulation of whole listings against an in-test fake service with random data, faults and arrivals.
//!
//! Invariants checked for every run:
//! - the investigations delivered are exactly the expected set, each once (also across a resume);
//! - no request is sent while a `Retry-After` the fake gave is still running;
//! - no 60 s window holds more than 100 requests and no 3,600 s window more than 1,500 (brute-force count);
//! - nothing is lost on failure: a listing that fails keeps what it delivered and its resume token continues;
//! - a token taken at any investigation (inside a page, with a page waiting, after a failure) resumes right
//!   after it: what came before and what comes after are the listing, each once.
//!
//! The fake orders by `startTime` descending then id descending, pages with `$top`/`$skip`, and evaluates the
//! bound of snapshot mode itself (it reads the `startTime lt` bound out of the filter text with a regex-free
//! scan), so the only shared code is the query-string decoding.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use mde_core::base_url::BaseUrl;
use mde_core::exchange::Response;
use mde_core::limiter::{RateLimitConfig, RateLimiter};
use mde_core::listing::{Action, Listing, ListingOptions};
use mde_core::query::ListQuery;
use mde_core::retry::RetryPolicy;
use mde_core::{Investigation, InvestigationState, Timestamp};
use proptest::prelude::*;

const T0: u64 = 1_750_000_000_000;

#[derive(Debug, Clone)]
enum Fault {
    None,
    Throttle(u64),
    Status(u16),
    Transport,
    Truncate,
}

struct FakeService {
    items: Vec<Investigation>,
    faults: Vec<Fault>,
    calls: usize,
    sent_at: Vec<u64>,
    blocked_until: u64,
    arrivals_per_call: usize,
    next_id: u64,
}

fn inv(id: u64, start_ms: Option<i64>) -> Investigation {
    Investigation {
        id: id.to_string(),
        start_time: start_ms.and_then(Timestamp::from_unix_millis),
        end_time: None,
        state: InvestigationState::Running,
        cancelled_by: None,
        status_details: Some("it's & # + % \u{e9}".into()),
        machine_id: Some("a69a22debe5f274d8765ea3c368d00762e057b30".into()),
        computer_dns_name: None,
        triggering_alert_id: None,
    }
}

/// The `startTime lt X` bound of a filter text, found by hand (the snapshot filter ends with it).
fn bound_of(filter_text: &str) -> Option<Timestamp> {
    let at = filter_text.rfind("startTime lt ")?;
    let rest = &filter_text[at + "startTime lt ".len()..];
    let end = rest.find([' ', ')']).unwrap_or(rest.len());
    Timestamp::parse(&rest[..end]).ok()
}

impl FakeService {
    fn sorted(&self, bound: Option<Timestamp>) -> Vec<&Investigation> {
        let mut v: Vec<&Investigation> =
            self.items.iter().filter(|i| bound.is_none_or(|b| i.start_time.is_some_and(|t| t < b))).collect();
        v.sort_by(|a, b| {
            b.start_time.cmp(&a.start_time).then_with(|| {
                let (x, y) = (a.id.parse::<u64>().unwrap(), b.id.parse::<u64>().unwrap());
                y.cmp(&x)
            })
        });
        v
    }

    /// Answers one request at `now`; `Err` is a transport failure.
    fn answer(&mut self, now: u64, url: &str) -> Result<(u16, Option<String>, Vec<u8>), String> {
        assert!(now >= self.blocked_until, "request at {now} before Retry-After ended at {}", self.blocked_until);
        self.sent_at.push(now);
        for (window, limit) in [(60_000u64, 100usize), (3_600_000, 1_500)] {
            let in_window = self.sent_at.iter().filter(|&&t| t + window > now).count();
            assert!(in_window <= limit, "{in_window} calls in the {window} ms window ending at {now}");
        }
        let fault = self.faults.get(self.calls).cloned().unwrap_or(Fault::None);
        self.calls += 1;
        for _ in 0..self.arrivals_per_call {
            self.next_id += 1;
            self.items.push(inv(self.next_id, Some(now as i64)));
        }
        let qs = url.split_once('?').map_or("", |(_, q)| q);
        let query = ListQuery::from_query_string(qs).expect("the client sends valid queries");
        let bound = query.filter.as_ref().and_then(|f| bound_of(&f.to_odata()));
        let top = query.top.map_or(10_000, |t| t.get() as usize);
        let page: Vec<&Investigation> = self.sorted(bound).into_iter().skip(query.skip as usize).take(top).collect();
        let body = serde_json::to_vec(&serde_json::json!({
            "@odata.context": "http://127.0.0.1:9/api/$metadata#Investigations",
            "value": page,
        }))
        .unwrap();
        match fault {
            Fault::None => Ok((200, None, body)),
            Fault::Throttle(secs) => {
                self.blocked_until = now + secs * 1000;
                Ok((
                    429,
                    Some(secs.to_string()),
                    br#"{"error":{"code":"TooManyRequests","message":"slow down","target":"x"}}"#.to_vec(),
                ))
            }
            Fault::Status(s) => Ok((s, None, b"{\"error\":{\"code\":\"InternalServerError\"}}".to_vec())),
            Fault::Transport => Err("connection reset".into()),
            Fault::Truncate => Ok((200, None, body[..body.len() / 2].to_vec())),
        }
    }
}

struct Run {
    delivered: Vec<String>,
    token: String,
    outcome: Option<mde_core::Error>,
}

/// Pumps a listing until it ends or `stop_after_pages` pages were delivered; advances the clock on waits.
fn drive(
    listing: &mut Listing,
    limiter: &mut RateLimiter,
    fake: &mut FakeService,
    now: &mut u64,
    stop_after_pages: Option<usize>,
) -> Run {
    let mut delivered = Vec::new();
    let mut pages = 0;
    for _ in 0..100_000 {
        match listing.poll(*now, limiter) {
            Action::Send(req) => {
                assert!(req.url.starts_with("http://127.0.0.1:9/api/investigations"), "{}", req.url);
                *now += 7;
                match fake.answer(*now, &req.url) {
                    Ok((status, retry_after, body)) => {
                        let response =
                            Response { status, retry_after: retry_after.as_deref(), retry_after_ms: None, body: &body };
                        listing.handle_response(*now, limiter, &response);
                    }
                    Err(msg) => listing.handle_transport_error(*now, &msg),
                }
            }
            Action::Wait { duration, .. } => {
                assert!(duration > Duration::ZERO);
                *now += duration.as_millis() as u64;
            }
            Action::Page(items) => {
                delivered.extend(items.into_iter().map(|i| i.id));
                pages += 1;
                if stop_after_pages == Some(pages) {
                    return Run { delivered, token: listing.resume_token(), outcome: None };
                }
            }
            Action::Done => return Run { delivered, token: listing.resume_token(), outcome: None },
            Action::Fail(e) => return Run { delivered, token: listing.resume_token(), outcome: Some(e) },
            other => panic!("an action this test does not know: {other:?}"),
        }
    }
    panic!("the listing did not end");
}

/// Where the first run of a resumed listing stops.
#[derive(Debug, Clone, Copy)]
enum Break {
    /// The driver hands on this many investigations (inside a page, at its end, or all), then takes the token.
    AfterItems(usize),
    /// After this many investigations, at the end of a page, the driver sends the next request and takes the
    /// token right after reporting its answer (a page then waits in the machine, or a retry is planned).
    BeforeNextPage(usize),
}

/// Pumps a listing like [`drive`], handing on investigations one at a time, until `stop` says to take the token
/// (or the listing ends).
fn drive_to(
    listing: &mut Listing,
    limiter: &mut RateLimiter,
    fake: &mut FakeService,
    now: &mut u64,
    stop: Break,
) -> Run {
    let (limit, peek) = match stop {
        Break::AfterItems(n) => (n, false),
        Break::BeforeNextPage(n) => (n, true),
    };
    let mut delivered = Vec::new();
    let mut peeking = false;
    for _ in 0..100_000 {
        match listing.poll(*now, limiter) {
            Action::Send(req) => {
                *now += 7;
                match fake.answer(*now, &req.url) {
                    Ok((status, retry_after, body)) => {
                        let response =
                            Response { status, retry_after: retry_after.as_deref(), retry_after_ms: None, body: &body };
                        listing.handle_response(*now, limiter, &response);
                    }
                    Err(msg) => listing.handle_transport_error(*now, &msg),
                }
                if peeking {
                    return Run { delivered, token: listing.resume_token(), outcome: None };
                }
            }
            Action::Wait { duration, .. } => *now += duration.as_millis() as u64,
            Action::Page(items) => {
                let mut consumed = 0;
                for item in items.iter() {
                    if delivered.len() == limit {
                        break;
                    }
                    delivered.push(item.id.clone());
                    consumed += 1;
                }
                if delivered.len() == limit {
                    if peek && consumed == items.len() {
                        peeking = true;
                    } else {
                        return Run { delivered, token: listing.resume_token_after(consumed), outcome: None };
                    }
                }
            }
            Action::Done => return Run { delivered, token: listing.resume_token(), outcome: None },
            Action::Fail(e) => return Run { delivered, token: listing.resume_token(), outcome: Some(e) },
            other => panic!("an action this test does not know: {other:?}"),
        }
    }
    panic!("the listing did not end");
}

fn fault_strategy(rate: f64) -> impl Strategy<Value = Fault> {
    let w_fault = (rate * 1000.0) as u32;
    prop_oneof![
        1000 - w_fault => Just(Fault::None),
        w_fault / 4 + 1 => (1u64..90).prop_map(Fault::Throttle),
        w_fault / 4 + 1 => prop_oneof![Just(500u16), Just(502), Just(503), Just(504), Just(408)].prop_map(Fault::Status),
        w_fault / 4 + 1 => Just(Fault::Transport),
        w_fault / 4 + 1 => Just(Fault::Truncate),
    ]
}

fn data_strategy() -> impl Strategy<Value = Vec<Investigation>> {
    proptest::collection::vec((0u64..10_000_000, proptest::option::weighted(0.95, 0i64..5_000)), 0..250).prop_map(
        |raw| {
            let mut seen = HashSet::new();
            raw.into_iter()
                .filter(|(id, _)| seen.insert(*id))
                // Start times in the hours before T0, with many ties (5,000 distinct seconds at most).
                .map(|(id, s)| inv(id, s.map(|s| T0 as i64 - 10_000_000 + s * 1000)))
                .collect()
        },
    )
}

fn policy() -> RetryPolicy {
    RetryPolicy { max_attempts: 25, ..RetryPolicy::default() }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, .. ProptestConfig::default() })]

    #[test]
    fn exactly_once_under_faults_arrivals_and_resume(
        data in data_strategy(),
        page_size in prop_oneof![1u32..8, 8u32..60, Just(10_000u32)],
        faults in proptest::collection::vec(fault_strategy(0.3), 0..400),
        arrivals in 0usize..3,
        stop_after in proptest::option::of(1usize..6),
        seed in any::<u64>(),
    ) {
        let base = BaseUrl::parse("http://127.0.0.1:9").unwrap();
        let snapshot = Timestamp::from_unix_millis(T0 as i64).unwrap();
        let expected: HashSet<String> = data.iter().filter(|i| i.start_time.is_some()).map(|i| i.id.clone()).collect();
        let mut fake = FakeService { items: data, faults, calls: 0, sent_at: vec![], blocked_until: 0, arrivals_per_call: arrivals, next_id: 20_000_000 };
        let options = ListingOptions { page_size, snapshot_at: Some(snapshot), retry: policy(), jitter_seed: seed };
        let mut limiter = RateLimiter::new(RateLimitConfig::default());
        let mut now = T0;
        let mut listing = Listing::new(base.clone(), ListQuery::default(), options.clone()).unwrap();
        let first = drive(&mut listing, &mut limiter, &mut fake, &mut now, stop_after);
        prop_assert!(first.outcome.is_none(), "{:?}", first.outcome);
        let mut all = first.delivered.clone();
        if !listing.is_finished() {
            // A new client: fresh limiter state carried over, as an extension's service worker would.
            let mut limiter2 = RateLimiter::import(RateLimitConfig::default(), &limiter.export()).unwrap();
            let mut resumed = Listing::resume(base, &first.token, ListingOptions { jitter_seed: seed ^ 1, ..options }).unwrap();
            let second = drive(&mut resumed, &mut limiter2, &mut fake, &mut now, None);
            prop_assert!(second.outcome.is_none(), "{:?}", second.outcome);
            all.extend(second.delivered);
        }
        let mut counts: HashMap<&String, usize> = HashMap::new();
        for id in &all { *counts.entry(id).or_default() += 1; }
        prop_assert!(counts.values().all(|&c| c == 1), "duplicates: {:?}", counts.iter().filter(|(_, &c)| c > 1).collect::<Vec<_>>());
        let got: HashSet<String> = all.into_iter().collect();
        prop_assert_eq!(got, expected);
    }

    #[test]
    fn without_snapshot_every_item_once(
        data in data_strategy(),
        page_size in 1u32..40,
        faults in proptest::collection::vec(fault_strategy(0.2), 0..200),
        seed in any::<u64>(),
    ) {
        let expected: HashSet<String> = data.iter().map(|i| i.id.clone()).collect();
        let mut fake = FakeService { items: data, faults, calls: 0, sent_at: vec![], blocked_until: 0, arrivals_per_call: 0, next_id: 0 };
        let options = ListingOptions { page_size, retry: policy(), jitter_seed: seed, ..ListingOptions::default() };
        let mut limiter = RateLimiter::new(RateLimitConfig::default());
        let mut listing = Listing::new(BaseUrl::parse("http://127.0.0.1:9").unwrap(), ListQuery::default(), options).unwrap();
        let mut now = T0;
        let run = drive(&mut listing, &mut limiter, &mut fake, &mut now, None);
        prop_assert!(run.outcome.is_none());
        prop_assert_eq!(run.delivered.len(), expected.len());
        prop_assert_eq!(run.delivered.into_iter().collect::<HashSet<_>>(), expected);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    /// Without a snapshot, arrivals at the top shift every later page down: the shifted items come back at the
    /// start of the next page and must be delivered once, and nothing that existed at the start may be lost.
    #[test]
    fn arrivals_without_snapshot_shift_but_never_duplicate(
        data in data_strategy(),
        page_size in 4u32..30,
        arrivals in 1usize..3, // fewer arrivals per call than a page, or offset paging cannot advance
        seed in any::<u64>(),
    ) {
        let original: HashSet<String> = data.iter().map(|i| i.id.clone()).collect();
        let mut fake = FakeService { items: data, faults: vec![], calls: 0, sent_at: vec![], blocked_until: 0, arrivals_per_call: arrivals, next_id: 20_000_000 };
        let options = ListingOptions { page_size, retry: policy(), jitter_seed: seed, ..ListingOptions::default() };
        let mut limiter = RateLimiter::new(RateLimitConfig::default());
        let mut listing = Listing::new(BaseUrl::parse("http://127.0.0.1:9").unwrap(), ListQuery::default(), options).unwrap();
        let mut now = T0;
        let run = drive(&mut listing, &mut limiter, &mut fake, &mut now, None);
        prop_assert!(run.outcome.is_none());
        let got: HashSet<String> = run.delivered.iter().cloned().collect();
        prop_assert_eq!(got.len(), run.delivered.len(), "duplicates delivered");
        prop_assert!(original.is_subset(&got), "lost: {:?}", original.difference(&got).collect::<Vec<_>>());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, .. ProptestConfig::default() })]

    /// Stopped at any investigation (or with a page waiting, or by a failure), and resumed from the token in a
    /// new client: the investigations before the token and those after it are, together, the listing, each once.
    /// With a snapshot, exactly the expected ones in the service's order; without one, arrivals shift the pages
    /// (fewer per call than a page holds, as offset paging needs): every investigation there at the start, each
    /// once, and nothing else but arrivals.
    #[test]
    fn a_token_taken_at_any_item_resumes_exactly_once(
        data in data_strategy(),
        snapshot in any::<bool>(),
        small_page in 1u32..20,
        large_page in prop_oneof![20u32..60, Just(10_000u32)],
        faults in proptest::collection::vec(fault_strategy(0.2), 0..300),
        arrivals in 0usize..3,
        stop in prop_oneof![
            3 => (0usize..260).prop_map(Break::AfterItems),
            1 => (0usize..260).prop_map(Break::BeforeNextPage),
        ],
        first_attempts in prop_oneof![3 => Just(25u32), 1 => 1u32..3],
        seed in any::<u64>(),
    ) {
        let base = BaseUrl::parse("http://127.0.0.1:9").unwrap();
        let bound = Timestamp::from_unix_millis(T0 as i64).unwrap();
        let snapshot_at = snapshot.then_some(bound);
        // Without a snapshot, a page must hold more than the arrivals of the calls a page may take.
        let page_size = if snapshot { small_page } else { large_page };
        let mut fake = FakeService { items: data, faults, calls: 0, sent_at: vec![], blocked_until: 0, arrivals_per_call: arrivals, next_id: 20_000_000 };
        let expected: Vec<String> = fake.sorted(snapshot_at).into_iter().map(|i| i.id.clone()).collect();
        let original: HashSet<String> = expected.iter().cloned().collect();
        let retry = RetryPolicy { max_attempts: first_attempts, ..policy() };
        let options = ListingOptions { page_size, snapshot_at, retry, jitter_seed: seed };
        let mut limiter = RateLimiter::new(RateLimitConfig::default());
        let mut now = T0;
        let mut listing = Listing::new(base.clone(), ListQuery::default(), options).unwrap();
        let first = drive_to(&mut listing, &mut limiter, &mut fake, &mut now, stop);
        let failed = first.outcome.is_some();
        let token = first.token;
        drop(listing);

        let mut limiter2 = RateLimiter::import(RateLimitConfig::default(), &limiter.export()).unwrap();
        let options = ListingOptions { retry: policy(), jitter_seed: seed ^ 1, ..ListingOptions::default() };
        let mut resumed = Listing::resume(base, &token, options).unwrap();
        let second = drive(&mut resumed, &mut limiter2, &mut fake, &mut now, None);
        prop_assert!(second.outcome.is_none(), "{:?}", second.outcome);

        let all: Vec<String> = first.delivered.iter().chain(&second.delivered).cloned().collect();
        let mut counts: HashMap<&String, usize> = HashMap::new();
        for id in &all { *counts.entry(id).or_default() += 1; }
        let twice: Vec<_> = counts.iter().filter(|(_, &c)| c > 1).collect();
        prop_assert!(twice.is_empty(), "twice across the token ({} + {}, failed: {}): {:?}", first.delivered.len(), second.delivered.len(), failed, twice);
        if snapshot {
            prop_assert_eq!(all, expected);
        } else {
            let got: HashSet<String> = all.into_iter().collect();
            prop_assert!(original.is_subset(&got), "lost: {:?}", original.difference(&got).collect::<Vec<_>>());
            prop_assert!(got.iter().all(|id| original.contains(id) || id.parse::<u64>().unwrap() > 20_000_000));
        }
    }
}
