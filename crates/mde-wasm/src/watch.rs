//! `client.watch(...)`: its options (JSON), the [`WatchHandle`] that JavaScript pumps, and the [`WatchStep`]s its
//! `poll` returns. mde-core's [`Watch`] decides everything (the calls of a tick, what changed, which failures end
//! the watch); this module only carries its actions across as JSON texts.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use mde_core::exchange::Response;
use mde_core::watch::{WatchWait, DEFAULT_INTERVAL};
use mde_core::{BaseUrl, Investigation, RateLimiter, RetryPolicy, Watch, WatchAction, WatchEvent, WatchOptions};
use wasm_bindgen::prelude::*;

use crate::config::{whole, FilterInput};
use crate::error::ErrorInfo;
use crate::json::whole_ms;
use crate::json::Members;
use crate::step::Step;

/// The longest `intervalMs` accepted: a day.
const MAX_INTERVAL_MS: u64 = 86_400_000;

/// Reads the options of `client.watch(...)` (JSON: `filter` as `{"text": ...}` or `{"object": ...}`,
/// `intervalMs`, `resumeFrom`, `seed`) and starts (or resumes) the watch. Everything is validated here, before
/// anything is sent: `InvalidQuery` for a filter, `InvalidConfig` for the rest.
#[cfg_attr(mde_size, optimize(size))]
pub fn start_watch(json: &str, base: BaseUrl, retry: RetryPolicy) -> Result<Watch, ErrorInfo> {
    let invalid = |e: String| crate::config::invalid("watch options", &e);
    let v = crate::json::parse(json).map_err(invalid)?;
    let m = Members::of(&v, "watch options").map_err(invalid)?;
    let filter = m.get("filter").map_err(invalid)?.map(FilterInput::from_value).transpose()?;
    let interval_ms = m.number("intervalMs").map_err(invalid)?;
    let resume_from = m.string("resumeFrom").map_err(invalid)?;
    let jitter_seed = m.number("seed").map_err(invalid)?.unwrap_or(0.0) as u64;
    let interval = match interval_ms {
        Some(ms) => Duration::from_millis(whole(ms, "intervalMs", 100, MAX_INTERVAL_MS).map_err(ErrorInfo::config)?),
        None => DEFAULT_INTERVAL,
    };
    let options = WatchOptions { interval, retry, jitter_seed };
    let watch = match resume_from {
        // The token carries the filter and the interval: another one beside it would be ignored, so it is refused.
        Some(_) if filter.is_some() || interval_ms.is_some() => {
            return Err(ErrorInfo::config("resumeFrom carries the filter and the interval: give neither beside it"))
        }
        Some(token) => Watch::resume(base, token, options),
        None => Watch::new(base, filter.as_ref().map(FilterInput::to_filter).transpose()?, options),
    };
    watch.map_err(|e| ErrorInfo::from(&e))
}

/// What the JavaScript pump of a watch must do next, tagged by `t`: a listing's `send`, `wait` (whose `reason`
/// may also be `nextTick`) and `fail` steps, and `event`, `tick` and `tickFailed`.
#[derive(Debug)]
pub enum WatchStep {
    /// A step as listings have them (`wait` with `reason: "nextTick"` between ticks).
    Call(Step),
    /// `{"t":"event","event":{"type":...}}`: hand this event to the user (its JSON is the JS event).
    Event(WatchEvent),
    /// `{"t":"tick","ticks":n,"nextInMs":ms}`: a tick completed (the snapshot's is the first) and every event of it
    /// was handed out: the view is current. The next tick starts in `nextInMs` (0: at once, the tick took longer
    /// than the interval).
    Tick {
        /// Ticks completed.
        ticks: u64,
        /// When the next one starts.
        next_in_ms: u64,
    },
    /// `{"t":"tickFailed","error":{...}}`: a tick failed for a reason that may pass; the watch goes on.
    TickFailed(ErrorInfo),
}

/// Appends `items` as a JSON array of investigations (the service's nine properties each).
#[cfg_attr(mde_size, optimize(size))]
fn write_items(items: &[Investigation], out: &mut String) {
    out.push('[');
    for (i, inv) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        inv.write_json(out);
    }
    out.push(']');
}

