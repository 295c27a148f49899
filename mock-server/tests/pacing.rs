//! A mock that streams like the service (`--bandwidth`, `--first-byte-ms`): the head at once, the body's bytes
//! over time in chunks (`Transfer-Encoding: chunked`), the same bytes as an unpaced answer. Only lower bounds on
//! time are asserted (a busy machine makes everything later, never earlier).

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;

const BANDWIDTH: u64 = 100_000;
const FIRST_BYTE: Duration = Duration::from_millis(200);

/// One body read as it arrives: the time of each read since the request went out, and the bytes so far.
struct Arrival {
    status: u16,
    headers: reqwest::header::HeaderMap,
    /// (time since the request was sent, bytes received by then), one per read.
    reads: Vec<(Duration, usize)>,
    body: Vec<u8>,
}

async fn read_over_time(c: &reqwest::Client, url: String, token: Option<&str>) -> Arrival {
    let sent = Instant::now();
    let mut req = c.get(url);
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    let mut resp = req.send().await.unwrap();
    let (status, headers) = (resp.status().as_u16(), resp.headers().clone());
    let (mut reads, mut body) = (Vec::new(), Vec::new());
    while let Some(chunk) = resp.chunk().await.unwrap() {
        body.extend_from_slice(&chunk);
        reads.push((sent.elapsed(), body.len()));
    }
    Arrival { status, headers, reads, body }
}

#[tokio::test]
async fn a_paced_body_arrives_over_time_at_the_rate_and_byte_for_byte() {
    let paced = builder().count(100).bandwidth(BANDWIDTH).first_byte(FIRST_BYTE).start().await.unwrap();
    let plain = builder().count(100).start().await.unwrap();
    let c = client();
    let a = read_over_time(&c, format!("{}/api/investigations", paced.uri()), Some("t")).await;
    let unpaced = get(&c, &plain.uri(), "/api/investigations", "t").await;
    assert_eq!(a.status, 200);
    assert!(unpaced.body.len() > 20_000, "{}", unpaced.body.len());
    // The same bytes, but for the port in the URLs each mock writes (`@odata.context`).
    let (paced_body, unpaced_body) = (
        String::from_utf8(a.body.clone()).unwrap().replace(&paced.uri(), "ORIGIN"),
        String::from_utf8(unpaced.body.clone()).unwrap().replace(&plain.uri(), "ORIGIN"),
    );
    assert!(paced_body == unpaced_body, "the paced body differs from the unpaced one");
    assert_eq!(a.headers.get("transfer-encoding").map(|v| v.to_str().unwrap()), Some("chunked"));
    assert!(a.headers.get("content-length").is_none());
    assert!(a.headers.get("x-mde-mock-pace").is_none(), "the marker never reaches the client");
    assert_eq!(unpaced.header("content-length"), Some(unpaced.body.len().to_string()));
    // Not a byte before the first-byte wait.
    let (first_at, _) = a.reads[0];
    assert!(first_at >= FIRST_BYTE, "the first byte came after {first_at:?}");
    // Never faster than the bandwidth: by the time of each read, at most the bytes the rate allows since the
    // first byte, plus one chunk (25 ms at the rate) and a little for the timers.
    let chunk = (BANDWIDTH / 40) as usize;
    for &(at, bytes) in &a.reads {
        let allowed = ((at - FIRST_BYTE).as_secs_f64() * BANDWIDTH as f64) as usize + 2 * chunk;
        assert!(bytes <= allowed, "{bytes} bytes after {at:?}, faster than {BANDWIDTH} bytes/s");
    }
    // So the whole body took at least its time at the rate.
    let (last_at, _) = *a.reads.last().unwrap();
    let at_rate = Duration::from_secs_f64((a.body.len() - chunk) as f64 / BANDWIDTH as f64);
    assert!(last_at >= FIRST_BYTE + at_rate, "{} bytes in {last_at:?}", a.body.len());
    assert!(a.reads.len() >= 4, "the bytes came in {} reads", a.reads.len());
}

#[tokio::test]
async fn errors_are_paced_and_admin_answers_are_not() {
    let paced = builder().count(5).token("t").first_byte(FIRST_BYTE).start().await.unwrap();
    let c = client();
    // A first-byte wait alone: the body after the wait, chunked.
    let a = read_over_time(&c, format!("{}/api/investigations", paced.uri()), Some("wrong")).await;
    assert_eq!(a.status, 401);
    assert!(a.reads[0].0 >= FIRST_BYTE, "{:?}", a.reads[0].0);
    let error: serde_json::Value = serde_json::from_slice(&a.body).unwrap();
    assert_eq!(error["error"]["code"], "Unauthorized");
    assert!(a.headers.get("content-length").is_none());
    // The admin API answers at once, with its length.
    let admin = send(c.get(format!("{}/__admin/config", paced.uri()))).await;
    assert_eq!(admin.status, 200);
    assert_eq!(admin.header("content-length"), Some(admin.body.len().to_string()));
    let config = admin.json();
    assert_eq!((config["bandwidth"].clone(), config["first_byte_ms"].as_u64()), (serde_json::Value::Null, Some(200)));
}

#[tokio::test]
async fn an_http_10_client_gets_the_paced_bytes_without_chunks() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let paced = builder().count(20).bandwidth(BANDWIDTH).first_byte(FIRST_BYTE).start().await.unwrap();
    let sent = Instant::now();
    let mut socket = tokio::net::TcpStream::connect(paced.address()).await.unwrap();
    let request = "GET /api/investigations HTTP/1.0\r\nHost: mock.test\r\nAuthorization: Bearer t\r\n\r\n";
    socket.write_all(request.as_bytes()).await.unwrap();
    let mut bytes = Vec::new();
    socket.read_to_end(&mut bytes).await.unwrap();
    assert!(sent.elapsed() >= FIRST_BYTE, "{:?}", sent.elapsed());
    let text = String::from_utf8(bytes).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1."), "{head}");
    assert!(!head.to_ascii_lowercase().contains("chunked"), "{head}");
    let page: serde_json::Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body:.200}"));
    assert_eq!(page["value"].as_array().unwrap().len(), 20);
}

#[test]
fn zero_or_negative_pacing_is_refused_naming_the_flag() {
    for (flag, value) in
        [("--bandwidth", "0"), ("--bandwidth", "-5"), ("--first-byte-ms", "0"), ("--first-byte-ms", "-300")]
    {
        let out = mock_command()
            .args(["--port", "0", &format!("{flag}={value}")])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flag} {value}: {err}");
        assert!(err.contains(flag) && (err.contains("at least 1") || err.contains("from 1")), "{flag} {value}: {err}");
    }
}
