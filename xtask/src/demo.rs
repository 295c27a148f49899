//! `cargo xtask demo`: builds the dashboard and `mde-mock`, starts the mock on 127.0.0.1:4010 with generated
//! data and the dashboard's server (`www/serve.mjs`) on 127.0.0.1:4173, prints the URL, and on Ctrl-C (or
//! SIGTERM, SIGHUP) stops both and waits for them.
//!
//! ```text
//! cargo xtask demo [--port 4010] [--dashboard-port 4173] [--count 25000] [mde-mock flags ...]
//! cargo xtask demo --region eu                 # a real tenant: no mock; paste a token in the page
//! cargo xtask demo --base-url https://proxy    # your proxy in front of the API
//! ```
//!
//! Flags the demo does not know are passed to `mde-mock` (`--latency-ms 300`, `--per-minute 5`, ...). The mock
//! runs in live mode (`--live`: investigations arrive and change state as on a tenant; `--live-rate N` changes
//! the pace); `--no-live` keeps its data still.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use crate::www;
use crate::Result;

const MOCK_PORT: u16 = 4010;
const DASHBOARD_PORT: u16 = 4173;
/// Enough for the table's virtual scrolling and a three-page listing at 10,000 per page.
const MOCK_COUNT: u32 = 25_000;
/// Any non-empty token passes the mock (it runs without `--token`).
const MOCK_TOKEN: &str = "demo-token";
/// The dashboard's Live switch is on over a live mock, refreshing this often (at most 3 calls a tick: 18 a
/// minute of the mock's 100), so that a change of the mock's world shows within seconds.
const LIVE_INTERVAL_MS: u32 = 10_000;

/// Where the dashboard sends its calls.
#[derive(Debug, PartialEq, Eq)]
enum Target {
    /// The mock, started here, with these extra flags.
    Mock { port: u16, count: u32, extra: Vec<String> },
    /// A documented region: the user pastes a token in the page.
    Region(String),
    /// A proxy (or any base URL): the user pastes a token in the page.
    BaseUrl(String),
}

#[derive(Debug, PartialEq, Eq)]
struct Options {
    target: Target,
    dashboard_port: u16,
}

fn value<'a>(flag: &str, it: &mut impl Iterator<Item = &'a String>) -> Result<&'a String> {
    it.next().ok_or_else(|| format!("{flag} needs a value"))
}

fn number<T: std::str::FromStr>(flag: &str, v: &str) -> Result<T> {
    v.parse().map_err(|_| format!("{flag}: not a number: {v}"))
}

fn parse(args: &[String]) -> Result<Options> {
    let (mut port, mut count, mut dashboard_port) = (MOCK_PORT, MOCK_COUNT, DASHBOARD_PORT);
    let (mut region, mut base_url, mut extra) = (None, None, Vec::new());
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--port" => port = number(flag, value(flag, &mut it)?)?,
            "--count" => count = number(flag, value(flag, &mut it)?)?,
            "--dashboard-port" => dashboard_port = number(flag, value(flag, &mut it)?)?,
            "--region" => region = Some(value(flag, &mut it)?.clone()),
            "--base-url" => base_url = Some(value(flag, &mut it)?.clone()),
            "--host" => return Err("the demo listens on 127.0.0.1 only".into()),
            "-h" | "--help" => {
                return Err("usage: cargo xtask demo [--port N] [--dashboard-port N] [--count N] [mde-mock flags] \
                            | --region NAME | --base-url URL"
                    .into())
            }
            _ => extra.push(flag.clone()),
        }
    }
    let target = match (region, base_url) {
        (Some(_), Some(_)) => return Err("give --region or --base-url, not both".into()),
        (Some(_), None) | (None, Some(_)) if !extra.is_empty() => {
            return Err(format!("unknown flags without the mock: {}", extra.join(" ")))
        }
        (Some(r), None) => Target::Region(r),
        (None, Some(u)) => Target::BaseUrl(u),
        (None, None) => Target::Mock { port, count, extra },
    };
    Ok(Options { target, dashboard_port })
}

/// `25000` as `25,000`.
fn thousands(n: u32) -> String {
    if n < 1000 {
        n.to_string()
    } else {
        format!("{},{:03}", thousands(n / 1000), n % 1000)
    }
}

/// A JSON string literal.
fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The page's `config.json`: over a live mock (not `--no-live`), the Live switch starts on.
fn page_config(target: &Target, mock_url: Option<&str>) -> String {
    match (target, mock_url) {
        (Target::Mock { count, extra, .. }, Some(url)) => format!(
            "{{\"baseUrl\":{},\"token\":{},\"autoList\":true,\"label\":{}{}}}",
            json_string(url),
            json_string(MOCK_TOKEN),
            json_string(&format!("mde-mock at {url}: {} generated investigations, any token", thousands(*count))),
            if extra.iter().any(|a| a == "--no-live") {
                String::new()
            } else {
                format!(",\"live\":true,\"liveIntervalMs\":{LIVE_INTERVAL_MS}")
            }
        ),
        (Target::Region(r), _) => format!("{{\"region\":{}}}", json_string(r)),
        (Target::BaseUrl(u), _) => format!("{{\"baseUrl\":{}}}", json_string(u)),
        (Target::Mock { .. }, None) => "{}".into(),
    }
}

