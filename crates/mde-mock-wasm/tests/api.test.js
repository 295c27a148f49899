// createMockApi, the in-process handler: every method, faults as fetch shows them, latency and abort, options
// refused by name, and the client mde-investigations listing through it with its `fetch` option.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { createMockApi, MockError } from 'mde-mock';
import { InvestigationsClient } from 'mde-investigations';

import { assertPaced, NOW, readOverTime } from './helpers.js';

const BASE = 'https://api.security.microsoft.com';

function get(api, pathAndQuery, token = 't', init = {}) {
  const headers = token === undefined ? {} : { authorization: `Bearer ${token}` };
  return api.handle(new Request(`${BASE}${pathAndQuery}`, { ...init, headers: { ...headers, ...init.headers } }));
}

function admin(api, method, path, body) {
  const init = { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) };
  return api.handle(new Request(`${BASE}/__admin/${path}`, init));
}

/** Asserts that `f` throws (or rejects with) a MockError of `kind` whose message contains `text`. */
async function refused(f, kind, text, option) {
  await assert.rejects(
    async () => f(),
    (e) => {
      assert.ok(e instanceof MockError, `expected a MockError, got ${e?.stack ?? e}`);
      assert.ok(e instanceof Error);
      assert.equal(e.name, 'MockError');
      assert.equal(e.kind, kind, e.message);
      assert.ok(e.message.includes(text), e.message);
      if (option !== undefined) assert.equal(e.option, option);
      return true;
    },
  );
}

test('a page comes with the status, headers and context of the URL it was asked at', async () => {
  const api = await createMockApi({ count: 30, seed: 3, now: NOW });
  const r = await get(api, '/api/investigations?$top=5&$skip=2');
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'application/json; odata.metadata=minimal; odata.streaming=true; charset=utf-8');
  assert.equal(r.headers.get('odata-version'), '4.0');
  assert.equal(r.headers.get('access-control-allow-origin'), '*');
  assert.equal(r.headers.get('access-control-expose-headers'), 'Retry-After, retry-after-ms');
  const text = await r.text();
  assert.equal(r.headers.get('content-length'), String(Buffer.byteLength(text)));
  const page = JSON.parse(text);
  assert.equal(page['@odata.context'], `${BASE}/api/$metadata#Investigations`);
  assert.deepEqual(page.value, api.investigations().slice(2, 7));
  const [entry] = api.journal();
  assert.equal(entry.seq, 1);
  assert.equal(entry.method, 'GET');
  assert.equal(entry.path, '/api/investigations');
  assert.equal(entry.query, '$top=5&$skip=2');
  assert.equal(entry.status, 200);
  assert.equal(entry.token_present, true);
  assert.equal(entry.fault, null);
  assert.ok(Math.abs(entry.timestamp_ms - Date.now()) < 60_000);
  const local = await api.handle(new Request('http://localhost:8080/api/investigations?$top=1', { headers: { authorization: 'Bearer t' } }));
  assert.equal((await local.json())['@odata.context'], 'http://localhost:8080/api/$metadata#Investigations');
});

