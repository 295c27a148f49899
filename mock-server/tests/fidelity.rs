//! What the service does on the wire, as `mock-server/FIDELITY.md` lists it, checked through HTTP.

mod common;

use common::*;
use serde_json::json;

const ODATA_JSON: &str = "application/json; odata.metadata=minimal; odata.streaming=true; charset=utf-8";

#[tokio::test]
async fn every_api_answer_says_odata_40() {
    let api = builder().count(20).start().await.unwrap();
    let c = client();
    let uri = api.uri();
    let list = get(&c, &uri, "/api/investigations?$top=3", "t").await;
    let id = list.ids()[0].clone();
    for (path, status) in [
        ("/api/investigations?$top=3".to_string(), 200),
        (format!("/api/investigations/{id}"), 200),
        ("/api/investigations?$top=0".to_string(), 400),
        ("/api/investigations/nope".to_string(), 404),
    ] {
        let a = get(&c, &uri, &path, "t").await;
        assert_eq!(a.status, status, "{path}");
        assert_eq!(a.header("content-type").as_deref(), Some(ODATA_JSON), "{path}");
        assert_eq!(a.header("odata-version").as_deref(), Some("4.0"), "{path}");
    }
    let unauthorized = send(c.get(format!("{uri}/api/investigations"))).await;
    assert_eq!(unauthorized.header("odata-version").as_deref(), Some("4.0"));
}

#[tokio::test]
async fn a_single_investigation_names_its_entity_and_versioned_paths_serve_the_same() {
    let api = builder().count(20).start().await.unwrap();
    let c = client();
    let uri = api.uri();
    let plain = get(&c, &uri, "/api/investigations?$top=5", "t").await;
    let versioned = get(&c, &uri, "/api/v1.0/investigations?$top=5", "t").await;
    assert_eq!(versioned.body, plain.body);
    let id = plain.ids()[2].clone();
    for path in [format!("/api/investigations/{id}"), format!("/api/v1.0/investigations/{id}")] {
        let one = get(&c, &uri, &path, "t").await.json();
        assert_eq!(one["@odata.context"], format!("{uri}/api/$metadata#Investigations/$entity"));
        assert_eq!(one["id"], id.as_str());
    }
}

#[tokio::test]
async fn metadata_is_a_csdl_document() {
    let api = builder().count(1).start().await.unwrap();
    let c = client();
    let a = get(&c, &api.uri(), "/api/$metadata", "t").await;
    assert_eq!(a.status, 200);
    assert_eq!(a.header("content-type").as_deref(), Some("application/xml; charset=utf-8"));
    assert_eq!(a.header("odata-version").as_deref(), Some("4.0"));
    let xml = String::from_utf8(a.body).unwrap();
    assert!(xml.starts_with("<?xml") && xml.contains("<edmx:Edmx Version=\"4.0\""));
    assert!(xml.contains("<EntityType Name=\"Investigation\">"));
    assert_eq!(xml.matches("<Property ").count(), 9);
    assert_eq!(xml.matches("<Member ").count(), 19);
    assert!(xml.contains("<Member Name=\"Disabled\""));
}

#[tokio::test]
async fn pages_without_top_link_to_the_next_and_the_admin_api_changes_links() {
    let api = builder().count(10_010).start().await.unwrap();
    let c = client();
    let uri = api.uri();
    let first = get(&c, &uri, "/api/investigations", "t").await.json();
    assert_eq!(first["value"].as_array().unwrap().len(), 10_000);
    let link = first["@odata.nextLink"].as_str().unwrap().to_string();
    assert_eq!(link, format!("{uri}/api/investigations?$skip=10000"));
    let second = send(c.get(&link).bearer_auth("t")).await.json();
    assert_eq!(second["value"].as_array().unwrap().len(), 10);
    assert!(second.get("@odata.nextLink").is_none());
    assert!(get(&c, &uri, "/api/investigations?$top=5", "t").await.json().get("@odata.nextLink").is_none());
    let set = send(c.post(format!("{uri}/__admin/next-links")).body(json!({"mode": "always"}).to_string())).await;
    assert_eq!(set.json(), json!({"mode": "always"}));
    let page = get(&c, &uri, "/api/investigations?$top=5", "t").await.json();
    assert_eq!(page["@odata.nextLink"], format!("{uri}/api/investigations?$top=5&$skip=5"));
    let bad = send(c.post(format!("{uri}/__admin/next-links")).body(json!({"mode": "never"}).to_string())).await;
    assert_error(&bad, 400, "InvalidInput");
}

/// A JWT of the claims given (header `{"alg":"none"}`, no signature check in the mock).
fn jwt(claims: &str) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut payload = String::new();
    for chunk in claims.as_bytes().chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, b)| acc | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            payload.push(ABC[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    format!("eyJhbGciOiJub25lIn0.{payload}.")
}

#[tokio::test]
async fn the_quota_belongs_to_the_application_and_tenant() {
    let api = builder().count(3).per_minute(2).start().await.unwrap();
    let c = client();
    let uri = api.uri();
    let token = jwt(r#"{"tid":"tenant-1","appid":"app-1","exp":1}"#);
    let refreshed = jwt(r#"{"tid":"tenant-1","appid":"app-1","exp":2}"#);
    let other = jwt(r#"{"tid":"tenant-1","azp":"app-2"}"#);
    assert_eq!(get(&c, &uri, "/api/investigations", &token).await.status, 200);
    assert_eq!(get(&c, &uri, "/api/investigations", &refreshed).await.status, 200);
    let throttled = get(&c, &uri, "/api/investigations", &refreshed).await;
    assert_error(&throttled, 429, "TooManyRequests");
    assert!(throttled.header("retry-after").unwrap().parse::<u64>().unwrap() >= 1);
    assert_eq!(throttled.header("retry-after-ms"), None, "the service sends Retry-After only");
    assert_eq!(get(&c, &uri, "/api/investigations", &other).await.status, 200);
}

#[tokio::test]
async fn cpu_throttling_answers_429_below_the_call_limits() {
    let api = builder().count(3).cpu_throttle_rate(1.0).start().await.unwrap();
    let c = client();
    let a = get(&c, &api.uri(), "/api/investigations", "t").await;
    assert_error(&a, 429, "TooManyRequests");
    assert!(a.json()["error"]["message"].as_str().unwrap().contains("CPU"));
    assert_eq!(api.journal().await[0].fault, Some(mde_mock::Fault::CpuThrottle));
}

#[tokio::test]
async fn custom_options_are_ignored_and_unknown_dollar_options_refused() {
    // OData 4.0: a query option whose name does not start with `$` is a custom option (ignored here); an unknown
    // `$` option is an invalid OData URI query.
    let api = builder().count(10).start().await.unwrap();
    let c = client();
    let plain = get(&c, &api.uri(), "/api/investigations?$top=3", "t").await;
    let custom = get(&c, &api.uri(), "/api/investigations?$top=3&trace=abc&x", "t").await;
    assert_eq!(custom.status, 200);
    assert_eq!(custom.ids(), plain.ids());
    for option in ["$select=id", "$orderby=id", "$count=true", "$stop=5"] {
        let a = get(&c, &api.uri(), &format!("/api/investigations?{option}"), "t").await;
        assert_error(&a, 400, "ODataError");
    }
}
