//! `cargo xtask package`: builds the npm package `mde-investigations` from `crates/mde-wasm`, and
//! [`npm_tests`]: the Node, TypeScript and headless Chromium tests of the packed tarball against `mde-mock`.
//!
//! Layout: `target/npm/mde-investigations/` (the package), `target/npm/mde-investigations.tgz` (its `npm pack`).
//! Tools live in `target/tools/node_modules` (npm's `binaryen` for `wasm-opt` — never Debian's, which
//! miscompiles wasm-bindgen's output —, `typescript@5`, `playwright-core`, `vite`), installed only when missing.
//! The `wasm-bindgen` CLI is installed with `cargo install` only when its version differs from the crate's pin.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::{cargo, ensure_wasm_target, root, run, Result};

/// npm packages the build and the tests use, installed into `target/tools`.
const TOOLS: &[(&str, &str)] = &[
    ("binaryen", "132.0.0"),
    ("typescript", "5.9.3"),
    ("playwright-core", "1.65.1"),
    ("vite", "8.3.8"),
    ("rolldown", "1.2.19"),
];

/// Features that rustc enables by default for wasm32-unknown-unknown; wasm-opt must know them.
const WASM_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-bulk-memory-opt",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
    "--enable-call-indirect-overlong",
];

/// What wasm-opt does: `-O3` until it gains no more, knowing what holds for this module: its memory is its own
/// and starts zero-filled, and the low 1 KB of it is never used (the bottom of the 1 MB stack, which comes first
/// in a Rust module; the module's recursion is bounded far below that); the `producers` and `target_features`
/// sections are dropped (wasm-bindgen has read them). Measured: 0.75 KB of gzip less than `-O3` alone.
const WASM_OPT_ARGS: &[&str] = &[
    "--low-memory-unused",
    "--zero-filled-memory",
    "-O3",
    "--converge",
    "--strip-producers",
    "--strip-target-features",
];

/// The release profile for the wasm build, given on the command line so the workspace profile stays as it is.
/// Size first (`z`) everywhere but in mde-wasm, which is built at `3` with LLVM's inliner restricted to calls
/// that cost nothing and to `#[inline(always)]` (threshold 0). The page validation
/// (`Listing::handle_response_indexed` down to the reader's outline walk and `Timestamp::parse`) is `#[inline]`, so it is
/// compiled into mde-wasm at that level. Measured (BENCHMARKS.md): everything at `z` makes the validation of a
/// 10,000-item page 2.4 times slower (8.3 ms against 3.5 ms in Node); mde-core at `3` as well costs 2.5 KB of
/// gzip, the default inliner in mde-wasm 4 KB, for no speed.
const WASM_PROFILE: &[&str] = &[
    "profile.wasm-release.inherits=\"release\"",
    "profile.wasm-release.opt-level=\"z\"",
    "profile.wasm-release.panic=\"abort\"",
    "profile.wasm-release.codegen-units=1",
    "profile.wasm-release.lto=true",
    "profile.wasm-release.package.mde-wasm.opt-level=3",
    "profile.wasm-release.package.talc.opt-level=3",
];

/// LLVM's inliner at threshold 0 (see [`WASM_PROFILE`]).
const WASM_RUSTFLAGS: &[&str] = &["-Cllvm-args=-inline-threshold=0"];

/// With the standard library's sources (rustup's `rust-src`), the standard library is rebuilt with the module
/// (`-Zbuild-std`, on the pinned stable compiler through `RUSTC_BOOTSTRAP=1`, as the Linux kernel builds its
/// Rust): at `z`, with its `optimize_for_size` variants, with panics that abort at once instead of formatting
/// a message no one reads (`-Cpanic=immediate-abort`, `-Zlocation-detail=none`), and without `Debug`
/// formatting (`-Zfmt-debug=none`; messages quote values with `mde_core::Quoted`, never `{:?}`, which
/// [`check_no_debug_formatting`] enforces). Measured on the same sources: 122.5 KB -> 104.2 KB of gzip.
/// `--cfg mde_size` turns on the unstable `#[optimize]` attributes of mde-core and mde-wasm: `size` on mde-wasm's
/// cold functions (options, filter objects, errors), `speed` on the page validation's (-0.9 KB of gzip, same speed).
const BUILD_STD_ARGS: &[&str] = &["-Zbuild-std=std,panic_abort", "-Zbuild-std-features=optimize_for_size"];
/// The rustflags that go with [`BUILD_STD_ARGS`].
const BUILD_STD_RUSTFLAGS: &[&str] =
    &["--cfg=mde_size", "-Zunstable-options", "-Cpanic=immediate-abort", "-Zfmt-debug=none", "-Zlocation-detail=none"];

