//! Criterion benchmarks of the core's hot paths: decoding and outlining a 10,000-item page, building, printing
//! and parsing filters, and rate-limiter decisions. `cargo xtask bench` runs them; figures go to BENCHMARKS.md.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use mde_core::decode::{decode_page, outline_page};
use mde_core::filter::{machine_id, start_time, state, Filter};
use mde_core::limiter::{Decision, RateLimitConfig, RateLimiter};
use mde_core::{InvestigationState, Timestamp};

const STATES: [&str; 6] = ["Running", "SuccessfullyRemediated", "Benign", "Failed", "TerminatedByUser", "Queued"];

/// A realistic 10,000-item page, about 2.8 MB like the service's.
fn page_body() -> Vec<u8> {
    let mut s = String::from(
        r#"{"@odata.context":"https://api.securitycenter.microsoft.com/api/$metadata#Investigations","value":["#,
    );
    for i in 0..10_000u64 {
        if i > 0 {
            s.push(',');
        }
        let state = STATES[(i % 6) as usize];
        let end = if state == "Running" {
            "null".to_string()
        } else {
            format!("\"2026-03-{:02}T11:{:02}:09.5513117Z\"", 1 + i % 28, i % 60)
        };
        let cancelled = if state == "TerminatedByUser" { "\"secops@contoso.com\"" } else { "null" };
        s.push_str(&format!(
            r#"{{"id":"{}","startTime":"2026-03-{:02}T10:{:02}:{:02}.1234567Z","endTime":{end},"state":"{state}","cancelledBy":{cancelled},"statusDetails":null,"machineId":"{:040x}","computerDnsName":"desktop-{:07x}.contoso.local","triggeringAlertId":"da63713916694087{:04}_-{}"}}"#,
            63_017 + i,
            1 + i % 28,
            i % 60,
            (i * 7) % 60,
            (i * 2_654_435_761) as u128 * 0x1234_5678_9abc_def1,
            i * 977,
            i % 10_000,
            598_649_278 + i
        ));
    }
    s.push_str("]}");
    s.into_bytes()
}

fn decode(c: &mut Criterion) {
    let body = page_body();
    let mut g = c.benchmark_group("decode");
    g.throughput(Throughput::Bytes(body.len() as u64));
    g.sample_size(20);
    g.bench_function("page_10000_items", |b| b.iter(|| decode_page(black_box(&body)).map(|p| p.value.len())));
    g.bench_function("outline_10000_items", |b| b.iter(|| outline_page(black_box(&body)).map(|o| o.ids.len())));
    g.finish();
}

fn filters(c: &mut Criterion) {
    let t = Timestamp::parse("2026-01-01T00:00:00Z").unwrap_or(Timestamp::MIN);
    let build = || {
        start_time()
            .ge(t)
            .and(state().eq(InvestigationState::Running).or(state().eq(InvestigationState::PendingApproval)))
            .and(machine_id().ne("a69a22debe5f274d8765ea3c368d00762e057b30"))
    };
    let text = build().to_odata();
    let mut g = c.benchmark_group("filter");
    g.bench_function("build", |b| b.iter(|| black_box(build())));
    let f = build();
    g.bench_function("to_odata", |b| b.iter(|| black_box(&f).to_odata()));
    g.bench_function("parse", |b| b.iter(|| Filter::parse(black_box(&text))));
    g.finish();
}

fn limiter(c: &mut Criterion) {
    let mut g = c.benchmark_group("limiter");
    g.bench_function("try_acquire_full_windows", |b| {
        let mut limiter = RateLimiter::new(RateLimitConfig::default());
        let mut now = 1_750_000_000_000u64;
        b.iter(|| match limiter.try_acquire(black_box(now)) {
            Decision::SendNow => now += 1,
            Decision::Wait(d) => now += d.as_millis() as u64,
        })
    });
    g.bench_function("check_only", |b| {
        let mut limiter = RateLimiter::new(RateLimitConfig::default());
        for i in 0..100 {
            limiter.record(1_750_000_000_000 + i);
        }
        b.iter(|| black_box(limiter.check(black_box(1_750_000_000_500))))
    });
    g.finish();
}

criterion_group!(benches, decode, filters, limiter);
criterion_main!(benches);
