// Point 4: labelled controls, a focus order that follows the layout, visible focus, and a keyboard-only listing.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, listingEnds, openPage, shownCount, startDashboard, startMock } from './helpers.mjs';

let mock;
let dash;
let browser;

before(async () => {
  mock = await startMock(['--count', '300']);
  dash = await startDashboard({ baseUrl: mock.url, token: 'any-token', autoList: true });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await dash?.close();
  await mock?.stop();
});

test('every control has an accessible name from a label', async () => {
  const { page, errors, context } = await openPage(browser, dash.url);
  await listingEnds(page);
  await page.click('#connection summary'); // open the connection form so its controls are rendered
  const unnamed = await page.$$eval('input, select, textarea, button, [tabindex="0"]', (els) =>
    els
      .filter((el) => {
        const labelled = (el.labels ? [...el.labels] : []).some((l) => l.textContent.trim() !== '');
        const aria = (el.getAttribute('aria-label') ?? '').trim() !== '' || el.hasAttribute('aria-labelledby');
        const text = el.tagName === 'BUTTON' && el.textContent.trim() !== '';
        return !(labelled || aria || text);
      })
      .map((el) => el.outerHTML.slice(0, 80)),
  );
  assert.deepEqual(unnamed, []);
  // Playwright's accessibility-based lookups find each control by its label.
  for (const [label, id] of [
    ['State', 'f-state'],
    ['From (inclusive)', 'f-from'],
    ['Before (exclusive)', 'f-to'],
    ['Machine id', 'f-machine'],
    ['Triggering alert id', 'f-alert'],
    ['Raw OData', 'f-odata'],
    ['Page size', 'f-page-size'],
    ['Service', 'c-region'],
    ['Base URL', 'c-base-url'],
    ['Bearer token', 'c-token'],
    ['Minute window', 'rate-minute'],
    ['Hour window', 'rate-hour'],
    ['Listing', 'progress'],
    ['Live', 'live-switch'],
  ]) {
    assert.equal(await page.getByLabel(label, { exact: false }).first().getAttribute('id'), id, label);
  }
  assert.equal(await page.getByRole('button', { name: 'List investigations' }).count(), 1);
  assert.equal(await page.getByRole('switch', { name: 'Live' }).count(), 1);
  assert.equal(await page.getByRole('table', { name: 'Investigations' }).count(), 1);
  assert.equal(await page.getByRole('columnheader').count(), 9);
  assert.equal(await page.getByRole('region', { name: /Investigations table/ }).count(), 1);
  assert.deepEqual(errors, []);
  await context.close();
});

test('Tab follows the layout: filters, buttons, connection, then the results; focus is always visible', async () => {
  const { page, errors, context } = await openPage(browser, dash.url);
  await listingEnds(page);
  const order = [];
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    const f = await page.evaluate(() => {
      const el = document.activeElement;
      const style = getComputedStyle(el);
      return {
        key: el.id || el.closest('[data-key]')?.dataset.key || el.className || el.tagName,
        outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
      };
    });
    assert.ok(f.outline, `visible focus on ${f.key}`);
    if (order.at(-1) !== f.key) order.push(f.key); // date fields keep focus across their parts
    if (f.key === 'statusDetails') break;
  }
  assert.deepEqual(order, [
    'skip-link',
    'live-switch', // in the header, beside the count of those waiting for approval
    'f-state',
    'f-from',
    'f-to',
    'f-machine',
    'f-alert',
    'f-odata',
    'f-page-size',
    'list-button', // Cancel is disabled when nothing runs: skipped
    'clear-button',
    'SUMMARY',
    'export-csv',
    'export-json',
    'vtable-scroll', // the table's scroll box (arrow keys, Page Up/Down), then its sort buttons
    'id',
    'state',
    'startTime',
    'endTime',
    'computerDnsName',
    'machineId',
    'triggeringAlertId',
    'cancelledBy',
    'statusDetails',
  ]);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the skip link shows when focused and moves focus to the results', async () => {
  const { page, errors, context } = await openPage(browser, dash.url);
  await listingEnds(page);
  await page.keyboard.press('Tab');
  const box = await page.locator('.skip-link').boundingBox();
  assert.ok(box && box.x >= 0 && box.y >= 0, 'visible on focus');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'results-heading');
  assert.deepEqual(errors, []);
  await context.close();
});

test('keyboard only: type a filter, Ctrl+Enter lists, Enter on a header sorts, arrows scroll the table', async () => {
  const { page, errors, context } = await openPage(browser, dash.url);
  await listingEnds(page);
  const oracle = await mock.admin('investigations');
  await page.focus('#f-odata');
  await page.keyboard.type("state eq 'Benign'");
  const run = Number(await page.getAttribute('#progress-text', 'data-run'));
  await page.keyboard.press('Control+Enter');
  await page.waitForFunction((n) => Number(document.getElementById('progress-text')?.dataset.run) > n, run);
  assert.equal(await listingEnds(page), 'done');
  const benign = oracle.filter((i) => i.state === 'Benign');
  assert.equal(await shownCount(page), benign.length);

  await page.focus('#table [data-key="id"] button');
  await page.keyboard.press('Enter');
  assert.equal(await page.getAttribute('#table [data-key="id"]', 'aria-sort'), 'ascending');
  await page.keyboard.press('Space');
  assert.equal(await page.getAttribute('#table [data-key="id"]', 'aria-sort'), 'descending');

  await page.focus('#table .vtable-scroll');
  await page.keyboard.press('End');
  await page.waitForFunction(() => document.querySelector('#table .vtable-scroll').scrollTop > 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the OData error is tied to its box for screen readers', async () => {
  const { page, errors, context } = await openPage(browser, dash.url);
  await listingEnds(page);
  assert.equal(await page.getAttribute('#f-odata', 'aria-describedby'), 'f-odata-status');
  assert.equal(await page.getAttribute('#f-odata-status', 'aria-live'), 'polite');
  await page.fill('#f-odata', 'state eq');
  await page.waitForSelector('#f-odata-status .error');
  assert.equal(await page.getAttribute('#f-odata', 'aria-invalid'), 'true');
  assert.deepEqual(errors, []);
  await context.close();
});
