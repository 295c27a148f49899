//! What the responders share: fixed settings and the mutable state (data, limits, faults, journal).

use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use mde_core::Timestamp;

use crate::auth::TokenPolicy;
use crate::data::Dataset;
use crate::faults::Faults;
use crate::journal::Journal;
use crate::limits::{LimitConfig, Limiter};
use crate::reply::correlation_id;

/// Settings fixed at start.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub seed: u64,
    pub policy: TokenPolicy,
    pub cors_origin: String,
    pub latency: Duration,
    pub limits: LimitConfig,
    /// What `GET /__admin/config` shows.
    pub summary: serde_json::Value,
}

/// The mutable part.
#[derive(Debug)]
pub(crate) struct State {
    pub data: Dataset,
    pub limiter: Limiter,
    pub faults: Faults,
    pub journal: Journal,
    correlations: u64,
    /// Start of the limiter's clock (the mock's start, or the last reset).
    epoch: Instant,
}

impl State {
    /// Milliseconds on the limiter's monotonic clock.
    pub fn clock_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// The next correlation id (the `target` of error bodies).
    pub fn correlation(&mut self, seed: u64) -> String {
        self.correlations += 1;
        correlation_id(seed, self.correlations)
    }

    /// Forgets limits, journal and faults (the plan and the call count; the rate stays). Data stays.
    pub fn reset(&mut self) {
        self.limiter.reset();
        self.journal.clear();
        self.faults.reset();
        self.correlations = 0;
        self.epoch = Instant::now();
    }
}

/// Settings and state, shared by the responders and the [`MockApi`](crate::MockApi) handle.
#[derive(Debug)]
pub(crate) struct Shared {
    pub settings: Settings,
    state: Mutex<State>,
}

impl Shared {
    pub fn new(settings: Settings, data: Dataset, fault_rate: f64) -> Shared {
        let state = State {
            data,
            limiter: Limiter::new(settings.limits),
            faults: Faults::new(settings.seed, fault_rate),
            journal: Journal::default(),
            correlations: 0,
            epoch: Instant::now(),
        };
        Shared { settings, state: Mutex::new(state) }
    }

    /// Locks the state. A responder never panics while holding it; if one did, the state is still usable.
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Wall-clock time now: milliseconds since the Unix epoch and RFC 3339.
pub(crate) fn wall_clock() -> (u64, String) {
    let ms = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
    let ms = u64::try_from(ms).unwrap_or(u64::MAX);
    let text = i64::try_from(ms).ok().and_then(Timestamp::from_unix_millis).map(|t| t.to_string()).unwrap_or_default();
    (ms, text)
}
