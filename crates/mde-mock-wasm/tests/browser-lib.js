// Runs inside headless Chromium (a page, a module Worker, a Vite build): the browser entry of mde-mock (the wasm
// module fetched from next to it) behind the client mde-investigations, with no server at all. The two packages'
// modules are passed in: by path from the static server, or by name in the Vite build.

export const API = 'https://api.security.microsoft.com';
export const OPTIONS = { count: 40, seed: 5, now: '2026-11-01T00:00:00Z' };

/** Reads a body stream to its end or its error; returns the bytes read and whether it errored. */
async function drain(body) {
  const reader = body.getReader();
  let bytes = 0;
  for (;;) {
    try {
      const { done, value } = await reader.read();
      if (done) return { bytes, failed: false };
      bytes += value.length;
    } catch (e) {
      return { bytes, failed: e instanceof TypeError };
    }
  }
}

export async function run({ createMockApi }, { InvestigationsClient }) {
  const api = await createMockApi(OPTIONS);
  const client = new InvestigationsClient({ baseUrl: API, token: 'browser-token', fetch: api.fetch });
  const items = [];
  for await (const item of client.list({ pageSize: 15 })) items.push(item);
  const result = { count: items.length, sameAsOracle: JSON.stringify(items) === JSON.stringify(api.investigations()) };
  result.calls = api.journal().length;
  const init = { headers: { authorization: 'Bearer t' } };
  api.planFaults(['close', 'truncate']);
  try {
    await api.fetch(`${API}/api/investigations`, init);
    result.close = 'resolved';
  } catch (e) {
    result.close = e instanceof TypeError ? 'TypeError' : String(e);
  }
  const cut = await api.fetch(`${API}/api/investigations`, init);
  result.truncate = { length: Number(cut.headers.get('content-length')), ...(await drain(cut.body)) };
  return result;
}
