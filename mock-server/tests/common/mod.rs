//! Helpers shared by the integration tests: the mock under test (any of its faces), a client, calls with a
//! token, JSON bodies.
//!
//! **Faces.** The tests run, as they are, against the face named by the variable `MDE_FACE`:
//!
//! - `native` (the default): this crate's [`MockApi`] library, and its `mde-mock` binary for `binary.rs`;
//! - `npm`: the npm package's bin (`node .../node_modules/mde-mock/bin/mde-mock.js`, from the packed tarball);
//! - `handler`: the npm package's in-process handler, `createMockApi`, served over HTTP by the small adapter
//!   `crates/mde-mock-wasm/tests/handler-server.js` (so that its `Request`/`Response` conversion is what answers).
//!
//! For `npm` and `handler`, `MDE_FACE_COMMAND` is the command that starts the face, as a JSON array of strings
//! (`["node", "/.../bin/mde-mock.js"]`); it takes the native binary's flags. `cargo xtask test` runs the suite
//! once per face. [`builder`] gives a [`Builder`] with the `MockApiBuilder` methods the tests use; its
//! [`Builder::start`] starts the native `MockApi`, or the face as a child process with the same options as flags
//! (`--port 0`, then the ready line is read); the [`Mock`] it returns has the `MockApi` methods the tests use,
//! done through the admin API over HTTP for a child process, which it kills when dropped.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

use mde_core::{Investigation, Timestamp};
use mde_mock::data::{parse_investigations, Single};
use mde_mock::live::{LiveOff, LiveStatus};
use mde_mock::{
    Fault, InvestigationUpdate, JournalEntry, MockApi, MockApiBuilder, NextLinks, ODataVersion, Options, UpdateError,
    Window,
};
use serde_json::{json, Value};

/// A fixed "now" so that generated data is the same on every run.
pub fn now() -> Timestamp {
    Timestamp::parse("2026-11-27T12:00:00Z").unwrap()
}

/// A builder of the face under test with a fixed `now` and a small data set.
pub fn builder() -> Builder {
    Builder { options: Options::default() }.now(now()).count(300)
}

/// A builder of the native library whatever the face under test (for the tests of the Rust API itself).
pub fn native_builder() -> MockApiBuilder {
    MockApi::builder().now(now()).count(300)
}

/// Which face of the mock the tests run against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Face {
    /// This crate's library and binary.
    Native,
    /// A command that takes the binary's flags: the npm bin, or the handler's adapter.
    Process {
        /// `npm` or `handler` (what `MDE_FACE` said).
        name: String,
        /// The program and its first arguments.
        command: Vec<String>,
    },
}

/// The face under test, read once from `MDE_FACE` and `MDE_FACE_COMMAND`.
pub fn face() -> &'static Face {
    static FACE: OnceLock<Face> = OnceLock::new();
    FACE.get_or_init(|| {
        let name = std::env::var("MDE_FACE").unwrap_or_default();
        if name.is_empty() || name == "native" {
            return Face::Native;
        }
        let text = std::env::var("MDE_FACE_COMMAND")
            .unwrap_or_else(|_| panic!("MDE_FACE={name} needs MDE_FACE_COMMAND: the command as a JSON array"));
        let command: Vec<String> = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("MDE_FACE_COMMAND is not a JSON array of strings ({e}): {text}"));
        assert!(!command.is_empty(), "MDE_FACE_COMMAND is empty");
        Face::Process { name, command }
    })
}

/// The face's program, ready for its flags: the native `mde-mock` binary or the face's command. No `MDE_MOCK_*`
/// variable of this process reaches it (a test sets those it means).
pub fn mock_command() -> Command {
    let mut cmd = match face() {
        Face::Native => Command::new(env!("CARGO_BIN_EXE_mde-mock")),
        Face::Process { command, .. } => {
            let mut cmd = Command::new(&command[0]);
            cmd.args(&command[1..]);
            cmd
        }
    };
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("MDE_MOCK_") {
            cmd.env_remove(key);
        }
    }
    cmd
}

