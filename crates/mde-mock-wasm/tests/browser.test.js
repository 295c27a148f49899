// mde-mock's browser entry in headless Chromium (Debian's, through playwright-core): a page, a module Worker and
// an app built by Vite (with VITE_BIN) list through the handler with the client; a module Service Worker answers
// the page's own fetch to the API host with it. Prints `N passed, N failed` and exits non-zero on a failure.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { extname, join, normalize } from 'node:path';

const TYPES = { '.js': 'text/javascript', '.html': 'text/html', '.wasm': 'application/wasm', '.json': 'application/json' };
const ROOTS = { '/mock/': 'node_modules/mde-mock', '/client/': 'node_modules/mde-investigations' };

const PAGE = `<!doctype html><meta charset="utf-8"><title>page</title>
<script type="module">
  import { run } from './browser-lib.js';
  import * as mock from '/mock/index.js';
  import * as client from '/client/index.js';
  run(mock, client).then((r) => { window.__result = r; }, (e) => { window.__result = { error: String(e && e.stack || e) }; });
</script>`;

const WORKER = `import { run } from './browser-lib.js';
import * as mock from '/mock/index.js';
import * as client from '/client/index.js';
run(mock, client).then((r) => self.postMessage(r), (e) => self.postMessage({ error: String(e && e.stack || e) }));`;

const WORKER_PAGE = `<!doctype html><meta charset="utf-8"><title>worker</title>
<script>
  const w = new Worker('./worker.js', { type: 'module' });
  w.onmessage = (e) => { window.__result = e.data; };
  w.onerror = (e) => { window.__result = { error: 'worker error: ' + e.message }; };
</script>`;

// The Service Worker answers every request to the API host with the handler: the page's fetch never leaves the
// browser. The handler is made on the first request (a Service Worker may be stopped and started at any time).
const SERVICE_WORKER = `import { createMockApi } from '/mock/index.js';
let api;
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
self.addEventListener('fetch', (event) => {
  if (new URL(event.request.url).origin !== 'https://api.security.microsoft.com') return;
  api ??= createMockApi({ count: 40, seed: 5, now: '2026-11-01T00:00:00Z' });
  event.respondWith(api.then((mock) => mock.handle(event.request)));
});`;

const SERVICE_WORKER_PAGE = `<!doctype html><meta charset="utf-8"><title>service worker</title>
<script type="module">
  import { InvestigationsClient } from '/client/index.js';
  async function run() {
    await navigator.serviceWorker.register('/sw.js', { type: 'module', scope: '/' });
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
    }
    const API = 'https://api.security.microsoft.com';
    const client = new InvestigationsClient({ baseUrl: API, token: 'sw-token' });
    const items = [];
    for await (const item of client.list({ pageSize: 15 })) items.push(item);
    const oracle = await (await fetch(API + '/__admin/investigations')).json();
    const journal = await (await fetch(API + '/__admin/requests')).json();
    return { count: items.length, sameAsOracle: JSON.stringify(items) === JSON.stringify(oracle), calls: journal.length };
  }
  run().then((r) => { window.__result = r; }, (e) => { window.__result = { error: String(e && e.stack || e) }; });
</script>`;

const PAGES = { '/page.html': PAGE, '/worker.js': WORKER, '/worker.html': WORKER_PAGE, '/sw.js': SERVICE_WORKER, '/sw.html': SERVICE_WORKER_PAGE };

/** Serves the test pages, /mock/ and /client/ (the installed packages) and this folder, on a free port. */
async function staticServer() {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
    try {
      let body = PAGES[path];
      if (body === undefined) {
        const prefix = Object.keys(ROOTS).find((p) => path.startsWith(p));
        body = await readFile(prefix ? join(ROOTS[prefix], path.slice(prefix.length)) : join('.', path));
      }
      res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'text/html', 'cache-control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = () => new Promise((resolve) => {
    server.close(resolve);
    server.closeAllConnections?.();
  });
  return { origin: `http://127.0.0.1:${server.address().port}`, close };
}

const require = createRequire(import.meta.url);
const { chromium } = require(process.env.PLAYWRIGHT_CORE ?? 'playwright-core');
const site = await staticServer();
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

/** What browser-lib.js's run() must find: everything listed in 3 pages, both faults as fetch shows them. */
function listedWithFaults(r) {
  assert.equal(r.count, 40);
  assert.equal(r.sameAsOracle, true);
  assert.equal(r.calls, 3);
  assert.equal(r.close, 'TypeError');
  assert.equal(r.truncate.failed, true);
  assert.equal(r.truncate.bytes, Math.floor(r.truncate.length / 2));
}

const cases = [
  ['page', '/page.html', listedWithFaults],
  ...viteBuild(),
  ['module Worker', '/worker.html', listedWithFaults],
  ['module Service Worker', '/sw.html', (r) => {
    assert.equal(r.count, 40);
    assert.equal(r.sameAsOracle, true);
    assert.equal(r.calls, 3);
  }],
];

/** With VITE_BIN: an app that imports both packages by name, built by Vite (the `browser` conditions); the
 * `.wasm` file must come out as an asset that the built app fetches. */
function viteBuild() {
  if (!process.env.VITE_BIN) return [];
  rmSync('vite-app', { recursive: true, force: true });
  mkdirSync('vite-app');
  writeFileSync('vite-app/index.html', '<!doctype html><meta charset="utf-8"><script type="module" src="./main.js"></script>');
  writeFileSync(
    'vite-app/main.js',
    `import * as mock from 'mde-mock';
import * as client from 'mde-investigations';
import { run } from '../browser-lib.js';
run(mock, client).then((r) => { window.__result = r; }, (e) => { window.__result = { error: String(e && e.stack || e) }; });
`,
  );
  execFileSync(process.env.VITE_BIN, ['build', '--base', './', '--logLevel', 'warn', '--outDir', 'dist'], { cwd: 'vite-app', stdio: 'inherit' });
  const assets = readdirSync('vite-app/dist/assets');
  assert.ok(assets.some((f) => f.endsWith('.wasm')), `the module is an asset of the build: ${assets}`);
  return [['Vite build', '/vite-app/dist/index.html', listedWithFaults]];
}

let passed = 0;
let failed = 0;
try {
  for (const [name, path, check] of cases) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const logs = [];
    page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
    try {
      await page.goto(`${site.origin}${path}`);
      await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 30_000 });
      const result = await page.evaluate(() => window.__result);
      assert.equal(result.error, undefined, result.error);
      check(result);
      console.log(`ok - ${name}`);
      passed++;
    } catch (e) {
      console.log(`not ok - ${name}: ${e.message}\n${logs.join('\n')}`);
      failed++;
    } finally {
      await context.close();
    }
  }
} finally {
  await browser.close();
  await site.close();
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
