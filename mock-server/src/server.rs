//! [`MockApi`] and its [`MockApiBuilder`]: start a mock on a port, talk to it from Rust.
//!
//! The mock is a thin wiremock driver of [`mde_mock_engine::Engine`]: one responder hands every request to the
//! engine with the time, and turns its reply into a `ResponseTemplate`; connection faults go to the
//! [front](crate::front) as a marker header. The responder is mounted on two wiremock servers, which the front
//! uses in turn and resets, so that wiremock's copies of the requests it matched stay bounded.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use mde_core::{Investigation, Timestamp};
use mde_mock_engine::{
    ConnectionFault, Engine, Fault, InvestigationUpdate, JournalEntry, LiveOff, LiveStatus, NextLinks, ODataVersion,
    Options, Reply, UpdateError, Window,
};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Respond, ResponseTemplate};

use crate::front::{self, pace_marker, Front, Recycle, Upstream, FAULT_HEADER, PACE_HEADER};

/// Requests one wiremock server answers before the front moves to the other one and resets it, by default.
pub const DEFAULT_RECYCLE_AFTER: u32 = 1_000;

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
    options: Options,
    recycle_after: NonZeroU32,
}

impl Default for MockApiBuilder {
    fn default() -> MockApiBuilder {
        MockApiBuilder {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            options: Options::default(),
            recycle_after: NonZeroU32::new(DEFAULT_RECYCLE_AFTER).unwrap_or(NonZeroU32::MIN),
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

    /// All the engine's options at once (what the binary parses from its flags).
    pub fn options(mut self, options: Options) -> Self {
        self.options = options;
        self
    }

    /// The seed of the generated data, the fault choices and the correlation ids (default 1).
    pub fn seed(mut self, seed: u64) -> Self {
        self.options.seed = seed;
        self
    }

    /// How many investigations to generate (default 2,000); ignored with [`investigations`](Self::investigations).
    pub fn count(mut self, count: usize) -> Self {
        self.options.count = count;
        self
    }

    /// Serve these investigations instead of generated ones.
    pub fn investigations(mut self, items: Vec<Investigation>) -> Self {
        self.options.investigations = Some(items);
        self
    }

    /// Accept this token (repeatable). Without any, every non-empty bearer token is accepted.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.options.tokens.push(token.into());
        self
    }

    /// Answer this token with `403 Forbidden` (repeatable).
    pub fn forbidden_token(mut self, token: impl Into<String>) -> Self {
        self.options.forbidden_tokens.push(token.into());
        self
    }

    /// Calls per (scaled) minute and token (default 100).
    pub fn per_minute(mut self, n: u32) -> Self {
        self.options.per_minute = n;
        self
    }

    /// Calls per (scaled) hour and token (default 1,500).
    pub fn per_hour(mut self, n: u32) -> Self {
        self.options.per_hour = n;
        self
    }

    /// Sliding (default) or fixed windows.
    pub fn window(mut self, window: Window) -> Self {
        self.options.window = window;
        self
    }

    /// Multiplies the windows and `Retry-After` (default 1.0; 0.01 makes a minute last 600 ms).
    pub fn time_scale(mut self, scale: f64) -> Self {
        self.options.time_scale = scale;
        self
    }

    /// Share of data calls that fail with 500, 503, a closed connection or a truncated body (default 0).
    pub fn fault_rate(mut self, rate: f64) -> Self {
        self.options.fault_rate = rate;
        self
    }

    /// Delay before every answer outside `/__admin/` (default none).
    pub fn latency(mut self, latency: Duration) -> Self {
        self.options.latency = latency;
        self
    }

    /// `Access-Control-Allow-Origin` of every answer: `*` (default), an origin, or origins separated by commas
    /// (the request's `Origin` is echoed when listed).
    pub fn cors_origin(mut self, origin: impl Into<String>) -> Self {
        self.options.cors_origin = origin.into();
        self
    }

    /// The end of the generated data's 90 days (default: the current time).
    pub fn now(mut self, now: Timestamp) -> Self {
        self.options.now = Some(now);
        self
    }

    /// How many requests one of the mock's two wiremock servers answers before the other one takes over and the
    /// first is reset (default [`DEFAULT_RECYCLE_AFTER`]). wiremock 0.6 keeps a copy of every request it
    /// matched until it is reset (about 4.7 KB for a small `GET`), so the mock holds at most about twice this
    /// many copies, whatever the number of requests. Nothing else changes: no request is refused or delayed by
    /// the swap.
    pub fn recycle_after(mut self, requests: NonZeroU32) -> Self {
        self.recycle_after = requests;
        self
    }

    /// The OData version of the `$filter` syntax accepted (default 4.0, the service's; 4.01 adds `in` and
    /// operators in any case).
    pub fn odata(mut self, version: ODataVersion) -> Self {
        self.options.odata = version;
        self
    }

    /// Which list pages carry an `@odata.nextLink` (default [`NextLinks::Service`]: only pages read without
    /// `$top`, as the service).
    pub fn next_links(mut self, mode: NextLinks) -> Self {
        self.options.next_links = mode;
        self
    }

    /// Also send `retry-after-ms`, the exact wait, with every `429` (default off: the service sends only
    /// `Retry-After`, in whole seconds). For time-scaled tests that need the precision.
    pub fn retry_after_ms(mut self, on: bool) -> Self {
        self.options.retry_after_ms = on;
        self
    }

    /// Share of data calls throttled with a `429` below the call limits, as the service does for CPU (default 0).
    pub fn cpu_throttle_rate(mut self, rate: f64) -> Self {
        self.options.cpu_throttle_rate = rate;
        self
    }

    /// Live mode: investigations arrive and move through their states over (scaled) time, from the seed
    /// (default off; see the README's "Live mode").
    pub fn live(mut self, on: bool) -> Self {
        self.options.live = on;
        self
    }

    /// In live mode, arrivals per (scaled) hour on average, 0 to 3,600 (default 20).
    pub fn live_rate(mut self, per_hour: f64) -> Self {
        self.options.live_rate = per_hour;
        self
    }

    /// Sends the body of every answer outside `/__admin/` over time, at `bytes_per_second` (at least 1), in
    /// chunks about every 25 ms with `Transfer-Encoding: chunked`, as the service streams its pages (default: at
    /// once, with a `Content-Length`).
    pub fn bandwidth(mut self, bytes_per_second: u64) -> Self {
        self.options.bandwidth = Some(bytes_per_second);
        self
    }

    /// Waits this long (at least 1 ms) between the head of every answer outside `/__admin/` and its body's first
    /// byte, then sends the body in chunks (default: no wait).
    pub fn first_byte(mut self, wait: Duration) -> Self {
        self.options.first_byte = Some(wait);
        self
    }

    /// Starts the mock: binds the address, serves until the [`MockApi`] is dropped.
    ///
    /// Needs a Tokio runtime (any flavour); the mock's own I/O runs on threads of its own.
    pub async fn start(self) -> Result<MockApi, StartError> {
        let clock = Clock::start();
        let engine = Engine::new(self.options, clock.now_ms()).map_err(|e| StartError::Invalid(e.to_string()))?;
        let wanted = SocketAddr::new(self.host, self.port);
        let public = std::net::TcpListener::bind(wanted).map_err(|source| StartError::Bind { addr: wanted, source })?;
        let address = public.local_addr().map_err(|source| StartError::Bind { addr: wanted, source })?;

        let shared = Arc::new(Shared { engine: Mutex::new(engine), clock });
        let first = Wiremock::start(&shared).await?;
        let second = Wiremock::start(&shared).await?;
        let servers = [first.upstream(&shared), second.upstream(&shared)];
        let front = front::start(public, servers, u64::from(self.recycle_after.get())).map_err(StartError::Front)?;
        Ok(MockApi { address, shared, front, _servers: [first, second] })
    }
}

/// One wiremock server with the engine's responder mounted, on a private loopback port.
#[derive(Debug, Clone)]
struct Wiremock {
    server: Arc<MockServer>,
    addr: SocketAddr,
}

impl Wiremock {
    async fn start(shared: &Arc<Shared>) -> Result<Wiremock, StartError> {
        let private_addr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0);
        let private = std::net::TcpListener::bind(private_addr)
            .map_err(|source| StartError::Bind { addr: private_addr, source })?;
        let addr = private.local_addr().map_err(|source| StartError::Bind { addr: private_addr, source })?;
        let server = Arc::new(MockServer::builder().listener(private).disable_request_recording().start().await);
        mount(&server, shared).await;
        Ok(Wiremock { server, addr })
    }