/// The options of a mock under test; the same methods as `MockApiBuilder`.
#[derive(Debug, Clone)]
pub struct Builder {
    options: Options,
}

impl Builder {
    pub fn seed(mut self, seed: u64) -> Self {
        self.options.seed = seed;
        self
    }

    pub fn count(mut self, count: usize) -> Self {
        self.options.count = count;
        self
    }

    pub fn investigations(mut self, items: Vec<Investigation>) -> Self {
        self.options.investigations = Some(items);
        self
    }

    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.options.tokens.push(token.into());
        self
    }

    pub fn forbidden_token(mut self, token: impl Into<String>) -> Self {
        self.options.forbidden_tokens.push(token.into());
        self
    }

    pub fn per_minute(mut self, n: u32) -> Self {
        self.options.per_minute = n;
        self
    }

    pub fn per_hour(mut self, n: u32) -> Self {
        self.options.per_hour = n;
        self
    }

    pub fn window(mut self, window: Window) -> Self {
        self.options.window = window;
        self
    }

    pub fn time_scale(mut self, scale: f64) -> Self {
        self.options.time_scale = scale;
        self
    }

    pub fn fault_rate(mut self, rate: f64) -> Self {
        self.options.fault_rate = rate;
        self
    }

    pub fn latency(mut self, latency: Duration) -> Self {
        self.options.latency = latency;
        self
    }

    pub fn cors_origin(mut self, origin: impl Into<String>) -> Self {
        self.options.cors_origin = origin.into();
        self
    }

    pub fn now(mut self, now: Timestamp) -> Self {
        self.options.now = Some(now);
        self
    }

    pub fn odata(mut self, version: ODataVersion) -> Self {
        self.options.odata = version;
        self
    }

    pub fn next_links(mut self, mode: NextLinks) -> Self {
        self.options.next_links = mode;
        self
    }

    pub fn retry_after_ms(mut self, on: bool) -> Self {
        self.options.retry_after_ms = on;
        self
    }

    pub fn cpu_throttle_rate(mut self, rate: f64) -> Self {
        self.options.cpu_throttle_rate = rate;
        self
    }

    pub fn live(mut self, on: bool) -> Self {
        self.options.live = on;
        self
    }

    pub fn live_rate(mut self, per_hour: f64) -> Self {
        self.options.live_rate = per_hour;
        self
    }

    pub fn bandwidth(mut self, bytes_per_second: u64) -> Self {
        self.options.bandwidth = Some(bytes_per_second);
        self
    }

    pub fn first_byte(mut self, wait: Duration) -> Self {
        self.options.first_byte = Some(wait);
        self
    }

    /// Starts the mock on a free port of 127.0.0.1: the native library, or the face's process (killed when the
    /// [`Mock`] is dropped).
    pub async fn start(self) -> Result<Mock, String> {
        match face() {
            Face::Native => {
                let api = MockApi::builder().options(self.options).start().await.map_err(|e| e.to_string())?;
                Ok(Mock { inner: Inner::Native(api) })
            }
            Face::Process { name, .. } => {
                let process = FaceProcess::start(name, &self.options)?;
                Ok(Mock { inner: Inner::Process(process) })
            }
        }
    }
}

