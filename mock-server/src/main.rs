//! `mde-mock`: a fake of the Investigations API for CI jobs, browser tests and demos.
//!
//! Prints exactly one line, `mde-mock listening on http://HOST:PORT`, once it accepts connections; exits 0
//! on SIGINT or SIGTERM; exits 2 for bad flags or an unreadable data file, 1 when it cannot listen.

use std::io::Write;
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use mde_core::Timestamp;
use mde_mock::data::{parse_investigations, Single};
use mde_mock::{MockApi, StartError, Window};

/// A faithful fake of Microsoft Defender for Endpoint's List Investigations API.
#[derive(Debug, Parser)]
#[command(name = "mde-mock", version, about, after_help = "Admin API and examples: see mock-server/README.md")]
struct Cli {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Port to listen on; 0 picks a free port.
    #[arg(long, default_value_t = 4010)]
    port: u16,
    /// Seed of the generated data, fault choices and correlation ids.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// How many investigations to generate.
    #[arg(long, default_value_t = 2000)]
    count: usize,
    /// Serve the investigations in FILE (a JSON array, or a {"value": [...]} page) instead of generated ones.
    #[arg(long, value_name = "FILE")]
    data: Option<PathBuf>,
    /// Accept only this bearer token (repeatable); without it any non-empty token is accepted.
    #[arg(long = "token", value_name = "T")]
    tokens: Vec<String>,
    /// Answer this bearer token with 403 Forbidden (repeatable).
    #[arg(long = "forbidden-token", value_name = "T")]
    forbidden_tokens: Vec<String>,
    /// Calls per minute and token.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..))]
    per_minute: u32,
    /// Calls per hour and token.
    #[arg(long, default_value_t = 1500, value_parser = clap::value_parser!(u32).range(1..))]
    per_hour: u32,
    /// How the limit windows move: sliding or fixed.
    #[arg(long, default_value = "sliding", value_parser = ["sliding", "fixed"])]
    window: String,
    /// Multiplies the limit windows and Retry-After: 0.01 makes a minute last 0.6 s.
    #[arg(long, default_value_t = 1.0, value_name = "F", value_parser = positive)]
    time_scale: f64,
    /// Share of data calls that fail (500, 503, closed connection, truncated body), chosen from the seed.
    #[arg(long, default_value_t = 0.0, value_name = "P", value_parser = probability)]
    fault_rate: f64,
    /// Delay before every answer outside /__admin/, in milliseconds.
    #[arg(long, default_value_t = 0, value_name = "N")]
    latency_ms: u64,
    /// Access-Control-Allow-Origin of every answer.
    #[arg(long, default_value = "*", value_name = "O")]
    cors_origin: String,
    /// End of the generated data's 90 days, RFC 3339 [default: the current time].
    #[arg(long, value_name = "RFC3339", value_parser = timestamp)]
    now: Option<Timestamp>,
}

fn positive(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        _ => Err(format!("`{s}` is not a number above 0")),
    }
}

fn probability(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!("`{s}` is not a number from 0 to 1")),
    }
}

fn timestamp(s: &str) -> Result<Timestamp, String> {
    Timestamp::parse(s).map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("mde-mock: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(run(cli))
}

async fn run(cli: Cli) -> ExitCode {
    let mut builder = MockApi::builder()
        .host(cli.host)
        .port(cli.port)
        .seed(cli.seed)
        .count(cli.count)
        .per_minute(cli.per_minute)
        .per_hour(cli.per_hour)
        .window(if cli.window == "fixed" { Window::Fixed } else { Window::Sliding })
        .time_scale(cli.time_scale)
        .fault_rate(cli.fault_rate)
        .latency(Duration::from_millis(cli.latency_ms))
        .cors_origin(cli.cors_origin.clone());
    for t in cli.tokens {
        builder = builder.token(t);
    }
    for t in cli.forbidden_tokens {
        builder = builder.forbidden_token(t);
    }
    if let Some(now) = cli.now {
        builder = builder.now(now);
    }
    if let Some(path) = &cli.data {
        let text = match std::fs::read(path) {
            Ok(text) => text,
            Err(e) => {
                eprintln!("mde-mock: cannot read data file {}: {e}", path.display());
                return ExitCode::from(2);
            }
        };
        match parse_investigations(&text, Single::Refused) {
            Ok(items) => builder = builder.investigations(items),
            Err(e) => {
                eprintln!("mde-mock: data file {}: {e}", path.display());
                return ExitCode::from(2);
            }
        }
    }
    let api = match builder.start().await {
        Ok(api) => api,
        Err(e @ StartError::Invalid(_)) => {
            eprintln!("mde-mock: {e}");
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("mde-mock: {e}");
            return ExitCode::FAILURE;
        }
    };
    let host = match cli.host {
        IpAddr::V4(ip) => ip.to_string(),
        IpAddr::V6(ip) => format!("[{ip}]"),
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "mde-mock listening on http://{host}:{}", api.address().port());
    let _ = out.flush();
    drop(out);
    wait_for_signal().await;
    drop(api);
    ExitCode::SUCCESS
}

/// Returns on SIGINT (Ctrl-C) or SIGTERM.
async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
