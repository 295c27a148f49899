//! Which wasm build of `mde-investigations` this compiler can make.
//!
//! The size-tuned build rebuilds the standard library with the module and uses unstable flags on the stable
//! compiler through `RUSTC_BOOTSTRAP=1` (see `package.rs`: `-Zbuild-std`, `-Cpanic=immediate-abort`, which exists
//! only since 1.92, `-Zfmt-debug=none`, `-Zlocation-detail=none`, and `#[optimize]` behind `--cfg mde_size`).
//! Unstable flags change or vanish between compilers without notice, so that build runs only on the compiler the
//! project pins in `rust-toolchain.toml` (what rustup picks in this repository), and only when a probe shows that
//! compiler accepts them. Any other compiler, or `MDE_PLAIN_STABLE=1`, gets the plain stable build: the
//! prebuilt standard library, stable flags only, the same behaviour, a larger module (see [`PLAIN_COST`]).

use std::process::{Command, Stdio};

use crate::{root, Result};

/// Set (to anything but empty or `0`) to build the plain stable module even on the pinned compiler.
pub const PLAIN_ENV: &str = "MDE_PLAIN_STABLE";

/// What the plain stable build costs, for the message that says it is used (BENCHMARKS.md, "Plain stable").
pub const PLAIN_COST: &str = "a larger module (about 15 KB more gzip in the browser entry)";

/// How the wasm module is built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flavour {
    /// `-Zbuild-std` and the unstable size flags, on the pinned compiler.
    SizeTuned,
    /// Stable flags only; the reason is said once, when the build starts.
    PlainStable {
        /// Why: the variable, another compiler, a refused flag, no `rust-src`.
        why: String,
    },
}

impl Flavour {
    /// The flavour of this build: plain when [`PLAIN_ENV`] asks for it, when `rustc -V` is not the pinned
    /// version, when rustup's `rust-src` is missing and cannot be installed, or when the probe of the unstable
    /// flags fails; size-tuned otherwise.
    pub fn detect() -> Result<Flavour> {
        if std::env::var_os(PLAIN_ENV).is_some_and(|v| !v.is_empty() && v != "0") {
            return Ok(Flavour::plain(format!("{PLAIN_ENV} is set")));
        }
        let pinned = pinned_channel(&crate::package::read(&root().join("rust-toolchain.toml"))?)?;
        let version =
            crate::package::output(rustc().arg("-V")).ok_or("`rustc -V` failed: no Rust compiler on PATH?")?;
        if !is_release(&version, &pinned) {
            return Ok(Flavour::plain(format!("`{version}` is not the pinned {pinned} (rust-toolchain.toml)")));
        }
        // The probe needs `rust-src` too (without it, it fails for want of `core`), so it is installed first.
        if !ensure_rust_src() {
            return Ok(Flavour::plain("rustup's rust-src component is missing and could not be installed"));
        }
        if let Err(refused) = probe_unstable_flags() {
            return Ok(Flavour::plain(format!("{version} refused the unstable flags: {refused}")));
        }
        Ok(Flavour::SizeTuned)
    }

    /// The plain stable flavour, for `why`.
    pub fn plain(why: impl Into<String>) -> Flavour {
        Flavour::PlainStable { why: why.into() }
    }
}

/// Whether rustup's `rust-src` is installed, installing it if it is not; `false` (the module is then built
/// plain stable, against the prebuilt standard library: larger, the same behaviour) when it cannot be.
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
    match crate::run("rustup component add rust-src", Command::new("rustup").args(["component", "add", "rust-src"])) {
        Ok(()) => installed(),
        Err(e) => {
            eprintln!("warning: {e}");
            false
        }
    }
}

/// The `channel` of a `rust-toolchain.toml` (`channel = "1.95.0"` under `[toolchain]`).
pub fn pinned_channel(toml: &str) -> Result<String> {
    toml.lines()
        .filter_map(|l| l.trim().strip_prefix("channel"))
        .filter_map(|rest| rest.trim_start().strip_prefix('='))
        .find_map(|rest| rest.trim().strip_prefix('"').and_then(|r| r.split('"').next()))
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| "rust-toolchain.toml has no `channel = \"X.Y.Z\"`".to_owned())
}

