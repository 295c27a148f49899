//! [`Options`]: everything a mock is started with, the same for every face (the native binary's flags, the
//! Rust builder, the npm package's options), validated in one place with messages that name the option.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use mde_core::{Investigation, Timestamp};
use serde_json::Value;

use crate::data::{investigations_from_value, Single};
use crate::limits::Window;
use crate::odata::{NextLinks, ODataVersion};
use crate::reply::Cors;

/// The most investigations a mock generates (`count`): ten times the largest data set the benchmarks use.
pub const MAX_COUNT: usize = 10_000_000;

/// The options of a mock. [`Options::default`] gives the binary's defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Seed of the generated data, the fault choices and the correlation ids (default 1).
    pub seed: u64,
    /// How many investigations to generate (default 2,000); ignored when `investigations` is set.
    pub count: usize,
    /// Serve these investigations instead of generated ones.
    pub investigations: Option<Vec<Investigation>>,
    /// Accept only these bearer tokens; when empty, any non-empty token passes.
    pub tokens: Vec<String>,
    /// Answer these tokens with `403 Forbidden`.
    pub forbidden_tokens: Vec<String>,
    /// Calls per (scaled) minute and token (default 100).
    pub per_minute: u32,
    /// Calls per (scaled) hour and token (default 1,500).
    pub per_hour: u32,
    /// Sliding (default) or fixed windows.
    pub window: Window,
    /// Multiplies the windows and `Retry-After` (default 1.0).
    pub time_scale: f64,
    /// Share of data calls that fail with 500, 503, a closed connection or a truncated body (default 0).
    pub fault_rate: f64,
    /// Delay before every answer outside `/__admin/` (default none).
    pub latency: Duration,
    /// `Access-Control-Allow-Origin`: `*` (default), an origin, or a comma-separated list of origins.
    pub cors_origin: String,
    /// The end of the generated data's 90 days; `None`: the time the engine is created.
    pub now: Option<Timestamp>,
    /// The OData version whose `$filter` syntax is accepted (default 4.0, what the service implements; 4.01
    /// adds `in` and operators in any case).
    pub odata: ODataVersion,
    /// Which pages carry an `@odata.nextLink` (default: as the service, only pages read without `$top`).
    pub next_links: NextLinks,
    /// Also send `retry-after-ms`, the exact wait, beside `Retry-After` in whole seconds (default off: the
    /// service sends only `Retry-After`). For time-scaled tests that need the precision.
    pub retry_after_ms: bool,
    /// Share of admitted data calls throttled with a `429` below the call limits, as the service does when a
    /// tenant spends too much CPU (default 0).
    pub cpu_throttle_rate: f64,
    /// Live mode: investigations arrive and move through their states over (scaled) time, from the seed
    /// (default off; see [`crate::live`]).
    pub live: bool,
    /// In live mode, arrivals per (scaled) hour on average, from 0 to [`crate::live::MAX_RATE`] (default
    /// [`crate::live::DEFAULT_RATE`], 20).
    pub live_rate: f64,
    /// Pace the body of every answer outside `/__admin/` at this many bytes per second, in chunks (default
    /// none: the body at once). At least 1. See [`crate::pacing`].
    pub bandwidth: Option<u64>,
    /// Wait this long between an answer's head and its body's first byte (default none), outside `/__admin/`.
    /// At least 1 ms. See [`crate::pacing`].
    pub first_byte: Option<Duration>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            seed: 1,
            count: 2_000,
            investigations: None,
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
            odata: ODataVersion::V40,
            next_links: NextLinks::Service,
            retry_after_ms: false,
            cpu_throttle_rate: 0.0,
            live: false,
            live_rate: crate::live::DEFAULT_RATE,
            bandwidth: None,
            first_byte: None,
        }
    }
}

/// An option, by the names the faces give it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptionName {
    /// The name in JavaScript and JSON (`timeScale`).
    pub js: &'static str,
    /// The binary's flag (`--time-scale`).
    pub flag: &'static str,
}

macro_rules! names {
    ($($id:ident = $js:literal, $flag:literal;)*) => {
        $(
            #[doc = concat!("`", $js, "` (`", $flag, "`).")]
            pub const $id: OptionName = OptionName { js: $js, flag: $flag };
        )*
        /// Every option that [`Options::from_json`] reads, in the binary's order.
        pub const ALL: &[OptionName] = &[$($id),*];
    };
}

