// `rateLimit: { shared }` in headless Chromium: two tabs of one origin and a dedicated Worker started by one of
// them list everything at once against mde-mock with low, time-scaled limits, each with its own client and the
// same key. Together they must never draw a 429 and finish within 1.3x of the ideal schedule. A tab closed while
// it holds the key's lock blocks no one; a tab without the Web Locks API or without IndexedDB announces that its
// budget is its own. Prints `N passed, N failed`.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

import { startMock, valueOf } from './mock.js';
import { staticServer, launchChromium } from './browser.js';
import { COUNT, LIMITS, checkShared, mockFlags } from './shared-check.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), 'node_modules', 'mde-investigations');

// Each context loads the package, then waits for `go` on a BroadcastChannel so that all start together.
const TAB = `<!doctype html><meta charset="utf-8"><title>tab</title>
<script type="module">
  import { runShared } from './shared-lib.js';
  import * as api from './pkg/index.js';
  const params = new URLSearchParams(location.search);
  const options = JSON.parse(params.get('options'));
  if (params.get('nolocks') !== null) Object.defineProperty(navigator, 'locks', { value: undefined });
  if (params.get('noidb') !== null) Object.defineProperty(globalThis, 'indexedDB', { value: undefined });
  const results = {};
  const go = new BroadcastChannel('go');
  go.onmessage = () => {
    runShared(api, options).then((r) => { results.tab = r; });
  };
  if (params.get('worker') !== null) {
    const w = new Worker('./shared-worker.js', { type: 'module' });
    w.onmessage = (e) => { if (e.data === 'ready') window.__workerReady = true; else results.worker = e.data; };
    w.onerror = (e) => { results.worker = { error: 'worker error: ' + e.message }; };
    w.postMessage(options);
  }
  window.__results = results;
  window.__ready = true;
</script>`;

const WORKER = `import { runShared } from './shared-lib.js';
import * as api from './pkg/index.js';
self.onmessage = (e) => {
  const options = e.data;
  const go = new BroadcastChannel('go');
  go.onmessage = () => runShared(api, options).then((r) => self.postMessage(r));
  self.postMessage('ready');
};`;

const mock = await startMock(mockFlags());
const site = await staticServer(packageDir, { '/tab.html': TAB, '/shared-worker.js': WORKER });
const browser = await launchChromium();
let passed = 0;
let failed = 0;

async function check(name, body) {
  // SHARED_ONLY=text runs only the checks whose name has it (to repeat one while debugging).
  if (process.env.SHARED_ONLY !== undefined && !name.includes(process.env.SHARED_ONLY)) return;
  try {
    await body();
    console.log(`ok - ${name}`);
    passed++;
  } catch (e) {
    console.log(`not ok - ${name}: ${e.stack ?? e}`);
    failed++;
  }
}

try {
  const oracle = valueOf(await mock.all()).map((i) => i.id);
  assert.equal(oracle.length, COUNT);
  const options = { base: mock.base, key: 'tabs-and-worker', ...LIMITS };
  const query = `options=${encodeURIComponent(JSON.stringify(options))}`;

  await check('two tabs and a dedicated worker share one budget', async () => {
    // One browser context: the tabs share the origin's storage and locks, as a user's tabs do.
    const context = await browser.newContext();
    try {
      const logs = [];
      const tabs = [];
      for (const extra of ['&worker', '']) {
        const tab = await context.newPage();
        tab.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
        tab.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
        await tab.goto(`${site.origin}/tab.html?${query}${extra}`);
        await tab.waitForFunction(() => window.__ready === true, null, { timeout: 30_000 });
        tabs.push(tab);
      }
      await tabs[0].waitForFunction(() => window.__workerReady === true, null, { timeout: 30_000 });
      await mock.reset();
      await tabs[1].evaluate(() => new BroadcastChannel('go').postMessage('go'));
      const done = (worker) => window.__results.tab !== undefined && (!worker || window.__results.worker !== undefined);
      await tabs[0].waitForFunction(done, true, { timeout: 120_000 });
      await tabs[1].waitForFunction(done, false, { timeout: 120_000 });
      const [first, second] = await Promise.all(tabs.map((t) => t.evaluate(() => window.__results)));
      const results = { 'tab 1': first.tab, 'tab 2': second.tab, worker: first.worker };
      for (const [name, r] of Object.entries(results)) {
        assert.deepEqual(r.shared, [{ type: 'rateLimitShared', key: 'tabs-and-worker', shared: true, store: 'indexedDB' }], name);
      }
      const journal = await mock.journal();
      checkShared('two tabs and a worker', results, oracle, journal);
      assert.deepEqual(logs.filter((l) => l.startsWith('pageerror')), []);
    } finally {
      await context.close();
    }
  });

  await check('a tab closed while it holds the key\'s lock blocks no one', async () => {
    const context = await browser.newContext();
    try {
      const holder = await context.newPage();
      await holder.goto(`${site.origin}/tab.html?${query}`);
      await holder.waitForFunction(() => window.__ready === true, null, { timeout: 30_000 });
      // As a tab that dies in the middle of a decision: it holds the key's Web Lock and never lets go.
      await holder.evaluate(
        (key) => new Promise((held) => navigator.locks.request(`mde-investigations rate limit ${key}`, () => {
          held();
          return new Promise(() => {});
        })),
        options.key,
      );
      const tab = await context.newPage();
      await tab.goto(`${site.origin}/tab.html?${query}`);
      await tab.waitForFunction(() => window.__ready === true, null, { timeout: 30_000 });
      await mock.reset();
      await tab.evaluate(() => new BroadcastChannel('go').postMessage('go'));
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      assert.equal((await mock.journal()).length, 0, 'the other tab waits for the lock');
      await holder.close();
      await tab.waitForFunction(() => window.__results.tab !== undefined, null, { timeout: 120_000 });
      const r = await tab.evaluate(() => window.__results.tab);
      assert.equal(r.error, undefined, r.error);
      assert.deepEqual(r.ids, oracle, 'the other tab listed everything once the lock was released');
    } finally {
      await context.close();
    }
  });

  for (const [missing, flag, reason] of [
    ['Web Locks', 'nolocks', 'no Web Locks API (navigator.locks) here'],
    ['IndexedDB', 'noidb', 'no IndexedDB (none here)'],
  ]) {
    await check(`without ${missing} a tab keeps its own budget and says so`, async () => {
      const context = await browser.newContext();
      try {
        const tab = await context.newPage();
        await tab.goto(`${site.origin}/tab.html?${query}&${flag}`);
        await tab.waitForFunction(() => window.__ready === true, null, { timeout: 30_000 });
        await mock.reset();
        await tab.evaluate(() => new BroadcastChannel('go').postMessage('go'));
        await tab.waitForFunction(() => window.__results.tab !== undefined, null, { timeout: 120_000 });
        const r = await tab.evaluate(() => window.__results.tab);
        assert.equal(r.error, undefined, r.error);
        assert.deepEqual(r.ids, oracle);
        assert.deepEqual(r.shared, [{ type: 'rateLimitShared', key: 'tabs-and-worker', shared: false, reason }]);
        const journal = await mock.journal();
        assert.deepEqual(journal.filter((j) => j.status === 429), [], 'its own budget keeps it under the limits');
      } finally {
        await context.close();
      }
    });
  }
} finally {
  await browser.close();
  await site.close();
  await mock.stop();
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
