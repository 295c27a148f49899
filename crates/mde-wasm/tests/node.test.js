// Tests of the packed npm package, installed into a new project, against the mde-mock binary ($MDE_MOCK).
// Run by `cargo xtask npm-test` (and `cargo xtask test`) with Node's test runner.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';

import { InvestigationsClient, MdeError, TOKEN_SCOPE, validateFilter } from 'mde-investigations';
import { NOW, startMock, valueOf } from './mock.js';
import { LIMITS, checkShared, mockFlags } from './shared-check.js';

const mocks = [];
async function mock(flags) {
  const m = await startMock(flags);
  mocks.push(m);
  return m;
}
after(() => Promise.all(mocks.map((m) => m.stop())));

let tokenCounter = 0;
function client(base, options = {}) {
  // A token per client: the mock counts limits per token.
  return new InvestigationsClient({ baseUrl: base, allowInsecureLoopback: true, token: `t${++tokenCounter}`, ...options });
}

async function collect(iterable) {
  const out = [];
  for await (const x of iterable) out.push(x);
  return out;
}

/** Ids of investigations, for compact comparisons. */
const ids = (items) => items.map((i) => i.id);

async function rejects(promise, kind) {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof MdeError, `expected an MdeError, got ${e?.stack ?? e}`);
    assert.ok(e instanceof Error);
    assert.equal(e.kind, kind, e.message);
    return e;
  }
  assert.fail(`expected MdeError ${kind}`);
}

