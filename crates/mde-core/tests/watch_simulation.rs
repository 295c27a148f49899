//! The watch against a simulated service whose investigations arrive and change between ticks: the snapshot with
//! every event applied in order equals, at the end of each tick, what the filter selects in the service (the
//! oracle: the filter evaluated over the simulated data); a tick makes at most three calls; a watch resumed from a
//! token goes on the same way. When they also change during a tick, between its calls, the next tick without
//! changes brings the view up to date.

use std::collections::BTreeMap;
use std::time::Duration;

use mde_core::exchange::Response;
use mde_core::filter::{machine_id, start_time, state, Dialect, Filter, ParseOptions};
use mde_core::limiter::{RateLimitConfig, RateLimiter, Window};
use mde_core::query::ListQuery;
use mde_core::watch::{is_final, WatchWait};
use mde_core::{BaseUrl, Investigation, InvestigationState, Timestamp, Watch, WatchAction, WatchEvent, WatchOptions};
use proptest::prelude::*;

const T0_MS: u64 = 1_795_000_000_000;
const INTERVAL_MS: u64 = 60_000;
const OPEN: [InvestigationState; 4] = [
    InvestigationState::Running,
    InvestigationState::Queued,
    InvestigationState::PendingApproval,
    InvestigationState::PendingResource,
];
const ENDS: [InvestigationState; 4] = [
    InvestigationState::Benign,
    InvestigationState::SuccessfullyRemediated,
    InvestigationState::Failed,
    InvestigationState::TerminatedByUser,
];
const MACHINES: [&str; 3] = ["m1", "m2", "m3"];

/// The simulated service: its investigations, and the world's rules (arrivals start at the current time; only
/// open ones change; a final one never changes again).
struct Service {
    items: Vec<Investigation>,
    next_id: u64,
}

fn at(ms: u64) -> Timestamp {
    Timestamp::from_unix_millis(ms as i64).expect("a time in range")
}

impl Service {
    fn new(initial: &[(u8, u8, bool)]) -> Service {
        let mut s = Service { items: Vec::new(), next_id: 100 };
        for (i, (state_pick, machine, open)) in initial.iter().enumerate() {
            s.arrive(T0_MS - 1_000_000 + i as u64 * 1_000, *state_pick, *machine, *open);
        }
        s
    }

    fn arrive(&mut self, now_ms: u64, state_pick: u8, machine: u8, open: bool) {
        self.next_id += 1;
        let state = if open { OPEN[state_pick as usize % 4].clone() } else { ENDS[state_pick as usize % 4].clone() };
        self.items.push(Investigation {
            id: self.next_id.to_string(),
            start_time: Some(at(now_ms)),
            end_time: (!open).then(|| at(now_ms)),
            state,
            cancelled_by: None,
            status_details: None,
            machine_id: Some(MACHINES[machine as usize % 3].to_string()),
            computer_dns_name: None,
            triggering_alert_id: None,
        });
    }

    /// One change of the world at `now_ms`.
    fn change(&mut self, now_ms: u64, change: &Change) {
        match *change {
            Change::Arrive { state, machine, open } => self.arrive(now_ms, state, machine, open),
            Change::Move { pick, to, finish } => {
                let open: Vec<usize> = (0..self.items.len()).filter(|i| !is_final(&self.items[*i].state)).collect();
                if open.is_empty() {
                    return;
                }
                let inv = &mut self.items[open[pick as usize % open.len()]];
                if finish {
                    inv.state = ENDS[to as usize % 4].clone();
                    inv.end_time = Some(at(now_ms));
                } else {
                    inv.state = OPEN[to as usize % 4].clone();
                    inv.status_details = Some(format!("moved at {now_ms}"));
                }
            }
        }
    }

