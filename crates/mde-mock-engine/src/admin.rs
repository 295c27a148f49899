//! The admin API under `/__admin/`: journal, reset, data and faults at run time. No token, no limits, no
//! faults, no latency, and its calls stay out of the journal. See the README for the curl examples.
//!
//! | call | does |
//! | --- | --- |
//! | `GET /__admin/requests` | the journal, oldest first, as a JSON array |
//! | `POST /__admin/reset` | forgets limits, journal and faults (the data stays) |
//! | `GET /__admin/investigations` | all investigations, in the documented order |
//! | `POST /__admin/investigations` | adds investigations (an array, a `{"value": [...]}` page or one object) |
//! | `PATCH /__admin/investigations/{id}` | changes fields of one investigation (`{"state": "Benign", "endTime": "..."}`) |
//! | `GET /__admin/faults` | the pending fault plan and the rate |
//! | `POST /__admin/faults` | replaces the plan: `{"plan": ["503", "429", "close"]}` (and `"rate": 0.1`) |
//! | `GET /__admin/config` | the options the mock runs with |
//! | `GET /__admin/next-links` | which list pages carry an `@odata.nextLink` |
//! | `POST /__admin/next-links` | changes it: `{"mode": "always"}` (`service`, `always`, `stale`, `foreign`) |
//! | `GET /__admin/live` | the live world: `{"enabled", "running", "paused", "now", "arrived", "transitions", "open", ...}` |
//! | `POST /__admin/live` | `{"paused": true}` stops the live world's clock, `{"paused": false}` starts it again (409 without `--live`) |

use serde_json::{json, Value};

use crate::api::percent_decode;
use crate::data::{parse_investigations, InvestigationUpdate, Single, UpdateError};
use crate::engine::{Engine, Settings, State};
use crate::faults::Fault;
use crate::live::{LiveOff, LiveStatus, World};
use crate::reply::{preflight, Answer};
use crate::request::{Reply, Request};

/// Answers a call under `/__admin/` (never journaled, never delayed).
pub(crate) fn handle(engine: &mut Engine, now_ms: u64, req: &Request<'_>) -> Reply {
    let Engine { settings, state } = engine;
    let answer = if req.method == "OPTIONS" {
        preflight("GET, POST, PATCH, OPTIONS")
    } else {
        route(settings, state, now_ms, req)
    };
    answer.into_reply(&settings.cors, req.origin, req.method == "HEAD", std::time::Duration::ZERO)
}

fn route(settings: &Settings, state: &mut State, now_ms: u64, req: &Request<'_>) -> Answer {
    let path = req.path.trim_end_matches('/');
    let get = req.method == "GET" || req.method == "HEAD";
    let post = req.method == "POST";
    if let Some(id) = path.strip_prefix("/__admin/investigations/").filter(|id| !id.contains('/')) {
        return if req.method == "PATCH" {
            update(settings, state, &percent_decode(id), req.body)
        } else {
            not_allowed(settings, state, req.method, path)
        };
    }
    match path {
        "/__admin/requests" if get => to_json(200, &state.journal.entries()),
        "/__admin/reset" if post => {
            state.reset(now_ms);
            to_json(200, &json!({ "reset": true }))
        }
        "/__admin/investigations" if get => Answer::json(200, state.data.all_json()),
        "/__admin/investigations" if post => match parse_investigations(req.body, Single::Allowed) {
            Ok(items) => {
                let added = items.len();
                state.add(items);
                to_json(200, &json!({ "added": added, "total": state.data.len() }))
            }
            Err(err) => invalid(settings, state, &err.to_string()),
        },
        "/__admin/faults" if get => faults_json(state),
        "/__admin/faults" if post => match parse_fault_request(req.body) {
            Ok((plan, rate)) => {
                state.faults.reset_plan(plan);
                if let Some(rate) = rate {
                    state.faults.set_rate(rate);
                }
                faults_json(state)
            }
            Err(msg) => invalid(settings, state, &msg),
        },
        "/__admin/config" if get => to_json(200, &settings.summary),
        "/__admin/next-links" if get => to_json(200, &json!({ "mode": state.next_links.as_str() })),
        "/__admin/next-links" if post => match parse_next_links(req.body) {
            Ok(mode) => {
                state.next_links = mode;
                to_json(200, &json!({ "mode": mode.as_str() }))
            }
            Err(msg) => invalid(settings, state, &msg),
        },
        "/__admin/live" if get => to_json(200, &state.live.as_ref().map_or_else(LiveStatus::off, World::status)),
        "/__admin/live" if post => match parse_paused(req.body) {
            Ok(paused) => {
                let State { live, data, .. } = state;
                match live {
                    Some(world) => {
                        world.set_paused(now_ms, paused, data);
                        to_json(200, &world.status())
                    }
                    None => {
                        let target = state.correlation(settings.seed);
                        Answer::error(409, "Conflict", &format!("{}.", LiveOff), &target)
                    }
                }
            }
            Err(msg) => invalid(settings, state, &msg),
        },
        "/__admin/requests"
        | "/__admin/reset"
        | "/__admin/investigations"
        | "/__admin/faults"
        | "/__admin/config"
        | "/__admin/next-links"
        | "/__admin/live" => not_allowed(settings, state, req.method, path),
        _ => {
            let target = state.correlation(settings.seed);
            let msg = format!(
                "No admin endpoint `{path}`: see requests, reset, investigations, faults, config, next-links, live."
            );
            Answer::error(404, "NotFound", &msg, &target)
        }
    }
}

