//! The two wiremock servers taken in turn and reset (what keeps the mock's memory bounded), seen from outside:
//! no request is lost, duplicated or answered by a server without mocks; faults, latency, keep-alive,
//! pipelining and the requests the front does not frame keep working across the swaps.
//!
//! Native only (the wiremock servers and their front are the native face's): `cargo xtask mock-faces-test`
//! leaves this file out.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::num::NonZeroU32;
use std::time::Duration;

use common::*;
use mde_mock::Fault;

fn every(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap()
}

/// Asserts that at least `n` recycles have completed (they run in the background: waits up to 10 s for them).
async fn assert_recycled(api: &mde_mock::MockApi, n: u64) {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while api.recycled() < n && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(api.recycled() >= n, "{} recycles, expected at least {n}", api.recycled());
}

/// Many keep-alive clients at once across many swaps: each answer is the engine's (a server being reset would
/// give wiremock's bare `404` without body or CORS header), and the journal holds each request exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_request_meets_a_server_being_reset() {
    let api = native_builder()
        .count(40)
        .per_minute(u32::MAX)
        .per_hour(u32::MAX)
        .recycle_after(every(7))
        .start()
        .await
        .unwrap();
    let all = api.investigations().await;
    let id = all[3].id.clone();
    let (clients, calls) = (24, 60);
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (base, id) = (api.uri(), id.clone());
        tasks.push(tokio::spawn(async move {
            let client = client();
            for i in 0..calls {
                match (c + i) % 3 {
                    0 => {
                        let a = get(&client, &base, "/api/investigations?$top=2", "t").await;
                        assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
                        assert_eq!(a.ids().len(), 2);
                    }
                    1 => {
                        let a = get(&client, &base, &format!("/api/investigations/{id}"), "t").await;
                        assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
                        assert_eq!(a.json()["id"], id.as_str());
                    }
                    _ => {
                        // The engine's own 404 has a body and the CORS header; wiremock's has neither.
                        let a = get(&client, &base, "/elsewhere", "t").await;
                        assert_error(&a, 404, "NotFound");
                    }
                }
                assert!(a_cors_header_is_there(&client, &base).await);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let sent = clients * calls * 2;
    assert_eq!(api.journal().await.len(), sent, "each request reached the engine once");
    // Swaps happen only when the other server is back on standby: under load some turns run long.
    assert_recycled(&api, 20).await;
}

async fn a_cors_header_is_there(client: &reqwest::Client, base: &str) -> bool {
    let a = get(client, base, "/api/investigations?$top=1", "t").await;
    a.status == 200 && a.header("access-control-allow-origin").is_some()
}

/// Requests in flight (a latency) while the servers swap: the server left is reset only when they are done.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_server_is_reset_only_when_its_requests_are_answered() {
    let api = native_builder()
        .count(20)
        .per_minute(u32::MAX)
        .per_hour(u32::MAX)
        .latency(Duration::from_millis(15))
        .recycle_after(every(3))
        .start()
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let base = api.uri();
        tasks.push(tokio::spawn(async move {
            let client = client();
            for _ in 0..12 {
                let a = get(&client, &base, "/api/investigations?$top=5", "t").await;
                assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
                assert_eq!(a.ids().len(), 5);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(api.journal().await.len(), 16 * 12);
    assert_recycled(&api, 4).await;
}

/// Every kind of fault, one after the other, with a swap between any two calls.
#[tokio::test]
async fn faults_work_across_swaps() {
    let api = native_builder().count(300).recycle_after(every(1)).start().await.unwrap();
    let c = client();
    let plan = [Fault::CloseConnection, Fault::TruncatedBody, Fault::ServiceUnavailable, Fault::InternalServerError];
    for _ in 0..3 {
        api.plan_faults(plan).await;
        let err = c.get(format!("{}/api/investigations", api.uri())).bearer_auth("t").send().await.unwrap_err();
        assert!(err.status().is_none(), "{err:?}");
        let resp = c.get(format!("{}/api/investigations", api.uri())).bearer_auth("t").send().await.unwrap();
        assert_eq!(resp.status().as_u16(), 200);
        assert!(resp.bytes().await.is_err(), "the body is cut");
        assert_error(&get(&c, &api.uri(), "/api/investigations", "t").await, 503, "ServiceUnavailable");
        assert_error(&get(&c, &api.uri(), "/api/investigations", "t").await, 500, "InternalServerError");
        assert_eq!(get(&c, &api.uri(), "/api/investigations", "t").await.status, 200);
    }
    assert_recycled(&api, 4).await;
}

// ---------------------------------------------------------------------------------------------------------
// Raw HTTP/1.x on one TCP connection

fn connect(api: &mde_mock::MockApi) -> TcpStream {
    let s = TcpStream::connect(api.address()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s
}

/// Reads one response (head and `Content-Length` body; none for `HEAD`): (status, head, body).
fn read_response(s: &mut TcpStream, buffered: &mut Vec<u8>, head_request: bool) -> (u16, String, Vec<u8>) {
    let head_end = loop {
        if let Some(i) = buffered.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let mut chunk = [0u8; 8192];
        let n = s.read(&mut chunk).unwrap();
        assert!(n > 0, "closed before a whole head: {:?}", String::from_utf8_lossy(buffered));
        buffered.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffered[..head_end]).to_string();
    let status = head[9..12].parse().unwrap();
    let length: usize = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap()))
        .unwrap_or(0);
    let length = if head_request { 0 } else { length };
    while buffered.len() < head_end + length {
        let mut chunk = [0u8; 65536];
        let n = s.read(&mut chunk).unwrap();
        assert!(n > 0, "closed in a body");
        buffered.extend_from_slice(&chunk[..n]);
    }
    let body = buffered[head_end..head_end + length].to_vec();
    buffered.drain(..head_end + length);
    (status, head, body)
}

fn get_line(path: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer t\r\n\r\n")
}

#[tokio::test]
async fn pipelined_requests_are_answered_in_order_across_swaps() {
    let api = native_builder().count(30).recycle_after(every(1)).start().await.unwrap();
    let ids: Vec<String> = api.investigations().await.into_iter().map(|i| i.id).collect();
    let mut s = connect(&api);
    let paths: Vec<String> = ids.iter().take(6).map(|id| format!("/api/investigations/{id}")).collect();
    let all: String = paths.iter().map(|p| get_line(p)).collect();
    s.write_all(all.as_bytes()).unwrap();
    let mut buffered = Vec::new();
    for id in ids.iter().take(6) {
        let (status, _, body) = read_response(&mut s, &mut buffered, false);
        assert_eq!(status, 200);
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["id"], id.as_str());
    }
    assert_recycled(&api, 2).await;
}

#[tokio::test]
async fn head_expect_continue_and_http_1_0_are_framed() {
    let api = native_builder().count(30).recycle_after(every(2)).start().await.unwrap();
    let mut s = connect(&api);
    let mut buffered = Vec::new();
    // HEAD: a head without body, then the connection goes on.
    s.write_all(b"HEAD /api/investigations HTTP/1.1\r\nhost: x\r\nauthorization: Bearer t\r\n\r\n").unwrap();
    let (status, _, body) = read_response(&mut s, &mut buffered, true);
    assert_eq!((status, body.len()), (200, 0));
    // Expect: 100-continue: the body is sent only after the interim answer.
    let item = r#"[{"id":"900001","startTime":"2026-11-20T00:00:00Z","state":"Running"}]"#;
    write!(
        s,
        "POST /__admin/investigations HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\nexpect: 100-continue\r\n\r\n",
        item.len()
    )
    .unwrap();
    let (status, _, _) = read_response(&mut s, &mut buffered, false);
    assert_eq!(status, 100);
    s.write_all(item.as_bytes()).unwrap();
    let (status, _, body) = read_response(&mut s, &mut buffered, false);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert!(api.investigations().await.iter().any(|i| i.id == "900001"));
    s.write_all(get_line("/api/investigations/900001").as_bytes()).unwrap();
    assert_eq!(read_response(&mut s, &mut buffered, false).0, 200);
    // HTTP/1.0 without keep-alive: one answer, then the connection is closed.
    let mut s = connect(&api);
    s.write_all(b"GET /api/investigations?$top=1 HTTP/1.0\r\nauthorization: Bearer t\r\n\r\n").unwrap();
    let mut all = Vec::new();
    s.read_to_end(&mut all).unwrap();
    assert!(all.starts_with(b"HTTP/1.0 200") || all.starts_with(b"HTTP/1.1 200"), "{}", String::from_utf8_lossy(&all));
}

/// A chunked request body is relayed raw (to the server serving then), and the connection keeps working. That
/// server is not reset while the raw connection is open (the other one serves meanwhile, beyond its turn);
/// the rotation resumes when it closes.
#[tokio::test]
async fn a_chunked_request_is_relayed_raw() {
    let api = native_builder().count(30).recycle_after(every(2)).start().await.unwrap();
    let mut s = connect(&api);
    let mut buffered = Vec::new();
    let faults = r#"{"plan":["503"]}"#;
    write!(
        s,
        "POST /__admin/faults HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n{:x}\r\n{faults}\r\n0\r\n\r\n",
        faults.len()
    )
    .unwrap();
    let (status, _, body) = read_response(&mut s, &mut buffered, false);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    for expected in [503, 200, 200, 200] {
        s.write_all(get_line("/api/investigations?$top=1").as_bytes()).unwrap();
        assert_eq!(read_response(&mut s, &mut buffered, false).0, expected);
    }
    let c = client();
    for _ in 0..10 {
        assert_eq!(get(&c, &api.uri(), "/api/investigations?$top=1", "t").await.status, 200);
    }
    assert_eq!(api.recycled(), 0);
    drop(s);
    for _ in 0..10 {
        assert_eq!(get(&c, &api.uri(), "/api/investigations?$top=1", "t").await.status, 200);
    }
    assert_recycled(&api, 2).await;
}

/// A client that asks for full pages and stops reading holds no server back: the server's part ends when the
/// response's head has arrived (wiremock built the whole response then), so the rotation goes on for others.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_holds_no_server_back() {
    let api = native_builder()
        .count(10_000)
        .per_minute(u32::MAX)
        .per_hour(u32::MAX)
        .recycle_after(every(2))
        .start()
        .await
        .unwrap();
    // Ten full pages (3 MB each) pipelined, never read: the front ends up blocked writing to this client.
    let mut stalled = connect(&api);
    let all: String = (0..10).map(|_| get_line("/api/investigations")).collect();
    stalled.write_all(all.as_bytes()).unwrap();
    let c = client();
    for _ in 0..40 {
        assert_eq!(get(&c, &api.uri(), "/api/investigations?$top=1", "t").await.status, 200);
    }
    assert_recycled(&api, 12).await;
    drop(stalled);
}
