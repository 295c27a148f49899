//! What the integration tests share: a runtime, case counts, a mock serving an oracle data set, fast retry
//! settings, a raw HTTP call, the second client that spends the budget, and journal checks.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use mde_core::{BaseUrl, RateLimitConfig, RetryPolicy};
use mde_mock::{JournalEntry, MockApi, MockApiBuilder};
use proptest::test_runner::{Config, FileFailurePersistence};

use crate::oracle::model::{to_core, Inv};

/// The token every test uses.
pub const TOKEN: &str = "conformance-token";

/// The query parameter that marks the second client's calls in the journal (the API ignores it).
pub const SPENDER_MARK: &str = "spender=1";

/// A two-thread Tokio runtime for one test.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a Tokio runtime")
}

/// Runs `future` on a runtime shared by the tests of one binary (proptest cases are synchronous), with a
/// time limit so that a hang fails the test instead of stalling the suite.
pub fn block_on<F: std::future::Future>(limit: Duration, future: F) -> F::Output {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    let rt = RUNTIME.get_or_init(runtime);
    rt.block_on(async {
        match tokio::time::timeout(limit, future).await {
            Ok(output) => output,
            Err(_) => panic!("the test took longer than {limit:?}"),
        }
    })
}

/// Proptest settings with `default` cases, or `PROPTEST_CASES` when it is set (for a deep run).
pub fn cases(default: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default);
    // Regressions go next to the test file (`tests/tests/NAME.proptest-regressions`), replayed first.
    let persistence = FileFailurePersistence::WithSource("proptest-regressions");
    Config { cases, max_shrink_iters: 256, failure_persistence: Some(Box::new(persistence)), ..Config::default() }
}

/// A mock serving `data`, accepting [`TOKEN`], configured further by `configure`.
pub async fn mock_with(data: &[Inv], configure: impl FnOnce(MockApiBuilder) -> MockApiBuilder) -> MockApi {
    let builder = MockApi::builder().token(TOKEN).investigations(data.iter().map(to_core).collect());
    configure(builder).start().await.expect("the mock starts")
}

/// The mock's base URL, parsed for the core.
pub fn base(api: &MockApi) -> BaseUrl {
    BaseUrl::parse(&api.uri()).expect("the mock's URI is a base URL")
}

/// The client's limits for a mock running at `scale`, with the margin scaled too but at least `min_margin`.
pub fn limits(scale: f64, min_margin: Duration) -> RateLimitConfig {
    let mut config = RateLimitConfig::default().scaled(scale);
    config.margin = config.margin.max(min_margin);
    config
}

/// Retries fit for a test: many attempts, millisecond backoff, a scaled default `Retry-After`.
pub fn fast_retry(max_attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        base_delay: Duration::from_millis(2),
        max_delay: Duration::from_millis(40),
        max_retry_after: Duration::from_secs(60),
        default_retry_after: Duration::from_millis(600),
        refresh_token: true,
    }
}

/// An HTTP answer: status, headers and body.
#[derive(Debug)]
pub struct Answer {
    /// The status.
    pub status: u16,
    /// The headers.
    pub headers: reqwest::header::HeaderMap,
    /// The body.
    pub body: Vec<u8>,
}

impl Answer {
    /// The body as JSON (panics with the body when it is not: for tests).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
}

/// `GET {uri}{path_and_query}` with the bearer token, without the client core.
pub async fn get(http: &reqwest::Client, uri: &str, path_and_query: &str) -> Answer {
    let response = http.get(format!("{uri}{path_and_query}")).bearer_auth(TOKEN).send().await.expect("an answer");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.bytes().await.expect("a body").to_vec();
    Answer { status, headers, body }
}