/// The wasm module is built with `-Zfmt-debug=none`, which turns every `{:?}` into nothing: a message that
/// quoted a value with `{:?}` would lose it. This refuses `:?}` outside the test modules of the crates that the
/// module links (mde-core, mde-wasm); messages quote with `mde_core::Quoted`.
pub fn check_no_debug_formatting() -> Result {
    eprintln!("==> no Debug formatting in the wasm module's messages");
    let mut found = Vec::new();
    for dir in ["crates/mde-core/src", "crates/mde-wasm/src"] {
        for file in rust_files(&root().join(dir))? {
            let text = fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            // Test modules come last in every file here: everything after a `#[cfg(test)]` module is test code.
            let code = text.split("#[cfg(test)]\nmod ").next().unwrap_or_default();
            for (i, line) in code.lines().enumerate() {
                let debug = line.contains(":?}") || line.contains(":#?}");
                if debug && !line.trim_start().starts_with("//") {
                    found.push(format!("{}:{}: {}", file.display(), i + 1, line.trim()));
                }
            }
        }
    }
    if found.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "Debug formatting (`{{:?}}`) in code the wasm module links; quote with mde_core::Quoted:\n{}",
            found.join("\n")
        ))
    }
}

fn rust_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            files.extend(rust_files(&path)?);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    Ok(files)
}

/// Whether rustup's `rust-src` is installed, installing it if it is not; `false` (the module is then built
/// against the prebuilt standard library, larger but the same behaviour) when it cannot be.
fn ensure_rust_src() -> bool {
    let installed = || {
        Command::new("rustup")
            .args(["component", "list", "--installed"])
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).lines().any(|l| l.trim().starts_with("rust-src")))
    };
    if installed() {
        return true;
    }
    match run("rustup component add rust-src", Command::new("rustup").args(["component", "add", "rust-src"])) {
        Ok(()) => installed(),
        Err(e) => {
            eprintln!("warning: {e}; building the wasm module against the prebuilt standard library (larger)");
            false
        }
    }
}

fn npm_dir() -> PathBuf {
    root().join("target").join("npm")
}

/// Where the package is written.
pub fn package_dir() -> PathBuf {
    npm_dir().join("mde-investigations")
}

/// The packed tarball.
pub fn tarball() -> PathBuf {
    npm_dir().join("mde-investigations.tgz")
}

fn tools_dir() -> PathBuf {
    root().join("target").join("tools")
}

/// A binary from `target/tools/node_modules/.bin`.
pub fn tool(name: &str) -> PathBuf {
    tools_dir().join("node_modules").join(".bin").join(name)
}

fn npm() -> Command {
    Command::new("npm")
}

fn node() -> Command {
    Command::new("node")
}

fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Installs the npm tools into `target/tools` unless every pinned version is already there.
pub fn ensure_tools() -> Result {
    let dir = tools_dir();
    fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let installed = |name: &str, version: &str| {
        let manifest = dir.join("node_modules").join(name).join("package.json");
        fs::read_to_string(manifest).is_ok_and(|text| text.contains(&format!("\"version\": \"{version}\"")))
    };
    if TOOLS.iter().all(|(name, version)| installed(name, version)) {
        return Ok(());
    }
    let manifest = dir.join("package.json");
    if !manifest.exists() {
        fs::write(&manifest, "{\"name\":\"mde-tools\",\"private\":true}\n").map_err(|e| e.to_string())?;
    }
    let specs: Vec<String> = TOOLS.iter().map(|(n, v)| format!("{n}@{v}")).collect();
    run(
        "npm install (tools into target/tools)",
        npm().current_dir(&dir).args(["install", "--no-audit", "--no-fund", "--save-exact"]).args(&specs),
    )
}

