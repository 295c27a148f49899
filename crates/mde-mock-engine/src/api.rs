//! The fake service: `GET /api/investigations`, `GET /api/investigations/{id}`, `GET /api/$metadata`, errors,
//! limits, faults.
//!
//! One call goes through, in order: CORS preflight (`OPTIONS`, answered at once), the path (`/api/...` or
//! `/api/v1.0/...`, else a `404`), the bearer token (`401`/`403`), the rate limits of the token's quota
//! (`429`), the fault plan or rate, and the route. Every call outside `/__admin/` is journaled.

use mde_core::query::{ListQuery, QueryError};
use mde_core::Timestamp;

use crate::auth::{self, quota_key, token_hash, Refusal};
use crate::data::MAX_PAGE;
use crate::engine::{Engine, Settings, State};
use crate::faults::Fault;
use crate::journal::JournalEntry;
use crate::limits::{retry_after_seconds, Verdict};
use crate::odata::NextLinks;
use crate::reply::{preflight, Answer};
use crate::request::{ConnectionFault, Reply, Request};

/// The version segment the service also serves its API under: `/api/v1.0/...` is `/api/...`
/// (<https://learn.microsoft.com/en-us/defender-endpoint/api/exposed-apis-list>).
const VERSION_SEGMENT: &str = "/v1.0";

/// The origin of the links [`NextLinks::Foreign`] sends.
const FOREIGN_ORIGIN: &str = "https://nextlink.invalid";

/// Answers a call outside `/__admin/` and journals it.
pub(crate) fn handle(engine: &mut Engine, now_ms: u64, req: &Request<'_>) -> Reply {
    let Engine { settings, state } = engine;
    let (wall_ms, clock_ms) = state.clock(now_ms);
    let token = auth::bearer(req.authorization).ok();
    let Outcome { answer, retry_after_ms, fault } = decide(settings, state, clock_ms, req);
    state.journal.push(JournalEntry {
        seq: 0,
        method: req.method.to_string(),
        path: req.path.to_string(),
        query: req.query.map(str::to_string),
        status: (fault != Some(Fault::CloseConnection)).then_some(answer.status),
        timestamp_ms: wall_ms,
        timestamp: rfc3339(wall_ms),
        token_present: token.is_some(),
        token_hash: token.map(token_hash),
        retry_after_ms,
        fault,
    });
    let mut reply = answer.into_reply(&settings.cors, req.origin, req.method == "HEAD", settings.latency);
    if reply.fault.is_none() {
        reply.pacing = settings.pace.plan(reply.body.len());
    }
    reply
}

/// `ms` since the Unix epoch in RFC 3339 (empty beyond what a timestamp holds).
pub(crate) fn rfc3339(ms: u64) -> String {
    i64::try_from(ms).ok().and_then(Timestamp::from_unix_millis).map(|t| t.to_string()).unwrap_or_default()
}

struct Outcome {
    answer: Answer,
    retry_after_ms: Option<u64>,
    fault: Option<Fault>,
}

impl From<Answer> for Outcome {
    fn from(answer: Answer) -> Outcome {
        Outcome { answer, retry_after_ms: None, fault: None }
    }
}

/// What follows `/api` (or `/api/v1.0`) in `path`, if the path is the API's.
fn api_rest(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("/api")?;
    let rest = match rest.strip_prefix(VERSION_SEGMENT) {
        Some(after) if after.is_empty() || after.starts_with('/') => after,
        _ => rest,
    };
    (rest.is_empty() || rest.starts_with('/')).then_some(rest)
}

fn decide(settings: &Settings, state: &mut State, now: u64, req: &Request<'_>) -> Outcome {
    let path = req.path;
    if req.method == "OPTIONS" {
        return preflight("GET, OPTIONS").into();
    }
    let Some(rest) = api_rest(path) else {
        let target = state.correlation(settings.seed);
        return Answer::error(
            404,
            "NotFound",
            &format!("No resource at `{path}`: the API lives under /api/."),
            &target,
        )
        .into();
    };
    let mut outcome = admitted(settings, state, now, req, rest);
    outcome.answer = outcome.answer.typed_as_odata();
    outcome
}