    /// The answer to a request for `url`: the service's page, in its order (`startTime`, then `id`, descending).
    fn answer(&self, url: &str) -> Vec<u8> {
        let query = url.split_once('?').map_or("", |(_, q)| q);
        let strict = ParseOptions::with_dialect(Dialect::OData40);
        let q = ListQuery::from_query_string_with(query, &strict).expect("the watch sends OData 4.0");
        let mut hits: Vec<&Investigation> =
            self.items.iter().filter(|i| q.filter.as_ref().is_none_or(|f| f.matches(i))).collect();
        hits.sort_by(|a, b| b.start_time.cmp(&a.start_time).then_with(|| b.id.encode_utf16().cmp(a.id.encode_utf16())));
        let top = q.top.map_or(10_000, |t| t.get() as usize);
        let mut body = String::from("{\"value\":[");
        for (n, inv) in hits.iter().skip(q.skip as usize).take(top).enumerate() {
            if n > 0 {
                body.push(',');
            }
            inv.write_json(&mut body);
        }
        body.push_str("]}");
        body.into_bytes()
    }

    /// What a fresh listing of `filter` returns, as a map by id.
    fn oracle(&self, filter: Option<&Filter>) -> BTreeMap<String, Investigation> {
        self.items.iter().filter(|i| filter.is_none_or(|f| f.matches(i))).map(|i| (i.id.clone(), i.clone())).collect()
    }
}

#[derive(Debug, Clone)]
enum Change {
    Arrive { state: u8, machine: u8, open: bool },
    Move { pick: u8, to: u8, finish: bool },
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        (any::<u8>(), any::<u8>(), any::<bool>()).prop_map(|(state, machine, open)| Change::Arrive {
            state,
            machine,
            open
        }),
        (any::<u8>(), any::<u8>(), any::<bool>()).prop_map(|(pick, to, finish)| Change::Move { pick, to, finish }),
    ]
}

fn filter() -> impl Strategy<Value = Option<Filter>> {
    let leaf = prop_oneof![
        (0usize..4).prop_map(|i| state().eq(OPEN[i].clone())),
        (0usize..4).prop_map(|i| state().ne(ENDS[i].clone())),
        (0usize..3).prop_map(|i| machine_id().eq(MACHINES[i])),
        (0u64..4).prop_map(|k| start_time().ge(at(T0_MS + k * INTERVAL_MS))),
    ];
    let tree = leaf.prop_recursive(3, 8, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| a.and(b)),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| a.or(b)),
            inner.prop_map(|a| !a),
        ]
    });
    prop::option::weighted(0.85, tree)
}

/// What a consumer keeps: the snapshot with every event applied.
#[derive(Default)]
struct Consumer {
    view: BTreeMap<String, Investigation>,
    snapshots: usize,
}

impl Consumer {
    fn apply(&mut self, event: WatchEvent) -> Result<(), TestCaseError> {
        match event {
            WatchEvent::Snapshot(items) => {
                self.snapshots += 1;
                self.view = items.into_iter().map(|i| (i.id.clone(), i)).collect();
            }
            WatchEvent::Added(inv) => {
                prop_assert!(!self.view.contains_key(&inv.id), "added twice: {}", inv.id);
                self.view.insert(inv.id.clone(), *inv);
            }
            WatchEvent::Changed { investigation, previous } => {
                prop_assert_eq!(self.view.get(&previous.id), Some(&*previous), "previous is what was in the view");
                prop_assert_ne!(&investigation, &previous);
                self.view.insert(investigation.id.clone(), *investigation);
            }
            WatchEvent::Removed(inv) => {
                prop_assert_eq!(self.view.remove(&inv.id), Some(*inv), "removed what was in the view");
            }
            other => panic!("an event this test does not know: {other:?}"),
        }
        Ok(())
    }
}

struct Run {
    watch: Watch,
    limiter: RateLimiter,
    now_ms: u64,
    consumer: Consumer,
}

/// Pumps the watch until it has finished a tick (it waits for the next one); a send fails with a transport error
/// when `fail()` says so. Returns the calls sent and whether the tick completed.
fn pump_tick(
    run: &mut Run,
    service: &Service,
    fail: &mut impl FnMut() -> bool,
) -> Result<(usize, bool), TestCaseError> {
    let mut sends = 0;
    let mut failed = false;
    for _ in 0..10_000 {
        match run.watch.poll(run.now_ms, &mut run.limiter) {
            WatchAction::Send(request) => {
                sends += 1;
                if fail() {
                    run.watch.handle_transport_error(run.now_ms, "connection reset");
                } else {
                    let body = service.answer(&request.url);
                    let response = Response { status: 200, retry_after: None, retry_after_ms: None, body: &body };
                    run.watch.handle_response(run.now_ms, &mut run.limiter, &response);
                }
            }
            WatchAction::Wait { cause: WatchWait::NextTick, .. } => return Ok((sends, !failed)),
            WatchAction::Wait { duration, .. } => run.now_ms += duration.as_millis() as u64,
            WatchAction::Event(event) => run.consumer.apply(event)?,
            WatchAction::TickFailed(_) => failed = true,
            WatchAction::Fail(e) => return Err(TestCaseError::fail(format!("the watch failed: {e}"))),
            other => panic!("an action this test does not know: {other:?}"),
        }
    }
    Err(TestCaseError::fail("a tick never ended"))
}

