//! [`MockEngine`]: the engine as a JavaScript class. `handle` answers one request; the other methods are the
//! library operations of `MockApi` (journal, investigations, reset, faults, data, config). Lists cross as JSON
//! texts that the facade gives to `JSON.parse` (measured against serde-wasm-bindgen: see BENCHMARKS.md).

use mde_mock_engine::data::{parse_investigations, Single};
use mde_mock_engine::{Engine, Fault, InvestigationUpdate, Listen, Options, Request};
use serde_json::Value;
use wasm_bindgen::prelude::*;

use crate::error::{Kind, Thrown};
use crate::flags::Invocation;
use crate::memory;
use crate::reply::Reply;

#[cfg(feature = "serde-wasm-bindgen-bench")]
mod bench;

/// Milliseconds since the Unix epoch from JavaScript's `Date.now()` (0 for anything that is not a time).
pub fn millis(now: f64) -> u64 {
    if now.is_finite() && now > 0.0 {
        now as u64
    } else {
        0
    }
}

/// One mock: the engine, and where a server face of it listens.
#[wasm_bindgen]
#[derive(Debug)]
pub struct MockEngine {
    engine: Engine,
    listen: Listen,
}

fn options_value(options_json: &str) -> Result<Value, Thrown> {
    memory::reserve_for_json(options_json.len());
    serde_json::from_str(options_json)
        .map_err(|e| Thrown::new(Kind::InvalidOption, format!("the options are not valid JSON: {e}")))
}

impl MockEngine {
    /// The engine of `createMockApi(options)`: options with the JavaScript names, no `host` or `port`.
    pub fn from_options(options_json: &str, now_ms: u64) -> Result<MockEngine, Thrown> {
        let options = Options::from_json(&options_value(options_json)?)?;
        memory::reserve_for(&options);
        Ok(MockEngine { engine: Engine::new(options, now_ms)?, listen: Listen::default() })
    }

    /// The engine of `startMock(options)`: the same options, and `host` and `port`.
    pub fn from_server_options(options_json: &str, now_ms: u64) -> Result<MockEngine, Thrown> {
        let (listen, options) = Options::server_from_json(options_value(options_json)?)?;
        memory::reserve_for(&options);
        Ok(MockEngine { engine: Engine::new(options, now_ms)?, listen })
    }

    /// The engine of the bin: the command line read by the engine's flag table (and the `--data` file).
    pub fn from_flags(invocation: &Invocation, now_ms: u64) -> Result<MockEngine, Thrown> {
        let inv = invocation.inner();
        let listen = Listen { host: inv.host, port: inv.port };
        memory::reserve_for(&inv.options);
        Ok(MockEngine { engine: Engine::new(inv.options.clone(), now_ms)?, listen })
    }

    /// The engine itself (for tests and benchmarks in Rust).
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Replaces the fault plan with these faults, by name (`"503"`, `"close"`, ...).
    pub fn plan(&mut self, names: &[String]) -> Result<(), Thrown> {
        let plan = names
            .iter()
            .map(|n| n.parse::<Fault>().map_err(|e| Thrown::new(Kind::InvalidFault, e)))
            .collect::<Result<Vec<_>, _>>()?;
        self.engine.plan_faults(plan);
        Ok(())
    }

    /// Sets the fault rate; refuses anything outside 0 to 1 (as `POST /__admin/faults` does).
    pub fn rate(&mut self, rate: f64) -> Result<(), Thrown> {
        if !(0.0..=1.0).contains(&rate) {
            return Err(Thrown::new(Kind::InvalidFault, "`rate` must be a number from 0 to 1"));
        }
        self.engine.set_fault_rate(rate);
        Ok(())
    }

    /// Adds investigations from JSON (an array, a `{"value": [...]}` page or one object); returns
    /// `{"added": n, "total": m}` as `POST /__admin/investigations` does.
    pub fn add(&mut self, items_json: &str) -> Result<String, Thrown> {
        let items = parse_investigations(items_json.as_bytes(), Single::Allowed)
            .map_err(|e| Thrown::new(Kind::InvalidInvestigations, e.to_string()))?;
        let added = items.len();
        self.engine.add_investigations(items);
        Ok(serde_json::json!({ "added": added, "total": self.engine.dataset().len() }).to_string())
    }

    /// Changes fields of one investigation; returns it, as JSON, as it is now.
    pub fn update(&mut self, id: &str, fields_json: &str) -> Result<String, Thrown> {
        let update = InvestigationUpdate::from_json(id, fields_json.as_bytes())?;
        let investigation = self.engine.update_investigation(id, &update)?;
        Ok(to_json(&investigation))
    }
}

fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> String {
    // Serialising the engine's own types (strings, numbers, timestamps) cannot fail.
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_string())
}

#[wasm_bindgen]
impl MockEngine {
    /// `new MockEngine(optionsJson, Date.now())`: `createMockApi`'s engine; throws a `Thrown` JSON text.
    #[wasm_bindgen(constructor)]
    pub fn new(options_json: &str, now_ms: f64) -> Result<MockEngine, JsValue> {
        MockEngine::from_options(options_json, millis(now_ms)).map_err(Thrown::into_js)
    }

    /// `startMock`'s engine: the options may also hold `host` and `port`.
    #[wasm_bindgen(js_name = forServer)]
    pub fn for_server(options_json: &str, now_ms: f64) -> Result<MockEngine, JsValue> {
        MockEngine::from_server_options(options_json, millis(now_ms)).map_err(Thrown::into_js)
    }

    /// The bin's engine, from its parsed command line.
    #[wasm_bindgen(js_name = fromInvocation)]
    pub fn from_invocation(invocation: &Invocation, now_ms: f64) -> Result<MockEngine, JsValue> {
        MockEngine::from_flags(invocation, millis(now_ms)).map_err(Thrown::into_js)
    }

    /// The address to listen on, as text (`127.0.0.1`, `::1`).
    #[wasm_bindgen(getter)]
    pub fn host(&self) -> String {
        self.listen.host.to_string()
    }

    /// The port to listen on (0: a free one).
    #[wasm_bindgen(getter)]
    pub fn port(&self) -> u16 {
        self.listen.port
    }

    /// Answers one request at `now_ms`. `query` is the query string without `?` (`undefined` without one);
    /// `host` is the `Host` header or the URL's authority; `scheme` is `http` or `https`.
    #[allow(clippy::too_many_arguments)]
    pub fn handle(
        &mut self,
        now_ms: f64,
        method: &str,
        path: &str,
        query: Option<String>,
        authorization: Option<String>,
        origin: Option<String>,
        host: Option<String>,
        scheme: &str,
        body: &[u8],
    ) -> Reply {
        let request = Request {
            method,
            path,
            query: query.as_deref(),
            authorization: authorization.as_deref(),
            origin: origin.as_deref(),
            host: host.as_deref(),
            scheme,
            body,
        };
        Reply::from(self.engine.handle(millis(now_ms), &request))
    }

    /// The journal, oldest first, as the JSON array `GET /__admin/requests` answers.
    #[wasm_bindgen(js_name = journalJson)]
    pub fn journal_json(&self) -> String {
        to_json(&self.engine.journal())
    }

    /// Every investigation in the documented order, as the JSON array `GET /__admin/investigations` answers.
    #[wasm_bindgen(js_name = investigationsJson)]
    pub fn investigations_json(&self) -> String {
        String::from_utf8(self.engine.dataset().all_json()).unwrap_or_else(|_| "[]".to_string())
    }

    /// How many investigations the mock serves.
    #[wasm_bindgen(getter)]
    pub fn count(&self) -> f64 {
        self.engine.dataset().len() as f64
    }

    /// Forgets limits, journal and faults (the data and the fault rate stay).
    pub fn reset(&mut self, now_ms: f64) {
        self.engine.reset(millis(now_ms));
    }

    /// Replaces the fault plan (`["503", "close"]`); throws `InvalidFault` for an unknown name.
    #[wasm_bindgen(js_name = planFaults)]
    pub fn plan_faults(&mut self, names: Vec<String>) -> Result<(), JsValue> {
        self.plan(&names).map_err(Thrown::into_js)
    }

    /// Sets the share of data calls that fail, from 0 to 1.
    #[wasm_bindgen(js_name = setFaultRate)]
    pub fn set_fault_rate(&mut self, rate: f64) -> Result<(), JsValue> {
        self.rate(rate).map_err(Thrown::into_js)
    }

    /// Which list pages carry an `@odata.nextLink` from now on: `service`, `always`, `stale` or `foreign` (as
    /// `POST /__admin/next-links`); throws `InvalidOption` for another mode.
    #[wasm_bindgen(js_name = setNextLinks)]
    pub fn set_next_links(&mut self, mode: &str) -> Result<(), JsValue> {
        let mode = mode.parse().map_err(|message: String| {
            Thrown { kind: Kind::InvalidOption, message, option: Some("nextLinks".to_string()) }.into_js()
        })?;
        self.engine.set_next_links(mode);
        Ok(())
    }

