// Issue 15, point 4: the Live switch. client.watch() keeps the table current in place; a change made through the
// mock's admin API (PATCH to PendingApproval, POST of a new one) shows within two of the watch's intervals, with
// its mark, and the count of those waiting for approval follows; turning the switch off stops the calls.
//
// The mock runs in live mode with its world paused (POST /__admin/live {"paused": true}), so that the only
// changes are the test's own and every expectation is exact. "Within two intervals" is counted in ticks, not in
// seconds: the page counts the watch's ticks (`data-ticks` of #live-status, from the package's `watchTick`
// events), and a change made before tick k starts is in the view when tick k ends, so the page must show it once
// two more ticks than when the change was made have ended. Nothing asserts a time.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { httpStatusLogged, launchBrowser, openPage, shownCount, startDashboard, startMock } from './helpers.mjs';

/** The watch's interval in these tests (the package accepts 100 ms or more). */
const INTERVAL_MS = 400;

let browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

/**
 * A live mock with 300 investigations whose world is paused, three open ones added (the generated data has few:
 * most of 90 days of investigations have ended), and the dashboard pointed at it. `nextId` is a new id.
 */
async function liveSetup(config = {}) {
  const mock = await startMock(['--count', '300', '--live']);
  await mock.admin('live', { method: 'POST', body: JSON.stringify({ paused: true }) });
  const data = await mock.admin('investigations');
  let last = data.map((i) => BigInt(i.id)).reduce((a, b) => (a > b ? a : b));
  const nextId = () => String(++last);
  const machineId = data[0].machineId;
  const open = ['Running', 'Queued', 'Running'].map((state, k) => ({
    id: nextId(),
    startTime: `2026-11-27T11:5${k}:00Z`,
    state,
    machineId,
  }));
  await addInvestigations(mock, open);
  const dash = await startDashboard({ baseUrl: mock.url, token: 'any-token', ...config });
  return { mock, dash, nextId, stop: async () => (await dash.close(), await mock.stop()) };
}

/** POSTs investigations through the mock's admin API. */
function addInvestigations(mock, items) {
  return mock.admin('investigations', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(items),
  });
}

const ticks = (page) => page.$eval('#live-status', (el) => Number(el.dataset.ticks));
const pendingShown = (page) => page.$eval('#pending', (el) => el.dataset.count);

/** Waits until the live view has ended at least `n` ticks. */
function ticksReach(page, n) {
  return page.waitForFunction(
    (min) => {
      const el = document.getElementById('live-status');
      return el?.dataset.state === 'current' && Number(el.dataset.ticks) >= min;
    },
    n,
    { timeout: 60_000 },
  );
}

/** The row of `id` as the table shows it (the table is virtual: the row must be in view), or null. */
function rowOf(page, id) {
  return page.evaluate((id) => {
    const row = document.querySelector(`#table .vbody [role="row"][data-id="${id}"]`);
    if (!row) return null;
    const cells = [...row.querySelectorAll('[role="cell"]')];
    return {
      index: Number(row.dataset.index),
      mark: row.dataset.mark ?? null,
      badge: row.querySelector('.mark')?.textContent ?? null,
      state: cells[1].title.replace(/^.*: /, ''),
      changedCells: cells.filter((c) => c.classList.contains('cell-changed')).length,
    };
  }, id);
}

/** PATCHes one investigation through the mock's admin API. */
function patch(mock, id, body) {
  return mock.admin(`investigations/${id}`, { method: 'PATCH', body: JSON.stringify(body) });
}