/// The binary's flags for `options` (every one written out, so that no default of a face is assumed).
fn flags_of(options: &Options) -> Vec<String> {
    let o = options;
    let window = match o.window {
        Window::Sliding => "sliding",
        Window::Fixed => "fixed",
    };
    let mut args: Vec<String> = [
        ("--seed", o.seed.to_string()),
        ("--count", o.count.to_string()),
        ("--per-minute", o.per_minute.to_string()),
        ("--per-hour", o.per_hour.to_string()),
        ("--window", window.to_string()),
        ("--time-scale", o.time_scale.to_string()),
        ("--fault-rate", o.fault_rate.to_string()),
        ("--latency-ms", o.latency.as_millis().to_string()),
        ("--cors-origin", o.cors_origin.clone()),
        ("--odata", o.odata.as_str().to_string()),
        ("--next-links", o.next_links.as_str().to_string()),
        ("--cpu-throttle-rate", o.cpu_throttle_rate.to_string()),
    ]
    .into_iter()
    .flat_map(|(flag, value)| [flag.to_string(), value])
    .collect();
    if let Some(now) = o.now {
        args.extend(["--now".to_string(), now.to_string()]);
    }
    for (flag, tokens) in [("--token", &o.tokens), ("--forbidden-token", &o.forbidden_tokens)] {
        for token in tokens {
            // A repeatable flag's value is split at commas.
            assert!(!token.contains(','), "a token with a comma cannot be a flag: {token}");
            args.extend([flag.to_string(), token.clone()]);
        }
    }
    if o.retry_after_ms {
        args.push("--retry-after-ms".to_string());
    }
    if o.live {
        args.extend(["--live".to_string(), "--live-rate".to_string(), o.live_rate.to_string()]);
    }
    if let Some(bandwidth) = o.bandwidth {
        args.extend(["--bandwidth".to_string(), bandwidth.to_string()]);
    }
    if let Some(wait) = o.first_byte {
        args.extend(["--first-byte-ms".to_string(), wait.as_millis().to_string()]);
    }
    args
}

/// A running mock of the face under test. Dropping it stops it.
#[derive(Debug)]
pub struct Mock {
    inner: Inner,
}

#[derive(Debug)]
enum Inner {
    Native(MockApi),
    Process(FaceProcess),
}

/// A face started as a child process with the binary's flags.
#[derive(Debug)]
struct FaceProcess {
    child: Child,
    uri: String,
    http: reqwest::Client,
    data_file: Option<PathBuf>,
    // Kept open after the ready line: the face may write to it again.
    _stdout: Option<BufReader<ChildStdout>>,
}

impl FaceProcess {
    fn start(name: &str, options: &Options) -> Result<FaceProcess, String> {
        let mut args = vec!["--port".to_string(), "0".to_string()];
        args.extend(flags_of(options));
        let data_file = match &options.investigations {
            Some(items) => {
                static FILES: AtomicUsize = AtomicUsize::new(0);
                let n = FILES.fetch_add(1, Ordering::Relaxed);
                let path = std::env::temp_dir().join(format!("mde-mock-face-{}-{n}.json", std::process::id()));
                let text = serde_json::to_vec(items).map_err(|e| e.to_string())?;
                std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
                args.extend(["--data".to_string(), path.to_string_lossy().into_owned()]);
                Some(path)
            }
            None => None,
        };
        let mut child = mock_command()
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start the {name} face: {e}"))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        // The ready line, read on a thread so that a face that never prints it fails the test instead of hanging it.
        let (sent, received) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let read = reader.read_line(&mut line);
            let _ = sent.send((read.map(|_| line), reader));
        });
        let mut process = FaceProcess { child, uri: String::new(), http: client(), data_file, _stdout: None };
        let (line, reader) = match received.recv_timeout(Duration::from_secs(60)) {
            Ok((Ok(line), reader)) => (line, reader),
            Ok((Err(e), _)) => return Err(format!("the {name} face: reading its ready line: {e}")),
            Err(_) => return Err(format!("the {name} face printed no ready line in 60 s ({args:?})")),
        };
        process._stdout = Some(reader);
        let Some(uri) = line.trim_end().strip_prefix("mde-mock listening on ") else {
            let status = process.child.wait().map(|s| s.to_string()).unwrap_or_default();
            return Err(format!("the {name} face did not start ({status}), args {args:?}; stdout: {line:?}"));
        };
        process.uri = uri.to_string();
        Ok(process)
    }

    async fn admin(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Vec<u8>) {
        let mut req = self.http.request(method, format!("{}/__admin/{path}", self.uri));
        if let Some(body) = body {
            req = req.header("content-type", "application/json").body(body.to_string());
        }
        let a = send(req).await;
        (a.status, a.body)
    }

    /// An admin call that must succeed; its JSON body.
    async fn admin_ok(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Vec<u8> {
        let (status, bytes) = self.admin(method.clone(), path, body).await;
        assert_eq!(status, 200, "{method} /__admin/{path}: {}", String::from_utf8_lossy(&bytes));
        bytes
    }
}

