// A consumer of the whole public API, type-checked with `tsc --strict --noEmit` (not run).
import {
  InvestigationsClient,
  MdeError,
  validateFilter,
  type ClientEvent,
  type FilterObject,
  type Investigation,
  type InvestigationList,
  type MdeErrorKind,
  type RateLimitState,
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
      case 'page':
        console.log(event.pages, event.items);
        break;
      case 'retry':
        console.log(event.attempt, event.status ?? 'network');
        break;
    }
  },
});

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
  for await (const page of local.list({ resumeFrom: token, filter: "state eq 'Running'" }).byPage()) {
    const first: Investigation | undefined = page[0];
    console.log(page.length, first?.computerDnsName);
  }
  for await (const _ of client.list({ snapshot: new Date() })) break;
  const one: Investigation = await client.get('63017', { signal: AbortSignal.timeout(5000) });
  console.log(one.triggeringAlertId);

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

// @ts-expect-error: the token is required.
new InvestigationsClient({ region: 'eu' });
// @ts-expect-error: states have no order.
validateFilter({ state: { gt: 'Running' } });
// @ts-expect-error: not a documented state.
validateFilter({ state: 'Runing' });
// @ts-expect-error: the API does not filter on endTime.
validateFilter({ endTime: { ge: new Date() } });
