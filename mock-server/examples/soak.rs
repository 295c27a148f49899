//! The mock's soak benchmark (issue 12, point 7): resident memory under sustained load. Prints figures,
//! asserts nothing.
//!
//! ```text
//! mock-server/soak.sh                                   # installs wrk (Debian), builds, runs on the native binary
//! cargo run --release -p mde-mock --example soak -- [--command 'CMD ARGS'] [--requests N] [--full-seconds S]
//! MDE_MOCK_SOAK_COMMAND='npx mde-mock' target/release/examples/soak
//! ```
//!
//! It starts any `mde-mock`-compatible command line (default: the `mde-mock` binary built beside this example;
//! `--command` or `MDE_MOCK_SOAK_COMMAND` for another, run through `sh -c`, e.g. `npx mde-mock`) with
//! `--port 0 --count 100000`, both limits raised to their maximum with fixed windows, and a fixed `--now`;
//! waits for its ready line; then drives it with `wrk`, 64 connections on 2 threads, in runs of a few seconds,
//! and after each run reads the resident memory (`VmRSS` in `/proc`) of the command and every process under it
//! (sampled every second during the run too, keeping the highest):
//!
//! 1. small pages (`$top=1`) until `--requests` (default 2,000,000) have been answered;
//! 2. full 10,000-item pages (3.1 MB each) for `--full-seconds` (default 60);
//! 3. small pages again for 30 s; then `POST /__admin/reset`.
//!
//! The first 250,000 requests are the warm-up: the journal (100,000 entries) fills, wiremock's copies reach
//! their bound. Before the soak, a child process measures what a full journal costs: an engine alone answering
//! 100,000 calls. Fixed windows, because the sliding windows keep the time of every admitted call of the last
//! hour (8 bytes each: bounded by `--per-hour`, which the soak raises to 4,294,967,295).

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use mde_mock::journal::JOURNAL_CAPACITY;
use mde_mock::{Engine, Options, Window};
use mde_mock_engine::Request;

const CONNECTIONS: u32 = 64;
const WARM_UP: u64 = 250_000;
const NOW: &str = "2026-11-27T00:00:00Z";

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

struct Config {
    command: String,
    requests: u64,
    full_seconds: u32,
    run_seconds: u32,
}

fn main() -> Result {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("journal-child") {
        return journal_child();
    }
    let config = parse_args(&args)?;
    println!(
        "mde-mock soak ({} cores): `{}`",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        config.command
    );
    journal_cost()?;
    soak(&config)
}

fn parse_args(args: &[String]) -> Result<Config> {
    let default_command = || -> Result<String> {
        let exe = std::env::current_exe()?;
        let bin = exe.parent().and_then(|p| p.parent()).map(|p| p.join("mde-mock")).ok_or("no target directory")?;
        if !bin.exists() {
            return Err(format!("{} is missing: cargo build --release -p mde-mock first", bin.display()).into());
        }
        Ok(bin.display().to_string())
    };
    let mut config = Config {
        command: std::env::var("MDE_MOCK_SOAK_COMMAND").unwrap_or_default(),
        requests: 2_000_000,
        full_seconds: 60,
        run_seconds: 5,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = || it.next().cloned().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--command" => config.command = value()?,
            "--requests" => config.requests = value()?.parse()?,
            "--full-seconds" => config.full_seconds = value()?.parse()?,
            "--run-seconds" => config.run_seconds = value()?.parse()?,
            other => {
                return Err(format!(
                    "unknown argument `{other}`; usage: soak [--command 'CMD'] [--requests N] [--full-seconds S] [--run-seconds S]"
                )
                .into())
            }
        }
    }
    if config.command.trim().is_empty() {
        config.command = default_command()?;
    }
    Ok(config)
}

// ---------------------------------------------------------------------------------------------------------
// The journal's cost, measured on the engine alone in a child process

