// `cargo xtask bench-mock-npm` (prints figures; not a test): issue 12's points 3 and 6 in one run. First how
// mde-mock's lists cross from the wasm module to JavaScript, on one module built with both ways (feature
// `serde-wasm-bindgen-bench`): a JSON text given to JSON.parse (what the package does) against serde-wasm-bindgen
// objects, for a journal of 100,000 entries, the 100,000 investigations, and options holding 100,000
// investigations. Then, on the package itself: a 10,000-item page through the handler; 1,000,000 investigations
// generated and filtered in wasm, beside the same calls of the native engine (MDE_MOCK_FILTER_BENCH, the example
// `filter_bench` of mde-mock-engine, run on every core and on one); full 10,000-item pages a second from the npm
// bin and from the native binary (MDE_MOCK_NATIVE, a release build), the same `wrk` for both, alternating; the
// package's sizes.
//
// Usage: node mock.bench.js BENCH_DIR PACKAGE_DIR (BENCH_DIR holds the bench module and its glue).
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const [benchDir, packageDir] = process.argv.slice(2);
const NOW = '2026-11-01T00:00:00Z';
const N = 100_000;
const RUNS = 11;

const wasm = await import(pathToFileURL(join(benchDir, 'mde_mock_wasm.js')).href);
wasm.initSync({ module: readFileSync(join(benchDir, 'mde_mock_wasm_bg.wasm')) });

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => `${x.toFixed(1)} ms`;

/** Runs `a` and `b` alternately (2 warm-ups, then RUNS each); returns their median times. */
function compare(a, b) {
  const times = [[], []];
  for (let i = 0; i < RUNS + 2; i++) {
    for (const [k, f] of [a, b].entries()) {
      const started = performance.now();
      f();
      if (i >= 2) times[k].push(performance.now() - started);
    }
  }
  return times.map(median);
}

function row(what, [json, swb]) {
  console.log(`| ${what} | ${ms(json)} | ${ms(swb)} | ${(swb / json).toFixed(2)} |`);
}

const limits = { perMinute: 4294967295, perHour: 4294967295 };
let started = performance.now();
const engine = new wasm.MockEngine(JSON.stringify({ count: N, seed: 1, now: NOW, ...limits }), Date.now());
console.log(`engine with ${N} generated investigations: ${ms(performance.now() - started)}`);
started = performance.now();
for (let i = 0; i < N; i++) {
  engine.handle(Date.now(), 'GET', '/api/investigations', '$top=1', 'Bearer t', undefined, 'api.test', 'https', new Uint8Array(0)).free();
}
console.log(`${N} calls of handle ($top=1, reply freed): ${ms(performance.now() - started)}`);

const journalJson = JSON.parse(engine.journalJson());
assert.equal(journalJson.length, N);
assert.deepEqual(engine.journalValue(), journalJson, 'both ways give the same journal');
const itemsJson = JSON.parse(engine.investigationsJson());
assert.deepEqual(engine.investigationsValue(), itemsJson, 'both ways give the same investigations');
const options = { investigations: itemsJson };
assert.equal(wasm.MockEngine.readOptionsJson(JSON.stringify(options)), N);
assert.equal(wasm.MockEngine.readOptionsValue(options), N);

console.log('\n| what crosses | JSON text + JSON.parse (kept) | serde-wasm-bindgen | ratio |');
console.log('| --- | --- | --- | --- |');
row(`journal, ${N} entries, wasm -> JS`, compare(() => JSON.parse(engine.journalJson()), () => engine.journalValue()));
row(`investigations, ${N}, wasm -> JS`, compare(() => JSON.parse(engine.investigationsJson()), () => engine.investigationsValue()));
row(
  `options with ${N} investigations, JS -> wasm (read, no engine)`,
  compare(() => wasm.MockEngine.readOptionsJson(JSON.stringify(options)), () => wasm.MockEngine.readOptionsValue(options)),
);

const { createMockApi } = await import(pathToFileURL(join(packageDir, 'index.node.js')).href);
const api = await createMockApi({ count: 10_000, seed: 1, now: NOW, ...limits });
const request = () => new Request('https://api.security.microsoft.com/api/investigations', { headers: { authorization: 'Bearer t' } });
const page = [];
const parsed = [];
let bytes = 0;
for (let i = 0; i < RUNS + 2; i++) {
  let t = performance.now();
  const body = await (await api.handle(request())).arrayBuffer();
  if (i >= 2) page.push(performance.now() - t);
  bytes = body.byteLength;
  t = performance.now();
  const items = (await (await api.handle(request())).json()).value;
  if (i >= 2) parsed.push(performance.now() - t);
  assert.equal(items.length, 10_000);
}
console.log(`\n10,000-item page (${bytes} bytes) through the package's handler, median of ${RUNS}: handle() + arrayBuffer() ${ms(median(page))}; handle() + json() ${ms(median(parsed))}`);

