//! The engine without any server: requests in, replies out, time as an argument.

use mde_core::InvestigationState;
use mde_mock_engine::{ConnectionFault, Engine, Fault, InvestigationUpdate, NextLinks, Options, Reply, Request};
use serde_json::{json, Value};

const T0: u64 = 1_795_000_000_000;

fn engine(options: Options) -> Engine {
    let options = Options { now: Some("2026-11-27T12:00:00Z".parse().unwrap()), ..options };
    Engine::new(options, T0).unwrap()
}

fn get<'a>(path: &'a str, query: Option<&'a str>) -> Request<'a> {
    Request::get(path, query).with_authorization("Bearer t")
}

fn json(reply: &Reply) -> Value {
    serde_json::from_slice(&reply.body).unwrap()
}

fn ids(reply: &Reply) -> Vec<String> {
    json(reply)["value"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_string()).collect()
}

#[test]
fn a_page_is_the_documented_order_cut_by_skip_and_top() {
    let mut e = engine(Options { count: 30, ..Options::default() });
    let all: Vec<String> = e.dataset().investigations().map(|i| i.id.clone()).collect();
    let reply = e.handle(T0, &get("/api/investigations", Some("$skip=5&$top=10")));
    assert_eq!(reply.status, 200);
    assert_eq!(ids(&reply), all[5..15]);
    assert_eq!(
        reply.header("content-type"),
        Some("application/json; odata.metadata=minimal; odata.streaming=true; charset=utf-8")
    );
    assert_eq!(reply.header("odata-version"), Some("4.0"));
    assert_eq!(reply.header("access-control-allow-origin"), Some("*"));
    assert_eq!(json(&reply)["@odata.context"], "http://localhost/api/$metadata#Investigations");
    assert!(reply.fault.is_none() && reply.delay.is_zero());
}

#[test]
fn the_context_names_the_host_and_scheme_the_request_came_to() {
    let mut e = engine(Options { count: 1, ..Options::default() });
    let request =
        Request { host: Some("api.security.microsoft.com"), scheme: "https", ..get("/api/investigations", None) };
    let reply = e.handle(T0, &request);
    assert_eq!(json(&reply)["@odata.context"], "https://api.security.microsoft.com/api/$metadata#Investigations");
}

#[test]
fn limits_follow_the_time_given_and_never_go_back() {
    let mut e = engine(Options { count: 1, per_minute: 2, retry_after_ms: true, ..Options::default() });
    assert_eq!(e.handle(T0, &get("/api/investigations", None)).status, 200);
    assert_eq!(e.handle(T0 + 10, &get("/api/investigations", None)).status, 200);
    let throttled = e.handle(T0 + 20, &get("/api/investigations", None));
    assert_eq!(throttled.status, 429);
    assert_eq!(throttled.header("retry-after-ms"), Some("59980"));
    assert_eq!(throttled.header("retry-after"), Some("60"));
    // A clock that jumps back does not reopen the window.
    assert_eq!(e.handle(T0 - 1_000_000, &get("/api/investigations", None)).status, 429);
    assert_eq!(e.handle(T0 + 60_000, &get("/api/investigations", None)).status, 200);
    let journal = e.journal();
    assert_eq!(
        journal.iter().map(|j| j.status).collect::<Vec<_>>(),
        [Some(200), Some(200), Some(429), Some(429), Some(200)]
    );
    assert_eq!(journal[0].timestamp_ms, T0);
    assert_eq!(journal[3].timestamp_ms, T0 + 20, "the journal's clock does not go back either");
    e.reset(T0 + 60_001);
    assert!(e.journal().is_empty());
    assert_eq!(e.handle(T0 + 60_002, &get("/api/investigations", None)).status, 200);
}

