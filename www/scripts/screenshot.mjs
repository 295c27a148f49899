// Takes www/screenshot.png (the README's picture): the built dashboard (www/dist) on the demo's data, in
// headless Chromium. Needs `cargo xtask www-test` to have built dist/ and installed the packed mde-mock first.
//
//   node scripts/screenshot.mjs [out.png]

import { fileURLToPath } from 'node:url';
import { launchBrowser, listingEnds, openPage, startDashboard, startMock } from '../test/helpers.mjs';

const out = process.argv[2] ?? fileURLToPath(new URL('../screenshot.png', import.meta.url));
const mock = await startMock(['--count', '25000']);
const dash = await startDashboard({
  baseUrl: mock.url,
  token: 'demo-token',
  autoList: true,
  label: 'mde-mock: 25,000 generated investigations',
});
const browser = await launchBrowser();
try {
  const { page, errors } = await openPage(browser, dash.url, { viewport: { width: 1440, height: 1000 } });
  if ((await listingEnds(page)) !== 'done') throw new Error('the listing did not complete');
  await page.locator('#table [data-key="startTime"] button').hover(); // a hover state, not a focus ring
  await page.mouse.move(0, 0);
  await page.screenshot({ path: out });
  if (errors.length > 0) throw new Error(errors.join('\n'));
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  await dash.close();
  await mock.stop();
}
