// Point 2/3: a listing over several pages shows its progress and ends with the right count; Cancel stops it.
// The mock answers slowly (--latency-ms) so that the listing is observably in progress; nothing asserts a time.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, listingEnds, openPage, shownCount, startDashboard, startMock } from './helpers.mjs';

let browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

/** Waits for the listing to be running with at least `pages` pages, and returns what the page showed then. */
function inProgress(page, pages) {
  return page
    .waitForFunction(
      (min) => {
        const el = document.getElementById('progress-text');
        const bar = document.getElementById('progress');
        if (el?.dataset.state !== 'running' || Number(el.dataset.pages) < min) return false;
        return {
          text: el.textContent,
          pages: Number(el.dataset.pages),
          items: Number(el.dataset.items),
          // Between pages the bar is indeterminate; while a page arrives it counts that page's investigations.
          indeterminate: !bar.hasAttribute('value') || Number(el.dataset.inPage) > 0,
          cancellable: !document.getElementById('cancel-button').disabled,
          listDisabled: document.getElementById('list-button').disabled,
        };
      },
      pages,
      { timeout: 60_000 },
    )
    .then((h) => h.jsonValue());
}

test('a listing over several pages shows pages and items while it runs, and ends with the right count', async () => {
  const mock = await startMock(['--count', '1000', '--latency-ms', '250']);
  const dash = await startDashboard({ baseUrl: mock.url, token: 'any-token', autoList: false });
  try {
    const { page, errors, context } = await openPage(browser, dash.url);
    await page.fill('#f-page-size', '200');
    await page.click('#list-button');
    const seen = await inProgress(page, 2);
    assert.match(seen.text, /^Listing… \d+ pages · [\d,]+ investigations( · page \d+ arriving: [\d,]+)? · \d+ calls/);
    assert.ok(seen.items >= 400 && seen.items < 1000, `items while running: ${seen.items}`);
    assert.ok(seen.indeterminate && seen.cancellable && seen.listDisabled, JSON.stringify(seen));
    assert.equal(await listingEnds(page), 'done');
    assert.equal(await shownCount(page), 1000);
    assert.match(await page.textContent('#progress-text'), /^Done: 5 pages · 1,000 investigations · [56] calls/);
    assert.equal(await page.getAttribute('#progress', 'value'), '1');
    // The page asked for 200 at a time, each range once.
    const journal = await mock.journal();
    const skips = journal.map((e) => /\$skip=(\d+)/.exec(e.query)?.[1] ?? '0');
    assert.deepEqual([...new Set(skips)].slice(0, 5), ['0', '200', '400', '600', '800']);
    assert.ok(journal.every((e) => e.status === 200 && /\$top=200/.test(e.query)), JSON.stringify(journal));
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    await dash.close();
    await mock.stop();
  }
});

test('Cancel stops the listing at once and keeps what was fetched', async () => {
  const mock = await startMock(['--count', '3000', '--latency-ms', '300']);
  const dash = await startDashboard({ baseUrl: mock.url, token: 'any-token', autoList: false });
  try {
    const { page, errors, context } = await openPage(browser, dash.url, {
      allowed: [/net::ERR_ABORTED/], // Chromium may log the fetch that the AbortSignal stopped
    });
    await page.fill('#f-page-size', '100');
    await page.click('#list-button');
    await inProgress(page, 2);
    await page.click('#cancel-button');
    assert.equal(await listingEnds(page), 'cancelled');
    const banner = page.locator('#notices .banner[data-kind="Aborted"]');
    assert.match(await banner.textContent(), /Cancelled/);
    const items = Number(await page.getAttribute('#progress-text', 'data-items'));
    assert.ok(items >= 200 && items < 3000, `items at cancel: ${items}`);
    assert.equal(await shownCount(page), items);
    assert.match(await page.textContent('#progress-text'), /^Cancelled after: /);
    assert.equal(await page.isDisabled('#cancel-button'), true);
    assert.equal(await page.isDisabled('#list-button'), false);
    assert.equal(await page.$('#alerts .banner'), null);
    // No call after the cancel: once the calls in flight have reached the mock, it saw only those the page made.
    const requests = Number(await page.getAttribute('#progress-text', 'data-requests'));
    assert.ok(requests <= items / 100 + 1, `${requests} calls for ${items} items`);
    await new Promise((ok) => setTimeout(ok, 1000));
    assert.ok((await mock.journal()).length <= requests);
    assert.equal(Number(await page.getAttribute('#progress-text', 'data-requests')), requests);
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    await dash.close();
    await mock.stop();
  }
});

test('rows show while a page is still arriving, and the bar counts the investigations of that page', async () => {
  // One page of 1,500 investigations (about 470 KB) at 150 KB/s: its body takes about three seconds.
  const mock = await startMock(['--count', '1500', '--bandwidth', '150000']);
  const dash = await startDashboard({ baseUrl: mock.url, token: 'any-token', autoList: false });
  try {
    const { page, errors, context } = await openPage(browser, dash.url);
    await page.click('#list-button');
    const seen = await page
      .waitForFunction(
        () => {
          const el = document.getElementById('progress-text');
          const bar = document.getElementById('progress');
          const shown = Number(document.getElementById('result-count')?.dataset.count);
          if (el?.dataset.state !== 'running' || !(shown > 0)) return false;
          return {
            text: el.textContent,
            pages: Number(el.dataset.pages),
            inPage: Number(el.dataset.inPage),
            shown,
            rows: document.querySelectorAll('#table .vbody [role="row"]').length,
            bar: bar.hasAttribute('value') ? [bar.value, bar.max] : null,
          };
        },
        null,
        { timeout: 60_000 },
      )
      .then((h) => h.jsonValue());
    // The first page has not ended, yet rows are in the table and the bar counts them against the page size.
    assert.equal(seen.pages, 0, JSON.stringify(seen));
    assert.ok(seen.shown > 0 && seen.shown < 1500 && seen.rows > 0, JSON.stringify(seen));
    assert.ok(seen.inPage >= seen.shown, JSON.stringify(seen));
    assert.ok(seen.bar && seen.bar[0] > 0 && seen.bar[0] < 1500 && seen.bar[1] === 10000, JSON.stringify(seen));
    assert.match(seen.text, /^Listing… 0 pages · [\d,]+ investigations · page 1 arriving: [\d,]+ · 1 call/);
    assert.equal(await listingEnds(page), 'done');
    assert.equal(await shownCount(page), 1500);
    assert.match(await page.textContent('#progress-text'), /^Done: 1 page · 1,500 investigations · 1 call/);
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    await dash.close();
    await mock.stop();
  }
});