fn limiter() -> RateLimiter {
    let config = RateLimitConfig {
        windows: vec![Window::new(1_000_000, Duration::from_secs(60))],
        ..RateLimitConfig::default()
    };
    RateLimiter::new(config)
}

fn new_run(filter: Option<Filter>) -> Run {
    let base = BaseUrl::parse("https://api.security.microsoft.com").unwrap();
    let options = WatchOptions { interval: Duration::from_millis(INTERVAL_MS), ..WatchOptions::default() };
    Run {
        watch: Watch::new(base, filter, options).unwrap(),
        limiter: limiter(),
        now_ms: T0_MS,
        consumer: Consumer::default(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn the_snapshot_and_the_events_are_a_fresh_listing_at_the_end_of_every_tick(
        initial in prop::collection::vec((any::<u8>(), any::<u8>(), any::<bool>()), 0..25),
        f in filter(),
        ticks in prop::collection::vec(prop::collection::vec(change(), 0..6), 1..8),
        resume_at in prop::option::of(0usize..8),
    ) {
        let mut service = Service::new(&initial);
        let mut run = new_run(f.clone());
        let mut never = || false;
        let (_, ok) = pump_tick(&mut run, &service, &mut never)?;
        prop_assert!(ok);
        prop_assert_eq!(run.consumer.snapshots, 1);
        prop_assert_eq!(&run.consumer.view, &service.oracle(f.as_ref()), "the snapshot");
        for (k, changes) in ticks.iter().enumerate() {
            run.now_ms += INTERVAL_MS;
            for c in changes {
                service.change(run.now_ms, c);
            }
            if resume_at == Some(k) {
                let token = run.watch.resume_token();
                let base = BaseUrl::parse("https://api.security.microsoft.com").unwrap();
                run.watch = Watch::resume(base, &token, WatchOptions::default()).unwrap();
                run.limiter = limiter();
            }
            let (sends, ok) = pump_tick(&mut run, &service, &mut never)?;
            prop_assert!(ok);
            prop_assert!(sends <= 3, "{} calls in one tick", sends);
            prop_assert_eq!(&run.consumer.view, &service.oracle(f.as_ref()), "after tick {}", k);
        }
        prop_assert_eq!(run.consumer.snapshots, 1 + usize::from(resume_at.is_some_and(|k| k < ticks.len())));
    }

    #[test]
    fn a_failed_tick_changes_nothing_and_the_next_one_catches_up(
        initial in prop::collection::vec((any::<u8>(), any::<u8>(), any::<bool>()), 0..20),
        f in filter(),
        ticks in prop::collection::vec((prop::collection::vec(change(), 0..5), 0usize..2), 1..8),
    ) {
        let mut service = Service::new(&initial);
        let mut run = new_run(f.clone());
        let mut never = || false;
        pump_tick(&mut run, &service, &mut never)?;
        for (k, (changes, fail_call)) in ticks.iter().enumerate() {
            run.now_ms += INTERVAL_MS;
            for c in changes {
                service.change(run.now_ms, c);
            }
            let before = run.consumer.view.clone();
            // From its `fail_call`-th call on, every attempt of this tick fails (a network outage): the tick is
            // dropped once the call's retries are spent.
            let mut n = 0;
            let mut failing = || {
                n += 1;
                n > *fail_call
            };
            let (_, ok) = pump_tick(&mut run, &service, &mut failing)?;
            prop_assert!(!ok, "the outage fails the tick");
            if !ok {
                prop_assert_eq!(&run.consumer.view, &before, "a failed tick hands out nothing");
                run.now_ms += INTERVAL_MS;
                pump_tick(&mut run, &service, &mut never)?;
            }
            prop_assert_eq!(&run.consumer.view, &service.oracle(f.as_ref()), "after tick {}", k);
        }
    }
}

#[test]
fn one_that_waits_for_approval_then_finishes() {
    // The extension's case: watching `state eq 'PendingApproval'`.
    let mut service = Service::new(&[(0, 0, true), (1, 1, false)]);
    let f = state().eq(InvestigationState::PendingApproval);
    let mut run = new_run(Some(f.clone()));
    let mut never = || false;
    pump_tick(&mut run, &service, &mut never).unwrap();
    assert!(run.consumer.view.is_empty());
    // The running one waits for approval: added.
    run.now_ms += INTERVAL_MS;
    service.change(run.now_ms, &Change::Move { pick: 0, to: 2, finish: false });
    pump_tick(&mut run, &service, &mut never).unwrap();
    assert_eq!(run.consumer.view.len(), 1);
    // It is approved and ends: removed (it left the open set and was looked up by id).
    run.now_ms += INTERVAL_MS;
    service.change(run.now_ms, &Change::Move { pick: 0, to: 0, finish: true });
    pump_tick(&mut run, &service, &mut never).unwrap();
    assert!(run.consumer.view.is_empty());
    assert_eq!(run.consumer.view, service.oracle(Some(&f)));
}

/// Investigations that arrive during a tick, after its call for the new ones (or the snapshot's listing of the
/// view) and before its call for the open ones: first one that is final at once (an alert type that is not supported
/// ends its investigation as it starts), then one that is open. The open call reads only the second; the first,
/// which started before it, must still be found by the next tick's call for the new ones.
#[test]
fn one_that_arrives_final_during_a_tick_is_found_by_the_next() {
    for during_snapshot in [false, true] {
        let mut service = Service::new(&[(0, 0, false)]);
        let mut run = new_run(None);
        let mut never = || false;
        if !during_snapshot {
            pump_tick(&mut run, &service, &mut never).unwrap();
            run.now_ms += INTERVAL_MS;
        }
        let mut sends = 0;
        loop {
            match run.watch.poll(run.now_ms, &mut run.limiter) {
                WatchAction::Send(request) => {
                    sends += 1;
                    if sends == 2 {
                        // Between the tick's first call and its second.
                        run.now_ms += 10;
                        service.arrive(run.now_ms, 0, 0, false);
                        run.now_ms += 10;
                        service.arrive(run.now_ms, 0, 0, true);
                        run.now_ms += 10;
                    }
                    let body = service.answer(&request.url);
                    let response = Response { status: 200, retry_after: None, retry_after_ms: None, body: &body };
                    run.watch.handle_response(run.now_ms, &mut run.limiter, &response);
                }
                WatchAction::Wait { cause: WatchWait::NextTick, .. } => break,
                WatchAction::Wait { duration, .. } => run.now_ms += duration.as_millis() as u64,
                WatchAction::Event(event) => run.consumer.apply(event).unwrap(),
                other => panic!("unexpected {other:?}"),
            }
        }
        assert!(sends >= 2);
        run.now_ms += INTERVAL_MS;
        pump_tick(&mut run, &service, &mut never).unwrap();
        assert_eq!(run.consumer.view, service.oracle(None), "the next tick has caught up ({during_snapshot})");
    }
}

/// Pumps the watch through one tick while the world changes between its calls: the changes of `during[k]` happen
/// just before the tick's call `k` (from 0) goes out, a millisecond apart.
fn pump_tick_changing(run: &mut Run, service: &mut Service, during: &[Vec<Change>]) -> Result<(), TestCaseError> {
    let mut sends = 0;
    for _ in 0..10_000 {
        match run.watch.poll(run.now_ms, &mut run.limiter) {
            WatchAction::Send(request) => {
                for c in during.get(sends).map_or(&[][..], Vec::as_slice) {
                    run.now_ms += 1;
                    service.change(run.now_ms, c);
                }
                sends += 1;
                let body = service.answer(&request.url);
                let response = Response { status: 200, retry_after: None, retry_after_ms: None, body: &body };
                run.watch.handle_response(run.now_ms, &mut run.limiter, &response);
            }
            WatchAction::Wait { cause: WatchWait::NextTick, .. } => return Ok(()),
            WatchAction::Wait { duration, .. } => run.now_ms += duration.as_millis() as u64,
            WatchAction::Event(event) => run.consumer.apply(event)?,
            other => return Err(TestCaseError::fail(format!("unexpected {other:?}"))),
        }
    }
    Err(TestCaseError::fail("a tick never ended"))
}

/// Runs the watch of `f` over `initial` through `ticks` (the snapshot first), the changes of each made between its
/// calls, then through a tick without changes: the view must then be what a fresh listing returns.
fn caught_up(initial: &[(u8, u8, bool)], f: Option<Filter>, ticks: &[Vec<Vec<Change>>]) -> Result<(), TestCaseError> {
    let mut service = Service::new(initial);
    let mut run = new_run(f.clone());
    for during in ticks {
        pump_tick_changing(&mut run, &mut service, during)?;
        run.now_ms += INTERVAL_MS;
    }
    pump_tick_changing(&mut run, &mut service, &[])?;
    prop_assert_eq!(&run.consumer.view, &service.oracle(f.as_ref()), "after a quiet tick");
    Ok(())
}

const FINISH_FIRST_OPEN: Change = Change::Move { pick: 0, to: 0, finish: true };
/// A final arrival, selected without a filter: it is the newest, so a later call for new ones starts after the
/// others.
const ARRIVE_FINAL: Change = Change::Arrive { state: 0, machine: 0, open: false };

/// One open when the snapshot's first listing reads it, ended before the second: looked up at the next tick (the
/// newest start time is a later one's).
#[test]
fn one_that_ends_between_the_snapshots_two_listings_is_looked_up() {
    let ticks = [vec![vec![ARRIVE_FINAL], vec![FINISH_FIRST_OPEN]]];
    caught_up(&[(0, 0, true)], None, &ticks).unwrap();
}

/// One open and not selected (`PendingApproval`, the filter wants the others), which ends between the snapshot's two
/// listings and is then selected: the open listing, now first, has it.
#[test]
fn one_not_selected_that_ends_during_the_snapshot_is_found() {
    let f = !state().eq(InvestigationState::PendingApproval);
    let ticks = [vec![vec![Change::Arrive { state: 0, machine: 0, open: true }], vec![FINISH_FIRST_OPEN]]];
    caught_up(&[(2, 0, true), (0, 0, true)], Some(f), &ticks).unwrap();
}

/// One that the call for new ones read open and that ended before the open call: looked up.
#[test]
fn one_new_that_ends_before_the_open_call_is_looked_up() {
    let arrivals = vec![Change::Arrive { state: 0, machine: 0, open: true }, ARRIVE_FINAL];
    let ticks = [vec![], vec![arrivals, vec![FINISH_FIRST_OPEN]]];
    caught_up(&[], None, &ticks).unwrap();
}

/// One that arrives open and not selected (`PendingResource` on another machine), then a selected one that is final;
/// the first ends before the open call and is then selected: the call for new ones read it, as it reads open ones.
#[test]
fn one_not_selected_that_arrives_then_ends_during_a_tick_is_found() {
    let f = (!state().eq(InvestigationState::PendingResource)).or(machine_id().eq("m1"));
    let arrivals = vec![Change::Arrive { state: 3, machine: 1, open: true }, ARRIVE_FINAL];
    let ticks = [vec![], vec![arrivals, vec![FINISH_FIRST_OPEN]]];
    caught_up(&[], Some(f), &ticks).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// The world also changes while a tick (or the snapshot) is under way, between its calls: the view cannot be
    /// current at the end of such a tick, but the next tick without changes brings it up to date.
    #[test]
    fn changes_during_a_tick_are_caught_up_by_the_next(
        initial in prop::collection::vec((any::<u8>(), any::<u8>(), any::<bool>()), 0..20),
        f in filter(),
        ticks in prop::collection::vec(prop::collection::vec(prop::collection::vec(change(), 0..4), 0..4), 1..7),
    ) {
        caught_up(&initial, f, &ticks)?;
    }
}
