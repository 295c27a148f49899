// Installed as users install it: the packed tarballs (mde-mock and mde-investigations) are published to a local
// npm registry on loopback (verdaccio, with no uplinks: nothing leaves the machine, and nothing but these two
// packages can be installed from it), then installed from it into new projects, as a team's CI would: `npm
// install`, `npm ci` from the lockfile that made (in a fresh copy of the project), and pnpm. In each project, with
// a PATH that has no `cargo` or `rustc` (a machine without Rust): `npx mde-mock --port 0` prints the ready line
// and answers a request, and the handler lists everything through the client (`mde-investigations`' `fetch`
// option).
//
// Run by `cargo xtask test` (xtask/src/registry.rs), which gives: VERDACCIO (the installed package's folder),
// PNPM (pnpm's bin script), MDE_MOCK_TGZ and MDE_CLIENT_TGZ (the packed tarballs), and a PATH without Rust.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { accessSync, constants, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

const { VERDACCIO, PNPM, MDE_MOCK_TGZ, MDE_CLIENT_TGZ } = process.env;
const NOW = '2026-11-01T00:00:00Z';

const work = mkdtempSync(join(tmpdir(), 'mde-registry-'));
const children = new Set();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

/** Runs `cmd args` in `cwd` to its end; rejects with its output when it fails. */
async function run(cmd, args, { cwd, env = {} } = {}) {
  const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const [code] = await once(child, 'close');
  children.delete(child);
  if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) exited with ${code}:\n${out}`);
  return out;
}

/** Starts `cmd args`; resolves with the child and its first stdout line. */
async function startWithLine(cmd, args, { cwd, env = {}, detached = false } = {}) {
  const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const line = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${cmd} ${args.join(' ')}: no line in 60 s; stderr: ${err}`)), 60_000);
    let raw = '';
    child.stdout.on('data', (d) => {
      raw += d;
      const nl = raw.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(raw.slice(0, nl));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${cmd} ${args.join(' ')} exited with ${code} first; stderr: ${err}`));
    });
  });
  return { child, line, stderr: () => err };
}

/** Whether something accepts connections on `url`'s port. */
function listening(url) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

let registry; // { url, child }
/** A proxy on port 9 of 127.0.0.1 (discard), where nothing listens here: connections to it are refused. */
const DEAD_PROXY = 'http://127.0.0.1:9';

before(async () => {
  for (const [name, value] of Object.entries({ VERDACCIO, PNPM, MDE_MOCK_TGZ, MDE_CLIENT_TGZ })) {
    assert.ok(value, `${name} is not set (run: cargo xtask test)`);
  }
  const storage = join(work, 'storage');
  mkdirSync(storage);
  // No `uplinks`: the registry proxies no other registry. Anyone may read and publish (it is on loopback only,
  // for the life of this test).
  const config = {
    self_path: work,
    storage,
    auth: { htpasswd: { file: join(work, 'htpasswd'), max_users: -1 } },
    uplinks: {},
    packages: { '**': { access: '$all', publish: '$all', unpublish: '$all' } },
    log: { type: 'stdout', format: 'pretty', level: 'error' },
    web: { enable: false },
  };
  // verdaccio's own server factory, listening on port 0 of 127.0.0.1 and printing the port it got.
  const launcher = `
    const { runServer } = require(${JSON.stringify(VERDACCIO)});
    runServer(${JSON.stringify(config)}).then((app) => {
      const server = app.listen(0, '127.0.0.1', () => console.log('port ' + server.address().port));
    });`;
  const { child, line } = await startWithLine(process.execPath, ['-e', launcher], { cwd: work });
  const port = /^port (\d+)$/.exec(line)?.[1];
  assert.ok(port, `verdaccio: ${line}`);
  registry = { url: `http://127.0.0.1:${port}/`, child };
  // Publish both packages (verdaccio wants a token for a publish, any one: publish is open to all here).
  const npmrc = join(work, 'publish.npmrc');
  writeFileSync(npmrc, `//127.0.0.1:${port}/:_authToken=local-test\n`);
  for (const tgz of [MDE_MOCK_TGZ, MDE_CLIENT_TGZ]) {
    await run('npm', ['publish', '--registry', registry.url, '--userconfig', npmrc, tgz], { cwd: work, env: npmEnv(work) });
  }
});