started = performance.now();
// OData 4.01 for the third filter's `in`, which 4.0 (the service's version, the default) does not have.
const big = new wasm.MockEngine(JSON.stringify({ count: 1_000_000, seed: 1, now: '2026-11-27T00:00:00Z', odata: '4.01', ...limits }), Date.now());
console.log(`\n1,000,000 investigations generated in wasm (seed 1, now 2026-11-27T00:00:00Z): ${ms(performance.now() - started)}`);
// The filters of the native benchmark (mock-server/examples/bench.rs, which takes the machine and the alert of
// the investigation at position 500,000); `$skip` past the end makes the engine scan every investigation.
const middle = big.handle(Date.now(), 'GET', '/api/investigations', '$skip=500000&$top=1', 'Bearer t', undefined, 'api.test', 'https', new Uint8Array(0));
const [sample] = JSON.parse(new TextDecoder().decode(middle.takeBody())).value;
middle.free();
const filters = [
  "startTime ge 2026-10-01T00:00:00Z and state eq 'Running'",
  `machineId eq '${sample.machineId}' or triggeringAlertId eq '${sample.triggeringAlertId}'`,
  "state in ('Benign', 'Failed', 'TerminatedByUser') and not (id lt '500000')",
  'startTime ge 2026-09-01T00:00:00Z and startTime lt 2026-09-08T00:00:00Z',
];
const wasmFilter = [];
for (const filter of filters) {
  const times = [];
  for (let i = 0; i < 7; i++) {
    const t = performance.now();
    const query = `$filter=${encodeURIComponent(filter)}&$skip=1000000&$top=1`;
    const reply = big.handle(Date.now(), 'GET', '/api/investigations', query, 'Bearer t', undefined, 'api.test', 'https', new Uint8Array(0));
    times.push(performance.now() - t);
    assert.equal(reply.status, 200, filter);
    reply.free();
  }
  wasmFilter.push(median(times));
}
big.free();

