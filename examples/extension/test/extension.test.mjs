// The example extension loaded unpacked in headless Chromium (playwright-core driving Debian's /usr/bin/chromium)
// against `mde-mock --live` ($MDE_MOCK). Run by `cargo xtask extension-test` (part of `cargo xtask test`), which
// first puts the packed npm package's browser files into ../vendor/. The alarm's handler is called through the
// service worker (`mdeApprovals.check()`) instead of waiting for the alarm's minute.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const extensionDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { chromium } = require(process.env.PLAYWRIGHT_CORE ?? 'playwright-core');

/** `mde-mock --port 0 ...flags`, resolved when it prints its address; `admin(path, body, method)` calls its admin API. */
async function startMock(flags) {
  const bin = process.env.MDE_MOCK;
  if (!bin) throw new Error('set MDE_MOCK to the mde-mock binary');
  const child = spawn(bin, ['--port', '0', ...flags], { stdio: ['ignore', 'pipe', 'inherit'] });
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('mde-mock did not start in 20 s')), 20_000);
    child.once('exit', (code) => reject(new Error(`mde-mock exited with ${code}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const m = /^mde-mock listening on (http:\/\/\S+)$/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
  const admin = async (path, body, method = 'POST') => {
    const init = body === undefined ? {} : { method, body: JSON.stringify(body) };
    const r = await fetch(`${base}/__admin/${path}`, init);
    if (!r.ok) throw new Error(`admin ${path}: ${r.status} ${await r.text()}`);
    return r.json();
  };
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', resolve);
      child.kill('SIGTERM');
    });
  return { base, admin, stop };
}

let mock;
let context;
let profile;
let extensionId;

before(async () => {
  // A busy live world: 600 arrivals a world hour, a world minute every 0.6 s.
  mock = await startMock(['--live', '--live-rate', '600', '--time-scale', '0.01', '--count', '40', '--seed', '21', '--now', '2026-11-01T00:00:00Z']);
  profile = mkdtempSync(join(tmpdir(), 'mde-extension-profile-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: false,
    // A sharper picture for the README when one is asked for.
    deviceScaleFactor: process.env.MDE_EXTENSION_SCREENSHOT ? 2 : 1,
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--disable-extensions-except=${extensionDir}`,
      `--load-extension=${extensionDir}`,
    ],
  });
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 20_000 }));
  extensionId = new URL(worker.url()).host;
});