fn update(settings: &Settings, state: &mut State, id: &str, body: &[u8]) -> Answer {
    let result =
        InvestigationUpdate::from_json(id, body).and_then(|update| state.update(id, &update).map(<[u8]>::to_vec));
    match result {
        Ok(json) => Answer::json(200, json),
        Err(UpdateError::NotFound(id)) => {
            let target = state.correlation(settings.seed);
            Answer::error(404, "ResourceNotFound", &format!("No investigation has the id `{id}`."), &target)
        }
        Err(UpdateError::Invalid(msg)) => invalid(settings, state, &msg),
    }
}

fn not_allowed(settings: &Settings, state: &mut State, method: &str, path: &str) -> Answer {
    let target = state.correlation(settings.seed);
    Answer::error(405, "MethodNotAllowed", &format!("{method} is not allowed on {path}."), &target)
}

fn to_json<T: serde::Serialize + ?Sized>(status: u16, value: &T) -> Answer {
    Answer::json(status, serde_json::to_vec(value).unwrap_or_default())
}

fn invalid(settings: &Settings, state: &mut State, msg: &str) -> Answer {
    let target = state.correlation(settings.seed);
    Answer::error(400, "InvalidInput", msg, &target)
}

fn faults_json(state: &State) -> Answer {
    to_json(200, &json!({ "plan": state.faults.pending(), "rate": state.faults.rate() }))
}

/// Reads `{"paused": true}`.
fn parse_paused(body: &[u8]) -> Result<bool, String> {
    let value: Value = serde_json::from_slice(body).map_err(|e| format!("not valid JSON: {e}"))?;
    value
        .get("paused")
        .and_then(Value::as_bool)
        .ok_or_else(|| "expected {\"paused\": true} or {\"paused\": false}".to_string())
}

/// Reads `{"mode": "always"}`.
fn parse_next_links(body: &[u8]) -> Result<crate::odata::NextLinks, String> {
    let value: Value = serde_json::from_slice(body).map_err(|e| format!("not valid JSON: {e}"))?;
    value
        .get("mode")
        .and_then(Value::as_str)
        .ok_or_else(|| "expected {\"mode\": \"service\"} (or always, stale, foreign)".to_string())?
        .parse()
}

/// Reads `{"plan": [...], "rate": r}` or a bare array `[...]`; plan items are names or status numbers.
pub(crate) fn parse_fault_request(body: &[u8]) -> Result<(Vec<Fault>, Option<f64>), String> {
    let value: Value = serde_json::from_slice(body).map_err(|e| format!("not valid JSON: {e}"))?;
    let (items, rate) = match &value {
        Value::Array(items) => (Some(items), None),
        Value::Object(map) => {
            let items = match map.get("plan") {
                Some(Value::Array(items)) => Some(items),
                None | Some(Value::Null) => None,
                Some(_) => return Err("`plan` must be an array such as [\"503\", \"429\", \"close\"]".to_string()),
            };
            let rate = match map.get("rate") {
                Some(Value::Number(n)) => match n.as_f64() {
                    Some(r) if (0.0..=1.0).contains(&r) => Some(r),
                    _ => return Err("`rate` must be a number from 0 to 1".to_string()),
                },
                None | Some(Value::Null) => None,
                Some(_) => return Err("`rate` must be a number from 0 to 1".to_string()),
            };
            (items, rate)
        }
        _ => return Err("expected {\"plan\": [...], \"rate\": 0.1} or an array of faults".to_string()),
    };
    let plan = items
        .map(|items| {
            items
                .iter()
                .map(|item| match item {
                    Value::String(s) => s.parse::<Fault>(),
                    Value::Number(n) => n.to_string().parse::<Fault>(),
                    other => Err(format!("unknown fault {other}: expected 500, 503, 429, cpu, close or truncate")),
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?
        .unwrap_or_default();
    Ok((plan, rate))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_requests_parse_names_numbers_and_rates() {
        let (plan, rate) = parse_fault_request(br#"{"plan": ["503", 429, "close", "truncate"], "rate": 0.5}"#).unwrap();
        assert_eq!(
            plan,
            vec![Fault::ServiceUnavailable, Fault::TooManyRequests, Fault::CloseConnection, Fault::TruncatedBody]
        );
        assert_eq!(rate, Some(0.5));
        assert_eq!(parse_fault_request(br#"["500"]"#).unwrap().0, vec![Fault::InternalServerError]);
        assert!(parse_fault_request(br#"["404"]"#).is_err());
        assert!(parse_fault_request(br#"{"rate": 2}"#).is_err());
        assert!(parse_fault_request(b"nope").is_err());
    }
}
