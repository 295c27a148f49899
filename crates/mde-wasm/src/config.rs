//! The options of `new InvestigationsClient(...)` and `client.list(...)`, as the facade passes them (JSON), turned
//! into mde-core's types with `InvalidConfig`/`InvalidQuery` errors for anything unusable.

use std::time::Duration;

use mde_core::limiter::MAX_LIMIT;
use mde_core::query::{ListQuery, Top};
use mde_core::{
    BaseUrl, Filter, Listing, ListingOptions, Quoted, RateLimitConfig, RateLimiter, Region, RetryPolicy, Timestamp,
};

use crate::error::ErrorInfo;
use crate::filter_object::filter_from_object;
use crate::json::{Json, Members};
use crate::shared::{shared_key, SharedSettings};

/// The client's options (all but `token`, `fetch` and `onEvent`, which stay in JavaScript), borrowed from their
/// JSON.
#[derive(Debug, Default)]
pub struct ClientOptions<'a> {
    /// A region name (`global`, `eu`, `gcc-high`, ...).
    pub region: Option<&'a str>,
    /// A base URL (a proxy, the mock); excludes `region`.
    pub base_url: Option<&'a str>,
    /// Allow `http://` for a loopback base URL.
    pub allow_insecure_loopback: bool,
    /// The token cannot change (the facade sets it for a string token): a 401 fails at once, without a second
    /// call with the same token.
    pub fixed_token: bool,
    /// Retries after the first attempt (default 5).
    pub max_retries: Option<f64>,
    /// The longest `Retry-After` the client waits out (default 300,000 ms).
    pub max_retry_after_ms: Option<f64>,
    /// The limiter's settings and saved state.
    pub rate_limit: RateLimitOptions<'a>,
}

/// `rateLimit` of the client's options.
#[derive(Debug, Default)]
pub struct RateLimitOptions<'a> {
    /// Calls per minute (default 100).
    pub per_minute: Option<f64>,
    /// Calls per hour (default 1,500).
    pub per_hour: Option<f64>,
    /// Multiplies the windows, for a mock whose clock runs faster (`0.01`: a minute lasts 0.6 s).
    pub time_scale: Option<f64>,
    /// A state saved from `rateLimitState().state`.
    pub state: Option<&'a str>,
    /// `shared`: `true`, `false` or a key (read by [`shared_key`]).
    pub shared: Option<&'a Json>,
}

/// What a client is made of.
#[derive(Debug)]
pub struct ClientSettings {
    /// Where requests go.
    pub base: BaseUrl,
    /// Retry settings of every operation.
    pub retry: RetryPolicy,
    /// The client's limiter (shared by its operations). Without windows when `shared` is set: only the
    /// `Retry-After` blocks of the client's own 429s.
    pub limiter: RateLimiter,
    /// `rateLimit.shared`: the key and the budget that enforces the windows.
    pub shared: Option<SharedSettings>,
}

/// `invalid {what}: {reason}` as an `InvalidConfig` error (`what`: `client options`, `list options`, `watch options`).
#[cold]
#[cfg_attr(mde_size, optimize(size))]
pub(crate) fn invalid(what: &str, reason: &str) -> ErrorInfo {
    ErrorInfo::config(format!("invalid {what}: {reason}"))
}

impl<'a> ClientOptions<'a> {
    /// Reads the options from their parsed JSON.
    #[cfg_attr(mde_size, optimize(size))]
    pub fn read(v: &'a Json) -> Result<ClientOptions<'a>, ErrorInfo> {
        let read = || -> Result<ClientOptions<'a>, String> {
            let m = Members::of(v, "client options")?;
            let rate_limit = match m.get("rateLimit")? {
                None => RateLimitOptions::default(),
                Some(r) => {
                    let r = Members::of(r, "rateLimit")?;
                    RateLimitOptions {
                        per_minute: r.number("perMinute")?,
                        per_hour: r.number("perHour")?,
                        time_scale: r.number("timeScale")?,
                        state: r.string("state")?,
                        shared: r.get("shared")?,
                    }
                }
            };
            Ok(ClientOptions {
                region: m.string("region")?,
                base_url: m.string("baseUrl")?,
                allow_insecure_loopback: m.flag("allowInsecureLoopback")?,
                fixed_token: m.flag("fixedToken")?,
                max_retries: m.number("maxRetries")?,
                max_retry_after_ms: m.number("maxRetryAfterMs")?,
                rate_limit,
            })
        };
        read().map_err(|e| invalid("client options", &e))
    }
}

/// A whole number from `min` to `max`, or an error naming the option. (Messages print numbers as integers:
/// formatting an `f64` would pull float printing into the wasm module.)
#[cfg_attr(mde_size, optimize(size))]
pub(crate) fn whole(v: f64, name: &str, min: u64, max: u64) -> Result<u64, String> {
    if v.fract() == 0.0 && v >= min as f64 && v <= max as f64 {
        return Ok(v as u64);
    }
    let found = if v.is_finite() && v.fract() == 0.0 && v.abs() < 9.0e18 {
        (v as i64).to_string()
    } else {
        "a fraction or not a number".to_owned()
    };
    Err(format!("{name} must be a whole number from {min} to {max}, not {found}"))
}

