//! Live mode over HTTP, in real (short) time: investigations arrive and finish while a client lists them; a
//! PATCH holds one still. Polls with deadlines, never a fixed sleep that must be long enough.

mod common;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use common::*;
use serde_json::{json, Value};

/// Ample: at the scale below, a world hour lasts 1.8 s and the first arrival comes within 0.1 s or so.
const DEADLINE: Duration = Duration::from_secs(60);

const FINALS: [&str; 6] =
    ["SuccessfullyRemediated", "Benign", "PartiallyRemediated", "Failed", "TerminatedBySystem", "TerminatedByUser"];

async fn all(c: &reqwest::Client, base: &str) -> Vec<Value> {
    let a = get(c, base, "/api/investigations", "t").await;
    assert_eq!(a.status, 200);
    a.json()["value"].as_array().unwrap().clone()
}

#[tokio::test]
async fn investigations_arrive_and_finish_over_real_time() {
    // A world minute lasts 30 ms; 120 arrivals a world hour: one every 15 ms on average.
    let api = builder().count(40).live(true).live_rate(120.0).time_scale(0.0005).start().await.unwrap();
    let c = client();
    let base = api.uri();
    let config = send(c.get(format!("{base}/__admin/config"))).await.json();
    assert_eq!((config["live"].as_bool(), config["live_rate"].as_f64()), (Some(true), Some(120.0)));
    let initial: HashSet<String> = all(&c, &base).await.iter().map(|i| i["id"].as_str().unwrap().to_string()).collect();
    let highest: u64 = initial.iter().map(|id| id.parse::<u64>().unwrap()).max().unwrap();

    let started = Instant::now();
    let (mut arrived, mut finished) = (false, false);
    while !(arrived && finished) {
        assert!(started.elapsed() < DEADLINE, "arrived {arrived}, finished {finished}");
        for inv in all(&c, &base).await {
            let id = inv["id"].as_str().unwrap();
            if initial.contains(id) {
                continue;
            }
            arrived = true;
            assert!(id.parse::<u64>().unwrap() > highest, "{inv}");
            if FINALS.contains(&inv["state"].as_str().unwrap()) {
                let (start, end) = (inv["startTime"].as_str().unwrap(), inv["endTime"].as_str().unwrap());
                let (start, end): (mde_core::Timestamp, mde_core::Timestamp) =
                    (start.parse().unwrap(), end.parse().unwrap());
                assert!(start < end, "{inv}");
                finished = true;
            } else {
                assert!(inv["endTime"].is_null(), "{inv}");
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let status = send(c.get(format!("{base}/__admin/live"))).await.json();
    assert_eq!(status["running"], true);
    assert!(status["arrived"].as_u64().unwrap() >= 1 && status["transitions"].as_u64().unwrap() >= 1, "{status}");
    assert!(api.live().await.enabled);
}

#[tokio::test]
async fn a_patched_investigation_stays_as_the_test_made_it() {
    let api = builder().count(40).live(true).live_rate(600.0).time_scale(0.0005).start().await.unwrap();
    let c = client();
    let base = api.uri();
    // Wait for an open arrival, then PATCH it to PendingApproval.
    let started = Instant::now();
    let id = loop {
        assert!(started.elapsed() < DEADLINE);
        let open = api.investigations().await.into_iter().find(|i| i.state == mde_core::InvestigationState::Running);
        if let Some(inv) = open {
            break inv.id;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let patched = send(
        c.patch(format!("{base}/__admin/investigations/{id}"))
            .header("content-type", "application/json")
            .body(json!({"state": "PendingApproval"}).to_string()),
    )
    .await;
    assert_eq!(patched.status, 200);
    assert_eq!(api.live().await.released, 1);
    // A world hour later (1.8 s), it has not moved, while the world has.
    let before = api.live().await.transitions;
    tokio::time::sleep(Duration::from_millis(1_800)).await;
    let a = get(&c, &base, &format!("/api/investigations/{id}"), "t").await;
    assert_eq!(a.json()["state"], "PendingApproval");
    assert!(api.live().await.transitions > before);
    // Paused, the world stands still.
    let paused = api.set_live_paused(true).await.unwrap();
    assert!(paused.paused);
    let frozen = api.investigations().await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(api.investigations().await, frozen);
    let resumed = send(c.post(format!("{base}/__admin/live")).body(json!({"paused": false}).to_string())).await;
    assert_eq!(resumed.json()["running"], true);
}

#[tokio::test]
async fn without_live_the_admin_api_says_it_is_off() {
    let api = builder().count(3).start().await.unwrap();
    let c = client();
    let status = send(c.get(format!("{}/__admin/live", api.uri()))).await.json();
    assert_eq!(status["enabled"], false);
    let refused = send(c.post(format!("{}/__admin/live", api.uri())).body(r#"{"paused": true}"#)).await;
    assert_error(&refused, 409, "Conflict");
    assert!(api.set_live_paused(true).await.is_err());
}

/// The binary: `--live` is a switch, `MDE_MOCK_LIVE` its variable, `--live-rate` a number.
#[tokio::test]
async fn the_binary_takes_live_as_a_switch_and_its_variable() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let c = client();
    for (args, env) in [(&["--live", "--live-rate", "90"][..], None), (&["--live-rate", "90"][..], Some("true"))] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_mde-mock"));
        cmd.args(["--port", "0", "--count", "5"]).args(args).stdout(Stdio::piped()).stderr(Stdio::null());
        if let Some(value) = env {
            cmd.env("MDE_MOCK_LIVE", value);
        }
        let mut child = cmd.spawn().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let uri = line.trim_end().strip_prefix("mde-mock listening on ").map(str::to_string);
        let config = match &uri {
            Some(uri) => Some(send(c.get(format!("{uri}/__admin/config"))).await.json()),
            None => None,
        };
        let _ = child.kill();
        let _ = child.wait();
        let config = config.unwrap_or_else(|| panic!("ready line: {line:?}"));
        assert_eq!((config["live"].as_bool(), config["live_rate"].as_f64()), (Some(true), Some(90.0)), "{args:?}");
    }
    let out = Command::new(env!("CARGO_BIN_EXE_mde-mock")).args(["--live-rate", "9000"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`--live-rate`"));
}