#[test]
fn faults_become_connection_faults_for_the_driver() {
    let mut e = engine(Options { count: 40, latency: std::time::Duration::from_millis(25), ..Options::default() });
    e.plan_faults([Fault::CloseConnection, Fault::TruncatedBody, Fault::ServiceUnavailable]);
    let closed = e.handle(T0, &get("/api/investigations", None));
    assert_eq!(closed.fault, Some(ConnectionFault::Close));
    let truncated = e.handle(T0, &get("/api/investigations", None));
    assert_eq!(truncated.status, 200);
    assert_eq!(truncated.fault, Some(ConnectionFault::Truncate { after: truncated.body.len() / 2 }));
    assert_eq!(truncated.delay.as_millis(), 25);
    let unavailable = e.handle(T0, &get("/api/investigations", None));
    assert_eq!(unavailable.status, 503);
    assert_eq!(json(&unavailable)["error"]["code"], "ServiceUnavailable");
    let journal = e.journal();
    assert_eq!(journal[0].status, None);
    assert_eq!(journal[1].fault, Some(Fault::TruncatedBody));
    assert!(e.fault_plan().is_empty(), "the plan is used up");
    // Admin calls are neither delayed nor journaled.
    let admin = e.handle(T0, &Request::get("/__admin/config", None));
    assert!(admin.delay.is_zero());
    assert_eq!(e.journal().len(), 3);
}

#[test]
fn head_has_no_body_and_preflights_need_no_token() {
    let mut e = engine(Options { count: 3, ..Options::default() });
    let head = e.handle(T0, &Request { method: "HEAD", ..get("/api/investigations", None) });
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty() && head.header("content-type").is_none());
    let preflight = e.handle(T0, &Request { method: "OPTIONS", ..Request::get("/__admin/investigations/1", None) });
    assert_eq!(preflight.status, 204);
    assert!(preflight.header("access-control-allow-methods").unwrap().contains("PATCH"));
}

#[test]
fn a_listed_origin_is_echoed() {
    let options = Options { count: 1, cors_origin: "http://a.test,http://b.test".into(), ..Options::default() };
    let mut e = engine(options);
    let reply = e.handle(T0, &Request { origin: Some("http://b.test"), ..get("/api/investigations", None) });
    assert_eq!(reply.header("access-control-allow-origin"), Some("http://b.test"));
    assert_eq!(reply.header("vary"), Some("Origin"));
}

fn patch<'a>(id_path: &'a str, body: &'a [u8]) -> Request<'a> {
    Request { method: "PATCH", body, ..Request::get(id_path, None) }
}

#[test]
fn patch_changes_one_investigation_and_its_place() {
    let mut e = engine(Options { count: 20, ..Options::default() });
    let last = e.dataset().investigations().last().unwrap().clone();
    let path = format!("/__admin/investigations/{}", last.id);
    let body =
        json!({"state": "Benign", "endTime": "2026-11-27T12:30:00Z", "startTime": "2026-11-27T12:10:00Z"}).to_string();
    let reply = e.handle(T0, &patch(&path, body.as_bytes()));
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    assert_eq!(json(&reply)["state"], "Benign");
    assert_eq!(json(&reply)["endTime"], "2026-11-27T12:30:00Z");
    assert_eq!(json(&reply)["machineId"], json!(last.machine_id), "fields not named stay");
    // The newest start time now: first in the order.
    let first = e.handle(T0, &get("/api/investigations", Some("$top=1")));
    assert_eq!(ids(&first), vec![last.id.clone()]);
    let filtered = e.handle(T0, &get("/api/investigations", Some("$filter=state+eq+'Benign'")));
    assert!(ids(&filtered).contains(&last.id));

    let unknown = e.handle(T0, &patch("/__admin/investigations/nope", b"{\"state\":\"Benign\"}"));
    assert_eq!(unknown.status, 404);
    assert_eq!(json(&unknown)["error"]["code"], "ResourceNotFound");
    for bad in [&b"{\"stat\":\"Benign\"}"[..], b"{\"endTime\":\"soon\"}", b"[]", b"{\"id\":\"1\"}"] {
        let reply = e.handle(T0, &patch(&path, bad));
        assert_eq!(reply.status, 400, "{}", String::from_utf8_lossy(bad));
        assert_eq!(json(&reply)["error"]["code"], "InvalidInput");
    }
    let wrong_method = e.handle(T0, &Request { method: "PUT", ..patch(&path, b"{}") });
    assert_eq!(wrong_method.status, 405);
    // The library call does the same.
    let update =
        InvestigationUpdate { state: Some(InvestigationState::Running), end_time: Some(None), ..Default::default() };
    let now = e.update_investigation(&last.id, &update).unwrap();
    assert_eq!((now.state, now.end_time), (InvestigationState::Running, None));
    assert!(e.update_investigation("nope", &update).is_err());
    let journaled: Vec<String> = e.journal().into_iter().map(|j| j.path).collect();
    assert_eq!(journaled, ["/api/investigations", "/api/investigations"], "admin calls are not journaled");
}

