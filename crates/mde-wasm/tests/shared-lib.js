// Runs inside a browser context (a tab, a dedicated Worker, an extension's page or service worker) for the tests
// of `rateLimit.shared`: one listing of everything with a client whose budget is shared by key. `api` is the
// package's browser entry; `options` carries the mock's base URL and the limits every context uses alike.
export async function sharedListing(api, { base, key, perMinute, timeScale, pageSize }) {
  const events = [];
  const client = new api.InvestigationsClient({
    baseUrl: base,
    allowInsecureLoopback: true,
    // One token for every context: the mock counts its limits per token, as the service does per application.
    token: async () => 'shared-token',
    rateLimit: { shared: key, perMinute, timeScale },
    onEvent: (e) => {
      if (e.type === 'rateLimitShared' || e.type === 'wait' || e.type === 'retry') events.push(e);
    },
  });
  const ids = [];
  for await (const inv of client.list({ pageSize })) ids.push(inv.id);
  return {
    ids,
    shared: events.filter((e) => e.type === 'rateLimitShared'),
    waits: events.filter((e) => e.type === 'wait').length,
    retries: events.filter((e) => e.type === 'retry'),
  };
}

/** `sharedListing` run with the options that a test sends, reporting a failure as `{ error }`. */
export function runShared(api, options) {
  return sharedListing(api, options).catch((e) => ({ error: String((e && e.stack) || e) }));
}
