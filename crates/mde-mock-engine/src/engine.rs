//! [`Engine`]: the whole mock as a value. A driver hands it each request with the time and sends what it
//! answers; the library operations (journal, reset, data, faults) are methods on the same value.

use std::time::Duration;

use mde_core::{Investigation, Timestamp};
use serde_json::Value;

use crate::auth::TokenPolicy;
use crate::data::{generate, Dataset, InvestigationUpdate, UpdateError};
use crate::faults::{Fault, Faults};
use crate::journal::{Journal, JournalEntry};
use crate::limits::{LimitConfig, Limiter};
use crate::live::{LiveOff, LiveStatus, World};
use crate::odata::{NextLinks, ODataVersion};
use crate::options::{Options, OptionsError};
use crate::pacing::PaceConfig;
use crate::reply::{correlation_id, Cors};
use crate::request::{Reply, Request};

/// Settings fixed at start.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub seed: u64,
    pub policy: TokenPolicy,
    pub cors: Cors,
    pub latency: Duration,
    /// `--bandwidth` and `--first-byte-ms`.
    pub pace: PaceConfig,
    pub limits: LimitConfig,
    pub odata: ODataVersion,
    pub retry_after_ms: bool,
    /// What `GET /__admin/config` shows.
    pub summary: Value,
}

/// The mutable part.
#[derive(Debug)]
pub(crate) struct State {
    pub data: Dataset,
    pub limiter: Limiter,
    pub faults: Faults,
    pub journal: Journal,
    /// Which pages carry an `@odata.nextLink` (the admin API can change it).
    pub next_links: NextLinks,
    /// The live world (`--live`), which moves the data over time.
    pub live: Option<World>,
    correlations: u64,
    /// Start of the limiter's clock (the engine's start, or the last reset), in ms since the Unix epoch.
    epoch_ms: u64,
    /// The latest time seen: time never goes back for the limiter, whatever the driver's clock does.
    last_ms: u64,
}

impl State {
    /// Takes the time of a call (never before the last one seen); returns (wall clock, limiter clock) in ms.
    pub fn clock(&mut self, now_ms: u64) -> (u64, u64) {
        self.last_ms = self.last_ms.max(now_ms);
        (self.last_ms, self.last_ms - self.epoch_ms.min(self.last_ms))
    }

    /// The next correlation id (the `target` of error bodies).
    pub fn correlation(&mut self, seed: u64) -> String {
        self.correlations += 1;
        correlation_id(seed, self.correlations)
    }

    /// Brings the live world, if any, to the real time `now_ms`.
    pub fn advance(&mut self, now_ms: u64) {
        if let Some(world) = &mut self.live {
            world.advance(now_ms, &mut self.data);
        }
    }

    /// Adds investigations (the live world's next ids stay above theirs).
    pub fn add(&mut self, items: Vec<Investigation>) {
        if let Some(world) = &mut self.live {
            world.note_added(&items);
        }
        self.data.extend(items);
    }

    /// Changes one investigation, which leaves the live world's hands; returns its JSON.
    pub fn update(&mut self, id: &str, update: &InvestigationUpdate) -> Result<&[u8], UpdateError> {
        let json = self.data.update(id, update)?;
        if let Some(world) = &mut self.live {
            world.release(id);
        }
        Ok(json)
    }

    /// Forgets limits, journal and faults (the plan and the call count; the rate stays). Data stays.
    pub fn reset(&mut self, now_ms: u64) {
        self.limiter.reset();
        self.journal.clear();
        self.faults.reset();
        self.correlations = 0;
        self.last_ms = self.last_ms.max(now_ms);
        self.epoch_ms = self.last_ms;
    }
}

/// The mock of the Investigations API, without I/O: `handle(now_ms, request) -> reply`.
///
/// Time is an argument (milliseconds since the Unix epoch, what `Date.now()` gives); the engine reads no clock,
/// draws its "random" choices from the seed, and never blocks. A driver that serves many connections wraps it
/// in a mutex: every call is short.
#[derive(Debug)]
pub struct Engine {
    pub(crate) settings: Settings,
    pub(crate) state: State,
}

impl Engine {
    /// An engine with `options`, started at `now_ms` (the start of the limits' windows and, unless
    /// `options.now` says otherwise, the end of the generated data's 90 days).
    pub fn new(options: Options, now_ms: u64) -> Result<Engine, OptionsError> {
        options.validate()?;
        let now = options
            .now
            .or_else(|| i64::try_from(now_ms).ok().and_then(Timestamp::from_unix_millis))
            .unwrap_or(Timestamp::MIN);
        let items = match &options.investigations {
            Some(items) => items.clone(),
            None => generate(options.seed, options.count, now),
        };
        let data = Dataset::new(items);
        let summary = options.summary(data.len(), now);
        let limits = LimitConfig {
            per_minute: options.per_minute,
            per_hour: options.per_hour,
            window: options.window,
            time_scale: options.time_scale,
        };
        // `validate` checked the origin.
        let cors = Cors::parse(&options.cors_origin).ok_or_else(|| unreachable_cors(&options))?;
        let settings = Settings {
            seed: options.seed,
            policy: TokenPolicy::new(options.tokens, options.forbidden_tokens),
            cors,
            latency: options.latency,
            pace: PaceConfig { bandwidth: options.bandwidth, first_byte: options.first_byte },
            limits,
            odata: options.odata,
            retry_after_ms: options.retry_after_ms,
            summary,
        };
        let live =
            options.live.then(|| World::new(options.seed, options.live_rate, options.time_scale, now, now_ms, &data));
        let state = State {
            live,
            data,
            limiter: Limiter::new(limits),
            faults: Faults::new(options.seed, options.fault_rate).with_cpu_rate(options.cpu_throttle_rate),
            journal: Journal::default(),
            next_links: options.next_links,
            correlations: 0,
            epoch_ms: now_ms,
            last_ms: now_ms,
        };
        Ok(Engine { settings, state })
    }