/// Ctrl-C, SIGTERM and SIGHUP set a flag instead of killing the xtask, so that it stops its children first.
/// std has no signal API: this is the C library's `signal(2)`, with a handler that only stores an atomic
/// (async-signal-safe). A terminal's Ctrl-C reaches the children as well (same foreground process group);
/// a signal sent to the xtask alone reaches them through [`Children::stop`].
mod signals {
    use std::sync::atomic::{AtomicI32, Ordering};

    static CAUGHT: AtomicI32 = AtomicI32::new(0);

    extern "C" fn on_signal(signal: i32) {
        CAUGHT.store(signal, Ordering::SeqCst);
    }

    extern "C" {
        fn signal(signum: i32, handler: extern "C" fn(i32)) -> usize;
        fn kill(pid: i32, sig: i32) -> i32;
    }

    /// SIGINT.
    pub const SIGINT: i32 = 2;

    /// Catches SIGHUP (1), SIGINT (2) and SIGTERM (15).
    pub fn install() {
        for s in [1, SIGINT, 15] {
            // SAFETY: `on_signal` has the C handler signature and only stores into an atomic.
            unsafe {
                signal(s, on_signal);
            }
        }
    }

    /// The last signal caught, if any.
    pub fn caught() -> Option<i32> {
        match CAUGHT.load(Ordering::SeqCst) {
            0 => None,
            s => Some(s),
        }
    }

    /// Sends `sig` to the process `pid` (a child of ours).
    pub fn send(pid: u32, sig: i32) {
        if let Ok(pid) = i32::try_from(pid) {
            // SAFETY: kill(2) with a pid we spawned and have not reaped yet; no memory is involved.
            unsafe {
                kill(pid, sig);
            }
        }
    }
}

