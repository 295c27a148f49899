//! `mde-mock`: a fake of the Investigations API for CI jobs, browser tests and demos.
//!
//! Prints exactly one line, `mde-mock listening on http://HOST:PORT`, once it accepts connections; exits 0
//! on SIGINT or SIGTERM; exits 2 for bad flags or an unreadable data file, 1 when it cannot listen. The flags
//! (and their `MDE_MOCK_*` variables) are the engine's table, [`mde_mock::flags::FLAGS`], which the npm
//! package's `mde-mock` reads too; clap only does the syntax.

use std::io::Write;
use std::net::IpAddr;
use std::process::ExitCode;

use clap::{Arg, ArgAction, Command};
use mde_mock::data::{parse_investigations, Single};
use mde_mock::flags::{self, Invocation, FLAGS};
use mde_mock::{MockApi, StartError};

fn command() -> Command {
    let mut cmd = Command::new("mde-mock")
        .version(env!("CARGO_PKG_VERSION"))
        .about(flags::ABOUT)
        .after_help("Admin API and examples: see mock-server/README.md");
    for f in FLAGS {
        let mut arg = Arg::new(f.long).long(f.long).env(f.env).help(f.help);
        arg = if f.switch {
            arg.action(ArgAction::SetTrue).value_parser(clap::builder::BoolishValueParser::new())
        } else if f.repeatable {
            arg.value_name(f.value_name).action(ArgAction::Append).value_delimiter(',')
        } else {
            arg.value_name(f.value_name).action(ArgAction::Set)
        };
        if let Some(default) = f.default {
            arg = arg.default_value(default);
        }
        cmd = cmd.arg(arg);
    }
    cmd
}

/// The flags as the engine's table reads them, or the exit code of a refusal (after the message).
fn invocation() -> Result<Invocation, ExitCode> {
    let matches = command().get_matches();
    let mut values: Vec<(&str, &str)> = Vec::new();
    for f in FLAGS {
        if f.switch {
            let on = matches.get_one::<bool>(f.long).copied().unwrap_or(false);
            values.push((f.long, if on { "true" } else { "false" }));
        } else if let Some(given) = matches.get_many::<String>(f.long) {
            values.extend(given.map(|v| (f.long, v.as_str())));
        }
    }
    flags::parse(values).map_err(|e| {
        eprintln!("mde-mock: {e}");
        ExitCode::from(2)
    })
}

fn main() -> ExitCode {
    let mut inv = match invocation() {
        Ok(inv) => inv,
        Err(code) => return code,
    };
    if let Some(path) = &inv.data {
        let text = match std::fs::read(path) {
            Ok(text) => text,
            Err(e) => {
                eprintln!("mde-mock: cannot read data file {path}: {e}");
                return ExitCode::from(2);
            }
        };
        match parse_investigations(&text, Single::Refused) {
            Ok(items) => inv.options.investigations = Some(items),
            Err(e) => {
                eprintln!("mde-mock: data file {path}: {e}");
                return ExitCode::from(2);
            }
        }
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("mde-mock: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(run(inv))
}

async fn run(inv: Invocation) -> ExitCode {
    let builder = MockApi::builder().host(inv.host).port(inv.port).options(inv.options);
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
    let host = match inv.host {
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

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_is_well_formed() {
        super::command().debug_assert();
    }
}