/// The `wasm-bindgen` version pinned in the workspace's Cargo.toml.
fn pinned_wasm_bindgen() -> Result<String> {
    let manifest = fs::read_to_string(root().join("Cargo.toml")).map_err(|e| e.to_string())?;
    manifest
        .lines()
        .find_map(|l| l.trim().strip_prefix("wasm-bindgen = \"="))
        .and_then(|rest| rest.split('"').next())
        .map(str::to_owned)
        .ok_or_else(|| "Cargo.toml: no `wasm-bindgen = \"=X.Y.Z\"` under [workspace.dependencies]".to_owned())
}

fn ensure_wasm_bindgen(version: &str) -> Result {
    let current = output(Command::new("wasm-bindgen").arg("--version"));
    if current.as_deref() == Some(&format!("wasm-bindgen {version}")) {
        return Ok(());
    }
    // Without --locked: the registry mirror lacks one locked dependency (DESIGN.md section 3). 4 to 7 minutes.
    run(
        &format!("cargo install wasm-bindgen-cli --version {version}"),
        Command::new("cargo").args(["install", "wasm-bindgen-cli", "--version", version]),
    )
}

fn copy(from: &Path, to: &Path) -> Result {
    fs::copy(from, to).map(|_| ()).map_err(|e| format!("copy {} -> {}: {e}", from.display(), to.display()))
}

fn write(path: &Path, text: &str) -> Result {
    fs::write(path, text).map_err(|e| format!("write {}: {e}", path.display()))
}

fn read(path: &Path) -> Result<String> {
    fs::read_to_string(path).map_err(|e| format!("read {}: {e}", path.display()))
}

fn crate_version() -> Result<String> {
    let manifest = read(&root().join("crates/mde-wasm/Cargo.toml"))?;
    manifest
        .lines()
        .find_map(|l| l.trim().strip_prefix("version = \""))
        .and_then(|rest| rest.split('"').next())
        .map(str::to_owned)
        .ok_or_else(|| "crates/mde-wasm/Cargo.toml has no version".to_owned())
}

/// Drops wasm-bindgen's asynchronous loader from the glue: the entries instantiate synchronously, and its
/// `new URL('..._bg.wasm', import.meta.url)` would make bundlers copy the wasm file for nothing.
fn strip_async_loader(glue: &str) -> Result<String> {
    let start = glue.find("async function __wbg_load(").ok_or("glue: __wbg_load not found")?;
    let sync = glue.find("function initSync(").ok_or("glue: initSync not found")?;
    let init = glue.find("let __wbg_init_promise;").ok_or("glue: __wbg_init_promise not found")?;
    let export = glue.find("export { initSync, __wbg_init as default };").ok_or("glue: export line not found")?;
    if !(start < sync && sync < init && init < export) {
        return Err("glue: unexpected layout (wasm-bindgen version changed?)".into());
    }
    Ok(format!("{}{}export {{ initSync }};\n", &glue[..start], &glue[sync..init]))
}

/// The characters a byte can be written as inside a double-quoted JS string literal: first the 123 ASCII
/// characters (printable ones first) other than NUL, `"`, `\\` and the line terminators LF and CR (one byte of UTF-8 each; the other
/// control characters are allowed in a string literal as they are), then U+0080 onwards (two bytes each), which
/// contain no quote, backslash or line terminator (U+2028 and U+2029 are far above). Measured: 0.7 KB of gzip less
/// than with the printable ASCII characters only.
fn literal_chars() -> Vec<char> {
    let ascii = (0x20u32..0x80).chain(0x01..0x20).filter(|&c| !matches!(c, 0x0a | 0x0d | 0x22 | 0x5c));
    let wide = 0x80u32..0x200;
    ascii.chain(wide).filter_map(char::from_u32).take(256).collect()
}

