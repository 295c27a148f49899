//! The mock's memory stays bounded whatever the number of requests (issue 12, point 7): wiremock 0.6 keeps a
//! copy of every request it matched until it is reset, which grew the mock by about 4.7 KB per small request
//! without end. A test process of its own, so that its resident memory is this test's.
//!
//! Requests with 32 KB bodies make each copy large: 4,000 of them would keep 128 MB if nothing were freed,
//! while a server reset every 50 requests holds at most about 100 of them (3.2 MB). The bound asserted, 48 MB
//! of growth, sits far from both, so the test does not depend on the allocator's habits or the machine's speed.
//!
//! Native only (the npm faces keep no copies; their soak is in BENCHMARKS.md): `cargo xtask mock-faces-test`
//! leaves this file out.

mod common;

use std::num::NonZeroU32;

use common::*;

/// VmRSS of this process in KiB (Linux); `None` elsewhere.
fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_does_not_grow_with_the_number_of_requests() {
    let every = NonZeroU32::new(50).unwrap();
    let api =
        native_builder().count(10).per_minute(u32::MAX).per_hour(u32::MAX).recycle_after(every).start().await.unwrap();
    let c = client();
    let body = vec![b'x'; 32 * 1024];
    let url = format!("{}/api/investigations", api.uri());
    let post = |c: &reqwest::Client| c.post(&url).bearer_auth("t").body(body.clone());
    // Warm-up: buffers, connections, the first turns of both servers.
    for _ in 0..200 {
        assert_eq!(send(post(&c)).await.status, 405);
    }
    let Some(before) = rss_kib() else {
        eprintln!("no /proc/self/status: memory not measured on this system");
        return;
    };
    let n = 4_000;
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let (c, url, body) = (c.clone(), url.clone(), body.clone());
        tasks.push(tokio::spawn(async move {
            for _ in 0..n / 4 {
                let a = send(c.post(&url).bearer_auth("t").body(body.clone())).await;
                assert_eq!(a.status, 405);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let after = rss_kib().unwrap_or(0);
    let grown_mib = (after.saturating_sub(before)) as f64 / 1024.0;
    assert!(grown_mib < 48.0, "grew by {grown_mib:.1} MiB over {n} requests of 32 KB");
    assert!(api.recycled() >= 20, "{} recycles", api.recycled());
    assert_eq!(api.journal().await.len(), 200 + n);
}
