//! Point 8: throughput against the limits. A listing that needs 250 calls, against mde-mock at
//! `--time-scale 0.01` (a minute lasts 600 ms, an hour 36 s), with the client's limits scaled the same way.
//! Prints how long it took against the ideal schedule of both windows, and the 429s (there must be none).
//!
//! ```text
//! cargo run --release -p mde-conformance --example throughput [-- --scale 0.01 --calls 250 --page 40 --runs 3]
//! ```
//!
//! Two ideals are printed:
//! - `windows`: the window bound alone, every call sent the instant both windows allow it (call k at
//!   `max over windows of floor(k / limit) * length`), requests taking no time;
//! - `schedule`: the same for a sequential client whose requests take this run's mean request time: call k at
//!   `max(t[k-1] + s, t[k - limit] + length)` for each window, plus `s` for the last answer. This is the
//!   ideal schedule of both windows that the 1.05 target is measured against.

use std::time::{Duration, Instant};

use mde_conformance::driver::Driver;
use mde_core::{BaseUrl, ListQuery, Listing, ListingOptions, RateLimitConfig};
use mde_mock::MockApi;

struct Args {
    scale: f64,
    calls: usize,
    page: usize,
    runs: usize,
}

fn args() -> Args {
    let mut a = Args { scale: 0.01, calls: 250, page: 40, runs: 3 };
    let argv: Vec<String> = std::env::args().skip(1).collect();
    for pair in argv.chunks(2) {
        let value = pair.get(1).map(String::as_str).unwrap_or("");
        match pair[0].as_str() {
            "--scale" => a.scale = value.parse().expect("--scale F"),
            "--calls" => a.calls = value.parse().expect("--calls N"),
            "--page" => a.page = value.parse().expect("--page N"),
            "--runs" => a.runs = value.parse().expect("--runs N"),
            other => panic!("unknown argument {other}; see the example's docs"),
        }
    }
    assert!(a.calls >= 1 && a.page >= 2, "--calls at least 1, --page at least 2");
    a
}

/// `(limit, length in ms)` of each server window at `scale`.
fn windows(scale: f64) -> Vec<(usize, f64)> {
    vec![(100, 60_000.0 * scale), (1_500, 3_600_000.0 * scale)]
}

/// The window bound: when the last of `n` calls may go out, requests taking no time.
fn window_bound(n: usize, windows: &[(usize, f64)]) -> f64 {
    windows.iter().map(|&(limit, length)| ((n - 1) / limit) as f64 * length).fold(0.0, f64::max)
}

/// The ideal sequential schedule with requests of `s` ms: when the last answer arrives.
fn schedule(n: usize, s: f64, windows: &[(usize, f64)]) -> f64 {
    let mut t = vec![0.0f64; n];
    for k in 1..n {
        let mut at = t[k - 1] + s;
        for &(limit, length) in windows {
            if k >= limit {
                at = at.max(t[k - limit] + length);
            }
        }
        t[k] = at;
    }
    t[n - 1] + s
}

struct Run {
    elapsed_ms: f64,
    calls: usize,
    mean_request_ms: f64,
    throttled_client: usize,
    throttled_journal: usize,
}

async fn run(a: &Args, seed: u64) -> Run {
    // `calls - 1` full pages and a short one: the listing needs exactly `calls` calls.
    let count = (a.calls - 1) * a.page + a.page / 2;
    let api =
        MockApi::builder().seed(seed).count(count).token("bench").time_scale(a.scale).start().await.expect("mock");
    let base = BaseUrl::parse(&api.uri()).expect("base URL");
    let options = ListingOptions { page_size: a.page as u32, ..ListingOptions::default() };
    let mut listing = Listing::new(base, ListQuery::default(), options).expect("listing");
    let mut driver = Driver::new("bench", RateLimitConfig::default().scaled(a.scale));
    let started = Instant::now();
    let (items, error) = driver.collect(&mut listing).await;
    let elapsed = started.elapsed();
    assert!(error.is_none(), "the listing failed: {error:?}");
    assert_eq!(items.len(), count);
    let journal = api.journal().await;
    let calls = driver.stats.sent.len();
    Run {
        elapsed_ms: elapsed.as_secs_f64() * 1e3,
        calls,
        mean_request_ms: driver.stats.busy.as_secs_f64() * 1e3 / calls as f64,
        throttled_client: driver.stats.statuses.iter().filter(|s| **s == 429).count(),
        throttled_journal: journal.iter().filter(|e| e.status == Some(429)).count(),
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let a = args();
    let w = windows(a.scale);
    println!(
        "listing needing {} calls of {} items, time scale {} (minute {:.0} ms, hour {:.0} ms), {} run(s)",
        a.calls, a.page, a.scale, w[0].1, w[1].1, a.runs
    );
    let mut ratios = Vec::new();
    for r in 0..a.runs {
        let run = run(&a, r as u64 + 1).await;
        let bound = window_bound(run.calls, &w);
        let ideal = schedule(run.calls, run.mean_request_ms, &w);
        let ratio = run.elapsed_ms / ideal;
        ratios.push(ratio);
        println!(
            "run {}: {} calls in {:.1} ms; ideal schedule {:.1} ms (mean request {:.2} ms), window bound {:.0} ms; \
             ratio {:.4} (vs bound {:.4}); 429s: {} at the client, {} in the journal",
            r + 1,
            run.calls,
            run.elapsed_ms,
            ideal,
            run.mean_request_ms,
            bound,
            ratio,
            run.elapsed_ms / bound.max(1.0),
            run.throttled_client,
            run.throttled_journal,
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    ratios.sort_by(f64::total_cmp);
    let median = ratios[ratios.len() / 2];
    println!("median ratio to the ideal schedule: {median:.4} (target <= 1.05)");
}