fn journal_cost() -> Result {
    let out = Command::new(std::env::current_exe()?).arg("journal-child").stderr(Stdio::inherit()).output()?;
    print!("{}", String::from_utf8_lossy(&out.stdout));
    Ok(())
}

fn journal_child() -> Result {
    let now_ms = 1_795_000_000_000;
    let options = Options {
        count: 10,
        per_minute: u32::MAX,
        per_hour: u32::MAX,
        window: Window::Fixed,
        now: Some(NOW.parse()?),
        ..Options::default()
    };
    let mut engine = Engine::new(options, now_ms)?;
    let request = mde_mock_engine_request();
    let _ = engine.handle(now_ms, &request);
    let before = rss_kib(std::process::id()).unwrap_or(0);
    for i in 0..JOURNAL_CAPACITY as u64 {
        let _ = engine.handle(now_ms + i / 25, &request);
    }
    let full = rss_kib(std::process::id()).unwrap_or(0);
    // Three more laps: the journal's ring buffer has room for more entries than it keeps (its capacity is a
    // power of two), whose memory is touched during the first lap; after that nothing grows.
    let mut laps = Vec::new();
    for lap in 1..=3u64 {
        for i in 0..JOURNAL_CAPACITY as u64 {
            let _ = engine.handle(now_ms + lap * 4_000 + i / 25, &request);
        }
        laps.push(rss_kib(std::process::id()).unwrap_or(0));
    }
    let mut previous = full;
    let growth: Vec<String> = laps
        .iter()
        .map(|&now| {
            let g = format!("{:+.1}", (now as f64 - previous as f64) / 1024.0);
            previous = now;
            g
        })
        .collect();
    println!(
        "journal: {} entries of `GET /api/investigations?$top=1` cost {:.1} MiB ({:.0} bytes each, engine alone); each further {} calls: {} MiB",
        JOURNAL_CAPACITY,
        (full.saturating_sub(before)) as f64 / 1024.0,
        (full.saturating_sub(before)) as f64 * 1024.0 / JOURNAL_CAPACITY as f64,
        JOURNAL_CAPACITY,
        growth.join(", ")
    );
    Ok(())
}

fn mde_mock_engine_request() -> Request<'static> {
    Request::get("/api/investigations", Some("$top=1")).with_authorization("Bearer soak")
}

// ---------------------------------------------------------------------------------------------------------
// Resident memory of a process tree

/// VmRSS of one process, in KiB.
fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
}

/// `pid` and every process under it.
fn tree(pid: u32) -> Vec<u32> {
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for entry in entries.flatten() {
            let Some(p) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else { continue };
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{p}/stat")) else { continue };
            // `pid (comm) state ppid ...`; comm may hold spaces and parentheses: read after the last `)`.
            let ppid = stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().nth(1)?.parse().ok());
            if let Some(ppid) = ppid {
                children.entry(ppid).or_default().push(p);
            }
        }
    }
    let mut all = vec![pid];
    let mut i = 0;
    while i < all.len() {
        if let Some(c) = children.get(&all[i]) {
            all.extend(c);
        }
        i += 1;
    }
    all
}

fn tree_rss_kib(pid: u32) -> u64 {
    tree(pid).into_iter().filter_map(rss_kib).sum()
}

fn mib(kib: u64) -> String {
    format!("{:.1}", kib as f64 / 1024.0)
}

// ---------------------------------------------------------------------------------------------------------
// The server under test

struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(command: &str) -> Result<Server> {
        let args = format!(
            "--port 0 --count 100000 --seed 1 --now {NOW} --per-minute {max} --per-hour {max} --window fixed",
            max = u32::MAX
        );
        let mut child = Command::new("sh")
            .args(["-c", &format!("exec {command} {args}")])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(|l| l.ok()) {
                if let Some((_, url)) = line.split_once("listening on ") {
                    let _ = tx.send(url.trim().to_string());
                }
            }
        });
        let mut server = Server { child, base: String::new() };
        server.base = rx.recv_timeout(Duration::from_secs(120)).map_err(|_| "no ready line within 120 s")?;
        Ok(server)
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGTERM, then the exit status (SIGKILL after 10 s).
    fn stop(mut self) -> String {
        let _ = Command::new("kill").args(["-TERM", &self.pid().to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.to_string();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        "killed after 10 s".to_string()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// One request over a fresh connection (`Connection: close`); returns the status line.
fn call(base: &str, method: &str, path: &str) -> Result<String> {
    let addr = base.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr)?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nhost: {addr}\r\nauthorization: Bearer soak\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
    )?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw);
    Ok(text.lines().next().unwrap_or("").to_string())
}

// ---------------------------------------------------------------------------------------------------------
// wrk

#[derive(Debug, Default, Clone, Copy)]
struct WrkRun {
    requests: u64,
    seconds: f64,
    errors: u64,
    non_2xx: u64,
}