/** A tiny HTTP server answering with `handler(req)` -> { status, body, headers }; counts requests. */
async function fakeService(handler) {
  const requests = [];
  const server = createServer((req, res) => {
    requests.push({ url: req.url, authorization: req.headers.authorization });
    const { status = 200, body = '', headers = {} } = handler(req, server) ?? {};
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  // Node 18's close() waits for idle keep-alive connections (about 4 s); 19+ closes them itself.
  const close = () => new Promise((resolve) => {
    server.close(resolve);
    server.closeIdleConnections?.();
  });
  return { base, requests, close };
}

let shared;
before(async () => {
  shared = await mock(['--count', '120', '--seed', '7']);
});

test('lists every investigation as plain objects with the service property names', async () => {
  const oracle = valueOf(await shared.all());
  const items = await collect(client(shared.base).list());
  assert.equal(items.length, 120);
  assert.deepEqual(items, oracle);
  assert.equal(Object.getPrototypeOf(items[0]), Object.prototype);
  for (const key of ['id', 'startTime', 'endTime', 'state', 'machineId', 'computerDnsName', 'triggeringAlertId']) {
    assert.ok(key in items[0], key);
  }
  assert.equal(typeof items[0].id, 'string');
});

test('both filter forms are validated in Rust and mean the same query', async () => {
  const since = '2026-10-01T00:00:00Z';
  const text = `state eq 'Benign' and startTime ge ${since}`;
  const object = { state: 'Benign', startTime: { ge: new Date(since) } };
  assert.deepEqual(validateFilter(object), { ok: true, filter: text });
  assert.deepEqual(validateFilter(text), { ok: true, filter: text });
  const expected = valueOf(await shared.all()).filter((i) => i.state === 'Benign' && Date.parse(i.startTime) >= Date.parse(since));
  assert.ok(expected.length > 0);
  const c = client(shared.base);
  assert.deepEqual(await collect(c.list({ filter: text })), expected);
  assert.deepEqual(await collect(c.list({ filter: object })), expected);
  const or = { or: [{ state: 'Running' }, { state: { in: ['Queued', 'PendingApproval'] } }], not: { machineId: expected[0].machineId } };
  const orText = validateFilter(or);
  assert.equal(orText.ok, true);
  const expectedOr = valueOf(await shared.all()).filter(
    (i) => ['Running', 'Queued', 'PendingApproval'].includes(i.state) && i.machineId !== expected[0].machineId,
  );
  assert.deepEqual(await collect(c.list({ filter: or })), expectedOr);
});

test('an invalid filter or option fails at once and spends no call', async () => {
  const m = await mock(['--count', '5']);
  const c = client(m.base);
  const bad = validateFilter("state eq 'Runing'");
  assert.equal(bad.ok, false);
  assert.equal(bad.error.kind, 'InvalidQuery');
  assert.equal(bad.error.position, 9);
  assert.match(bad.error.message, /did you mean 'Running'/);
  const err = assert.throws(() => c.list({ filter: 'startTime ge yesterday' }), MdeError);
  const badObject = validateFilter({ or: [{ id: '1' }, { startTime: { gx: new Date() } }] });
  assert.equal(badObject.error.path, 'filter.or[1].startTime.gx');
  assert.throws(() => c.list({ filter: { state: 'Running', endTime: { ge: 1 } } }), (e) => e.kind === 'InvalidQuery' && e.path === 'filter.endTime');
  assert.throws(() => c.list({ top: 0 }), (e) => e.kind === 'InvalidQuery');
  assert.throws(() => c.list({ pageSize: 20_000 }), (e) => e.kind === 'InvalidConfig');
  assert.throws(() => c.list({ pagesize: 5 }), (e) => e.kind === 'InvalidConfig');
  void err;
  assert.deepEqual(await m.journal(), []);
});

test('NaN or Infinity in a number option is refused at once, not taken for the default', async () => {
  const m = await mock(['--count', '3']);
  const c = client(m.base);
  const refused = (what) => (e) => e instanceof MdeError && e.kind === 'InvalidConfig' && /must be a finite number, not (NaN|-?Infinity)/.test(e.message) || assert.fail(`${what}: ${e}`);
  for (const options of [{ top: NaN }, { top: Infinity }, { skip: NaN }, { pageSize: -Infinity }, { snapshot: NaN }]) {
    assert.throws(() => c.list(options), refused(JSON.stringify(Object.keys(options))));
  }
  for (const options of [{ maxRetries: NaN }, { maxRetryAfterMs: Infinity }, { rateLimit: { perMinute: NaN } }, { rateLimit: { perHour: Infinity } }, { rateLimit: { timeScale: NaN } }]) {
    assert.throws(() => client(m.base, options), refused(JSON.stringify(options)));
  }
  assert.deepEqual(await m.journal(), []);
});

test('a BigInt option is refused with an MdeError (InvalidConfig), not a TypeError from JSON.stringify', async () => {
  const m = await mock(['--count', '3']);
  const c = client(m.base);
  const refused = (e) => e instanceof MdeError && e.kind === 'InvalidConfig' && /must be a number, not a bigint/.test(e.message);
  assert.throws(() => c.list({ top: 5n }), refused);
  assert.throws(() => c.list({ snapshot: 1767225600000n }), refused);
  assert.throws(() => c.watch({ intervalMs: 60000n }), refused);
  assert.throws(() => client(m.base, { maxRetries: 1n }), refused);
  assert.throws(() => client(m.base, { rateLimit: { perMinute: 10n } }), refused);
  assert.deepEqual(await m.journal(), []);
});

test('pages itself with $top/$skip; byPage yields the pages', async () => {
  const m = await mock(['--count', '23', '--seed', '2']);
  const oracle = valueOf(await m.all());
  const events = [];
  const c = client(m.base, { onEvent: (e) => events.push(e) });
  const pages = await collect(c.list({ pageSize: 10 }).byPage());
  assert.deepEqual(pages.map((p) => p.length), [10, 10, 3]);
  assert.deepEqual(pages.flat(), oracle);
  const queries = (await m.journal()).map((j) => j.query);
  assert.deepEqual(queries, ['$top=10', '$top=10&$skip=10', '$top=10&$skip=20']);
  assert.deepEqual(events.filter((e) => e.type === 'page'), [
    { type: 'page', pages: 1, items: 10 },
    { type: 'page', pages: 2, items: 20 },
    { type: 'page', pages: 3, items: 23 },
  ]);
  assert.deepEqual(events[0], { type: 'request', url: `${m.base}/api/investigations?$top=10`, attempt: 1 });
  // top and skip: a window of the whole listing.
  assert.deepEqual(await collect(c.list({ top: 7, skip: 4, pageSize: 5 })), oracle.slice(4, 11));
});

test('InvalidConfig: https only, unless loopback and allowInsecureLoopback', () => {
  const make = (options) => () => new InvestigationsClient({ token: 't', ...options });
  assert.throws(make({ baseUrl: 'http://127.0.0.1:4010' }), (e) => e instanceof MdeError && e.kind === 'InvalidConfig');
  assert.throws(make({ baseUrl: 'http://example.com', allowInsecureLoopback: true }), (e) => e.kind === 'InvalidConfig');
  assert.throws(make({ region: 'mars' }), (e) => e.kind === 'InvalidConfig');
  assert.throws(make({ baseURL: 'https://x' }), (e) => e.kind === 'InvalidConfig');
  assert.throws(() => new InvestigationsClient({ region: 'eu' }), (e) => e.kind === 'InvalidConfig');
  make({ baseUrl: 'http://127.0.0.1:4010', allowInsecureLoopback: true })();
  make({ region: 'gcc-high' })();
});

test('Unauthorized after one refresh; the token callback is asked for a fresh token after a 401', async () => {
  const m = await mock(['--count', '3', '--token', 'good', '--forbidden-token', 'nope']);
  const calls = [];
  const c = client(m.base, {
    token: async ({ forceRefresh }) => {
      calls.push(forceRefresh);
      return forceRefresh ? 'good' : 'stale';
    },
  });
  assert.equal((await collect(c.list())).length, 3);
  assert.deepEqual(calls, [false, true]);
  const e = await rejects(collect(client(m.base, { token: 'wrong' }).list()), 'Unauthorized');
  assert.equal(e.status, 401);
  assert.equal(e.code, 'Unauthorized');
  assert.ok(e.target);
  const f = await rejects(collect(client(m.base, { token: 'nope' }).list()), 'Forbidden');
  assert.equal(f.status, 403);
});

test('a string token is sent once: a 401 fails at once, as there is nothing to refresh', async () => {
  const m = await mock(['--count', '3', '--token', 'good']);
  const e = await rejects(collect(client(m.base, { token: 'wrong' }).list()), 'Unauthorized');
  assert.equal(e.status, 401);
  assert.deepEqual((await m.journal()).map((j) => j.status), [401], 'the same token was not sent again');
});

/** A TokenCredential whose `getToken` answers `answer(n)` on its n-th call, and records every call. */
function fakeCredential(answer) {
  const calls = [];
  return {
    calls,
    async getToken(scopes, options) {
      calls.push({ scopes, abortSignal: options?.abortSignal });
      return answer(calls.length);
    },
  };
}

const MINUTE = 60_000;

/** Runs `f` with `Date.now()` moved `offsetMs` ahead (the client's clock), then puts it back. */
async function later(offsetMs, f) {
  const realNow = Date.now;
  Date.now = () => realNow.call(Date) + offsetMs;
  try {
    return await f();
  } finally {
    Date.now = realNow;
  }
}

test('a TokenCredential is asked for the API scope, and its token is kept until five minutes before it expires', async () => {
  assert.equal(TOKEN_SCOPE, 'https://api.securitycenter.microsoft.com/.default');
  const svc = await fakeService((req) => {
    if (req.url.startsWith('/api/investigations/')) return { body: { id: req.url.split('/').pop(), state: 'Running' } };
    const skip = Number(new URL(req.url, 'http://127.0.0.1').searchParams.get('$skip') ?? 0);
    return { body: { value: [{ id: '2' }, { id: '1' }].slice(skip, skip + 1) } };
  });
  try {
    // Each token lasts ten minutes from when it is issued (by the client's clock).
    const credential = fakeCredential((n) => ({ token: `token-${n}`, expiresOnTimestamp: Date.now() + 10 * MINUTE }));
    const c = client(svc.base, { token: credential });
    await c.get('7');
    assert.deepEqual(ids(await collect(c.list({ pageSize: 1 }))), ['2', '1']);
    await c.get('8');
    assert.equal(credential.calls.length, 1, 'one token for every call while it is fresh');
    assert.deepEqual(credential.calls[0].scopes, [TOKEN_SCOPE]);
    // Four minutes and fifty seconds on, the token expires in more than five minutes: still used.
    await later(4 * MINUTE + 50_000, () => c.get('9'));
    assert.equal(credential.calls.length, 1);
    // Five minutes and a second on, it expires in less than five minutes: the credential is asked again.
    await later(5 * MINUTE + 1000, async () => {
      await c.get('10');
      await c.get('11');
    });
    assert.equal(credential.calls.length, 2);
    const bearers = svc.requests.map((r) => r.authorization);
    assert.deepEqual(bearers, [...Array(6).fill('Bearer token-1'), 'Bearer token-2', 'Bearer token-2']);

    // A token that expires within five minutes is never kept.
    const brief = fakeCredential((n) => ({ token: `brief-${n}`, expiresOnTimestamp: Date.now() + 5 * MINUTE - 1000 }));
    const b = client(svc.base, { token: brief });
    await b.get('1');
    await b.get('2');
    assert.equal(brief.calls.length, 2);
  } finally {
    await svc.close();
  }
});

test('after a 401 the TokenCredential is asked again, bypassing the cached token', async () => {
  const m = await mock(['--count', '3', '--token', 'good']);
  const far = Date.now() + 60 * MINUTE;
  const credential = fakeCredential((n) => ({ token: n === 1 ? 'revoked' : 'good', expiresOnTimestamp: far }));
  const c = client(m.base, { token: credential });
  assert.equal((await collect(c.list())).length, 3);
  assert.equal(credential.calls.length, 2);
  await c.get(valueOf(await m.all())[0].id);
  assert.equal(credential.calls.length, 2, 'the fresh token is kept');
  const statuses = (await m.journal()).map((j) => j.status);
  assert.deepEqual(statuses, [401, 200, 200]);

  // A credential that keeps giving a refused token: Unauthorized after one fresh try.
  const stale = fakeCredential(() => ({ token: 'revoked', expiresOnTimestamp: far }));
  const e = await rejects(collect(client(m.base, { token: stale }).list()), 'Unauthorized');
  assert.equal(e.status, 401);
  assert.equal(stale.calls.length, 2);
});

test('a TokenCredential that fails, returns no token or is aborted: Unauthorized or Aborted', async () => {
  const m = await mock(['--count', '2']);
  const broken = { getToken: async () => { throw new Error('AADSTS7000215: invalid client secret'); } };
  const e = await rejects(collect(client(m.base, { token: broken }).list()), 'Unauthorized');
  assert.match(e.message, /the credential failed: AADSTS7000215/);
  assert.equal(e.cause.message, 'AADSTS7000215: invalid client secret');
  const none = fakeCredential(() => null);
  const n = await rejects(collect(client(m.base, { token: none }).list()), 'Unauthorized');
  assert.match(n.message, /the credential returned no token/);

  // The operation's signal reaches getToken, and aborting while it waits (say, on a sign-in prompt that never
  // ends) ends the listing at once with Aborted.
  const controller = new AbortController();
  const waiting = {
    calls: [],
    getToken(scopes, options) {
      this.calls.push(options?.abortSignal);
      setTimeout(() => controller.abort(), 10);
      return new Promise(() => {});
    },
  };
  await rejects(collect(client(m.base, { token: waiting }).list({ signal: controller.signal })), 'Aborted');
  assert.equal(waiting.calls[0], controller.signal);
  assert.deepEqual(await m.journal(), [], 'nothing was sent without a token');

  assert.throws(() => client(m.base, { token: { getToken: 'no' } }), (x) => x.kind === 'InvalidConfig');
  assert.throws(() => client(m.base, { token: {} }), (x) => x.kind === 'InvalidConfig' && /TokenCredential/.test(x.message));
});

test('NotFound, and get by id or by triggering alert id', async () => {
  const oracle = valueOf(await shared.all());
  const c = client(shared.base);
  assert.deepEqual(await c.get(oracle[3].id), oracle[3]);
  assert.deepEqual(await c.get(oracle[5].triggeringAlertId), oracle[5]);
  const e = await rejects(c.get('999999999'), 'NotFound');
  assert.equal(e.status, 404);
  assert.equal(e.code, 'ResourceNotFound');
});

test('InvalidQuery from the service (400) keeps status and code', async () => {
  const c = client(shared.base, { fetch: (url, init) => fetch(url.replace('$top=10000', '$top=0'), init) });
  const e = await rejects(collect(c.list()), 'InvalidQuery');
  assert.equal(e.status, 400);
  assert.ok(e.code);
});

test('Server and Network after retries; a truncated body is retried', async () => {
  const m = await mock(['--count', '4']);
  const events = [];
  const c = client(m.base, { maxRetries: 1, onEvent: (e) => events.push(e) });
  await m.faults(['500', '503']);
  const s = await rejects(collect(c.list()), 'Server');
  assert.equal(s.status, 503);
  assert.deepEqual(events.find((e) => e.type === 'retry'), { type: 'retry', attempt: 2, status: 500 });
  assert.ok(events.some((e) => e.type === 'wait' && e.reason === 'backoff'));
  await m.faults(['close', 'close']);
  await rejects(collect(c.list()), 'Network');
  await m.faults(['truncate']);
  assert.equal((await collect(c.list())).length, 4);
});

test('InvalidResponse names the item and field; every item is validated', async () => {
  const svc = await fakeService(() => ({ body: { value: [{ id: '1' }, { id: '2', startTime: 'yesterday' }] } }));
  try {
    const e = await rejects(collect(client(svc.base, { maxRetries: 1 }).list()), 'InvalidResponse');
    assert.match(e.message, /value\[1\]\.startTime/);
    assert.equal(svc.requests.length, 2);
  } finally {
    await svc.close();
  }
});

test('streaming: items are handed out while the page is still arriving; byPage waits for the whole page', async () => {
  // 600 items (about 190 KB) at 100 KB/s: the body arrives over about two seconds, in chunks of 2,500 bytes.
  const m = await mock(['--count', '600', '--seed', '5', '--bandwidth', '100000']);
  const oracle = ids(valueOf(await m.all()));
  const events = [];
  const list = client(m.base, { onEvent: (e) => events.push(e) }).list();
  const got = [];
  let firstAt;
  for await (const item of list) {
    if (got.length === 0) firstAt = events.length;
    got.push(item.id);
  }
  assert.deepEqual(got, oracle);
  const before = events.slice(0, firstAt);
  assert.ok(!before.some((e) => e.type === 'page'), 'the first item came before the page had arrived');
  const progress = events.filter((e) => e.type === 'items').map((e) => e.items);
  assert.ok(progress.length > 10, `the page came in ${progress.length} parts`);
  assert.ok(progress[0] < 600 && progress.every((n, k) => k === 0 || n > progress[k - 1]), progress.join());
  assert.deepEqual(events.filter((e) => e.type === 'page'), [{ type: 'page', pages: 1, items: 600 }]);

  const pages = await collect(client(m.base).list().byPage());
  assert.deepEqual(pages.map((p) => p.length), [600]);
});

test('streaming: a transfer that breaks off keeps what it delivered, and the retry delivers only the rest', async () => {
  const m = await mock(['--count', '300', '--seed', '6', '--bandwidth', '400000']);
  const oracle = ids(valueOf(await m.all()));
  const events = [];
  await m.faults(['truncate', 'truncate']);
  const got = ids(await collect(client(m.base, { onEvent: (e) => events.push(e) }).list()));
  assert.deepEqual(got, oracle);
  const firstRetry = events.findIndex((e) => e.type === 'retry');
  const delivered = events.slice(0, firstRetry).filter((e) => e.type === 'items').map((e) => e.items);
  assert.ok(delivered.length > 0 && delivered.at(-1) > 0 && delivered.at(-1) < 300, `before the retry: ${delivered.join()}`);
});

test('streaming: a page that proves invalid after some of its items were handed out fails, and the token continues after them', async () => {
  const item = (i, startTime = '2026-01-01T00:00:00Z') => ({ id: String(i), startTime, state: 'Running' });
  const value = [0, 1, 2, 3, 4, 5, 6].map((i) => item(i)).concat([item(7, 'soon'), item(8), item(9)]);
  const svc = await fakeService(() => ({ body: { value } }));
  try {
    const list = client(svc.base, { maxRetries: 0 }).list({ pageSize: 10 });
    const got = [];
    const e = await rejects((async () => { for await (const it of list) got.push(it.id); })(), 'InvalidResponse');
    assert.match(e.message, /value\[7\]\.startTime/);
    assert.deepEqual(got, ['0', '1', '2', '3', '4', '5', '6']);
    await rejects(collect(client(svc.base, { maxRetries: 0 }).list({ resumeFrom: list.resumeToken() })), 'InvalidResponse');
    assert.match(svc.requests.at(-1).url, /\$top=10&\$skip=7$/);
    // byPage hands out no part of a page that fails.
    await rejects(collect(client(svc.base, { maxRetries: 0 }).list({ pageSize: 10 }).byPage()), 'InvalidResponse');
  } finally {
    await svc.close();
  }
});

test('streaming: an abort while the page is arriving stops the body at once; the token continues after the last item', async () => {
  const m = await mock(['--count', '600', '--seed', '9', '--bandwidth', '150000']);
  const oracle = ids(valueOf(await m.all()));
  const controller = new AbortController();
  const events = [];
  const list = client(m.base, { onEvent: (e) => events.push(e) }).list({ signal: controller.signal });
  const before = [];
  const e = await rejects((async () => {
    for await (const item of list) {
      before.push(item.id);
      if (before.length === 40) controller.abort();
    }
  })(), 'Aborted');
  assert.ok(e instanceof MdeError);
  assert.ok(!events.some((x) => x.type === 'page'), 'aborted before the page had arrived');
  // Not one more after the abort, though the rest of its chunk was validated already.
  assert.equal(before.length, 40);
  const after = ids(await collect(client(m.base).list({ resumeFrom: list.resumeToken() })));
  assert.deepEqual([...before, ...after], oracle);
});

test('streaming: a loop that stops while the page is arriving resumes right after its last item, from its token or by iterating again (the same transfer)', async () => {
  const m = await mock(['--count', '600', '--seed', '8', '--bandwidth', '150000']);
  const oracle = ids(valueOf(await m.all()));
  const events = [];
  const first = client(m.base, { onEvent: (e) => events.push(e) }).list();
  const before = ids(await take(first, 50));
  assert.ok(!events.some((e) => e.type === 'page'), 'stopped before the page had arrived');
  const after = ids(await collect(client(m.base).list({ resumeFrom: first.resumeToken() })));
  assert.deepEqual([...before, ...after], oracle);
  // Iterating the same listing again goes on with the page in flight: no second request.
  assert.deepEqual([...before, ...ids(await collect(first))], oracle);
  assert.equal(events.filter((e) => e.type === 'request').length, 1, 'the same transfer went on');
});

test('streaming: the transfer of a listing left in the middle of a page ends when its signal is aborted', async () => {
  const m = await mock(['--count', '600', '--seed', '10', '--bandwidth', '150000']);
  let ended;
  const watched = async (url, init) => {
    const response = await fetch(url, init);
    const source = response.body.getReader();
    const body = new ReadableStream({
      async pull(c) {
        try {
          const { done, value } = await source.read();
          if (done) c.close();
          else c.enqueue(value);
        } catch (e) {
          ended = e.name;
          c.error(e);
        }
      },
    });
    return new Response(body, { status: response.status, headers: response.headers });
  };
  const controller = new AbortController();
  const left = client(m.base, { fetch: watched }).list({ signal: controller.signal });
  assert.equal((await take(left, 50)).length, 50);
  assert.equal(ended, undefined, 'the transfer is still open after the break');
  controller.abort();
  for (let i = 0; i < 100 && ended === undefined; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(ended, 'AbortError');
});

const MiB = 1024 * 1024;
const BODY_LIMIT = 32 * MiB; // mde_core::decode::MAX_BODY_BYTES

/**
 * A service whose page is one item with a `statusDetails` string of `total` bytes in all, streamed in 1 MiB
 * chunks with backpressure (a `gzip` one is compressed first, with `Content-Encoding: gzip`); `written()` says
 * how many bytes it got to send before the client closed the connection.
 */
async function hugePageService(total, { contentLength = false, gzip = false } = {}) {
  const { Readable } = await import('node:stream');
  const { gzipSync } = await import('node:zlib');
  const head = Buffer.from('{"value":[{"id":"1","statusDetails":"');
  const tail = Buffer.from('"}]}');
  const filler = Buffer.alloc(MiB, 'x');
  function* chunks() {
    yield head;
    for (let left = total - head.length - tail.length; left > 0; left -= filler.length) {
      yield filler.subarray(0, Math.min(left, filler.length));
    }
    yield tail;
  }
  const compressed = gzip ? gzipSync(Buffer.concat([...chunks()])) : undefined;
  let written = 0;
  let requests = 0;
  const closed = [];
  const server = createServer((req, res) => {
    requests += 1;
    const headers = { 'content-type': 'application/json' };
    if (contentLength) headers['content-length'] = String(total);
    if (gzip) headers['content-encoding'] = 'gzip';
    res.writeHead(200, headers);
    const source = gzip ? Readable.from([compressed]) : Readable.from(chunks());
    let sent = 0;
    source.on('data', (chunk) => {
      sent += chunk.length;
    });
    // Counted when the connection closes: the source, unpiped then, may still run to its end.
    closed.push(new Promise((resolve) => res.on('close', () => resolve((written += sent)))));
    source.pipe(res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${server.address().port}`,
    requests: () => requests,
    written: async () => {
      await Promise.all(closed);
      return written;
    },
    close: () => new Promise((resolve) => {
      server.close(resolve);
      server.closeAllConnections?.();
    }),
  };
}

test('a page longer than 32 MiB is InvalidResponse at once, and no more of it is read', async () => {
  // The hole a hostile or broken server found: one 50 MB string was accepted and cost 264 MB of memory.
  for (const contentLength of [false, true]) {
    const svc = await hugePageService(50 * MiB, { contentLength });
    try {
      const e = await rejects(collect(client(svc.base).list()), 'InvalidResponse');
      assert.match(e.message, /longer than 33554432 bytes \(32 MiB\)/);
      assert.equal(svc.requests(), 1, 'not retried');
      const written = await svc.written();
      // The server wrote what the client read (up to the bound) and what the sockets buffer, not the whole page.
      const most = contentLength ? 8 * MiB : BODY_LIMIT + 8 * MiB;
      assert.ok(written < most, `the server got to send ${written} bytes (Content-Length sent: ${contentLength})`);
    } finally {
      await svc.close();
    }
  }
});

test('the bound applies to the decoded body: a gzip bomb is refused too; a 20 MiB page is read whole', async () => {
  const bomb = await hugePageService(50 * MiB, { gzip: true });
  try {
    const e = await rejects(client(bomb.base).get('1'), 'InvalidResponse');
    assert.match(e.message, /32 MiB/);
  } finally {
    await bomb.close();
  }
  const big = await hugePageService(20 * MiB);
  try {
    const [item] = await collect(client(big.base).list());
    assert.equal(item.statusDetails.length, 20 * MiB - '{"value":[{"id":"1","statusDetails":""}]}'.length);
  } finally {
    await big.close();
  }
});

test('an id sent as a JSON number reaches the caller as its exact digits', async () => {
  // JSON.parse reads 12345678901234567890 as 12345678901234567000: the facade takes the digits from Rust.
  const page = '{"value":[{"id":12345678901234567890,"state":"Running"},{"id":"s-1"},{"id":-9007199254740993},'
    + '{"id":12345678901234567890},{"id":7}]}';
  const svc = await fakeService((req) => ({
    body: req.url.startsWith('/api/investigations/') ? '{"@odata.context":"x","id":18446744073709551615}' : page,
  }));
  try {
    const items = await collect(client(svc.base).list());
    // The fourth repeats the first id: Rust, which saw every digit, drops it.
    assert.deepEqual(items.map((i) => i.id), ['12345678901234567890', 's-1', '-9007199254740993', '7']);
    assert.equal(items[0].state, 'Running');
    const one = await client(svc.base).get('18446744073709551615');
    assert.deepEqual(one, { id: '18446744073709551615' });
  } finally {
    await svc.close();
  }
});

test('Throttled when the service asks to wait longer than maxRetryAfterMs', async () => {
  const m = await mock(['--count', '4']);
  await m.faults(['429']);
  const e = await rejects(collect(client(m.base, { maxRetryAfterMs: 100 }).list()), 'Throttled');
  assert.equal(e.status, 429);
  assert.equal(e.code, 'TooManyRequests');
  assert.equal(e.retryAfterMs, 1000);
});

test("a 429 is honoured: no retry before the mock's Retry-After", async () => {
  // The mock allows 3 calls per (scaled) minute of 600 ms; the client believes it has 100.
  const m = await mock(['--count', '8', '--per-minute', '3', '--time-scale', '0.01']);
  const events = [];
  const c = client(m.base, { onEvent: (e) => events.push(e) });
  const items = await collect(c.list({ pageSize: 1 }));
  assert.equal(items.length, 8);
  const journal = await m.journal();
  const throttled = journal.filter((j) => j.status === 429);
  assert.ok(throttled.length >= 1, 'the mock throttled at least once');
  for (let i = 0; i < journal.length - 1; i++) {
    if (journal[i].status !== 429) continue;
    const next = journal[i + 1];
    assert.equal(next.status, 200, `the call after a 429 succeeds (seq ${next.seq})`);
    assert.ok(next.timestamp_ms >= journal[i].timestamp_ms + journal[i].retry_after_ms, 'not before Retry-After');
  }
  assert.ok(events.some((e) => e.type === 'wait' && e.reason === 'retryAfter'));
});

test('abort stops a wait or a request at once with kind Aborted', async () => {
  const m = await mock(['--count', '4']);
  await m.faults(['503']);
  const controller = new AbortController();
  let abortedAt = 0;
  const c = client(m.base, {
    onEvent: (e) => {
      if (e.type === 'wait') {
        abortedAt = Date.now();
        controller.abort();
      }
    },
  });
  await rejects(collect(c.list({ signal: controller.signal })), 'Aborted');
  assert.ok(Date.now() - abortedAt < 100, 'stopped at once');
  assert.equal((await m.journal()).length, 1, 'nothing sent after the abort');

  const slow = await mock(['--count', '4', '--latency-ms', '5000']);
  const controller2 = new AbortController();
  const started = Date.now();
  setTimeout(() => controller2.abort(), 100);
  await rejects(client(slow.base).get('1', { signal: controller2.signal }), 'Aborted');
  assert.ok(Date.now() - started < 1000, 'the request was cut');
  await rejects(client(slow.base).get('1', { signal: AbortSignal.abort() }), 'Aborted');
});

/** Hands out `n` investigations of `list` with `for await` (then breaks), or all when there are fewer. */
async function take(list, n) {
  const out = [];
  if (n === 0) return out;
  for await (const item of list) {
    out.push(item);
    if (out.length === n) break;
  }
  return out;
}

test('signal: null (which fetch accepts) means no signal in list(), get() and watch()', async () => {
  const m = await mock(['--count', '3']);
  const c = client(m.base, { token: async () => `t${++tokenCounter}` });
  const items = await collect(c.list({ signal: null }));
  assert.equal(items.length, 3);
  assert.equal((await c.get(items[0].id, { signal: null })).id, items[0].id);
  const events = await collect(c.watch({ signal: null, ticks: 1 }));
  assert.deepEqual(events.map((e) => e.type), ['snapshot']);
});

test('a signal that is not an AbortSignal (the controller itself) is refused at once, and nothing is sent', async () => {
  const m = await mock(['--count', '3']);
  const c = client(m.base);
  const refused = (e) => e instanceof MdeError && e.kind === 'InvalidConfig' && /signal must be an AbortSignal/.test(e.message);
  for (const signal of [new AbortController(), {}, 'stop']) {
    assert.throws(() => c.list({ signal }), refused);
    assert.throws(() => c.watch({ signal }), refused);
    await assert.rejects(c.get('1', { signal }), refused);
  }
  assert.deepEqual(await m.journal(), []);
});

test("get() refuses an unknown option (Azure's abortSignal) at once, as list() and watch() do, and sends nothing", async () => {
  const m = await mock(['--count', '3']);
  const c = client(m.base);
  const abortSignal = new AbortController().signal;
  await assert.rejects(c.get('1', { abortSignal }), (e) => e instanceof MdeError && e.kind === 'InvalidConfig' && /unknown get option "abortSignal"/.test(e.message));
  assert.throws(() => c.list({ abortSignal }), (e) => e.kind === 'InvalidConfig');
  await assert.rejects(c.get('1', 'fast'), (e) => e instanceof MdeError && e.kind === 'InvalidConfig');
  assert.deepEqual(await m.journal(), []);
});

test('resume from a token taken at any investigation: before and after it are the listing, each once', async () => {
  const m = await mock(['--count', '35', '--seed', '4']);
  const oracle = ids(valueOf(await m.all()));
  for (const n of [0, 1, 9, 10, 11, 13, 19, 20, 21, 29, 30, 34, 35]) {
    const first = client(m.base).list({ pageSize: 10 });
    const before = ids(await take(first, n));
    const token = first.resumeToken();
    assert.match(token, /^mdeR1\./);
    assert.equal(token, first.resumeToken(), 'taking a token changes nothing');
    const after = ids(await collect(client(m.base).list({ resumeFrom: token })));
    assert.deepEqual([...before, ...after], oracle, `break after ${n}`);
  }
});

test('resume from a token: a filter or another listing option beside resumeFrom is refused at once, not ignored', async () => {
  const m = await mock(['--count', '6', '--seed', '4']);
  const c = client(m.base);
  const token = c.list({ filter: "state eq 'Running'", pageSize: 2 }).resumeToken();
  for (const other of [{ filter: "state eq 'Benign'" }, { filter: { state: 'Benign' } }, { top: 1 }, { skip: 1 }, { pageSize: 3 }, { snapshot: true }]) {
    assert.throws(
      () => c.list({ resumeFrom: token, ...other }),
      (e) => e instanceof MdeError && e.kind === 'InvalidConfig' && /resumeFrom carries the filter/.test(e.message),
      JSON.stringify(other),
    );
  }
  c.list({ resumeFrom: token, signal: new AbortController().signal });
  assert.deepEqual(await m.journal(), []);
});

test('resume from a token: pages, a mix of both loops, an error, an abort, a thrown error and arrivals', async () => {
  const m = await mock(['--count', '35', '--seed', '4']);
  const oracle = ids(valueOf(await m.all()));
  const resume = async (list) => ids(await collect(client(m.base).list({ resumeFrom: list.resumeToken() })));

  // byPage: after two pages.
  const paged = client(m.base).list({ pageSize: 10 });
  const seen = [];
  for await (const page of paged.byPage()) {
    seen.push(...ids(page));
    if (seen.length === 20) break;
  }
  assert.deepEqual([...seen, ...(await resume(paged))], oracle);

  // Items, then pages, then items again: one position, and the token follows it.
  const mixed = client(m.base).list({ pageSize: 10 });
  const part = ids(await take(mixed, 13));
  assert.deepEqual([...part, ...(await resume(mixed))], oracle);
  const pages = mixed.byPage();
  const { value: rest } = await pages.next();
  await pages.return();
  assert.deepEqual(ids(rest), oracle.slice(13, 20), 'byPage continues with the rest of the page');
  part.push(...ids(rest));
  assert.deepEqual([...part, ...(await resume(mixed))], oracle);
  part.push(...ids(await take(mixed, 3)));
  assert.deepEqual([...part, ...(await resume(mixed))], oracle);
  for await (const item of mixed) part.push(item.id);
  assert.deepEqual(part, oracle);
  assert.deepEqual(await resume(mixed), [], 'a token after the end lists nothing more');

  // A network error on the third call: the token continues after the last investigation handed out.
  let calls = 0;
  const broken = (url, init) => (++calls === 3 ? Promise.reject(new TypeError('connection reset')) : fetch(url, init));
  const failing = client(m.base, { maxRetries: 0, fetch: broken }).list({ pageSize: 10 });
  const got = [];
  await rejects((async () => { for await (const item of failing) got.push(item.id); })(), 'Network');
  assert.equal(got.length, 20);
  assert.deepEqual([...got, ...(await resume(failing))], oracle);

  // An abort inside the second page: not one more investigation, though the page has arrived whole, then Aborted.
  const controller = new AbortController();
  const aborted = client(m.base).list({ pageSize: 10, signal: controller.signal });
  const beforeAbort = [];
  await rejects((async () => {
    for await (const item of aborted) {
      beforeAbort.push(item.id);
      if (beforeAbort.length === 15) controller.abort();
    }
  })(), 'Aborted');
  assert.equal(beforeAbort.length, 15);
  assert.deepEqual([...beforeAbort, ...(await resume(aborted))], oracle);

  // The loop's own error inside a page: the investigation it received counts as handed out.
  const throwing = client(m.base).list({ pageSize: 10 });
  const saved = [];
  await assert.rejects(async () => {
    for await (const item of throwing) {
      if (saved.length === 24) throw new Error('disk full');
      saved.push(item.id);
    }
  }, /disk full/);
  assert.deepEqual([...saved, oracle[24], ...(await resume(throwing))], oracle);

  // Investigations that arrive before the resume shift the pages: none comes back twice, none is lost.
  const shifted = client(m.base).list({ pageSize: 10 });
  const early = ids(await take(shifted, 13));
  const token = shifted.resumeToken();
  const now = new Date().toISOString();
  await m.add([0, 1, 2].map((k) => ({ id: String(990001 + k), startTime: now, state: 'Running' })));
  const late = ids(await collect(client(m.base).list({ resumeFrom: token })));
  assert.deepEqual([...early, ...late], oracle);
});

test('a nextLink to another origin is refused and nothing is sent there', async () => {
  const foreign = await fakeService(() => ({ body: { value: [] } }));
  const svc = await fakeService(() => ({
    body: {
      value: [{ id: '2', state: 'Running' }, { id: '1', state: 'Benign' }],
      '@odata.nextLink': `${foreign.base}/api/investigations?$skip=2`,
    },
  }));
  try {
    const got = [];
    const e = await rejects((async () => { for await (const i of client(svc.base).list()) got.push(i.id); })(), 'ForeignOrigin');
    assert.deepEqual(got, ['2', '1'], 'the page that carried the link is delivered');
    assert.match(e.message, /another origin/);
    assert.equal(foreign.requests.length, 0);
    assert.equal(svc.requests.length, 1);
  } finally {
    await Promise.all([svc.close(), foreign.close()]);
  }
});

test('the limiter state carries over to a new client', async () => {
  const m = await mock(['--count', '3']);
  const token = 'shared-token';
  const a = client(m.base, { token, rateLimit: { perMinute: 2 } });
  await a.get((await a.list({ top: 1 }).byPage().next()).value[0].id);
  const saved = a.rateLimitState();
  assert.equal(saved.windows[0].used, 2);
  assert.equal(saved.windows[0].limit, 2);

  const waits = [];
  const controller = new AbortController();
  const b = client(m.base, {
    token,
    rateLimit: { perMinute: 2, state: saved.state },
    onEvent: (e) => {
      if (e.type === 'wait') {
        waits.push(e);
        controller.abort();
      }
    },
  });
  assert.equal(b.rateLimitState().windows[0].used, 2);
  await rejects(b.get('1', { signal: controller.signal }), 'Aborted');
  assert.equal(waits[0].reason, 'rateLimit');
  assert.ok(waits[0].ms > 50_000, `waits for the minute window (${waits[0].ms} ms)`);
  assert.equal((await m.journal()).length, 2, 'the new client sent nothing');
  assert.throws(() => client(m.base, { rateLimit: { state: 'garbage' } }), (e) => e.kind === 'InvalidConfig');
});

test('rateLimit.shared: two clients of one process with the same key list together without a 429', async () => {
  const m = await mock(mockFlags());
  const oracle = ids(valueOf(await m.all()));
  const events = { a: [], b: [] };
  const make = (name) =>
    client(m.base, {
      token: 'one-application',
      rateLimit: { shared: 'node-key', perMinute: LIMITS.perMinute, timeScale: LIMITS.timeScale },
      onEvent: (e) => events[name].push(e),
    });
  const [a, b] = [make('a'), make('b')];
  const run = async (c, name) => {
    const listed = ids(await collect(c.list({ pageSize: LIMITS.pageSize })));
    const of = (type) => events[name].filter((e) => e.type === type);
    return { ids: listed, retries: of('retry'), waits: of('wait').length, shared: of('rateLimitShared') };
  };
  const [ra, rb] = await Promise.all([run(a, 'a'), run(b, 'b')]);
  for (const r of [ra, rb]) {
    // No Web Locks in Node: the budget is the process's, and the event says so.
    assert.equal(r.shared.length, 1);
    assert.equal(r.shared[0].key, 'node-key');
    assert.equal(r.shared[0].shared, false);
    assert.equal(typeof r.shared[0].reason, 'string');
  }
  checkShared('two Node clients', { a: ra, b: rb }, oracle, await m.journal());
});

test("rateLimit.shared: a 429's Retry-After holds back every client of the key", async () => {
  const m = await mock(['--count', '3']);
  await m.faults(['429']);
  const token = 'throttled-application';
  const held = new AbortController();
  let second;
  const secondWaits = [];
  const first = client(m.base, {
    token,
    rateLimit: { shared: 'held-key' },
    onEvent: (e) => {
      // The first client publishes the block before it waits; from then on the other client must wait too.
      if (e.type === 'wait' && e.reason === 'retryAfter' && second === undefined) {
        const other = client(m.base, {
          token,
          rateLimit: { shared: 'held-key' },
          onEvent: (w) => {
            if (w.type === 'wait') {
              secondWaits.push(w);
              held.abort();
            }
          },
        });
        second = other.get('1', { signal: held.signal }).catch((err) => err);
      }
    },
  });
  const listed = await collect(first.list());
  assert.equal(listed.length, 3);
  const e = await second;
  assert.equal(e.kind, 'Aborted');
  assert.equal(secondWaits[0].reason, 'retryAfter');
  assert.ok(secondWaits[0].ms > 500 && secondWaits[0].ms <= 1_000, `waits out the 1 s block (${secondWaits[0].ms} ms)`);
  const journal = await m.journal();
  assert.deepEqual(journal.map((j) => j.status), [429, 200], 'the other client sent nothing');
});

test('rateLimit.shared: true keys the budget by the service origin, other keys have their own', async () => {
  const m = await mock(['--count', '3']);
  const token = 'keyed-token';
  const waitsOf = async (shared) => {
    const controller = new AbortController();
    const waits = [];
    const c = client(m.base, {
      token,
      rateLimit: { perMinute: 2, shared },
      onEvent: (e) => {
        if (e.type === 'wait') {
          waits.push(e.reason);
          controller.abort();
        }
      },
    });
    try {
      await c.get('1', { signal: controller.signal });
    } catch (e) {
      if (e.kind !== 'Aborted' && e.kind !== 'NotFound') throw e;
    }
    return waits;
  };
  const first = client(m.base, { token, rateLimit: { perMinute: 2, shared: true } });
  await collect(first.list({ pageSize: 2 }));
  assert.equal((await m.journal()).length, 2, 'the first client used the budget up');
  assert.deepEqual(await waitsOf(new URL(m.base).origin), ['rateLimit'], 'the origin is the key of `true`');
  assert.deepEqual(await waitsOf(true), ['rateLimit']);
  assert.deepEqual(await waitsOf('another-key'), [], 'another key, another budget');
  assert.deepEqual(await waitsOf(false), [], 'no key, its own budget');
  assert.equal((await m.journal()).length, 4);
  assert.equal(first.rateLimitState().windows[0].used, 2);
  for (const bad of [5, '', 'k'.repeat(257), {}]) {
    assert.throws(() => client(m.base, { rateLimit: { shared: bad } }), (e) => e.kind === 'InvalidConfig', String(bad));
  }
});

test('snapshot: investigations that start during the listing neither appear nor shift pages', async () => {
  const m = await mock(['--count', '25', '--seed', '9']);
  const oracle = valueOf(await m.all());
  const c = client(m.base);
  const listing = c.list({ pageSize: 10, snapshot: true });
  await new Promise((resolve) => setTimeout(resolve, 5));
  const arrival = (id) => ({ id, startTime: new Date().toISOString(), state: 'Running' });
  await m.add([arrival('990001')]);
  const got = [];
  for await (const page of listing.byPage()) {
    got.push(...page);
    await m.add([arrival(String(990002 + got.length))]);
  }
  assert.deepEqual(got, oracle);
  // Without a snapshot the arrivals are listed.
  assert.equal((await collect(c.list())).length, 25 + 4);
});

test('events never carry the token', async () => {
  const events = [];
  const secret = 'super-secret-token-value';
  await collect(client(shared.base, { token: secret, onEvent: (e) => events.push(e) }).list({ pageSize: 50 }));
  assert.ok(events.length >= 4);
  assert.ok(!JSON.stringify(events).includes(secret));
});

test("the browser entry's inlined module gives the package's wasm file, byte for byte, with and without Uint8Array.fromHex", async () => {
  // `wasm/inline.js` carries the module in hexadecimal: the engine's `Uint8Array.fromHex` decodes it where it has
  // one (Chromium 140+, Firefox 133+, Safari 18.2+; not Node 20), a loop elsewhere. Both paths are taken here
  // whatever this Node has: without `fromHex`, then with one that Buffer's hex decoder stands for. The `node`
  // entry reads the `.wasm` file. Imported by path: the package's `exports` do not list its internals.
  const { readFile } = await import('node:fs/promises');
  const { createRequire } = await import('node:module');
  const { dirname, join } = await import('node:path');
  const { pathToFileURL } = await import('node:url');
  const dir = dirname(createRequire(import.meta.url).resolve('mde-investigations/package.json'));
  const { wasmBytes } = await import(pathToFileURL(join(dir, 'wasm', 'inline.js')).href);
  const file = await readFile(join(dir, 'wasm', 'mde_wasm_bg.wasm'));
  const own = Object.getOwnPropertyDescriptor(Uint8Array, 'fromHex');
  const calls = [];
  try {
    delete Uint8Array.fromHex;
    const looped = wasmBytes();
    Uint8Array.fromHex = (hex) => {
      calls.push(hex.length);
      return new Uint8Array(Buffer.from(hex, 'hex'));
    };
    const native = wasmBytes();
    for (const inlined of [looped, native]) {
      assert.equal(inlined.length, file.length);
      assert.ok(Buffer.from(inlined.buffer, inlined.byteOffset, inlined.length).equals(file));
      assert.ok(WebAssembly.validate(inlined));
    }
    assert.deepEqual(calls, [2 * file.length], 'fromHex is used where the engine has it');
  } finally {
    if (own) Object.defineProperty(Uint8Array, 'fromHex', own);
    else delete Uint8Array.fromHex;
  }
});

test('validateFilter reads what OData 4.01 accepts within .NET, and normalises to OData 4.0 (the OASIS ABNF cases)', () => {
  // tests/fixtures/odata-abnf-cases.json (its `about` says how the cases were adapted); the xtask passes its path.
  const file = process.env.MDE_ODATA_CASES;
  assert.ok(file, 'MDE_ODATA_CASES names the fixture');
  const { cases } = JSON.parse(readFileSync(file, 'utf8'));
  assert.ok(cases.length > 50);
  const wrong = [];
  for (const c of cases) {
    const expected = c.deviation ? c.deviation.accepted : c.valid401 && c.dotnet !== false;
    const result = validateFilter(c.filter);
    if (result.ok !== expected) wrong.push(`${JSON.stringify(c.filter)} (${c.source}): expected ${expected}`);
    // What it sends is OData 4.0: no `in`, lower-case operators, and it reads back the same.
    if (result.ok) {
      assert.doesNotMatch(result.filter, / in \(|\b(AND|OR|NOT|EQ|Eq|And|Or)\b/, result.filter);
      const again = validateFilter(result.filter);
      assert.ok(again.ok && again.filter === result.filter, result.filter);
    }
  }
  assert.deepEqual(wrong, []);
});

// ---- client.watch() ----

/** Investigations by id, as an array sorted by id: the same set compares equal whatever the order. */
const byId = (items) => [...items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

/** Applies a watch event to `view` (a Map by id) as a consumer does, checking that it fits the view. */
function applyEvent(view, e) {
  const inv = e.investigation;
  switch (e.type) {
    case 'snapshot':
      view.clear();
      for (const i of e.investigations) view.set(i.id, i);
      break;
    case 'added':
      assert.ok(!view.has(inv.id), `added ${inv.id} was in the view`);
      view.set(inv.id, inv);
      break;
    case 'changed':
      assert.deepEqual(e.previous, view.get(inv.id), `changed ${inv.id}: previous is what the view had`);
      assert.notDeepEqual(inv, e.previous);
      view.set(inv.id, inv);
      break;
    case 'removed':
      assert.deepEqual(inv, view.get(inv.id), `removed ${inv.id} as the view had it`);
      view.delete(inv.id);
      break;
    default:
      assert.fail(`unknown event ${JSON.stringify(e)}`);
  }
}

/**
 * `client.watch(options)` on a client of its own, with a consumer that applies every event to a view. At each
 * `watchTick` event (a tick is over and the consumer has applied all its events) a copy of the view is queued for
 * `nextTick()`, and the watch's next calls wait until `release()`: the test changes the mock in between, never
 * during a tick, whatever the interval and the machine's speed.
 */
function watchHarness(base, options, clientOptions = {}) {
  const view = new Map();
  const events = [];
  const ticks = [];
  const waiters = [];
  let gate = Promise.resolve();
  let open = () => {};
  const c = client(base, {
    ...clientOptions,
    fetch: async (url, init) => {
      // Held at the gate, unless the watch stops meanwhile (as a real fetch ends when its signal fires).
      await new Promise((resolve, reject) => {
        const signal = init.signal;
        if (signal?.aborted) return reject(signal.reason);
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
        gate.then(resolve);
      });
      return fetch(url, init);
    },
    onEvent: (e) => {
      events.push(e);
      clientOptions.onEvent?.(e);
      if (e.type !== 'watchTick') return;
      gate = new Promise((resolve) => (open = resolve));
      const tick = { ticks: e.ticks, view: byId(view.values()) };
      if (waiters.length > 0) waiters.shift()(tick);
      else ticks.push(tick);
    },
  });
  const watch = c.watch(options);
  const received = [];
  const consumer = (async () => {
    for await (const e of watch) {
      received.push(e);
      applyEvent(view, e);
    }
  })();
  const ended = consumer.then(() => assert.fail('the watch ended'));
  return {
    watch,
    events,
    received,
    consumer,
    /** The view at the end of the next tick (rejects if the watch ends first). */
    nextTick: () => Promise.race([ticks.length > 0 ? ticks.shift() : new Promise((r) => waiters.push(r)), ended]),
    release: () => open(),
  };
}

/** The calls of the journal made with the token of the first call (the watch's, which starts first), by seq. */
async function watchCalls(m) {
  const journal = await m.journal();
  return journal.filter((j) => j.token_hash === journal[0]?.token_hash);
}

const minute = (n, s = 0) => new Date(Date.parse(NOW) + n * 60_000 + s * 1000).toISOString();

test('watch: the snapshot with every event applied in order is a fresh list() of the same filter at the end of each tick; at most 3 calls a tick', { timeout: 60_000 }, async () => {
  const m = await mock(['--count', '60', '--seed', '11']);
  const seeded = valueOf(await m.all());
  const machine = seeded[0].machineId;
  // Open investigations before the watch starts (the seeded ones have all ended).
  const open = [
    ['990001', 'Running', machine],
    ['990002', 'Running', 'b'.repeat(40)],
    ['990003', 'Queued', 'b'.repeat(40)],
    ['990004', 'PendingApproval', 'c'.repeat(40)],
    ['990005', 'PendingResource', machine],
    ['990006', 'Running', 'c'.repeat(40)],
  ];
  await m.add(open.map(([id, state, machineId], k) => ({ id, startTime: minute(-100 + k), state, machineId })));
  const filter = { or: [{ state: ['Running', 'PendingApproval'] }, { machineId: machine }] };
  const h = watchHarness(m.base, { filter, intervalMs: 100 });
  const oracle = client(m.base);
  let seen = 0;
  const perTick = [];
  const check = async (label) => {
    const tick = await h.nextTick();
    const calls = await watchCalls(m);
    perTick.push(calls.length - seen);
    seen = calls.length;
    assert.deepEqual(tick.view, byId(await collect(oracle.list({ filter }))), label);
    return tick;
  };
  const snapshot = await check('snapshot');
  assert.deepEqual(h.received.map((e) => e.type), ['snapshot']);
  assert.ok(snapshot.view.length > 3);

  // Each round changes the service between two ticks, as investigations move on (open ones only: a final state
  // is final), and new ones arrive after the newest seen.
  const rounds = [
    async () => {
      await m.patch('990003', { state: 'Running' }); // Queued -> Running: added
      await m.patch('990002', { state: 'PendingApproval' }); // still selected: changed
      await m.add([
        { id: '990010', startTime: minute(1), state: 'Running', machineId: 'd'.repeat(40) }, // added
        { id: '990011', startTime: minute(1), state: 'Benign', endTime: minute(2), machineId: machine }, // added, final
        { id: '990012', startTime: minute(1), state: 'Benign', endTime: minute(2), machineId: 'd'.repeat(40) }, // never
      ]);
    },
    async () => {
      await m.patch('990004', { state: 'Benign', endTime: minute(3) }); // removed: left the open set
      await m.patch('990006', { state: 'PendingResource' }); // removed: still open
      await m.patch('990010', { statusDetails: 'collecting files' }); // changed
    },
    async () => {}, // nothing changes: no event
    async () => {
      await m.patch('990005', { state: 'SuccessfullyRemediated', endTime: minute(4) }); // changed: still on the machine
      // Arrivals at the newest start time seen (the next tick asks `ge` it) and after it.
      await m.add([
        { id: '990020', startTime: minute(1), state: 'PendingApproval', machineId: 'e'.repeat(40) },
        { id: '990021', startTime: minute(5), state: 'Queued', machineId: 'e'.repeat(40) }, // open, not selected
      ]);
    },
    async () => {
      await m.patch('990021', { state: 'Running' }); // added from the open set
      await m.patch('990001', { state: 'TerminatedByUser', endTime: minute(6) }); // changed (on the machine), left
      await m.patch('990002', { state: 'Failed', endTime: minute(6) }); // removed, left
    },
  ];
  for (const [k, change] of rounds.entries()) {
    await change();
    h.release();
    await check(`round ${k + 1}`);
  }
  await h.watch.return();
  await h.consumer;

  const types = h.received.map((e) => e.type);
  for (const type of ['snapshot', 'added', 'changed', 'removed']) assert.ok(types.includes(type), `a ${type} event`);
  const roundTypes = (id) => h.received.filter((e) => e.investigation?.id === id).map((e) => e.type);
  assert.deepEqual(roundTypes('990003'), ['added']);
  assert.deepEqual(roundTypes('990012'), []);
  assert.deepEqual(roundTypes('990004'), ['removed']);
  assert.deepEqual(roundTypes('990020'), ['added']);
  assert.deepEqual(roundTypes('990001'), ['changed']);
  assert.deepEqual(roundTypes('990005'), ['changed']);
  // The snapshot is two listings (the view, and every open investigation); a tick is at most three calls, and
  // three when investigations left the open set (rounds 2, 4 and 5: looked up by id).
  assert.equal(perTick[0], 2);
  assert.deepEqual(perTick.slice(1), [2, 3, 2, 3, 3]);
  const calls = await watchCalls(m);
  assert.ok(calls.every((c) => c.status === 200));
  const lookups = calls.map((c) => decodeURIComponent(c.query)).filter((q) => q.startsWith('$filter=id eq'));
  assert.deepEqual(lookups.map((q) => [...q.matchAll(/id eq '(\d+)'/g)].map((x) => x[1]).sort()), [
    ['990004'],
    ['990005'],
    ['990001', '990002'],
  ]);
  assert.deepEqual(h.events.filter((e) => e.type === 'watchTick').map((e) => e.ticks), [1, 2, 3, 4, 5, 6]);
  assert.ok(!h.events.some((e) => e.type === 'wait'), 'the time between ticks is not a wait event');
});

test('watch: options are validated at once like list(), and nothing is sent', async () => {
  const m = await mock(['--count', '3']);
  const c = client(m.base);
  assert.throws(() => c.watch({ filter: "state eq 'Runing'" }), (e) => e instanceof MdeError && e.kind === 'InvalidQuery' && e.position === 9);
  assert.throws(() => c.watch({ filter: { state: 'Runing' } }), (e) => e.kind === 'InvalidQuery' && e.path === 'filter.state');
  assert.throws(() => c.watch({ intervalMs: 99 }), (e) => e.kind === 'InvalidConfig' && /intervalMs must be a whole number from 100/.test(e.message));
  assert.throws(() => c.watch({ intervalMs: 1.5e3 + 0.5 }), (e) => e.kind === 'InvalidConfig');
  assert.throws(() => c.watch({ intervalMs: NaN }), (e) => e.kind === 'InvalidConfig' && /not NaN/.test(e.message));
  assert.throws(() => c.watch({ intervalMs: Infinity }), (e) => e.kind === 'InvalidConfig');
  assert.throws(() => c.watch({ intervalMs: '60000' }), (e) => e.kind === 'InvalidConfig');
  assert.throws(() => c.watch({ interval: 1000 }), (e) => e.kind === 'InvalidConfig' && /unknown watch option "interval"/.test(e.message));
  assert.throws(() => c.watch({ resumeFrom: 'mdeR1.{}' }), (e) => e.kind === 'InvalidConfig');
  assert.throws(() => c.watch(null), (e) => e.kind === 'InvalidConfig');
  const token = c.watch({ filter: { state: 'Running' } }).resumeToken();
  assert.throws(() => c.watch({ resumeFrom: token, filter: 'id eq 1' }), (e) => e.kind === 'InvalidConfig' && /resumeFrom carries the filter/.test(e.message));
  c.watch({ intervalMs: 100 });
  c.watch({ resumeFrom: token });
  assert.deepEqual(await m.journal(), []);
});

test('watch: a watch resumed from its token hands out its view first, then goes on from the next tick', { timeout: 60_000 }, async () => {
  const m = await mock(['--count', '20', '--seed', '3']);
  await m.add(['990001', '990002', '990003'].map((id, k) => ({ id, startTime: minute(-10 + k), state: 'Running' })));
  const filter = "state eq 'Running' or state eq 'PendingApproval'";
  const first = watchHarness(m.base, { filter, intervalMs: 100 });
  const tick = await first.nextTick();
  const token = first.watch.resumeToken();
  assert.match(token, /^mdeW1\./);
  await first.watch.return();
  await first.consumer;
  assert.equal(first.watch.resumeToken(), token, 'the token outlives the watch');
  const before = (await m.journal()).length;

  // Changes while nothing watches.
  await m.patch('990001', { state: 'PendingApproval' });
  await m.patch('990002', { state: 'Benign', endTime: minute(1) });
  await m.add([{ id: '990004', startTime: minute(2), state: 'Running' }]);

  const second = watchHarness(m.base, { resumeFrom: token });
  const resumed = await second.nextTick();
  const calls = (await m.journal()).slice(before);
  assert.equal(resumed.ticks, 1);
  assert.deepEqual(second.received[0], { type: 'snapshot', investigations: tick.view.slice().reverse() }, 'the view of the token, in the service order');
  assert.deepEqual(resumed.view, byId(await collect(client(m.base).list({ filter }))));
  assert.deepEqual(second.received.slice(1).map((e) => `${e.type} ${e.investigation.id}`).sort(), [
    'added 990004',
    'changed 990001',
    'removed 990002',
  ]);
  // No new snapshot listing: the resumed watch's first tick is its three calls (new ones, open ones, the one that left).
  assert.equal(calls.length, 3);
  assert.match(decodeURIComponent(calls[0].query), /startTime ge /);
  await second.watch.return();
});

test('watch: the signal aborts it during the wait between ticks with its reason; return() stops a pending next() at once', { timeout: 60_000 }, async () => {
  const m = await mock(['--count', '5']);
  const controller = new AbortController();
  const c = client(m.base, {
    onEvent: (e) => {
      if (e.type === 'watchTick') setTimeout(() => controller.abort(new Error('the page closes')), 20);
    },
  });
  const watch = c.watch({ intervalMs: 60_000, signal: controller.signal });
  const started = Date.now();
  const types = [];
  const e = await rejects((async () => {
    for await (const event of watch) types.push(event.type);
  })(), 'Aborted');
  assert.ok(Date.now() - started < 30_000, 'it did not wait for the next tick');
  assert.match(e.message, /the operation was aborted: the page closes/);
  assert.equal(e.cause.message, 'the page closes');
  assert.deepEqual(types, ['snapshot']);
  assert.equal((await m.journal()).length, 2, 'nothing sent after the abort');
  assert.match(watch.resumeToken(), /^mdeW1\./);
  // An aborted signal: the iteration fails before anything is sent.
  await rejects(collect(client(m.base).watch({ signal: AbortSignal.abort() })), 'Aborted');
  assert.equal((await m.journal()).length, 2);

  // return() while the iteration waits for the next tick: the pending next() resolves as done at once.
  let waiting;
  const waits = new Promise((resolve) => (waiting = resolve));
  const w = client(m.base, { onEvent: (ev) => ev.type === 'watchTick' && waiting(ev) }).watch({ intervalMs: 60_000 });
  const firstEvent = await w.next();
  assert.equal(firstEvent.value.type, 'snapshot');
  const pending = w.next();
  assert.ok((await waits).nextTickInMs > 50_000);
  const stoppedAt = Date.now();
  assert.deepEqual(await w.return(), { done: true, value: undefined });
  assert.deepEqual(await pending, { done: true, value: undefined });
  assert.ok(Date.now() - stoppedAt < 30_000);
  assert.deepEqual(await w.next(), { done: true, value: undefined }, 'stopped for good');
  assert.equal((await m.journal()).length, 4);
});

test('watch: a refused token ends the iteration with an MdeError, also after the snapshot', async () => {
  const m = await mock(['--count', '3', '--token', 'good']);
  const e = await rejects(collect(client(m.base, { token: 'wrong' }).watch({ intervalMs: 100 })), 'Unauthorized');
  assert.equal(e.status, 401);
  // A token source that gives a revoked token after the snapshot: asked again with forceRefresh, then Unauthorized.
  const asked = [];
  const token = async ({ forceRefresh }) => {
    asked.push(forceRefresh);
    return asked.length <= 2 ? 'good' : 'revoked';
  };
  const types = [];
  const ticks = [];
  const watch = client(m.base, { token, onEvent: (ev) => ev.type === 'watchTickFailed' && ticks.push(ev) }).watch({ intervalMs: 100 });
  const f = await rejects((async () => {
    for await (const event of watch) types.push(event.type);
  })(), 'Unauthorized');
  assert.equal(f.status, 401);
  assert.deepEqual(types, ['snapshot']);
  assert.deepEqual(asked, [false, false, false, true]);
  assert.deepEqual(ticks, [], 'a refused token is not a tick failure');
});

test('watch: a tick whose calls fail (503s past the retries, closed connections) is reported and the watch goes on', { timeout: 60_000 }, async () => {
  const m = await mock(['--count', '10', '--seed', '5']);
  await m.add([{ id: '990001', startTime: minute(-5), state: 'Running' }]);
  const filter = { state: 'Running' };
  const h = watchHarness(m.base, { filter, intervalMs: 100 }, { maxRetries: 1 });
  const oracle = client(m.base);
  const failures = () => h.events.filter((e) => e.type === 'watchTickFailed').map((e) => e.error);
  await h.nextTick();
  for (const [plan, kind] of [[['503', '503'], 'Server'], [['close', 'close'], 'Network']]) {
    const before = failures().length;
    await m.faults(plan);
    await m.add([{ id: String(990002 + before), startTime: minute(before + 1), state: 'Running' }]);
    h.release();
    const tick = await h.nextTick();
    assert.deepEqual(tick.view, byId(await collect(oracle.list({ filter }))), `after a ${kind} failure`);
    const failed = failures().slice(before);
    assert.equal(failed.length, 1);
    assert.ok(failed[0] instanceof MdeError);
    assert.equal(failed[0].kind, kind);
    if (kind === 'Server') assert.equal(failed[0].status, 503);
  }
  assert.deepEqual(h.received.map((e) => e.type), ['snapshot', 'added', 'added']);
  const statuses = (await watchCalls(m)).map((c) => c.status);
  assert.ok(statuses.includes(503));
  await h.watch.return();
});

test('watch with ticks: the iteration ends once that many ticks are over, without waiting for the next; the token resumes one wake-up after another', { timeout: 60_000 }, async () => {
  const m = await mock(['--count', '10', '--seed', '9']);
  await m.add([{ id: '990001', startTime: minute(-5), state: 'Running' }, { id: '990002', startTime: minute(-4), state: 'PendingApproval' }]);
  const filter = { state: 'PendingApproval' };
  const ticks = [];
  const wake = (options) => {
    const watch = client(m.base, { onEvent: (e) => e.type.startsWith('watchTick') && ticks.push(e) }).watch(options);
    return collect(watch).then((events) => ({ events, token: watch.resumeToken() }));
  };
  const started = Date.now();
  // A new watch's one tick is its snapshot.
  const first = await wake({ filter, intervalMs: 3_600_000, ticks: 1 });
  assert.deepEqual(first.events.map((e) => e.type), ['snapshot']);
  assert.deepEqual(ids(first.events[0].investigations), ['990002']);
  assert.equal((await m.journal()).length, 2, 'the view and the open ones');

  // Changes between wake-ups; the resumed watch hands out the token's view, then the changes of one tick.
  await m.patch('990001', { state: 'PendingApproval' });
  await m.patch('990002', { state: 'Running' });
  await m.add([{ id: '990003', startTime: minute(1), state: 'PendingApproval' }]);
  const second = await wake({ resumeFrom: first.token, ticks: 1 });
  assert.deepEqual(second.events[0], first.events[0], 'the token\'s view first');
  assert.deepEqual(second.events.slice(1).map((e) => `${e.type} ${e.investigation.id}`).sort(), ['added 990001', 'added 990003', 'removed 990002']);
  assert.equal((await m.journal()).length, 4, 'one tick: the new ones and the open ones (none ended)');

  // Nothing changed: the view only.
  const third = await wake({ resumeFrom: second.token, ticks: 1 });
  assert.deepEqual(third.events.map((e) => e.type), ['snapshot']);
  assert.deepEqual(ids(third.events[0].investigations).sort(), ['990001', '990003']);
  assert.deepEqual(ids(third.events[0].investigations).sort(), ids(await collect(client(m.base).list({ filter }))).sort());
  assert.equal((await m.journal()).length, 7, 'one tick, and the oracle');
  assert.ok(Date.now() - started < 30_000, 'no wait of an interval (an hour)');
  assert.deepEqual(ticks.map((e) => e.type), ['watchTick', 'watchTick', 'watchTick']);
  assert.equal(third.token, second.token, 'the same view, the same token');

  // Two ticks: the second after the interval, then the end.
  const fourth = await wake({ filter, intervalMs: 100, ticks: 2 });
  assert.deepEqual(fourth.events.map((e) => e.type), ['snapshot']);
  assert.deepEqual(ticks.slice(3).map((e) => e.ticks), [1, 2]);
  assert.equal((await m.journal()).length, 11, 'the snapshot\'s two calls and a tick\'s two');
});

test('watch with ticks: a failed tick counts (the iteration ends, quietly) and the token stays as it was', { timeout: 60_000 }, async () => {
  const m = await mock(['--count', '5', '--seed', '4']);
  await m.add([{ id: '990001', startTime: minute(-5), state: 'PendingApproval' }]);
  const first = client(m.base).watch({ filter: { state: 'PendingApproval' }, ticks: 1 });
  await collect(first);
  const token = first.resumeToken();
  await m.faults(['503']);
  const failed = [];
  const watch = client(m.base, { maxRetries: 0, onEvent: (e) => e.type === 'watchTickFailed' && failed.push(e.error) }).watch({ resumeFrom: token, ticks: 1 });
  assert.deepEqual((await collect(watch)).map((e) => e.type), ['snapshot']);
  assert.equal(failed.length, 1);
  assert.equal(failed[0].kind, 'Server');
  assert.equal(watch.resumeToken(), token);
  assert.deepEqual(await watch.next(), { done: true, value: undefined });
});

test('watch: ticks is validated at once', () => {
  const c = client('http://127.0.0.1:9');
  for (const ticks of [0, -1, 1.5, '1', NaN, Infinity, null]) {
    assert.throws(() => c.watch({ ticks }), (e) => e instanceof MdeError && e.kind === 'InvalidConfig' && /ticks must be a whole number from 1/.test(e.message), String(ticks));
  }
  c.watch({ ticks: 1 });
});
