// The app lists from the mock that Playwright started (playwright-webserver.config.mjs); the mock's admin API,
// at the same URL, answers what it serves.
import { expect, test } from '@playwright/test';

const mock = process.env.VITE_MDE_BASE_URL;

test('the app lists every running investigation of the mock', async ({ page, request }) => {
  const all = await (await request.get(`${mock}/__admin/investigations`)).json();
  const running = all.filter((investigation) => investigation.state === 'Running');

  await page.goto('/');
  await expect(page.locator('#status')).toHaveText(`${running.length} running`);
  await expect(page.locator('#investigations li')).toHaveText(running.map((investigation) => new RegExp(`^${investigation.id}:`)));
});

test('a running investigation that ends leaves the list', async ({ page, request }) => {
  const all = await (await request.get(`${mock}/__admin/investigations`)).json();
  const [first, ...others] = all.filter((investigation) => investigation.state === 'Running');
  const ended = await request.patch(`${mock}/__admin/investigations/${first.id}`, {
    data: { state: 'Benign', endTime: '2026-11-01T00:00:00Z' },
  });
  expect(ended.ok()).toBe(true);

  await page.goto('/');
  await expect(page.locator('#status')).toHaveText(`${others.length} running`);
});
