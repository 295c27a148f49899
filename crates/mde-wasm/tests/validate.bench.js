// Time of the wasm half alone in Node: `handleResponse` (read the body, validate every item, choose the items)
// on one 10,000-item page from mde-mock, median of 41 runs. Steadier than the browser ratio for comparing builds.
// Then the streamed path as the facade runs it, interleaved with `JSON.parse` of the whole page: the page in chunks
// of 64 KiB through `handleChunk`, each chunk's items built by `JSON.parse` of their text, decoded in place from the module's memory.
// After `cargo xtask bench-wasm` (which installs the tests into target/npm-test):
//   MDE_MOCK=target/debug/mde-mock MDE_PACKAGE=target/npm/mde-investigations node target/npm-test/validate.bench.js
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startMock } from './mock.js';

const pkg = process.env.MDE_PACKAGE;
if (!pkg) throw new Error('set MDE_PACKAGE to the package directory (target/npm/mde-investigations)');
const { initSync, Client, wasmMemory } = await import(pathToFileURL(join(pkg, 'wasm', 'mde_wasm.js')).href);
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
  listing.free();
  if (!keep || keep.length !== 10000) throw new Error(`expected 10,000 items, got ${keep && keep.length}`);
}
times.sort((a, b) => a - b);
console.log(`handleResponse on ${body.length} bytes: median ${times[20].toFixed(2)} ms (min ${times[0].toFixed(2)})`);

const utf8 = new TextDecoder();
const text = (listing) => utf8.decode(new Uint8Array(wasmMemory().buffer, listing.chunkAt(), listing.chunkLength()));
const CHUNK = 64 * 1024;
const whole = [];
const streamed = [];
for (let run = 0; run < 41; run++) {
  let start = performance.now();
  const parsed = JSON.parse(utf8.decode(body)).value;
  whole.push(performance.now() - start);
  if (parsed.length !== 10000) throw new Error('JSON.parse');
  const listing = client.list(Date.now(), JSON.stringify({ top: 10000, seed: 1 }));
  JSON.parse(listing.poll(Date.now()));
  start = performance.now();
  listing.expectBody(body.length);
  let items = 0;
  for (let at = 0; at < body.length; at += CHUNK) {
    const got = listing.handleChunk(body.subarray(at, at + CHUNK));
    if (got.length > 2) items += JSON.parse(`[${text(listing)}]`).length;
  }
  const end = listing.handleStreamEnd(Date.now(), 200, undefined, undefined);
  if (end.length > 2) items += JSON.parse(`[${text(listing)}]`).length;
  streamed.push(performance.now() - start);
  // Each listing holds its page's body until freed: without this, the module's memory grows by 3 MB a run.
  listing.free();
  if (items !== 10000) throw new Error(`streamed: ${items}`);
}
whole.sort((a, b) => a - b);
streamed.sort((a, b) => a - b);
console.log(`JSON.parse of the whole page: median ${whole[20].toFixed(2)} ms; streamed in ${Math.ceil(body.length / CHUNK)} chunks (validate, choose, JSON.parse each chunk's items): median ${streamed[20].toFixed(2)} ms; ratio ${(streamed[20] / whole[20]).toFixed(3)}`);