/// The names of the options.
pub mod name {
    use super::OptionName;
    names! {
        SEED = "seed", "--seed";
        COUNT = "count", "--count";
        INVESTIGATIONS = "investigations", "--data";
        TOKENS = "tokens", "--token";
        FORBIDDEN_TOKENS = "forbiddenTokens", "--forbidden-token";
        PER_MINUTE = "perMinute", "--per-minute";
        PER_HOUR = "perHour", "--per-hour";
        WINDOW = "window", "--window";
        TIME_SCALE = "timeScale", "--time-scale";
        FAULT_RATE = "faultRate", "--fault-rate";
        LATENCY_MS = "latencyMs", "--latency-ms";
        CORS_ORIGIN = "corsOrigin", "--cors-origin";
        NOW = "now", "--now";
        ODATA = "odata", "--odata";
        NEXT_LINKS = "nextLinks", "--next-links";
        RETRY_AFTER_MS = "retryAfterMs", "--retry-after-ms";
        CPU_THROTTLE_RATE = "cpuThrottleRate", "--cpu-throttle-rate";
        LIVE = "live", "--live";
        LIVE_RATE = "liveRate", "--live-rate";
        BANDWIDTH = "bandwidth", "--bandwidth";
        FIRST_BYTE_MS = "firstByteMs", "--first-byte-ms";
    }

    /// `host` (`--host`): where a server face listens; read by [`Options::server_from_json`] only.
    pub const HOST: OptionName = OptionName { js: "host", flag: "--host" };
    /// `port` (`--port`): where a server face listens; read by [`Options::server_from_json`] only.
    pub const PORT: OptionName = OptionName { js: "port", flag: "--port" };
}

/// Where a server face of the mock listens: the `host` and `port` of the npm package's `startMock`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listen {
    /// The address (default `127.0.0.1`).
    pub host: IpAddr,
    /// The port (default 0: a free one, as a library's users want; the binary's default is 4010).
    pub port: u16,
}

impl Default for Listen {
    fn default() -> Listen {
        Listen { host: IpAddr::V4(Ipv4Addr::LOCALHOST), port: 0 }
    }
}

/// Why options were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OptionsError {
    /// An option has a value it cannot take.
    #[error("option `{}` ({}): {problem}", .option.js, .option.flag)]
    Invalid {
        /// Which option.
        option: OptionName,
        /// What is wrong, and what it accepts.
        problem: String,
    },
    /// An option that does not exist (a typo, or `host`/`port` given where no server is started).
    #[error("unknown option `{name}`: the options are {}", known_names())]
    Unknown {
        /// The name given.
        name: String,
    },
    /// An option that does not exist among a server's options ([`Options::server_from_json`]).
    #[error("unknown option `{name}`: the options are {}, {}, {}", name::HOST.js, name::PORT.js, known_names())]
    UnknownServerOption {
        /// The name given.
        name: String,
    },
    /// The options are not a JSON object.
    #[error("the options must be an object, such as {{\"seed\": 1, \"count\": 500}}")]
    NotAnObject,
}

fn known_names() -> String {
    name::ALL.iter().map(|n| n.js).collect::<Vec<_>>().join(", ")
}

fn invalid(option: OptionName, problem: impl Into<String>) -> OptionsError {
    OptionsError::Invalid { option, problem: problem.into() }
}