/// Appends the event as the JS object: `{"type":"snapshot","investigations":[...]}`,
/// `{"type":"added","investigation":{...}}`, `{"type":"changed","investigation":{...},"previous":{...}}` or
/// `{"type":"removed","investigation":{...}}`.
#[cfg_attr(mde_size, optimize(size))]
pub fn write_event(event: &WatchEvent, out: &mut String) {
    let (kind, inv, previous) = match event {
        WatchEvent::Snapshot(items) => {
            out.push_str("{\"type\":\"snapshot\",\"investigations\":");
            write_items(items, out);
            out.push('}');
            return;
        }
        WatchEvent::Added(inv) => ("added", inv, None),
        WatchEvent::Changed { investigation, previous } => ("changed", investigation, Some(previous)),
        WatchEvent::Removed(inv) => ("removed", inv, None),
        // An event mde-core adds later and this binding does not know yet: named, so that JavaScript can skip it.
        _ => return out.push_str("{\"type\":\"unknown\"}"),
    };
    out.push_str("{\"type\":\"");
    out.push_str(kind);
    out.push_str("\",\"investigation\":");
    inv.write_json(out);
    if let Some(previous) = previous {
        out.push_str(",\"previous\":");
        previous.write_json(out);
    }
    out.push('}');
}

impl WatchStep {
    /// The JSON text.
    #[cfg_attr(mde_size, optimize(size))]
    pub fn to_json(&self) -> String {
        match self {
            WatchStep::Call(step) => step.to_json(),
            WatchStep::Event(event) => {
                let mut out = String::from("{\"t\":\"event\",\"event\":");
                write_event(event, &mut out);
                out.push('}');
                out
            }
            WatchStep::Tick { ticks, next_in_ms } => crate::json::ObjectWriter::new()
                .str("t", "tick")
                .num("ticks", *ticks)
                .num("nextInMs", *next_in_ms)
                .finish(),
            WatchStep::TickFailed(error) => {
                crate::json::ObjectWriter::new().str("t", "tickFailed").raw("error", &error.to_json()).finish()
            }
        }
    }
}

/// One watch being pumped by JavaScript; it shares its client's limiter with the client's other operations.
#[wasm_bindgen]
pub struct WatchHandle {
    watch: Watch,
    limiter: Rc<RefCell<RateLimiter>>,
    /// Ticks already reported with a [`WatchStep::Tick`].
    ticks_told: u64,
    /// A step polled but not yet handed out: the [`WatchStep::Tick`] of the tick before went first. (Never a
    /// wait: polling again gives it with its right duration, and changes nothing.)
    held: Option<WatchStep>,
}

impl WatchHandle {
    /// A handle over `watch` that uses `limiter`.
    #[cfg_attr(mde_size, optimize(size))]
    pub fn new(watch: Watch, limiter: Rc<RefCell<RateLimiter>>) -> WatchHandle {
        WatchHandle { watch, limiter, ticks_told: 0, held: None }
    }

    /// The next step. `now` is `Date.now()`.
    #[cfg_attr(mde_size, optimize(size))]
    pub fn next_step(&mut self, now: f64) -> WatchStep {
        if let Some(step) = self.held.take() {
            return step;
        }
        let Ok(mut limiter) = self.limiter.try_borrow_mut() else {
            return WatchStep::Call(Step::Fail { error: ErrorInfo::config(crate::api::BUSY) });
        };
        let action = self.watch.poll_unfinished(crate::api::millis(now), &mut limiter);
        let (event, wait) = match &action {
            Some(WatchAction::Event(_)) => (true, false),
            Some(WatchAction::Wait { .. }) => (false, true),
            _ => (false, false),
        };
        let mut next_in_ms = 0;
        let step = match action {
            Some(WatchAction::Send(r)) => WatchStep::Call(Step::send(r)),
            Some(WatchAction::Wait { duration, cause: WatchWait::Call(cause) }) => {
                WatchStep::Call(Step::wait(duration, cause))
            }
            Some(WatchAction::Wait { duration, cause: WatchWait::NextTick }) => {
                next_in_ms = whole_ms(duration);
                WatchStep::Call(Step::Wait { ms: next_in_ms, reason: "nextTick" })
            }
            Some(WatchAction::Event(event)) => WatchStep::Event(event),
            // `poll_unfinished` tells failures by `None`: the error is read where it is.
            None => match (self.watch.failure(), self.watch.tick_failure()) {
                (Some(e), _) => WatchStep::Call(Step::Fail { error: ErrorInfo::from(e) }),
                (None, Some(e)) => WatchStep::TickFailed(ErrorInfo::from(e)),
                (None, None) => WatchStep::Call(Step::Fail { error: ErrorInfo::config("internal: no failure") }),
            },
            Some(_) => WatchStep::Call(Step::Fail { error: ErrorInfo::config("internal: unexpected action") }),
        };
        // A tick's events come out of `poll` before anything else; what follows them (the wait for the next tick,
        // or at once the next tick's first call when the tick took longer than the interval) waits behind the
        // `tick` step.
        if !event && self.watch.ticks() > self.ticks_told {
            self.ticks_told = self.watch.ticks();
            if !wait {
                self.held = Some(step);
            }
            return WatchStep::Tick { ticks: self.ticks_told, next_in_ms };
        }
        step
    }