/// The second client: spends the token's budget in bursts until stopped, ignoring faults; a burst ends at its
/// first 429. Four calls at a time, so that it outspends the client under test.
///
/// `seed` picks the burst sizes and pauses; its calls carry [`SPENDER_MARK`] in the query. Returns how many
/// calls it made.
pub fn spawn_spender(uri: String, seed: u64, stop: Arc<AtomicBool>) -> tokio::task::JoinHandle<u64> {
    tokio::spawn(async move {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap_or_default();
        let url = format!("{uri}/api/investigations?$top=1&{SPENDER_MARK}");
        let mut state = seed | 1;
        let mut next = move |n: u64| {
            // xorshift64: a few random numbers, no more.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        let mut calls = 0;
        while !stop.load(Ordering::Relaxed) {
            let burst = 40 + next(120);
            let mut sent = 0;
            while sent < burst && !stop.load(Ordering::Relaxed) {
                let one = || async {
                    match http.get(&url).bearer_auth(TOKEN).send().await {
                        Ok(r) => r.status().as_u16() == 429,
                        Err(_) => false,
                    }
                };
                let (a, b, c, d) = tokio::join!(one(), one(), one(), one());
                sent += 4;
                if a || b || c || d {
                    break;
                }
            }
            calls += sent;
            tokio::time::sleep(Duration::from_millis(next(300))).await;
        }
        calls
    })
}

/// Whether a journal entry is the second client's.
pub fn is_spender(e: &JournalEntry) -> bool {
    e.query.as_deref().is_some_and(|q| q.contains(SPENDER_MARK))
}

/// Whether the mock counted the call against the limits (everything but a limiter 429).
fn admitted(e: &JournalEntry) -> bool {
    !(e.status == Some(429) && e.fault.is_none())
}

/// The journal's evidence about one client (`mine` picks its calls); `Err` describes a violation.
///
/// 1. After a `429` that asked to wait `w` ms, the client's next call arrived at least `w` ms later (the
///    journal's times are wall-clock milliseconds of arrival; 1 ms of slack for the clock's truncation).
/// 2. Every `429` the client got was caused by others: at that moment the window held its limit of admitted
///    calls, but the client's own calls alone did not fill it.
pub fn check_throttling(
    journal: &[JournalEntry],
    mine: impl Fn(&JournalEntry) -> bool,
    windows: &[(u64, usize)],
) -> Result<usize, String> {
    const SLACK_MS: u64 = 1;
    const EDGE_MS: u64 = 3;
    let own: Vec<&JournalEntry> = journal.iter().filter(|e| mine(e)).collect();
    let mut throttled = 0;
    for (i, e) in own.iter().enumerate() {
        if e.status != Some(429) {
            continue;
        }
        let wait = e.retry_after_ms.ok_or_else(|| format!("429 without retry-after-ms: {e:?}"))?;
        if let Some(next) = own.get(i + 1) {
            if next.timestamp_ms + SLACK_MS < e.timestamp_ms + wait {
                return Err(format!(
                    "call #{} came {} ms after the 429 of call #{}, which asked for {wait} ms",
                    next.seq,
                    next.timestamp_ms - e.timestamp_ms,
                    e.seq
                ));
            }
        }
        if e.fault.is_some() {
            // An injected 429: nobody's spending, but it must still be waited out (checked above).
            continue;
        }
        throttled += 1;
        let t = e.timestamp_ms;
        let mut full = false;
        for &(length, limit) in windows {
            let in_window = |x: &&JournalEntry, widen: u64| {
                x.seq < e.seq && admitted(x) && x.timestamp_ms + length + widen > t && x.timestamp_ms <= t
            };
            let own_calls = own.iter().filter(|x| in_window(x, EDGE_MS)).count();
            if own_calls >= limit {
                return Err(format!("the client's own {own_calls} calls filled a window of {limit} before #{}", e.seq));
            }
            full |= journal.iter().filter(|x| in_window(x, EDGE_MS)).count() >= limit;
        }
        if !full {
            return Err(format!("429 #{} while no window was full: not the others' spending", e.seq));
        }
    }
    Ok(throttled)
}
