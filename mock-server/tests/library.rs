//! Acceptance 8: the Rust API of `MockApi`.
//!
//! Native only: these tests are about the Rust library itself (its builder, its handle, its threads), so they use
//! `native_builder()` whatever `MDE_FACE` says, and `cargo xtask test` runs them once, with the native face; the
//! admin operations they call from Rust are tested on every face through HTTP by `admin.rs`.

mod common;

use common::*;
use mde_core::{Investigation, InvestigationState, Timestamp};
use mde_mock::{Fault, MockApi};

fn item(id: &str, start: &str) -> Investigation {
    Investigation {
        id: id.to_string(),
        start_time: Some(Timestamp::parse(start).unwrap()),
        end_time: None,
        state: InvestigationState::Running,
        cancelled_by: None,
        status_details: None,
        machine_id: None,
        computer_dns_name: None,
        triggering_alert_id: None,
    }
}

#[tokio::test]
async fn builder_options_and_admin_operations_from_rust() {
    let api = MockApi::builder()
        .seed(1)
        .count(0)
        .investigations(vec![item("10", "2024-01-01T00:00:00Z"), item("9", "2024-01-01T00:00:00Z")])
        .token("t")
        .per_minute(100)
        .time_scale(0.01)
        .fault_rate(0.0)
        .start()
        .await
        .unwrap();
    assert!(api.uri().starts_with("http://127.0.0.1:"));
    assert_eq!(api.uri(), format!("http://{}", api.address()));
    // Same startTime: id descending, ids compared as the strings they are ("9" after "10").
    let ids: Vec<String> = api.investigations().await.into_iter().map(|i| i.id).collect();
    assert_eq!(ids, ["9", "10"]);
    api.add_investigations(vec![item("11", "2025-01-01T00:00:00Z")]).await;
    let c = client();
    assert_eq!(get(&c, &api.uri(), "/api/investigations", "t").await.ids(), ["11", "9", "10"]);
    api.plan_faults([Fault::ServiceUnavailable]).await;
    assert_eq!(get(&c, &api.uri(), "/api/investigations", "t").await.status, 503);
    assert_eq!(api.journal().await.len(), 2);
    api.reset().await;
    assert!(api.journal().await.is_empty());
}

#[tokio::test]
async fn dropping_the_mock_stops_it() {
    let api = native_builder().count(1).start().await.unwrap();
    let uri = api.uri();
    let c = client();
    assert_eq!(get(&c, &uri, "/api/investigations", "t").await.status, 200);
    drop(api);
    // Give the relay thread a moment to close its listener; then nothing answers.
    let mut refused = false;
    for _ in 0..50 {
        let fresh = client();
        if fresh.get(format!("{uri}/api/investigations")).bearer_auth("t").send().await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(refused);
}

#[tokio::test]
async fn bad_options_are_refused() {
    assert!(MockApi::builder().time_scale(0.0).start().await.is_err());
    assert!(MockApi::builder().fault_rate(1.5).start().await.is_err());
    assert!(MockApi::builder().per_minute(0).start().await.is_err());
    let taken = native_builder().count(1).start().await.unwrap();
    let err = MockApi::builder().port(taken.address().port()).start().await.unwrap_err();
    assert!(err.to_string().contains("cannot listen"), "{err}");
}

#[test]
fn works_from_a_runtime_that_is_then_blocked() {
    // The mock serves on threads of its own: a test that blocks its runtime's only thread still gets answers.
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let api = rt.block_on(native_builder().count(2).start()).unwrap();
    let addr = api.address();
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.write_all(b"GET /api/investigations HTTP/1.1\r\nhost: x\r\nauthorization: Bearer t\r\nconnection: close\r\n\r\n")
        .unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    assert!(text.starts_with("HTTP/1.1 200 OK"), "{text}");
    assert!(text.contains("\"@odata.context\":\"http://x/api/$metadata#Investigations\""));
    drop(api);
}

#[tokio::test]
async fn update_investigation_from_rust() {
    use mde_mock::InvestigationUpdate;
    let api = native_builder().count(5).start().await.unwrap();
    let id = api.investigations().await[4].id.clone();
    let update = InvestigationUpdate {
        state: Some(InvestigationState::PendingApproval),
        start_time: Some(Some(Timestamp::parse("2026-11-27T11:59:59Z").unwrap())),
        ..InvestigationUpdate::default()
    };
    let now = api.update_investigation(&id, &update).await.unwrap();
    assert_eq!(now.state, InvestigationState::PendingApproval);
    // The newest start time now: first in the documented order.
    assert_eq!(api.investigations().await[0].id, id);
    assert!(api.update_investigation("no-such-id", &update).await.is_err());
}
