//! [`MockApi`] and its [`MockApiBuilder`]: start a mock on a port, talk to it from Rust.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use mde_core::{Investigation, Timestamp};
use wiremock::matchers::{any, path_regex};
use wiremock::{Mock, MockServer};

use crate::admin::AdminResponder;
use crate::api::ApiResponder;
use crate::auth::TokenPolicy;
use crate::data::{generate, Dataset};
use crate::faults::Fault;
use crate::front::{self, Front};
use crate::journal::JournalEntry;
use crate::limits::{LimitConfig, Window};
use crate::state::{wall_clock, Settings, Shared};

/// Why a mock did not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The address could not be bound (in use, not local, no permission).
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The system's reason.
        source: std::io::Error,
    },
    /// The relay before wiremock could not start.
    #[error("cannot start the connection relay: {0}")]
    Front(std::io::Error),
    /// An option is out of range.
    #[error("invalid option: {0}")]
    Invalid(String),
}

/// Options of a mock; [`MockApi::builder`] sets them. Defaults are the binary's.
#[derive(Debug, Clone)]
pub struct MockApiBuilder {
    host: IpAddr,
    port: u16,
    seed: u64,
    count: usize,
    data: Option<Vec<Investigation>>,
    tokens: Vec<String>,
    forbidden_tokens: Vec<String>,
    per_minute: u32,
    per_hour: u32,
    window: Window,
    time_scale: f64,
    fault_rate: f64,
    latency: Duration,
    cors_origin: String,
    now: Option<Timestamp>,
}

impl Default for MockApiBuilder {
    fn default() -> MockApiBuilder {
        MockApiBuilder {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            seed: 1,
            count: 2_000,
            data: None,
            tokens: Vec::new(),
            forbidden_tokens: Vec::new(),
            per_minute: 100,
            per_hour: 1_500,
            window: Window::Sliding,
            time_scale: 1.0,
            fault_rate: 0.0,
            latency: Duration::ZERO,
            cors_origin: "*".to_string(),
            now: None,
        }
    }
}

impl MockApiBuilder {
    /// The address to listen on (default `127.0.0.1`).
    pub fn host(mut self, host: IpAddr) -> Self {
        self.host = host;
        self
    }

    /// The port (default 0: a free port, which the library's users want; the binary's default is 4010).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// The seed of the generated data, the fault choices and the correlation ids (default 1).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// How many investigations to generate (default 2,000); ignored with [`investigations`](Self::investigations).
    pub fn count(mut self, count: usize) -> Self {
        self.count = count;
        self
    }

    /// Serve these investigations instead of generated ones.
    pub fn investigations(mut self, items: Vec<Investigation>) -> Self {
        self.data = Some(items);
        self
    }

