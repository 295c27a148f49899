// The tests that the GitHub Actions job (github-actions.yml) runs with `npm test`: the client points at the mock
// the job started, whose URL the job put in MDE_BASE_URL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvestigationsClient } from 'mde-investigations';

const baseUrl = process.env.MDE_BASE_URL;
const token = process.env.MDE_TOKEN;

test('lists every investigation from the mock', { skip: !baseUrl && 'MDE_BASE_URL is not set' }, async () => {
  const client = new InvestigationsClient({ baseUrl, token, allowInsecureLoopback: true });
  const ids = new Set();
  for await (const investigation of client.list()) ids.add(investigation.id);
  // The admin API answers the mock's data: an oracle for tests in any language.
  const all = await (await fetch(`${baseUrl}/__admin/investigations`)).json();
  assert.notEqual(all.length, 0);
  assert.deepEqual([...ids], all.map((investigation) => investigation.id));
});
