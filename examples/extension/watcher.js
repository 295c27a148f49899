// One wake-up of the service worker: one tick of the package's watch of the investigations waiting for approval,
// resumed from the token that the previous wake-up kept in chrome.storage.local, then the badge and the
// notifications. A service worker is stopped between events, so nothing here waits for a timer: the watch runs
// with `ticks: 1` and ends by itself; chrome.alarms wakes the worker again.

import { InvestigationsClient, MdeError } from './vendor/mde-investigations/index.js';
import { PENDING_FILTER, clientOptions, linkFor, loadSettings, loadState, loadToken, sourceOf } from './settings.js';

/** Notification ids: one per investigation, and one for a problem with the settings or the token. */
export const NOTIFICATION_PREFIX = 'mde-investigation:';
export const PROBLEM_NOTIFICATION = 'mde-approvals-problem';

/** More new ones than this in one check: one notification that says how many, instead of one each. */
const MAX_NOTIFICATIONS = 5;

const BADGE_COUNT = '#c75000';
const BADGE_PROBLEM = '#6b6b6b';

/**
 * Runs one check and keeps its outcome. Resolves to a summary for tests and for the popup's "Check now":
 * `{ pending: number, added: string[], removed: string[], error? }`.
 */
export async function wakeUp() {
  const [settings, token, state] = await Promise.all([loadSettings(), loadToken(), loadState()]);
  if (token === undefined) {
    const error = { kind: 'NoToken', message: 'No access token: paste one in the options.' };
    await show(state.pending?.length ?? 0, error);
    await notify([], [], error, state.error);
    await chrome.storage.local.set({ state: { ...state, error } });
    return { pending: state.pending?.length ?? 0, added: [], removed: [], error };
  }
  const source = sourceOf(settings);
  // A view belongs to one API: another base URL or region starts over.
  const sameSource = state.source === source;
  let resumeFrom = sameSource ? state.watchToken : undefined;
  // Whether the user has been told of this API's view once (the first snapshot: everything waiting is news).
  let told = sameSource && state.told === true;
  let tickError;
  let client;
  let watch;
  try {
    client = new InvestigationsClient({
      ...clientOptions(settings, token),
      rateLimit: sameSource && state.rateLimit ? { state: state.rateLimit } : undefined,
      onEvent: (e) => {
        if (e.type === 'watchTickFailed') tickError = e.error;
      },
    });
    try {
      watch = client.watch(resumeFrom ? { resumeFrom, ticks: 1 } : { filter: PENDING_FILTER, ticks: 1 });
    } catch (e) {
      // A token this version cannot read (kept by an older one): start over.
      if (resumeFrom === undefined) throw e;
      resumeFrom = undefined;
      told = false;
      watch = client.watch({ filter: PENDING_FILTER, ticks: 1 });
    }
  } catch (e) {
    const error = { kind: e?.kind ?? 'InvalidConfig', message: String(e?.message ?? e) };
    await show(state.pending?.length ?? 0, error);
    await notify([], [], error, state.error);
    await chrome.storage.local.set({ state: { ...state, error } });
    return { pending: state.pending?.length ?? 0, added: [], removed: [], error };
  }
  const view = new Map();
  const added = [];
  const removed = [];
  let error;
  try {
    for await (const event of watch) {
      switch (event.type) {
        case 'snapshot':
          for (const inv of event.investigations) view.set(inv.id, inv);
          // The first view of an API (a resumed watch hands out the view it kept): everything waiting is news.
          if (!told) added.push(...event.investigations);
          told = true;
          break;
        case 'added':
          view.set(event.investigation.id, event.investigation);
          added.push(event.investigation);
          break;
        case 'changed':
          view.set(event.investigation.id, event.investigation);
          break;
        case 'removed':
          view.delete(event.investigation.id);
          removed.push(event.investigation);
          break;
      }
    }
  } catch (e) {
    // A refused token or filter: the watch stops; its token still holds the view as it was.
    error = e instanceof MdeError ? e : new MdeError({ kind: 'Network', message: String(e?.message ?? e) });
  }
  error ??= tickError;
  // Newest first (to the millisecond), as the service lists them.
  const started = (inv) => (inv.startTime ? Date.parse(inv.startTime) : -Infinity);
  const pending = [...view.values()].sort((a, b) => started(b) - started(a) || (a.id < b.id ? 1 : -1));
  const summary = error ? { kind: error.kind, message: error.message, status: error.status } : null;
  await chrome.storage.local.set({
    state: {
      source,
      watchToken: watch.resumeToken(),
      rateLimit: client.rateLimitState().state,
      pending,
      told,
      checkedAt: new Date().toISOString(),
      error: summary,
    },
  });
  await show(pending.length, summary);
  await notify(added, removed, summary, state.error);
  return { pending: pending.length, added: added.map((i) => i.id), removed: removed.map((i) => i.id), error: summary ?? undefined };
}

/** The badge: the number waiting (nothing when none), or `!` when the last check could not be made. */
async function show(count, error) {
  const problem = error && ['NoToken', 'Unauthorized', 'Forbidden', 'InvalidConfig', 'ForeignOrigin'].includes(error.kind);
  await chrome.action.setBadgeBackgroundColor({ color: problem ? BADGE_PROBLEM : BADGE_COUNT });
  await chrome.action.setBadgeText({ text: problem ? '!' : count > 0 ? String(count) : '' });
  const title = error ? `MDE approvals: ${error.message}` : `MDE approvals: ${count} waiting for approval`;
  await chrome.action.setTitle({ title });
}

async function notify(added, removed, error, previousError) {
  for (const inv of removed) await chrome.notifications.clear(NOTIFICATION_PREFIX + inv.id);
  if (added.length > MAX_NOTIFICATIONS) {
    await chrome.notifications.create(NOTIFICATION_PREFIX + added[0].id, {
      type: 'basic',
      iconUrl: 'icons/icon-128.png',
      title: `${added.length} investigations wait for approval`,
      message: added.map(machineOf).slice(0, 3).join(', ') + ', ...',
      priority: 2,
    });
  } else {
    for (const inv of added) {
      await chrome.notifications.create(NOTIFICATION_PREFIX + inv.id, {
        type: 'basic',
        iconUrl: 'icons/icon-128.png',
        title: 'An investigation waits for approval',
        message: `${machineOf(inv)}: investigation ${inv.id}`,
        contextMessage: inv.startTime ? `Started ${inv.startTime}` : undefined,
        priority: 2,
      });
    }
  }
  // A problem the user must fix is said once, when it appears, and its notification goes once it is fixed.
  if (!error) await chrome.notifications.clear(PROBLEM_NOTIFICATION);
  if (error && error.kind !== previousError?.kind && !['Network', 'Server', 'Throttled'].includes(error.kind)) {
    await chrome.notifications.create(PROBLEM_NOTIFICATION, {
      type: 'basic',
      iconUrl: 'icons/icon-128.png',
      title: 'MDE approvals cannot check',
      message: error.message,
      contextMessage: 'Click to open the options',
    });
  }
}

function machineOf(inv) {
  return inv.computerDnsName ?? inv.machineId ?? 'a device';
}

/** Where a click on a notification goes: the investigation's link, or the options for a problem. */
export async function targetOf(notificationId) {
  if (notificationId === PROBLEM_NOTIFICATION) return chrome.runtime.getURL('options.html');
  if (!notificationId.startsWith(NOTIFICATION_PREFIX)) return undefined;
  return linkFor(await loadSettings(), notificationId.slice(NOTIFICATION_PREFIX.length));
}
