// Point 2/3: each filter control narrows the table to exactly the right rows. The expected rows come from the
// mock's admin list and predicates written here, which share no code with the package or the page.

import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, listNow, openPage, shownCount, startDashboard, startMock, visibleIds } from './helpers.mjs';

let mock;
let dash;
let browser;
let oracle;
let page;
let errors;
let context;

before(async () => {
  mock = await startMock(['--count', '3000']);
  dash = await startDashboard({ baseUrl: mock.url, token: 'any-token', autoList: true });
  browser = await launchBrowser();
  oracle = await mock.admin('investigations');
  ({ page, errors, context } = await openPage(browser, dash.url));
});

after(async () => {
  await context?.close();
  await browser?.close();
  await dash?.close();
  await mock?.stop();
});

beforeEach(async () => {
  await page.click('#clear-button');
});

/** Lists with the form as it is and checks the table against `expected` (in the service's order). */
async function expectRows(expected, what) {
  assert.ok(expected.length > 0 && expected.length < oracle.length, `${what}: a filter that narrows`);
  assert.equal(await listNow(page), 'done');
  assert.equal(await shownCount(page), expected.length, what);
  const ids = await visibleIds(page);
  assert.deepEqual(ids, expected.slice(0, ids.length).map((i) => i.id), what);
  // Every fetched row, not only those in view: the JSON export holds them all.
  const all = await page.evaluate(async () => {
    const [download] = await Promise.all([
      new Promise((ok) => {
        const orig = URL.createObjectURL;
        URL.createObjectURL = (blob) => {
          URL.createObjectURL = orig;
          blob.text().then(ok);
          return orig(blob);
        };
      }),
      document.getElementById('export-json').click(),
    ]);
    return JSON.parse(download).map((i) => i.id);
  });
  assert.deepEqual(all, expected.map((i) => i.id), what);
}

const t = (s) => Date.parse(s);

test('the first load lists everything', async () => {
  await page.waitForFunction(() => document.getElementById('progress-text')?.dataset.state === 'done');
  assert.equal(await shownCount(page), oracle.length);
});

test('state (multi-select) narrows to the chosen states', async () => {
  await page.selectOption('#f-state', ['Running', 'Benign']);
  const sent = await page.textContent('#effective-filter');
  assert.ok(sent.includes("'Running'") && sent.includes("'Benign'"), sent);
  await expectRows(oracle.filter((i) => i.state === 'Running' || i.state === 'Benign'), 'state');
});

test('a single state', async () => {
  await page.selectOption('#f-state', ['PendingApproval']);
  await expectRows(oracle.filter((i) => i.state === 'PendingApproval'), 'one state');
});

test('start-time range (UTC, from inclusive, before exclusive)', async () => {
  await page.fill('#f-from', '2026-10-01T00:00:00');
  await page.fill('#f-to', '2026-10-15T12:00:00');
  const lo = t('2026-10-01T00:00:00Z');
  const hi = t('2026-10-15T12:00:00Z');
  await expectRows(oracle.filter((i) => i.startTime && t(i.startTime) >= lo && t(i.startTime) < hi), 'start time');
});

test('only a lower bound on the start time', async () => {
  await page.fill('#f-from', '2026-11-20T06:30:00');
  const lo = t('2026-11-20T06:30:00Z');
  await expectRows(oracle.filter((i) => i.startTime && t(i.startTime) >= lo), 'from');
});

test('machine id: one, then several', async () => {
  const counts = new Map();
  for (const i of oracle) counts.set(i.machineId, (counts.get(i.machineId) ?? 0) + 1);
  const busy = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([m]) => m);
  await page.fill('#f-machine', busy[0]);
  await expectRows(oracle.filter((i) => i.machineId === busy[0]), 'one machine');
  await page.fill('#f-machine', `${busy[1]}, ${busy[2]}`);
  await expectRows(oracle.filter((i) => i.machineId === busy[1] || i.machineId === busy[2]), 'two machines');
});

test('triggering alert id', async () => {
  const target = oracle[1234].triggeringAlertId;
  await page.fill('#f-alert', target);
  await expectRows(oracle.filter((i) => i.triggeringAlertId === target), 'alert id');
});

test('raw OData box, alone and combined with the fields', async () => {
  await page.fill('#f-odata', "state eq 'SuccessfullyRemediated' and startTime lt 2026-10-01T00:00:00Z");
  await page.waitForSelector('#f-odata-status .ok');
  const cut = t('2026-10-01T00:00:00Z');
  await expectRows(
    oracle.filter((i) => i.state === 'SuccessfullyRemediated' && i.startTime && t(i.startTime) < cut),
    'raw OData',
  );
  await page.fill('#f-odata', "not (state eq 'Benign') or id eq '1'");
  await page.selectOption('#f-state', ['Benign', 'Failed']);
  assert.match(await page.textContent('#effective-filter'), / and /);
  await expectRows(oracle.filter((i) => i.state === 'Failed'), 'fields and raw OData');
});

test('an invalid OData text shows the error and its position as you type, and nothing is sent', async () => {
  const before = (await mock.journal()).length;
  await page.fill('#f-odata', "state eq 'Running' andd id eq '1'");
  await page.waitForSelector('#f-odata-status .error');
  const message = await page.textContent('#f-odata-status .error');
  assert.match(message, /^Error at position 19: /);
  assert.equal(await page.getAttribute('#f-odata', 'aria-invalid'), 'true');
  assert.match(await page.textContent('#f-odata-status .caret'), /\n\s+\^$/);
  assert.equal(await page.textContent('#effective-filter'), '(not valid: nothing will be sent)');
  await page.click('#list-button');
  // The click moved focus to the box, with the caret at the error.
  await page.waitForFunction(() => document.activeElement?.id === 'f-odata');
  assert.equal(await page.$eval('#f-odata', (el) => el.selectionStart), 19);
  assert.equal((await mock.journal()).length, before);
  // A property the API cannot filter on.
  await page.fill('#f-odata', "computerDnsName eq 'x'");
  await page.waitForSelector('#f-odata-status .error');
  assert.match(await page.textContent('#f-odata-status .error'), /^Error at position 0: /);
  // Fixing it clears the error.
  await page.fill('#f-odata', "id eq '1'");
  await page.waitForSelector('#f-odata-status .ok');
  assert.equal(await page.getAttribute('#f-odata', 'aria-invalid'), null);
  assert.deepEqual(errors, []);
});

test('no console errors', () => {
  assert.deepEqual(errors, []);
});
