//! The npm package `mde-mock` (`crates/mde-mock-wasm`): [`package_mock`], called by `cargo xtask package` beside
//! the client's package, and [`npm_tests`] (`cargo xtask mock-npm-test`, and part of `cargo xtask test`).
//!
//! Layout: `target/npm/mde-mock/` (the package), `target/npm/mde-mock.tgz` (its `npm pack`). The module is a
//! plain release build of the engine's binding (opt-level 3, LTO: the mock's speed matters, its size much
//! less), bound by `wasm-bindgen --target web` and optimised by `wasm-opt -O3` (npm's binaryen in
//! `target/tools`); the JavaScript of `crates/mde-mock-wasm/js/` is copied as it is (readable, not minified).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::package::{self, copy, npm, npm_dir, read, tool, tools_dir, write, WASM_FEATURES};
use crate::{cargo, ensure_wasm_target, root, run, Result};

/// Where the package is written.
pub fn package_dir() -> PathBuf {
    npm_dir().join("mde-mock")
}

/// The packed tarball.
pub fn tarball() -> PathBuf {
    npm_dir().join("mde-mock.tgz")
}

fn sources() -> PathBuf {
    root().join("crates/mde-mock-wasm")
}

/// Builds, binds, optimises, assembles and packs the package; returns the tarball's path. Within one `cargo
/// xtask` run it is built once.
pub fn package_mock() -> Result<PathBuf> {
    static PACKED: OnceLock<PathBuf> = OnceLock::new();
    if let Some(tgz) = PACKED.get() {
        return Ok(tgz.clone());
    }
    let tgz = build()?;
    Ok(PACKED.get_or_init(|| tgz).clone())
}

fn build() -> Result<PathBuf> {
    ensure_wasm_target()?;
    package::ensure_wasm_bindgen(&package::pinned_wasm_bindgen()?)?;
    package::ensure_tools()?;
    run(
        "cargo build -p mde-mock-wasm (wasm32, release)",
        cargo().args(["build", "-p", "mde-mock-wasm", "--target", "wasm32-unknown-unknown", "--release"]),
    )?;
    let built = root().join("target/wasm32-unknown-unknown/release/mde_mock_wasm.wasm");
    let bound = npm_dir().join("mock-bindgen");
    run(
        "wasm-bindgen --target web (mde-mock)",
        Command::new("wasm-bindgen").args(["--target", "web", "--no-typescript", "--out-dir"]).arg(&bound).arg(&built),
    )?;
    let pkg = package_dir();
    if pkg.exists() {
        fs::remove_dir_all(&pkg).map_err(|e| format!("{}: {e}", pkg.display()))?;
    }
    let wasm_dir = pkg.join("wasm");
    fs::create_dir_all(&wasm_dir).map_err(|e| format!("{}: {e}", wasm_dir.display()))?;
    let optimised = wasm_dir.join("mde_mock_wasm_bg.wasm");
    run(
        "wasm-opt -O3 (npm binaryen, mde-mock)",
        Command::new(tool("wasm-opt"))
            .arg("-O3")
            .args(WASM_FEATURES)
            .arg(bound.join("mde_mock_wasm_bg.wasm"))
            .arg("-o")
            .arg(&optimised),
    )?;
    copy(&bound.join("mde_mock_wasm.js"), &wasm_dir.join("mde_mock_wasm.js"))?;
    let js = sources().join("js");
    copy_files(&js, &pkg, &["package.json"])?;
    copy_files(&js.join("bin"), &pkg.join("bin"), &[])?;
    let manifest = read(&js.join("package.json"))?
        .replace("\"version\": \"0.0.0\"", &format!("\"version\": \"{}\"", package::crate_version("mde-mock-wasm")?));
    write(&pkg.join("package.json"), &manifest)?;

    let packed =
        package::output(npm().current_dir(&pkg).args(["pack", "--silent", "--pack-destination"]).arg(npm_dir()))
            .ok_or("npm pack (mde-mock) failed")?;
    let name = packed.lines().last().unwrap_or_default().trim().to_owned();
    let tgz = tarball();
    fs::rename(npm_dir().join(&name), &tgz).map_err(|e| format!("rename {name}: {e}"))?;
    let size = fs::metadata(&optimised).map_err(|e| e.to_string())?.len();
    eprintln!("==> {} ({size} bytes of wasm)", tgz.display());
    Ok(tgz)
}