/// Whether `rustc -V` printed the stable release `pinned` (`rustc 1.95.0 (59807616e 2026-04-14)`); a nightly,
/// beta or dev build of the same number is another compiler.
pub fn is_release(version: &str, pinned: &str) -> bool {
    version.strip_prefix("rustc ").and_then(|v| v.strip_prefix(pinned)).is_some_and(|rest| rest.starts_with(" ("))
}

/// The compiler cargo runs: `$RUSTC` if set, else `rustc` (rustup's proxy, which follows `rust-toolchain.toml`
/// and a `cargo +toolchain` of the caller).
fn rustc() -> Command {
    let mut c = Command::new(std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into()));
    c.current_dir(root());
    c
}

/// Compiles an empty `no_std` library for wasm32 with the size-tuned build's unstable rustflags and its
/// `#[optimize]` attribute (metadata only: a few milliseconds), and has cargo read the build's `-Z` flags
/// (`cargo metadata`, which refuses a `-Z` flag it does not know). The error is the tool's first line.
fn probe_unstable_flags() -> Result {
    let dir = root().join("target").join("toolchain-probe");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let source = dir.join("probe.rs");
    crate::package::write(
        &source,
        "#![no_std]\n#![cfg_attr(mde_size, feature(optimize_attribute))]\n\
         #[cfg_attr(mde_size, optimize(speed))]\npub fn probe() {}\n",
    )?;
    let mut rustc = rustc();
    rustc
        .env("RUSTC_BOOTSTRAP", "1")
        .args(["--crate-type=lib", "--crate-name=probe", "--emit=metadata", "--edition=2021"])
        .args(["--target", "wasm32-unknown-unknown"])
        .args(crate::package::BUILD_STD_RUSTFLAGS)
        .arg("--out-dir")
        .arg(&dir)
        .arg(&source);
    quietly(&mut rustc)?;
    let mut cargo = crate::cargo();
    cargo.env("RUSTC_BOOTSTRAP", "1").args(crate::package::BUILD_STD_ARGS).args([
        "metadata",
        "--no-deps",
        "--format-version=1",
    ]);
    quietly(&mut cargo)
}

/// Runs `cmd`, keeping its output; the first line of its stderr when it fails.
fn quietly(cmd: &mut Command) -> Result {
    let out = cmd.stdin(Stdio::null()).output().map_err(|e| format!("could not start: {e}"))?;
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    Err(stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("failed without a message").trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_pinned_channel() {
        let toml = "# the compiler\n[toolchain]\nchannel = \"1.95.0\"\ncomponents = [\"rust-src\"]\n";
        assert_eq!(pinned_channel(toml).unwrap(), "1.95.0");
        assert_eq!(pinned_channel("[toolchain]\nchannel=\"1.92.1\"").unwrap(), "1.92.1");
        assert!(pinned_channel("[toolchain]\ncomponents = []\n").is_err());
        assert!(pinned_channel("channel = \"\"").is_err());
    }

    #[test]
    fn only_the_pinned_release_is_the_pinned_compiler() {
        assert!(is_release("rustc 1.95.0 (59807616e 2026-04-14)", "1.95.0"));
        assert!(!is_release("rustc 1.95.0-nightly (abcdef012 2026-02-20)", "1.95.0"));
        assert!(!is_release("rustc 1.95.0-beta.3 (abcdef012 2026-03-20)", "1.95.0"));
        assert!(!is_release("rustc 1.95.01 (abcdef012 2026-03-20)", "1.95.0"));
        assert!(!is_release("rustc 1.91.1 (ed61e7d7e 2025-11-07)", "1.95.0"));
        assert!(!is_release("1.95.0 (59807616e 2026-04-14)", "1.95.0"));
    }

    /// `1.95.0` as numbers.
    fn numbers(version: &str) -> Vec<u32> {
        version.split('.').map(|n| n.parse().unwrap()).collect()
    }

    #[test]
    fn the_pinned_release_is_no_older_than_rust_version() {
        let pinned = pinned_channel(&std::fs::read_to_string(root().join("rust-toolchain.toml")).unwrap()).unwrap();
        assert_eq!(numbers(&pinned).len(), 3, "a release, not a channel name: {pinned}");
        let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
        let msrv = manifest.lines().find_map(|l| l.strip_prefix("rust-version = \"")).unwrap().trim_end_matches('"');
        assert!(numbers(msrv) <= numbers(&pinned), "rust-version {msrv} is newer than the pinned {pinned}");
    }
}
