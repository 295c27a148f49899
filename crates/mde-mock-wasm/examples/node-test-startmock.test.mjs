// A Node test (node --test) that starts the mock in its setup: `startMock` runs the mock's HTTP server inside
// this process on a free port, and the client lists through it as it would list from the service.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startMock } from 'mde-mock';
import { InvestigationsClient } from 'mde-investigations';

let mock;
before(async () => {
  mock = await startMock({ count: 300, seed: 7, now: '2026-11-01T00:00:00Z', tokens: ['test-token'] });
});
after(() => mock.close());

async function listIds(filter) {
  const client = new InvestigationsClient({ baseUrl: mock.url, token: 'test-token', allowInsecureLoopback: true });
  const ids = [];
  for await (const investigation of client.list({ filter })) ids.push(investigation.id);
  return ids;
}

test('lists every running investigation', async () => {
  const running = mock.api.investigations().filter((investigation) => investigation.state === 'Running');
  assert.deepEqual(await listIds({ state: 'Running' }), running.map((investigation) => investigation.id));
});

test('retries a 503 and loses nothing', async () => {
  mock.api.reset();
  mock.api.planFaults(['503']);
  assert.equal((await listIds()).length, 300);
  assert.deepEqual(mock.api.journal().map((call) => call.status), [503, 200]);
});
