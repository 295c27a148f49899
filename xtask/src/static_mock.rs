//! `cargo xtask static-mock`: the native `mde-mock` as one static Linux binary (`x86_64-unknown-linux-musl`,
//! `+crt-static`) for container images, in `target/container/` beside a copy of `mock-server/Dockerfile`
//! (`FROM scratch`), so that `docker build -t mde-mock target/container` sends a two-file context.
//!
//! [`test`] (run by `cargo xtask test`) checks that the binary is static (its ELF program headers have no
//! interpreter; `file` and `ldd` agree when installed) and serves from a directory holding nothing else: it runs
//! it as the Dockerfile says (its `COPY` destination, `ENV` and `ENTRYPOINT`) inside a `chroot` of that
//! directory with an empty environment, when running as root; otherwise (no chroot without root) with `env -i`
//! semantics and that directory as the working directory, and it says so. It asks for a page over loopback,
//! then stops the mock with SIGTERM and expects exit code 0. No image is built or run (no container engine
//! here).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::{cargo, root, run, Result};

const TARGET: &str = "x86_64-unknown-linux-musl";

fn ensure_target() -> Result {
    let out = Command::new("rustup").args(["target", "list", "--installed"]).output();
    match out {
        Ok(o) if String::from_utf8_lossy(&o.stdout).lines().any(|l| l.trim() == TARGET) => Ok(()),
        _ => run(&format!("rustup target add {TARGET}"), Command::new("rustup").args(["target", "add", TARGET])),
    }
}

/// Builds the static binary and fills `target/container/`; returns the binary's path there.
pub fn build() -> Result<PathBuf> {
    ensure_target()?;
    run(
        &format!("cargo build --release -p mde-mock --bin mde-mock --target {TARGET} (+crt-static)"),
        cargo()
            .args(["build", "--release", "-p", "mde-mock", "--bin", "mde-mock", "--target", TARGET])
            .env("CARGO_TARGET_X86_64_UNKNOWN_LINUX_MUSL_RUSTFLAGS", "-C target-feature=+crt-static"),
    )?;
    let built = root().join("target").join(TARGET).join("release").join("mde-mock");
    if !is_static(&std::fs::read(&built).map_err(|e| format!("{}: {e}", built.display()))?)? {
        return Err(format!("{} is not static (RUSTFLAGS set? it overrides the target's flags)", built.display()));
    }
    let dir = root().join("target").join("container");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let binary = dir.join("mde-mock");
    std::fs::copy(&built, &binary).map_err(|e| format!("{}: {e}", binary.display()))?;
    std::fs::copy(root().join("mock-server/Dockerfile"), dir.join("Dockerfile"))
        .map_err(|e| format!("Dockerfile: {e}"))?;
    Ok(binary)
}

/// `cargo xtask static-mock`: builds, prints where.
pub fn static_mock() -> Result {
    let binary = build()?;
    let size = std::fs::metadata(&binary).map(|m| m.len()).unwrap_or(0);
    println!("{} ({:.1} MB, static)", binary.display(), size as f64 / 1e6);
    println!(
        "docker build -t mde-mock {}",
        binary.parent().map(Path::display).map(|d| d.to_string()).unwrap_or_default()
    );
    Ok(())
}

/// Whether an ELF64 little-endian executable has no program interpreter (`PT_INTERP`): the kernel runs it
/// without a dynamic loader, so it needs no file outside itself.
fn is_static(elf: &[u8]) -> Result<bool> {
    let u16_at = |o: usize| elf.get(o..o + 2).map(|b| u16::from_le_bytes([b[0], b[1]]));
    let u32_at = |o: usize| elf.get(o..o + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    let u64_at =
        |o: usize| elf.get(o..o + 8).map(|b| u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]));
    if elf.get(..6) != Some(b"\x7fELF\x02\x01".as_slice()) {
        return Err("not an ELF64 little-endian file".into());
    }
    let (Some(phoff), Some(phentsize), Some(phnum)) = (u64_at(0x20), u16_at(0x36), u16_at(0x38)) else {
        return Err("truncated ELF header".into());
    };
    const PT_INTERP: u32 = 3;
    for i in 0..usize::from(phnum) {
        let at = usize::try_from(phoff).map_err(|_| "bad e_phoff")? + i * usize::from(phentsize);
        match u32_at(at) {
            Some(PT_INTERP) => return Ok(false),
            Some(_) => {}
            None => return Err("truncated program headers".into()),
        }
    }
    Ok(true)
}

