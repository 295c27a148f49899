// The package in a Manifest V3 extension's module service worker (no window, no top-level await,
// 'wasm-unsafe-eval' in the CSP), in headless Chromium, against mde-mock. Prints `N passed, N failed`.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

import { startMock, valueOf } from './mock.js';
import { extensionWorker, launchWithExtension } from './mv3.js';

const here = dirname(fileURLToPath(import.meta.url));
const mock = await startMock(['--count', '30', '--seed', '5']);
const ext = mkdtempSync(join(tmpdir(), 'mde-mv3-'));
const profile = mkdtempSync(join(tmpdir(), 'mde-mv3-profile-'));
cpSync(join(here, 'node_modules', 'mde-investigations'), join(ext, 'pkg'), { recursive: true });
cpSync(join(here, 'smoke-lib.js'), join(ext, 'smoke-lib.js'));
writeFileSync(
  join(ext, 'manifest.json'),
  JSON.stringify({
    manifest_version: 3,
    name: 'mde-investigations smoke',
    version: '1.0',
    background: { service_worker: 'sw.js', type: 'module' },
    host_permissions: ['http://127.0.0.1/*'],
    content_security_policy: { extension_pages: "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'" },
  }),
);
writeFileSync(
  join(ext, 'sw.js'),
  `import { smoke } from './smoke-lib.js';
import * as api from './pkg/index.js';
globalThis.__run = (base) => smoke(base, api).catch((e) => ({ error: String(e && e.stack || e) }));
`,
);

let passed = 0;
let failed = 0;
const context = await launchWithExtension(profile, ext);
try {
  const worker = await extensionWorker(context);
  const r = await worker.evaluate((base) => globalThis.__run(base), mock.base);
  assert.equal(r.error, undefined, r.error);
  assert.equal(r.count, valueOf(await mock.all()).length);
  assert.deepEqual(r.pages, [7, 7, 7, 7, 2]);
  assert.equal(r.notFound, 'NotFound 404');
  assert.equal(r.aborted, 'Aborted');
  console.log('ok - MV3 extension service worker');
  passed++;
} catch (e) {
  console.log(`not ok - MV3 extension service worker: ${e.message}`);
  failed++;
} finally {
  await context.close();
  await mock.stop();
  rmSync(ext, { recursive: true, force: true });
  rmSync(profile, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
