//! The admin API under `/__admin/`: journal, reset, data and faults at run time. No token, no limits, no
//! faults, no latency, and its calls stay out of the journal. See the README for the curl examples.
//!
//! | call | does |
//! | --- | --- |
//! | `GET /__admin/requests` | the journal, oldest first, as a JSON array |
//! | `POST /__admin/reset` | forgets limits, journal and faults (the data stays) |
//! | `GET /__admin/investigations` | all investigations, in the documented order |
//! | `POST /__admin/investigations` | adds investigations (an array, a `{"value": [...]}` page or one object) |
//! | `GET /__admin/faults` | the pending fault plan and the rate |
//! | `POST /__admin/faults` | replaces the plan: `{"plan": ["503", "429", "close"]}` (and `"rate": 0.1`) |
//! | `GET /__admin/config` | the options the mock runs with |

use std::sync::Arc;

use serde_json::{json, Value};
use wiremock::http::Method;
use wiremock::{Request, Respond, ResponseTemplate};

use crate::data::{parse_investigations, Single};
use crate::faults::Fault;
use crate::reply::{preflight, Answer};
use crate::state::{Settings, Shared, State};

/// The wiremock responder for `/__admin/...`.
#[derive(Debug, Clone)]
pub(crate) struct AdminResponder(pub Arc<Shared>);

impl Respond for AdminResponder {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let settings = &self.0.settings;
        let answer = if req.method == Method::OPTIONS {
            preflight("GET, POST, OPTIONS")
        } else {
            let mut state = self.0.lock();
            handle(settings, &mut state, req)
        };
        answer.into_template(&settings.cors_origin, req.method == Method::HEAD, std::time::Duration::ZERO)
    }
}

fn handle(settings: &Settings, state: &mut State, req: &Request) -> Answer {
    let path = req.url.path().trim_end_matches('/');
    let get = req.method == Method::GET || req.method == Method::HEAD;
    let post = req.method == Method::POST;
    match path {
        "/__admin/requests" if get => to_json(200, &state.journal.entries()),
        "/__admin/reset" if post => {
            state.reset();
            to_json(200, &json!({ "reset": true }))
        }
        "/__admin/investigations" if get => Answer::json(200, state.data.all_json()),
        "/__admin/investigations" if post => match parse_investigations(&req.body, Single::Allowed) {
            Ok(items) => {
                let added = items.len();
                state.data.extend(items);
                to_json(200, &json!({ "added": added, "total": state.data.len() }))
            }
            Err(err) => invalid(settings, state, &err.to_string()),
        },
        "/__admin/faults" if get => faults_json(state),
        "/__admin/faults" if post => match parse_fault_request(&req.body) {
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
        "/__admin/requests" | "/__admin/reset" | "/__admin/investigations" | "/__admin/faults" | "/__admin/config" => {
            let target = state.correlation(settings.seed);
            Answer::error(405, "MethodNotAllowed", &format!("{} is not allowed on {path}.", req.method), &target)
        }
        _ => {
            let target = state.correlation(settings.seed);
            let msg = format!("No admin endpoint `{path}`: see requests, reset, investigations, faults, config.");
            Answer::error(404, "NotFound", &msg, &target)
        }
    }
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
                    other => Err(format!("unknown fault {other}: expected 500, 503, 429, close or truncate")),
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
