// Takes www/screenshot.png (the README's picture): the built dashboard (www/dist) on the demo's data with the Live
// switch on, in headless Chromium, right after a refresh that brought a new investigation and one that now waits
// for approval (both marked). Needs `cargo xtask www-test` to have built dist/ and installed the packed mde-mock.
// The mock's live world is paused so that the picture is the same on every run: the changes are made through its
// admin API.
//
//   node scripts/screenshot.mjs [out.png]

import { fileURLToPath } from 'node:url';
import { launchBrowser, openPage, startDashboard, startMock } from '../test/helpers.mjs';

const out = process.argv[2] ?? fileURLToPath(new URL('../screenshot.png', import.meta.url));
const mock = await startMock(['--count', '25000', '--live']);
await mock.admin('live', { method: 'POST', body: JSON.stringify({ paused: true }) });
const dash = await startDashboard({
  baseUrl: mock.url,
  token: 'demo-token',
  live: true,
  liveIntervalMs: 1000,
  label: 'mde-mock: 25,000 generated investigations, live',
});
const browser = await launchBrowser();
const ticks = (page) => page.$eval('#live-status', (el) => Number(el.dataset.ticks));
const ticksReach = (page, n) =>
  page.waitForFunction(
    (min) => {
      const el = document.getElementById('live-status');
      return el?.dataset.state === 'current' && Number(el.dataset.ticks) >= min;
    },
    n,
    { timeout: 120_000 },
  );
try {
  const { page, errors } = await openPage(browser, dash.url, { viewport: { width: 1440, height: 1000 } });
  await ticksReach(page, 1);
  const all = await mock.admin('investigations');
  const running = all.find((i) => i.state === 'Running');
  if (!running) throw new Error('no running investigation in the data');
  const newest = all.reduce((a, i) => (BigInt(i.id) > a ? BigInt(i.id) : a), 0n);
  const machine = all[0].machineId;
  const k = await ticks(page);
  await mock.admin(`investigations/${running.id}`, { method: 'PATCH', body: JSON.stringify({ state: 'PendingApproval' }) });
  await mock.admin('investigations', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify([
      {
        id: String(newest + 1n),
        startTime: '2026-11-27T12:01:00Z',
        state: 'Running',
        machineId: machine,
        computerDnsName: all[0].computerDnsName,
        triggeringAlertId: all[0].triggeringAlertId,
      },
    ]),
  });
  await ticksReach(page, k + 2);
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