#[test]
fn retry_after_is_whole_seconds_unless_asked_for_milliseconds() {
    let mut e = engine(Options { count: 1, per_minute: 1, time_scale: 0.01, ..Options::default() });
    assert_eq!(e.handle(T0, &get("/api/investigations", None)).status, 200);
    let throttled = e.handle(T0 + 100, &get("/api/investigations", None));
    assert_eq!(throttled.status, 429);
    assert_eq!(throttled.header("retry-after"), Some("1"), "500 ms rounded up to a whole second");
    assert_eq!(throttled.header("retry-after-ms"), None);
    assert_eq!(e.journal()[1].retry_after_ms, Some(500), "the journal keeps the exact wait");
}

#[test]
fn versioned_paths_metadata_and_single_entities_as_the_service() {
    let mut e = engine(Options { count: 5, ..Options::default() });
    let plain = e.handle(T0, &get("/api/investigations", Some("$top=2")));
    let versioned = e.handle(T0, &get("/api/v1.0/investigations", Some("$top=2")));
    assert_eq!((versioned.status, versioned.body.clone()), (200, plain.body.clone()));
    let id = ids(&plain)[0].clone();
    let one = e.handle(T0, &get(&format!("/api/v1.0/investigations/{id}"), None));
    let v = json(&one);
    assert_eq!(v["@odata.context"], "http://localhost/api/$metadata#Investigations/$entity");
    assert_eq!(v["id"], id.as_str());
    assert_eq!(one.header("odata-version"), Some("4.0"));
    for path in ["/api/$metadata", "/api/v1.0/$metadata", "/api/%24metadata"] {
        let meta = e.handle(T0, &get(path, None));
        assert_eq!(meta.status, 200, "{path}");
        assert_eq!(meta.header("content-type"), Some("application/xml; charset=utf-8"));
        let xml = String::from_utf8(meta.body).unwrap();
        assert!(xml.contains("<EntityType Name=\"Investigation\">") && xml.matches("<Member ").count() == 19);
    }
    assert_eq!(e.handle(T0, &Request::get("/api/$metadata", None)).status, 401, "a token is needed, as for any call");
    assert_eq!(e.handle(T0, &get("/api/v2.0/investigations", None)).status, 404);
    // Errors are the service's answers too; the admin API's are not.
    let bad = e.handle(T0, &get("/api/investigations", Some("$top=0")));
    assert_eq!((bad.status, bad.header("odata-version")), (400, Some("4.0")));
    assert_eq!(json(&bad)["error"]["code"], "ODataError");
    let admin = e.handle(T0, &Request::get("/__admin/config", None));
    assert_eq!(
        (admin.header("content-type"), admin.header("odata-version")),
        (Some("application/json; charset=utf-8"), None)
    );
}

fn next_link(reply: &Reply) -> Option<String> {
    json(reply).get("@odata.nextLink").map(|l| l.as_str().unwrap().to_string())
}

#[test]
fn next_links_as_the_service_and_as_tests_need_them() {
    let mut e = engine(Options { count: 10_007, ..Options::default() });
    let host = |r: Request<'static>| Request { host: Some("mock.test:4010"), ..r };
    let first = e.handle(T0, &host(get("/api/investigations", Some("$filter=machineId%20ne%20'x'"))));
    assert_eq!(ids(&first).len(), 10_000);
    assert_eq!(
        next_link(&first).as_deref(),
        Some("http://mock.test:4010/api/investigations?$filter=machineId%20ne%20'x'&$skip=10000")
    );
    let second = e.handle(T0, &host(get("/api/investigations", Some("$filter=machineId%20ne%20'x'&$skip=10000"))));
    assert_eq!((ids(&second).len(), next_link(&second)), (7, None));
    // With $top, no link (as the service), unless asked for.
    assert_eq!(next_link(&e.handle(T0, &get("/api/investigations", Some("$top=5")))), None);
    e.set_next_links(NextLinks::Always);
    let always = e.handle(T0, &host(get("/api/v1.0/investigations", Some("$top=5&$skip=5"))));
    assert_eq!(next_link(&always).as_deref(), Some("http://mock.test:4010/api/v1.0/investigations?$top=5&$skip=10"));
    e.set_next_links(NextLinks::Stale);
    let stale = e.handle(T0, &host(get("/api/investigations", Some("$top=5&$skip=20"))));
    assert_eq!(next_link(&stale).as_deref(), Some("http://mock.test:4010/api/investigations?$top=5&$skip=5"));
    e.set_next_links(NextLinks::Foreign);
    let foreign = e.handle(T0, &get("/api/investigations", Some("$top=5")));
    assert!(next_link(&foreign).unwrap().starts_with("https://nextlink.invalid/api/investigations?"));
    // The admin API changes it too.
    let mode = Request { method: "POST", body: b"{\"mode\":\"service\"}", ..Request::get("/__admin/next-links", None) };
    assert_eq!(e.handle(T0, &mode).status, 200);
    assert_eq!(next_link(&e.handle(T0, &get("/api/investigations", Some("$top=5")))), None);
}

