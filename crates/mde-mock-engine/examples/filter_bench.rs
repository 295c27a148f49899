//! The native side of `cargo xtask bench-mock-npm`'s filter comparison (issue 12, point 6): the engine, built
//! natively, generates 1,000,000 investigations and answers the very calls that `mock.bench.js` makes of the
//! WebAssembly module, `$filter=...&$skip=1000000&$top=1` (`$skip` past the end, so every investigation is
//! tested), seven times each, with `odata 4.01` (the third filter's `in`). Prints one JSON object a line (`generated` once, then one per filter, with the
//! median in milliseconds), for the Node script to put beside its own figures.
//!
//! ```sh
//! cargo run --release -p mde-mock-engine --example filter_bench
//! taskset -c 0 target/release/examples/filter_bench   # one core: the scan is not spread over threads
//! ```

use std::time::Instant;

use mde_mock_engine::{Engine, ODataVersion, Options, Request};

const NOW_MS: u64 = 1_795_000_000_000;
const RUNS: usize = 7;

/// The filters of `mock.bench.js` and of mock-server's bench; `{machine}` and `{alert}` are those of the
/// investigation at position 500,000.
const FILTERS: [&str; 4] = [
    "startTime ge 2026-10-01T00:00:00Z and state eq 'Running'",
    "machineId eq '{machine}' or triggeringAlertId eq '{alert}'",
    "state in ('Benign', 'Failed', 'TerminatedByUser') and not (id lt '500000')",
    "startTime ge 2026-09-01T00:00:00Z and startTime lt 2026-09-08T00:00:00Z",
];

/// Percent-encodes everything but RFC 3986's unreserved characters, as `encodeURIComponent` does for these texts.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A JSON string literal.
fn quoted(text: &str) -> String {
    serde_json::Value::from(text).to_string()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let options = Options {
        count: 1_000_000,
        seed: 1,
        per_minute: u32::MAX,
        per_hour: u32::MAX,
        now: Some("2026-11-27T00:00:00Z".parse()?),
        // OData 4.01 for the third filter's `in`, which 4.0 (the service's version) does not have.
        odata: ODataVersion::V401,
        ..Options::default()
    };
    let started = Instant::now();
    let mut engine = Engine::new(options, NOW_MS)?;
    let generated = started.elapsed().as_secs_f64() * 1e3;
    println!("{{\"generated_ms\":{generated:.1},\"threads\":{threads}}}");

    let call = |engine: &mut Engine, query: &str| {
        engine.handle(NOW_MS, &Request::get("/api/investigations", Some(query)).with_authorization("Bearer t"))
    };
    let middle = call(&mut engine, "$skip=500000&$top=1");
    let page: serde_json::Value = serde_json::from_slice(&middle.body)?;
    let sample = &page["value"][0];
    let field = |name: &str| sample[name].as_str().map(str::to_owned).ok_or(format!("no {name} in the sample"));
    let (machine, alert) = (field("machineId")?, field("triggeringAlertId")?);

    for filter in FILTERS {
        let filter = filter.replace("{machine}", &machine).replace("{alert}", &alert);
        let query = format!("$filter={}&$skip=1000000&$top=1", encode(&filter));
        let mut times = Vec::with_capacity(RUNS);
        for _ in 0..RUNS {
            let t = Instant::now();
            let reply = call(&mut engine, &query);
            times.push(t.elapsed().as_secs_f64() * 1e3);
            if reply.status != 200 {
                return Err(format!("{filter}: status {}", reply.status).into());
            }
        }
        times.sort_by(f64::total_cmp);
        println!("{{\"filter\":{},\"median_ms\":{:.2}}}", quoted(&filter), times[RUNS / 2]);
    }
    Ok(())
}