    /// `{"plan": [...], "rate": r}`, as `GET /__admin/faults` answers.
    #[wasm_bindgen(js_name = faultsJson)]
    pub fn faults_json(&self) -> String {
        serde_json::json!({ "plan": self.engine.fault_plan(), "rate": self.engine.fault_rate() }).to_string()
    }

    /// Adds investigations (JSON); returns `{"added", "total"}` as JSON.
    #[wasm_bindgen(js_name = addInvestigations)]
    pub fn add_investigations(&mut self, items_json: &str) -> Result<String, JsValue> {
        self.add(items_json).map_err(Thrown::into_js)
    }

    /// Changes fields of one investigation (JSON object); returns the investigation as JSON.
    #[wasm_bindgen(js_name = updateInvestigation)]
    pub fn update_investigation(&mut self, id: &str, fields_json: &str) -> Result<String, JsValue> {
        self.update(id, fields_json).map_err(Thrown::into_js)
    }

    /// In live mode, brings the world to `now_ms` (`Date.now()`): what the library operations that read or
    /// change the data call first, so that they see the world at that moment. Nothing without live mode.
    pub fn advance(&mut self, now_ms: f64) {
        self.engine.advance(millis(now_ms));
    }

    /// The live world, as the JSON object `GET /__admin/live` answers (as of the last advance).
    #[wasm_bindgen(js_name = liveJson)]
    pub fn live_json(&self) -> String {
        to_json(&self.engine.live())
    }

    /// Stops (`true`) or starts again (`false`) the live world's clock at `now_ms`; returns the world as
    /// `liveJson`; throws `LiveOff` without live mode.
    #[wasm_bindgen(js_name = setLivePaused)]
    pub fn set_live_paused(&mut self, now_ms: f64, paused: bool) -> Result<String, JsValue> {
        let status = self.engine.set_live_paused(millis(now_ms), paused).map_err(|e| Thrown::from(e).into_js())?;
        Ok(to_json(&status))
    }

