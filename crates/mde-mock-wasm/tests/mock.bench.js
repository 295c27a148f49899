// `cargo xtask bench-mock-npm` (prints figures; not a test). First how mde-mock's lists cross from the wasm module
// to JavaScript, on one module built with both ways (feature `serde-wasm-bindgen-bench`): a JSON text given to
// JSON.parse (what the package does) against serde-wasm-bindgen objects, for a journal of 100,000 entries, the
// 100,000 investigations, and options holding 100,000 investigations. Then, on the package itself: a
// 10,000-item page through the handler; 1,000,000 investigations generated and filtered in wasm; the sizes.
//
// Usage: node crossing.bench.js BENCH_DIR PACKAGE_DIR (BENCH_DIR holds the bench module and its glue).
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
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
const big = new wasm.MockEngine(JSON.stringify({ count: 1_000_000, seed: 1, now: '2026-11-27T00:00:00Z', ...limits }), Date.now());
console.log(`\n1,000,000 investigations generated in wasm (seed 1, now 2026-11-27T00:00:00Z): ${ms(performance.now() - started)}`);
// The filters of the native benchmark (mock-server/examples/bench.rs, which takes the machine and the alert of
// the investigation at position 500,000); `$skip` past the end makes the engine scan every investigation.
const middle = big.handle(Date.now(), 'GET', '/api/investigations', '$skip=500000&$top=1', 'Bearer t', undefined, 'api.test', 'https', new Uint8Array(0));
const [sample] = JSON.parse(new TextDecoder().decode(middle.takeBody())).value;
middle.free();
console.log('\n| filter over 1,000,000 in wasm | median of 7 |\n| --- | --- |');
for (const filter of [
  "startTime ge 2026-10-01T00:00:00Z and state eq 'Running'",
  `machineId eq '${sample.machineId}' or triggeringAlertId eq '${sample.triggeringAlertId}'`,
  "state in ('Benign', 'Failed', 'TerminatedByUser') and not (id lt '500000')",
  'startTime ge 2026-09-01T00:00:00Z and startTime lt 2026-09-08T00:00:00Z',
]) {
  const times = [];
  for (let i = 0; i < 7; i++) {
    const t = performance.now();
    const query = `$filter=${encodeURIComponent(filter)}&$skip=1000000&$top=1`;
    const reply = big.handle(Date.now(), 'GET', '/api/investigations', query, 'Bearer t', undefined, 'api.test', 'https', new Uint8Array(0));
    times.push(performance.now() - t);
    assert.equal(reply.status, 200);
    reply.free();
  }
  console.log(`| \`${filter}\` | ${ms(median(times))} |`);
}
big.free();

const size = (path) => {
  const raw = readFileSync(path);
  return `${raw.length} bytes (${gzipSync(raw, { level: 9 }).length} gzip -9)`;
};
console.log(`package module: ${size(join(packageDir, 'wasm', 'mde_mock_wasm_bg.wasm'))}; with the serde-wasm-bindgen exports: ${size(join(benchDir, 'mde_mock_wasm_bg.wasm'))}`);
console.log(`packed tarball: ${statSync(join(packageDir, '..', 'mde-mock.tgz')).size} bytes`);
