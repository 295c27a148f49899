//! The dashboard in `www/`: its npm dependencies (from `package-lock.json`), the npm package
//! `mde-investigations` installed from its packed tarball (as a user installs it), the type check and the Vite
//! build, and [`www_tests`]: the browser tests in Debian's headless Chromium against `mde-mock`, the npm package's
//! bin, installed from its packed tarball beside the client's (`cargo xtask demo` serves the native release binary
//! instead: it starts once, on a fixed port, and needs no package built).
//!
//! Every step is idempotent: `npm ci` runs only when the lock file differs from the one last installed, and
//! the tarballs are installed again only when their bytes changed (or the set of them did).

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

/// Copy of a tarball last installed (`name`: the package's).
fn tarball_stamp(name: &str) -> PathBuf {
    node_modules().join(format!(".xtask-{name}.tgz"))
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

/// Installs the packed tarballs (`(package name, tarball)`) into www/node_modules in one `npm install` (without
/// touching package.json or the lock), as a user installs the packages; again only when one changed or is missing.
/// One command for all: a `--no-save` install removes the packages that earlier `--no-save` installs added.
fn ensure_packages(tarballs: &[(&str, &Path)]) -> Result {
    let current = tarballs.iter().all(|(name, tgz)| {
        node_modules().join(name).join("package.json").exists() && same_bytes(tgz, &tarball_stamp(name))
    });
    if current {
        return Ok(());
    }
    let names: Vec<&str> = tarballs.iter().map(|(name, _)| *name).collect();
    run(
        &format!("npm install the packed tarballs ({}) into www/node_modules", names.join(", ")),
        Command::new("npm")
            .current_dir(www_dir())
            .args(["install", "--no-save", "--no-audit", "--no-fund"])
            .args(tarballs.iter().map(|(_, tgz)| tgz)),
    )?;
    for (name, tgz) in tarballs {
        copy(tgz, &tarball_stamp(name))?;
    }
    Ok(())
}

/// Everything the dashboard needs, then its type check and its Vite build into www/dist.
pub fn build() -> Result {
    let client = crate::package::package()?;
    build_with(&[("mde-investigations", &client)])
}

/// [`build`], with these packed tarballs installed (the client's among them).
fn build_with(tarballs: &[(&str, &Path)]) -> Result {
    ensure_node()?;
    ensure_dependencies()?;
    ensure_packages(tarballs)?;
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
/// Debian's Chromium), each scenario against its own `mde-mock` process: the npm package's bin
/// (`www/node_modules/mde-mock`, from the packed tarball), which `www/test/helpers.mjs` starts.
pub fn www_tests() -> Result {
    crate::package::ensure_chromium()?;
    let client = crate::package::package()?;
    let mock = crate::mock_npm::package_mock()?;
    build_with(&[("mde-investigations", &client), ("mde-mock", &mock)])?;
    let tests = www_dir().join("test");
    let mut files: Vec<PathBuf> = fs::read_dir(&tests)
        .map_err(|e| format!("{}: {e}", tests.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".test.mjs"))
        .collect();
    files.sort();
    run(
        "node --test (www: the dashboard in headless Chromium against the packed mde-mock)",
        Command::new("node")
            .current_dir(www_dir())
            .env_remove("MDE_MOCK_BIN")
            .args(["--test", "--test-concurrency=1"])
            .args(&files),
    )
}