after(async () => {
  if (registry && registry.child.exitCode === null) {
    const exited = once(registry.child, 'exit');
    registry.child.kill('SIGTERM');
    await exited;
  }
});

/** A new project that installs from the local registry only; its own npm cache (nothing cached elsewhere is used). */
function newProject(name) {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name, private: true, type: 'module' }, null, 2)}\n`);
  writeFileSync(join(dir, '.npmrc'), `registry=${registry.url}\nupdate-notifier=false\naudit=false\nfund=false\n`);
  return dir;
}

/**
 * The npm settings of a project's commands: a cache of its own, and a proxy where nothing listens for every host but
 * 127.0.0.1, so that a request meant for another registry fails instead of leaving the machine.
 */
const npmEnv = (dir) => ({
  npm_config_cache: join(dir, '.npm-cache'),
  npm_config_update_notifier: 'false',
  npm_config_proxy: DEAD_PROXY,
  npm_config_https_proxy: DEAD_PROXY,
  npm_config_noproxy: '127.0.0.1',
});

/** The checks a user would make: the bin through npx, and the handler behind the client. */
async function usable(dir) {
  // npx mde-mock --port 0: the ready line, an answer, and a clean exit on SIGTERM. npm does not pass a SIGTERM sent
  // to it alone on to the bin (https://github.com/npm/cli/issues/6684): the process group gets it, as a terminal's
  // Ctrl-C or a CI runner's job cancellation sends it.
  const m = await startWithLine('npx', ['--no-install', 'mde-mock', '--port', '0', '--count', '40', '--seed', '2', '--now', NOW], {
    cwd: dir,
    env: npmEnv(dir),
    detached: true,
  });
  try {
    const url = /^mde-mock listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(m.line)?.[1];
    assert.ok(url, `the ready line: ${m.line}`);
    const r = await fetch(`${url}/api/investigations?$top=5`, { headers: { authorization: 'Bearer t' } });
    assert.equal(r.status, 200);
    assert.equal((await r.json()).value.length, 5);
    const exited = once(m.child, 'exit');
    process.kill(-m.child.pid, 'SIGTERM');
    const [code, signal] = await exited;
    assert.ok(code === 0 || signal === 'SIGTERM', `npx exited with ${code} ${signal}; stderr: ${m.stderr()}`);
    // Nothing of it is left listening.
    let gone = false;
    for (let i = 0; i < 100 && !gone; i++) {
      gone = !(await listening(url));
      if (!gone) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.ok(gone, 'mde-mock still listens after npx ended');
  } finally {
    // The whole group (npx, npm's shell, node), whatever happened.
    try {
      process.kill(-m.child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  // The bin's link in node_modules/.bin, started directly, is the mock's own process: a SIGTERM to it alone stops it.
  const direct = await startWithLine(join(dir, 'node_modules', '.bin', 'mde-mock'), ['--port', '0', '--count', '3'], { cwd: dir });
  try {
    assert.match(direct.line, /^mde-mock listening on http:\/\/127\.0\.0\.1:\d+$/);
    const exited = once(direct.child, 'exit');
    direct.child.kill('SIGTERM');
    assert.deepEqual(await exited, [0, null], `stderr: ${direct.stderr()}`);
  } finally {
    direct.child.kill('SIGKILL');
  }
  // The handler behind the client, in the project (its own node_modules resolve the two packages).
  writeFileSync(
    join(dir, 'list.mjs'),
    `import { createMockApi } from 'mde-mock';