impl Drop for FaceProcess {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        if let Some(path) = &self.data_file {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// The JSON object of an update, with the service's property names.
fn update_json(update: &InvestigationUpdate) -> Value {
    let mut map = serde_json::Map::new();
    let time = |t: &Option<Timestamp>| t.map_or(Value::Null, |t| Value::String(t.to_string()));
    let text = |s: &Option<String>| s.clone().map_or(Value::Null, Value::String);
    if let Some(t) = &update.start_time {
        map.insert("startTime".into(), time(t));
    }
    if let Some(t) = &update.end_time {
        map.insert("endTime".into(), time(t));
    }
    if let Some(state) = &update.state {
        map.insert("state".into(), Value::String(state.as_str().to_string()));
    }
    for (key, value) in [
        ("cancelledBy", &update.cancelled_by),
        ("statusDetails", &update.status_details),
        ("machineId", &update.machine_id),
        ("computerDnsName", &update.computer_dns_name),
        ("triggeringAlertId", &update.triggering_alert_id),
    ] {
        if let Some(v) = value {
            map.insert(key.into(), text(v));
        }
    }
    Value::Object(map)
}

impl Mock {
    /// The base URL, `http://127.0.0.1:PORT`.
    pub fn uri(&self) -> String {
        match &self.inner {
            Inner::Native(api) => api.uri(),
            Inner::Process(p) => p.uri.clone(),
        }
    }

    /// The address it listens on.
    pub fn address(&self) -> SocketAddr {
        match &self.inner {
            Inner::Native(api) => api.address(),
            Inner::Process(p) => p.uri.trim_start_matches("http://").parse().expect("an address in the ready line"),
        }
    }

    /// The journal, oldest first (`GET /__admin/requests`).
    pub async fn journal(&self) -> Vec<JournalEntry> {
        match &self.inner {
            Inner::Native(api) => api.journal().await,
            Inner::Process(p) => {
                let bytes = p.admin_ok(reqwest::Method::GET, "requests", None).await;
                serde_json::from_slice(&bytes).expect("the journal's entries")
            }
        }
    }

    /// `POST /__admin/reset`.
    pub async fn reset(&self) {
        match &self.inner {
            Inner::Native(api) => api.reset().await,
            Inner::Process(p) => {
                p.admin_ok(reqwest::Method::POST, "reset", None).await;
            }
        }
    }

    /// `POST /__admin/investigations`.
    pub async fn add_investigations(&self, items: Vec<Investigation>) {
        match &self.inner {
            Inner::Native(api) => api.add_investigations(items).await,
            Inner::Process(p) => {
                let body = serde_json::to_value(&items).unwrap();
                p.admin_ok(reqwest::Method::POST, "investigations", Some(body)).await;
            }
        }
    }

    /// `PATCH /__admin/investigations/{id}`.
    pub async fn update_investigation(
        &self,
        id: &str,
        update: &InvestigationUpdate,
    ) -> Result<Investigation, UpdateError> {
        match &self.inner {
            Inner::Native(api) => api.update_investigation(id, update).await,
            Inner::Process(p) => {
                let path = format!("investigations/{}", percent_encode(id));
                let (status, bytes) = p.admin(reqwest::Method::PATCH, &path, Some(update_json(update))).await;
                match status {
                    200 => Ok(parse_investigations(&bytes, Single::Allowed).expect("the investigation").remove(0)),
                    404 => Err(UpdateError::NotFound(id.to_string())),
                    _ => {
                        let v: Value = serde_json::from_slice(&bytes).unwrap_or_default();
                        Err(UpdateError::Invalid(v["error"]["message"].as_str().unwrap_or_default().to_string()))
                    }
                }
            }
        }
    }

    /// `POST /__admin/faults` with a plan.
    pub async fn plan_faults(&self, faults: impl IntoIterator<Item = Fault>) {
        match &self.inner {
            Inner::Native(api) => api.plan_faults(faults).await,
            Inner::Process(p) => {
                let plan: Vec<&str> = faults.into_iter().map(Fault::name).collect();
                p.admin_ok(reqwest::Method::POST, "faults", Some(json!({ "plan": plan }))).await;
            }
        }
    }