/// Writes `bytes` as the text of a JS string literal, one character per byte, the most frequent bytes as the
/// one-byte (ASCII) characters. Returns the code (the character of each byte value, 256 characters) and the
/// text. Unlike base64 this keeps the module's byte alignment, which gzip needs: measured 148 KB against 195 KB
/// for the base64 text of the same 143 KB (gzip -9) module.
fn literal_text(bytes: &[u8]) -> (String, String) {
    let mut counts = [0usize; 256];
    for &b in bytes {
        counts[usize::from(b)] += 1;
    }
    let mut order: Vec<u8> = (0..=255).collect();
    order.sort_by_key(|&b| (std::cmp::Reverse(counts[usize::from(b)]), b));
    let chars = literal_chars();
    let mut code = ['\0'; 256];
    for (rank, &b) in order.iter().enumerate() {
        code[usize::from(b)] = chars[rank];
    }
    (code.iter().collect(), bytes.iter().map(|&b| code[usize::from(b)]).collect())
}

fn inline_module(wasm: &[u8]) -> String {
    let (code, text) = literal_text(wasm);
    format!(
        "// Generated by `cargo xtask package`: the wasm module's bytes, one character each (CODE[b] is byte b's).\n\
         const CODE = \"{code}\";\n\
         const TEXT = \"{text}\";\n\
         export function wasmBytes() {{\n  const byteOf = new Uint8Array(0x200);\n  \
         for (let b = 0; b < 256; b++) byteOf[CODE.charCodeAt(b)] = b;\n  \
         const bytes = new Uint8Array(TEXT.length);\n  \
         for (let i = 0; i < TEXT.length; i++) bytes[i] = byteOf[TEXT.charCodeAt(i)];\n  return bytes;\n}}\n"
    )
}

/// Builds the wasm, binds, optimises and assembles the package, and packs it. Returns the tarball's path.
/// Within one `cargo xtask` run the package is built once (`test` needs it for these tests and for `www`).
pub fn package() -> Result<PathBuf> {
    static PACKED: OnceLock<PathBuf> = OnceLock::new();
    if let Some(tgz) = PACKED.get() {
        return Ok(tgz.clone());
    }
    let tgz = build_package()?;
    Ok(PACKED.get_or_init(|| tgz).clone())
}

fn build_package() -> Result<PathBuf> {
    check_no_debug_formatting()?;
    ensure_wasm_target()?;
    ensure_wasm_bindgen(&pinned_wasm_bindgen()?)?;
    ensure_tools()?;
    let mut build = cargo();
    build.args(["build", "-p", "mde-wasm", "--target", "wasm32-unknown-unknown", "--profile", "wasm-release"]);
    for setting in WASM_PROFILE {
        build.args(["--config", setting]);
    }
    let mut rustflags: Vec<&str> = WASM_RUSTFLAGS.to_vec();
    if ensure_rust_src() {
        build.env("RUSTC_BOOTSTRAP", "1").args(BUILD_STD_ARGS);
        rustflags.extend(BUILD_STD_RUSTFLAGS);
    }
    let quoted: Vec<String> = rustflags.iter().map(|f| format!("\"{f}\"")).collect();
    build.args(["--config", &format!("target.wasm32-unknown-unknown.rustflags=[{}]", quoted.join(","))]);
    run("cargo build -p mde-wasm (wasm32, wasm-release)", &mut build)?;
    let built = root().join("target/wasm32-unknown-unknown/wasm-release/mde_wasm.wasm");

    let pkg = package_dir();
    if pkg.exists() {
        fs::remove_dir_all(&pkg).map_err(|e| format!("{}: {e}", pkg.display()))?;
    }
    let wasm_dir = pkg.join("wasm");
    fs::create_dir_all(&wasm_dir).map_err(|e| e.to_string())?;
    let bound = npm_dir().join("bindgen");
    run(
        "wasm-bindgen --target web",
        Command::new("wasm-bindgen")
            .arg("--target")
            .arg("web")
            .arg("--no-typescript")
            .arg("--out-dir")
            .arg(&bound)
            .arg(&built),
    )?;
    let optimised = wasm_dir.join("mde_wasm_bg.wasm");
    run(
        "wasm-opt -O3 (npm binaryen)",
        Command::new(tool("wasm-opt"))
            .args(WASM_OPT_ARGS)
            .args(WASM_FEATURES)
            .arg(bound.join("mde_wasm_bg.wasm"))
            .arg("-o")
            .arg(&optimised),
    )?;
    write(&wasm_dir.join("mde_wasm.js"), &strip_async_loader(&read(&bound.join("mde_wasm.js"))?)?)?;
    let wasm = fs::read(&optimised).map_err(|e| e.to_string())?;
    write(&wasm_dir.join("inline.js"), &inline_module(&wasm))?;

    let js = root().join("crates/mde-wasm/js");
    for file in ["index.js", "index.node.js", "client.js", "index.d.ts", "README.md"] {
        copy(&js.join(file), &pkg.join(file))?;
    }
    run(
        "minify the package's JavaScript (oxc, through rolldown)",
        node()
            .arg(root().join("xtask/minify.mjs"))
            .arg(tools_dir())
            .args(["client.js", "index.js", "index.node.js", "wasm/mde_wasm.js"].map(|f| pkg.join(f))),
    )?;
    let manifest = read(&js.join("package.json"))?
        .replace("\"version\": \"0.0.0\"", &format!("\"version\": \"{}\"", crate_version()?));
    write(&pkg.join("package.json"), &manifest)?;

    let packed = output(npm().current_dir(&pkg).args(["pack", "--silent", "--pack-destination"]).arg(npm_dir()))
        .ok_or("npm pack failed")?;
    let name = packed.lines().last().unwrap_or_default().trim().to_owned();
    let tgz = tarball();
    fs::rename(npm_dir().join(&name), &tgz).map_err(|e| format!("rename {name}: {e}"))?;
    eprintln!("==> {} ({} bytes of wasm)", tgz.display(), wasm.len());
    Ok(tgz)
}

