// The smoke test that runs inside the browser (a page, a Worker, an MV3 service worker, a Vite build): `api` is
// the package's browser entry (inline wasm, no init()), used against mde-mock across origins (CORS).
export async function smoke(base, api) {
  const { InvestigationsClient, MdeError, validateFilter } = api;
  const checks = {};
  const events = [];
  const client = new InvestigationsClient({
    baseUrl: base,
    allowInsecureLoopback: true,
    token: async () => 'browser-token',
    onEvent: (e) => events.push(e.type),
  });
  const all = [];
  for await (const inv of client.list()) all.push(inv);
  checks.count = all.length;
  checks.plainObjects = all.every((i) => typeof i.id === 'string' && Object.getPrototypeOf(i) === Object.prototype);

  const pages = [];
  for await (const page of client.list({ pageSize: 7, filter: { startTime: { ge: new Date(0) } } }).byPage()) {
    pages.push(page.length);
  }
  checks.pages = pages;

  const v = validateFilter("state eq 'Running'");
  checks.validate = v.ok ? v.filter : 'error';
  const bad = validateFilter("state eq 'Runing'");
  checks.invalidPosition = bad.ok ? -1 : bad.error.position;

  checks.get = (await client.get(all[0].id)).id === all[0].id;
  try {
    await client.get('999999999');
    checks.notFound = 'no error';
  } catch (e) {
    checks.notFound = e instanceof MdeError ? `${e.kind} ${e.status}` : String(e);
  }
  try {
    new InvestigationsClient({ baseUrl: 'http://example.com', token: 't' });
  } catch (e) {
    checks.insecure = e.kind;
  }
  const controller = new AbortController();
  controller.abort();
  try {
    await client.get('1', { signal: controller.signal });
  } catch (e) {
    checks.aborted = e.kind;
  }
  checks.events = [...new Set(events)].sort();
  checks.rateLimitUsed = client.rateLimitState().windows[0].used;
  return checks;
}
