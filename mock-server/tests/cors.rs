//! Acceptance 5: CORS preflight everywhere; every answer carries the CORS headers.

mod common;

use common::*;
use mde_mock::Fault;

fn assert_cors(a: &Answer, origin: &str) {
    assert_eq!(a.header("access-control-allow-origin").as_deref(), Some(origin), "status {}", a.status);
    assert_eq!(a.header("access-control-expose-headers").as_deref(), Some("Retry-After, retry-after-ms"));
}

#[tokio::test]
async fn preflight_on_every_path() {
    let api = builder().count(5).start().await.unwrap();
    let c = client();
    for path in ["/api/investigations", "/api/investigations/123", "/anything", "/__admin/requests"] {
        let a = send(
            c.request(reqwest::Method::OPTIONS, format!("{}{path}", api.uri()))
                .header("origin", "http://localhost:5173")
                .header("access-control-request-method", "GET")
                .header("access-control-request-headers", "authorization"),
        )
        .await;
        assert!(a.status == 204 || a.status == 200, "{path}: {}", a.status);
        assert_cors(&a, "*");
        assert!(a.header("access-control-allow-methods").unwrap().contains("GET"));
        assert!(a.header("access-control-allow-headers").unwrap().to_lowercase().contains("authorization"));
        assert!(a.header("access-control-max-age").unwrap().parse::<u32>().unwrap() > 0);
    }
    // Preflights need no token and do not count toward the limits.
    assert!(api.journal().await.iter().all(|e| e.method == "OPTIONS" && e.status == Some(204)));
}

#[tokio::test]
async fn every_answer_carries_the_headers() {
    let api = builder()
        .count(5)
        .per_minute(3)
        .forbidden_token("f")
        .cors_origin("http://localhost:5173")
        .start()
        .await
        .unwrap();
    let c = client();
    let origin = "http://localhost:5173";
    let ok = get(&c, &api.uri(), "/api/investigations", "t").await;
    assert_eq!(ok.status, 200);
    assert_cors(&ok, origin);
    assert_eq!(ok.header("vary").as_deref(), Some("Origin"));
    assert_cors(&get(&c, &api.uri(), "/api/investigations?$top=0", "t").await, origin);
    assert_cors(&send(c.get(format!("{}/api/investigations", api.uri()))).await, origin);
    assert_cors(&get(&c, &api.uri(), "/api/investigations", "f").await, origin);
    assert_cors(&get(&c, &api.uri(), "/nowhere", "t").await, origin);
    api.plan_faults([Fault::InternalServerError]).await;
    let failed = get(&c, &api.uri(), "/api/investigations", "t").await;
    assert_eq!(failed.status, 500);
    assert_cors(&failed, origin);
    let throttled = get(&c, &api.uri(), "/api/investigations", "t").await;
    assert_eq!(throttled.status, 429);
    assert_cors(&throttled, origin);
    assert_cors(&send(c.get(format!("{}/__admin/requests", api.uri()))).await, origin);
}