/** The native example's JSON lines: `{ generated_ms, threads }`, then `{ filter, median_ms }` per filter. */
function nativeFilters(command) {
  const lines = execFileSync(command[0], command.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const [head, ...rows] = lines;
  assert.deepEqual(rows.map((r) => r.filter), filters, 'the native example filters as this script does');
  return { generated: head.generated_ms, threads: head.threads, medians: rows.map((r) => r.median_ms) };
}
const filterBench = process.env.MDE_MOCK_FILTER_BENCH;
if (filterBench) {
  const all = nativeFilters([filterBench]);
  const one = nativeFilters(['taskset', '-c', '0', filterBench]);
  console.log(`\n1,000,000 investigations generated natively: ${ms(all.generated)} (${all.threads} threads available), ${ms(one.generated)} (on one core)`);
  console.log(`\n| filter over 1,000,000 (\`$skip\` past the end), median of 7 | wasm (Node, one thread) | native, ${all.threads} cores | wasm / native | native, one core | wasm / native one core |`);
  console.log('| --- | --- | --- | --- | --- | --- |');
  filters.forEach((filter, k) => {
    const w = wasmFilter[k];
    const [n, n1] = [all.medians[k], one.medians[k]];
    console.log(`| \`${filter}\` | ${ms(w)} | ${ms(n)} | ${(w / n).toFixed(2)} | ${ms(n1)} | ${(w / n1).toFixed(2)} |`);
  });
  const sum = (xs) => xs.reduce((a, b) => a + b, 0);
  console.log(`| all four (sum of medians) | ${ms(sum(wasmFilter))} | ${ms(sum(all.medians))} | **${(sum(wasmFilter) / sum(all.medians)).toFixed(2)}** | ${ms(sum(one.medians))} | **${(sum(wasmFilter) / sum(one.medians)).toFixed(2)}** |`);
} else {
  console.log('\n| filter over 1,000,000 in wasm | median of 7 |\n| --- | --- |');
  filters.forEach((filter, k) => console.log(`| \`${filter}\` | ${ms(wasmFilter[k])} |`));
  console.log('(MDE_MOCK_FILTER_BENCH unset: no native figures beside them)');
}

// Full 10,000-item pages a second: the npm bin and the native binary, the same flags, the same wrk.
const SERVER_FLAGS = ['--port', '0', '--count', '10000', '--seed', '1', '--now', '2026-11-27T00:00:00Z', '--per-minute', '4294967295', '--per-hour', '4294967295', '--window', 'fixed'];

/** Starts `command` and resolves with `{ child, url }` at its ready line. */
function startServer(command) {
  const child = spawn(command[0], [...command.slice(1), ...SERVER_FLAGS], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${command.join(' ')} exited (${code}) before its ready line`)));
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const ready = /listening on (http:\/\/\S+)/.exec(out);
      if (ready) {
        child.removeAllListeners('exit');
        resolve({ child, url: ready[1] });
      }
    });
  });
}

/** `wrk` against `url`'s full page: `{ perSecond, bytesPerSecond, errors }` (errors: non-2xx and socket errors). */
function wrk(url, connections, seconds) {
  const out = execFileSync('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '-H', 'Authorization: Bearer bench', `${url}/api/investigations?$top=10000`], { encoding: 'utf8' });
  const number = (re) => Number(re.exec(out)?.[1] ?? 0);
  const unit = { '': 1, K: 1e3, M: 1e6, G: 1e9 };
  const transfer = /Transfer\/sec:\s+([\d.]+)([KMG]?)B/.exec(out);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    perSecond: number(/Requests\/sec:\s+([\d.]+)/),
    bytesPerSecond: transfer ? Number(transfer[1]) * unit[transfer[2]] : 0,
    errors: number(/Non-2xx or 3xx responses: (\d+)/) + (socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0),
  };
}

const native = process.env.MDE_MOCK_NATIVE;
if (native) {
  const faces = [
    ['npm bin', [process.execPath, join(packageDir, 'bin', 'mde-mock.js')]],
    ['native binary', [native]],
  ];
  const servers = [];
  for (const [, command] of faces) servers.push(await startServer(command));
  try {
    // Both give the same page, apart from the port in `@odata.context`.
    const bodies = [];
    for (const { url } of servers) {
      const res = await fetch(`${url}/api/investigations?$top=10000`, { headers: { authorization: 'Bearer bench' } });
      bodies.push((await res.text()).replaceAll(new URL(url).host, 'HOST'));
    }
    assert.equal(bodies[0], bodies[1], 'the npm bin and the native binary give the same full page');
    const bytes = Buffer.byteLength(bodies[1]) - 'HOST'.length + new URL(servers[1].url).host.length;
    const ROUNDS = 3;
    const rates = faces.map(() => []);
    let errors = 0;
    for (let round = 0; round < ROUNDS; round++) {
      servers.forEach(({ url }, k) => {
        const r = wrk(url, 4, 4);
        rates[k].push(r.perSecond);
        errors += r.errors;
      });
    }
    const best = rates.map((xs) => Math.max(...xs));
    const mid = rates.map(median);
    console.log(`\nfull 10,000-item pages (${bytes} bytes) a second, \`wrk -t1 -c4 -d4s\`, ${ROUNDS} alternating rounds, --count 10000, limits raised:`);
    console.log('| face | each round | best | median |\n| --- | --- | --- | --- |');
    faces.forEach(([name], k) => console.log(`| ${name} | ${rates[k].map((r) => r.toFixed(0)).join(', ')} | ${best[k].toFixed(0)} | ${mid[k].toFixed(0)} |`));
    console.log(`npm bin / native: **${(best[0] / best[1]).toFixed(2)}** (best), ${(mid[0] / mid[1]).toFixed(2)} (median); per round: ${rates[0].map((r, i) => (r / rates[1][i]).toFixed(2)).join(', ')}; non-2xx or socket errors: ${errors}`);
  } finally {
    for (const { child } of servers) child.kill('SIGTERM');
  }
} else {
  console.log('\n(MDE_MOCK_NATIVE unset: no pages a second from the npm bin against the native binary)');
}

const size = (path) => {
  const raw = readFileSync(path);
  return `${raw.length} bytes (${gzipSync(raw, { level: 9 }).length} gzip -9)`;
};
/** Bytes of every file under `dir`. */
const unpacked = (dir) =>
  readdirSync(dir, { withFileTypes: true }).reduce((total, e) => total + (e.isDirectory() ? unpacked(join(dir, e.name)) : statSync(join(dir, e.name)).size), 0);
console.log(`\npackage module: ${size(join(packageDir, 'wasm', 'mde_mock_wasm_bg.wasm'))}; with the serde-wasm-bindgen exports: ${size(join(benchDir, 'mde_mock_wasm_bg.wasm'))}`);
console.log(`packed tarball: ${statSync(join(packageDir, '..', 'mde-mock.tgz')).size} bytes; unpacked: ${unpacked(packageDir)} bytes in ${readdirSync(packageDir, { recursive: true }).length} entries`);
