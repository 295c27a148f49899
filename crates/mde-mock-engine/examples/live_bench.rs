//! What live mode costs a call: a week of world time advanced at once, or one world second at a time, over a
//! small and a large data set; and the bound of one advance after a long idle time.
//!
//! ```sh
//! cargo run --release -p mde-mock-engine --example live_bench
//! ```

use std::time::{Duration, Instant};

use mde_mock_engine::{Engine, Options, Request};

const T0: u64 = 1_795_000_000_000;
const SECOND: u64 = 1_000;
const WEEK: u64 = 7 * 24 * 3_600 * SECOND;

fn engine(count: usize, time_scale: f64, rate: f64) -> (Engine, Duration) {
    let options = Options {
        count,
        live: true,
        live_rate: rate,
        time_scale,
        now: Some("2026-11-27T12:00:00Z".parse().unwrap()),
        ..Options::default()
    };
    let started = Instant::now();
    let engine = Engine::new(options, T0).unwrap();
    (engine, started.elapsed())
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    println!("live mode, release build; world figures from GET /__admin/live");
    for (count, rate) in [(2_000, 20.0), (2_000, 600.0), (1_000_000, 20.0)] {
        // A week at once (median of 5).
        let mut onces = Vec::new();
        let (mut built, mut open_at_start, mut s) = (Duration::ZERO, 0, None);
        for _ in 0..5 {
            let (mut e, b) = engine(count, 1.0, rate);
            (built, open_at_start) = (b, e.live().open);
            let started = Instant::now();
            e.advance(T0 + WEEK);
            onces.push(started.elapsed());
            s = Some(e.live());
        }
        onces.sort();
        let (once, s) = (onces[2], s.unwrap());
        println!(
            "count {count}, rate {rate}/h: engine built in {} ({} open at the start); a week in one advance: {} \
             ({} arrivals, {} transitions)",
            ms(built),
            open_at_start,
            ms(once),
            s.arrived,
            s.transitions
        );
        // A week, one world second at a time.
        let (mut e, _) = engine(count, 1.0, rate);
        let mut busy = Vec::new();
        let mut quiet = Vec::new();
        let mut t = T0;
        let mut last = e.live().arrived + e.live().transitions;
        while t < T0 + WEEK {
            t += SECOND;
            let call = Instant::now();
            e.advance(t);
            let took = call.elapsed();
            let events = e.live().arrived + e.live().transitions;
            if events == last {
                quiet.push(took)
            } else {
                busy.push(took)
            }
            last = events;
        }
        let total: Duration = busy.iter().chain(&quiet).sum();
        let calls = busy.len() + quiet.len();
        let summary = |mut v: Vec<Duration>| {
            v.sort();
            let at = |q: f64| v.get(((v.len() as f64 - 1.0) * q) as usize).copied().unwrap_or_default();
            format!(
                "{} calls, median {:.0} ns, 99th percentile {:.0} ns",
                v.len(),
                at(0.5).as_nanos(),
                at(0.99).as_nanos()
            )
        };
        println!(
            "  one world second at a time: {calls} advances in {} ({:.0} ns a call on average); those that applied \
             something: {}; those that applied nothing: {}",
            ms(total),
            total.as_nanos() as f64 / calls as f64,
            summary(busy),
            summary(quiet)
        );
    }
    // A listing call with live mode on and off, over the small data set.
    for live in [false, true] {
        let options = Options {
            count: 2_000,
            live,
            now: Some("2026-11-27T12:00:00Z".parse().unwrap()),
            per_minute: u32::MAX,
            per_hour: u32::MAX,
            ..Options::default()
        };
        let mut e = Engine::new(options, T0).unwrap();
        let request = Request::get("/api/investigations", Some("$top=10")).with_authorization("Bearer t");
        let n = 200_000u64;
        let started = Instant::now();
        for i in 0..n {
            e.handle(T0 + i * 10, &request);
        }
        let total = started.elapsed();
        println!(
            "GET $top=10 with live {live}: {n} calls 10 ms apart in {} ({:.0} ns a call)",
            ms(total),
            total.as_nanos() as f64 / n as f64
        );
    }
    // The bound: a real day idle at time scale 0.001 (a thousand world days); median of 5.
    let mut runs = Vec::new();
    let mut s = None;
    for _ in 0..5 {
        let (mut e, _) = engine(2_000, 0.001, 20.0);
        let started = Instant::now();
        e.advance(T0 + 24 * 3_600 * SECOND);
        runs.push(started.elapsed());
        s = Some(e.live());
    }
    runs.sort();
    let (took, s) = (runs[2], s.unwrap());
    println!(
        "a thousand world days idle, then one call: {} ({} arrivals, {} transitions, {:.1} world days skipped)",
        ms(took),
        s.arrived,
        s.transitions,
        s.skipped_ms as f64 / 86_400_000.0
    );
}
