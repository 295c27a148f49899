//! The fake service: `GET /api/investigations`, `GET /api/investigations/{id}`, errors, limits, faults.
//!
//! One call goes through, in order: CORS preflight (`OPTIONS`, answered at once), the path (`/api/...` or a
//! `404`), the bearer token (`401`/`403`), the rate limits (`429`), the fault plan or rate, and the route.
//! Every call outside `/__admin/` is journaled.

use mde_core::query::{ListQuery, QueryError};
use mde_core::Timestamp;

use crate::auth::{self, token_hash, Refusal};
use crate::data::MAX_PAGE;
use crate::engine::{Engine, Settings, State};
use crate::faults::Fault;
use crate::journal::JournalEntry;
use crate::limits::{retry_after_seconds, Verdict};
use crate::reply::{preflight, Answer};
use crate::request::{ConnectionFault, Reply, Request};

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
    answer.into_reply(&settings.cors, req.origin, req.method == "HEAD", settings.latency)
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

fn decide(settings: &Settings, state: &mut State, now: u64, req: &Request<'_>) -> Outcome {
    let path = req.path;
    if req.method == "OPTIONS" {
        return preflight("GET, OPTIONS").into();
    }
    if path != "/api" && !path.starts_with("/api/") {
        let target = state.correlation(settings.seed);
        return Answer::error(
            404,
            "NotFound",
            &format!("No resource at `{path}`: the API lives under /api/."),
            &target,
        )
        .into();
    }
    let token = match settings.policy.check(req.authorization) {
        Ok(token) => token,
        Err(Refusal::Unauthorized(why)) => {
            let target = state.correlation(settings.seed);
            return Answer::error(401, "Unauthorized", why, &target).header("www-authenticate", "Bearer").into();
        }
        Err(Refusal::Forbidden) => {
            let target = state.correlation(settings.seed);
            let msg = "The application does not have the permission this API requires (Alert.Read.All or Alert.ReadWrite.All).";
            return Answer::error(403, "Forbidden", msg, &target).into();
        }
    };
    if let Verdict::Throttled { retry_after_ms } = state.limiter.check(token, now) {
        return too_many_requests(settings, state, retry_after_ms, None);
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
            state.limiter.block(token, now + wait);
            return too_many_requests(settings, state, wait, fault);
        }
        Some(Fault::CloseConnection) => {
            let mut answer = Answer::empty(200);
            answer.fault = Some(ConnectionFault::Close);
            answer.into()
        }
        Some(Fault::TruncatedBody) => {
            let mut answer = route(settings, state, req, path);
            answer.fault = Some(ConnectionFault::Truncate { after: answer.body.len() / 2 });
            answer.into()
        }
        None => route(settings, state, req, path).into(),
    };
    outcome.fault = fault;
    outcome
}

fn too_many_requests(settings: &Settings, state: &mut State, wait_ms: u64, fault: Option<Fault>) -> Outcome {
    let seconds = retry_after_seconds(wait_ms);
    let target = state.correlation(settings.seed);
    let msg = format!("Rate limit is exceeded. Try again in {seconds} seconds.");
    let answer = Answer::error(429, "TooManyRequests", &msg, &target)
        .header("retry-after", seconds.to_string())
        .header("retry-after-ms", wait_ms.to_string());
    Outcome { answer, retry_after_ms: Some(wait_ms), fault }
}

fn route(settings: &Settings, state: &mut State, req: &Request<'_>, path: &str) -> Answer {
    if req.method != "GET" && req.method != "HEAD" {
        let target = state.correlation(settings.seed);
        let msg = format!("The method {} is not allowed here: the API is read-only (GET).", req.method);
        return Answer::error(405, "MethodNotAllowed", &msg, &target).header("allow", "GET, OPTIONS");
    }
    let rest = path.strip_prefix("/api/investigations");
    match rest {
        Some("") | Some("/") => list(settings, state, req),
        Some(key) if key.starts_with('/') && !key[1..].contains('/') => {
            let key = percent_decode(&key[1..]);
            match state.data.find_json(&key) {
                Some(json) => Answer::json(200, json.to_vec()),
                None => {
                    let target = state.correlation(settings.seed);
                    let msg = format!("No investigation has the id or triggering alert id `{key}`.");
                    Answer::error(404, "ResourceNotFound", &msg, &target)
                }
            }
        }
        _ => {
            let target = state.correlation(settings.seed);
            Answer::error(404, "NotFound", &format!("No resource at `{path}`."), &target)
        }
    }
}

fn list(settings: &Settings, state: &mut State, req: &Request<'_>) -> Answer {
    let query = match ListQuery::from_query_string_with(req.query.unwrap_or(""), &settings.odata.parse_options()) {
        Ok(q) => q,
        Err(err) => {
            let target = state.correlation(settings.seed);
            return Answer::error(400, error_code(&err), &err.to_string(), &target);
        }
    };
    let host = req.host.unwrap_or("localhost");
    let context = format!("{}://{host}/api/$metadata#Investigations", req.scheme);
    let top = query.top.map_or(MAX_PAGE, |t| t.get() as usize);
    Answer::json(200, state.data.page_body(&context, query.filter.as_ref(), query.skip, top))
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
    fn percent_decode_handles_escapes_and_junk() {
        assert_eq!(super::percent_decode("da1_%2D5"), "da1_-5");
        assert_eq!(super::percent_decode("a%2"), "a%2");
        assert_eq!(super::percent_decode("%zz"), "%zz");
        assert_eq!(super::percent_decode("%41"), "A");
    }
}