    /// Reports a response to the last `send` step.
    #[cfg_attr(mde_size, optimize(size))]
    pub fn report(&mut self, now: f64, response: &Response<'_>) {
        if let Ok(mut limiter) = self.limiter.try_borrow_mut() {
            self.watch.handle_response(crate::api::millis(now), &mut limiter, response);
        }
    }
}

#[wasm_bindgen]
impl WatchHandle {
    /// The next step as JSON (see [`WatchStep`]).
    #[cfg_attr(mde_size, optimize(size))]
    pub fn poll(&mut self, now: f64) -> String {
        self.next_step(now).to_json()
    }

    /// Reports the HTTP response to the last `send` step.
    #[wasm_bindgen(js_name = handleResponse)]
    #[cfg_attr(mde_size, optimize(size))]
    pub fn handle_response(
        &mut self,
        now: f64,
        status: u16,
        retry_after: Option<String>,
        retry_after_ms: Option<String>,
        body: &[u8],
    ) {
        let response =
            Response { status, retry_after: retry_after.as_deref(), retry_after_ms: retry_after_ms.as_deref(), body };
        self.report(now, &response);
    }

    /// Reports that the last `send` step got no HTTP response.
    #[wasm_bindgen(js_name = handleTransportError)]
    #[cfg_attr(mde_size, optimize(size))]
    pub fn handle_transport_error(&mut self, now: f64, message: &str) {
        self.watch.handle_transport_error(crate::api::millis(now), message);
    }

    /// Reports that the body of the response to the last `send` step is longer than `maxBodyBytes()`.
    #[wasm_bindgen(js_name = handleBodyTooLarge)]
    #[cfg_attr(mde_size, optimize(size))]
    pub fn handle_body_too_large(&mut self) {
        self.watch.handle_body_too_large();
    }