import { InvestigationsClient } from 'mde-investigations';
const api = await createMockApi({ count: 1234, seed: 5, now: '${NOW}' });
const client = new InvestigationsClient({ baseUrl: 'https://api.security.microsoft.com', token: 't', fetch: api.fetch });
const ids = [];
for await (const item of client.list({ pageSize: 500 })) ids.push(item.id);
const expected = api.investigations().map((i) => i.id);
if (JSON.stringify(ids) !== JSON.stringify(expected)) throw new Error('the client did not list what the mock holds');
console.log('listed ' + ids.length);
`,
  );
  assert.equal((await run(process.execPath, ['list.mjs'], { cwd: dir })).trim(), 'listed 1234');
}

/** The `sha512-...` integrity of a file, as lockfiles write it. */
const integrity = (path) => `sha512-${createHash('sha512').update(readFileSync(path)).digest('base64')}`;

/** The lockfile's integrity of each package, and the packed tarball's: the installed bytes are the packed ones. */
function installedIntegrity(lockText) {
  const lock = JSON.parse(lockText);
  return [
    [lock.packages['node_modules/mde-mock']?.integrity, integrity(MDE_MOCK_TGZ)],
    [lock.packages['node_modules/mde-investigations']?.integrity, integrity(MDE_CLIENT_TGZ)],
  ];
}

test('the machine has no Rust: no cargo, no rustc on the PATH', () => {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const tool of ['cargo', 'rustc']) {
    const found = dirs.filter((d) => {
      try {
        accessSync(join(d, tool), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
    assert.deepEqual(found, [], `${tool} is on the PATH`);
  }
});

test('the registry serves the two packages and nothing else (no uplinks); nothing else is reachable', async () => {
  for (const name of ['mde-mock', 'mde-investigations']) {
    const r = await fetch(`${registry.url}${name}`);
    assert.equal(r.status, 200, name);
  }
  assert.equal((await fetch(`${registry.url}left-pad`)).status, 404);
  // A package from elsewhere cannot come in: the project's npm has only this registry and the dead proxy.
  const dir = newProject('nothing-else');
  const noRetry = ['--fetch-retries', '0'];
  await assert.rejects(run('npm', ['install', ...noRetry, 'left-pad'], { cwd: dir, env: npmEnv(dir) }), /E404/);
  const elsewhere = ['install', ...noRetry, '--registry', 'https://registry.example.invalid/', 'left-pad'];
  await assert.rejects(run('npm', elsewhere, { cwd: dir, env: npmEnv(dir) }), /ECONNREFUSED/);
});

test('npm install from the registry, then npm ci from its lockfile in a fresh copy', async () => {
  const dir = newProject('with-npm');
  await run('npm', ['install', '--save-dev', 'mde-mock', 'mde-investigations'], { cwd: dir, env: npmEnv(dir) });
  const lock = readFileSync(join(dir, 'package-lock.json'), 'utf8');
  for (const [installed, packed] of installedIntegrity(lock)) assert.equal(installed, packed);
  await usable(dir);

  const copy = join(work, 'with-npm-ci');
  mkdirSync(copy);
  for (const file of ['package.json', 'package-lock.json', '.npmrc']) cpSync(join(dir, file), join(copy, file));
  await run('npm', ['ci'], { cwd: copy, env: npmEnv(copy) });
  assert.equal(readFileSync(join(copy, 'package-lock.json'), 'utf8'), lock, 'npm ci keeps the lockfile');
  await usable(copy);
});

test('pnpm add from the registry', async () => {
  const dir = newProject('with-pnpm');
  const pnpm = (args) =>
    run(process.execPath, [PNPM, ...args, '--store-dir', join(dir, '.pnpm-store')], {
      cwd: dir,
      env: { ...npmEnv(dir), XDG_CACHE_HOME: join(dir, '.cache'), XDG_DATA_HOME: join(dir, '.data'), XDG_STATE_HOME: join(dir, '.state') },
    });
  await pnpm(['add', '--save-dev', 'mde-mock', 'mde-investigations']);
  const lock = readFileSync(join(dir, 'pnpm-lock.yaml'), 'utf8');
  for (const tgz of [MDE_MOCK_TGZ, MDE_CLIENT_TGZ]) assert.ok(lock.includes(`integrity: ${integrity(tgz)}`), tgz);
  await usable(dir);
  // And again from the lockfile, frozen, as CI installs.
  rmSync(join(dir, 'node_modules'), { recursive: true });
  await pnpm(['install', '--frozen-lockfile']);
  await usable(dir);
});
