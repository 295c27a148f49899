//! The project's commands, so that a new machine needs nothing but `cargo`:
//!
//! - `cargo xtask test`: formatting, clippy (`-D warnings`), the wasm32 build of the core and the mock engine, every test, the
//!   static mock binary served from an empty directory (`static_mock.rs`), the npm packages' Node, TypeScript and Chromium
//!   tests (`package.rs`, `mock_npm.rs`; the client package's Node suite also on the plain stable build of its
//!   module), the mock's recipes (`recipes.rs`), the mock's behaviour tests on its npm faces
//!   (`faces.rs`), both packages installed from a local registry (`registry.rs`), the dashboard's browser tests
//!   (`www.rs`), and the example extension's (`extension.rs`).
//! - `cargo xtask demo`: the dashboard (`www/`) and the mock API on loopback (see `demo.rs`).
//! - `cargo xtask bench`: the benchmarks that print the figures recorded in `BENCHMARKS.md`;
//!   `cargo xtask soak [ARGS]`: the mock's soak benchmark (memory under sustained load, about 4 minutes;
//!   `--command 'npx mde-mock'` points it at another `mde-mock`-compatible command line).
//! - `cargo xtask static-mock`: the native mock as one static Linux binary for containers, in
//!   `target/container/` beside its `Dockerfile`; `cargo xtask static-mock test`: only its test, which
//!   `cargo xtask test` runs too (see `static_mock.rs`).
//! - `cargo xtask package`: the npm packages `mde-investigations` and `mde-mock` in `target/npm/` (see
//!   `package.rs` and `mock_npm.rs`; the client's module is size-tuned on the compiler pinned in
//!   `rust-toolchain.toml` and plain stable on any other or with `MDE_PLAIN_STABLE=1`, see `toolchain.rs`);
//!   `cargo xtask bench-wasm`: the client package's browser benchmark (decode speed against `fetch().json()`,
//!   gzip size, and the size after a Vite production build in brotli 11, the module as packed and in other forms; the
//!   first investigation and the totals of a streamed page, paced like the service and unpaced); `cargo
//!   xtask mock-npm-test` and `cargo xtask bench-mock-npm`: the
//!   tests and the benchmark of `mde-mock`'s package; `cargo xtask mock-faces-test`: the mock's behaviour tests
//!   (`mock-server/tests/`) against the npm bin and the handler (`faces.rs`); `cargo xtask registry-test`: both
//!   packages published to a local registry and installed from it with npm, `npm ci` and pnpm (`registry.rs`).
//! - `cargo xtask recipes`: the recipes of `crates/mde-mock-wasm/examples/` (GitHub Actions, Playwright, Node
//!   test, MSW) run in a new project against the packed tarballs (see `recipes.rs`); part of `test`.
//! - `cargo xtask extension`: the npm package's browser files into `examples/extension/vendor/` (then load the
//!   extension unpacked); `cargo xtask extension-test`: its test in headless Chromium against `mde-mock --live`
//!   (part of `test`); `cargo xtask extension-screenshot`: the same, writing `examples/extension/screenshot.png`
//!   (see `extension.rs`).
//! - `cargo xtask fuzz [SECONDS] [TARGET...]`: the fuzz targets of `fuzz/`, SECONDS each (see `fuzz.rs`); not
//!   part of `test`.
//!
//! Each step installs what it needs (a rustup target, a Debian package) only when it is missing.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

mod demo;
mod extension;
mod faces;
mod fuzz;
mod mock_npm;
mod package;
mod recipes;
mod registry;
mod static_mock;
mod toolchain;
mod www;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("test") => test(),
        Some("demo") => demo::demo(&args[1..]),
        Some("bench") => bench(),
        Some("soak") => soak(&args[1..]),
        Some("static-mock") if args.get(1).map(String::as_str) == Some("test") => static_mock::test(),
        Some("static-mock") => static_mock::static_mock(),
        Some("package") => package::package().and_then(|_| mock_npm::package_mock()).map(|_| ()),
        Some("bench-wasm") => package::bench(),
        Some("npm-test") => package::npm_tests(),
        Some("mock-npm-test") => mock_npm::npm_tests(),
        Some("mock-faces-test") => faces::faces_tests(),
        Some("registry-test") => registry::registry_tests(),
        Some("bench-mock-npm") => mock_npm::bench(),
        Some("recipes") => recipes::recipes(),
        Some("www-test") => www::www_tests(),
        Some("extension") => extension::vendor(),
        Some("extension-test") => extension::extension_tests(None),
        Some("extension-screenshot") => extension::screenshot(),
        Some("fuzz") => fuzz::fuzz(&args[1..]),
        _ => {
            eprintln!(
                "usage: cargo xtask <test|demo|bench|soak|static-mock [test]|package|npm-test|mock-npm-test|mock-faces-test|registry-test|recipes|www-test|extension|extension-test|extension-screenshot|bench-wasm|bench-mock-npm|fuzz [SECONDS] [TARGET...]>"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

type Result<T = ()> = std::result::Result<T, String>;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."))
}

fn cargo() -> Command {
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.current_dir(root());
    c
}

fn run(what: &str, cmd: &mut Command) -> Result {
    eprintln!("==> {what}");
    let status = cmd.status().map_err(|e| format!("{what}: could not start: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed ({status})"))
    }
}

fn ensure_wasm_target() -> Result {
    let out = Command::new("rustup").args(["target", "list", "--installed"]).output();
    match out {
        Ok(o) if String::from_utf8_lossy(&o.stdout).lines().any(|l| l.trim() == "wasm32-unknown-unknown") => Ok(()),
        _ => run(
            "rustup target add wasm32-unknown-unknown",
            Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]),
        ),
    }
}

fn test() -> Result {
    run("cargo fmt --check", cargo().args(["fmt", "--all", "--", "--check"]))?;
    run("cargo clippy -D warnings", cargo().args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]))?;
    package::check_no_debug_formatting()?;
    ensure_wasm_target()?;
    run(
        "cargo build -p mde-core -p mde-mock-engine --target wasm32-unknown-unknown",
        cargo().args(["build", "-p", "mde-core", "-p", "mde-mock-engine", "--target", "wasm32-unknown-unknown"]),
    )?;
    run("cargo test --workspace", cargo().args(["test", "--workspace"]))?;
    eprintln!("==> the static mock serves from an empty directory");
    static_mock::test()?;
    package::npm_tests()?;
    mock_npm::npm_tests()?;
    recipes::recipes()?;
    faces::faces_tests()?;
    registry::registry_tests()?;
    www::www_tests()?;
    extension::extension_tests(None)?;
    eprintln!("==> all checks passed");
    Ok(())
}

fn bench() -> Result {
    run("criterion benches of mde-core", cargo().args(["bench", "-p", "mde-core", "--bench", "core"]))?;
    run(
        "mde-mock against nginx (installs wrk and nginx if missing)",
        Command::new("bash").arg(root().join("mock-server/bench.sh")),
    )?;
    eprintln!(
        "==> not run here (about 4 minutes): the mock's soak, memory under 64 connections for 2 million requests \
         and more: cargo xtask soak   (or mock-server/soak.sh [--command 'npx mde-mock'])"
    );
    Ok(())
}

fn soak(args: &[String]) -> Result {
    run(
        "mde-mock soak: resident memory under sustained load (installs wrk if missing)",
        Command::new("bash").arg(root().join("mock-server/soak.sh")).args(args),
    )
}