    /// The front's view of it: its address, and how to reset it and mount the responder again.
    ///
    /// wiremock counts its resets in a `u16` (`MountedMockSet::generation`): in a build with overflow checks
    /// (a debug build) a server reset 65,536 times would panic in the recycling task and stay out of the
    /// rotation, after about 65 million requests at the default [`MockApiBuilder::recycle_after`]; release
    /// builds wrap, which is harmless here (the mock holds no `MockId`).
    fn upstream(&self, shared: &Arc<Shared>) -> Upstream {
        let (server, shared) = (self.server.clone(), shared.clone());
        let recycle: Recycle = Arc::new(move || {
            let (server, shared) = (server.clone(), shared.clone());
            Box::pin(async move {
                server.reset().await;
                mount(&server, &shared).await;
            })
        });
        Upstream { addr: self.addr, recycle }
    }
}

/// Mounts the one responder, which hands every request to the engine.
async fn mount(server: &MockServer, shared: &Arc<Shared>) {
    Mock::given(any()).respond_with(EngineResponder(shared.clone())).named("mde-mock engine").mount(server).await;
}

/// Milliseconds since the Unix epoch, read from a monotonic clock started at the wall-clock time: never goes
/// back, whatever the system clock does.
#[derive(Debug)]
struct Clock {
    started: Instant,
    unix_ms_at_start: u64,
}

impl Clock {
    fn start() -> Clock {
        let unix = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
        Clock { started: Instant::now(), unix_ms_at_start: u64::try_from(unix).unwrap_or(u64::MAX) }
    }

