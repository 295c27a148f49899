//! The mock's behaviour tests on every face (`cargo xtask mock-faces-test`, and a step of `cargo xtask test`).
//!
//! `cargo test --workspace` runs the integration tests of `mock-server/tests/` against the native face (the
//! `MockApi` library and the `mde-mock` binary). This runs them again, as they are, against the npm package's two
//! other faces, installed from the packed tarball into a new project (`target/npm-mock-faces`):
//!
//! - `MDE_FACE=npm`: the bin, `node node_modules/mde-mock/bin/mde-mock.js`;
//! - `MDE_FACE=handler`: `createMockApi`'s `Request -> Response` handler, served over HTTP by the test adapter
//!   `crates/mde-mock-wasm/tests/handler-server.js`.
//!
//! `MDE_FACE_COMMAND` gives the tests the command (a JSON array); `mock-server/tests/common/mod.rs` starts it as a
//! child process with the options as flags. The test executables are those `cargo test --workspace` built;
//! `library.rs`, `memory.rs` and `recycling.rs` are left out: they test the Rust library and the native face's
//! wiremock front themselves.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::mock_npm::package_mock;
use crate::package::{npm, write};
use crate::{cargo, root, run, Result};

/// The test executables of `mock-server/tests/` that run on every face (all but those of the native face itself:
/// the Rust library's, and the wiremock front's recycling and memory), as
/// `(name, path)`: those `cargo test --workspace` has just built (`--no-run` lists them without building anything
/// again; `cargo test -p mde-mock` would build them anew, its features unified over fewer packages).
fn face_tests() -> Result<Vec<(String, PathBuf)>> {
    let out = cargo()
        .args(["test", "--workspace", "--no-run", "--message-format=json"])
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| format!("cargo test --no-run: {e}"))?;
    if !out.status.success() {
        return Err(format!("cargo test --workspace --no-run failed ({})", out.status));
    }
    let tests_dir = root().join("mock-server/tests");
    let mut found = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else { continue };
        let (Some(src), Some(exe)) = (message["target"]["src_path"].as_str(), message["executable"].as_str()) else {
            continue;
        };
        let is_test = message["target"]["kind"].as_array().is_some_and(|k| k.iter().any(|k| k == "test"));
        let name = message["target"]["name"].as_str().unwrap_or_default();
        let native_only = ["library", "memory", "recycling"].contains(&name);
        if is_test && Path::new(src).parent() == Some(tests_dir.as_path()) && !native_only {
            found.push((name.to_owned(), PathBuf::from(exe)));
        }
    }
    found.sort();
    if found.is_empty() {
        return Err("no test executable of mock-server/tests/ in cargo's listing".into());
    }
    Ok(found)
}

/// A new project with the packed `mde-mock` installed (as a user installs it) and the handler's adapter.
fn project(tgz: &Path) -> Result<PathBuf> {
    let dir = root().join("target").join("npm-mock-faces");
    if dir.exists() {
        fs::remove_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    write(&dir.join("package.json"), "{\"name\":\"mde-mock-faces\",\"private\":true,\"type\":\"module\"}\n")?;
    run(
        "npm install the packed mde-mock tarball into a new project (for the faces)",
        npm().current_dir(&dir).args(["install", "--no-audit", "--no-fund", "--offline"]).arg(tgz),
    )?;
    crate::package::copy(&root().join("crates/mde-mock-wasm/tests/handler-server.js"), &dir.join("handler-server.js"))?;
    Ok(dir)
}

/// A command as the JSON array `MDE_FACE_COMMAND` takes.
fn json_array(items: &[&Path]) -> String {
    let items: Vec<String> = items.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    serde_json::Value::from(items).to_string()
}

/// Runs the mock's behaviour tests against the npm bin and the handler; prints how long each face took.
pub fn faces_tests() -> Result {
    let tgz = package_mock()?;
    let dir = project(&tgz)?;
    let tests = face_tests()?;
    let node = Path::new("node");
    let bin = dir.join("node_modules/mde-mock/bin/mde-mock.js");
    let adapter = dir.join("handler-server.js");
    for (face, command) in [("npm", json_array(&[node, &bin])), ("handler", json_array(&[node, &adapter]))] {
        let started = Instant::now();
        for (name, exe) in &tests {
            run(
                &format!("mock-server/tests/{name}.rs against the {face} face"),
                Command::new(exe)
                    .current_dir(root().join("mock-server"))
                    .env("MDE_FACE", face)
                    .env("MDE_FACE_COMMAND", &command),
            )?;
        }
        eprintln!("==> the {face} face: {:.1} s", started.elapsed().as_secs_f64());
    }
    Ok(())
}