impl Options {
    /// Checks every option's range; the engine calls it before it starts.
    pub fn validate(&self) -> Result<(), OptionsError> {
        if self.count > MAX_COUNT {
            return Err(invalid(name::COUNT, format!("{} is more than the {MAX_COUNT} a mock generates", self.count)));
        }
        if self.per_minute == 0 {
            return Err(invalid(name::PER_MINUTE, "must be at least 1"));
        }
        if self.per_hour == 0 {
            return Err(invalid(name::PER_HOUR, "must be at least 1"));
        }
        if !(self.time_scale.is_finite() && self.time_scale > 0.0) {
            return Err(invalid(name::TIME_SCALE, format!("{} must be a number above 0", self.time_scale)));
        }
        if !(0.0..=1.0).contains(&self.fault_rate) {
            return Err(invalid(name::FAULT_RATE, format!("{} must be from 0 to 1", self.fault_rate)));
        }
        if !(0.0..=1.0).contains(&self.cpu_throttle_rate) {
            return Err(invalid(name::CPU_THROTTLE_RATE, format!("{} must be from 0 to 1", self.cpu_throttle_rate)));
        }
        if !(0.0..=crate::live::MAX_RATE).contains(&self.live_rate) {
            return Err(invalid(
                name::LIVE_RATE,
                format!("{} must be from 0 to {} arrivals per hour", self.live_rate, crate::live::MAX_RATE),
            ));
        }
        if self.bandwidth == Some(0) {
            return Err(invalid(name::BANDWIDTH, BANDWIDTH_RANGE));
        }
        if self.first_byte.is_some_and(|d| d.is_zero()) {
            return Err(invalid(name::FIRST_BYTE_MS, FIRST_BYTE_RANGE));
        }
        if Cors::parse(&self.cors_origin).is_none() {
            return Err(invalid(
                name::CORS_ORIGIN,
                format!(
                    "`{}` is not `*`, an origin or a comma-separated list of origins",
                    self.cors_origin.escape_debug()
                ),
            ));
        }
        for (option, tokens) in [(name::TOKENS, &self.tokens), (name::FORBIDDEN_TOKENS, &self.forbidden_tokens)] {
            if tokens.iter().any(|t| t.trim().is_empty()) {
                return Err(invalid(option, "a token is empty"));
            }
        }
        Ok(())
    }

    /// Reads options from a JSON object with the JavaScript names (`{"seed": 1, "timeScale": 0.01, ...}`),
    /// checks them, and refuses unknown names. `investigations` is an array of investigation objects, read as
    /// leniently as the binary's `--data` file.
    pub fn from_json(value: &Value) -> Result<Options, OptionsError> {
        let Value::Object(map) = value else {
            return Err(OptionsError::NotAnObject);
        };
        if let Some(unknown) = map.keys().find(|k| !name::ALL.iter().any(|n| n.js == k.as_str())) {
            return Err(OptionsError::Unknown { name: unknown.clone() });
        }
        let mut o = Options::default();
        let get = |n: OptionName| map.get(n.js).filter(|v| !v.is_null());
        if let Some(v) = get(name::SEED) {
            o.seed = unsigned(name::SEED, v, u64::MAX)?;
        }
        if let Some(v) = get(name::COUNT) {
            o.count = usize::try_from(unsigned(name::COUNT, v, MAX_COUNT as u64)?).unwrap_or(MAX_COUNT);
        }
        if let Some(v) = get(name::INVESTIGATIONS) {
            let items = investigations_from_value(v.clone(), Single::Refused)
                .map_err(|e| invalid(name::INVESTIGATIONS, e.to_string()))?;
            o.investigations = Some(items);
        }
        if let Some(v) = get(name::TOKENS) {
            o.tokens = strings(name::TOKENS, v)?;
        }
        if let Some(v) = get(name::FORBIDDEN_TOKENS) {
            o.forbidden_tokens = strings(name::FORBIDDEN_TOKENS, v)?;
        }
        if let Some(v) = get(name::PER_MINUTE) {
            o.per_minute = limit(name::PER_MINUTE, v)?;
        }
        if let Some(v) = get(name::PER_HOUR) {
            o.per_hour = limit(name::PER_HOUR, v)?;
        }
        if let Some(v) = get(name::WINDOW) {
            let text = v.as_str().ok_or_else(|| invalid(name::WINDOW, "must be \"sliding\" or \"fixed\""))?;
            o.window = text.parse().map_err(|e: String| invalid(name::WINDOW, e))?;
        }
        if let Some(v) = get(name::TIME_SCALE) {
            o.time_scale = number(name::TIME_SCALE, v)?;
        }
        if let Some(v) = get(name::FAULT_RATE) {
            o.fault_rate = number(name::FAULT_RATE, v)?;
        }
        if let Some(v) = get(name::LATENCY_MS) {
            o.latency = Duration::from_millis(unsigned(name::LATENCY_MS, v, 86_400_000)?);
        }
        if let Some(v) = get(name::CORS_ORIGIN) {
            let text = v.as_str().ok_or_else(|| invalid(name::CORS_ORIGIN, "must be a string such as \"*\""))?;
            o.cors_origin = text.to_string();
        }
        if let Some(v) = get(name::ODATA) {
            let text = v.as_str().ok_or_else(|| invalid(name::ODATA, "must be \"4.0\" or \"4.01\""))?;
            o.odata = text.parse().map_err(|e: String| invalid(name::ODATA, e))?;
        }
        if let Some(v) = get(name::NEXT_LINKS) {
            let bad = || invalid(name::NEXT_LINKS, "must be \"service\", \"always\", \"stale\" or \"foreign\"");
            o.next_links = v.as_str().ok_or_else(bad)?.parse().map_err(|_| bad())?;
        }
        if let Some(v) = get(name::RETRY_AFTER_MS) {
            o.retry_after_ms = v.as_bool().ok_or_else(|| invalid(name::RETRY_AFTER_MS, "must be true or false"))?;
        }
        if let Some(v) = get(name::CPU_THROTTLE_RATE) {
            o.cpu_throttle_rate = number(name::CPU_THROTTLE_RATE, v)?;
        }
        if let Some(v) = get(name::LIVE) {
            o.live = v.as_bool().ok_or_else(|| invalid(name::LIVE, "must be true or false"))?;
        }
        if let Some(v) = get(name::LIVE_RATE) {
            o.live_rate = number(name::LIVE_RATE, v)?;
        }
        if let Some(v) = get(name::BANDWIDTH) {
            o.bandwidth = Some(at_least_one(name::BANDWIDTH, v, u64::MAX, BANDWIDTH_RANGE)?);
        }
        if let Some(v) = get(name::FIRST_BYTE_MS) {
            let ms = at_least_one(name::FIRST_BYTE_MS, v, MAX_FIRST_BYTE_MS, FIRST_BYTE_RANGE)?;
            o.first_byte = Some(Duration::from_millis(ms));
        }
        if let Some(v) = get(name::NOW) {
            let text = v.as_str().ok_or_else(|| invalid(name::NOW, "must be an RFC 3339 date-time string"))?;
            o.now = Some(Timestamp::parse(text).map_err(|e| invalid(name::NOW, e.to_string()))?);
        }
        o.validate()?;
        Ok(o)
    }