/// What the test takes from the Dockerfile: where the binary goes, the environment, the entry point.
#[derive(Debug, PartialEq)]
struct Image {
    copy_to: String,
    env: Vec<(String, String)>,
    entrypoint: Vec<String>,
}

/// Reads the few instructions the Dockerfile uses (`FROM scratch`, `COPY`, `ENV K=V`, `EXPOSE`, `ENTRYPOINT`
/// in exec form); anything else is an error, so the test and the file cannot drift apart unnoticed.
fn parse_dockerfile(text: &str) -> Result<Image> {
    let mut image = Image { copy_to: String::new(), env: Vec::new(), entrypoint: Vec::new() };
    let mut from_scratch = false;
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let (instruction, rest) = line.split_once(' ').unwrap_or((line, ""));
        match instruction {
            "FROM" => from_scratch = rest.trim() == "scratch",
            "COPY" => match rest.split_whitespace().collect::<Vec<_>>()[..] {
                ["mde-mock", to] => image.copy_to = to.to_string(),
                _ => return Err(format!("Dockerfile: unexpected COPY {rest}")),
            },
            "ENV" => {
                let (k, v) =
                    rest.trim().split_once('=').ok_or_else(|| format!("Dockerfile: ENV {rest}: K=V expected"))?;
                image.env.push((k.to_string(), v.to_string()));
            }
            "EXPOSE" => {}
            "ENTRYPOINT" => {
                let inner = rest.trim().strip_prefix('[').and_then(|r| r.strip_suffix(']'));
                let inner = inner.ok_or_else(|| format!("Dockerfile: ENTRYPOINT {rest}: exec form expected"))?;
                image.entrypoint = inner.split(',').map(|a| a.trim().trim_matches('"').to_string()).collect();
            }
            other => return Err(format!("Dockerfile: instruction {other} not expected by the test")),
        }
    }
    if !from_scratch || image.copy_to.is_empty() || image.entrypoint.first() != Some(&image.copy_to) {
        return Err(format!("Dockerfile: expected FROM scratch and an ENTRYPOINT of the copied binary: {image:?}"));
    }
    Ok(image)
}

/// Whether this process runs as root (read from `/proc`, no libc call).
fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("Uid:")).map(|l| l.split_whitespace().nth(1) == Some("0")))
        .unwrap_or(false)
}

