//! The example extension in `examples/extension/` (an MV3 extension that counts the investigations waiting for
//! approval): [`vendor`] puts the browser files of the npm package, installed from its packed tarball as a user
//! installs it, into `examples/extension/vendor/mde-investigations/` (git ignores it), and [`extension_tests`]
//! loads the extension in Debian's headless Chromium against `mde-mock --live` (`examples/extension/test/`).
//!
//! - `cargo xtask extension`: the vendor step; then load `examples/extension/` unpacked.
//! - `cargo xtask extension-test`: the vendor step and the browser test (part of `cargo xtask test`).
//! - `cargo xtask extension-screenshot`: the test, which also writes `examples/extension/screenshot.png`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::package::{copy, ensure_chromium, ensure_tools, npm, package, tools_dir};
use crate::{root, run, Result};

/// The extension's folder.
pub fn extension_dir() -> PathBuf {
    root().join("examples").join("extension")
}

/// The files of the package that its browser entry (`index.js`) loads, and its manifest (name, version,
/// licence). Nothing else: no Node entry, no types, no uncompressed `.wasm` (the browser entry inlines it).
const BROWSER_FILES: &[&str] =
    &["index.js", "client.js", "shared-limiter.js", "wasm/mde_wasm.js", "wasm/inline.js", "package.json"];

/// Installs the packed tarball into a new project under `target/extension-npm` and copies its browser files into
/// `examples/extension/vendor/mde-investigations/`, replacing what was there.
pub fn vendor() -> Result {
    let tgz = package()?;
    let project = root().join("target").join("extension-npm");
    if project.exists() {
        fs::remove_dir_all(&project).map_err(|e| format!("{}: {e}", project.display()))?;
    }
    fs::create_dir_all(&project).map_err(|e| format!("{}: {e}", project.display()))?;
    fs::write(project.join("package.json"), "{\"name\":\"mde-extension-vendor\",\"private\":true}\n")
        .map_err(|e| e.to_string())?;
    run(
        "npm install the packed tarball (for the extension)",
        npm().current_dir(&project).args(["install", "--no-audit", "--no-fund", "--offline"]).arg(&tgz),
    )?;
    let installed = project.join("node_modules").join("mde-investigations");
    let vendor = extension_dir().join("vendor").join("mde-investigations");
    if vendor.exists() {
        fs::remove_dir_all(&vendor).map_err(|e| format!("{}: {e}", vendor.display()))?;
    }
    for file in BROWSER_FILES {
        let to = vendor.join(file);
        if let Some(dir) = to.parent() {
            fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        copy(&installed.join(file), &to)?;
    }
    // A module that the browser entry imports but the list leaves out would only fail inside the extension.
    for file in BROWSER_FILES.iter().filter(|f| f.ends_with(".js")) {
        let dir = Path::new(file).parent().unwrap_or(Path::new(""));
        for import in relative_imports(&fs::read_to_string(vendor.join(file)).map_err(|e| format!("{file}: {e}"))?) {
            let wanted = dir.join(import.trim_start_matches("./"));
            if !BROWSER_FILES.iter().any(|f| Path::new(f) == wanted) {
                return Err(format!("{file} imports {import}, which BROWSER_FILES does not copy"));
            }
        }
    }
    eprintln!("==> {} (load {} unpacked)", vendor.display(), extension_dir().display());
    Ok(())
}

/// The specifiers `./...` of the static imports and re-exports of a (minified or not) module: what follows
/// `from`, spaces and a quote.
fn relative_imports(js: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = js;
    while let Some(at) = rest.find("from") {
        rest = &rest[at + 4..];
        let text = rest.trim_start();
        let Some(quote) = text.chars().next().filter(|c| matches!(c, '"' | '\'' | '`')) else { continue };
        let text = &text[1..];
        if let Some(end) = text.find(quote) {
            if text[..end].starts_with("./") {
                found.push(text[..end].to_owned());
            }
        }
    }
    found
}

/// The browser test of the extension, against the native `mde-mock` in live mode. With `screenshot`, it also
/// writes the popup's picture to `examples/extension/screenshot.png`.
pub fn extension_tests(screenshot: Option<&Path>) -> Result {
    vendor()?;
    ensure_tools()?;
    ensure_chromium()?;
    let mock = crate::package::build_mock()?;
    let mut cmd = Command::new("node");
    cmd.current_dir(extension_dir())
        .env("MDE_MOCK", &mock)
        .env("PLAYWRIGHT_CORE", tools_dir().join("node_modules/playwright-core/index.js"))
        .args(["--test", "--test-concurrency=1", "test/settings.test.mjs", "test/extension.test.mjs"]);
    match screenshot {
        Some(path) => cmd.env("MDE_EXTENSION_SCREENSHOT", path),
        None => cmd.env_remove("MDE_EXTENSION_SCREENSHOT"),
    };
    run("node --test (the example extension in headless Chromium against mde-mock --live)", &mut cmd)
}

/// `cargo xtask extension-screenshot`.
pub fn screenshot() -> Result {
    extension_tests(Some(&extension_dir().join("screenshot.png")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_relative_imports_of_minified_and_plain_modules() {
        let minified =
            r#"import{Client as e}from"./wasm/mde_wasm.js";import{S as i}from'./shared-limiter.js';const from=1;"#;
        assert_eq!(relative_imports(minified), ["./wasm/mde_wasm.js", "./shared-limiter.js"]);
        let plain = "import { a } from './a.js';\nexport { b } from \"./b.js\";\nimport x from 'pkg';\n// from here\n";
        assert_eq!(relative_imports(plain), ["./a.js", "./b.js"]);
    }

    #[test]
    fn every_module_the_browser_entry_imports_is_copied() {
        // The package's own sources, as cargo xtask package copies them (as they are, readable).
        let js = root().join("crates/mde-wasm/js");
        for file in ["index.js", "client.js", "shared-limiter.js"] {
            assert!(BROWSER_FILES.contains(&file), "{file}");
            let text = fs::read_to_string(js.join(file)).unwrap_or_default();
            for import in relative_imports(&text) {
                assert!(BROWSER_FILES.contains(&import.trim_start_matches("./")), "{file} imports {import}");
            }
        }
    }
}