    /// Reads a server's options: [`Options::from_json`]'s, and `host` (an IPv4 or IPv6 address, as text) and
    /// `port` (0 to 65535) beside them, which default to [`Listen::default`].
    pub fn server_from_json(value: Value) -> Result<(Listen, Options), OptionsError> {
        let Value::Object(mut map) = value else {
            return Err(OptionsError::NotAnObject);
        };
        let mut listen = Listen::default();
        if let Some(v) = map.remove(name::HOST.js).filter(|v| !v.is_null()) {
            let bad = || invalid(name::HOST, format!("{v} is not an IPv4 or IPv6 address such as \"127.0.0.1\""));
            listen.host = v.as_str().and_then(|text| text.parse().ok()).ok_or_else(bad)?;
        }
        if let Some(v) = map.remove(name::PORT.js).filter(|v| !v.is_null()) {
            // `unsigned` refuses anything above the bound.
            listen.port = u16::try_from(unsigned(name::PORT, &v, u64::from(u16::MAX))?).unwrap_or(u16::MAX);
        }
        let options = Options::from_json(&Value::Object(map)).map_err(|e| match e {
            OptionsError::Unknown { name } => OptionsError::UnknownServerOption { name },
            other => other,
        })?;
        Ok((listen, options))
    }

    /// What `GET /__admin/config` shows, given the data set's size and the `now` in force.
    pub(crate) fn summary(&self, count: usize, now: Timestamp) -> Value {
        let limits = crate::limits::LimitConfig {
            per_minute: self.per_minute,
            per_hour: self.per_hour,
            window: self.window,
            time_scale: self.time_scale,
        };
        serde_json::json!({
            "seed": self.seed,
            "count": count,
            "generated": self.investigations.is_none(),
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
            "latency_ms": u64::try_from(self.latency.as_millis()).unwrap_or(u64::MAX),
            "cors_origin": self.cors_origin,
            "odata": self.odata.as_str(),
            "next_links": self.next_links.as_str(),
            "retry_after_ms": self.retry_after_ms,
            "cpu_throttle_rate": self.cpu_throttle_rate,
            "live": self.live,
            "live_rate": self.live_rate,
            "bandwidth": self.bandwidth,
            "first_byte_ms": self.first_byte.map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
        })
    }
}

/// A whole number from 0 to `max`: a JSON number, or a string of digits (for seeds above 2^53, which a
/// JavaScript number cannot hold).
fn unsigned(option: OptionName, v: &Value, max: u64) -> Result<u64, OptionsError> {
    let n = match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => s.parse().ok(),
        _ => None,
    };
    n.filter(|n| *n <= max).ok_or_else(|| invalid(option, format!("{v} is not a whole number from 0 to {max}")))
}

