// The package's streaming benchmark in headless Chromium (run by `cargo xtask bench-wasm` after
// browser.bench.js), figures for BENCHMARKS.md (issue 16, points 1 and 4). One 10,000-item page
// (`$top=10000`) from mde-mock ($MDE_MOCK), read in a page of the browser, interleaved:
// - plain: `fetch()` then `r.json()`;
// - client: `client.list({ top: 10000 })`, iterating the investigations (each handed out as soon as it has
//   arrived and was validated in wasm).
// Both read the body through the same pass-through TransformStream, which notes when its first chunk arrived.
// Measured: the total time of each (from the call to the last object), and for the client the time from the
// body's first byte to the first investigation handed out; on a page paced like the service's (mde-mock
// --bandwidth 2000000 --first-byte-ms 300: 2 MB/s, 300 ms before the first byte of the body), and unpaced: the
// same page fetched once from mde-mock and served from memory by a plain static server, as browser.bench.js does
// (mde-mock's test build would spend more CPU making each page than the client spends reading it, on the same
// two cores).
import { startMock } from './mock.js';
import { staticServer, launchChromium } from './browser.js';

const PACED_RUNS = Number(process.env.BENCH_PACED_RUNS ?? 9);
const UNPACED_RUNS = Number(process.env.BENCH_UNPACED_RUNS ?? 101);
const packageDir = process.env.MDE_PACKAGE ?? 'node_modules/mde-investigations';

const PAGE = `<!doctype html><meta charset="utf-8"><title>streaming bench</title>
<script type="module">
  import { InvestigationsClient } from './pkg/index.js';
  const params = new URLSearchParams(location.search);
  const base = params.get('base');
  const runs = Number(params.get('runs'));
  const url = base + '/api/investigations?$top=10000';
  let firstByte;
  // The same pass-through for both paths: notes when the body's first chunk arrives.
  const watched = async (u, init) => {
    const r = await fetch(u, init);
    firstByte = undefined;
    const note = new TransformStream({ transform(chunk, c) { firstByte ??= performance.now(); c.enqueue(chunk); } });
    return new Response(r.body.pipeThrough(note), { status: r.status, statusText: r.statusText, headers: r.headers });
  };
  const client = new InvestigationsClient({
    baseUrl: base, allowInsecureLoopback: true, token: 'bench', rateLimit: { perMinute: 100000, perHour: 100000 },
    fetch: watched,
  });
  async function plain() {
    const t0 = performance.now();
    const r = await watched(url, { headers: { Authorization: 'Bearer bench', Accept: 'application/json' }, cache: 'no-store' });
    const json = await r.json();
    const total = performance.now() - t0;
    if (json.value.length !== 10000) throw new Error('plain: ' + json.value.length);
    return { total, firstByte: firstByte - t0 };
  }
  // Investigations one by one (for await over the listing), or whole pages (byPage: the full-page path).
  const byPage = params.get('mode') === 'pages';
  async function viaClient() {
    const t0 = performance.now();
    let n = 0;
    let first;
    const list = client.list({ top: 10000 });
    if (byPage) {
      for await (const page of list.byPage()) {
        first ??= performance.now();
        n += page.length;
      }
    } else {
      for await (const item of list) {
        if (n++ === 0) first = performance.now();
      }
    }
    const total = performance.now() - t0;
    if (n !== 10000) throw new Error('client: ' + n);
    return { total, firstByte: firstByte - t0, firstItem: first - firstByte };
  }
  (async () => {
    for (let i = 0; i < 2; i++) { await plain(); await viaClient(); }
    const a = [], b = [];
    for (let i = 0; i < runs; i++) {
      if (i % 2) { b.push(await viaClient()); a.push(await plain()); } else { a.push(await plain()); b.push(await viaClient()); }
    }
    window.__result = { plain: a, client: b };
  })().catch((e) => { window.__result = { error: String(e && e.stack || e) }; });
</script>`;

const sorted = (xs) => [...xs].sort((x, y) => x - y);
const median = (xs) => sorted(xs)[xs.length >> 1];
const ms = (x) => `${x.toFixed(1)} ms`;

/** mde-mock with these flags, its limits out of the way. */
const mockWith = (flags) =>
  startMock(['--count', '10000', '--seed', '1', '--per-minute', '100000', '--per-hour', '100000', ...flags]);

async function measure(browser, site, base, runs, mode, label) {
  {
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.error(`pageerror: ${e.message}`));
    await page.goto(`${site.origin}/stream.html?base=${encodeURIComponent(base)}&runs=${runs}&mode=${mode}`);
    await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 900_000, polling: 500 });
    const r = await page.evaluate(() => window.__result);
    await page.close();
    if (r.error) throw new Error(r.error);
    const plain = r.plain.map((x) => x.total);
    const client = r.client.map((x) => x.total);
    const first = sorted(r.client.map((x) => x.firstItem));
    const paired = median(client.map((c, i) => c / plain[i]));
    const what = mode === 'pages' ? 'the page (byPage)' : 'investigation (for await)';
    console.log(`${label}, client by ${mode === 'pages' ? 'page' : 'investigation'}: ${runs} interleaved runs of each`);
    console.log(`  body's first byte after the call: plain ${ms(median(r.plain.map((x) => x.firstByte)))}, client ${ms(median(r.client.map((x) => x.firstByte)))} (medians)`);
    console.log(`  client, first ${what} after the body's first byte: median ${ms(median(first))} (${ms(first[0])} to ${ms(first.at(-1))})`);
    console.log(`  total, call to the last object: plain ${ms(median(plain))}, client ${ms(median(client))} (medians; ${ms(sorted(client)[0])} to ${ms(sorted(client).at(-1))} for the client)`);
    console.log(`  ratio client / plain: ${(median(client) / median(plain)).toFixed(3)} (ratio of the medians; median of the paired ratios ${paired.toFixed(3)})`);
  }
}

// The unpaced page: fetched once from mde-mock, then served from memory.
const unpacedMock = await mockWith([]);
const body = Buffer.from(
  await (await fetch(`${unpacedMock.base}/api/investigations?$top=10000`, { headers: { Authorization: 'Bearer b' } })).arrayBuffer(),
);
await unpacedMock.stop();
const site = await staticServer(packageDir, { '/stream.html': PAGE, '/api/investigations': body });
const paced = await mockWith(['--bandwidth', '2000000', '--first-byte-ms', '300']);
const browser = await launchChromium();
try {
  await measure(browser, site, paced.base, PACED_RUNS, 'items', 'paced like the service (mde-mock --bandwidth 2000000 --first-byte-ms 300)');
  await measure(browser, site, site.origin, UNPACED_RUNS, 'pages', `unpaced (${body.length} bytes from memory)`);
  await measure(browser, site, site.origin, UNPACED_RUNS, 'items', `unpaced (${body.length} bytes from memory)`);
} finally {
  await browser.close();
  await paced.stop();
  await site.close();
}