    /// Answers one request at `now_ms` (milliseconds since the Unix epoch): the reply to send after
    /// [`Reply::delay`], or the connection fault to enact. Calls outside `/__admin/` are journaled. In live
    /// mode the world is first brought to `now_ms` ([`Engine::advance`]).
    pub fn handle(&mut self, now_ms: u64, request: &Request<'_>) -> Reply {
        self.state.advance(now_ms);
        if request.path == "/__admin" || request.path.starts_with("/__admin/") {
            crate::admin::handle(self, now_ms, request)
        } else {
            crate::api::handle(self, now_ms, request)
        }
    }

    /// The journal of calls outside `/__admin/`, oldest first (as `GET /__admin/requests`).
    pub fn journal(&self) -> Vec<JournalEntry> {
        self.state.journal.entries()
    }

    /// Forgets limits, journal and faults (as `POST /__admin/reset`); the data stays.
    pub fn reset(&mut self, now_ms: u64) {
        self.state.reset(now_ms);
    }

    /// In live mode, brings the world to the real time `now_ms`: every arrival and change of state due by
    /// then is applied ([`crate::live`]). [`Engine::handle`] does it before each call; a driver calls it before
    /// the library operations that read or change the data, so that they see the world at that time. Nothing
    /// without live mode, or for a time before the latest one given.
    pub fn advance(&mut self, now_ms: u64) {
        self.state.advance(now_ms);
    }

    /// The live world as `GET /__admin/live` shows it (as of the last advance; [`LiveStatus::off`] without live
    /// mode).
    pub fn live(&self) -> LiveStatus {
        self.state.live.as_ref().map_or_else(LiveStatus::off, World::status)
    }

    /// Stops (`true`) or starts again (`false`) the live world's clock at `now_ms`, after bringing the world to
    /// that time (as `POST /__admin/live {"paused": ...}`); a paused world neither grows nor changes, and starts
    /// again from where it stopped. [`LiveOff`] without live mode.
    pub fn set_live_paused(&mut self, now_ms: u64, paused: bool) -> Result<LiveStatus, LiveOff> {
        let State { live, data, .. } = &mut self.state;
        let world = live.as_mut().ok_or(LiveOff)?;
        world.set_paused(now_ms, paused, data);
        Ok(world.status())
    }

    /// Adds investigations, in the documented order (as `POST /__admin/investigations`). The live world does
    /// not move them; its next ids stay above theirs.
    pub fn add_investigations(&mut self, items: Vec<Investigation>) {
        self.state.add(items);
    }

    /// Changes one investigation (as `PATCH /__admin/investigations/{id}`); returns it as it is now. In live
    /// mode it leaves the world's hands: it keeps what the update says (call [`Engine::advance`] first to
    /// change the world as it is now).
    pub fn update_investigation(
        &mut self,
        id: &str,
        update: &InvestigationUpdate,
    ) -> Result<Investigation, UpdateError> {
        self.state.update(id, update)?;
        self.state
            .data
            .investigations()
            .find(|i| i.id == id)
            .cloned()
            .ok_or_else(|| UpdateError::NotFound(id.to_string()))
    }

    /// Replaces the fault plan: the next data calls fail with these faults, in order (as `POST
    /// /__admin/faults`).
    pub fn plan_faults(&mut self, faults: impl IntoIterator<Item = Fault>) {
        self.state.faults.reset_plan(faults);
    }

    /// The faults still planned, next first (as `GET /__admin/faults` shows them).
    pub fn fault_plan(&self) -> Vec<Fault> {
        self.state.faults.pending()
    }

    /// The share of data calls that fail.
    pub fn fault_rate(&self) -> f64 {
        self.state.faults.rate()
    }

    /// Changes the share of data calls that fail (clamped to 0..=1).
    pub fn set_fault_rate(&mut self, rate: f64) {
        self.state.faults.set_rate(rate);
    }

    /// Which list pages carry an `@odata.nextLink` from now on (as `POST /__admin/next-links`).
    pub fn set_next_links(&mut self, mode: NextLinks) {
        self.state.next_links = mode;
    }

    /// The data served, in the documented order: the oracle for tests.
    pub fn dataset(&self) -> &Dataset {
        &self.state.data
    }

    /// The options in force, as `GET /__admin/config` shows them.
    pub fn config(&self) -> &Value {
        &self.settings.summary
    }
}

fn unreachable_cors(options: &Options) -> OptionsError {
    OptionsError::Invalid { option: crate::options::name::CORS_ORIGIN, problem: format!("`{}`", options.cors_origin) }
}