    fn now_ms(&self) -> u64 {
        let elapsed = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.unix_ms_at_start.saturating_add(elapsed)
    }
}

/// The engine and its clock, shared by the responder and the [`MockApi`] handle.
#[derive(Debug)]
struct Shared {
    engine: Mutex<Engine>,
    clock: Clock,
}

impl Shared {
    /// Locks the engine, its live world (if any) brought to now. It never panics while locked; if it did, the
    /// engine is still usable.
    fn lock(&self) -> MutexGuard<'_, Engine> {
        let now = self.clock.now_ms();
        let mut engine = self.engine.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        engine.advance(now);
        engine
    }
}

/// The one wiremock responder: every request goes to the engine.
#[derive(Debug, Clone)]
struct EngineResponder(Arc<Shared>);

impl Respond for EngineResponder {
    fn respond(&self, req: &wiremock::Request) -> ResponseTemplate {
        let header = |name: &str| req.headers.get(name).and_then(|v| v.to_str().ok());
        let request = mde_mock_engine::Request {
            method: req.method.as_str(),
            path: req.url.path(),
            query: req.url.query(),
            authorization: header("authorization"),
            origin: header("origin"),
            host: header("host"),
            scheme: "http",
            body: &req.body,
        };
        let reply = {
            let now = self.0.clock.now_ms();
            self.0.lock().handle(now, &request)
        };
        template(reply)
    }
}

/// The wiremock template of a reply; a connection fault and a pacing plan become the [front](crate::front)'s
/// marker headers.
fn template(reply: Reply) -> ResponseTemplate {
    let mut t = ResponseTemplate::new(reply.status);
    for (name, value) in &reply.headers {
        t = t.insert_header(*name, value.as_str());
    }
    match reply.fault {
        Some(ConnectionFault::Close) => t = t.insert_header(FAULT_HEADER, "close"),
        Some(ConnectionFault::Truncate { after }) => t = t.insert_header(FAULT_HEADER, format!("truncate {after}")),
        None => {}
    }
    if let Some(p) = reply.pacing {
        t = t.insert_header(PACE_HEADER, pace_marker(p.first_byte, p.chunk_bytes, p.interval));
    }
    if !reply.body.is_empty() {
        t = t.set_body_bytes(reply.body);
    }
    if !reply.delay.is_zero() {
        t = t.set_delay(reply.delay);
    }
    t
}

/// A running mock of the Investigations API. Dropping it stops it.
#[derive(Debug)]
pub struct MockApi {
    address: SocketAddr,
    shared: Arc<Shared>,
    // Dropped first: stop accepting, close relayed connections; then wiremock.
    front: Front,
    _servers: [Wiremock; 2],
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
        self.shared.lock().journal()
    }

    /// Forgets limits, journal and faults (as `POST /__admin/reset`); the data stays.
    pub async fn reset(&self) {
        let now = self.shared.clock.now_ms();
        self.shared.lock().reset(now);
    }

    /// Adds investigations at run time (as `POST /__admin/investigations`), in the documented order.
    pub async fn add_investigations(&self, items: Vec<Investigation>) {
        self.shared.lock().add_investigations(items);
    }

    /// Changes fields of one investigation (as `PATCH /__admin/investigations/{id}`), so that a test can make
    /// investigations progress; returns the investigation as it is now.
    pub async fn update_investigation(
        &self,
        id: &str,
        update: &InvestigationUpdate,
    ) -> Result<Investigation, UpdateError> {
        self.shared.lock().update_investigation(id, update)
    }

    /// Replaces the fault plan: the next data calls fail with these faults, in order (as `POST
    /// /__admin/faults`).
    pub async fn plan_faults(&self, faults: impl IntoIterator<Item = Fault>) {
        self.shared.lock().plan_faults(faults);
    }

    /// Which list pages carry an `@odata.nextLink` from now on (as `POST /__admin/next-links`).
    pub async fn set_next_links(&self, mode: NextLinks) {
        self.shared.lock().set_next_links(mode);
    }

    /// Changes the share of data calls that fail.
    pub async fn set_fault_rate(&self, rate: f64) {
        self.shared.lock().set_fault_rate(rate);
    }

    /// How many times one of the two wiremock servers has been reset and its responder mounted again (every
    /// [`MockApiBuilder::recycle_after`] requests): what keeps the mock's memory bounded under load.
    pub fn recycled(&self) -> u64 {
        self.front.recycled()
    }

    /// The data served, in the documented order: the oracle for tests.
    pub async fn investigations(&self) -> Vec<Investigation> {
        self.shared.lock().dataset().investigations().cloned().collect()
    }

    /// The live world now (as `GET /__admin/live`); [`LiveStatus::off`] without live mode.
    pub async fn live(&self) -> LiveStatus {
        self.shared.lock().live()
    }

    /// Stops (`true`) or starts again (`false`) the live world's clock (as `POST /__admin/live`): a paused
    /// world neither grows nor changes. [`LiveOff`] without live mode.
    pub async fn set_live_paused(&self, paused: bool) -> Result<LiveStatus, LiveOff> {
        let now = self.shared.clock.now_ms();
        self.shared.lock().set_live_paused(now, paused)
    }
}