after(async () => {
  await context?.close();
  await mock?.stop();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

/** The extension's service worker as it runs now (a stopped one is started again by any extension event). */
function worker() {
  const workers = context.serviceWorkers().filter((w) => w.url().startsWith(`chrome-extension://${extensionId}/`));
  return workers[workers.length - 1];
}

/** One check, as the alarm runs it. */
const check = () => worker().evaluate(() => globalThis.mdeApprovals.check());
const badge = () => worker().evaluate(() => chrome.action.getBadgeText({}));
const notifications = () => worker().evaluate(async () => Object.keys(await chrome.notifications.getAll()).sort());
const stored = () => worker().evaluate(async () => (await chrome.storage.local.get('state')).state);

/** Investigations of the mock, as its admin API has them now. */
async function investigations() {
  const all = await mock.admin('investigations');
  return Array.isArray(all) ? all : all.value;
}
const pendingIds = async () => (await investigations()).filter((i) => i.state === 'PendingApproval').map((i) => i.id).sort();

/** Waits (polling the admin API, up to 60 s) until the live world has `what`. */
async function until(what, predicate) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const status = await mock.admin('live');
    if (predicate(status)) return status;
    if (Date.now() > deadline) throw new Error(`the live world never had ${what}: ${JSON.stringify(status)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

test('the options page saves a base URL and a pasted token; a check then counts what waits for approval', async () => {
  // Let the world live until some investigations wait for approval and others run, then stop its clock so that
  // what the extension reads can be compared with the mock's data exactly.
  await until('investigations waiting and running', (s) => s.pending_approval >= 2 && s.open - s.pending_approval >= 2);
  await mock.admin('live', { paused: true });
  const none = await check();
  assert.equal(none.error?.kind, 'NoToken');
  assert.equal(await badge(), '!', 'no token yet');

  const options = await context.newPage();
  await options.goto(`chrome-extension://${extensionId}/options.html`);
  // Headless Chromium shows no permission prompt (chrome.permissions.request would wait for ever): the test
  // answers for the user, first "Deny", then "Allow", and checks what was asked.
  const answer = (granted) =>
    options.evaluate((granted) => {
      globalThis.asked = [];
      chrome.permissions.request = async (permissions) => {
        globalThis.asked.push(permissions);
        return granted;
      };
    }, granted);
  const save = async (expected) => {
    await options.evaluate(() => (document.getElementById('status').textContent = ''));
    await options.click('#save');
    await options.waitForSelector(`#status:has-text("${expected}")`, { timeout: 20_000 });
  };
  const sessionToken = () => worker().evaluate(async () => (await chrome.storage.session.get('token')).token);
  await options.check('input[name=where][value=baseUrl]');
  await options.fill('#baseUrl', mock.base);
  await options.fill('#token', 'Bearer extension-test-token');
  await answer(false);
  await save('Not saved: the extension was not allowed');
  assert.deepEqual(await options.evaluate(() => globalThis.asked), [{ origins: ['http://127.0.0.1/*'] }]);
  assert.deepEqual(await worker().evaluate(async () => chrome.storage.local.get('settings')), {}, 'nothing saved');
  await answer(true);
  await save('Saved');
  const settings = await worker().evaluate(async () => (await chrome.storage.local.get('settings')).settings);
  assert.equal(settings.baseUrl, mock.base);
  assert.equal(await sessionToken(), 'extension-test-token', 'kept without its "Bearer " and in session storage');

  // Back to a region without a new token: the base URL's token is forgotten (and nothing goes to Microsoft's host).
  await options.check('input[name=where][value=region]');
  await save('Saved');
  assert.equal(await sessionToken(), undefined);
  await options.check('input[name=where][value=baseUrl]');
  await options.fill('#token', 'extension-test-token');
  await save('Saved');
  assert.equal(await sessionToken(), 'extension-test-token');
  assert.deepEqual(await worker().evaluate(async () => chrome.storage.local.get('token')), {}, 'never on disk');
  await options.close();

  const summary = await check();
  assert.equal(summary.error, undefined, JSON.stringify(summary.error));
  const pending = await pendingIds();
  assert.equal(await badge(), String(pending.length));
  assert.deepEqual((await stored()).pending.map((i) => i.id).sort(), pending);
  // The first check: each one already waiting is news (one notification that counts them beyond five).
  const first = (await stored()).pending[0].id;
  assert.deepEqual(await notifications(), pending.length <= 5 ? pending.map((id) => `mde-investigation:${id}`).sort() : [`mde-investigation:${first}`]);
  assert.equal((await stored()).told, true);
  // The alarm that wakes the worker: every minute.
  const alarm = await worker().evaluate(() => chrome.alarms.get('mde-approvals-tick'));
  assert.equal(alarm.periodInMinutes, 1);
});

test('a PATCH to PendingApproval raises the badge count and a notification; leaving it lowers the count and clears it', async () => {
  const before = await pendingIds();
  const running = (await investigations()).find((i) => i.state === 'Running' || i.state === 'Queued');
  assert.ok(running, 'the live world has one running');
  await mock.admin(`investigations/${running.id}`, { state: 'PendingApproval' }, 'PATCH');

  const raised = await check();
  assert.deepEqual(raised.added, [running.id]);
  assert.equal(await badge(), String(before.length + 1));
  assert.ok((await notifications()).includes(`mde-investigation:${running.id}`));
  const link = await worker().evaluate((id) => globalThis.mdeApprovals.linkOf(id), `mde-investigation:${running.id}`);
  assert.equal(link, 'https://security.microsoft.com/action-center/pending');

  // Approved: it runs again, the count goes back and its notification goes away.
  await mock.admin(`investigations/${running.id}`, { state: 'Running' }, 'PATCH');
  const lowered = await check();
  assert.deepEqual(lowered.removed, [running.id]);
  assert.equal(await badge(), String(before.length));
  assert.ok(!(await notifications()).includes(`mde-investigation:${running.id}`));
});

test('the watch resumes from the token in chrome.storage after the service worker is stopped', async () => {
  const kept = (await stored()).watchToken;
  assert.match(kept, /^mdeW1\./);
  const journalBefore = (await mock.admin('requests')).length;

  // Stop the worker as Chrome does when it is idle (DevTools' ServiceWorker.stopWorker); the popup's "Check now"
  // then wakes a new one with a message.
  const popup = await context.newPage();
  await popup.goto(`chrome-extension://${extensionId}/popup.html`);
  const cdp = await context.newCDPSession(popup);
  const statuses = [];
  let version;
  cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
    for (const v of versions.filter((v) => v.scriptURL.startsWith(`chrome-extension://${extensionId}/`))) {
      version = v.versionId;
      statuses.push(v.runningStatus);
    }
  });
  await cdp.send('ServiceWorker.enable');
  await worker().evaluate(() => {
    globalThis.marker = 'the worker before the stop';
  });
  const seen = async (what, predicate) => {
    for (const deadline = Date.now() + 10_000; !predicate(); ) {
      if (Date.now() > deadline) throw new Error(`${what}: ${statuses.join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  await seen('the worker was not reported', () => version !== undefined);
  await cdp.send('ServiceWorker.stopWorker', { versionId: version });
  await seen('the worker did not stop', () => statuses.at(-1) === 'stopped');
  const another = (await investigations()).find((i) => i.state === 'Running' || i.state === 'Queued');
  await mock.admin(`investigations/${another.id}`, { state: 'PendingApproval' }, 'PATCH');
  const expected = String((await pendingIds()).length);
  await popup.click('#check');
  await popup.waitForFunction((n) => document.getElementById('badge').textContent === n, expected, { timeout: 20_000 });

  assert.equal(statuses.at(-1), "running");
  assert.equal(await worker().evaluate(() => globalThis.marker), undefined, 'a new worker, started by the message');
  // GETs only: the test's stand-in for the permission prompt grants no host permission, so Chromium sends each
  // request with CORS (a preflight OPTIONS first), which the mock allows.
  const calls = (await mock.admin('requests')).slice(journalBefore).filter((c) => c.method === 'GET');
  assert.ok(calls.length >= 1 && calls.length <= 3, `one tick: ${calls.length} calls`);
  assert.match(decodeURIComponent(calls[0].query), /startTime ge /, 'the first call is a tick\'s, not a new snapshot');
  const state = await stored();
  assert.deepEqual(state.pending.map((i) => i.id).sort(), await pendingIds());
  assert.equal(await badge(), String(state.pending.length));
  assert.ok((await notifications()).includes(`mde-investigation:${another.id}`));
  assert.equal(await popup.textContent('#badge'), String(state.pending.length));

  if (process.env.MDE_EXTENSION_SCREENSHOT) {
    await popup.setViewportSize({ width: 380, height: 120 });
    const height = await popup.evaluate(() => document.documentElement.scrollHeight);
    await popup.setViewportSize({ width: 380, height });
    await popup.screenshot({ path: process.env.MDE_EXTENSION_SCREENSHOT });
  }
  await popup.close();
});

test('while the live world goes on, check after check, the badge follows it: paused, it is what the mock has', async () => {
  await mock.admin('live', { paused: false });
  const changes = { added: 0, removed: 0 };
  // A check every 1.5 s (2.5 world minutes): at most 3 calls each, within the client's 100 calls a minute, which
  // it keeps in chrome.storage too (checks back to back would wait for its limiter).
  for (let i = 0; i < 40 && (i < 10 || changes.added === 0 || changes.removed === 0); i++) {
    const summary = await check();
    assert.equal(summary.error, undefined, JSON.stringify(summary.error));
    changes.added += summary.added.length;
    changes.removed += summary.removed.length;
    await new Promise((resolve) => setTimeout(resolve, 1_500));
  }
  assert.ok(changes.added > 0 && changes.removed > 0, `the world moved: ${JSON.stringify(changes)}`);
  await mock.admin('live', { paused: true });
  // A tick looks up at most 40 of the investigations that ended since the last one, the others on the next
  // ticks: with the world paused the view settles in a few checks.
  for (let i = 0; i < 10; i++) {
    const summary = await check();
    if (summary.added.length === 0 && summary.removed.length === 0) break;
  }
  const pending = await pendingIds();
  assert.deepEqual((await stored()).pending.map((i) => i.id).sort(), pending, 'the view is what a fresh listing returns');
  assert.equal(await badge(), pending.length > 0 ? String(pending.length) : '');
  // A notification stays only for one still waiting (leaving clears it).
  const notified = (await notifications()).map((n) => n.replace('mde-investigation:', ''));
  assert.deepEqual(notified.filter((id) => !pending.includes(id)), []);
});

test('a refused token shows ! on the badge and one notification that opens the options', async () => {
  await worker().evaluate(() => chrome.storage.session.set({ token: 'refused' }));
  const mockWithToken = await startMock(['--count', '3', '--token', 'only-this-one']);
  try {
    await worker().evaluate((base) => chrome.storage.local.set({ settings: { region: 'global', baseUrl: base, portalLink: '' } }), mockWithToken.base);
    const summary = await check();
    assert.equal(summary.error?.kind, 'Unauthorized');
    assert.equal(await badge(), '!');
    assert.ok((await notifications()).includes('mde-approvals-problem'));
    const link = await worker().evaluate(() => globalThis.mdeApprovals.linkOf('mde-approvals-problem'));
    assert.equal(link, `chrome-extension://${extensionId}/options.html`);
  } finally {
    await mockWithToken.stop();
  }
});
