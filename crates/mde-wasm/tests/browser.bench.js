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
//    the inlined module, instantiate), then a first call; median of STARTS page loads.
const STARTS = 15;
const STARTUP = `<!doctype html><meta charset="utf-8"><title>start-up</title>
<script type="module">
  const t0 = performance.now();
  const { validateFilter } = await import('./pkg/index.js');
  validateFilter("state eq 'Running'");
  window.__startup = performance.now() - t0;
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
const site = await staticServer(packageDir, { '/bench.html': PAGE, '/startup.html': STARTUP, '/api/investigations': body });
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error(`pageerror: ${e.message}`));
  await page.goto(`${site.origin}/bench.html?base=${encodeURIComponent(site.origin)}&runs=${RUNS}`);
  await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 300_000 });
  const r = await page.evaluate(() => window.__result);
  if (r.error) throw new Error(r.error);
  const starts = [];
  for (let i = 0; i < STARTS; i++) {
    const fresh = await browser.newPage();
    await fresh.goto(`${site.origin}/startup.html`);
    await fresh.waitForFunction(() => window.__startup !== undefined);
    starts.push(await fresh.evaluate(() => window.__startup));
    await fresh.close();
  }
  starts.sort((a, b) => a - b);
  const size = browserBytes();
  console.log(`page: 10,000 items, ${body.length} bytes; median of ${RUNS} interleaved runs in headless Chromium`);
  console.log(`response -> objects, fetch().json():             ${r.plain.toFixed(1)} ms`);
  console.log(`response -> objects, client (validated in wasm): ${r.client.toFixed(1)} ms`);
  console.log(`ratio client / plain: ${(r.client / r.plain).toFixed(2)} (ratio of medians; median of the ${RUNS} paired ratios: ${r.paired.toFixed(2)}; target <= 1.25)`);
  console.log(`browser entry (JS + inlined wasm): ${size.raw} bytes, gzip -9 ${size.gzip} bytes (target <= 61,440) ${JSON.stringify(size.per)}`);
  console.log(`wasm file alone: ${size.wasmRaw} bytes, gzip -9 ${size.wasmGzip} bytes`);
  console.log(`start-up, import of the browser entry and a first call in a new page: median ${starts[STARTS >> 1].toFixed(1)} ms (${starts[0].toFixed(1)} to ${starts[STARTS - 1].toFixed(1)}, ${STARTS} page loads)`);
} finally {
  await browser.close();
  await site.close();
}
