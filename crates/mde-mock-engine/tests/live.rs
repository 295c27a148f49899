//! Live mode, with explicit times (no sleeping): the world is the same whatever the call pattern, follows the
//! declared state machine and rates, and a change on demand wins.

use std::collections::{HashMap, HashSet};

use mde_core::{Investigation, InvestigationState as S, Timestamp};
use mde_mock_engine::{Engine, LiveStatus, Options, Request};
use proptest::prelude::*;
use serde_json::{json, Value};

/// The real time the engines start at.
const T0: u64 = 1_795_000_000_000;
const MINUTE: u64 = 60_000;
const HOUR: u64 = 60 * MINUTE;
const DAY: u64 = 24 * HOUR;

fn data_now() -> Timestamp {
    "2026-11-27T12:00:00Z".parse().unwrap()
}

fn live(options: Options) -> Engine {
    Engine::new(Options { live: true, now: Some(data_now()), ..options }, T0).unwrap()
}

fn all(e: &Engine) -> Vec<Investigation> {
    e.dataset().investigations().cloned().collect()
}

fn get<'a>(path: &'a str, query: Option<&'a str>) -> Request<'a> {
    Request::get(path, query).with_authorization("Bearer t")
}

fn body(e: &mut Engine, now: u64, request: &Request<'_>) -> Value {
    let reply = e.handle(now, request);
    serde_json::from_slice(&reply.body).unwrap()
}

fn admin(e: &mut Engine, now: u64, method: &str, path: &str, payload: &Value) -> (u16, Value) {
    let text = payload.to_string();
    let request = Request { method, body: text.as_bytes(), ..Request::get(path, None) };
    let reply = e.handle(now, &request);
    (reply.status, serde_json::from_slice(&reply.body).unwrap_or(Value::Null))
}

/// The world's time, from the status.
fn world_now(status: &LiveStatus) -> Timestamp {
    status.now.as_deref().unwrap().parse().unwrap()
}

/// The states the world moves (the test's own list, from the documentation of live mode).
fn open_state(state: &S) -> bool {
    matches!(state, S::Queued | S::Running | S::PendingApproval | S::PendingResource)
}

/// Final: neither open nor `Unknown` (the generator's one other state without an `endTime`).
fn final_state(state: &S) -> bool {
    !open_state(state) && *state != S::Unknown
}

/// The changes of state the declared machine allows.
fn allowed(from: &S, to: &S) -> bool {
    const FINALS: [S; 5] =
        [S::SuccessfullyRemediated, S::Benign, S::PartiallyRemediated, S::Failed, S::TerminatedBySystem];
    match (from, to) {
        (S::Queued | S::PendingResource, S::Running) => true,
        (S::Running, S::PendingApproval) => true,
        (S::Running, to) => FINALS.contains(to),
        (S::PendingApproval, S::Running | S::TerminatedByUser) => true,
        _ => false,
    }
}