test('the service answers: one item, filters, bad queries, tokens, HEAD, preflight, 404 and 405', async () => {
  const api = await createMockApi({ count: 40, seed: 5, now: NOW, tokens: ['good'], forbiddenTokens: 'bad' });
  const all = api.investigations();
  const one = await get(api, `/api/investigations/${all[3].id}`, 'good');
  const { '@odata.context': context, ...fields } = await one.json();
  assert.equal(context, `${BASE}/api/$metadata#Investigations/$entity`);
  assert.deepEqual(fields, all[3]);
  const byAlert = await get(api, `/api/investigations/${all[4].triggeringAlertId}`, 'good');
  assert.equal((await byAlert.json()).id, all[4].id);
  const running = await get(api, `/api/investigations?$filter=${encodeURIComponent("state eq 'Running'")}`, 'good');
  assert.deepEqual((await running.json()).value, all.filter((i) => i.state === 'Running'));
  const badFilter = await get(api, `/api/investigations?$filter=${encodeURIComponent("state eq 'Runing'")}`, 'good');
  assert.equal(badFilter.status, 400);
  assert.equal((await badFilter.json()).error.code, 'ODataError');
  assert.equal((await get(api, '/api/investigations?$top=0', 'good')).status, 400);
  const missing = await get(api, '/api/investigations/999999999', 'good');
  assert.equal(missing.status, 404);
  assert.equal((await missing.json()).error.code, 'ResourceNotFound');
  const anonymous = await get(api, '/api/investigations', undefined);
  assert.equal(anonymous.status, 401);
  assert.equal(anonymous.headers.get('www-authenticate'), 'Bearer');
  assert.equal((await get(api, '/api/investigations', 'other')).status, 401);
  assert.equal((await get(api, '/api/investigations', 'bad')).status, 403);
  const head = await get(api, '/api/investigations', 'good', { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.body, null);
  const preflight = await api.handle(new Request(`${BASE}/api/investigations`, { method: 'OPTIONS', headers: { origin: 'http://app.test' } }));
  assert.equal(preflight.status, 204);
  assert.equal(preflight.body, null);
  assert.equal(preflight.headers.get('access-control-allow-headers'), 'Authorization, Content-Type');
  assert.equal((await get(api, '/nope', undefined)).status, 404);
  const post = await get(api, '/api/investigations', 'good', { method: 'POST', body: '{}' });
  assert.equal(post.status, 405);
  assert.equal((await post.json()).error.code, 'MethodNotAllowed');
});

test('the admin API answers through the handler as on the wire', async () => {
  const api = await createMockApi({ count: 10, seed: 2, now: NOW });
  await get(api, '/api/investigations');
  assert.deepEqual(await (await admin(api, 'GET', 'requests')).json(), api.journal());
  assert.deepEqual(await (await admin(api, 'GET', 'investigations')).json(), api.investigations());
  assert.deepEqual(await (await admin(api, 'GET', 'config')).json(), api.config());
  const added = await admin(api, 'POST', 'investigations', [{ id: 'x1', state: 'Running', startTime: '2030-01-01T00:00:00Z' }]);
  assert.deepEqual(await added.json(), { added: 1, total: 11 });
  const patched = await admin(api, 'PATCH', 'investigations/x1', { state: 'Benign' });
  assert.equal((await patched.json()).state, 'Benign');
  assert.equal(api.investigations()[0].state, 'Benign');
  const faults = await admin(api, 'POST', 'faults', { plan: ['503'], rate: 0 });
  assert.deepEqual(await faults.json(), api.faults());
  assert.deepEqual(api.faults(), { plan: ['503'], rate: 0 });
  assert.equal((await admin(api, 'POST', 'reset', {})).status, 200);
  assert.deepEqual(api.journal(), []);
});

test('every library method', async () => {
  const api = await createMockApi({ count: 12, seed: 8, now: new Date(NOW), perMinute: 500 });
  const all = api.investigations();
  assert.equal(all.length, 12);
  for (const key of ['id', 'startTime', 'endTime', 'state', 'cancelledBy', 'statusDetails', 'machineId', 'computerDnsName', 'triggeringAlertId']) {
    assert.ok(key in all[0], key);
  }
  const config = api.config();
  assert.equal(config.seed, 8);
  assert.equal(config.count, 12);
  assert.equal(config.per_minute, 500);
  assert.equal(config.now, NOW);

  assert.deepEqual(api.addInvestigations([{ id: 77, startTime: new Date('2030-01-01T00:00:00Z'), state: 'Running' }, { id: '78' }]), { added: 2, total: 14 });
  assert.deepEqual(api.addInvestigations({ id: '79' }), { added: 1, total: 15 });
  const first = api.investigations()[0];
  assert.equal(first.id, '77');
  assert.equal(first.startTime, '2030-01-01T00:00:00Z');
  assert.equal(api.investigations().at(-1).state, 'Unknown');
  await refused(() => api.addInvestigations([{ id: '80' }, { state: 'Running' }]), 'InvalidInvestigations', 'item 1: `id` is missing');

  const updated = api.updateInvestigation('77', { state: 'Benign', endTime: '2030-01-01T01:00:00Z' });
  assert.equal(updated.state, 'Benign');
  assert.equal(updated.endTime, '2030-01-01T01:00:00Z');
  assert.deepEqual(api.investigations()[0], updated);
  await refused(() => api.updateInvestigation('nope', { state: 'Benign' }), 'InvestigationNotFound', 'nope');
  await refused(() => api.updateInvestigation('77', { colour: 'red' }), 'InvalidUpdate', 'unknown field `colour`');
  await refused(() => api.updateInvestigation('77', { endTime: 'soon' }), 'InvalidUpdate', 'endTime');

  api.planFaults(['503', 429, 'close']);
  assert.deepEqual(api.faults(), { plan: ['503', '429', 'close'], rate: 0 });
  assert.equal((await get(api, '/api/investigations')).status, 503);
  assert.deepEqual(api.faults().plan, ['429', 'close']);
  await refused(() => api.planFaults(['404']), 'InvalidFault', 'unknown fault `404`');
  api.setFaultRate(0.5);
  assert.equal(api.faults().rate, 0.5);
  await refused(() => api.setFaultRate(2), 'InvalidFault', 'from 0 to 1');

  assert.equal(api.journal().length, 1);
  api.reset();
  assert.deepEqual(api.journal(), []);
  assert.deepEqual(api.faults(), { plan: [], rate: 0.5 }, 'a reset keeps the rate');
  assert.equal(api.investigations().length, 15, 'a reset keeps the data');
});

test('a close fault rejects like fetch on a network error', async () => {
  const api = await createMockApi({ count: 5, now: NOW });
  api.planFaults(['close']);
  await assert.rejects(get(api, '/api/investigations'), (e) => {
    assert.ok(e instanceof TypeError, String(e));
    assert.match(String(e.cause?.message), /close/);
    return true;
  });
  const [entry] = api.journal();
  assert.equal(entry.status, null);
  assert.equal(entry.fault, 'close');
});

test('a truncate fault gives a body stream that errors after exactly half the body', async () => {
  const api = await createMockApi({ count: 25, seed: 4, now: NOW });
  const full = new Uint8Array(await (await get(api, '/api/investigations')).arrayBuffer());
  api.planFaults(['truncate']);
  const r = await get(api, '/api/investigations');
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-length'), String(full.length));
  const reader = r.body.getReader();
  const received = [];
  let failure;
  for (;;) {
    try {
      const { done, value } = await reader.read();
      if (done) break;
      received.push(...value);
    } catch (e) {
      failure = e;
      break;
    }
  }
  assert.ok(failure instanceof TypeError, `the stream must error, got ${failure}`);
  assert.equal(received.length, Math.floor(full.length / 2));
  assert.deepEqual(Uint8Array.from(received), full.subarray(0, received.length), 'the first bytes are the real ones');
  api.planFaults(['truncate']);
  await assert.rejects((await get(api, '/api/investigations')).json(), TypeError);
  assert.equal(api.journal().at(-1).fault, 'truncate');
});

test('latency is waited before the answer, and an abort ends the wait', async () => {
  const api = await createMockApi({ count: 3, now: NOW, latencyMs: 150 });
  const started = performance.now();
  assert.equal((await get(api, '/api/investigations')).status, 200);
  assert.ok(performance.now() - started >= 140, 'waited the latency');
  const adminStarted = performance.now();
  await admin(api, 'GET', 'config');
  assert.ok(performance.now() - adminStarted < 140, 'the admin API is not delayed');

  const controller = new AbortController();
  const pending = get(api, '/api/investigations', 't', { signal: controller.signal });
  setTimeout(() => controller.abort(), 20);
  await assert.rejects(pending, (e) => e.name === 'AbortError');
  const aborted = AbortSignal.abort();
  await assert.rejects(get(api, '/api/investigations', 't', { signal: aborted }), (e) => e.name === 'AbortError');
  const reason = new Error('gone');
  const custom = new AbortController();
  custom.abort(reason);
  await assert.rejects(get(api, '/api/investigations', 't', { signal: custom.signal }), (e) => e === reason);
  assert.equal(api.journal().length, 2, 'a call aborted before it was sent never reached the mock');
});

test('bandwidth and firstByteMs: the body stream delivers its chunks over time, the same bytes as unpaced', async () => {
  const [bandwidth, firstByteMs] = [100_000, 150];
  const paced = await createMockApi({ count: 60, now: NOW, bandwidth, firstByteMs });
  const plain = await createMockApi({ count: 60, now: NOW });
  const whole = new Uint8Array(await (await get(plain, '/api/investigations')).arrayBuffer());
  assert.ok(whole.length > 15_000, `${whole.length} bytes`);
  const sentAt = performance.now();
  const r = await get(paced, '/api/investigations');
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-length'), null, 'a streamed body has no length');
  const arrived = await readOverTime(r, sentAt);
  assert.deepEqual(arrived.body, whole);
  assertPaced(arrived, bandwidth, firstByteMs);
  // The admin API answers at once.
  const config = await admin(paced, 'GET', 'config');
  assert.ok(Number(config.headers.get('content-length')) > 0);
  assert.deepEqual([(await config.json()).bandwidth, paced.config().first_byte_ms], [bandwidth, firstByteMs]);
  // An abort while the body arrives cuts its stream with the reason, as for a fetched body.
  const controller = new AbortController();
  const cut = await get(paced, '/api/investigations', 't', { signal: controller.signal });
  setTimeout(() => controller.abort(), 200);
  await assert.rejects(cut.arrayBuffer(), (e) => e.name === 'AbortError');
  // A reader that stops in the middle cancels the rest (no timer is left behind to keep Node alive).
  const reader = (await get(paced, '/api/investigations')).body.getReader();
  assert.ok((await reader.read()).value.length > 0);
  await reader.cancel();
  assert.equal((await reader.read()).done, true);
});

test('bad options are refused with the engine message naming the option', async () => {
  await refused(() => createMockApi({ bandwidth: 0 }), 'InvalidOption', '`bandwidth` (--bandwidth): 0 must be a whole number of bytes per second, at least 1', 'bandwidth');
  await refused(() => createMockApi({ bandwidth: -100 }), 'InvalidOption', '`bandwidth` (--bandwidth): -100 must be', 'bandwidth');
  await refused(() => createMockApi({ firstByteMs: 0 }), 'InvalidOption', '`firstByteMs` (--first-byte-ms): 0 must be a whole number of milliseconds from 1', 'firstByteMs');
  await refused(() => createMockApi({ firstByteMs: -5 }), 'InvalidOption', '`firstByteMs` (--first-byte-ms)', 'firstByteMs');
  await refused(() => createMockApi({ perMinute: 0 }), 'InvalidOption', 'option `perMinute` (--per-minute): must be at least 1', 'perMinute');
  await refused(() => createMockApi({ timeScale: NaN }), 'InvalidOption', '`timeScale` (--time-scale)', 'timeScale');
  await refused(() => createMockApi({ faultRate: Infinity }), 'InvalidOption', '`faultRate`', 'faultRate');
  await refused(() => createMockApi({ window: 'tumbling' }), 'InvalidOption', 'tumbling', 'window');
  await refused(() => createMockApi({ now: 'yesterday' }), 'InvalidOption', '`now` (--now)', 'now');
  await refused(() => createMockApi({ count: -1 }), 'InvalidOption', '`count` (--count)', 'count');
  await refused(() => createMockApi({ tokens: [''] }), 'InvalidOption', 'a token is empty', 'tokens');
  await refused(() => createMockApi({ seed: () => 1 }), 'InvalidOption', '`seed`', 'seed');
  await refused(() => createMockApi({ investigations: [{ state: 'Running' }] }), 'InvalidOption', '`investigations` (--data): item 0: `id` is missing');
  await refused(() => createMockApi({ perMinit: 5 }), 'InvalidOption', 'unknown option `perMinit`: the options are seed, count,', 'perMinit');
  await refused(() => createMockApi({ port: 0 }), 'InvalidOption', 'unknown option `port`', 'port');
  await refused(() => createMockApi('fast'), 'InvalidOption', 'the options must be an object');
  const big = await createMockApi({ seed: 18446744073709551615n, count: 1, now: NOW });
  assert.equal(big.investigations().length, 1);
  const defaults = await createMockApi({ seed: undefined, perMinute: null });
  assert.equal(defaults.config().per_minute, 100);
  assert.equal(defaults.config().count, 2000);
});

test('the same options give the same data and the same bytes', async () => {
  const options = { count: 50, seed: 11, now: NOW };
  const a = await createMockApi(options);
  const b = await createMockApi(options);
  const body = async (api) => new Uint8Array(await (await get(api, '/api/investigations')).arrayBuffer());
  assert.deepEqual(await body(a), await body(b));
  const c = await createMockApi({ ...options, seed: 12 });
  assert.notDeepEqual(c.investigations(), a.investigations());
});

test('the client mde-investigations lists everything through the handler', async () => {
  const api = await createMockApi({ count: 120, seed: 7, now: NOW });
  const client = new InvestigationsClient({ baseUrl: BASE, token: 'client-token', fetch: api.fetch });
  const items = [];
  for await (const item of client.list()) items.push(item);
  assert.deepEqual(items, api.investigations());
  const pages = [];
  api.planFaults(['close', 'truncate', '503']);
  for await (const page of client.list({ pageSize: 50 }).byPage()) pages.push(page.length);
  assert.deepEqual(pages, [50, 50, 20], 'the client retried the faults and lost nothing');
  const faults = api.journal().map((e) => e.fault).filter((f) => f !== null);
  assert.deepEqual(faults, ['close', 'truncate', '503']);
  const one = await client.get(items[0].id);
  assert.deepEqual(one, items[0]);
});

test('the browser entry also works in Node, for test runners with browser export conditions', async (t) => {
  if (typeof process.getBuiltinModule !== 'function') return t.skip('needs process.getBuiltinModule (Node 20.16+)');
  const dir = dirname(createRequire(import.meta.url).resolve('mde-mock/package.json'));
  const browser = await import(pathToFileURL(join(dir, 'index.js')).href);
  const api = await browser.createMockApi({ count: 3, now: NOW });
  assert.equal(api.investigations().length, 3);
  assert.equal((await get(api, '/api/investigations')).status, 200);
});

const FINALS = ['SuccessfullyRemediated', 'Benign', 'PartiallyRemediated', 'Failed', 'TerminatedBySystem', 'TerminatedByUser'];

test('live: investigations arrive and finish over real (scaled) time; a PATCH holds one; pause freezes the world', async () => {
  // A world minute lasts 30 ms: an investigation lives about 1.5 s. Polled with a deadline, never a fixed wait.
  const api = await createMockApi({ count: 20, seed: 5, now: NOW, live: true, liveRate: 600, timeScale: 0.0005 });
  const config = api.config();
  assert.equal(config.live, true);
  assert.equal(config.live_rate, 600);
  const initial = new Set(api.investigations().map((i) => i.id));
  const highest = Math.max(...[...initial].map(Number));
  const deadline = Date.now() + 60_000;
  let arrived = null;
  let finished = null;
  while (arrived === null || finished === null) {
    assert.ok(Date.now() < deadline, `arrived ${arrived?.id}, finished ${finished?.id}`);
    const page = await (await get(api, '/api/investigations')).json();
    for (const inv of page.value) {
      if (initial.has(inv.id)) continue;
      assert.ok(Number(inv.id) > highest, inv.id);
      if (FINALS.includes(inv.state)) {
        assert.ok(Date.parse(inv.endTime) > Date.parse(inv.startTime), JSON.stringify(inv));
        finished ??= inv;
      } else {
        assert.equal(inv.endTime, null);
        if (inv.state === 'Running') arrived ??= inv;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // The investigations of the handler and of investigations() are the world at that moment.
  const status = api.live();
  assert.equal(status.enabled, true);
  assert.equal(status.running, true);
  assert.ok(status.arrived > 0 && status.transitions > 0, JSON.stringify(status));
  // A PATCH (through the admin API) wins, and the world leaves that investigation alone afterwards.
  const patched = await admin(api, 'PATCH', `investigations/${arrived.id}`, { state: 'PendingApproval' });
  assert.equal(patched.status, 200);
  assert.equal(api.live().released, 1);
  const before = api.live().transitions;
  const later = Date.now() + 1_800; // a world hour
  while (Date.now() < later) await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(api.investigations().find((i) => i.id === arrived.id).state, 'PendingApproval');
  assert.ok(api.live().transitions > before, 'the rest of the world moved');
  // Paused, nothing moves; the admin API says the same.
  assert.equal(api.setLivePaused(true).paused, true);
  const frozen = api.investigations();
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.deepEqual(api.investigations(), frozen);
  const shown = await (await admin(api, 'GET', 'live')).json();
  assert.equal(shown.paused, true);
  assert.equal((await admin(api, 'POST', 'live', { paused: false })).status, 200);
  assert.equal(api.live().running, true);
});

test('live: off by default; setLivePaused then throws LiveOff, and a bad liveRate is refused by name', async () => {
  const api = await createMockApi({ count: 2, now: NOW });
  assert.equal(api.live().enabled, false);
  await refused(() => api.setLivePaused(true), 'LiveOff', 'live mode is off');
  assert.throws(() => api.setLivePaused('yes'), TypeError);
  assert.equal((await admin(api, 'POST', 'live', { paused: true })).status, 409);
  await refused(() => createMockApi({ liveRate: 5000 }), 'InvalidOption', 'from 0 to 3600', 'liveRate');
  await refused(() => createMockApi({ live: 'yes' }), 'InvalidOption', 'must be true or false', 'live');
});