    /// `GET /__admin/live`.
    pub async fn live(&self) -> LiveStatus {
        match &self.inner {
            Inner::Native(api) => api.live().await,
            Inner::Process(p) => {
                serde_json::from_slice(&p.admin_ok(reqwest::Method::GET, "live", None).await).expect("the live status")
            }
        }
    }

    /// `POST /__admin/live` with `{"paused": ...}`; `409 Conflict` without live mode.
    pub async fn set_live_paused(&self, paused: bool) -> Result<LiveStatus, LiveOff> {
        match &self.inner {
            Inner::Native(api) => api.set_live_paused(paused).await,
            Inner::Process(p) => {
                match p.admin(reqwest::Method::POST, "live", Some(json!({ "paused": paused }))).await {
                    (200, body) => Ok(serde_json::from_slice(&body).expect("the live status")),
                    _ => Err(LiveOff),
                }
            }
        }
    }

    /// `POST /__admin/next-links`.
    pub async fn set_next_links(&self, mode: NextLinks) {
        match &self.inner {
            Inner::Native(api) => api.set_next_links(mode).await,
            Inner::Process(p) => {
                p.admin_ok(reqwest::Method::POST, "next-links", Some(json!({ "mode": mode.as_str() }))).await;
            }
        }
    }

    /// The fault rate, through `POST /__admin/faults` with the pending plan kept.
    pub async fn set_fault_rate(&self, rate: f64) {
        match &self.inner {
            Inner::Native(api) => api.set_fault_rate(rate).await,
            Inner::Process(p) => {
                let bytes = p.admin_ok(reqwest::Method::GET, "faults", None).await;
                let plan = serde_json::from_slice::<Value>(&bytes).unwrap()["plan"].clone();
                p.admin_ok(reqwest::Method::POST, "faults", Some(json!({ "plan": plan, "rate": rate }))).await;
            }
        }
    }

    /// The data served, in the documented order (`GET /__admin/investigations`).
    pub async fn investigations(&self) -> Vec<Investigation> {
        match &self.inner {
            Inner::Native(api) => api.investigations().await,
            Inner::Process(p) => {
                let bytes = p.admin_ok(reqwest::Method::GET, "investigations", None).await;
                parse_investigations(&bytes, Single::Refused).expect("the investigations")
            }
        }
    }
}

/// Percent-encodes a path segment (everything but unreserved characters).
fn percent_encode(segment: &str) -> String {
    segment
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap()
}

/// The answer to one call: status, headers, body.
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).map(|v| v.to_str().unwrap().to_string())
    }

    /// The `error.code` of an error body.
    pub fn code(&self) -> String {
        self.json()["error"]["code"].as_str().unwrap_or_default().to_string()
    }

    /// The `id`s of a page.
    pub fn ids(&self) -> Vec<String> {
        self.json()["value"].as_array().unwrap().iter().map(|v| v["id"].as_str().unwrap().to_string()).collect()
    }
}

pub async fn send(req: reqwest::RequestBuilder) -> Answer {
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp.bytes().await.unwrap().to_vec();
    Answer { status, headers, body }
}

/// `GET {base}{path_and_query}` with `Authorization: Bearer {token}`.
pub async fn get(client: &reqwest::Client, base: &str, path_and_query: &str, token: &str) -> Answer {
    send(client.get(format!("{base}{path_and_query}")).bearer_auth(token)).await
}

/// Asserts the service's error body: `code`, a non-empty `message`, a `target`.
pub fn assert_error(a: &Answer, status: u16, code: &str) {
    assert_eq!(a.status, status, "{}", String::from_utf8_lossy(&a.body));
    let v = a.json();
    assert_eq!(v["error"]["code"], code, "{v}");
    assert!(v["error"]["message"].as_str().is_some_and(|m| m.len() > 5), "{v}");
    assert!(v["error"]["target"].as_str().is_some_and(|t| !t.is_empty()), "{v}");
}
