// `rateLimit: { shared }` in a Manifest V3 extension (shared-extension/, loaded unpacked in headless Chromium): its
// page and its service worker list everything at once against mde-mock with low, time-scaled limits and one key.
// Together they must never draw a 429 and finish within 1.3x of the ideal schedule. Prints `N passed, N failed`.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

import { startMock, valueOf } from './mock.js';
import { extensionWorker, launchWithExtension } from './mv3.js';
import { COUNT, LIMITS, checkShared, mockFlags } from './shared-check.js';

const here = dirname(fileURLToPath(import.meta.url));
const mock = await startMock(mockFlags());
const ext = mkdtempSync(join(tmpdir(), 'mde-mv3-shared-'));
const profile = mkdtempSync(join(tmpdir(), 'mde-mv3-shared-profile-'));
cpSync(join(here, 'shared-extension'), ext, { recursive: true });
cpSync(join(here, 'node_modules', 'mde-investigations'), join(ext, 'pkg'), { recursive: true });
cpSync(join(here, 'shared-lib.js'), join(ext, 'shared-lib.js'));

let passed = 0;
let failed = 0;
const context = await launchWithExtension(profile, ext);
try {
  const oracle = valueOf(await mock.all()).map((i) => i.id);
  assert.equal(oracle.length, COUNT);
  const worker = await extensionWorker(context);
  const id = new URL(worker.url()).host;
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`chrome-extension://${id}/page.html`);
  await page.waitForFunction(() => typeof globalThis.__arm === 'function', null, { timeout: 30_000 });
  const options = { base: mock.base, key: 'extension', ...LIMITS };
  await worker.evaluate((o) => globalThis.__arm(o), options);
  await page.evaluate((o) => globalThis.__arm(o), options);
  await mock.reset();
  await page.evaluate(() => globalThis.__go());
  const [fromPage, fromWorker] = await Promise.all([
    page.evaluate(() => globalThis.__done),
    worker.evaluate(() => globalThis.__done),
  ]);
  const results = { 'extension page': fromPage, 'service worker': fromWorker };
  for (const [name, r] of Object.entries(results)) {
    assert.deepEqual(r.shared, [{ type: 'rateLimitShared', key: 'extension', shared: true, store: 'indexedDB' }], name);
  }
  checkShared('extension page and service worker', results, oracle, await mock.journal());
  assert.deepEqual(errors, []);
  console.log('ok - an MV3 extension page and its service worker share one budget');
  passed++;
} catch (e) {
  console.log(`not ok - an MV3 extension page and its service worker share one budget: ${e.stack ?? e}`);
  failed++;
} finally {
  await context.close();
  await mock.stop();
  rmSync(ext, { recursive: true, force: true });
  rmSync(profile, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
