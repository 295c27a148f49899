// The service worker (an ES module: "type": "module" in manifest.json). Chrome starts it for an event and stops
// it about 30 seconds after the last one, so every listener is registered here, synchronously, and nothing waits
// on a timer: chrome.alarms wakes it every PERIOD_MINUTES for one check (watcher.js).

import { ALARM, PERIOD_MINUTES } from './settings.js';
import { PROBLEM_NOTIFICATION, targetOf, wakeUp } from './watcher.js';

/** Checks run one after the other (an alarm and a change of the settings may come together). */
let queue = Promise.resolve();

/** The alarm's handler: one check, after any check in progress. Resolves to its summary (see `wakeUp`). */
function check() {
  const run = queue.then(wakeUp, wakeUp);
  queue = run.catch(() => {});
  return run;
}
// For tests (and the curious, from the worker's DevTools console): what the alarm does, without waiting for it.
globalThis.mdeApprovals = { check, linkOf: targetOf };

async function schedule() {
  if (!(await chrome.alarms.get(ALARM))) {
    await chrome.alarms.create(ALARM, { periodInMinutes: PERIOD_MINUTES, delayInMinutes: PERIOD_MINUTES });
  }
}

chrome.runtime.onInstalled.addListener(async ({ reason }) => {
  await schedule();
  if (reason === 'install') await chrome.runtime.openOptionsPage();
  await check();
});

chrome.runtime.onStartup.addListener(async () => {
  await schedule();
  await check();
});

chrome.alarms.onAlarm.addListener(async (alarm) => {
  if (alarm.name === ALARM) await check();
});

// New settings or a new token: check at once with them.
chrome.storage.onChanged.addListener(async (changes, area) => {
  if ((area === 'local' && 'settings' in changes) || (area === 'session' && 'token' in changes)) await check();
});

// The popup's "Check now".
chrome.runtime.onMessage.addListener((message, _sender, reply) => {
  if (message?.type !== 'check') return false;
  check().then(reply, (e) => reply({ error: { kind: 'Internal', message: String(e?.message ?? e) } }));
  return true;
});

chrome.notifications.onClicked.addListener(async (id) => {
  const url = await targetOf(id);
  if (url !== undefined) await chrome.tabs.create({ url });
  if (id !== PROBLEM_NOTIFICATION) await chrome.notifications.clear(id);
});
