// Time of the wasm half alone in Node: read the body, validate every item and choose the items, on one
// 10,000-item page from mde-mock, median of 41 runs: the whole body as one chunk (`handleChunk`, then
// `handleStreamEnd`), and the same page in chunks of 64 KiB. Steadier than the browser ratio for comparing builds.
// Then the streamed path as the facade runs it, interleaved with `JSON.parse` of the whole page: the page in chunks
// of 64 KiB, each chunk's items built by `JSON.parse` of their text, decoded in place from the module's memory.
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

// Limits out of the way: each run sends one request.
const client = new Client(JSON.stringify({ baseUrl: 'https://h', rateLimit: { perMinute: 100000, perHour: 100000 } }));
const CHUNK = 64 * 1024;

/** A listing with its request sent. */
function sent() {
  const listing = client.list(Date.now(), JSON.stringify({ top: 10000, seed: 1 }));
  const step = JSON.parse(listing.poll(Date.now()));
  if (step.t !== 'send') throw new Error(`expected a send step, got ${JSON.stringify(step)}`);
  return listing;
}

/** Validates and chooses the page in chunks of `size` bytes: the time, and how many investigations were chosen. */
function validate(size) {
  const listing = sent();
  const start = performance.now();
  listing.expectBody(body.length);
  let kept = 0;
  for (let at = 0; at < body.length; at += size) kept += listing.handleChunk(body.subarray(at, at + size)).length - 2;
  kept += listing.handleStreamEnd(Date.now(), 200, undefined, undefined).length - 2;
  const t = performance.now() - start;
  // Each listing holds its page's body until freed: without this, the module's memory grows by 3 MB a run.
  listing.free();
  if (kept !== 10000) throw new Error(`expected 10,000 items, got ${kept}`);
  return t;
}

const oneChunk = [];
const chunked = [];
for (let run = 0; run < 41; run++) {
  oneChunk.push(validate(body.length));
  chunked.push(validate(CHUNK));
}
oneChunk.sort((a, b) => a - b);
chunked.sort((a, b) => a - b);
console.log(`validate and choose ${body.length} bytes: as one chunk median ${oneChunk[20].toFixed(2)} ms (min ${oneChunk[0].toFixed(2)}); in ${Math.ceil(body.length / CHUNK)} chunks median ${chunked[20].toFixed(2)} ms (min ${chunked[0].toFixed(2)})`);

const utf8 = new TextDecoder();
const text = (listing) => utf8.decode(new Uint8Array(wasmMemory().buffer, listing.chunkAt(), listing.chunkLength()));
const whole = [];
const streamed = [];
for (let run = 0; run < 41; run++) {
  let start = performance.now();
  const parsed = JSON.parse(utf8.decode(body)).value;
  whole.push(performance.now() - start);
  if (parsed.length !== 10000) throw new Error('JSON.parse');
  const listing = sent();
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
  listing.free();
  if (items !== 10000) throw new Error(`streamed: ${items}`);
}
whole.sort((a, b) => a - b);
streamed.sort((a, b) => a - b);
console.log(`JSON.parse of the whole page: median ${whole[20].toFixed(2)} ms; streamed in ${Math.ceil(body.length / CHUNK)} chunks (validate, choose, JSON.parse each chunk's items): median ${streamed[20].toFixed(2)} ms; ratio ${(streamed[20] / whole[20]).toFixed(3)}`);
