//! Acceptance 3: bearer tokens.

mod common;

use common::*;

#[tokio::test]
async fn missing_empty_or_wrong_scheme_is_401() {
    let api = builder().count(5).start().await.unwrap();
    let c = client();
    let url = format!("{}/api/investigations", api.uri());
    let no_header = send(c.get(&url)).await;
    assert_error(&no_header, 401, "Unauthorized");
    assert_eq!(no_header.header("www-authenticate").as_deref(), Some("Bearer"));
    assert_error(&send(c.get(&url).header("authorization", "Bearer ")).await, 401, "Unauthorized");
    assert_error(&send(c.get(&url).header("authorization", "Basic dTpw")).await, 401, "Unauthorized");
    // Without --token any non-empty token is accepted.
    assert_eq!(get(&c, &api.uri(), "/api/investigations", "anything").await.status, 200);
}

#[tokio::test]
async fn only_listed_tokens_pass_and_forbidden_ones_get_403() {
    let api = builder().count(5).token("good").token("also-good").forbidden_token("no-rights").start().await.unwrap();
    let c = client();
    assert_eq!(get(&c, &api.uri(), "/api/investigations", "good").await.status, 200);
    assert_eq!(get(&c, &api.uri(), "/api/investigations/1", "also-good").await.status, 404);
    assert_error(&get(&c, &api.uri(), "/api/investigations", "other").await, 401, "Unauthorized");
    assert_error(&get(&c, &api.uri(), "/api/investigations", "no-rights").await, 403, "Forbidden");
    // Refused calls return no data.
    let a = get(&c, &api.uri(), "/api/investigations", "other").await;
    assert!(a.json().get("value").is_none());
}