fn number(id: &str) -> u64 {
    id.parse().unwrap_or_else(|_| panic!("not a number: {id}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Arrivals come from (seed, slot) and lives from (seed, id): the calls in between change nothing.
    #[test]
    fn the_world_is_the_same_whatever_the_calls_in_between(
        seed in 0u64..10_000,
        rate in prop_oneof![Just(0.0), 1.0f64..300.0],
        scale in prop_oneof![Just(1.0), Just(0.01)],
        world_gaps in proptest::collection::vec(0u64..400_000, 1..120),
        via_api in any::<bool>(),
    ) {
        // At most 13.3 world hours: within the bound of one advance (33 hours at 300 an hour).
        let options = Options { seed, count: 80, live_rate: rate, time_scale: scale, ..Options::default() };
        let mut called = live(options.clone());
        let mut t = T0;
        for gap in &world_gaps {
            t += (*gap as f64 * scale) as u64;
            if via_api {
                called.handle(t, &get("/api/investigations", Some("$top=1")));
            } else {
                called.advance(t);
            }
        }
        let mut once = live(options);
        once.advance(t);
        prop_assert_eq!(called.live(), once.live());
        prop_assert_eq!(all(&called), all(&once));
    }
}

#[test]
fn a_call_every_world_second_or_one_at_the_end_gives_the_same_data() {
    // Six world hours at a time scale of 0.01: 21,600 calls 10 ms apart, or one.
    let options = Options { seed: 4, count: 300, time_scale: 0.01, live_rate: 120.0, ..Options::default() };
    let mut every = live(options.clone());
    let end = T0 + 6 * HOUR / 100;
    let mut t = T0;
    while t < end {
        t += 10;
        every.handle(t, &get("/api/investigations", Some("$top=5")));
    }
    let mut once = live(options);
    let status = body(&mut once, end, &Request::get("/__admin/live", None));
    assert_eq!(all(&every), all(&once));
    assert_eq!(every.live(), once.live());
    assert!(status["arrived"].as_u64().unwrap() > 500, "{status}");
    assert_eq!(status["now"], "2026-11-27T18:00:00Z");
}

#[test]
fn investigations_follow_the_declared_state_machine() {
    let mut e = live(Options { seed: 9, count: 200, live_rate: 60.0, ..Options::default() });
    let start: HashMap<String, Investigation> = all(&e).into_iter().map(|i| (i.id.clone(), i)).collect();
    let mut before = start.clone();
    let mut highest = before.keys().map(|id| number(id)).max().unwrap();
    let mut previous_now = data_now();
    let mut edges: HashSet<(String, String)> = HashSet::new();
    // One look every world minute for a world day: consecutive changes of one investigation are a minute
    // apart or more, so every change is seen.
    for minute in 1..=(DAY / MINUTE) {
        e.advance(T0 + minute * MINUTE);
        let now = world_now(&e.live());
        let mut seen = HashMap::with_capacity(before.len() + 4);
        let mut newest: Option<(u64, Timestamp)> = None;
        for inv in e.dataset().investigations() {
            let start_time = inv.start_time.unwrap();
            assert!(start_time < now, "{inv:?} starts before the world's now");
            assert_eq!(inv.end_time.is_some(), final_state(&inv.state), "endTime exactly on final states: {inv:?}");
            if let Some(end) = inv.end_time {
                assert!(start_time < end, "{inv:?}");
                // What the world made ends before its now (the generator's own data may end within its last second).
                assert!(start.get(&inv.id) == Some(inv) || end < now, "{inv:?}");
            }
            assert_eq!(inv.cancelled_by.is_some(), inv.state == S::TerminatedByUser, "{inv:?}");
            match before.get(&inv.id) {
                Some(old) => {
                    if final_state(&old.state) {
                        assert_eq!(old, inv, "a final investigation never changes");
                    } else if old.state != inv.state {
                        assert!(allowed(&old.state, &inv.state), "{} -> {}: {inv:?}", old.state, inv.state);
                        edges.insert((old.state.to_string(), inv.state.to_string()));
                    }
                    let fixed = |i: &Investigation| {
                        (i.start_time, i.machine_id.clone(), i.computer_dns_name.clone(), i.triggering_alert_id.clone())
                    };
                    assert_eq!(fixed(old), fixed(inv));
                }
                None => {
                    let id = number(&inv.id);
                    assert!(id > highest, "new ids are above the ids of before: {id} after {highest}");
                    if let Some((newest, newest_start)) = newest.replace((id, start_time)) {
                        // The documented order is newest first: an earlier start has a lower id.
                        assert!(id < newest && start_time <= newest_start, "ids grow with time");
                    }
                    assert!(matches!(inv.state, S::Queued | S::Running), "{inv:?}");
                    assert!(start_time >= previous_now, "arrived since the last look: {inv:?}");
                    assert_eq!(inv.machine_id.as_ref().map(String::len), Some(40));
                    assert!(inv.triggering_alert_id.as_ref().is_some_and(|a| a.starts_with("da")));
                }
            }
            seen.insert(inv.id.clone(), inv.clone());
        }
        assert!(before.keys().all(|id| seen.contains_key(id)), "nothing disappears");
        highest = highest.max(seen.keys().map(|id| number(id)).max().unwrap());
        before = seen;
        previous_now = now;
    }
    for (from, to) in [
        ("Queued", "Running"),
        ("Running", "PendingApproval"),
        ("PendingApproval", "Running"),
        ("PendingApproval", "TerminatedByUser"),
        ("Running", "SuccessfullyRemediated"),
        ("Running", "Benign"),
    ] {
        assert!(edges.contains(&(from.to_string(), to.to_string())), "{from} -> {to} never seen: {edges:?}");
    }
    // The data's own open investigations were moved too and are all final after a day; `Unknown` stays.
    for (id, old) in &start {
        let now = &before[id];
        if open_state(&old.state) {
            assert!(final_state(&now.state), "{id}: {} after a day", now.state);
        } else {
            assert_eq!(old, now);
        }
    }
    assert!(start.values().any(|i| open_state(&i.state)), "the generated data has open investigations");
}

#[test]
fn rates_over_a_simulated_month_are_the_declared_ones() {
    let mut e = live(Options { seed: 21, count: 0, ..Options::default() });
    for hour in 1..=(30 * 24) {
        e.advance(T0 + hour * HOUR);
    }
    let status = e.live();
    // 20 an hour: 14,400 expected (standard deviation 120).
    assert!((13_700..=15_100).contains(&status.arrived), "{status:?}");
    assert_eq!(status.skipped_ms, 0);
    let items = all(&e);
    assert_eq!(items.len() as u64, status.arrived);
    let finished: Vec<&Investigation> = items.iter().filter(|i| i.end_time.is_some()).collect();
    assert_eq!(finished.len(), items.len() - status.open);
    assert!((3..=40).contains(&status.open), "open at the end {status:?}");
    assert!(status.pending_approval <= status.open);
    let share = |state: S| finished.iter().filter(|i| i.state == state).count() as f64 / finished.len() as f64;
    // The declared machine: 25% ask for approval, 20% of those are refused; the rest ends by weight.
    for (state, expected) in [
        (S::SuccessfullyRemediated, 0.95 * 0.42),
        (S::Benign, 0.95 * 0.38),
        (S::PartiallyRemediated, 0.95 * 0.10),
        (S::Failed, 0.95 * 0.05),
        (S::TerminatedBySystem, 0.95 * 0.05),
        (S::TerminatedByUser, 0.25 * 0.20),
    ] {
        let got = share(state.clone());
        assert!((got - expected).abs() < 0.03, "{state}: {got} against {expected}");
    }
    // Mean life: 0.3 x 4.5 (queued) + 0.75 x 32.5 + 0.25 x (11 + 58.8 + 0.8 x 32.5) = 49.7 minutes.
    let minutes: f64 = finished
        .iter()
        .map(|i| (i.end_time.unwrap().unix_millis() - i.start_time.unwrap().unix_millis()) as f64 / 60_000.0)
        .sum::<f64>()
        / finished.len() as f64;
    assert!((42.0..=58.0).contains(&minutes), "mean life {minutes} minutes");
    // Changes per arrival: 0.3 (queued) + 0.75 + 0.25 x 2.8 = 1.75.
    let per_arrival = status.transitions as f64 / status.arrived as f64;
    assert!((1.6..=1.9).contains(&per_arrival), "{per_arrival}");
}

#[test]
fn a_patch_wins_and_takes_the_investigation_out_of_the_worlds_hands() {
    let mut e = live(Options { seed: 2, count: 50, live_rate: 120.0, ..Options::default() });
    e.advance(T0 + 10 * MINUTE);
    let open = all(&e).into_iter().find(|i| open_state(&i.state)).expect("an open investigation");
    let path = format!("/__admin/investigations/{}", open.id);
    let t = T0 + 10 * MINUTE;
    let (status, patched) = admin(&mut e, t, "PATCH", &path, &json!({"state": "PendingApproval"}));
    assert_eq!(status, 200);
    assert_eq!(patched["state"], "PendingApproval");
    assert_eq!(e.live().released, 1);
    // Days later it is still exactly what the test made it.
    e.advance(T0 + 3 * DAY);
    let now = all(&e).into_iter().find(|i| i.id == open.id).unwrap();
    assert_eq!(now, Investigation { state: S::PendingApproval, ..open.clone() });
    // A second PATCH still works on it; the count of released ones does not move.
    let (status, _) =
        admin(&mut e, T0 + 3 * DAY, "PATCH", &path, &json!({"state": "Benign", "endTime": "2026-12-01T00:00:00Z"}));
    assert_eq!(status, 200);
    assert_eq!(e.live().released, 1);
    // The library's update does the same.
    let another = all(&e).into_iter().find(|i| open_state(&i.state)).expect("another open one");
    let update = mde_mock_engine::InvestigationUpdate { state: Some(S::Queued), ..Default::default() };
    e.update_investigation(&another.id, &update).unwrap();
    e.advance(T0 + 6 * DAY);
    assert_eq!(all(&e).into_iter().find(|i| i.id == another.id).unwrap().state, S::Queued);
    assert_eq!(e.live().released, 2);
}

#[test]
fn the_pages_of_one_instant_agree() {
    let mut e = live(Options { seed: 5, count: 120, live_rate: 600.0, time_scale: 0.01, ..Options::default() });
    let t = T0 + 5_000;
    let whole: Vec<Value> = body(&mut e, t, &Request::get("/__admin/investigations", None)).as_array().unwrap().clone();
    let mut paged = Vec::new();
    for skip in (0..whole.len() + 40).step_by(40) {
        let query = format!("$top=40&$skip={skip}");
        paged.extend(body(&mut e, t, &get("/api/investigations", Some(&query)))["value"].as_array().unwrap().clone());
    }
    assert_eq!(paged, whole);
    // A moment later (0.6 s: a world minute) the world has moved.
    let later = body(&mut e, t + 600, &Request::get("/__admin/investigations", None));
    assert_ne!(later.as_array().unwrap(), &whole);
}

#[test]
fn a_paused_world_stands_still_and_goes_on_from_where_it_stopped() {
    let mut e = live(Options { seed: 8, count: 30, live_rate: 60.0, ..Options::default() });
    let (status, paused) = admin(&mut e, T0 + HOUR, "POST", "/__admin/live", &json!({"paused": true}));
    assert_eq!(status, 200);
    assert_eq!((paused["paused"].as_bool(), paused["running"].as_bool()), (Some(true), Some(false)));
    assert_eq!(paused["now"], "2026-11-27T13:00:00Z");
    let frozen = all(&e);
    e.advance(T0 + 5 * DAY);
    assert_eq!(all(&e), frozen);
    let (_, resumed) = admin(&mut e, T0 + 5 * DAY, "POST", "/__admin/live", &json!({"paused": false}));
    assert_eq!(resumed["now"], "2026-11-27T13:00:00Z");
    let later = body(&mut e, T0 + 5 * DAY + HOUR, &Request::get("/__admin/live", None));
    assert_eq!(later["now"], "2026-11-27T14:00:00Z");
    assert_eq!(later["running"], true);
    // The same world as one never paused, an hour later.
    let mut never = live(Options { seed: 8, count: 30, live_rate: 60.0, ..Options::default() });
    never.advance(T0 + 2 * HOUR);
    assert_eq!(all(&e), all(&never));
    let (status, refused) = admin(&mut e, T0 + 6 * DAY, "POST", "/__admin/live", &json!({"pause": true}));
    assert_eq!((status, refused["error"]["code"].as_str()), (400, Some("InvalidInput")));
}

#[test]
fn without_live_mode_the_data_stays_and_the_admin_api_says_so() {
    let mut e = Engine::new(Options { count: 20, now: Some(data_now()), ..Options::default() }, T0).unwrap();
    let before = all(&e);
    e.advance(T0 + 30 * DAY);
    let status = body(&mut e, T0 + 30 * DAY, &Request::get("/__admin/live", None));
    assert_eq!(status["enabled"], false);
    assert_eq!(status["now"], Value::Null);
    assert_eq!(all(&e), before);
    let (code, error) = admin(&mut e, T0, "POST", "/__admin/live", &json!({"paused": true}));
    assert_eq!((code, error["error"]["code"].as_str()), (409, Some("Conflict")));
    assert!(e.set_live_paused(T0, true).is_err());
    let config = body(&mut e, T0, &Request::get("/__admin/config", None));
    assert_eq!((config["live"].as_bool(), config["live_rate"].as_f64()), (Some(false), Some(20.0)));
    let mut on = live(Options { count: 1, live_rate: 7.5, ..Options::default() });
    let config = body(&mut on, T0, &Request::get("/__admin/config", None));
    assert_eq!((config["live"].as_bool(), config["live_rate"].as_f64()), (Some(true), Some(7.5)));
}

#[test]
fn new_ids_stay_above_every_numeric_id_the_mock_holds() {
    let mut e = live(Options { seed: 3, count: 10, live_rate: 600.0, ..Options::default() });
    let mut known: HashSet<String> = all(&e).into_iter().map(|i| i.id).collect();
    let (status, _) =
        admin(&mut e, T0, "POST", "/__admin/investigations", &json!({"id": "90000000", "state": "Benign"}));
    assert_eq!(status, 200);
    known.insert("90000000".to_string());
    e.advance(T0 + HOUR);
    let arrived: Vec<u64> = all(&e).iter().filter(|i| !known.contains(&i.id)).map(|i| number(&i.id)).collect();
    assert!(arrived.len() > 300, "{}", arrived.len());
    assert!(arrived.iter().all(|n| *n > 90_000_000));
    let ids: HashSet<u64> = arrived.iter().copied().collect();
    assert_eq!(ids.len(), arrived.len(), "unique");
}

#[test]
fn a_long_idle_world_is_bounded_and_says_what_it_skipped() {
    // A real day idle at a time scale of 0.001 is a thousand world days: 480,000 arrivals at 20 an hour.
    let mut e = live(Options { seed: 6, count: 10, time_scale: 0.001, ..Options::default() });
    let known: HashSet<String> = all(&e).into_iter().map(|i| i.id).collect();
    e.advance(T0 + DAY);
    let status = e.live();
    assert!((9_000..=11_000).contains(&status.arrived), "{status:?}");
    assert!(status.skipped_ms > 900 * DAY, "{status:?}");
    let now = world_now(&status).unix_millis();
    let span = 500 * HOUR as i64;
    let young = |i: &Investigation| i.start_time.unwrap().unix_millis() > now - span - 4 * MINUTE as i64;
    assert!(all(&e).iter().filter(|i| !known.contains(&i.id)).all(young));
}
