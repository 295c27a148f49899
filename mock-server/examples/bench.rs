//! The mock's benchmark (acceptance 10): prints figures, asserts nothing.
//!
//! ```text
//! cargo run --release -p mde-mock --example bench            # needs `wrk` and `nginx` on PATH
//! mock-server/bench.sh                                       # installs them (Debian) first, then runs this
//! ```
//!
//! 1. Resident memory of a mock holding 100,000 investigations (a child process of this program: only the
//!    mock lives there), after serving ten full pages.
//! 2. Full 10,000-item pages per second from the mock, against nginx serving the same bytes as a static
//!    file, both on 127.0.0.1, measured with the same `wrk` command, alternating, best of two runs each.
//! 3. `$filter` evaluation over 1,000,000 investigations (count of matches, median of 5), for a few
//!    filters; and the time to build a filtered 10,000-item page from them.
//!
//! Bounded: about 30 seconds in all. Every process it starts is stopped before it returns.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mde_core::filter::Filter;
use mde_core::Timestamp;
use mde_mock::{data, Dataset, MockApi};

const RUN_SECONDS: u32 = 4;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("rss-child") {
        return rss_child();
    }
    println!("mde-mock benchmark ({} cores)", std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
    rss()?;
    pages_per_second()?;
    filters();
    Ok(())
}

fn now() -> Timestamp {
    Timestamp::parse("2026-11-27T00:00:00Z").unwrap_or(Timestamp::MIN)
}

// ---------------------------------------------------------------------------------------------------------
// 1. Memory

fn rss() -> Result<(), Box<dyn std::error::Error>> {
    let exe = std::env::current_exe()?;
    let out = Command::new(exe).arg("rss-child").stderr(Stdio::inherit()).output()?;
    print!("{}", String::from_utf8_lossy(&out.stdout));
    Ok(())
}

fn rss_child() -> Result<(), Box<dyn std::error::Error>> {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let before = vm_rss_kib();
    let api = rt.block_on(MockApi::builder().count(100_000).now(now()).per_minute(1_000).start())?;
    let loaded = vm_rss_kib();
    let mut bytes = 0;
    for _ in 0..10 {
        bytes = fetch(&api.uri(), "/api/investigations?$top=10000")?.len();
    }
    let after = vm_rss_kib();
    println!(
        "memory: 100,000 investigations loaded: VmRSS {:.1} MiB (process before start {:.1} MiB); after 10 full pages of {} bytes: {:.1} MiB",
        loaded as f64 / 1024.0,
        before as f64 / 1024.0,
        bytes,
        after as f64 / 1024.0
    );
    drop(api);
    Ok(())
}

fn vm_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// One GET over a fresh connection (HTTP/1.1, `Connection: close`), returning the body.
fn fetch(base: &str, path: &str) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let addr = base.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr)?;
    write!(s, "GET {path} HTTP/1.1\r\nhost: {addr}\r\nauthorization: Bearer bench\r\nconnection: close\r\n\r\n")?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").ok_or("no HTTP head")? + 4;
    if !raw.starts_with(b"HTTP/1.1 200") {
        return Err(format!("unexpected answer: {}", String::from_utf8_lossy(&raw[..split])).into());
    }
    Ok(raw.split_off(split))
}

// ---------------------------------------------------------------------------------------------------------
// 2. Pages per second, mock against nginx

/// nginx's master process. Dropping it stops nginx with SIGTERM, so that the master stops its workers
/// (a SIGKILL would leave them running), and waits for it; SIGKILL only if it has not stopped in 5 s.
struct Nginx(Child);

