//! `cargo xtask fuzz [SECONDS] [TARGET...]`: builds the fuzz targets of `fuzz/` (cargo-fuzz, libFuzzer) and runs
//! each for SECONDS (default 60), one after the other, then prints a table of what each did (runs, speed, corpus,
//! peak memory). It fails when a target finds an input that panics (an invariant of `crates/mde-invariants` that
//! does not hold, or a panic in mde-core), takes longer than [`TIMEOUT_S`] on one input, or needs more than
//! [`RSS_LIMIT_MB`] of memory; the input is kept in `target/fuzz/artifacts/<target>/`, and becomes a regression
//! test (a seed in `fuzz/seeds/<target>/`, replayed by `cargo test -p mde-invariants`).
//!
//! Not part of `cargo xtask test`. Each target starts from its seeds (`fuzz/seeds/<target>`, read only) and the
//! corpus of earlier runs (`target/fuzz/corpus/<target>`, where new inputs go), with the dictionary
//! `fuzz/dicts/<target>.dict` when there is one; logs are in `target/fuzz/logs/`.
//!
//! The toolchain: cargo-fuzz ([`CARGO_FUZZ`], installed from crates.io into `target/tools/cargo-fuzz` if missing)
//! builds with AddressSanitizer, whose `-Zsanitizer` flag the stable compiler accepts under `RUSTC_BOOTSTRAP=1`
//! (this is not the product's build). Where that build fails (a compiler that no longer takes the flag), the
//! targets are built without a sanitizer (`--sanitizer none`, only stable flags) and the run says so: mde-core has
//! no `unsafe` code, so the sanitizer mainly guards the standard library.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::{root, run, Result};

/// The cargo-fuzz version installed into `target/tools/cargo-fuzz`.
const CARGO_FUZZ: &str = "0.13.2";
/// libFuzzer's `-rss_limit_mb` (and so its `-malloc_limit_mb`): more is a failure.
const RSS_LIMIT_MB: u32 = 2048;
/// libFuzzer's `-timeout`, in seconds for one input: longer is a failure.
const TIMEOUT_S: u32 = 10;
/// Seconds per target when none are given.
const DEFAULT_SECONDS: u64 = 60;

fn fuzz_dir() -> PathBuf {
    root().join("fuzz")
}

fn work_dir() -> PathBuf {
    root().join("target").join("fuzz")
}

/// The cargo-fuzz binary, installed if it is missing or another version.
fn ensure_cargo_fuzz() -> Result<PathBuf> {
    let dir = root().join("target").join("tools").join("cargo-fuzz");
    let bin = dir.join("bin").join("cargo-fuzz");
    let version = |bin: &Path| {
        Command::new(bin)
            .args(["fuzz", "--version"])
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    let wanted = format!("cargo-fuzz {CARGO_FUZZ}");
    if version(&bin).as_deref() == Some(wanted.as_str()) {
        return Ok(bin);
    }
    run(
        &format!("cargo install cargo-fuzz {CARGO_FUZZ} (into target/tools/cargo-fuzz)"),
        Command::new("cargo").args(["install", "cargo-fuzz", "--version", CARGO_FUZZ, "--root"]).arg(&dir),
    )?;
    match version(&bin) {
        Some(v) if v == wanted => Ok(bin),
        other => Err(format!("{}: expected {wanted}, got {other:?}", bin.display())),
    }
}

/// The targets: `fuzz/fuzz_targets/*.rs`, sorted.
fn targets() -> Result<Vec<String>> {
    let dir = fuzz_dir().join("fuzz_targets");
    let mut names = Vec::new();
    for entry in fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.extension().is_some_and(|e| e == "rs") {
            names.extend(path.file_stem().and_then(|s| s.to_str()).map(str::to_owned));
        }
    }
    names.sort();
    Ok(names)
}

/// `cargo fuzz <sub> -O --target-dir target/fuzz/build [--sanitizer none]`.
fn cargo_fuzz(bin: &Path, sub: &str, sanitizer: bool) -> Command {
    let mut c = Command::new(bin);
    c.current_dir(root()).args(["fuzz", sub, "-O", "--target-dir"]).arg(work_dir().join("build"));
    if sanitizer {
        c.env("RUSTC_BOOTSTRAP", "1");
    } else {
        c.args(["--sanitizer", "none"]);
    }
    c
}

/// What libFuzzer said at the end of a run.
#[derive(Default)]
struct Stats {
    runs: u64,
    seconds: u64,
    per_second: u64,
    new_units: u64,
    peak_rss_mb: u64,
    slowest_s: u64,
}

fn stats(log: &str) -> Stats {
    let stat = |key: &str| {
        log.lines().find_map(|l| l.strip_prefix(key)).and_then(|v| v.trim().parse::<u64>().ok()).unwrap_or(0)
    };
    let seconds = log
        .lines()
        .find_map(|l| l.strip_prefix("Done ").and_then(|r| r.split(" runs in ").nth(1)))
        .and_then(|r| r.split_whitespace().next())
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Stats {
        runs: stat("stat::number_of_executed_units:"),
        seconds,
        per_second: stat("stat::average_exec_per_sec:"),
        new_units: stat("stat::new_units_added:"),
        peak_rss_mb: stat("stat::peak_rss_mb:"),
        slowest_s: stat("stat::slowest_unit_time_sec:"),
    }
}