impl ClientSettings {
    /// Reads the client's options (JSON) and checks them.
    #[cfg_attr(mde_size, optimize(size))]
    pub fn from_json(json: &str) -> Result<ClientSettings, ErrorInfo> {
        let v = crate::json::parse(json).map_err(|e| invalid("client options", &e))?;
        let o = ClientOptions::read(&v)?;
        let base = match (o.region, o.base_url) {
            (Some(_), Some(_)) => return Err(ErrorInfo::config("give either region or baseUrl, not both")),
            (Some(name), None) => Region::from_name(name)
                .map(Region::base_url)
                .ok_or_else(|| mde_core::base_url::UrlError::UnknownRegion { name: name.to_owned() }),
            (None, Some(url)) => BaseUrl::parse(url),
            (None, None) => Ok(Region::Global.base_url()),
        }
        .map_err(|e| ErrorInfo::config(e.to_string()))?;
        let loopback = base.is_loopback();
        if !(base.is_https() || (loopback && o.allow_insecure_loopback)) {
            let hint = if loopback { "; set allowInsecureLoopback: true for a local server" } else { "" };
            return Err(ErrorInfo::config(format!(
                "baseUrl {base} is not https: the token would travel in clear text{hint}"
            )));
        }
        let mut retry = RetryPolicy { refresh_token: !o.fixed_token, ..RetryPolicy::default() };
        if let Some(n) = o.max_retries {
            retry.max_attempts = whole(n, "maxRetries", 0, 100).map_err(ErrorInfo::config)? as u32 + 1;
        }
        if let Some(ms) = o.max_retry_after_ms {
            retry.max_retry_after =
                Duration::from_millis(whole(ms, "maxRetryAfterMs", 0, 86_400_000).map_err(ErrorInfo::config)?);
        }
        let limiter = limiter(&o.rate_limit)?;
        let key = shared_key(o.rate_limit.shared, || base.origin()).map_err(ErrorInfo::config)?;
        let (limiter, shared) = match key {
            None => (limiter, None),
            Some(key) => {
                let own = RateLimitConfig { windows: Vec::new(), margin: limiter.config().margin };
                (RateLimiter::new(own), Some(SharedSettings { key, budget: limiter }))
            }
        };
        Ok(ClientSettings { base, retry, limiter, shared })
    }
}

#[cfg_attr(mde_size, optimize(size))]
fn limiter(o: &RateLimitOptions<'_>) -> Result<RateLimiter, ErrorInfo> {
    let max = u64::from(MAX_LIMIT);
    let per_minute = whole(o.per_minute.unwrap_or(100.0), "rateLimit.perMinute", 1, max).map_err(ErrorInfo::config)?;
    let per_hour = whole(o.per_hour.unwrap_or(1500.0), "rateLimit.perHour", 1, max).map_err(ErrorInfo::config)?;
    // The default windows are a minute's and an hour's (100 and 1,500 calls): only their limits change (the
    // pinned messages below print the windows).
    let mut config = RateLimitConfig::default();
    if let [minute, hour] = config.windows.as_mut_slice() {
        minute.limit = per_minute as u32;
        hour.limit = per_hour as u32;
    }
    if let Some(scale) = o.time_scale {
        if !(scale.is_finite() && scale > 0.0 && scale <= 1.0) {
            return Err(ErrorInfo::config("rateLimit.timeScale must be above 0 and at most 1".to_owned()));
        }
        config = config.scaled(scale);
    }
    config.validate().map_err(|e| ErrorInfo::config(format!("rateLimit: {e}")))?;
    match o.state {
        Some(state) => RateLimiter::import(config, state)
            .map_err(|e| ErrorInfo::config(format!("rateLimit.state cannot be used: {e}"))),
        None => Ok(RateLimiter::new(config)),
    }
}