/// `cargo xtask bench-mock-npm`: builds the package, and the same module with the serde-wasm-bindgen exports
/// (feature `serde-wasm-bindgen-bench`, never packed), the native `mde-mock` binary and mde-mock-engine's example
/// `filter_bench` in release, installs `wrk` if missing (Debian), then runs `tests/mock.bench.js`, which prints
/// the figures recorded in BENCHMARKS.md (issue 12, points 3 and 6), in one run: lists crossing as JSON texts
/// against serde-wasm-bindgen objects, a 10,000-item page through the handler, 1,000,000 investigations generated
/// and filtered in wasm beside the native engine, full pages a second from the npm bin against the native binary
/// with the same `wrk`, the sizes.
pub fn bench() -> Result {
    package_mock()?;
    run(
        "cargo build --release -p mde-mock --bin mde-mock",
        cargo().args(["build", "--release", "-p", "mde-mock", "--bin", "mde-mock"]),
    )?;
    run(
        "cargo build --release -p mde-mock-engine --example filter_bench",
        cargo().args(["build", "--release", "-p", "mde-mock-engine", "--example", "filter_bench"]),
    )?;
    ensure_wrk()?;
    run(
        "cargo build -p mde-mock-wasm --features serde-wasm-bindgen-bench (wasm32, release)",
        cargo().args([
            "build",
            "-p",
            "mde-mock-wasm",
            "--features",
            "serde-wasm-bindgen-bench",
            "--target",
            "wasm32-unknown-unknown",
            "--release",
        ]),
    )?;
    let built = root().join("target/wasm32-unknown-unknown/release/mde_mock_wasm.wasm");
    let bound = npm_dir().join("mock-bench-bindgen");
    run(
        "wasm-bindgen --target web (mde-mock with the serde-wasm-bindgen exports)",
        Command::new("wasm-bindgen").args(["--target", "web", "--no-typescript", "--out-dir"]).arg(&bound).arg(&built),
    )?;
    let dir = npm_dir().join("mock-bench");
    fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    run(
        "wasm-opt -O3 (the benchmark's module)",
        Command::new(tool("wasm-opt"))
            .arg("-O3")
            .args(WASM_FEATURES)
            .arg(bound.join("mde_mock_wasm_bg.wasm"))
            .arg("-o")
            .arg(dir.join("mde_mock_wasm_bg.wasm")),
    )?;
    copy(&bound.join("mde_mock_wasm.js"), &dir.join("mde_mock_wasm.js"))?;
    run(
        "node tests/mock.bench.js",
        Command::new("node")
            .env("MDE_MOCK_NATIVE", root().join("target/release/mde-mock"))
            .env("MDE_MOCK_FILTER_BENCH", root().join("target/release/examples/filter_bench"))
            .arg(sources().join("tests/mock.bench.js"))
            .arg(&dir)
            .arg(package_dir()),
    )
}

/// Installs `wrk` with apt-get if it is not on the PATH (as mock-server/bench.sh and soak.sh do).
fn ensure_wrk() -> Result {
    if Command::new("wrk").arg("--version").output().is_ok() {
        return Ok(());
    }
    run("apt-get update", Command::new("apt-get").args(["update", "-qq"]))?;
    run("apt-get install wrk", Command::new("apt-get").args(["install", "-y", "-qq", "wrk"]))
}

/// Copies the files (not the folders) of `from` into `to`, but those named in `except`.
fn copy_files(from: &Path, to: &Path, except: &[&str]) -> Result {
    fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    for entry in fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
        if path.is_file() && !except.contains(&name.as_str()) {
            copy(&path, &to.join(&name))?;
        }
    }
    Ok(())
}

