// MSW in a Node test: the client talks to the real API host, https://api.security.microsoft.com (its default
// region), and MSW answers every request to that host with the mock's in-process handler. Nothing is listening
// and nothing leaves the process: `onUnhandledRequest: 'error'` fails any request MSW does not answer.
import { after, afterEach, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { createMockApi } from 'mde-mock';
import { InvestigationsClient } from 'mde-investigations';

const api = await createMockApi({ count: 500, seed: 3, now: '2026-11-01T00:00:00Z' });
const server = setupServer(
  // A `close` or `truncate` fault rejects handle(): HttpResponse.error() makes it the network error it stands for.
  http.all('https://api.security.microsoft.com/*', ({ request }) => api.handle(request).catch(() => HttpResponse.error())),
);

before(() => server.listen({ onUnhandledRequest: 'error' }));
beforeEach(() => api.reset()); // limits, journal and planned faults; the data stays
afterEach(() => server.resetHandlers());
after(() => server.close());

test('lists through MSW from the real host', async () => {
  const client = new InvestigationsClient({ token: 'any-token' });
  const ids = [];
  for await (const investigation of client.list({ filter: "state eq 'Benign'" })) ids.push(investigation.id);
  const benign = api.investigations().filter((investigation) => investigation.state === 'Benign');
  assert.deepEqual(ids, benign.map((investigation) => investigation.id));
  assert.equal(api.journal().length, 1);
});

test('retries a dropped connection', async () => {
  api.planFaults(['close']);
  const client = new InvestigationsClient({ token: 'any-token' });
  const investigation = await client.get(api.investigations()[0].id);
  assert.equal(investigation.id, api.investigations()[0].id);
  assert.deepEqual(api.journal().map((call) => call.fault), ['close', null]);
});