/// A call to the API: token, limits, faults, route.
fn admitted(settings: &Settings, state: &mut State, now: u64, req: &Request<'_>, rest: &str) -> Outcome {
    let token = match settings.policy.check(req.authorization) {
        Ok(token) => token,
        Err(Refusal::Unauthorized(why)) => {
            let target = state.correlation(settings.seed);
            return Answer::error(401, "Unauthorized", why, &target).header("www-authenticate", "Bearer").into();
        }
        Err(Refusal::Forbidden) => {
            let target = state.correlation(settings.seed);
            let msg = "The application does not have the permission this API requires (Alert.ReadWrite.All for an application, Alert.ReadWrite for a user).";
            return Answer::error(403, "Forbidden", msg, &target).into();
        }
    };
    let quota = quota_key(token);
    if let Verdict::Throttled { retry_after_ms } = state.limiter.check(&quota, now) {
        return too_many_requests(settings, state, retry_after_ms, None, "");
    }
    let fault = state.faults.next_call();
    let mut outcome: Outcome = match fault {
        Some(Fault::InternalServerError) => {
            let target = state.correlation(settings.seed);
            Answer::error(500, "InternalServerError", "An unexpected error occurred (injected fault).", &target).into()
        }
        Some(Fault::ServiceUnavailable) => {
            let target = state.correlation(settings.seed);
            Answer::error(
                503,
                "ServiceUnavailable",
                "The service is temporarily unavailable (injected fault).",
                &target,
            )
            .into()
        }
        Some(Fault::TooManyRequests) => {
            let wait = settings.limits.scaled_ms(1_000);
            state.limiter.block(&quota, now + wait);
            return too_many_requests(settings, state, wait, fault, "");
        }
        Some(Fault::CpuThrottle) => {
            // 1 to 3 (scaled) seconds, chosen from the seed.
            let wait = settings.limits.scaled_ms(1_000 * (1 + state.faults.draw() % 3));
            state.limiter.block(&quota, now + wait);
            return too_many_requests(settings, state, wait, fault, " (the tenant's CPU quota)");
        }
        Some(Fault::CloseConnection) => {
            let mut answer = Answer::empty(200);
            answer.fault = Some(ConnectionFault::Close);
            answer.into()
        }
        Some(Fault::TruncatedBody) => {
            let mut answer = route(settings, state, req, rest);
            answer.fault = Some(ConnectionFault::Truncate { after: answer.body.len() / 2 });
            answer.into()
        }
        None => route(settings, state, req, rest).into(),
    };
    outcome.fault = fault;
    outcome
}

/// `429 TooManyRequests` with `Retry-After` in whole seconds (what the service documents), and
/// `retry-after-ms` only when the options ask for it.
fn too_many_requests(settings: &Settings, state: &mut State, wait_ms: u64, fault: Option<Fault>, why: &str) -> Outcome {
    let seconds = retry_after_seconds(wait_ms);
    let target = state.correlation(settings.seed);
    let msg = format!("Rate limit is exceeded{why}. Try again in {seconds} seconds.");
    let mut answer = Answer::error(429, "TooManyRequests", &msg, &target).header("retry-after", seconds.to_string());
    if settings.retry_after_ms {
        answer = answer.header("retry-after-ms", wait_ms.to_string());
    }
    Outcome { answer, retry_after_ms: Some(wait_ms), fault }
}

/// `scheme://host` of the request, for the URLs written into bodies.
fn origin(req: &Request<'_>) -> String {
    format!("{}://{}", req.scheme, req.host.unwrap_or("localhost"))
}

fn route(settings: &Settings, state: &mut State, req: &Request<'_>, rest: &str) -> Answer {
    if req.method != "GET" && req.method != "HEAD" {
        let target = state.correlation(settings.seed);
        let msg = format!("The method {} is not allowed here: the API is read-only (GET).", req.method);
        return Answer::error(405, "MethodNotAllowed", &msg, &target).header("allow", "GET, OPTIONS");
    }
    if percent_decode(rest) == "/$metadata" {
        return Answer::xml(200, crate::metadata::csdl().into_bytes());
    }
    match rest.strip_prefix("/investigations") {
        Some("") | Some("/") => list(settings, state, req),
        Some(key) if key.starts_with('/') && !key[1..].contains('/') => {
            let key = percent_decode(&key[1..]);
            let context = format!("{}/api/$metadata#Investigations/$entity", origin(req));
            match state.data.entity_body(&key, &context) {
                Some(json) => Answer::json(200, json),
                None => {
                    let target = state.correlation(settings.seed);
                    let msg = format!("No investigation has the id or triggering alert id `{key}`.");
                    Answer::error(404, "ResourceNotFound", &msg, &target)
                }
            }
        }
        _ => {
            let target = state.correlation(settings.seed);
            Answer::error(404, "NotFound", &format!("No resource at `{}`.", req.path), &target)
        }
    }
}