#[test]
fn quota_is_per_application_and_tenant() {
    fn jwt(tid: &str, app: &str, exp: u64) -> String {
        use base64::Engine as _;
        let claims = format!(r#"{{"tid":"{tid}","appid":"{app}","exp":{exp}}}"#);
        format!("eyJhbGciOiJSUzI1NiJ9.{}.c2ln", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims))
    }
    let mut e = engine(Options { count: 1, per_minute: 2, ..Options::default() });
    let call = |e: &mut Engine, token: &str| {
        let auth = format!("Bearer {token}");
        e.handle(T0, &Request::get("/api/investigations", None).with_authorization(&auth)).status
    };
    let (a1, a2, other_app) = (jwt("t", "app", 1), jwt("t", "app", 2), jwt("t", "other", 1));
    assert_eq!(call(&mut e, &a1), 200);
    assert_eq!(call(&mut e, &a2), 200, "a refreshed token of the same application and tenant");
    assert_eq!(call(&mut e, &a2), 429, "shares the quota: a third call in the minute");
    assert_eq!(call(&mut e, &a1), 429);
    assert_eq!(call(&mut e, &other_app), 200);
    assert_eq!(call(&mut e, "opaque-1"), 200);
    assert_eq!(call(&mut e, "opaque-2"), 200, "opaque tokens count apart");
}

#[test]
fn cpu_throttling_answers_429_below_the_limits() {
    let options = Options { count: 1, cpu_throttle_rate: 0.3, time_scale: 0.001, ..Options::default() };
    let mut e = engine(options);
    let mut now = T0;
    let mut throttled = 0;
    for _ in 0..200 {
        now += 10_000;
        let reply = e.handle(now, &get("/api/investigations", None));
        if reply.status == 429 {
            throttled += 1;
            assert!(["1", "2", "3"].contains(&reply.header("retry-after").unwrap()));
            assert!(json(&reply)["error"]["message"].as_str().unwrap().contains("CPU"));
        } else {
            assert_eq!(reply.status, 200);
        }
    }
    assert!((30..100).contains(&throttled), "{throttled} of 200");
    assert!(e.journal().iter().any(|j| j.fault == Some(Fault::CpuThrottle)));
    // Planned like any other fault.
    e.plan_faults([Fault::CpuThrottle]);
    assert_eq!(e.handle(now + 1_000_000, &get("/api/investigations", None)).status, 429);
}

#[test]
fn the_fault_plan_and_rate_read_back_as_the_admin_api_shows_them() {
    let mut e = engine(Options { count: 5, fault_rate: 0.25, ..Options::default() });
    e.plan_faults([Fault::TooManyRequests, Fault::CloseConnection]);
    assert_eq!(e.fault_plan(), [Fault::TooManyRequests, Fault::CloseConnection]);
    assert_eq!(e.fault_rate(), 0.25);
    let admin = json(&e.handle(T0, &Request::get("/__admin/faults", None)));
    assert_eq!(admin, json!({"plan": ["429", "close"], "rate": 0.25}));
    assert_eq!(e.handle(T0, &get("/api/investigations", None)).status, 429);
    assert_eq!(e.fault_plan(), [Fault::CloseConnection]);
    e.set_fault_rate(2.0);
    assert_eq!(e.fault_rate(), 1.0, "clamped");
    e.reset(T0);
    assert!(e.fault_plan().is_empty());
    assert_eq!(e.fault_rate(), 1.0, "a reset keeps the rate");
}