/// Builds `mde-mock` and returns the binary's path.
fn build_mock() -> Result<PathBuf> {
    run("cargo build -p mde-mock", cargo().args(["build", "-p", "mde-mock"]))?;
    Ok(root().join("target/debug/mde-mock"))
}

/// A fresh project in `target/npm-test` with the tarball installed and the tests copied in.
fn test_project(tgz: &Path) -> Result<PathBuf> {
    let dir = root().join("target").join("npm-test");
    if dir.exists() {
        fs::remove_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    write(&dir.join("package.json"), "{\"name\":\"mde-consumer\",\"private\":true,\"type\":\"module\"}\n")?;
    run(
        "npm install the packed tarball into a new project",
        npm().current_dir(&dir).args(["install", "--no-audit", "--no-fund", "--offline"]).arg(tgz),
    )?;
    let tests = root().join("crates/mde-wasm/tests");
    for entry in fs::read_dir(&tests).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_file() {
            copy(&path, &dir.join(path.file_name().unwrap_or_default()))?;
        }
    }
    Ok(dir)
}

/// The package's tests: Node's test runner on the installed tarball against mde-mock, `tsc --strict` on a
/// consumer file, and the smoke test in headless Chromium (page, module Worker, a Vite build, MV3 extension service
/// worker).
pub fn npm_tests() -> Result {
    let tgz = package()?;
    let mock = build_mock()?;
    let dir = test_project(&tgz)?;
    run(
        "node --test (packed tarball against mde-mock)",
        Command::new("node")
            .current_dir(&dir)
            .env("MDE_MOCK", &mock)
            .args(["--test", "--test-concurrency=1"])
            .arg("node.test.js"),
    )?;
    run(
        "tsc --strict --noEmit on a consumer file",
        Command::new(tool("tsc")).current_dir(&dir).args([
            "--strict",
            "--noEmit",
            "--target",
            "es2022",
            "--module",
            "nodenext",
            "--moduleResolution",
            "nodenext",
            "--lib",
            "es2022,dom",
            "consumer.ts",
        ]),
    )?;
    if mentions_any(&read(&package_dir().join("index.d.ts"))?) {
        return Err("the public types (index.d.ts) use `any`".into());
    }
    ensure_chromium()?;
    run(
        "headless Chromium smoke test (page, Worker, Vite build)",
        Command::new("node")
            .current_dir(&dir)
            .env("MDE_MOCK", &mock)
            .env("PLAYWRIGHT_CORE", tools_dir().join("node_modules/playwright-core/index.js"))
            .env("VITE_BIN", tool("vite"))
            .arg("browser.smoke.js"),
    )?;
    run(
        "headless Chromium: MV3 extension service worker",
        Command::new("node")
            .current_dir(&dir)
            .env("MDE_MOCK", &mock)
            .env("PLAYWRIGHT_CORE", tools_dir().join("node_modules/playwright-core/index.js"))
            .arg("browser.mv3.js"),
    )
}

