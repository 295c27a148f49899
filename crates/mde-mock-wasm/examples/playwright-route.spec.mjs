// The page's requests to https://api.security.microsoft.com are answered by the mock's handler, in the test's
// process; the app's own requests go to its server; every other request is aborted, so nothing leaves the machine.
import { expect, test } from '@playwright/test';
import { createMockApi } from 'mde-mock';

const API = 'https://api.security.microsoft.com';
let api;

test.beforeEach(async ({ page, baseURL }) => {
  api = await createMockApi({ count: 400, seed: 5, now: '2026-11-01T00:00:00Z' });
  const app = new URL(baseURL).origin;
  await page.route('**/*', async (route) => {
    const request = route.request();
    const origin = new URL(request.url()).origin;
    if (origin === app) return route.continue();
    if (origin !== API) return route.abort('blockedbyclient');
    try {
      const response = await api.handle(
        new Request(request.url(), {
          method: request.method(),
          headers: await request.allHeaders(),
          body: request.postDataBuffer() ?? undefined,
        }),
      );
      const body = Buffer.from(await response.arrayBuffer());
      await route.fulfill({ status: response.status, headers: Object.fromEntries(response.headers), body });
    } catch {
      await route.abort('connectionfailed'); // a `close` or `truncate` fault
    }
  });
});

test('the app lists every running investigation', async ({ page }) => {
  const running = api.investigations().filter((investigation) => investigation.state === 'Running');
  await page.goto('/');
  await expect(page.locator('#status')).toHaveText(`${running.length} running`);
  expect(api.journal().map((call) => call.status)).toEqual([200]);
});

test('the client retries a 503 and a dropped connection', async ({ page }) => {
  api.planFaults(['503', 'close']);
  const running = api.investigations().filter((investigation) => investigation.state === 'Running');
  await page.goto('/');
  await expect(page.locator('#status')).toHaveText(`${running.length} running`);
  expect(api.journal().map((call) => call.fault)).toEqual(['503', 'close', null]);
});