    /// A token from which `client.watch({ resumeFrom })` continues: the filter, the interval and the view (handed
    /// out again first, as a snapshot).
    #[wasm_bindgen(js_name = resumeToken)]
    #[cfg_attr(mde_size, optimize(size))]
    pub fn resume_token(&self) -> String {
        self.watch.resume_token()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Client;
    use serde_json::{json, Value};

    const NOW: f64 = 1_795_000_000_000.0;

    fn client(extra: &str) -> Client {
        Client::build(&format!(r#"{{"baseUrl":"http://127.0.0.1:9","allowInsecureLoopback":true{extra}}}"#)).unwrap()
    }

    fn step(h: &mut WatchHandle, now: f64) -> Value {
        serde_json::from_str(&h.poll(now)).unwrap()
    }

    fn ok(h: &mut WatchHandle, now: f64, body: &str) {
        h.report(now, &Response { status: 200, retry_after: None, retry_after_ms: None, body: body.as_bytes() });
    }

    /// The nine properties as the service sends them, `null` where absent.
    fn inv(id: &str, start: &str, state: &str) -> Value {
        json!({"id": id, "startTime": start, "endTime": null, "state": state, "cancelledBy": null,
               "statusDetails": null, "machineId": null, "computerDnsName": null, "triggeringAlertId": null})
    }

    fn page(items: &[&Value]) -> String {
        json!({ "value": items }).to_string()
    }

    /// Answers the `send` step that `s` is, with `items`, and checks that its URL contains `wanted`.
    fn answer(h: &mut WatchHandle, now: f64, wanted: &str, items: &[&Value]) {
        let s = step(h, now);
        assert_eq!(s["t"], "send", "{s}");
        let url = s["url"].as_str().unwrap();
        assert!(url.contains(wanted), "{url} should contain {wanted}");
        ok(h, now, &page(items));
    }

    #[test]
    fn options_are_validated_before_anything_is_sent() {
        let c = client("");
        let start =
            |json: &str| c.start_watch(json).map(|_| ()).map_err(|e| (e.kind, e.path.clone(), e.message.clone()));
        assert!(start("{}").is_ok());
        assert!(start(r#"{"filter":{"text":"state eq 'Running'"},"intervalMs":100}"#).is_ok());
        assert!(start(r#"{"filter":{"object":{"state":["Running","Queued"]}},"intervalMs":86400000}"#).is_ok());
        let e = start(r#"{"intervalMs":99}"#).unwrap_err();
        assert_eq!(
            (e.0, e.2.as_str()),
            ("InvalidConfig", "intervalMs must be a whole number from 100 to 86400000, not 99")
        );
        assert_eq!(start(r#"{"intervalMs":100.5}"#).unwrap_err().0, "InvalidConfig");
        assert_eq!(start(r#"{"intervalMs":86400001}"#).unwrap_err().0, "InvalidConfig");
        assert_eq!(start(r#"{"intervalMs":"60000"}"#).unwrap_err().0, "InvalidConfig");
        let e = start(r#"{"filter":{"text":"state eq 'Runing'"}}"#).unwrap_err();
        assert_eq!(e.0, "InvalidQuery");
        let e = start(r#"{"filter":{"object":{"state":"Runing"}}}"#).unwrap_err();
        assert_eq!((e.0, e.1.as_deref()), ("InvalidQuery", Some("filter.state")));
        assert_eq!(start(r#"{"resumeFrom":"mdeR1.{}"}"#).unwrap_err().0, "InvalidConfig");
        assert_eq!(start(r#"{"resumeFrom":"mdeW1.{"}"#).unwrap_err().0, "InvalidConfig");
        let token = c.start_watch(r#"{"filter":{"text":"state eq 'Running'"}}"#).unwrap().resume_token();
        assert!(start(&json!({ "resumeFrom": token }).to_string()).is_ok());
        let e = start(&json!({ "resumeFrom": token, "intervalMs": 1000 }).to_string()).unwrap_err();
        assert_eq!(e.0, "InvalidConfig");
        assert!(e.2.contains("resumeFrom carries the filter and the interval"), "{}", e.2);
        assert_eq!(
            start(&json!({ "resumeFrom": token, "filter": {"text": "id eq '1'"} }).to_string()).unwrap_err().0,
            "InvalidConfig"
        );
    }

    #[test]
    fn a_snapshot_then_ticks_of_events_each_followed_by_a_tick_step() {
        let c = client("");
        let mut h = c.start_watch(r#"{"filter":{"object":{"state":"Running"}},"intervalMs":1000}"#).unwrap();
        let a = inv("2", "2026-11-01T00:00:00Z", "Running");
        let b = inv("1", "2026-10-31T00:00:00Z", "Running");
        // The snapshot: the open ones, then the view.
        answer(&mut h, NOW, "state%20ne%20%27Terminated%27", &[&a, &b]);
        answer(&mut h, NOW, "$filter=state%20eq%20%27Running%27", &[&a, &b]);
        assert_eq!(step(&mut h, NOW), json!({"t": "event", "event": {"type": "snapshot", "investigations": [a, b]}}));
        assert_eq!(step(&mut h, NOW), json!({"t": "tick", "ticks": 1, "nextInMs": 1000}));
        assert_eq!(step(&mut h, NOW + 10.0), json!({"t": "wait", "ms": 990, "reason": "nextTick"}));
        assert_eq!(step(&mut h, NOW + 10.0), json!({"t": "wait", "ms": 990, "reason": "nextTick"}));
        // A tick: a new one arrives, `1` becomes PendingApproval (it leaves the view but stays open).
        let now = NOW + 1000.0;
        let new = inv("3", "2026-11-01T00:01:00.5Z", "Running");
        let moved = inv("1", "2026-10-31T00:00:00Z", "PendingApproval");
        answer(&mut h, now, "startTime%20ge%202026-11-01T00:00:00Z", &[&new, &a]);
        answer(&mut h, now, "state%20ne%20%27Terminated%27", &[&new, &a, &moved]);
        let events: Vec<Value> = (0..2).map(|_| step(&mut h, now)).collect();
        assert_eq!(
            events,
            [
                json!({"t": "event", "event": {"type": "added", "investigation": new}}),
                json!({"t": "event", "event": {"type": "removed", "investigation": b}}),
            ]
        );
        assert_eq!(step(&mut h, now), json!({"t": "tick", "ticks": 2, "nextInMs": 1000}));
        // A tick: `2` ends (it left the open set: looked up by id) and `3` changes its details.
        let now = NOW + 2000.0;
        let mut details = new.clone();
        details["statusDetails"] = json!("waiting for \"files\"");
        let mut ended = a.clone();
        ended["state"] = json!("Benign");
        ended["endTime"] = json!("2026-11-01T00:02:00Z");
        answer(&mut h, now, "startTime%20ge%202026-11-01T00:01:00.5Z", &[&details]);
        answer(&mut h, now, "state%20ne", &[&details, &moved]);
        answer(&mut h, now, "$filter=id%20eq%20%272%27", &[&ended]);
        let events: Vec<Value> = (0..2).map(|_| step(&mut h, now)).collect();
        assert_eq!(
            events,
            [
                json!({"t": "event", "event": {"type": "changed", "investigation": details, "previous": new}}),
                json!({"t": "event", "event": {"type": "removed", "investigation": a}}),
            ]
        );
        assert_eq!(step(&mut h, now), json!({"t": "tick", "ticks": 3, "nextInMs": 1000}));
        // The resume token holds the view; a watch resumed from it hands it out first.
        let token = h.resume_token();
        let mut resumed = c.start_watch(&json!({ "resumeFrom": token }).to_string()).unwrap();
        assert_eq!(
            step(&mut resumed, now),
            json!({"t": "event", "event": {"type": "snapshot", "investigations": [details]}})
        );
        assert_eq!(step(&mut resumed, now)["t"], "send", "the next tick at once");
    }

    #[test]
    fn a_tick_longer_than_the_interval_still_ends_with_its_tick_step() {
        let c = client("");
        let mut h = c.start_watch(r#"{"intervalMs":100}"#).unwrap();
        let a = inv("1", "2026-11-01T00:00:00Z", "Running");
        answer(&mut h, NOW, "state%20ne", &[&a]);
        answer(&mut h, NOW, "$top=10000", &[&a]);
        // The snapshot took 500 ms: the next tick is due at once, after the snapshot and its tick step.
        let late = NOW + 500.0;
        assert_eq!(step(&mut h, late)["event"]["type"], "snapshot");
        assert_eq!(step(&mut h, late), json!({"t": "tick", "ticks": 1, "nextInMs": 0}));
        let s = step(&mut h, late);
        assert_eq!(s["t"], "send", "{s}");
        assert!(s["url"].as_str().unwrap().contains("startTime%20ge"), "{s}");
    }

    #[test]
    fn a_failure_that_may_pass_fails_the_tick_and_one_that_will_not_ends_the_watch() {
        let c = client(r#","maxRetries":0"#);
        let mut h = c.start_watch(r#"{"intervalMs":1000}"#).unwrap();
        assert_eq!(step(&mut h, NOW)["t"], "send");
        let body = br#"{"error":{"code":"ServiceUnavailable","message":"busy","target":"t1"}}"#;
        h.report(NOW, &Response { status: 503, retry_after: None, retry_after_ms: None, body });
        let failed = step(&mut h, NOW);
        assert_eq!((failed["t"].as_str(), failed["error"]["kind"].as_str()), (Some("tickFailed"), Some("Server")));
        assert_eq!(failed["error"]["status"], 503);
        assert_eq!(step(&mut h, NOW + 1.0), json!({"t": "wait", "ms": 999, "reason": "nextTick"}));
        // The next tick starts over with the snapshot; a 401 ends the watch.
        assert_eq!(step(&mut h, NOW + 1000.0)["t"], "send");
        let body = br#"{"error":{"code":"Unauthorized","message":"no","target":"t2"}}"#;
        h.report(NOW + 1000.0, &Response { status: 401, retry_after: None, retry_after_ms: None, body });
        let fail = step(&mut h, NOW + 1000.0);
        assert_eq!((fail["t"].as_str(), fail["error"]["kind"].as_str()), (Some("fail"), Some("Unauthorized")));
        assert_eq!(step(&mut h, NOW + 5000.0)["t"], "fail", "it stays failed");
    }

    #[test]
    fn calls_wait_for_the_shared_limiter() {
        let c = client(r#","rateLimit":{"perMinute":1}"#);
        let mut listing = c.start_listing(NOW, "{}").unwrap();
        assert!(matches!(listing.next_step(NOW), Step::Send { .. }));
        let mut h = c.start_watch("{}").unwrap();
        let s = step(&mut h, NOW);
        assert_eq!((s["t"].as_str(), s["reason"].as_str()), (Some("wait"), Some("rateLimit")), "{s}");
    }
}
