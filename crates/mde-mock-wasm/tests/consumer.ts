// A Node consumer of every exported type of mde-mock: checked by `tsc --strict --noEmit` (module nodenext,
// so the `node` export condition: ./index.node.d.ts). Never run.
import {
  createMockApi,
  startMock,
  MockError,
  type DateTime,
  type FaultName,
  type FaultState,
  type Investigation,
  type InvestigationInput,
  type InvestigationState,
  type InvestigationUpdate,
  type JournalEntry,
  type LiveStatus,
  type MockApi,
  type MockConfig,
  type MockErrorKind,
  type MockOptions,
  type RunningMock,
  type StartMockOptions,
} from 'mde-mock';

const now: DateTime = new Date('2026-11-01T00:00:00Z');
const items: InvestigationInput[] = [{ id: 1, state: 'Running', startTime: now }, { id: '2', endTime: null }];
const options: MockOptions = {
  seed: 18446744073709551615n,
  count: 10,
  investigations: items,
  tokens: ['a', 'b'],
  forbiddenTokens: 'f',
  perMinute: 100,
  perHour: 1500,
  window: 'fixed',
  timeScale: 0.01,
  faultRate: 0.1,
  latencyMs: 5,
  corsOrigin: 'http://a.test,http://b.test',
  now,
  live: true,
  liveRate: 20,
};
const serverOptions: StartMockOptions = { ...options, host: '127.0.0.1', port: 0 };

async function handler(): Promise<void> {
  const api: MockApi = await createMockApi(options);
  const response: Response = await api.handle(new Request('https://api.security.microsoft.com/api/investigations'));
  const viaFetch: Response = await api.fetch('https://api.security.microsoft.com/api/investigations', { headers: { authorization: 'Bearer t' } });
  const all: Investigation[] = api.investigations();
  const state: InvestigationState | (string & {}) = all[0].state;
  const journal: JournalEntry[] = api.journal();
  const status: number | null = journal[0].status;
  const fault: FaultName | null = journal[0].fault;
  api.reset();
  api.planFaults(['503', 'close', 'truncate', 429]);
  api.setFaultRate(0.5);
  const faults: FaultState = api.faults();
  const added: { added: number; total: number } = api.addInvestigations(items);
  const update: InvestigationUpdate = { state: 'Benign', endTime: new Date() };
  const updated: Investigation = api.updateInvestigation('1', update);
  const config: MockConfig = api.config();
  const window: 'sliding' | 'fixed' = config.window;
  const liveOn: boolean = config.live;
  const live: LiveStatus = api.live();
  const paused: LiveStatus = api.setLivePaused(true);
  const worldNow: string | null = live.now;
  const waiting: number = paused.pending_approval;
  void [liveOn, worldNow, waiting];
  void [response, viaFetch, state, status, fault, faults, added, updated, window];

  // @ts-expect-error: not an option
  await createMockApi({ perMinit: 5 });
  // @ts-expect-error: not a fault
  api.planFaults(['404']);
  // @ts-expect-error: a window is sliding or fixed
  await createMockApi({ window: 'tumbling' });
}

async function server(): Promise<void> {
  const mock: RunningMock = await startMock(serverOptions);
  const url: string = mock.url;
  const port: number = mock.port;
  const journal: JournalEntry[] = mock.api.journal();
  await mock.close();
  void [url, port, journal];
}

function explain(e: unknown): string {
  if (e instanceof MockError) {
    const kind: MockErrorKind = e.kind;
    const option: string | undefined = e.option;
    return `${e.name} ${kind} ${option ?? ''}: ${e.message}`;
  }
  return String(e);
}

void [handler, server, explain];
