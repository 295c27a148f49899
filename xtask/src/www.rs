//! The dashboard in `www/`: its npm dependencies (from `package-lock.json`), the npm package
//! `mde-investigations` installed from its packed tarball (as a user installs it), the type check and the Vite
//! build, and [`www_tests`]: the browser tests in Debian's headless Chromium against `mde-mock`.
//!
//! Every step is idempotent: `npm ci` runs only when the lock file differs from the one last installed, and
//! the tarball is installed again only when its bytes changed.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{cargo, root, run, Result};

/// The dashboard's folder.
pub fn www_dir() -> PathBuf {
    root().join("www")
}

/// The built dashboard, served by `www/serve.mjs`.
pub fn dist_dir() -> PathBuf {
    www_dir().join("dist")
}

fn node_modules() -> PathBuf {
    www_dir().join("node_modules")
}

/// Copy of the lock file that `npm ci` last installed (inside node_modules, so a fresh `npm ci` removes it).
fn lock_stamp() -> PathBuf {
    node_modules().join(".xtask-package-lock.json")
}

/// Copy of the tarball last installed.
fn tarball_stamp() -> PathBuf {
    node_modules().join(".xtask-mde-investigations.tgz")
}

fn same_bytes(a: &Path, b: &Path) -> bool {
    matches!((fs::read(a), fs::read(b)), (Ok(x), Ok(y)) if x == y)
}

fn copy(from: &Path, to: &Path) -> Result {
    fs::copy(from, to).map(|_| ()).map_err(|e| format!("copy {} -> {}: {e}", from.display(), to.display()))
}

/// Checks that Node.js and npm are there (the machine has them; nothing here can install another Node).
pub fn ensure_node() -> Result {
    for tool in ["node", "npm"] {
        let ok = Command::new(tool).arg("--version").output().is_ok_and(|o| o.status.success());
        if !ok {
            return Err(format!("`{tool}` is not on PATH: the dashboard needs Node.js 20.19+ and npm"));
        }
    }
    Ok(())
}

/// `npm ci` in www/ when `package-lock.json` changed since the last install.
fn ensure_dependencies() -> Result {
    let lock = www_dir().join("package-lock.json");
    if same_bytes(&lock, &lock_stamp()) && node_modules().join(".bin").join("vite").exists() {
        return Ok(());
    }
    run("npm ci (www)", Command::new("npm").current_dir(www_dir()).args(["ci", "--no-audit", "--no-fund"]))?;
    copy(&lock, &lock_stamp())
}

/// Installs the packed tarball into www/node_modules (without touching package.json or the lock), as a user
/// installs the package; again only when the tarball changed.
fn ensure_package(tgz: &Path) -> Result {
    let installed = node_modules().join("mde-investigations").join("package.json").exists();
    if installed && same_bytes(tgz, &tarball_stamp()) {
        return Ok(());
    }
    run(
        "npm install the packed mde-investigations tarball into www/node_modules",
        Command::new("npm").current_dir(www_dir()).args(["install", "--no-save", "--no-audit", "--no-fund"]).arg(tgz),
    )?;
    copy(tgz, &tarball_stamp())
}

/// Everything the dashboard needs, then its type check and its Vite build into www/dist.
pub fn build() -> Result {
    ensure_node()?;
    let tgz = crate::package::package()?;
    ensure_dependencies()?;
    ensure_package(&tgz)?;
    let bin = node_modules().join(".bin");
    run("tsc --noEmit (www)", Command::new(bin.join("tsc")).current_dir(www_dir()).args(["--noEmit", "-p", "."]))?;
    run("vite build (www -> www/dist)", Command::new(bin.join("vite")).current_dir(www_dir()).args(["build"]))
}

/// Builds `mde-mock` (`release` for the demo, debug for the tests) and returns the binary.
pub fn build_mock(release: bool) -> Result<PathBuf> {
    let mut cmd = cargo();
    cmd.args(["build", "-p", "mde-mock"]);
    if release {
        cmd.arg("--release");
    }
    run(if release { "cargo build --release -p mde-mock" } else { "cargo build -p mde-mock" }, &mut cmd)?;
    Ok(root().join("target").join(if release { "release" } else { "debug" }).join("mde-mock"))
}

/// The browser tests of the dashboard (`www/test/*.test.mjs`, Node's test runner, playwright-core driving
/// Debian's Chromium), each scenario against its own `mde-mock` process.
pub fn www_tests() -> Result {
    crate::package::ensure_chromium()?;
    let mock = build_mock(false)?;
    build()?;
    let tests = www_dir().join("test");
    let mut files: Vec<PathBuf> = fs::read_dir(&tests)
        .map_err(|e| format!("{}: {e}", tests.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".test.mjs"))
        .collect();
    files.sort();
    run(
        "node --test (www: the dashboard in headless Chromium against mde-mock)",
        Command::new("node")
            .current_dir(www_dir())
            .env("MDE_MOCK_BIN", &mock)
            .args(["--test", "--test-concurrency=1"])
            .args(&files),
    )
}