/// Whether TypeScript declarations use the type `any` outside comments.
fn mentions_any(d_ts: &str) -> bool {
    let mut code = String::with_capacity(d_ts.len());
    let mut rest = d_ts;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("/*") {
            rest = after.find("*/").map_or("", |end| &after[end + 2..]);
        } else if let Some(after) = rest.strip_prefix("//") {
            rest = after.find('\n').map_or("", |end| &after[end..]);
        } else {
            let mut chars = rest.chars();
            code.extend(chars.next());
            rest = chars.as_str();
        }
    }
    code.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$')).any(|word| word == "any")
}

/// Installs Debian's Chromium when it is missing (Playwright's own download is never used).
pub fn ensure_chromium() -> Result {
    if Path::new("/usr/bin/chromium").exists() {
        return Ok(());
    }
    run("apt-get update", Command::new("apt-get").arg("update"))?;
    run("apt-get install chromium", Command::new("apt-get").args(["install", "-y", "chromium", "chromium-driver"]))
}

/// `cargo xtask bench-wasm`: the browser benchmark of the package (decode path against `fetch().json()`, size).
pub fn bench() -> Result {
    let tgz = package()?;
    let mock = build_mock()?;
    let dir = test_project(&tgz)?;
    ensure_chromium()?;
    run(
        "headless Chromium benchmark",
        Command::new("node")
            .current_dir(&dir)
            .env("MDE_MOCK", &mock)
            .env("MDE_PACKAGE", package_dir())
            .env("PLAYWRIGHT_CORE", tools_dir().join("node_modules/playwright-core/index.js"))
            .arg("browser.bench.js"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes a generated module's two literals the way its JS does.
    fn decode(module: &str) -> Vec<u8> {
        let literal = |name: &str| {
            let start = module.find(&format!("const {name} = \"")).unwrap() + name.len() + 10;
            let len = module[start..].find('"').unwrap();
            module[start..start + len].to_owned()
        };
        let mut byte_of = [None; 0x200];
        for (b, c) in literal("CODE").chars().enumerate() {
            assert!(byte_of[c as usize].is_none(), "two bytes share {c:?}");
            byte_of[c as usize] = Some(b as u8);
        }
        literal("TEXT").chars().map(|c| byte_of[c as usize].unwrap()).collect()
    }

    #[test]
    fn inlined_bytes_round_trip_through_safe_characters() {
        let chars = literal_chars();
        assert_eq!(chars.len(), 256);
        assert!(chars.iter().all(|&c| (c as u32) < 0x200 && !matches!(c, '\0' | '\n' | '\r' | '"' | '\\')));
        assert_eq!(chars.iter().filter(|c| c.is_ascii()).count(), 123);
        let mut all: Vec<u8> = (0..=255).collect();
        all.extend([0, 0, 0, 0x41, 0x41, 0x20, b'"', b'\\', b'\n', b'\r']);
        for bytes in [vec![], vec![0u8], b"\0asm\x01\0\0\0".to_vec(), all] {
            let module = inline_module(&bytes);
            assert_eq!(decode(&module), bytes);
            assert!(
                !module.contains('\r')
                    && module.lines().filter(|l| l.starts_with("const ")).all(|l| l.ends_with("\";")),
                "{module:?}"
            );
        }
        // The most frequent byte is written as one ASCII character.
        assert_eq!(literal_text(&[7, 7, 7, 0]).1, "   !");
    }

    #[test]
    fn strips_the_async_loader() {
        let glue = "a\nasync function __wbg_load(m) {}\nfunction initSync(m) {}\nlet __wbg_init_promise;\nasync function __wbg_init() {}\nexport { initSync, __wbg_init as default };\n";
        assert_eq!(strip_async_loader(glue).unwrap(), "a\nfunction initSync(m) {}\nexport { initSync };\n");
        assert!(strip_async_loader("nothing").is_err());
    }

    #[test]
    fn finds_any_outside_comments_only() {
        assert!(!mentions_any("// any\n/** any */ type A = string; // many anyway\nconst company: number;"));
        assert!(mentions_any("type A = any;"));
        assert!(mentions_any("/* x */ f(a: Array<any>): void;"));
    }
}
