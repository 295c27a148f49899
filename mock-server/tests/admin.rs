//! Acceptance 7: the admin API, through HTTP.

mod common;

use common::*;
use serde_json::{json, Value};

async fn admin(c: &reqwest::Client, base: &str, method: reqwest::Method, path: &str, body: Option<Value>) -> Answer {
    let mut req = c.request(method, format!("{base}/__admin/{path}"));
    if let Some(body) = body {
        req = req.header("content-type", "application/json").body(body.to_string());
    }
    send(req).await
}

#[tokio::test]
async fn journal_shows_calls_but_never_tokens_and_skips_admin_calls() {
    let api = builder().count(5).per_minute(2).start().await.unwrap();
    let c = client();
    let secret = "super-secret-token-value";
    get(&c, &api.uri(), "/api/investigations?$top=1", secret).await;
    send(c.get(format!("{}/api/investigations", api.uri()))).await;
    get(&c, &api.uri(), "/api/investigations", secret).await;
    get(&c, &api.uri(), "/api/investigations", secret).await; // 429
    admin(&c, &api.uri(), reqwest::Method::GET, "config", None).await;
    let a = admin(&c, &api.uri(), reqwest::Method::GET, "requests", None).await;
    assert_eq!(a.status, 200);
    assert!(!String::from_utf8_lossy(&a.body).contains(secret));
    let entries = a.json();
    let entries = entries.as_array().unwrap();
    assert_eq!(entries.len(), 4, "admin calls are not journaled: {entries:?}");
    let first = &entries[0];
    assert_eq!(first["method"], "GET");
    assert_eq!(first["path"], "/api/investigations");
    assert_eq!(first["query"], "$top=1");
    assert_eq!(first["status"], 200);
    assert_eq!(first["token_present"], true);
    assert_eq!(first["token_hash"].as_str().unwrap().len(), 16);
    assert!(first["timestamp_ms"].as_u64().unwrap() > 1_700_000_000_000);
    assert!(first["timestamp"].as_str().unwrap().ends_with('Z'));
    assert_eq!(entries[1]["token_present"], false);
    assert!(entries[1]["token_hash"].is_null());
    assert_eq!(entries[1]["status"], 401);
    assert_eq!(entries[3]["status"], 429);
    assert!(entries[3]["retry_after_ms"].as_u64().unwrap() > 0);
    // The library sees the same journal.
    assert_eq!(api.journal().await.len(), 4);
}

#[tokio::test]
async fn reset_clears_journal_limits_and_faults() {
    let api = builder().count(5).per_minute(1).start().await.unwrap();
    let c = client();
    get(&c, &api.uri(), "/api/investigations", "t").await;
    assert_eq!(get(&c, &api.uri(), "/api/investigations", "t").await.status, 429);
    admin(&c, &api.uri(), reqwest::Method::POST, "faults", Some(json!({"plan": ["503"]}))).await;
    let a = admin(&c, &api.uri(), reqwest::Method::POST, "reset", None).await;
    assert_eq!(a.status, 200);
    assert!(api.journal().await.is_empty());
    let faults = admin(&c, &api.uri(), reqwest::Method::GET, "faults", None).await;
    assert_eq!(faults.json()["plan"], json!([]));
    assert_eq!(get(&c, &api.uri(), "/api/investigations", "t").await.status, 200);
}

#[tokio::test]
async fn investigations_can_arrive_while_listing() {
    let api = builder().count(20).start().await.unwrap();
    let c = client();
    let before = get(&c, &api.uri(), "/api/investigations", "t").await.ids();
    let newest = json!([
        {"id": "990001", "startTime": "2026-11-27T11:59:00Z", "state": "Running", "machineId": "a69a22debe5f274d8765ea3c368d00762e057b30"},
        {"id": 990002, "startTime": "2026-11-27T11:59:30.5Z", "state": "Queued"}
    ]);
    let a = admin(&c, &api.uri(), reqwest::Method::POST, "investigations", Some(newest)).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.json(), json!({"added": 2, "total": 22}));
    let one = json!({"id": "17", "startTime": null, "state": "SomethingNew"});
    assert_eq!(admin(&c, &api.uri(), reqwest::Method::POST, "investigations", Some(one)).await.status, 200);
    let after = get(&c, &api.uri(), "/api/investigations", "t").await;
    let ids = after.ids();
    assert_eq!(&ids[..2], &["990002".to_string(), "990001".to_string()]);
    assert_eq!(&ids[2..22], &before[..]);
    assert_eq!(ids[22], "17", "no startTime: last");
    let last = &after.json()["value"][22];
    assert_eq!(last["state"], "SomethingNew");
    assert!(last["machineId"].is_null());
    // The admin listing has them all, in order.
    let all = admin(&c, &api.uri(), reqwest::Method::GET, "investigations", None).await;
    assert_eq!(all.json().as_array().unwrap().len(), 23);
    // Bad items are refused with a reason.
    let bad = admin(&c, &api.uri(), reqwest::Method::POST, "investigations", Some(json!([{"state": "Running"}]))).await;
    assert_error(&bad, 400, "InvalidInput");
    assert!(bad.json()["error"]["message"].as_str().unwrap().contains("id"));
}

