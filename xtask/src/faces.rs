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
//! child process with the options as flags. `library.rs` is left out: it tests the Rust library itself.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::mock_npm::package_mock;
use crate::package::{npm, write};
use crate::{cargo, root, run, Result};

/// The test files of `mock-server/tests/` that run on every face (all but the Rust library's own).
fn face_tests() -> Result<Vec<String>> {
    let dir = root().join("mock-server/tests");
    let mut names: Vec<String> = fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .filter_map(|p| p.file_stem().and_then(|s| s.to_str()).map(str::to_owned))
        .filter(|name| name != "library")
        .collect();
    names.sort();
    Ok(names)
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
    let quoted: Vec<String> = items
        .iter()
        .map(|p| {
            let text = p.to_string_lossy();
            format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
        })
        .collect();
    format!("[{}]", quoted.join(","))
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
        let mut cmd = cargo();
        cmd.args(["test", "-p", "mde-mock"]);
        for test in &tests {
            cmd.args(["--test", test]);
        }
        let started = Instant::now();
        run(
            &format!("cargo test -p mde-mock (mock-server/tests/ but library.rs) against the {face} face"),
            cmd.env("MDE_FACE", face).env("MDE_FACE_COMMAND", &command),
        )?;
        eprintln!("==> the {face} face: {:.1} s", started.elapsed().as_secs_f64());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_json_arrays() {
        let text = json_array(&[Path::new("node"), Path::new("/a b/\"q\".js")]);
        assert_eq!(text, r#"["node","/a b/\"q\".js"]"#);
    }
}