test('with Live on, a PATCH to PendingApproval and a new investigation show within two intervals, marked; the count follows', async () => {
  const { mock, dash, nextId, stop } = await liveSetup({ live: true, liveIntervalMs: INTERVAL_MS });
  try {
    const { page, errors, context } = await openPage(browser, dash.url);
    assert.equal(await page.isChecked('#live-switch'), true, 'config.json live: true turns the switch on');
    assert.equal(await page.getAttribute('#live-switch', 'role'), 'switch');
    await ticksReach(page, 1);
    const oracle = await mock.admin('investigations');
    const pending = oracle.filter((i) => i.state === 'PendingApproval').length;
    assert.equal(await shownCount(page), oracle.length);
    assert.equal(await pendingShown(page), String(pending));
    assert.match(await page.textContent('#pending'), /Waiting for approval\s+\d+\s+live, all investigations/);
    assert.match(await page.textContent('#progress-text'), /^Live view: 303 investigations · \d+ calls?/);

    // A running investigation near the top (in the table's window) waits for approval.
    const running = oracle.slice(0, 20).find((i) => i.state === 'Running' || i.state === 'Queued');
    assert.ok(running, 'the data has an open investigation among the 20 newest');
    const before = await ticks(page);
    await patch(mock, running.id, { state: 'PendingApproval' });
    await ticksReach(page, before + 2);
    const row = await rowOf(page, running.id);
    assert.equal(row?.state, 'PendingApproval', JSON.stringify(row));
    assert.equal(row.mark, 'changed');
    assert.equal(row.badge, 'changed', 'the mark is a word, not a colour alone');
    assert.equal(row.changedCells, 1, 'the State cell is marked as what changed');
    assert.equal(await pendingShown(page), String(pending + 1));
    assert.match(await page.textContent('#live-announce'), /1 changed/);

    // A new one, newer than all: at the top, marked new; the count, the chart and the total follow.
    const id = nextId();
    const at = await ticks(page);
    await addInvestigations(mock, [{ id, startTime: '2026-11-27T12:30:00Z', state: 'PendingApproval', machineId: 'a'.repeat(40) }]);
    await ticksReach(page, at + 2);
    const added = await rowOf(page, id);
    assert.equal(added?.index, 0, 'the newest first, as the service orders');
    assert.equal(added.mark, 'added');
    assert.equal(added.badge, 'new');
    assert.equal(await shownCount(page), oracle.length + 1);
    assert.equal(await pendingShown(page), String(pending + 2));
    assert.equal(await page.title(), `(${pending + 2} waiting) MDE investigations`, 'a tab in the background tells it too');
    assert.match(await page.textContent('#chart-summary'), /^304 investigations /, 'the chart follows the view');

    // The marks go after a few seconds; the rows stay.
    await page.waitForFunction(() => !document.querySelector('#table .vbody [data-mark]'), null, { timeout: 30_000 });
    assert.equal((await rowOf(page, id))?.badge, null);
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    await stop();
  }
});

test('a filtered live view: a row that leaves the filter goes, and the pending count still counts every investigation', async () => {
  const { mock, dash, stop } = await liveSetup({ liveIntervalMs: INTERVAL_MS });
  try {
    const { page, errors, context } = await openPage(browser, dash.url);
    assert.equal(await page.isChecked('#live-switch'), false, 'off by default');
    assert.equal(await page.textContent('#live-status'), 'Off');
    await page.selectOption('#f-state', ['Running', 'Queued']);
    await page.check('#live-switch');
    await ticksReach(page, 2); // the view's snapshot and the approvals' (a second watch: the view is filtered)
    const oracle = await mock.admin('investigations');
    const open = oracle.filter((i) => i.state === 'Running' || i.state === 'Queued');
    const pending = oracle.filter((i) => i.state === 'PendingApproval').length;
    assert.equal(await shownCount(page), open.length);
    assert.equal(await pendingShown(page), String(pending));

    const leaving = open[0];
    assert.ok(await rowOf(page, leaving.id), 'the row is shown first');
    const before = await ticks(page);
    await patch(mock, leaving.id, { state: 'PendingApproval' });
    // Two watches tick into the same count: two intervals are four of its ticks.
    await ticksReach(page, before + 4);
    assert.equal(await rowOf(page, leaving.id), null, 'the row went');
    assert.equal(await shownCount(page), open.length - 1);
    assert.equal(await pendingShown(page), String(pending + 1), 'counted by the approvals watch');
    assert.match(await page.textContent('#live-announce'), /1 gone/);
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    await stop();
  }
});

test('turning Live off aborts the watch: no call after it, and later changes do not show', async () => {
  const { mock, dash, stop } = await liveSetup({ live: true, liveIntervalMs: INTERVAL_MS });
  try {
    const { page, errors, context } = await openPage(browser, dash.url, {
      allowed: [/net::ERR_ABORTED/], // Chromium may log a fetch that the AbortSignal stopped
    });
    await ticksReach(page, 3);
    const oracle = await mock.admin('investigations');
    await page.click('#live-switch');
    assert.equal(await page.isChecked('#live-switch'), false);
    assert.equal(await page.$eval('#live-status', (el) => el.dataset.state), 'off');
    // Once a call in flight (if any) has reached the mock, nothing more comes, over several intervals.
    await new Promise((ok) => setTimeout(ok, 1000));
    const calls = (await mock.journal()).length;
    const open = oracle.find((i) => i.state === 'Running' || i.state === 'Queued');
    await patch(mock, open.id, { state: 'PendingApproval' });
    await new Promise((ok) => setTimeout(ok, INTERVAL_MS * 4));
    assert.equal((await mock.journal()).length, calls, 'no call after the switch went off');
    assert.equal(await shownCount(page), oracle.length, 'the rows stay');
    assert.equal(await page.$eval('#pending', (el) => el.dataset.scope), 'list');
    assert.equal(await page.$('#table .vbody [data-mark]'), null, 'no marks once off');
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    await stop();
  }
});