/// What `bandwidth` accepts.
pub(crate) const BANDWIDTH_RANGE: &str =
    "must be a whole number of bytes per second, at least 1 (leave it out for answers at full speed)";
/// What `firstByteMs` accepts.
pub(crate) const FIRST_BYTE_RANGE: &str =
    "must be a whole number of milliseconds from 1 to 86400000 (leave it out for no wait)";
/// The longest wait for a first byte: a day.
pub(crate) const MAX_FIRST_BYTE_MS: u64 = 86_400_000;

/// A whole number from 1 to `max` (a JSON number, or a string of digits); `problem` says what is accepted.
fn at_least_one(option: OptionName, v: &Value, max: u64, problem: &str) -> Result<u64, OptionsError> {
    let n = match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => s.parse().ok(),
        _ => None,
    };
    n.filter(|n| (1..=max).contains(n)).ok_or_else(|| invalid(option, format!("{v} {problem}")))
}

fn limit(option: OptionName, v: &Value) -> Result<u32, OptionsError> {
    let n = unsigned(option, v, u64::from(u32::MAX))?;
    u32::try_from(n).ok().filter(|n| *n >= 1).ok_or_else(|| invalid(option, "must be at least 1"))
}

fn number(option: OptionName, v: &Value) -> Result<f64, OptionsError> {
    v.as_f64().ok_or_else(|| invalid(option, format!("{v} is not a number")))
}

fn strings(option: OptionName, v: &Value) -> Result<Vec<String>, OptionsError> {
    let bad = || invalid(option, "must be an array of strings");
    match v {
        Value::Array(items) => {
            items.iter().map(|i| i.as_str().map(str::to_string).ok_or_else(bad)).collect::<Result<Vec<_>, _>>()
        }
        Value::String(s) => Ok(vec![s.clone()]),
        _ => Err(bad()),
    }
}

