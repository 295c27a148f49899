//! Installed as users install them (`cargo xtask registry-test`, and a step of `cargo xtask test`): the packed
//! tarballs of `mde-mock` and `mde-investigations` are published to a local npm registry on 127.0.0.1
//! (verdaccio, with no uplinks) and installed from it into new projects with `npm install`, `npm ci` and pnpm, on
//! a PATH without `cargo` or `rustc`; see `crates/mde-mock-wasm/tests/install.test.js`, which starts and stops the
//! registry itself.
//!
//! verdaccio and pnpm come from npm, installed into `target/tools/registry` (apart from the build tools, so that
//! their dependencies never meet), only when the pinned versions are missing.

use std::fs;
use std::path::PathBuf;
use std::process::Command;

use crate::package::{self, npm, tools_dir, write};
use crate::{root, run, Result};

/// verdaccio: 6.8.0 (6.10 wants Node 22; this machine's is 20).
const VERDACCIO: &str = "6.8.0";
/// pnpm: the 10 line, which runs on Node 18 and 20.
const PNPM: &str = "10.34.9";

fn tools() -> PathBuf {
    tools_dir().join("registry")
}

/// Installs verdaccio and pnpm into `target/tools/registry` unless both pinned versions are there.
fn ensure_tools() -> Result {
    let dir = tools();
    let installed = |name: &str, version: &str| {
        let manifest = dir.join("node_modules").join(name).join("package.json");
        fs::read_to_string(manifest).is_ok_and(|text| text.contains(&format!("\"version\": \"{version}\"")))
    };
    if installed("verdaccio", VERDACCIO) && installed("pnpm", PNPM) {
        return Ok(());
    }
    fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    write(&dir.join("package.json"), "{\"name\":\"mde-registry-tools\",\"private\":true}\n")?;
    run(
        &format!("npm install verdaccio@{VERDACCIO} pnpm@{PNPM} (into target/tools/registry)"),
        npm()
            .current_dir(&dir)
            .args(["install", "--no-audit", "--no-fund", "--save-exact"])
            .args([format!("verdaccio@{VERDACCIO}"), format!("pnpm@{PNPM}")]),
    )
}

/// This process's PATH without the folders that hold `cargo` or `rustc`: a machine without Rust.
fn path_without_rust() -> Result<String> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let kept: Vec<PathBuf> = std::env::split_paths(&path)
        .filter(|dir| !["cargo", "rustc"].iter().any(|tool| dir.join(tool).exists()))
        .collect();
    let joined = std::env::join_paths(kept).map_err(|e| format!("PATH: {e}"))?;
    Ok(joined.to_string_lossy().into_owned())
}

/// Publishes both tarballs to a local registry and installs them from it with npm, `npm ci` and pnpm.
pub fn registry_tests() -> Result {
    let client = package::package()?;
    let mock = crate::mock_npm::package_mock()?;
    ensure_tools()?;
    let dir = root().join("target").join("npm-registry-test");
    if dir.exists() {
        fs::remove_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    write(&dir.join("package.json"), "{\"name\":\"mde-registry-test\",\"private\":true,\"type\":\"module\"}\n")?;
    let test = dir.join("install.test.js");
    package::copy(&root().join("crates/mde-mock-wasm/tests/install.test.js"), &test)?;
    let started = std::time::Instant::now();
    run(
        "node --test install.test.js (verdaccio on 127.0.0.1; npm install, npm ci and pnpm from it; no Rust on the PATH)",
        Command::new("node")
            .current_dir(&dir)
            .env("PATH", path_without_rust()?)
            .env("VERDACCIO", tools().join("node_modules/verdaccio"))
            .env("PNPM", tools().join("node_modules/pnpm/bin/pnpm.cjs"))
            .env("MDE_MOCK_TGZ", mock)
            .env("MDE_CLIENT_TGZ", client)
            .args(["--test", "install.test.js"]),
    )?;
    eprintln!("==> installed from a local registry: {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}