    /// The options in force, as the JSON object `GET /__admin/config` answers.
    #[wasm_bindgen(js_name = configJson)]
    pub fn config_json(&self) -> String {
        self.engine.config().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const T0: u64 = 1_795_000_000_000;

    fn mock(options: Value) -> MockEngine {
        MockEngine::from_options(&options.to_string(), T0).unwrap()
    }

    fn get(m: &mut MockEngine, path: &str, query: Option<&str>) -> Reply {
        let query = query.map(str::to_string);
        m.handle(T0 as f64, "GET", path, query, Some("Bearer t".into()), None, Some("api.test".into()), "https", &[])
    }

    #[test]
    fn options_are_the_engines_and_errors_name_them() {
        let e = MockEngine::from_options(r#"{"perMinute": 0}"#, T0).unwrap_err();
        assert_eq!((e.kind, e.option.as_deref()), (Kind::InvalidOption, Some("perMinute")));
        assert_eq!(e.message, "option `perMinute` (--per-minute): must be at least 1");
        let e = MockEngine::from_options(r#"{"port": 0}"#, T0).unwrap_err();
        assert!(e.message.starts_with("unknown option `port`: the options are seed,"), "{}", e.message);
        let e = MockEngine::from_options("{", T0).unwrap_err();
        assert!(e.message.starts_with("the options are not valid JSON"), "{}", e.message);
        let server = MockEngine::from_server_options(r#"{"host": "::1", "port": 8080, "count": 1}"#, T0).unwrap();
        assert_eq!((server.host(), server.port(), server.count()), ("::1".to_string(), 8080, 1.0));
        let e = MockEngine::from_server_options(r#"{"port": 65536}"#, T0).unwrap_err();
        assert_eq!(e.option.as_deref(), Some("port"));
        let m = mock(json!({"count": 3}));
        assert_eq!((m.host(), m.port()), ("127.0.0.1".to_string(), 0));
    }

    #[test]
    fn replies_and_lists_are_what_the_engine_and_the_admin_api_give() {
        let mut m = mock(json!({"count": 20, "seed": 3, "now": "2026-11-01T00:00:00Z", "latencyMs": 7}));
        let mut reply = get(&mut m, "/api/investigations", Some("$top=2"));
        assert_eq!((reply.status(), reply.delay_ms(), reply.fault()), (200, 7.0, None));
        let page: Value = serde_json::from_slice(&reply.take_body()).unwrap();
        assert_eq!(page["@odata.context"], "https://api.test/api/$metadata#Investigations");
        let all: Value = serde_json::from_str(&m.investigations_json()).unwrap();
        assert_eq!(page["value"].as_array().unwrap()[..], all.as_array().unwrap()[..2]);
        let journal: Value = serde_json::from_str(&m.journal_json()).unwrap();
        assert_eq!(journal, serde_json::to_value(m.engine().journal()).unwrap());
        assert_eq!(journal[0]["query"], "$top=2");
        let mut admin = get(&mut m, "/__admin/config", None);
        let config: Value = serde_json::from_slice(&admin.take_body()).unwrap();
        assert_eq!(config, serde_json::from_str::<Value>(&m.config_json()).unwrap());
        assert_eq!(config["latency_ms"], 7);
        m.reset(T0 as f64);
        assert_eq!(m.journal_json(), "[]");
    }

    #[test]
    fn faults_are_planned_by_name_and_the_rate_is_checked() {
        let mut m = mock(json!({"count": 5}));
        m.plan(&["503".to_string(), "close".to_string(), "truncate".to_string()]).unwrap();
        assert_eq!(m.faults_json(), r#"{"plan":["503","close","truncate"],"rate":0.0}"#);
        assert_eq!(get(&mut m, "/api/investigations", None).status(), 503);
        assert_eq!(get(&mut m, "/api/investigations", None).fault().as_deref(), Some("close"));
        let cut = get(&mut m, "/api/investigations", None);
        assert_eq!(cut.fault().as_deref(), Some("truncate"));
        assert!(cut.truncate_after().is_some());
        let e = m.plan(&["404".to_string()]).unwrap_err();
        assert_eq!(e.kind, Kind::InvalidFault);
        assert!(e.message.contains("unknown fault `404`"), "{}", e.message);
        m.rate(0.25).unwrap();
        assert_eq!(m.engine().fault_rate(), 0.25);
        assert!(m.rate(1.5).is_err() && m.rate(f64::NAN).is_err());
    }

    #[test]
    fn investigations_are_added_and_updated_as_the_admin_api_does() {
        let mut m = mock(json!({"count": 2, "now": "2026-11-01T00:00:00Z"}));
        assert_eq!(
            m.add(r#"[{"id": 9, "startTime": "2030-01-01T00:00:00Z"}, {"id": "10"}]"#).unwrap(),
            r#"{"added":2,"total":4}"#
        );
        assert_eq!(m.add(r#"{"id": "11"}"#).unwrap(), r#"{"added":1,"total":5}"#);
        let e = m.add(r#"[{"id": "12"}, {"state": "Running"}]"#).unwrap_err();
        assert_eq!((e.kind, e.message.as_str()), (Kind::InvalidInvestigations, "item 1: `id` is missing"));
        let updated: Value = serde_json::from_str(&m.update("9", r#"{"state": "Benign"}"#).unwrap()).unwrap();
        assert_eq!((updated["id"].as_str(), updated["state"].as_str()), (Some("9"), Some("Benign")));
        assert_eq!(m.update("nope", "{}").unwrap_err().kind, Kind::InvestigationNotFound);
        assert_eq!(m.update("9", r#"{"colour": 1}"#).unwrap_err().kind, Kind::InvalidUpdate);
    }

    #[test]
    fn the_live_world_moves_when_advanced_and_pauses() {
        let mut m = mock(json!({"count": 5, "live": true, "liveRate": 600, "now": "2026-11-01T00:00:00Z"}));
        let config: Value = serde_json::from_str(&m.config_json()).unwrap();
        assert_eq!((config["live"].as_bool(), config["live_rate"].as_f64()), (Some(true), Some(600.0)));
        m.advance((T0 + 3_600_000) as f64);
        let status: Value = serde_json::from_str(&m.live_json()).unwrap();
        assert_eq!(status["now"], "2026-11-01T01:00:00Z");
        assert!(m.count() > 300.0, "{status}");
        assert!(m.engine.set_live_paused(T0 + 3_600_000, true).unwrap().paused);
        assert_eq!(serde_json::from_str::<Value>(&m.live_json()).unwrap()["paused"], true);
        let off = MockEngine::from_options(r#"{"count": 1}"#, T0).unwrap().engine.set_live_paused(T0, true);
        assert_eq!(Thrown::from(off.unwrap_err()).kind, Kind::LiveOff);
    }

    #[test]
    fn the_bins_engine_comes_from_its_flags() {
        let pairs: Vec<String> = ["port", "0", "count", "4", "seed", "2"].iter().map(|s| s.to_string()).collect();
        let m = MockEngine::from_flags(&Invocation::from_pairs(&pairs).unwrap(), T0).unwrap();
        assert_eq!((m.port(), m.count()), (0, 4.0));
        let config: Value = serde_json::from_str(&m.config_json()).unwrap();
        assert_eq!(config["seed"], 2);
    }
}