fn wrk(url: &str, seconds: u32) -> Result<WrkRun> {
    let out = Command::new("wrk")
        .args([
            "-t2",
            &format!("-c{CONNECTIONS}"),
            &format!("-d{seconds}s"),
            "--timeout",
            "10s",
            "-H",
            "Authorization: Bearer soak",
            url,
        ])
        .output()
        .map_err(|e| format!("cannot run wrk ({e}): apt-get install -y wrk, or run mock-server/soak.sh"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut run = WrkRun::default();
    for line in text.lines().map(str::trim) {
        if let Some((n, rest)) = line.split_once(" requests in ") {
            run.requests = n.trim().parse()?;
            run.seconds = rest.split(['s', ',']).next().and_then(|s| s.parse().ok()).unwrap_or(f64::from(seconds));
        } else if let Some(errors) = line.strip_prefix("Socket errors:") {
            run.errors = errors.split(',').filter_map(|part| part.split_whitespace().last()?.parse::<u64>().ok()).sum();
        } else if let Some(n) = line.strip_prefix("Non-2xx or 3xx responses:") {
            run.non_2xx = n.trim().parse()?;
        }
    }
    if run.requests == 0 {
        return Err(format!("wrk answered nothing:\n{text}").into());
    }
    Ok(run)
}

/// Runs wrk while a thread samples the tree's memory every second; returns the run and the highest sample.
fn wrk_sampled(pid: u32, url: &str, seconds: u32) -> Result<(WrkRun, u64)> {
    let stop = AtomicBool::new(false);
    let highest = AtomicU64::new(0);
    let run = std::thread::scope(|scope| {
        scope.spawn(|| {
            while !stop.load(Ordering::Relaxed) {
                highest.fetch_max(tree_rss_kib(pid), Ordering::Relaxed);
                std::thread::sleep(Duration::from_secs(1));
            }
        });
        let run = wrk(url, seconds);
        stop.store(true, Ordering::Relaxed);
        run
    })?;
    Ok((run, highest.load(Ordering::Relaxed)))
}

// ---------------------------------------------------------------------------------------------------------
// The soak

struct Row {
    phase: &'static str,
    total: u64,
    run: WrkRun,
    after_kib: u64,
    highest_kib: u64,
}

fn soak(config: &Config) -> Result {
    let server = Server::start(&config.command)?;
    let pid = server.pid();
    std::thread::sleep(Duration::from_millis(500));
    let loaded = tree_rss_kib(pid);
    println!("started: {} (pid {pid}); 100,000 investigations loaded: VmRSS {} MiB", server.base, mib(loaded));
    let small = format!("{}/api/investigations?$top=1", server.base);
    let full = format!("{}/api/investigations?$top=10000", server.base);
    println!(
        "\n| phase | requests (all) | in this run | req/s | errors | VmRSS after run (MiB) | highest during run (MiB) |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    let mut rows: Vec<Row> = Vec::new();
    let mut total = 0u64;
    let mut step = |phase: &'static str, url: &str, seconds: u32, rows: &mut Vec<Row>| -> Result<u64> {
        let (run, highest) = wrk_sampled(pid, url, seconds)?;
        total += run.requests;
        let after = tree_rss_kib(pid);
        println!(
            "| {phase} | {total} | {} | {:.0} | {} | {} | {} |",
            run.requests,
            run.requests as f64 / run.seconds.max(0.001),
            run.errors + run.non_2xx,
            mib(after),
            mib(highest.max(after))
        );
        rows.push(Row { phase, total, run, after_kib: after, highest_kib: highest.max(after) });
        Ok(total)
    };
    let mut small_requests = 0;
    let mut last = 0;
    while small_requests < config.requests {
        let now = step("small", &small, config.run_seconds, &mut rows)?;
        small_requests += now - last;
        last = now;
    }
    let mut full_seconds = 0;
    while full_seconds < config.full_seconds {
        step("full", &full, config.run_seconds, &mut rows)?;
        full_seconds += config.run_seconds;
    }
    let mut again = 0;
    while again < 30 {
        step("small again", &small, config.run_seconds, &mut rows)?;
        again += config.run_seconds;
    }
    let reset = call(&server.base, "POST", "/__admin/reset")?;
    std::thread::sleep(Duration::from_secs(1));
    let after_reset = tree_rss_kib(pid);
    let status = server.stop();
    println!(
        "\nPOST /__admin/reset: `{reset}`; VmRSS after it: {} MiB; stopped with SIGTERM: {status}",
        mib(after_reset)
    );
    summary(loaded, &rows);
    Ok(())
}

fn summary(loaded: u64, rows: &[Row]) {
    let errors: u64 = rows.iter().map(|r| r.run.errors + r.run.non_2xx).sum();
    let small: Vec<&Row> = rows.iter().filter(|r| r.phase == "small").collect();
    let Some(warm) = small.iter().find(|r| r.total >= WARM_UP) else {
        println!("fewer than {WARM_UP} small requests: no figures after warm-up");
        return;
    };
    let after_warm: Vec<&&Row> = small.iter().filter(|r| r.total > warm.total).collect();
    let last_small = after_warm.last().map_or(warm.after_kib, |r| r.after_kib);
    let highest_small = after_warm.iter().map(|r| r.highest_kib).max().unwrap_or(warm.highest_kib);
    let highest_all = rows.iter().map(|r| r.highest_kib).max().unwrap_or(0);
    let small_total = small.last().map_or(0, |r| r.total);
    // Least-squares slope of VmRSS against requests, small pages after warm-up.
    let points: Vec<(f64, f64)> = after_warm.iter().map(|r| (r.total as f64, r.after_kib as f64 * 1024.0)).collect();
    let slope = if points.len() >= 2 {
        let n = points.len() as f64;
        let (mx, my) = (points.iter().map(|p| p.0).sum::<f64>() / n, points.iter().map(|p| p.1).sum::<f64>() / n);
        let cov: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
        let var: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
        if var > 0.0 {
            cov / var
        } else {
            0.0
        }
    } else {
        0.0
    };
    println!(
        "\nsummary ({CONNECTIONS} connections, {} requests in all, {errors} errors or non-2xx):",
        rows.last().map_or(0, |r| r.total)
    );
    println!("- loaded (100,000 investigations, no request yet): {} MiB", mib(loaded));
    println!("- after warm-up ({} requests): {} MiB", warm.total, mib(warm.after_kib));
    println!(
        "- small pages, warm-up to {small_total} requests: {} -> {} MiB ({:+.1} MiB), highest {} MiB; slope {:.1} bytes/request",
        mib(warm.after_kib),
        mib(last_small),
        (last_small as f64 - warm.after_kib as f64) / 1024.0,
        mib(highest_small),
        slope
    );
    println!("- highest of the whole soak (full pages included): {} MiB (target < 300 MB)", mib(highest_all));
}
