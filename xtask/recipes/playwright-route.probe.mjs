
// Appended by `cargo xtask recipes` to a copy of playwright-route.spec.mjs: a page's request to another host is
// aborted by the route (blocked by client), never sent (a request that went out would fail differently here).
import { expect as probeExpect, test as probe } from '@playwright/test';

probe('probe: a request to another host is aborted and never goes out', async ({ page }) => {
  await page.goto('/');
  const url = 'https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration';
  const failed = page.waitForEvent('requestfailed', (request) => request.url() === url);
  await page.evaluate((target) => fetch(target).catch(() => undefined), url);
  // Chromium names the abort net::ERR_BLOCKED_BY_CLIENT.Inspector (blocked by the DevTools protocol).
  probeExpect((await failed).failure()?.errorText).toMatch(/^net::ERR_BLOCKED_BY_CLIENT\b/);
});
