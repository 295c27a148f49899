// The package's benchmark in headless Chromium (run by `cargo xtask bench-wasm`), figures for BENCHMARKS.md:
// 1. time from response to JS objects for one 10,000-item page from mde-mock: the client's path (validation of
//    every item in wasm, then JSON.parse) against a plain `fetch(...).then(r => r.json())` of the same page,
//    interleaved, median of RUNS runs each, in one page load;
// 2. the bytes the browser loads (the package's browser entry and everything it imports), gzip -9;
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

import { startMock } from './mock.js';
import { staticServer, launchChromium } from './browser.js';
import { baselineModules } from './startup-baseline.js';

// 101 runs: with 31 the ratio of the medians moved between 1.11 and 1.26 from one page load to the next on a
// 2-core machine; with 101 between 1.18 and 1.23 (BENCHMARKS.md).
const RUNS = Number(process.env.BENCH_RUNS ?? 101);
const packageDir = process.env.MDE_PACKAGE ?? join(dirname(fileURLToPath(import.meta.url)), 'node_modules', 'mde-investigations');

const PAGE = `<!doctype html><meta charset="utf-8"><title>bench</title>
<script type="module">
  import { InvestigationsClient } from './pkg/index.js';
  const params = new URLSearchParams(location.search);
  const base = params.get('base');
  const runs = Number(params.get('runs'));
  const url = base + '/api/investigations?$top=10000';
  const headers = { Authorization: 'Bearer bench', Accept: 'application/json' };
  let responded = 0;
  const client = new InvestigationsClient({
    baseUrl: base, allowInsecureLoopback: true, token: 'bench', rateLimit: { perMinute: 100000, perHour: 100000 },
    fetch: async (u, init) => { const r = await fetch(u, init); responded = performance.now(); return r; },
  });
  async function plain() {
    const r = await fetch(url, { headers, cache: 'no-store' });
    const t0 = performance.now();
    const json = await r.json();
    const t = performance.now() - t0;
    if (json.value.length !== 10000) throw new Error('plain: ' + json.value.length);
    return t;
  }
  async function viaClient() {
    const pages = client.list({ top: 10000 }).byPage();
    const { value } = await pages.next();
    const t = performance.now() - responded;
    await pages.return();
    if (value.length !== 10000) throw new Error('client: ' + value.length);
    return t;
  }
  const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
  (async () => {
    for (let i = 0; i < 3; i++) { await plain(); await viaClient(); }
    const a = [], b = [];
    for (let i = 0; i < runs; i++) {
      if (i % 2) { b.push(await viaClient()); a.push(await plain()); } else { a.push(await plain()); b.push(await viaClient()); }
    }
    window.__result = { plain: median(a), client: median(b), paired: median(a.map((x, i) => b[i] / x)) };
  })().catch((e) => { window.__result = { error: String(e && e.stack || e) }; });
</script>`;

// 3. start-up: `await import()` of the browser entry in a new page (fetch from loopback, parse, unpack and compile
//    the inlined module, instantiate), then a first call; median of STARTS page loads. Interleaved with it, in new
//    pages of the same browser (issue 16, point 3):
//    - the baseline: the same `await import()` and first call on a plain JavaScript module graph of the same
//      shape and bytes (startup-baseline.js), so that what remains is what the package adds;
//    - the same start taken apart: the browser entry's imports without its `initSync()` call, then each step that
//      index.js runs on import (unpack the inlined module, compile it, instantiate it), then the first call.
//    No fetch in any of them: the first call is `validateFilter`, which needs no client.
//    15 page loads of each by default (BENCH_STARTS=N for more: the medians move by several ms from run to run).
const STARTS = Number(process.env.BENCH_STARTS ?? 15);
const STARTUP = `<!doctype html><meta charset="utf-8"><title>start-up</title>
<script type="module">
  const t0 = performance.now();
  const { validateFilter } = await import('./pkg/index.js');
  validateFilter("state eq 'Running'");
  window.__startup = performance.now() - t0;
</script>`;
const BASELINE = `<!doctype html><meta charset="utf-8"><title>start-up baseline</title>
<script type="module">
  const t0 = performance.now();
  const { validateFilter } = await import('./baseline/index.js');
  validateFilter("state eq 'Running'");
  window.__startup = performance.now() - t0;
</script>`;
// index.js without its `initSync()` call: what the browser entry imports, so that the page can run the rest.
const SPLIT_ENTRY = `import { initSync } from './pkg/wasm/mde_wasm.js';
import { wasmBytes } from './pkg/wasm/inline.js';
export { validateFilter } from './pkg/client.js';
export { initSync, wasmBytes };
`;
const SPLIT = `<!doctype html><meta charset="utf-8"><title>start-up, step by step</title>
<script type="module">
  const t0 = performance.now();
  const { initSync, wasmBytes, validateFilter } = await import('./split-entry.js');
  const t1 = performance.now();
  const bytes = wasmBytes();
  const t2 = performance.now();
  const module = new WebAssembly.Module(bytes);
  const t3 = performance.now();
  initSync({ module });
  const t4 = performance.now();
  validateFilter("state eq 'Running'");
  const t5 = performance.now();
  wasmBytes(); // once more, after the timed start: what the unpack costs warm
  const t6 = performance.now();
  window.__startup = {
    load: t1 - t0, unpack: t2 - t1, compile: t3 - t2, instantiate: t4 - t3, call: t5 - t4, total: t5 - t0, unpackAgain: t6 - t5,
  };
</script>`;