test('with Live on, List starts the watch again with the form filter; an invalid filter turns nothing on', async () => {
  const { mock, dash, stop } = await liveSetup({ liveIntervalMs: INTERVAL_MS });
  try {
    const { page, errors, context } = await openPage(browser, dash.url);
    await page.fill('#f-odata', "state eq 'Running' and");
    await page.click('#live-switch'); // not page.check: the switch refuses to stay on
    assert.equal(await page.isChecked('#live-switch'), false, 'the switch goes back off');
    assert.equal(await page.$eval('#live-status', (el) => el.dataset.state), 'off');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'f-odata', 'focus on the filter to fix');
    assert.deepEqual(await mock.journal(), [], 'nothing sent');

    await page.fill('#f-odata', "state eq 'Running'");
    await page.check('#live-switch');
    await ticksReach(page, 2);
    const oracle = await mock.admin('investigations');
    assert.equal(await shownCount(page), oracle.filter((i) => i.state === 'Running').length);
    await page.fill('#f-odata', "state eq 'Queued'");
    const at = await ticks(page);
    await page.click('#list-button');
    await ticksReach(page, at + 2);
    assert.equal(await page.isChecked('#live-switch'), true, 'still live');
    assert.equal(await shownCount(page), oracle.filter((i) => i.state === 'Queued').length);
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    await stop();
  }
});

test('a refused token turns Live off with its banner', async () => {
  const mock = await startMock(['--count', '50', '--live', '--token', 'good-token']);
  const dash = await startDashboard({ baseUrl: mock.url, token: 'bad-token', live: true, liveIntervalMs: INTERVAL_MS });
  try {
    const { page, errors, context } = await openPage(browser, dash.url, { allowed: [httpStatusLogged(401)] });
    await page.waitForSelector('#alerts .banner[data-kind="Unauthorized"]');
    assert.equal(await page.isChecked('#live-switch'), false);
    assert.equal(await page.$eval('#live-status', (el) => el.dataset.state), 'failed');
    assert.match(await page.textContent('#live-status'), /Unauthorized/);
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    await dash.close();
    await mock.stop();
  }
});

test('while the tab is hidden the marks stay; they go a few seconds after it is seen again', async () => {
  const { mock, dash, stop } = await liveSetup({ live: true, liveIntervalMs: INTERVAL_MS });
  try {
    const { page, errors, context } = await openPage(browser, dash.url);
    await ticksReach(page, 1);
    // Headless Chromium has no hidden tab: the page's visibility is overridden, and the event sent as a browser would.
    const setVisibility = (state) =>
      page.evaluate((state) => {
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
        document.dispatchEvent(new Event('visibilitychange'));
      }, state);
    await setVisibility('hidden');
    const open = (await mock.admin('investigations')).find((i) => i.state === 'Running');
    const k = await ticks(page);
    await patch(mock, open.id, { state: 'PendingApproval' });
    await ticksReach(page, k + 2);
    assert.equal((await rowOf(page, open.id))?.mark, 'changed');
    await new Promise((ok) => setTimeout(ok, 9_000)); // longer than a mark lasts (8 s)
    assert.equal((await rowOf(page, open.id))?.mark, 'changed', 'still marked while hidden');
    await setVisibility('visible');
    assert.equal((await rowOf(page, open.id))?.mark, 'changed', 'still marked when seen again');
    await page.waitForFunction(() => !document.querySelector('#table .vbody [data-mark]'), null, { timeout: 30_000 });
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    await stop();
  }
});

test('a refresh that fails after its retries shows a notice, which says when the next one caught up', async () => {
  const { mock, dash, stop } = await liveSetup({ live: true, liveIntervalMs: INTERVAL_MS });
  try {
    const { page, errors, context } = await openPage(browser, dash.url, { allowed: [httpStatusLogged(503)] });
    await ticksReach(page, 1);
    const open = (await mock.admin('investigations')).find((i) => i.state === 'Running');
    // The first call and its 5 retries (the client's default) answer 503: that tick fails; the watch goes on.
    await mock.admin('faults', { method: 'POST', body: JSON.stringify({ plan: Array(6).fill('503') }) });
    await patch(mock, open.id, { state: 'PendingApproval' });
    // The watch starts the next tick at once after a failed one: the notice then says that it caught up.
    const notice = page.locator('#notices .banner[data-kind="LiveTickFailed"].info');
    await notice.waitFor({ timeout: 60_000 });
    assert.match(await notice.textContent(), /A live refresh failed at .* UTC \(The service failed\); the next one caught up at .*The view is current again\..*HTTP 503/);
    assert.equal(await page.isChecked('#live-switch'), true, 'still live');
    assert.equal((await rowOf(page, open.id))?.state, 'PendingApproval', 'the next tick caught up');
    assert.equal(await page.$eval('#live-status', (el) => el.dataset.state), 'current');
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    await stop();
  }
});