/// `filter` as the facade passes it: the OData text, or the object form (borrowed from the options' JSON).
#[derive(Debug)]
pub enum FilterInput<'a> {
    /// OData `$filter` text.
    Text(&'a str),
    /// The object form (see [`crate::filter_object`]).
    Object(&'a Json),
}

impl<'a> FilterInput<'a> {
    /// Validates the filter into the core's type.
    #[cfg_attr(mde_size, optimize(size))]
    pub fn to_filter(&self) -> Result<Filter, ErrorInfo> {
        match self {
            FilterInput::Text(text) => Filter::parse(text).map_err(|e| ErrorInfo::from(&e)),
            FilterInput::Object(v) => filter_from_object(v),
        }
    }

    /// Reads the facade's value: an object with exactly one member, `text` (a string) or `object`.
    #[cfg_attr(mde_size, optimize(size))]
    pub fn from_value(v: &'a Json) -> Result<FilterInput<'a>, ErrorInfo> {
        let message = match v {
            Json::Object(entries) => match entries.as_slice() {
                [(k, Json::Str(text))] if k == "text" => return Ok(FilterInput::Text(text)),
                [(k, _)] if k == "text" => "invalid filter: text must be a string".to_owned(),
                [(k, object)] if k == "object" => return Ok(FilterInput::Object(object)),
                _ => "invalid filter: expected {\"text\": ...} or {\"object\": ...}".to_owned(),
            },
            other => format!("invalid filter: expected an object, not {}", other.kind()),
        };
        Err(ErrorInfo::query_at("filter", message))
    }
}

/// Validates a filter given as the facade's JSON (`{"text": "..."}` or `{"object": {...}}`).
#[cfg_attr(mde_size, optimize(size))]
pub fn filter_from_json(json: &str) -> Result<Filter, ErrorInfo> {
    let v = crate::json::parse(json).map_err(|e| ErrorInfo::query_at("filter", format!("invalid filter: {e}")))?;
    FilterInput::from_value(&v)?.to_filter()
}

/// The options of `client.list(...)` (the signal stays in JavaScript), borrowed from their JSON.
#[derive(Debug, Default)]
pub struct ListOptions<'a> {
    /// The filter, if any.
    pub filter: Option<FilterInput<'a>>,
    /// How many investigations in all.
    pub top: Option<f64>,
    /// How many to skip first.
    pub skip: Option<f64>,
    /// Items per request.
    pub page_size: Option<f64>,
    /// Snapshot bound: `true` (now), milliseconds since the epoch, or an RFC 3339 string.
    pub snapshot: Option<&'a Json>,
    /// A token from `resumeToken()`.
    pub resume_from: Option<&'a str>,
    /// Seed of the backoff jitter.
    pub seed: f64,
}

/// Reads the options of `client.list(...)` (JSON) and starts (or resumes) the listing.
#[cfg_attr(mde_size, optimize(size))]
pub fn start_listing(json: &str, base: BaseUrl, retry: RetryPolicy, now_ms: u64) -> Result<Listing, ErrorInfo> {
    let v = crate::json::parse(json).map_err(|e| invalid("list options", &e))?;
    ListOptions::read(&v)?.start(base, retry, now_ms)
}

impl<'a> ListOptions<'a> {
    /// Reads the options from their parsed JSON.
    #[cfg_attr(mde_size, optimize(size))]
    pub fn read(v: &'a Json) -> Result<ListOptions<'a>, ErrorInfo> {
        let invalid = |e: String| invalid("list options", &e);
        let m = Members::of(v, "list options").map_err(invalid)?;
        let filter = m.get("filter").map_err(invalid)?.map(FilterInput::from_value).transpose()?;
        let read = || -> Result<ListOptions<'a>, String> {
            Ok(ListOptions {
                filter: None,
                top: m.number("top")?,
                skip: m.number("skip")?,
                page_size: m.number("pageSize")?,
                snapshot: m.get("snapshot")?,
                resume_from: m.string("resumeFrom")?,
                seed: m.number("seed")?.unwrap_or(0.0),
            })
        };
        Ok(ListOptions { filter, ..read().map_err(invalid)? })
    }

    /// Starts (or resumes) the listing.
    #[cfg_attr(mde_size, optimize(size))]
    pub fn start(&self, base: BaseUrl, retry: RetryPolicy, now_ms: u64) -> Result<Listing, ErrorInfo> {
        let jitter_seed = self.seed as u64;
        if let Some(token) = self.resume_from {
            // The token carries the query, the page size and the snapshot bound: another one beside it would be
            // ignored (a listing of another filter than the one asked for), so it is refused.
            if self.filter.is_some()
                || self.top.is_some()
                || self.skip.is_some()
                || self.page_size.is_some()
                || self.snapshot.is_some()
            {
                return Err(ErrorInfo::config(
                    "resumeFrom carries the filter, top, skip, pageSize and snapshot: give none of them beside it",
                ));
            }
            let options = ListingOptions { retry, jitter_seed, ..ListingOptions::default() };
            return Listing::resume(base, token, options).map_err(|e| ErrorInfo::from(&e));
        }
        let filter = self.filter.as_ref().map(FilterInput::to_filter).transpose()?;
        let top = match self.top {
            Some(n) => Some(
                Top::new(whole(n, "top", 1, 10_000).map_err(|m| ErrorInfo::query_at("top", m))? as u32)
                    .map_err(|e| ErrorInfo::from(&e))?,
            ),
            None => None,
        };
        let skip = match self.skip {
            Some(n) => whole(n, "skip", 0, 9_000_000_000_000_000).map_err(|m| ErrorInfo::query_at("skip", m))?,
            None => 0,
        };
        let page_size = match self.page_size {
            Some(n) => whole(n, "pageSize", 1, 10_000).map_err(ErrorInfo::config)? as u32,
            None => mde_core::listing::MAX_PAGE_SIZE,
        };
        let snapshot_at = match self.snapshot {
            None | Some(Json::Null) | Some(Json::Bool(false)) => None,
            Some(Json::Bool(true)) => Timestamp::from_unix_millis(now_ms as i64),
            Some(Json::Str(s)) => {
                Some(Timestamp::parse(s).map_err(|e| ErrorInfo::config(format!("snapshot: {e} in {}", Quoted(s))))?)
            }
            Some(other) => match crate::json::whole_millis(other) {
                Some(ms) => {
                    Some(Timestamp::from_unix_millis(ms).ok_or_else(|| ErrorInfo::config("snapshot is out of range"))?)
                }
                None => {
                    return Err(ErrorInfo::config(crate::json::must_be(
                        "snapshot",
                        "true, a Date or an RFC 3339 string",
                        other,
                    )))
                }
            },
        };
        let query = ListQuery { filter, top, skip };
        let options = ListingOptions { page_size, snapshot_at, retry, jitter_seed };
        Listing::new(base, query, options).map_err(|e| ErrorInfo::from(&e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mde_core::limiter::Window;

    fn client(json: &str) -> Result<ClientSettings, ErrorInfo> {
        ClientSettings::from_json(json)
    }

    #[test]
    fn https_only_unless_loopback_is_allowed() {
        assert_eq!(client("{}").unwrap().base.to_string(), "https://api.security.microsoft.com");
        assert_eq!(client(r#"{"region":"eu"}"#).unwrap().base.to_string(), "https://eu.api.security.microsoft.com");
        let e = client(r#"{"baseUrl":"http://127.0.0.1:4010"}"#).unwrap_err();
        assert_eq!(e.kind, "InvalidConfig");
        assert!(e.message.contains("allowInsecureLoopback"), "{}", e.message);
        assert!(client(r#"{"baseUrl":"http://127.0.0.1:4010","allowInsecureLoopback":true}"#).is_ok());
        assert!(client(r#"{"baseUrl":"http://example.com","allowInsecureLoopback":true}"#).is_err());
        assert!(client(r#"{"baseUrl":"https://proxy.example/mde"}"#).is_ok());
        assert_eq!(client(r#"{"region":"mars"}"#).unwrap_err().kind, "InvalidConfig");
        assert!(client(r#"{"region":"eu","baseUrl":"https://x"}"#).is_err());
        assert!(client(r#"{"baseUrl":5}"#).is_err());
    }

    #[test]
    fn retries_and_limits() {
        let s =
            client(r#"{"maxRetries":0,"maxRetryAfterMs":1000,"rateLimit":{"perMinute":5,"timeScale":0.01}}"#).unwrap();
        assert_eq!(s.retry.max_attempts, 1);
        assert_eq!(s.retry.max_retry_after, Duration::from_secs(1));
        assert_eq!(s.limiter.config().windows[0], Window::new(5, Duration::from_millis(600)));
        assert!(client(r#"{"maxRetries":1.5}"#).is_err());
        assert!(client(r#"{"rateLimit":{"perMinute":0}}"#).is_err());
        assert!(client(r#"{"rateLimit":{"timeScale":0}}"#).is_err());
        assert!(client(r#"{"rateLimit":{"state":"garbage"}}"#).is_err());
        let mut limiter = RateLimiter::new(RateLimitConfig::default());
        limiter.record(1_000);
        let json = format!(r#"{{"rateLimit":{{"state":"{}"}}}}"#, limiter.export());
        assert_eq!(client(&json).unwrap().limiter.usage(1_001)[0].used, 1);
    }

    #[test]
    fn a_fixed_token_is_not_refreshed() {
        assert!(client("{}").unwrap().retry.refresh_token, "a callback or credential gets a fresh token after a 401");
        assert!(!client(r#"{"fixedToken":true}"#).unwrap().retry.refresh_token);
        assert!(client(r#"{"fixedToken":false}"#).unwrap().retry.refresh_token);
        assert_eq!(client(r#"{"fixedToken":1}"#).unwrap_err().kind, "InvalidConfig");
    }

    #[test]
    fn list_options_are_validated_before_anything_is_sent() {
        let base = || BaseUrl::parse("https://h").unwrap();
        let start = |json: &str| start_listing(json, base(), RetryPolicy::default(), 0);
        assert!(start(r#"{"filter":{"text":"state eq 'Running'"},"top":5,"skip":2,"pageSize":2}"#).is_ok());
        let e = start(r#"{"filter":{"text":"state eq 'Runing'"}}"#).unwrap_err();
        assert_eq!((e.kind, e.position), ("InvalidQuery", Some(9)));
        assert_eq!(start(r#"{"filter":{"object":{"state":"Runing"}}}"#).unwrap_err().kind, "InvalidQuery");
        assert_eq!(start(r#"{"top":0}"#).unwrap_err().kind, "InvalidQuery");
        assert_eq!(start(r#"{"skip":-1}"#).unwrap_err().kind, "InvalidQuery");
        assert_eq!(start(r#"{"pageSize":10001}"#).unwrap_err().kind, "InvalidConfig");
        assert_eq!(start(r#"{"resumeFrom":"nope"}"#).unwrap_err().kind, "InvalidConfig");
        let token = start(r#"{"filter":{"text":"state eq 'Running'"},"pageSize":2}"#).unwrap().resume_token_after(0);
        assert!(start(&format!(r#"{{"resumeFrom":"{}"}}"#, token.replace('"', "\\\""))).is_ok());
        for other in [
            r#""filter":{"text":"state eq 'Benign'"}"#,
            r#""top":1"#,
            r#""skip":0"#,
            r#""pageSize":2"#,
            r#""snapshot":false"#,
        ] {
            let json = format!(r#"{{"resumeFrom":"{}",{other}}}"#, token.replace('"', "\\\""));
            let e = start(&json).unwrap_err();
            assert_eq!(e.kind, "InvalidConfig", "{other}");
            assert!(e.message.starts_with("resumeFrom carries the filter"), "{other}: {}", e.message);
        }
        assert_eq!(start(r#"{"snapshot":[]}"#).unwrap_err().kind, "InvalidConfig");
        let listing = start(r#"{"snapshot":"2024-01-01T00:00:00Z"}"#).unwrap();
        assert_eq!(listing.effective_filter().unwrap().to_odata(), "startTime lt 2024-01-01T00:00:00Z");
        let listing = start(r#"{"snapshot":true}"#).unwrap();
        assert_eq!(listing.snapshot_at(), Timestamp::from_unix_millis(0));
    }
}

#[cfg(test)]
mod pinned_messages {
    use super::*;

    pub(super) const CLIENT: &[&str] = &[
        "",
        "[]",
        "{",
        r#"{"region":5}"#,
        r#"{"region":"mars"}"#,
        r#"{"region":" Gcc_High "}"#,
        r#"{"region":"GCCHIGH"}"#,
        r#"{"region":"eu","baseUrl":"https://x"}"#,
        r#"{"baseUrl":"ftp://x"}"#,
        r#"{"baseUrl":"https://"}"#,
        r#"{"baseUrl":"https://a@b"}"#,
        r#"{"baseUrl":"https://a b"}"#,
        r#"{"baseUrl":"https://x?y"}"#,
        r#"{"baseUrl":"https://x#y"}"#,
        r#"{"baseUrl":"https://x:99999"}"#,
        r#"{"baseUrl":"https://x:65536"}"#,
        r#"{"baseUrl":"https://x:65535/p/"}"#,
        r#"{"baseUrl":"https://x:1a"}"#,
        r#"{"baseUrl":"https://x:"}"#,
        r#"{"baseUrl":"https://x:123456"}"#,
        r#"{"baseUrl":"https://x.:8/"}"#,
        r#"{"baseUrl":"https://."}"#,
        r#"{"baseUrl":"https://[::1"}"#,
        r#"{"baseUrl":"https://[]"}"#,
        r#"{"baseUrl":"https://[g::1]"}"#,
        r#"{"baseUrl":"https://[::1]x"}"#,
        r#"{"baseUrl":"HTTPS://[::FFFF:1.2.3.4]:9/A"}"#,
        r#"{"baseUrl":"https:x"}"#,
        r#"{"baseUrl":"x"}"#,
        r#"{"baseUrl":"Http://x"}"#,
        r#"{"baseUrl":"http://localhost"}"#,
        r#"{"baseUrl":"http://127.0.0.1"}"#,
        r#"{"baseUrl":"http://127.0.0.256"}"#,
        r#"{"baseUrl":"http://127.0.0"}"#,
        r#"{"baseUrl":"http://127.0.0.1.2"}"#,
        r#"{"baseUrl":"http://127.00.0.1"}"#,
        r#"{"baseUrl":"http://127.0.0.+1"}"#,
        r#"{"baseUrl":"http://127.0..1"}"#,
        r#"{"baseUrl":"http://[::1]"}"#,
        r#"{"baseUrl":"https://x\u00e9"}"#,
        r#"{"baseUrl":"https://x%41"}"#,
        r#"{"baseUrl":"https://a:1:2"}"#,
        r#"{"maxRetries":1.5}"#,
        r#"{"maxRetries":-1}"#,
        r#"{"maxRetries":101}"#,
        r#"{"maxRetries":1e300}"#,
        r#"{"maxRetries":"5"}"#,
        r#"{"maxRetryAfterMs":86400001}"#,
        r#"{"allowInsecureLoopback":1}"#,
        r#"{"rateLimit":5}"#,
        r#"{"rateLimit":{"perMinute":0}}"#,
        r#"{"rateLimit":{"perHour":100001}}"#,
        r#"{"rateLimit":{"timeScale":0}}"#,
        r#"{"rateLimit":{"timeScale":1.5}}"#,
        r#"{"rateLimit":{"timeScale":1e-300}}"#,
        r#"{"rateLimit":{"state":"garbage"}}"#,
        r#"{"rateLimit":{"state":"l1:x"}}"#,
        r#"{"rateLimit":{"state":5}}"#,
        r#"{"rateLimit":{"perMinute":1,"perMinute":2}}"#,
        r#"{"region":"eu","region":"us"}"#,
        r#"{"rateLimit":{"timeScale":0.01,"perMinute":7,"perHour":9}}"#,
        r#"{"rateLimit":{"timeScale":0.123456789}}"#,
        r#"{"rateLimit":{"timeScale":0.0009765625}}"#,
        r#"{"rateLimit":{"timeScale":1,"state":"l1:10:z,0,10"}}"#,
        r#"{"rateLimit":{"timeScale":3e-7}}"#,
        r#"{"maxRetries":0,"maxRetryAfterMs":1234}"#,
    ];

    pub(super) const LIST: &[&str] = &[
        "",
        "5",
        r#"{"top":0}"#,
        r#"{"top":10001}"#,
        r#"{"top":"1"}"#,
        r#"{"skip":-1}"#,
        r#"{"skip":0.5}"#,
        r#"{"pageSize":0}"#,
        r#"{"pageSize":10001}"#,
        r#"{"seed":"x"}"#,
        r#"{"resumeFrom":5}"#,
        r#"{"resumeFrom":"nope"}"#,
        r#"{"resumeFrom":"mdeR1.e30"}"#,
        r#"{"snapshot":[]}"#,
        r#"{"snapshot":"yesterday"}"#,
        r#"{"snapshot":1e16}"#,
        r#"{"snapshot":-1e15}"#,
        r#"{"snapshot":1.5}"#,
        r#"{"filter":5}"#,
        r#"{"filter":{"text":5}}"#,
        r#"{"filter":{"text":"x","object":{}}}"#,
        r#"{"filter":{"text":"state eq 'Runing'"}}"#,
        r#"{"filter":{"object":{"state":"Runing"}}}"#,
        r#"{"top":1,"top":2}"#,
        r#"{"resumeFrom":"mdeR1.[]"}"#,
        r#"{"resumeFrom":"mdeR1.{\"skip\":0}"}"#,
        r#"{"resumeFrom":"mdeR1.{\"skip\":0,\"ids\":[]}"}"#,
        r#"{"resumeFrom":"mdeR1.{\"ids\":5}"}"#,
        r#"{"resumeFrom":"mdeR1.{\"ids\":[1]}"}"#,
        r#"{"resumeFrom":"mdeR1.{\"skip\":-1,\"page\":1,\"pos\":0,\"items\":0,\"pages\":0,\"ids\":[]}"}"#,
        r#"{"resumeFrom":"mdeR1.{\"skip\":0,\"page\":4294967296,\"pos\":0,\"items\":0,\"pages\":0,\"ids\":[]}"}"#,
        r#"{"resumeFrom":"mdeR1.{\"skip\":0,\"skip\":0,\"page\":1,\"pos\":0,\"items\":0,\"pages\":0,\"ids\":[]}"}"#,
        r#"{"resumeFrom":"mdeR1.{\"skip\":0,\"page\":1,\"pos\":0,\"items\":0,\"pages\":0,\"ids\":[],\"snap\":\"yesterday\"}"}"#,
        r#"{"resumeFrom":"mdeR1.{\"skip\":0,\"page\":1,\"pos\":0,\"items\":0,\"pages\":0,\"ids\":[],\"snap\":5}"}"#,
        r#"{"resumeFrom":"mdeR1.{\"skip\":0,\"page\":1,\"pos\":0,\"items\":0,\"pages\":0,\"ids\":[],\"filter\":5}"}"#,
        r#"{"resumeFrom":"mdeR1.{\"skip\":0.5,\"page\":1,\"pos\":0,\"items\":0,\"pages\":0,\"ids\":[]}"}"#,
        r#"{"resumeFrom":"mdeR1.{\"skip\":0,\"page\":1,\"pos\":0,\"items\":0,\"ids\":[]}"}"#,
        r#"{"resumeFrom":"mdeR1.{\"skip\":0,\"page\":1,\"pos\":0,\"items\":0,\"pages\":0,\"ids\":[],\"max\":\"x\"}"}"#,
        r#"{"resumeFrom":"mdeR1.{\"skip\":0,\"page\":1,\"pos\":0,\"items\":0,\"pages\":0,\"ids\":[\"a\"],\"max\":null,\"filter\":\"state eq 'X'\",\"snap\":\"2024-01-01T00:00:00Z\"}"}"#,
    ];

    pub(super) fn describe(r: Result<String, ErrorInfo>) -> String {
        match r {
            Ok(s) => format!("ok {s}"),
            Err(e) => format!("{} {:?} {:?}: {}", e.kind, e.path, e.position, e.message),
        }
    }

    pub(super) fn client(json: &str) -> String {
        describe(ClientSettings::from_json(json).map(|s| {
            let w = &s.limiter.config().windows;
            format!("{} {} {:?} {:?} {}", s.base, s.base.is_loopback(), s.retry, w, s.limiter.export())
        }))
    }

    pub(super) fn list(json: &str) -> String {
        let base = BaseUrl::parse("https://h").unwrap();
        describe(
            start_listing(json, base, RetryPolicy::default(), 1_700_000_000_000)
                .map(|l| format!("{:?} {:?}", l.snapshot_at(), l.effective_filter().map(|f| f.to_odata()))),
        )
    }

    /// What the code gave before the size work, one line per input (`CLIENT`, then `LIST`).
    const EXPECTED: &str = r###"InvalidConfig None None: invalid client options: the text ends early at line 1 column 1
InvalidConfig None None: invalid client options: client options must be an object, not an array
InvalidConfig None None: invalid client options: the text ends early at line 1 column 2
InvalidConfig None None: invalid client options: region must be a string, not a number
InvalidConfig None None: unknown region "mars"; known: global, security, us, eu, uk, au, swa, ina, gcc, gcc-high, dod
ok https://api-gov.securitycenter.microsoft.us false RetryPolicy { max_attempts: 6, base_delay: 500ms, max_delay: 30s, max_retry_after: 300s, default_retry_after: 60s, refresh_token: true } [Window { limit: 100, length: 60s }, Window { limit: 1500, length: 3600s }] l1::
ok https://api-gov.securitycenter.microsoft.us false RetryPolicy { max_attempts: 6, base_delay: 500ms, max_delay: 30s, max_retry_after: 300s, default_retry_after: 60s, refresh_token: true } [Window { limit: 100, length: 60s }, Window { limit: 1500, length: 3600s }] l1::
InvalidConfig None None: give either region or baseUrl, not both
InvalidConfig None None: not a usable base URL (the scheme is not http or https): "ftp://x"; expected https://host[:port][/path]
InvalidConfig None None: not a usable base URL (invalid host name): "https://"; expected https://host[:port][/path]
InvalidConfig None None: not a usable base URL (user-info and percent-encoded hosts are not allowed): "https://a@b"; expected https://host[:port][/path]
InvalidConfig None None: not a usable base URL (it contains whitespace, control characters, backslashes or non-ASCII): "https://a b"; expected https://host[:port][/path]
InvalidConfig None None: not a usable base URL (a base URL has no query or fragment): "https://x?y"; expected https://host[:port][/path]
InvalidConfig None None: not a usable base URL (a base URL has no query or fragment): "https://x#y"; expected https://host[:port][/path]
InvalidConfig None None: not a usable base URL (port out of range): "https://x:99999"; expected https://host[:port][/path]
InvalidConfig None None: not a usable base URL (port out of range): "https://x:65536"; expected https://host[:port][/path]
ok https://x:65535/p false RetryPolicy { max_attempts: 6, base_delay: 500ms, max_delay: 30s, max_retry_after: 300s, default_retry_after: 60s, refresh_token: true } [Window { limit: 100, length: 60s }, Window { limit: 1500, length: 3600s }] l1::
InvalidConfig None None: not a usable base URL (invalid port): "https://x:1a"; expected https://host[:port][/path]
ok https://x false RetryPolicy { max_attempts: 6, base_delay: 500ms, max_delay: 30s, max_retry_after: 300s, default_retry_after: 60s, refresh_token: true } [Window { limit: 100, length: 60s }, Window { limit: 1500, length: 3600s }] l1::
InvalidConfig None None: not a usable base URL (invalid port): "https://x:123456"; expected https://host[:port][/path]
ok https://x:8 false RetryPolicy { max_attempts: 6, base_delay: 500ms, max_delay: 30s, max_retry_after: 300s, default_retry_after: 60s, refresh_token: true } [Window { limit: 100, length: 60s }, Window { limit: 1500, length: 3600s }] l1::
InvalidConfig None None: not a usable base URL (empty host): "https://."; expected https://host[:port][/path]
InvalidConfig None None: not a usable base URL (unclosed IPv6 bracket): "https://[::1"; expected https://host[:port][/path]
InvalidConfig None None: not a usable base URL (invalid IPv6 address): "https://[]"; expected https://host[:port][/path]
InvalidConfig None None: not a usable base URL (invalid IPv6 address): "https://[g::1]"; expected https://host[:port][/path]
InvalidConfig None None: not a usable base URL (unexpected text after the host): "https://[::1]x"; expected https://host[:port][/path]
ok https://[::ffff:1.2.3.4]:9/A false RetryPolicy { max_attempts: 6, base_delay: 500ms, max_delay: 30s, max_retry_after: 300s, default_retry_after: 60s, refresh_token: true } [Window { limit: 100, length: 60s }, Window { limit: 1500, length: 3600s }] l1::
InvalidConfig None None: not a usable base URL (no `//` after the scheme): "https:x"; expected https://host[:port][/path]
InvalidConfig None None: not a usable base URL (no scheme): "x"; expected https://host[:port][/path]
InvalidConfig None None: baseUrl http://x is not https: the token would travel in clear text
InvalidConfig None None: baseUrl http://localhost is not https: the token would travel in clear text; set allowInsecureLoopback: true for a local server
InvalidConfig None None: baseUrl http://127.0.0.1 is not https: the token would travel in clear text; set allowInsecureLoopback: true for a local server
InvalidConfig None None: baseUrl http://127.0.0.256 is not https: the token would travel in clear text
InvalidConfig None None: baseUrl http://127.0.0 is not https: the token would travel in clear text
InvalidConfig None None: baseUrl http://127.0.0.1.2 is not https: the token would travel in clear text
InvalidConfig None None: baseUrl http://127.00.0.1 is not https: the token would travel in clear text; set allowInsecureLoopback: true for a local server
InvalidConfig None None: not a usable base URL (invalid host name): "http://127.0.0.+1"; expected https://host[:port][/path]
InvalidConfig None None: baseUrl http://127.0..1 is not https: the token would travel in clear text
InvalidConfig None None: baseUrl http://[::1] is not https: the token would travel in clear text; set allowInsecureLoopback: true for a local server
InvalidConfig None None: not a usable base URL (it contains whitespace, control characters, backslashes or non-ASCII): "https://xé"; expected https://host[:port][/path]
InvalidConfig None None: not a usable base URL (user-info and percent-encoded hosts are not allowed): "https://x%41"; expected https://host[:port][/path]
InvalidConfig None None: not a usable base URL (invalid port): "https://a:1:2"; expected https://host[:port][/path]
InvalidConfig None None: maxRetries must be a whole number from 0 to 100, not a fraction or not a number
InvalidConfig None None: maxRetries must be a whole number from 0 to 100, not -1
InvalidConfig None None: maxRetries must be a whole number from 0 to 100, not 101
InvalidConfig None None: maxRetries must be a whole number from 0 to 100, not a fraction or not a number
InvalidConfig None None: invalid client options: maxRetries must be a number, not a string
InvalidConfig None None: maxRetryAfterMs must be a whole number from 0 to 86400000, not 86400001
InvalidConfig None None: invalid client options: allowInsecureLoopback must be a boolean, not a number
InvalidConfig None None: invalid client options: rateLimit must be an object, not a number
InvalidConfig None None: rateLimit.perMinute must be a whole number from 1 to 100000, not 0
InvalidConfig None None: rateLimit.perHour must be a whole number from 1 to 100000, not 100001
InvalidConfig None None: rateLimit.timeScale must be above 0 and at most 1
InvalidConfig None None: rateLimit.timeScale must be above 0 and at most 1
InvalidConfig None None: rateLimit: window 0 is shorter than one millisecond
InvalidConfig None None: rateLimit.state cannot be used: not a limiter state this version understands (it should start with "l1:")
InvalidConfig None None: rateLimit.state cannot be used: invalid limiter state at byte 4: expected ':' after the blocked-until time
InvalidConfig None None: invalid client options: state must be a string, not a number
InvalidConfig None None: invalid client options: duplicate option `perMinute`
InvalidConfig None None: invalid client options: duplicate option `region`
ok https://api.security.microsoft.com false RetryPolicy { max_attempts: 6, base_delay: 500ms, max_delay: 30s, max_retry_after: 300s, default_retry_after: 60s, refresh_token: true } [Window { limit: 7, length: 600ms }, Window { limit: 9, length: 36s }] l1::
ok https://api.security.microsoft.com false RetryPolicy { max_attempts: 6, base_delay: 500ms, max_delay: 30s, max_retry_after: 300s, default_retry_after: 60s, refresh_token: true } [Window { limit: 100, length: 7.40740734s }, Window { limit: 1500, length: 444.4444404s }] l1::
ok https://api.security.microsoft.com false RetryPolicy { max_attempts: 6, base_delay: 500ms, max_delay: 30s, max_retry_after: 300s, default_retry_after: 60s, refresh_token: true } [Window { limit: 100, length: 58.59375ms }, Window { limit: 1500, length: 3.515625s }] l1::
ok https://api.security.microsoft.com false RetryPolicy { max_attempts: 6, base_delay: 500ms, max_delay: 30s, max_retry_after: 300s, default_retry_after: 60s, refresh_token: true } [Window { limit: 100, length: 60s }, Window { limit: 1500, length: 3600s }] l1:10:z,0,10
InvalidConfig None None: rateLimit: window 0 is shorter than one millisecond
ok https://api.security.microsoft.com false RetryPolicy { max_attempts: 1, base_delay: 500ms, max_delay: 30s, max_retry_after: 1.234s, default_retry_after: 60s, refresh_token: true } [Window { limit: 100, length: 60s }, Window { limit: 1500, length: 3600s }] l1::
InvalidConfig None None: invalid list options: the text ends early at line 1 column 1
InvalidConfig None None: invalid list options: list options must be an object, not a number
InvalidQuery Some("top") None: top must be a whole number from 1 to 10000, not 0
InvalidQuery Some("top") None: top must be a whole number from 1 to 10000, not 10001
InvalidConfig None None: invalid list options: top must be a number, not a string
InvalidQuery Some("skip") None: skip must be a whole number from 0 to 9000000000000000, not -1
InvalidQuery Some("skip") None: skip must be a whole number from 0 to 9000000000000000, not a fraction or not a number
InvalidConfig None None: pageSize must be a whole number from 1 to 10000, not 0
InvalidConfig None None: pageSize must be a whole number from 1 to 10000, not 10001
InvalidConfig None None: invalid list options: seed must be a number, not a string
InvalidConfig None None: invalid list options: resumeFrom must be a string, not a number
InvalidConfig None None: invalid resume token: it does not start with mdeR1.
InvalidConfig None None: invalid resume token: expected a value at line 1 column 1
InvalidConfig None None: snapshot must be true, a Date or an RFC 3339 string, not an array
InvalidConfig None None: snapshot: invalid date-time at byte 0: expected a four-digit year (form: 2024-01-31T23:59:59.1234567Z or with an offset like +02:00) in "yesterday"
InvalidConfig None None: snapshot must be true, a Date or an RFC 3339 string, not a number
InvalidConfig None None: snapshot is out of range
InvalidConfig None None: snapshot must be true, a Date or an RFC 3339 string, not a number
InvalidQuery Some("filter") None: invalid filter: expected an object, not a number
InvalidQuery Some("filter") None: invalid filter: text must be a string
InvalidQuery Some("filter") None: invalid filter: expected {"text": ...} or {"object": ...}
InvalidQuery None Some(9): invalid filter: unknown state 'Runing' (did you mean 'Running'?) at byte 9: expected one of the documented states: Unknown, Terminated, SuccessfullyRemediated, Benign, Failed, PartiallyRemediated, Running, PendingApproval, PendingResource, PartiallyInvestigated, TerminatedByUser, TerminatedBySystem, Queued, InnerFailure, PreexistingAlert, UnsupportedOs, UnsupportedAlertType, SuppressedAlert, Disabled, found `'Runing'`
InvalidQuery Some("filter.state") None: filter.state: "Runing" is not a documented state
InvalidConfig None None: invalid list options: duplicate option `top`
InvalidConfig None None: invalid resume token: expected an object, found an array
InvalidConfig None None: invalid resume token: missing field `ids`
InvalidConfig None None: invalid resume token: missing field `page`
InvalidConfig None None: invalid resume token: `ids`: expected an array, found a number
InvalidConfig None None: invalid resume token: `ids`: expected a string, found a number
InvalidConfig None None: invalid resume token: `skip`: expected a non-negative integer, found a number
InvalidConfig None None: invalid resume token: `page` is too large
InvalidConfig None None: invalid resume token: duplicate field `skip`
InvalidConfig None None: invalid resume token: `snap`: invalid date-time at byte 0: expected a four-digit year (form: 2024-01-31T23:59:59.1234567Z or with an offset like +02:00)
InvalidConfig None None: invalid resume token: `snap`: expected a string, found a number
InvalidConfig None None: invalid resume token: `filter`: expected a string, found a number
InvalidConfig None None: invalid resume token: `skip`: expected a non-negative integer, found a number
InvalidConfig None None: invalid resume token: missing field `pages`
InvalidConfig None None: invalid resume token: `max`: expected a non-negative integer, found a string
ok Some(2024-01-01T00:00:00Z) Some("state eq 'X' and startTime lt 2024-01-01T00:00:00Z")
"###;

    #[test]
    fn messages_are_unchanged() {
        let got: Vec<String> = CLIENT.iter().map(|j| client(j)).chain(LIST.iter().map(|j| list(j))).collect();
        let expected: Vec<&str> = EXPECTED.lines().collect();
        assert_eq!(got.len(), expected.len());
        for (i, (g, e)) in got.iter().zip(&expected).enumerate() {
            assert_eq!(g, e, "input {i}");
        }
    }
}