fn list(settings: &Settings, state: &mut State, req: &Request<'_>) -> Answer {
    let raw_query = req.query.unwrap_or("");
    let query = match ListQuery::from_query_string_with(raw_query, &settings.odata.parse_options()) {
        Ok(q) => q,
        Err(err) => {
            let target = state.correlation(settings.seed);
            return Answer::error(400, error_code(&err), &err.to_string(), &target);
        }
    };
    let origin = origin(req);
    let context = format!("{origin}/api/$metadata#Investigations");
    let top = query.top.map_or(MAX_PAGE, |t| t.get() as usize);
    let mode = state.next_links;
    let with_link = query.top.is_none() || mode != NextLinks::Service;
    let link = |next_skip: u64| {
        let skip = if mode == NextLinks::Stale { top as u64 } else { next_skip };
        let base = if mode == NextLinks::Foreign { FOREIGN_ORIGIN } else { origin.as_str() };
        format!("{base}{}?{}", req.path, with_skip(raw_query, skip))
    };
    let next: Option<&dyn Fn(u64) -> String> = if with_link { Some(&link) } else { None };
    Answer::json(200, state.data.page_body(&context, query.filter.as_ref(), query.skip, top, next))
}

/// `query` with its `$skip` (any spelling of the key) replaced by `$skip=skip` at the end, the other
/// options as they were sent.
fn with_skip(query: &str, skip: u64) -> String {
    let mut parts: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && !percent_decode(p.split('=').next().unwrap_or_default()).eq("$skip"))
        .collect();
    let skip = format!("$skip={skip}");
    parts.push(&skip);
    parts.join("&")
}

/// The service's `code` for a refused query: `ODataError`, "Invalid OData URI query (the specific error is
/// specified)" (<https://learn.microsoft.com/en-us/defender-endpoint/api/common-errors>), for every invalid
/// query option: a `$filter` that does not parse, a bad `$top` or `$skip`, an unknown `$` option. (Options
/// whose name does not start with `$` are OData custom options, which the service ignores.)
pub fn error_code(_err: &QueryError) -> &'static str {
    "ODataError"
}

/// Percent-decodes a path segment; invalid escapes stay as they are.
pub(crate) fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn api_paths_with_and_without_the_version() {
        use super::api_rest;
        assert_eq!(api_rest("/api/investigations"), Some("/investigations"));
        assert_eq!(api_rest("/api/v1.0/investigations"), Some("/investigations"));
        assert_eq!(api_rest("/api/v1.0"), Some(""));
        assert_eq!(api_rest("/api"), Some(""));
        assert_eq!(api_rest("/api/v1.00/investigations"), Some("/v1.00/investigations"));
        assert_eq!(api_rest("/apis"), None);
        assert_eq!(api_rest("/other"), None);
    }

    #[test]
    fn next_links_replace_skip_and_keep_the_rest() {
        use super::with_skip;
        assert_eq!(with_skip("", 10_000), "$skip=10000");
        assert_eq!(with_skip("$filter=id%20eq%20'1'", 10_000), "$filter=id%20eq%20'1'&$skip=10000");
        assert_eq!(with_skip("$skip=5&$top=3&x=1", 8), "$top=3&x=1&$skip=8");
        assert_eq!(with_skip("%24skip=5&&$top=3", 8), "$top=3&$skip=8");
    }

    #[test]
    fn percent_decode_handles_escapes_and_junk() {
        assert_eq!(super::percent_decode("da1_%2D5"), "da1_-5");
        assert_eq!(super::percent_decode("a%2"), "a%2");
        assert_eq!(super::percent_decode("%zz"), "%zz");
        assert_eq!(super::percent_decode("%41"), "A");
    }
}