impl Drop for Nginx {
    fn drop(&mut self) {
        let pid = self.0.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn wrk(url: &str) -> Result<f64, Box<dyn std::error::Error>> {
    let out = Command::new("wrk")
        .args(["-t1", "-c4", &format!("-d{RUN_SECONDS}s"), "-H", "Authorization: Bearer bench", url])
        .output()
        .map_err(|e| format!("cannot run wrk ({e}): apt-get install -y wrk, or run mock-server/bench.sh"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let rate = text
        .lines()
        .find_map(|l| l.strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .ok_or_else(|| format!("no Requests/sec in wrk output:\n{text}"))?;
    if text.contains("Non-2xx") {
        return Err(format!("wrk saw errors:\n{text}").into());
    }
    Ok(rate)
}

fn pages_per_second() -> Result<(), Box<dyn std::error::Error>> {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let api =
        rt.block_on(MockApi::builder().count(10_000).now(now()).per_minute(u32::MAX).per_hour(u32::MAX).start())?;
    let path = "/api/investigations?$top=10000";
    let page = fetch(&api.uri(), path)?;

    // nginx serves the very same bytes from a file.
    let dir = std::env::temp_dir().join(format!("mde-mock-bench-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("tmp"))?;
    std::fs::write(dir.join("page.json"), &page)?;
    let port = free_port()?;
    let d = dir.display();
    let conf = format!(
        "worker_processes auto;\ndaemon off;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
         events {{ worker_connections 256; }}\n\
         http {{\n  access_log off;\n  sendfile on;\n  tcp_nopush on;\n  keepalive_requests 100000;\n\
           client_body_temp_path {d}/tmp;\n  proxy_temp_path {d}/tmp;\n  fastcgi_temp_path {d}/tmp;\n\
           uwsgi_temp_path {d}/tmp;\n  scgi_temp_path {d}/tmp;\n\
           types {{ application/json json; }}\n\
           server {{ listen 127.0.0.1:{port}; root {d}; location / {{ }} }}\n}}\n"
    );
    std::fs::write(dir.join("nginx.conf"), conf)?;
    let nginx = Command::new("nginx")
        .args(["-c", &format!("{d}/nginx.conf"), "-p", &format!("{d}")])
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot run nginx ({e}): apt-get install -y nginx, or run mock-server/bench.sh"))?;
    let nginx = Nginx(nginx);
    let nginx_base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            return Err("nginx did not start".into());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let same = fetch(&nginx_base, "/page.json")? == page;

    let mock_url = format!("{}{path}", api.uri());
    let nginx_url = format!("{nginx_base}/page.json");
    let (mut mock_best, mut nginx_best) = (0f64, 0f64);
    for _ in 0..2 {
        nginx_best = nginx_best.max(wrk(&nginx_url)?);
        mock_best = mock_best.max(wrk(&mock_url)?);
    }
    drop(nginx);
    let _ = std::fs::remove_dir_all(&dir);
    println!("pages: one full page = 10,000 items = {} bytes; nginx serves the same bytes: {same}", page.len());
    println!(
        "pages/s (wrk -t1 -c4 -d{RUN_SECONDS}s, best of 2, alternating): mde-mock {mock_best:.0}, nginx {nginx_best:.0}, ratio {:.2} (target >= 0.5)",
        mock_best / nginx_best
    );
    println!(
        "throughput: mde-mock {:.2} GB/s, nginx {:.2} GB/s",
        mock_best * page.len() as f64 / 1e9,
        nginx_best * page.len() as f64 / 1e9
    );
    drop(api);
    Ok(())
}

// ---------------------------------------------------------------------------------------------------------
// 3. Filters over 1,000,000 investigations

fn filters() {
    let t = Instant::now();
    let items = data::generate(1, 1_000_000, now());
    let generated = t.elapsed();
    let t = Instant::now();
    let set = Dataset::new(items);
    let loaded = t.elapsed();
    println!(
        "data: generated 1,000,000 in {:.0} ms; serialised and sorted in {:.0} ms",
        generated.as_secs_f64() * 1e3,
        loaded.as_secs_f64() * 1e3
    );
    let sample = set.investigations().nth(500_000).cloned();
    let machine = sample.as_ref().and_then(|i| i.machine_id.clone()).unwrap_or_default();
    let alert = sample.as_ref().and_then(|i| i.triggering_alert_id.clone()).unwrap_or_default();
    let texts = [
        "startTime ge 2026-10-01T00:00:00Z and state eq 'Running'".to_string(),
        format!("machineId eq '{machine}' or triggeringAlertId eq '{alert}'"),
        "state in ('Benign', 'Failed', 'TerminatedByUser') and not (id lt '500000')".to_string(),
        "startTime ge 2026-09-01T00:00:00Z and startTime lt 2026-09-08T00:00:00Z".to_string(),
    ];
    for text in &texts {
        let filter = match Filter::parse(text) {
            Ok(f) => f,
            Err(e) => {
                println!("filter `{text}` does not parse: {e}");
                continue;
            }
        };
        let mut times = Vec::new();
        let mut matched = 0;
        for _ in 0..5 {
            let t = Instant::now();
            matched = set.count_matching(Some(&filter));
            times.push(t.elapsed());
        }
        times.sort();
        let t = Instant::now();
        let body =
            set.page_body("http://127.0.0.1/api/$metadata#Investigations", Some(&filter), 0, data::MAX_PAGE, None);
        let page = t.elapsed();
        println!(
            "filter over 1,000,000: {:.1} ms median (min {:.1}) -> {matched} match; first page of up to 10,000 built in {:.1} ms ({} bytes): `{text}`",
            times[2].as_secs_f64() * 1e3,
            times[0].as_secs_f64() * 1e3,
            page.as_secs_f64() * 1e3,
            body.len()
        );
    }
}
