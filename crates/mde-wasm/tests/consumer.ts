// A consumer of the whole public API, type-checked with `tsc --strict --noEmit` (not run).
import type { AccessToken as AzureAccessToken, TokenCredential as AzureTokenCredential } from '@azure/core-auth';
import {
  InvestigationsClient,
  MdeError,
  TOKEN_SCOPE,
  validateFilter,
  type AccessToken,
  type ClientEvent,
  type FilterObject,
  type Investigation,
  type InvestigationList,
  type InvestigationWatch,
  type MdeErrorKind,
  type RateLimitState,
  type TokenCredential,
  type WatchEvent,
} from 'mde-investigations';

const saved: string | undefined = undefined;

const client = new InvestigationsClient({
  region: 'eu',
  token: async ({ forceRefresh }) => (forceRefresh ? 'fresh' : 'cached'),
  fetch: (url, init) => fetch(url, init),
  maxRetries: 3,
  maxRetryAfterMs: 120_000,
  rateLimit: { state: saved, perMinute: 100, perHour: 1500 },
  onEvent: (event: ClientEvent) => {
    switch (event.type) {
      case 'request':
        console.log(event.url, event.attempt);
        break;
      case 'wait':
        console.log(event.ms, event.reason satisfies 'rateLimit' | 'retryAfter' | 'backoff');
        break;
      case 'watchTick':
        console.log('the view is current after tick', event.ticks satisfies number, 'until', event.nextTickInMs);
        break;
      case 'watchTickFailed': {
        const kind: MdeErrorKind = event.error.kind;
        console.log('a tick failed, the watch goes on', kind, event.error.status);
        break;
      }
      case 'page':
        console.log(event.pages, event.items);
        break;
      case 'retry':
        console.log(event.attempt, event.status ?? 'network');
        break;
      case 'rateLimitShared':
        console.log(event.key, event.shared ? (event.store satisfies 'indexedDB') : event.reason);
        break;
    }
  },
});

const tabs = new InvestigationsClient({ region: 'eu', token: 't', rateLimit: { shared: true } });
const tenantA = new InvestigationsClient({ region: 'eu', token: 't', rateLimit: { shared: 'tenant-a', timeScale: 0.1 } });
const sharedState: RateLimitState[] = [tabs.rateLimitState(), tenantA.rateLimitState()];

const local = new InvestigationsClient({ baseUrl: 'http://127.0.0.1:4010', allowInsecureLoopback: true, token: 't' });

const filter: FilterObject = {
  state: ['Running', 'PendingApproval'],
  startTime: { ge: new Date('2026-01-01T00:00:00Z'), lt: '2026-02-01T00:00:00Z' },
  or: [{ machineId: 'a69a22debe5f274d8765ea3c368d00762e057b30' }, { triggeringAlertId: { in: ['da1_2'] } }],
  not: { id: { le: '100' } },
};

