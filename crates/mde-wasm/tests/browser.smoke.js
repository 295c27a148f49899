// The package in headless Chromium, in a page (<script type="module">) and in a module Worker, against mde-mock
// on another origin. Prints `N passed, N failed` and exits non-zero on a failure.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

import { startMock, valueOf } from './mock.js';
import { staticServer, launchChromium } from './browser.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), 'node_modules', 'mde-investigations');

const PAGE = `<!doctype html><meta charset="utf-8"><title>smoke</title>
<script type="module">
  import { smoke } from './smoke-lib.js';
  import * as api from './pkg/index.js';
  const base = new URLSearchParams(location.search).get('base');
  smoke(base, api).then((r) => { window.__result = r; }, (e) => { window.__result = { error: String(e && e.stack || e) }; });
</script>`;

const WORKER = `import { smoke } from './smoke-lib.js';
import * as api from './pkg/index.js';
self.onmessage = (e) => smoke(e.data, api).then((r) => self.postMessage(r), (err) => self.postMessage({ error: String(err && err.stack || err) }));`;

const WORKER_PAGE = `<!doctype html><meta charset="utf-8"><title>worker</title>
<script>
  const base = new URLSearchParams(location.search).get('base');
  const w = new Worker('./smoke-worker.js', { type: 'module' });
  w.onmessage = (e) => { window.__result = e.data; };
  w.onerror = (e) => { window.__result = { error: 'worker error: ' + e.message }; };
  w.postMessage(base);
</script>`;

// A Vite app that imports the package by name (the `browser` export condition), built with Vite's defaults.
const cases = [['page', '/smoke.html'], ['worker', '/worker.html']];
if (process.env.VITE_BIN) {
  const app = join(dirname(fileURLToPath(import.meta.url)), 'vite-app');
  rmSync(app, { recursive: true, force: true });
  mkdirSync(app);
  writeFileSync(join(app, 'index.html'), '<!doctype html><meta charset="utf-8"><script type="module" src="./main.js"></script>');
  writeFileSync(
    join(app, 'main.js'),
    `import * as api from 'mde-investigations';
import { smoke } from '../smoke-lib.js';
const base = new URLSearchParams(location.search).get('base');
smoke(base, api).then((r) => { window.__result = r; }, (e) => { window.__result = { error: String(e && e.stack || e) }; });
`,
  );
  execFileSync(process.env.VITE_BIN, ['build', '--base', './', '--logLevel', 'warn', '--outDir', 'dist'], { cwd: app, stdio: 'inherit' });
  const assets = readdirSync(join(app, 'dist', 'assets'));
  assert.ok(!assets.some((f) => f.endsWith('.wasm')), `no wasm asset to configure: ${assets}`);
  cases.push(['vite build', '/vite-app/dist/index.html']);
}

const mock = await startMock(['--count', '30', '--seed', '5']);
const site = await staticServer(packageDir, { '/smoke.html': PAGE, '/smoke-worker.js': WORKER, '/worker.html': WORKER_PAGE });
const browser = await launchChromium();
let passed = 0;
let failed = 0;
try {
  const total = valueOf(await mock.all()).length;
  for (const [name, path] of cases) {
    const page = await browser.newPage();
    const logs = [];
    page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
    try {
      await page.goto(`${site.origin}${path}?base=${encodeURIComponent(mock.base)}`);
      await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 30_000 });
      const r = await page.evaluate(() => window.__result);
      assert.equal(r.error, undefined, r.error);
      assert.equal(r.count, total);
      assert.equal(r.plainObjects, true);
      assert.deepEqual(r.pages, [7, 7, 7, 7, 2]);
      assert.equal(r.validate, "state eq 'Running'");
      assert.equal(r.invalidPosition, 9);
      assert.equal(r.get, true);
      assert.equal(r.notFound, 'NotFound 404');
      assert.equal(r.insecure, 'InvalidConfig');
      assert.equal(r.aborted, 'Aborted');
      assert.deepEqual(r.events, ['items', 'page', 'request']);
      assert.equal(r.rateLimitUsed, 8);
      console.log(`ok - browser ${name}`);
      passed++;
    } catch (e) {
      console.log(`not ok - browser ${name}: ${e.message}\n${logs.join('\n')}`);
      failed++;
    } finally {
      await page.close();
    }
  }
} finally {
  await browser.close();
  await site.close();
  await mock.stop();
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
