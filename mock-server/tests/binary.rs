//! Acceptance 1 and 9: the `mde-mock` binary as a process: flags, the ready line, signals, exit codes.
//!
//! Run against the face under test (see `common`): the native binary, the npm bin (`node bin/mde-mock.js`), or
//! the handler's adapter, which takes the same command line.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// A started `mde-mock`; killed when dropped if the test did not stop it.
struct Running {
    child: Child,
    uri: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

impl Running {
    fn start(args: &[&str]) -> Running {
        let mut child = mock_command()
            .args(["--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut running = Running { child, uri: String::new() };
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let uri =
            line.trim_end().strip_prefix("mde-mock listening on ").unwrap_or_else(|| panic!("ready line: {line:?}"));
        assert!(uri.starts_with("http://127.0.0."), "{line:?}");
        assert!(uri.rsplit(':').next().unwrap().parse::<u16>().unwrap() > 0, "{line:?}");
        assert!(line.ends_with('\n') && !line.trim_end().contains('\n'));
        running.uri = uri.to_string();
        running
    }

    fn signal(&mut self, sig: &str) -> ExitStatus {
        let pid = self.child.id().to_string();
        let ok = Command::new("kill").args(["-s", sig, &pid]).status().unwrap();
        assert!(ok.success());
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "mde-mock did not stop on {sig}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Runs the binary to completion (for flags that make it exit); returns its code and stderr.
fn run_to_end(args: &[&str]) -> (Option<i32>, String) {
    let out = mock_command().args(args).stdout(Stdio::piped()).stderr(Stdio::piped()).output().unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[tokio::test]
async fn starts_serves_and_exits_0_on_sigterm() {
    let mut m = Running::start(&["--count", "25", "--seed", "3", "--token", "t", "--now", "2026-11-27T00:00:00Z"]);
    let c = client();
    let a = get(&c, &m.uri, "/api/investigations?$top=5", "t").await;
    assert_eq!(a.status, 200);
    assert_eq!(a.ids().len(), 5);
    assert_eq!(get(&c, &m.uri, "/api/investigations", "other").await.status, 401);
    let status = m.signal("TERM");
    assert_eq!(status.code(), Some(0));
}

#[tokio::test]
async fn listens_on_the_host_given() {
    // Any 127.x address is loopback on Linux.
    let mut m = Running::start(&["--host", "127.0.0.2", "--count", "3"]);
    assert!(m.uri.starts_with("http://127.0.0.2:"), "{}", m.uri);
    let a = get(&client(), &m.uri, "/api/investigations", "t").await;
    assert_eq!(a.status, 200);
    assert_eq!(a.json()["@odata.context"], format!("{}/api/$metadata#Investigations", m.uri));
    assert_eq!(m.signal("TERM").code(), Some(0));
}

#[tokio::test]
async fn exits_0_on_sigint_too() {
    let mut m = Running::start(&["--count", "5"]);
    assert_eq!(get(&client(), &m.uri, "/api/investigations", "t").await.status, 200);
    assert_eq!(m.signal("INT").code(), Some(0));
}

#[tokio::test]
async fn flags_reach_the_mock() {
    let dir = std::env::temp_dir().join(format!("mde-mock-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let page = dir.join("page.json");
    std::fs::write(
        &page,
        r#"{"value": [{"id": 5, "startTime": "2024-05-01T00:00:00Z", "state": "Benign"}, {"id": "6", "startTime": "2024-06-01T00:00:00.1234567Z", "state": "Running"}]}"#,
    )
    .unwrap();
    let page_arg = page.to_str().unwrap();
    let mut m = Running::start(&[
        "--data",
        page_arg,
        "--forbidden-token",
        "f",
        "--per-minute",
        "2",
        "--per-hour",
        "10",
        "--window",
        "fixed",
        "--time-scale",
        "0.5",
        "--fault-rate",
        "0",
        "--latency-ms",
        "1",
        "--cors-origin",
        "http://app.test",
        "--retry-after-ms",
    ]);
    let c = client();
    let a = get(&c, &m.uri, "/api/investigations", "t").await;
    assert_eq!(a.ids(), ["6", "5"]);
    assert_eq!(a.json()["value"][0]["startTime"], "2024-06-01T00:00:00.1234567Z");
    assert_eq!(a.header("access-control-allow-origin").as_deref(), Some("http://app.test"));
    assert_eq!(get(&c, &m.uri, "/api/investigations", "f").await.status, 403);
    assert_eq!(get(&c, &m.uri, "/api/investigations", "t").await.status, 200);
    let throttled = get(&c, &m.uri, "/api/investigations", "t").await;
    assert_eq!(throttled.status, 429);
    assert!(throttled.header("retry-after-ms").unwrap().parse::<u64>().unwrap() <= 30_000);
    let cfg = get(&c, &m.uri, "/__admin/config", "").await.json();
    assert_eq!(cfg["window"], "fixed");
    assert_eq!(cfg["minute_ms"], 30_000);
    assert_eq!(cfg["latency_ms"], 1);
    assert_eq!(m.signal("TERM").code(), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_flags_and_bad_data_exit_2_with_a_message() {
    let (code, err) = run_to_end(&["--per-minute", "zero"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("--per-minute"), "{err}");
    let (code, err) = run_to_end(&["--window", "tumbling"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("tumbling"), "{err}");
    let (code, err) = run_to_end(&["--time-scale", "-1"]);
    assert_eq!(code, Some(2), "{err}");
    let (code, err) = run_to_end(&["--now", "yesterday"]);
    assert_eq!(code, Some(2), "{err}");
    let (code, err) = run_to_end(&["--port", "0", "--data", "/definitely/not/here.json"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("/definitely/not/here.json"), "{err}");
    let bad = std::env::temp_dir().join(format!("mde-mock-bad-{}.json", std::process::id()));
    std::fs::write(&bad, r#"[{"id": "1"}, {"id": "2", "endTime": "not a time"}]"#).unwrap();
    let (code, err) = run_to_end(&["--port", "0", "--data", bad.to_str().unwrap()]);
    let _ = std::fs::remove_file(&bad);
    assert_eq!(code, Some(2));
    assert!(err.contains("item 1") && err.contains("endTime"), "{err}");
}

#[tokio::test]
async fn flags_also_come_from_the_environment() {
    // Every flag reads MDE_MOCK_<FLAG>; a flag on the command line wins; repeatable flags take commas.
    let mut child = mock_command()
        .args(["--port", "0", "--count", "7"])
        .env("MDE_MOCK_COUNT", "3")
        .env("MDE_MOCK_SEED", "9")
        .env("MDE_MOCK_TOKEN", "a,b")
        .env("MDE_MOCK_NOW", "2026-11-27T00:00:00Z")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let mut m = Running { child, uri: line.trim_end().strip_prefix("mde-mock listening on ").unwrap().to_string() };
    let c = client();
    assert_eq!(get(&c, &m.uri, "/api/investigations", "b").await.ids().len(), 7);
    assert_eq!(get(&c, &m.uri, "/api/investigations", "c").await.status, 401);
    let cfg = get(&c, &m.uri, "/__admin/config", "").await.json();
    assert_eq!((cfg["seed"].as_u64(), cfg["tokens"].as_u64()), (Some(9), Some(2)));
    assert_eq!(m.signal("TERM").code(), Some(0));
    let (code, err) = {
        let out = mock_command().env("MDE_MOCK_WINDOW", "tumbling").output().unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    assert_eq!(code, Some(2));
    assert!(err.contains("tumbling"), "{err}");
}

#[test]
fn help_lists_every_flag() {
    let out = mock_command().arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--host",
        "--port",
        "--seed",
        "--count",
        "--data",
        "--token",
        "--forbidden-token",
        "--per-minute",
        "--per-hour",
        "--window",
        "--time-scale",
        "--fault-rate",
        "--latency-ms",
        "--cors-origin",
        "--now",
        "--odata",
        "--next-links",
        "--retry-after-ms",
        "--cpu-throttle-rate",
        "--bandwidth",
        "--first-byte-ms",
    ] {
        assert!(text.contains(flag), "{flag} missing from --help");
        let var = format!("MDE_MOCK_{}", flag[2..].to_uppercase().replace('-', "_"));
        assert!(text.contains(&var), "{var} missing from --help");
    }
}