export async function main(): Promise<void> {
  const controller = new AbortController();
  const list: InvestigationList = client.list({ filter, pageSize: 500, top: 2000, skip: 0, snapshot: true, signal: controller.signal });
  for await (const inv of list) {
    const id: string = inv.id;
    const started: string | null | undefined = inv.startTime;
    const state = inv.state;
    console.log(id, started, state, inv.machineId?.length, inv.somethingNew);
    break;
  }
  const token: string = list.resumeToken();
  for await (const page of local.list({ resumeFrom: token }).byPage()) {
    const first: Investigation | undefined = page[0];
    console.log(page.length, first?.computerDnsName);
  }
  for await (const _ of client.list({ snapshot: new Date() })) break;
  const one: Investigation = await client.get('63017', { signal: AbortSignal.timeout(5000) });
  console.log(one.triggeringAlertId);

  const watch: InvestigationWatch = client.watch({ filter: { state: 'PendingApproval' }, intervalMs: 60_000, signal: controller.signal });
  const view = new Map<string, Investigation>();
  for await (const event of watch) {
    switch (event.type) {
      case 'snapshot':
        for (const inv of event.investigations) view.set(inv.id, inv);
        break;
      case 'added':
        view.set(event.investigation.id, event.investigation);
        break;
      case 'changed':
        console.log(event.previous.state, '->', event.investigation.state);
        view.set(event.investigation.id, event.investigation);
        break;
      case 'removed':
        view.delete(event.investigation.id);
        break;
      default: {
        const unknown: never = event;
        console.log(unknown);
      }
    }
    if (view.size > 10) break;
  }
  const watchToken: string = watch.resumeToken();
  const resumed = local.watch({ resumeFrom: watchToken });
  const first: IteratorResult<WatchEvent, void> = await resumed.next();
  if (!first.done && first.value.type === 'snapshot') console.log(first.value.investigations.length);
  await resumed.return();
  // One wake-up of a service worker: the changes since the token, then the end.
  const once = local.watch({ resumeFrom: watchToken, ticks: 1 });
  for await (const event of once) if (event.type === 'added') console.log(event.investigation.id);
  const next: string = once.resumeToken();
  console.log(next.length);
  for await (const event of local.watch({ filter: "state eq 'Running'" })) {
    const e: WatchEvent = event;
    console.log(e.type);
    break;
  }

  const state: RateLimitState = client.rateLimitState();
  const persisted: string = state.state;
  console.log(persisted, state.windows.map((w) => `${w.used}/${w.limit} per ${w.windowMs} ms, ${w.resetsInMs}`), state.blockedForMs);

  const checked = validateFilter("startTime ge 2024-01-01T00:00:00Z and state eq 'Running'");
  if (checked.ok) {
    const text: string = checked.filter;
    console.log(text);
  } else {
    const e: MdeError = checked.error;
    console.log(e.position, e.expected, e.found, e.path);
  }

  try {
    await client.get('1');
  } catch (e) {
    if (e instanceof MdeError) {
      const kind: MdeErrorKind = e.kind;
      const status: number | undefined = e.status;
      const code: string | undefined = e.code;
      const target: string | undefined = e.target;
      const wait: number | undefined = e.retryAfterMs;
      const message: string = e.message;
      console.log(kind, status, code, target, wait, message, e instanceof Error);
      if (e.kind === 'Throttled') console.log('retry at', Date.now() + (e.retryAfterMs ?? 0));
    }
  }
}

// Any Azure TokenCredential (`@azure/identity`'s credentials implement `@azure/core-auth`'s interface) is a token,
// and the package's own interface is one of Azure's.
declare const azure: AzureTokenCredential;
new InvestigationsClient({ region: 'eu', token: azure });
const ours: TokenCredential = azure;
const back: AzureTokenCredential = ours;
const access: AccessToken = { token: 't', expiresOnTimestamp: 0 } satisfies AzureAccessToken;
const scope: string = TOKEN_SCOPE;
console.log(back, access, scope);
// A hand-written credential, as one wraps MSAL in a page.
const msalLike: TokenCredential = {
  async getToken(scopes, options) {
    if (options?.abortSignal?.aborted) return null;
    return { token: [scopes].flat().join(' '), expiresOnTimestamp: Date.now() + 3_600_000 };
  },
};
new InvestigationsClient({ region: 'eu', token: msalLike });
// @ts-expect-error: getToken resolves to an access token, not a string.
new InvestigationsClient({ region: 'eu', token: { getToken: async (_scopes: string[]) => 'a token' } });
// @ts-expect-error: the token is required.
new InvestigationsClient({ region: 'eu' });
// @ts-expect-error: states have no order.
validateFilter({ state: { gt: 'Running' } });
// @ts-expect-error: not a documented state.
validateFilter({ state: 'Runing' });
// @ts-expect-error: a watch event has no `items`.
local.watch().next().then((r) => !r.done && r.value.type === 'added' && r.value.items);
// @ts-expect-error: intervalMs is a number.
local.watch({ intervalMs: '60000' });
// @ts-expect-error: ticks is a number.
local.watch({ ticks: '1' });
// @ts-expect-error: the API does not filter on endTime.
validateFilter({ endTime: { ge: new Date() } });