#[tokio::test]
async fn a_fault_plan_applies_to_the_next_data_calls() {
    let api = builder().count(30).retry_after_ms(true).start().await.unwrap();
    let c = client();
    let plan = json!({"plan": ["503", 429, "close", "truncate", "500"]});
    let a = admin(&c, &api.uri(), reqwest::Method::POST, "faults", Some(plan)).await;
    assert_eq!(a.json()["plan"], json!(["503", "429", "close", "truncate", "500"]));
    // Refused calls are not data calls: they do not take a planned fault.
    assert_eq!(send(c.get(format!("{}/api/investigations", api.uri()))).await.status, 401);
    assert_error(&get(&c, &api.uri(), "/api/investigations", "t").await, 503, "ServiceUnavailable");
    let throttled = get(&c, &api.uri(), "/api/investigations", "t").await;
    assert_error(&throttled, 429, "TooManyRequests");
    assert_eq!(throttled.header("retry-after").as_deref(), Some("1"));
    assert_eq!(throttled.header("retry-after-ms").as_deref(), Some("1000"));
    tokio::time::sleep(std::time::Duration::from_millis(1_010)).await;
    let closed = c.get(format!("{}/api/investigations", api.uri())).bearer_auth("t").send().await;
    assert!(closed.is_err(), "close: no answer at all");
    let truncated = c.get(format!("{}/api/investigations", api.uri())).bearer_auth("t").send().await.unwrap();
    assert_eq!(truncated.status().as_u16(), 200);
    assert!(truncated.bytes().await.is_err(), "truncate: the body breaks off");
    assert_error(&get(&c, &api.uri(), "/api/investigations", "t").await, 500, "InternalServerError");
    assert_eq!(get(&c, &api.uri(), "/api/investigations", "t").await.status, 200);
    let faults: Vec<Option<String>> =
        api.journal().await.iter().map(|e| e.fault.map(|f| f.name().to_string())).collect();
    let expected = [None, Some("503"), Some("429"), Some("close"), Some("truncate"), Some("500"), None];
    assert_eq!(faults, expected.map(|f| f.map(String::from)).to_vec());
    assert_eq!(admin(&c, &api.uri(), reqwest::Method::GET, "faults", None).await.json()["plan"], json!([]));
    // Bad plans are refused.
    let bad = admin(&c, &api.uri(), reqwest::Method::POST, "faults", Some(json!({"plan": ["418"]}))).await;
    assert_error(&bad, 400, "InvalidInput");
}

#[tokio::test]
async fn admin_needs_no_token_and_unknown_paths_are_404() {
    let api = builder().count(3).token("only-this").start().await.unwrap();
    let c = client();
    let cfg = admin(&c, &api.uri(), reqwest::Method::GET, "config", None).await;
    assert_eq!(cfg.status, 200);
    assert_eq!(cfg.json()["count"], 3);
    assert_error(&admin(&c, &api.uri(), reqwest::Method::GET, "nope", None).await, 404, "NotFound");
    assert_error(&admin(&c, &api.uri(), reqwest::Method::GET, "reset", None).await, 405, "MethodNotAllowed");
}

#[tokio::test]
async fn patch_makes_an_investigation_progress() {
    let api = builder().count(20).start().await.unwrap();
    let c = client();
    let target = api.investigations().await.remove(0);
    let path = format!("investigations/{}", target.id);
    let body = json!({"state": "SuccessfullyRemediated", "endTime": "2026-11-27T12:30:00Z"});
    let a = admin(&c, &api.uri(), reqwest::Method::PATCH, &path, Some(body)).await;
    assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
    assert_eq!(a.json()["id"], target.id.as_str());
    assert_eq!(a.json()["state"], "SuccessfullyRemediated");
    let page = get(&c, &api.uri(), &format!("/api/investigations/{}", target.id), "t").await;
    assert_eq!(page.json()["endTime"], "2026-11-27T12:30:00Z");
    let missing =
        admin(&c, &api.uri(), reqwest::Method::PATCH, "investigations/0", Some(json!({"state": "Benign"}))).await;
    assert_error(&missing, 404, "ResourceNotFound");
    let bad = admin(&c, &api.uri(), reqwest::Method::PATCH, &path, Some(json!({"sate": "Benign"}))).await;
    assert_error(&bad, 400, "InvalidInput");
    assert!(bad.json()["error"]["message"].as_str().unwrap().contains("sate"));
    let bad = admin(&c, &api.uri(), reqwest::Method::PATCH, &path, Some(json!({"startTime": "noon"}))).await;
    assert_error(&bad, 400, "InvalidInput");
}