fn count_files(dir: &Path) -> usize {
    fs::read_dir(dir).map(|d| d.count()).unwrap_or(0)
}

pub fn fuzz(args: &[String]) -> Result {
    let seconds = match args.first() {
        Some(s) => {
            s.parse::<u64>().map_err(|_| format!("usage: cargo xtask fuzz [SECONDS] [TARGET...]; not seconds: {s}"))?
        }
        None => DEFAULT_SECONDS,
    };
    let all = targets()?;
    let chosen: Vec<String> = if args.len() > 1 { args[1..].to_vec() } else { all.clone() };
    if let Some(unknown) = chosen.iter().find(|t| !all.contains(t)) {
        return Err(format!("no fuzz target {unknown}; known: {}", all.join(", ")));
    }
    let bin = ensure_cargo_fuzz()?;
    let sanitizer =
        match run("cargo fuzz build (AddressSanitizer, RUSTC_BOOTSTRAP=1)", &mut cargo_fuzz(&bin, "build", true)) {
            Ok(()) => true,
            Err(e) => {
                eprintln!("warning: {e}; building the fuzz targets without a sanitizer (stable flags only)");
                run("cargo fuzz build --sanitizer none", &mut cargo_fuzz(&bin, "build", false))?;
                false
            }
        };
    let logs = work_dir().join("logs");
    fs::create_dir_all(&logs).map_err(|e| format!("{}: {e}", logs.display()))?;
    let mut rows = Vec::new();
    let mut failed = Vec::new();
    for target in &chosen {
        let corpus = work_dir().join("corpus").join(target);
        let artifacts = work_dir().join("artifacts").join(target);
        for dir in [&corpus, &artifacts] {
            fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        let log_path = logs.join(format!("{target}.log"));
        let log_file = fs::File::create(&log_path).map_err(|e| format!("{}: {e}", log_path.display()))?;
        let mut cmd = cargo_fuzz(&bin, "run", sanitizer);
        cmd.arg(target).arg(&corpus).arg(fuzz_dir().join("seeds").join(target)).arg("--").args([
            format!("-max_total_time={seconds}"),
            format!("-rss_limit_mb={RSS_LIMIT_MB}"),
            format!("-timeout={TIMEOUT_S}"),
            format!("-artifact_prefix={}/", artifacts.display()),
            "-print_final_stats=1".to_owned(),
        ]);
        let dict = fuzz_dir().join("dicts").join(format!("{target}.dict"));
        if dict.exists() {
            cmd.arg(format!("-dict={}", dict.display()));
        }
        eprintln!("==> fuzz {target} for {seconds} s (log: {})", log_path.display());
        let status = cmd
            .stdout(Stdio::from(log_file.try_clone().map_err(|e| e.to_string())?))
            .stderr(Stdio::from(log_file))
            .status()
            .map_err(|e| format!("cargo fuzz run {target}: {e}"))?;
        let log = fs::read_to_string(&log_path).unwrap_or_default();
        let s = stats(&log);
        let outcome = if status.success() { "ok" } else { "FAILED" };
        if !status.success() {
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            eprintln!("{}", tail.into_iter().rev().collect::<Vec<_>>().join("\n"));
            failed.push(format!("{target} ({status}; the input is in {})", artifacts.display()));
        }
        rows.push(format!(
            "| `{target}` | {} s | {} | {}/s | {} | {} | {} MB | {} s | {outcome} |",
            s.seconds,
            s.runs,
            s.per_second,
            s.new_units,
            count_files(&corpus),
            s.peak_rss_mb,
            s.slowest_s,
        ));
    }
    println!(
        "\nfuzzing with {}, {seconds} s per target, -rss_limit_mb={RSS_LIMIT_MB} -timeout={TIMEOUT_S}:\n",
        if sanitizer { "AddressSanitizer" } else { "no sanitizer" }
    );
    println!("| target | ran | inputs run | speed | new inputs | corpus | peak RSS | slowest input | result |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for row in rows {
        println!("{row}");
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("fuzzing found failures: {}", failed.join("; ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_libfuzzers_final_stats() {
        let log = "#2 INITED\nDone 395448 runs in 31 second(s)\nstat::number_of_executed_units: 395448\n\
                   stat::average_exec_per_sec:     12756\nstat::new_units_added:          5877\n\
                   stat::slowest_unit_time_sec:    0\nstat::peak_rss_mb:              506\n";
        let s = stats(log);
        assert_eq!(
            (s.runs, s.seconds, s.per_second, s.new_units, s.peak_rss_mb, s.slowest_s),
            (395448, 31, 12756, 5877, 506, 0)
        );
        assert_eq!(stats("crashed").runs, 0);
    }

    #[test]
    fn every_target_has_seeds() {
        for t in targets().unwrap() {
            assert!(count_files(&fuzz_dir().join("seeds").join(&t)) > 0, "{t}");
        }
    }
}