    /// Accept this token (repeatable). Without any, every non-empty bearer token is accepted.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.tokens.push(token.into());
        self
    }

    /// Answer this token with `403 Forbidden` (repeatable).
    pub fn forbidden_token(mut self, token: impl Into<String>) -> Self {
        self.forbidden_tokens.push(token.into());
        self
    }

    /// Calls per (scaled) minute and token (default 100).
    pub fn per_minute(mut self, n: u32) -> Self {
        self.per_minute = n;
        self
    }

    /// Calls per (scaled) hour and token (default 1,500).
    pub fn per_hour(mut self, n: u32) -> Self {
        self.per_hour = n;
        self
    }

    /// Sliding (default) or fixed windows.
    pub fn window(mut self, window: Window) -> Self {
        self.window = window;
        self
    }

    /// Multiplies the windows and `Retry-After` (default 1.0; 0.01 makes a minute last 600 ms).
    pub fn time_scale(mut self, scale: f64) -> Self {
        self.time_scale = scale;
        self
    }

    /// Share of data calls that fail with 500, 503, a closed connection or a truncated body (default 0).
    pub fn fault_rate(mut self, rate: f64) -> Self {
        self.fault_rate = rate;
        self
    }

    /// Delay before every answer outside `/__admin/` (default none).
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// `Access-Control-Allow-Origin` of every answer (default `*`).
    pub fn cors_origin(mut self, origin: impl Into<String>) -> Self {
        self.cors_origin = origin.into();
        self
    }

    /// The end of the generated data's 90 days (default: the current time).
    pub fn now(mut self, now: Timestamp) -> Self {
        self.now = Some(now);
        self
    }

    fn validate(&self) -> Result<(), StartError> {
        if !(self.time_scale.is_finite() && self.time_scale > 0.0) {
            return Err(StartError::Invalid(format!("time scale {} must be a number above 0", self.time_scale)));
        }
        if !(0.0..=1.0).contains(&self.fault_rate) {
            return Err(StartError::Invalid(format!("fault rate {} must be from 0 to 1", self.fault_rate)));
        }
        if self.per_minute == 0 || self.per_hour == 0 {
            return Err(StartError::Invalid("per-minute and per-hour limits must be at least 1".to_string()));
        }
        if self.cors_origin.is_empty() || wiremock::http::HeaderValue::from_str(&self.cors_origin).is_err() {
            return Err(StartError::Invalid(format!("CORS origin `{}` is not a valid header value", self.cors_origin)));
        }
        Ok(())
    }

    /// Starts the mock: binds the address, serves until the [`MockApi`] is dropped.
    ///
    /// Needs a Tokio runtime (any flavour); the mock's own I/O runs on threads of its own.
    pub async fn start(self) -> Result<MockApi, StartError> {
        self.validate()?;
        let wanted = SocketAddr::new(self.host, self.port);
        let public = std::net::TcpListener::bind(wanted).map_err(|source| StartError::Bind { addr: wanted, source })?;
        let address = public.local_addr().map_err(|source| StartError::Bind { addr: wanted, source })?;
        let private_addr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0);
        let private = std::net::TcpListener::bind(private_addr)
            .map_err(|source| StartError::Bind { addr: private_addr, source })?;
        let upstream = private.local_addr().map_err(|source| StartError::Bind { addr: private_addr, source })?;

        let now = self.now.unwrap_or_else(|| {
            let (ms, _) = wall_clock();
            i64::try_from(ms).ok().and_then(Timestamp::from_unix_millis).unwrap_or(Timestamp::MIN)
        });
        let generated = self.data.is_none();
        let items = self.data.unwrap_or_else(|| generate(self.seed, self.count, now));
        let data = Dataset::new(items);
        let limits = LimitConfig {
            per_minute: self.per_minute,
            per_hour: self.per_hour,
            window: self.window,
            time_scale: self.time_scale,
        };
        let summary = serde_json::json!({
            "seed": self.seed,
            "count": data.len(),
            "generated": generated,
            "now": now.to_string(),
            "tokens": self.tokens.len(),
            "forbidden_tokens": self.forbidden_tokens.len(),
            "per_minute": self.per_minute,
            "per_hour": self.per_hour,
            "window": match self.window { Window::Sliding => "sliding", Window::Fixed => "fixed" },
            "time_scale": self.time_scale,
            "minute_ms": limits.minute_ms(),
            "hour_ms": limits.hour_ms(),
            "fault_rate": self.fault_rate,
            "latency_ms": self.latency.as_millis() as u64,
            "cors_origin": self.cors_origin,
        });
        let settings = Settings {
            seed: self.seed,
            policy: TokenPolicy::new(self.tokens, self.forbidden_tokens),
            cors_origin: self.cors_origin,
            latency: self.latency,
            limits,
            summary,
        };
        let shared = Arc::new(Shared::new(settings, data, self.fault_rate));

        let server = MockServer::builder().listener(private).disable_request_recording().start().await;
        Mock::given(path_regex(r"^/__admin(/|$)"))
            .respond_with(AdminResponder(shared.clone()))
            .with_priority(1)
            .named("mde-mock admin")
            .mount(&server)
            .await;
        Mock::given(any())
            .respond_with(ApiResponder(shared.clone()))
            .with_priority(2)
            .named("mde-mock api")
            .mount(&server)
            .await;

        let front = front::start(public, upstream).map_err(StartError::Front)?;
        Ok(MockApi { address, shared, _front: front, _server: server })
    }
}

/// A running mock of the Investigations API. Dropping it stops it.
#[derive(Debug)]
pub struct MockApi {
    address: SocketAddr,
    shared: Arc<Shared>,
    // Dropped first: stop accepting, close relayed connections; then wiremock.
    _front: Front,
    _server: MockServer,
}

impl MockApi {
    /// A builder with the binary's defaults, except the port (a free one).
    pub fn builder() -> MockApiBuilder {
        MockApiBuilder::default()
    }

    /// The base URL, `http://127.0.0.1:PORT`: the client's `baseUrl`.
    pub fn uri(&self) -> String {
        match self.address {
            SocketAddr::V4(a) => format!("http://{}:{}", a.ip(), a.port()),
            SocketAddr::V6(a) => format!("http://[{}]:{}", a.ip(), a.port()),
        }
    }

    /// The address it listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The journal of calls outside `/__admin/`, oldest first.
    pub async fn journal(&self) -> Vec<JournalEntry> {
        self.shared.lock().journal.entries()
    }

    /// Forgets limits, journal and faults (as `POST /__admin/reset`); the data stays.
    pub async fn reset(&self) {
        self.shared.lock().reset();
    }

    /// Adds investigations at run time (as `POST /__admin/investigations`), in the documented order.
    pub async fn add_investigations(&self, items: Vec<Investigation>) {
        self.shared.lock().data.extend(items);
    }

    /// Replaces the fault plan: the next data calls fail with these faults, in order (as `POST
    /// /__admin/faults`).
    pub async fn plan_faults(&self, faults: impl IntoIterator<Item = Fault>) {
        self.shared.lock().faults.reset_plan(faults);
    }

    /// Changes the share of data calls that fail.
    pub async fn set_fault_rate(&self, rate: f64) {
        self.shared.lock().faults.set_rate(rate);
    }

    /// The data served, in the documented order: the oracle for tests.
    pub async fn investigations(&self) -> Vec<Investigation> {
        self.shared.lock().data.investigations().cloned().collect()
    }
}