function browserBytes() {
  // What the browser entry loads: index.js and its imports (client.js, shared-limiter.js, the glue, the inlined wasm).
  const files = ['index.js', 'client.js', 'shared-limiter.js', 'wasm/mde_wasm.js', 'wasm/inline.js'];
  let raw = 0;
  let gzip = 0;
  const per = {};
  for (const f of files) {
    const bytes = readFileSync(join(packageDir, f));
    const gz = gzipSync(bytes, { level: 9 }).length;
    raw += bytes.length;
    gzip += gz;
    per[f] = gz;
  }
  const wasm = readFileSync(join(packageDir, 'wasm', 'mde_wasm_bg.wasm'));
  return { raw, gzip, per, wasmRaw: wasm.length, wasmGzip: gzipSync(wasm, { level: 9 }).length };
}

// One real 10,000-item page from mde-mock, then served by a plain static server so that both paths read the
// same bytes at the same speed.
const mock = await startMock(['--count', '10000', '--seed', '1']);
const body = Buffer.from(
  await (await fetch(`${mock.base}/api/investigations?$top=10000`, { headers: { Authorization: 'Bearer b' } })).arrayBuffer(),
);
await mock.stop();
const site = await staticServer(packageDir, {
  '/bench.html': PAGE,
  '/startup.html': STARTUP,
  '/startup-baseline.html': BASELINE,
  '/startup-split.html': SPLIT,
  '/split-entry.js': SPLIT_ENTRY,
  ...baselineModules(packageDir),
  '/api/investigations': body,
});
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error(`pageerror: ${e.message}`));
  await page.goto(`${site.origin}/bench.html?base=${encodeURIComponent(site.origin)}&runs=${RUNS}`);
  await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 300_000 });
  const r = await page.evaluate(() => window.__result);
  if (r.error) throw new Error(r.error);
  // One new page per load and kind; the order of the three kinds turns from one round to the next.
  const load = async (path) => {
    const fresh = await browser.newPage();
    fresh.on('pageerror', (e) => console.error(`pageerror: ${e.message}`));
    await fresh.goto(`${site.origin}/${path}`);
    await fresh.waitForFunction(() => window.__startup !== undefined);
    const t = await fresh.evaluate(() => window.__startup);
    await fresh.close();
    return t;
  };
  const kinds = ['startup.html', 'startup-baseline.html', 'startup-split.html'];
  const times = { 'startup.html': [], 'startup-baseline.html': [], 'startup-split.html': [] };
  for (let i = 0; i < STARTS; i++) {
    for (let k = 0; k < kinds.length; k++) {
      const kind = kinds[(i + k) % kinds.length];
      times[kind].push(await load(kind));
    }
  }
  const starts = [...times['startup.html']].sort((a, b) => a - b);
  const baseline = [...times['startup-baseline.html']].sort((a, b) => a - b);
  const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const steps = times['startup-split.html'];
  const split = Object.fromEntries(Object.keys(steps[0]).map((key) => [key, med(steps.map((s) => s[key]))]));
  const overhead = med(times['startup.html'].map((t, i) => t - times['startup-baseline.html'][i]));
  const size = browserBytes();
  console.log(`page: 10,000 items, ${body.length} bytes; median of ${RUNS} interleaved runs in headless Chromium`);
  console.log(`response -> objects, fetch().json():             ${r.plain.toFixed(1)} ms`);
  console.log(`response -> objects, client (validated in wasm): ${r.client.toFixed(1)} ms`);
  console.log(`ratio client / plain: ${(r.client / r.plain).toFixed(2)} (ratio of medians; median of the ${RUNS} paired ratios: ${r.paired.toFixed(2)}; target <= 1.25)`);
  console.log(`browser entry (JS + inlined wasm): ${size.raw} bytes, gzip -9 ${size.gzip} bytes (target <= 61,440) ${JSON.stringify(size.per)}`);
  console.log(`wasm file alone: ${size.wasmRaw} bytes, gzip -9 ${size.wasmGzip} bytes`);
  const range = (xs) => `median ${xs[STARTS >> 1].toFixed(1)} ms (${xs[0].toFixed(1)} to ${xs[STARTS - 1].toFixed(1)}, ${STARTS} page loads)`;
  console.log(`start-up, import of the browser entry and a first call in a new page: ${range(starts)}`);
  console.log(`start-up baseline, a plain JS module graph of the same shape and bytes, same first call: ${range(baseline)}`);
  console.log(`start-up overhead over the baseline: ${(starts[STARTS >> 1] - baseline[STARTS >> 1]).toFixed(1)} ms (difference of the medians; median of the ${STARTS} paired differences: ${overhead.toFixed(1)} ms; target <= 15)`);
  console.log(`start-up step by step (medians of ${STARTS} page loads): load the JS ${split.load.toFixed(1)} ms, unpack the module ${split.unpack.toFixed(1)} ms, compile ${split.compile.toFixed(1)} ms, instantiate ${split.instantiate.toFixed(1)} ms, first call ${split.call.toFixed(1)} ms; total ${split.total.toFixed(1)} ms (then the unpack once more: ${split.unpackAgain.toFixed(1)} ms)`);
} finally {
  await browser.close();
  await site.close();
}