/// The processes the demo started; stopped (SIGINT, then SIGKILL after 5 s) when dropped.
struct Children(Vec<(&'static str, Child)>);

impl Children {
    fn stop(&mut self) {
        for (_, child) in &mut self.0 {
            if matches!(child.try_wait(), Ok(None)) {
                signals::send(child.id(), signals::SIGINT);
            }
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        for (name, child) in &mut self.0 {
            while matches!(child.try_wait(), Ok(None)) && Instant::now() < deadline {
                thread::sleep(Duration::from_millis(50));
            }
            if matches!(child.try_wait(), Ok(None)) {
                eprintln!("==> {name} did not stop on SIGINT: killing it");
                let _ = child.kill();
            }
            let _ = child.wait();
        }
        self.0.clear();
    }

    /// The first child that exited, with its status.
    fn exited(&mut self) -> Option<String> {
        self.0.iter_mut().find_map(|(name, c)| match c.try_wait() {
            Ok(Some(status)) => Some(format!("{name} exited ({status})")),
            _ => None,
        })
    }
}

impl Drop for Children {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Starts `cmd` with stdout piped, waits for the line `"{prefix}URL"` and returns the URL. Later stdout lines
/// are passed through.
fn start(children: &mut Children, name: &'static str, mut cmd: Command, prefix: &'static str) -> Result<String> {
    let mut child = cmd.stdout(Stdio::piped()).spawn().map_err(|e| format!("{name}: could not start: {e}"))?;
    let stdout = child.stdout.take().ok_or_else(|| format!("{name}: no stdout"))?;
    children.0.push((name, child));
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(std::result::Result::ok) {
            match line.trim().strip_prefix(prefix) {
                Some(url) => {
                    let _ = tx.send(url.to_owned());
                }
                None => println!("{line}"),
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Ok(url) = rx.recv_timeout(Duration::from_millis(100)) {
            return Ok(url);
        }
        if signals::caught().is_some() {
            return Err("interrupted".into());
        }
        if let Some(why) = children.exited() {
            return Err(format!("{why} before it was ready (is the port in use? see the flags)"));
        }
        if Instant::now() > deadline {
            return Err(format!("{name} did not get ready in 120 s"));
        }
    }
}

/// The mock's command line: the demo's address and data set, live mode unless `--no-live` (or `--live`) is among
/// the extra flags, then those flags.
fn mock_args(port: u16, count: u32, extra: &[String]) -> Vec<String> {
    let mut args: Vec<String> = ["--host", "127.0.0.1", "--port", &port.to_string(), "--count", &count.to_string()]
        .iter()
        .map(|a| a.to_string())
        .collect();
    if !extra.iter().any(|a| a == "--live" || a == "--no-live") {
        args.push("--live".into());
    }
    args.extend(extra.iter().filter(|a| *a != "--no-live").cloned());
    args
}

/// `cargo xtask demo`.
pub fn demo(args: &[String]) -> Result {
    let options = parse(args)?;
    www::build()?;
    let mock_bin = match options.target {
        Target::Mock { .. } => Some(www::build_mock(true)?),
        _ => None,
    };
    signals::install();
    let mut children = Children(Vec::new());
    let mut mock_url = None;
    if let (Target::Mock { port, count, extra }, Some(bin)) = (&options.target, mock_bin) {
        let mut cmd = Command::new(bin);
        cmd.args(mock_args(*port, *count, extra));
        mock_url = Some(start(&mut children, "mde-mock", cmd, "mde-mock listening on ")?);
    }
    let config = page_config(&options.target, mock_url.as_deref());
    let mut serve = Command::new("node");
    serve.current_dir(www::www_dir()).arg("serve.mjs").arg("--root").arg(www::dist_dir());
    serve.args(["--host", "127.0.0.1", "--port", &options.dashboard_port.to_string(), "--config", &config]);
    let page = start(&mut children, "dashboard server", serve, "dashboard listening on ")?;

    println!();
    println!("  Dashboard: {page}");
    match (&options.target, &mock_url) {
        (Target::Mock { count, extra, .. }, Some(url)) => {
            println!("  Mock API:  {url} ({} generated investigations; any bearer token)", thousands(*count));
            if !extra.iter().any(|a| a == "--no-live") {
                println!("             live: new investigations arrive and change state (GET {url}/__admin/live)");
            }
        }
        (Target::Region(r), _) => println!("  Service:   region {r} (paste a token under Connection)"),
        (Target::BaseUrl(u), _) => println!("  Service:   {u} (paste a token under Connection)"),
        _ => {}
    }
    println!("  Ctrl-C stops everything.");
    println!();

    let result = loop {
        thread::sleep(Duration::from_millis(100));
        if let Some(s) = signals::caught() {
            eprintln!("==> signal {s}: stopping");
            break Ok(());
        }
        if let Some(why) = children.exited() {
            // A terminal's Ctrl-C reaches the children too; give our own handler a moment to see it.
            thread::sleep(Duration::from_millis(300));
            if signals::caught().is_some() {
                break Ok(());
            }
            break Err(why);
        }
    };
    children.stop();
    eprintln!("==> stopped");
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn defaults_to_the_mock_on_4010() {
        let o = parse(&[]).unwrap();
        assert_eq!(o.target, Target::Mock { port: 4010, count: 25_000, extra: vec![] });
        assert_eq!(o.dashboard_port, 4173);
    }

    #[test]
    fn passes_unknown_flags_to_the_mock() {
        let o = parse(&args("--latency-ms 300 --count 500 --dashboard-port 9000")).unwrap();
        assert_eq!(o.target, Target::Mock { port: 4010, count: 500, extra: args("--latency-ms 300") });
        assert_eq!(o.dashboard_port, 9000);
    }

    #[test]
    fn real_targets_need_no_mock() {
        assert_eq!(parse(&args("--region eu")).unwrap().target, Target::Region("eu".into()));
        assert_eq!(
            parse(&args("--base-url https://p.example")).unwrap().target,
            Target::BaseUrl("https://p.example".into())
        );
        assert!(parse(&args("--region eu --base-url https://p.example")).is_err());
        assert!(parse(&args("--region eu --latency-ms 3")).is_err());
        assert!(parse(&args("--port")).is_err());
        assert!(parse(&args("--port x")).is_err());
    }

    #[test]
    fn the_mock_runs_live_unless_told_not_to() {
        let base = "--host 127.0.0.1 --port 4010 --count 500";
        assert_eq!(mock_args(4010, 500, &[]), args(&format!("{base} --live")));
        assert_eq!(mock_args(4010, 500, &args("--live-rate 60")), args(&format!("{base} --live --live-rate 60")));
        assert_eq!(mock_args(4010, 500, &args("--live --seed 2")), args(&format!("{base} --live --seed 2")));
        assert_eq!(mock_args(4010, 500, &args("--no-live --seed 2")), args(&format!("{base} --seed 2")));
    }

    #[test]
    fn groups_thousands() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(25_000), "25,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn writes_the_page_config_as_json() {
        let mock = Target::Mock { port: 1, count: 7, extra: vec![] };
        assert_eq!(
            page_config(&mock, Some("http://127.0.0.1:1")),
            "{\"baseUrl\":\"http://127.0.0.1:1\",\"token\":\"demo-token\",\"autoList\":true,\
             \"label\":\"mde-mock at http://127.0.0.1:1: 7 generated investigations, any token\",\
             \"live\":true,\"liveIntervalMs\":10000}"
        );
        let still = Target::Mock { port: 1, count: 7, extra: vec!["--no-live".into()] };
        assert!(
            !page_config(&still, Some("http://127.0.0.1:1")).contains("live"),
            "the switch starts off over still data"
        );
        assert_eq!(page_config(&Target::BaseUrl("a\"b\\\n".into()), None), "{\"baseUrl\":\"a\\\"b\\\\\\u000a\"}");
    }
}