/// The client's tarball for the tests that list through the mock: the one `cargo xtask test` has just built, or,
/// run alone, the one in `target/npm` (built if missing).
fn client_tarball() -> Result<PathBuf> {
    if package::tarball().exists() {
        Ok(package::tarball())
    } else {
        package::package()
    }
}

/// A fresh project in `target/npm-mock-test` with both tarballs installed and the tests copied in.
fn test_project(tarballs: &[&Path]) -> Result<PathBuf> {
    let dir = root().join("target").join("npm-mock-test");
    if dir.exists() {
        fs::remove_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    write(&dir.join("package.json"), "{\"name\":\"mde-mock-consumer\",\"private\":true,\"type\":\"module\"}\n")?;
    run(
        "npm install the packed tarballs (mde-mock, mde-investigations) into a new project",
        npm().current_dir(&dir).args(["install", "--no-audit", "--no-fund", "--offline"]).args(tarballs),
    )?;
    copy_files(&sources().join("tests"), &dir, &[])?;
    Ok(dir)
}

/// The Node suites, run by `node`: the handler and `startMock` (`api.test.js`, `server.test.js`), the server's
/// bound on answers in flight (`in-flight.test.js`), the bin as a
/// child process (`bin.test.js`; with `MDE_MOCK_NATIVE`, it also compares the bin with the native binary), and
/// `differential.test.js`: a few hundred calls answered byte for byte alike by the native binary, the npm bin, the
/// handler and the handler over HTTP (`handler-server.js`).
const NODE_SUITES: &[&str] =
    &["api.test.js", "server.test.js", "in-flight.test.js", "bin.test.js", "differential.test.js"];

/// The package's tests: Node's test runner on this machine's Node and on Node 18, `tsc --strict` on a Node and a
/// browser consumer file (the two export conditions), and headless Chromium (a page, a module Worker and a Vite
/// build list through the handler with the client; a module Service Worker answers a page's `fetch` with it).
pub fn npm_tests() -> Result {
    let tgz = package_mock()?;
    let client = client_tarball()?;
    let native = package::build_mock()?;
    let dir = test_project(&[&tgz, &client])?;
    run(
        "node --test (mde-mock: handler, startMock, bin)",
        Command::new("node").current_dir(&dir).env("MDE_MOCK_NATIVE", &native).arg("--test").args(NODE_SUITES),
    )?;
    match package::ensure_node_18()? {
        Some(node_18) => run(
            &format!("node --test (mde-mock) on Node {}", package::NODE_18),
            Command::new(node_18).current_dir(&dir).env("MDE_MOCK_NATIVE", &native).arg("--test").args(NODE_SUITES),
        )?,
        None => eprintln!("==> skipped: Node {} (npm has it for Linux x86-64 only here)", package::NODE_18),
    }
    for (file, module, resolution) in
        [("consumer.ts", "nodenext", "nodenext"), ("consumer.browser.ts", "esnext", "bundler")]
    {
        run(
            &format!("tsc --strict --noEmit {file} (mde-mock, module resolution {resolution})"),
            Command::new(tool("tsc")).current_dir(&dir).args([
                "--strict",
                "--noEmit",
                "--target",
                "es2022",
                "--module",
                module,
                "--moduleResolution",
                resolution,
                "--lib",
                "es2022,dom",
                file,
            ]),
        )?;
    }
    for d_ts in ["index.d.ts", "index.node.d.ts"] {
        if package::mentions_any(&read(&package_dir().join(d_ts))?) {
            return Err(format!("the public types of mde-mock ({d_ts}) use `any`"));
        }
    }
    package::ensure_chromium()?;
    run(
        "headless Chromium: mde-mock's handler in a page, a Vite build, a Worker and a Service Worker",
        Command::new("node")
            .current_dir(&dir)
            .env("PLAYWRIGHT_CORE", tools_dir().join("node_modules/playwright-core/index.js"))
            .env("VITE_BIN", tool("vite"))
            .arg("browser.test.js"),
    )
}
