// Time of the wasm half alone in Node: `handleResponse` (read the body, validate every item, choose the items)
// on one 10,000-item page from mde-mock, median of 41 runs. Steadier than the browser ratio for comparing builds.
// After `cargo xtask bench-wasm` (which installs the tests into target/npm-test):
//   MDE_MOCK=target/debug/mde-mock MDE_PACKAGE=target/npm/mde-investigations node target/npm-test/validate.bench.js
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startMock } from './mock.js';

const pkg = process.env.MDE_PACKAGE;
if (!pkg) throw new Error('set MDE_PACKAGE to the package directory (target/npm/mde-investigations)');
const { initSync, Client } = await import(pathToFileURL(join(pkg, 'wasm', 'mde_wasm.js')).href);
initSync({ module: readFileSync(join(pkg, 'wasm', 'mde_wasm_bg.wasm')) });

const mock = await startMock(['--count', '10000', '--seed', '1']);
const body = new Uint8Array(
  await (await fetch(`${mock.base}/api/investigations?$top=10000`, { headers: { Authorization: 'Bearer b' } })).arrayBuffer(),
);
await mock.stop();

const client = new Client(JSON.stringify({ baseUrl: 'https://h' }));
const times = [];
for (let run = 0; run < 41; run++) {
  const listing = client.list(Date.now(), JSON.stringify({ top: 10000, seed: 1 }));
  const step = JSON.parse(listing.poll(Date.now()));
  if (step.t !== 'send') throw new Error(`expected a send step, got ${JSON.stringify(step)}`);
  const start = performance.now();
  const keep = listing.handleResponse(Date.now(), 200, undefined, undefined, body);
  times.push(performance.now() - start);
  if (!keep || keep.length !== 10000) throw new Error(`expected 10,000 items, got ${keep && keep.length}`);
}
times.sort((a, b) => a - b);
console.log(`handleResponse on ${body.length} bytes: median ${times[20].toFixed(2)} ms (min ${times[0].toFixed(2)})`);