/// Options as a JSON object, for [`Options::from_json`]'s tests and the drivers' round trips.
#[cfg(test)]
fn object(pairs: &[(&str, Value)]) -> Value {
    Value::Object(pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect::<serde_json::Map<String, Value>>())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_options_read_every_name() {
        let o = Options::from_json(&json!({
            "seed": "18446744073709551615", "count": 5, "tokens": ["a", "b"], "forbiddenTokens": "f",
            "perMinute": 2, "perHour": 10, "window": "fixed", "timeScale": 0.5, "faultRate": 0.25,
            "latencyMs": 7, "corsOrigin": "http://app.test", "now": "2026-01-01T00:00:00Z", "odata": "4.01",
            "nextLinks": "always", "retryAfterMs": true, "cpuThrottleRate": 0.5, "live": true, "liveRate": 90.5,
            "bandwidth": 2000000, "firstByteMs": 300,
            "investigations": [{"id": 5, "state": "Benign"}]
        }))
        .unwrap();
        assert_eq!(o.seed, u64::MAX);
        assert_eq!(o.count, 5);
        assert_eq!(o.tokens, ["a", "b"]);
        assert_eq!(o.forbidden_tokens, ["f"]);
        assert_eq!((o.per_minute, o.per_hour, o.window), (2, 10, Window::Fixed));
        assert_eq!((o.time_scale, o.fault_rate, o.latency), (0.5, 0.25, Duration::from_millis(7)));
        assert_eq!(o.cors_origin, "http://app.test");
        assert_eq!(o.now.unwrap().to_string(), "2026-01-01T00:00:00Z");
        assert_eq!(o.investigations.unwrap()[0].id, "5");
        assert_eq!(o.odata, ODataVersion::V401);
        assert_eq!((o.next_links, o.retry_after_ms, o.cpu_throttle_rate), (NextLinks::Always, true, 0.5));
        assert_eq!((o.live, o.live_rate), (true, 90.5));
        assert_eq!((o.bandwidth, o.first_byte), (Some(2_000_000), Some(Duration::from_millis(300))));
        assert_eq!(Options::from_json(&json!({})).unwrap(), Options::default());
        assert_eq!(Options::from_json(&object(&[("seed", Value::Null)])).unwrap(), Options::default());
    }

    #[test]
    fn bad_options_name_the_option() {
        let cases = [
            (json!({"perMinute": 0}), "`perMinute` (--per-minute): must be at least 1"),
            (json!({"perHour": "x"}), "`perHour` (--per-hour)"),
            (json!({"timeScale": 0}), "`timeScale` (--time-scale): 0 must be a number above 0"),
            (json!({"faultRate": 1.5}), "`faultRate` (--fault-rate): 1.5 must be from 0 to 1"),
            (json!({"window": "tumbling"}), "unknown window `tumbling`"),
            (json!({"odata": "4"}), "`odata` (--odata): unknown OData version `4`: expected 4.0 or 4.01"),
            (json!({"nextLinks": "sometimes"}), "`nextLinks` (--next-links): must be"),
            (json!({"retryAfterMs": 1}), "`retryAfterMs` (--retry-after-ms): must be true or false"),
            (json!({"cpuThrottleRate": 2}), "`cpuThrottleRate` (--cpu-throttle-rate): 2 must be from 0 to 1"),
            (json!({"now": "yesterday"}), "`now` (--now)"),
            (json!({"live": "yes"}), "`live` (--live): must be true or false"),
            (json!({"liveRate": 3601}), "`liveRate` (--live-rate): 3601 must be from 0 to 3600 arrivals per hour"),
            (json!({"liveRate": -1}), "`liveRate` (--live-rate)"),
            (json!({"liveRate": "fast"}), "`liveRate` (--live-rate): \"fast\" is not a number"),
            (json!({"count": -1}), "`count` (--count): -1 is not a whole number"),
            (
                json!({"bandwidth": 0}),
                "`bandwidth` (--bandwidth): 0 must be a whole number of bytes per second, at least 1",
            ),
            (json!({"bandwidth": -5}), "`bandwidth` (--bandwidth): -5 must be a whole number of bytes per second"),
            (json!({"bandwidth": 1.5}), "`bandwidth` (--bandwidth): 1.5 must be"),
            (
                json!({"firstByteMs": 0}),
                "`firstByteMs` (--first-byte-ms): 0 must be a whole number of milliseconds from 1",
            ),
            (json!({"firstByteMs": -300}), "`firstByteMs` (--first-byte-ms): -300 must be"),
            (json!({"firstByteMs": 86400001}), "`firstByteMs` (--first-byte-ms): 86400001 must be"),
            (json!({"tokens": [1]}), "`tokens` (--token): must be an array of strings"),
            (json!({"tokens": [""]}), "`tokens` (--token): a token is empty"),
            (json!({"corsOrigin": "a\nb"}), "`corsOrigin` (--cors-origin)"),
            (json!({"investigations": [{"state": "Running"}]}), "`investigations` (--data): item 0: `id` is missing"),
            (json!({"port": 0}), "unknown option `port`: the options are seed, count,"),
            (json!([1]), "the options must be an object"),
        ];
        for (value, expected) in cases {
            let msg = Options::from_json(&value).unwrap_err().to_string();
            assert!(msg.contains(expected), "{value}: {msg}");
        }
    }

    #[test]
    fn server_options_add_host_and_port() {
        let (listen, o) = Options::server_from_json(json!({"host": "::1", "port": 8080, "seed": 4})).unwrap();
        assert_eq!((listen.host.to_string(), listen.port, o.seed), ("::1".to_string(), 8080, 4));
        let (listen, o) = Options::server_from_json(json!({"port": null})).unwrap();
        assert_eq!((listen, o), (Listen::default(), Options::default()));
        assert_eq!(Listen::default().host.to_string(), "127.0.0.1");
        assert_eq!(Listen::default().port, 0);
        let cases = [
            (json!({"host": "localhost"}), "option `host` (--host): \"localhost\" is not an IPv4 or IPv6 address"),
            (json!({"host": 127}), "option `host` (--host): 127 is not an IPv4"),
            (json!({"port": 65536}), "option `port` (--port): 65536 is not a whole number from 0 to 65535"),
            (json!({"port": -1}), "option `port` (--port)"),
            (json!({"port": 1.5}), "option `port` (--port)"),
            (json!({"perMinute": 0}), "`perMinute` (--per-minute): must be at least 1"),
            (json!({"prot": 1}), "unknown option `prot`: the options are host, port, seed, count,"),
            (json!("x"), "the options must be an object"),
        ];
        for (value, expected) in cases {
            let msg = Options::server_from_json(value.clone()).unwrap_err().to_string();
            assert!(msg.contains(expected), "{value}: {msg}");
        }
    }
}
