// Point 2/3: a clear banner per error kind, each scenario made with mde-mock's flags.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  httpStatusLogged,
  launchBrowser,
  listingEnds,
  openPage,
  shownCount,
  startDashboard,
  startMock,
} from './helpers.mjs';

let browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

/** Runs `body` with a mock started with `args` and the dashboard listing at load with `token`. */
async function scenario(args, config, body) {
  const mock = await startMock(args);
  const dash = await startDashboard({ baseUrl: mock.url, autoList: true, ...config });
  try {
    await body(mock, dash);
  } finally {
    await dash.close();
    await mock.stop();
  }
}

test('401: a refused token shows the token banner', async () => {
  await scenario(['--count', '50', '--token', 'the-right-token'], { token: 'a-wrong-token' }, async (mock, dash) => {
    const { page, errors, context } = await openPage(browser, dash.url, { allowed: [httpStatusLogged(401)] });
    assert.equal(await listingEnds(page), 'failed');
    const banner = page.locator('#alerts .banner[data-kind="Unauthorized"]');
    const text = await banner.textContent();
    assert.match(text, /The token was refused \(401 Unauthorized\)/);
    assert.match(text, /Get a new token/);
    assert.match(text, /HTTP 401 · code Unauthorized · correlation id \S+/);
    assert.equal(await banner.getAttribute('class'), 'banner error');
    assert.equal(await shownCount(page), 0);
    // The banner is in the alert region, which screen readers announce.
    assert.equal(await page.getAttribute('#alerts', 'role'), 'alert');
    // The page never sent the token anywhere else, and the mock saw the wrong one only.
    assert.ok((await mock.journal()).every((e) => e.status === 401));
    assert.deepEqual(errors, []);
    await context.close();
  });
});

test('403: a token without the permission shows the permissions the API needs', async () => {
  await scenario(['--count', '50', '--forbidden-token', 'reader-without-rights'], { token: 'reader-without-rights' }, async (_mock, dash) => {
    const { page, errors, context } = await openPage(browser, dash.url, { allowed: [httpStatusLogged(403)] });
    assert.equal(await listingEnds(page), 'failed');
    const text = await page.locator('#alerts .banner[data-kind="Forbidden"]').textContent();
    assert.match(text, /403 Forbidden/);
    for (const permission of ['Alert.ReadWrite.All', 'Alert.ReadWrite', 'View Data']) {
      assert.ok(text.includes(permission), `names ${permission}`);
    }
    assert.deepEqual(errors, []);
    await context.close();
  });
});

test('429: the service throttles, the page shows the waiting banner, and the listing still completes', async () => {
  // Two calls per minute, and a minute of 6 s: the third call of the listing is throttled.
  const args = ['--count', '500', '--per-minute', '2', '--time-scale', '0.1'];
  await scenario(args, { token: 'any-token', pageSize: 100 }, async (mock, dash) => {
    const { page, errors, context } = await openPage(browser, dash.url, { allowed: [httpStatusLogged(429)] });
    const banner = page.locator('#alerts .banner[data-kind="Throttled"]');
    await banner.waitFor();
    assert.match(await banner.textContent(), /Throttled by the service \(429 Too Many Requests\)/);
    assert.equal(await banner.getAttribute('class'), 'banner warning');
    assert.equal(await listingEnds(page), 'done');
    assert.equal(await shownCount(page), 500);
    assert.match(await banner.textContent(), /waited as Retry-After asked, then went on/);
    const journal = await mock.journal();
    assert.ok(journal.some((e) => e.status === 429), 'the mock throttled at least once');
    assert.match(await page.textContent('#progress-text'), /retried\)/);
    assert.deepEqual(errors, []);
    await context.close();
  });
});

test('network: an address where nothing listens shows where and why', async () => {
  const mock = await startMock(['--count', '1']);
  const gone = mock.url;
  await mock.stop(); // nothing listens there any more
  const dash = await startDashboard({ baseUrl: gone, token: 'any-token', autoList: true });
  try {
    const { page, errors, context } = await openPage(browser, dash.url, { allowed: [/ERR_CONNECTION_REFUSED/] });
    assert.equal(await listingEnds(page), 'failed');
    const text = await page.locator('#alerts .banner[data-kind="Network"]').textContent();
    assert.ok(text.includes(`Could not reach ${gone}`), text);
    assert.match(text, /CORS/);
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    await dash.close();
  }
});

test('invalid connection: a plain-http base URL that is not loopback is refused before any call', async () => {
  const dash = await startDashboard({ baseUrl: 'http://example.invalid', token: 'any-token', autoList: true });
  try {
    const { page, errors, context } = await openPage(browser, dash.url);
    const text = await page.locator('#alerts .banner[data-kind="InvalidConfig"]').textContent();
    assert.match(text, /not https/);
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    await dash.close();
  }
});