/// The test of the static binary (see the module's documentation).
pub fn test() -> Result {
    let binary = build()?;
    let bytes = std::fs::read(&binary).map_err(|e| format!("{}: {e}", binary.display()))?;
    if !is_static(&bytes)? {
        return Err("the mock's binary has a program interpreter: not static".into());
    }
    for (tool, static_words) in [
        ("file", ["statically linked", "static-pie linked"]),
        ("ldd", ["statically linked", "not a dynamic executable"]),
    ] {
        if let Ok(out) = Command::new(tool).arg(&binary).output() {
            let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
            if !static_words.iter().any(|w| text.contains(w)) {
                return Err(format!("{tool} does not call the binary static: {text}"));
            }
            eprintln!("    {tool}: {}", text.trim());
        }
    }
    let image =
        parse_dockerfile(&std::fs::read_to_string(root().join("mock-server/Dockerfile")).map_err(|e| e.to_string())?)?;

    // An empty directory with the binary alone, where the Dockerfile puts it.
    let dir = std::env::temp_dir().join(format!("mde-mock-static-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let inside = dir.join(image.copy_to.trim_start_matches('/'));
    std::fs::create_dir_all(inside.parent().unwrap_or(&dir)).map_err(|e| e.to_string())?;
    std::fs::copy(&binary, &inside).map_err(|e| e.to_string())?;
    let result = serve_from(&dir, &image);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn serve_from(dir: &Path, image: &Image) -> Result {
    // The image's environment, except that the test listens on loopback only and on a free port.
    let mut env: Vec<(String, String)> = image.env.iter().filter(|(k, _)| k != "MDE_MOCK_HOST").cloned().collect();
    env.push(("MDE_MOCK_HOST".into(), "127.0.0.1".into()));
    env.push(("MDE_MOCK_PORT".into(), "0".into()));
    env.push(("MDE_MOCK_COUNT".into(), "50".into()));
    let args = &image.entrypoint[1..];
    // The program is looked up before the environment is cleared (an empty PATH would find nothing).
    let chroot = find_on_path("chroot");
    let mut cmd = if let (true, Some(chroot)) = (is_root(), chroot) {
        eprintln!("    chroot {} {} (empty environment but the image's)", dir.display(), image.entrypoint[0]);
        let mut c = Command::new(chroot);
        c.arg(dir).arg(&image.entrypoint[0]).args(args);
        c
    } else {
        eprintln!(
            "    not root, so no chroot: {} with an empty environment (but the image's) in that directory",
            image.entrypoint[0]
        );
        let mut c = Command::new(dir.join(image.entrypoint[0].trim_start_matches('/')));
        c.args(args).current_dir(dir);
        c
    };
    cmd.env_clear().envs(env).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().map_err(|e| format!("cannot start the static mock: {e}"))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(|l| l.ok()) {
            let _ = tx.send(line);
        }
    });
    let outcome = (|| -> Result {
        let line = rx.recv_timeout(Duration::from_secs(20)).map_err(|_| "no ready line within 20 s")?;
        let addr = line
            .strip_prefix("mde-mock listening on http://")
            .ok_or_else(|| format!("unexpected first line: {line}"))?
            .to_string();
        let answer = get(&addr, "/api/investigations?$top=3")?;
        if !answer.starts_with("HTTP/1.1 200") || answer.matches("\"id\":").count() != 3 {
            return Err(format!("unexpected answer: {}", &answer[..answer.len().min(300)]));
        }
        eprintln!("    {line}; GET /api/investigations?$top=3: 200 with 3 investigations");
        Ok(())
    })();
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Ok(Some(status)) = child.try_wait() {
            break Some(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut stderr);
    }
    outcome.map_err(|e| format!("{e}; stderr: {stderr}"))?;
    match status {
        Some(s) if s.success() => {
            eprintln!("    stopped by SIGTERM: exit code 0");
            Ok(())
        }
        Some(s) => Err(format!("the static mock exited with {s} after SIGTERM; stderr: {stderr}")),
        None => Err("the static mock did not stop within 10 s of SIGTERM".into()),
    }
}

/// A program's path, from this process's `PATH` (and `/usr/sbin`, `/sbin`).
fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/sbin")])
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// One GET over a fresh connection with `Connection: close`; the whole answer as text.
fn get(addr: &str, path: &str) -> Result<String> {
    let mut s = TcpStream::connect(addr).map_err(|e| format!("connect {addr}: {e}"))?;
    s.set_read_timeout(Some(Duration::from_secs(10))).map_err(|e| e.to_string())?;
    write!(s, "GET {path} HTTP/1.1\r\nhost: {addr}\r\nauthorization: Bearer t\r\nconnection: close\r\n\r\n")
        .map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).map_err(|e| e.to_string())?;
    Ok(String::from_utf8_lossy(&raw).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dockerfile_is_read() {
        let image = parse_dockerfile(
            "# c\nFROM scratch\nCOPY mde-mock /mde-mock\nENV MDE_MOCK_HOST=0.0.0.0\nEXPOSE 4010\nENTRYPOINT [\"/mde-mock\"]\n",
        )
        .unwrap();
        assert_eq!(
            image,
            Image {
                copy_to: "/mde-mock".into(),
                env: vec![("MDE_MOCK_HOST".into(), "0.0.0.0".into())],
                entrypoint: vec!["/mde-mock".into()]
            }
        );
        assert!(parse_dockerfile("FROM debian\nCOPY mde-mock /m\nENTRYPOINT [\"/m\"]\n").is_err());
        assert!(parse_dockerfile("FROM scratch\nCOPY mde-mock /m\nRUN x\nENTRYPOINT [\"/m\"]\n").is_err());
        assert!(parse_dockerfile(&std::fs::read_to_string(root().join("mock-server/Dockerfile")).unwrap()).is_ok());
    }

    #[test]
    fn static_means_no_interpreter() {
        // Minimal ELF64 headers: one program header, PT_LOAD (1) or PT_INTERP (3).
        let elf = |p_type: u32| {
            let mut b = vec![0u8; 64 + 56];
            b[..6].copy_from_slice(b"\x7fELF\x02\x01");
            b[0x20..0x28].copy_from_slice(&64u64.to_le_bytes());
            b[0x36..0x38].copy_from_slice(&56u16.to_le_bytes());
            b[0x38..0x3a].copy_from_slice(&1u16.to_le_bytes());
            b[64..68].copy_from_slice(&p_type.to_le_bytes());
            b
        };
        assert!(is_static(&elf(1)).unwrap());
        assert!(!is_static(&elf(3)).unwrap());
        assert!(is_static(b"#!/bin/sh\n").is_err());
        assert!(is_static(&elf(1)[..66]).is_err());
        // The xtask itself is linked against the system's libc: it has an interpreter.
        let me = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        assert!(!is_static(&me).unwrap());
    }
}
