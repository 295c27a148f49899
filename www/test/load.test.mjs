// Point 2/3: the first load lists every investigation; 10,000+ rows stay virtual; columns sort; chart and gauge.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, listingEnds, openPage, shownCount, startDashboard, startMock, visibleIds } from './helpers.mjs';

const COUNT = 12_000; // two pages of at most 10,000
let mock;
let dash;
let browser;
let oracle;

before(async () => {
  mock = await startMock(['--count', String(COUNT)]);
  dash = await startDashboard({ baseUrl: mock.url, token: 'any-token', autoList: true });
  browser = await launchBrowser();
  oracle = await mock.admin('investigations');
});

after(async () => {
  await browser?.close();
  await dash?.close();
  await mock?.stop();
});

test('the first load lists every investigation, in the service order, without console errors', async () => {
  const { page, errors, context } = await openPage(browser, dash.url);
  assert.equal(await listingEnds(page), 'done');
  assert.equal(await shownCount(page), COUNT);
  assert.equal(oracle.length, COUNT);
  const ids = await visibleIds(page);
  assert.deepEqual(ids.slice(0, 10), oracle.slice(0, 10).map((i) => i.id));
  const text = await page.textContent('#progress-text');
  assert.match(text, /^Done: 2 pages · 12,000 investigations/);
  // The first page is validated and rendered cell by cell: the first row shows the first investigation.
  const cells = await page.$$eval('#table .vbody [role="row"][data-index="0"] [role="cell"]', (c) =>
    c.map((x) => x.title),
  );
  const first = oracle[0];
  assert.deepEqual(cells.slice(0, 3), [first.id, first.state, first.startTime]);
  // The gauge shows the calls spent (two pages, no more).
  await page.waitForFunction(() => document.getElementById('rate-minute-text')?.dataset.used === '2');
  assert.match(await page.textContent('#rate-hour-text'), /^2 \/ 1,500 calls/);
  // The chart is drawn, and its summary counts every dated investigation.
  assert.ok(await page.$('#chart canvas'));
  assert.match(await page.textContent('#chart-summary'), /^12,000 investigations from \d{4}-\d\d-\d\d to 2026-11-27/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the table keeps only the rows in view in the DOM and scrolls to the last one', async () => {
  const { page, errors, context } = await openPage(browser, dash.url);
  await listingEnds(page);
  const rows = await page.$$eval('#table .vbody [role="row"]', (r) => r.length);
  assert.ok(rows > 10 && rows < 100, `rows in the DOM: ${rows}`);
  assert.equal(await page.getAttribute('#table [role="table"]', 'aria-rowcount'), String(COUNT + 1));
  await page.$eval('#table .vtable-scroll', (el) => {
    el.scrollTop = el.scrollHeight;
  });
  await page.waitForSelector(`#table .vbody [role="row"][data-index="${COUNT - 1}"]`);
  const last = await page.getAttribute(`#table .vbody [role="row"][data-index="${COUNT - 1}"]`, 'data-id');
  assert.equal(last, oracle[COUNT - 1].id);
  assert.equal(await page.getAttribute(`#table .vbody [role="row"][data-index="${COUNT - 1}"]`, 'aria-rowindex'), String(COUNT + 1));
  assert.ok((await page.$$eval('#table .vbody [role="row"]', (r) => r.length)) < 100);
  assert.deepEqual(errors, []);
  await context.close();
});

test('columns sort ascending, descending, then back to the service order', async () => {
  const { page, errors, context } = await openPage(browser, dash.url);
  await listingEnds(page);
  const byId = [...oracle].sort((a, b) => a.id.length - b.id.length || (a.id < b.id ? -1 : 1));
  const header = (key) => page.locator(`#table [role="columnheader"][data-key="${key}"]`);

  await header('id').locator('button').click();
  assert.equal(await header('id').getAttribute('aria-sort'), 'ascending');
  assert.deepEqual((await visibleIds(page)).slice(0, 5), byId.slice(0, 5).map((i) => i.id));
  await header('id').locator('button').click();
  assert.equal(await header('id').getAttribute('aria-sort'), 'descending');
  assert.deepEqual((await visibleIds(page)).slice(0, 5), byId.slice(-5).reverse().map((i) => i.id));

  // Start time ascending: the earliest first (times compared as instants, not as text).
  await header('startTime').locator('button').click();
  assert.equal(await header('id').getAttribute('aria-sort'), 'none');
  const dated = oracle.filter((i) => i.startTime).map((i) => ({ id: i.id, t: Date.parse(i.startTime) }));
  const earliest = Math.min(...dated.map((d) => d.t));
  const firstShown = (await visibleIds(page))[0];
  assert.equal(dated.find((d) => d.id === firstShown).t, earliest);

  // Third click on the same column: the service's order again.
  await header('startTime').locator('button').click();
  await header('startTime').locator('button').click();
  assert.equal(await header('startTime').getAttribute('aria-sort'), 'none');
  assert.deepEqual((await visibleIds(page)).slice(0, 5), oracle.slice(0, 5).map((i) => i.id));
  assert.deepEqual(errors, []);
  await context.close();
});
