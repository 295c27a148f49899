// Tests of the packed npm package, installed into a new project, against the mde-mock binary ($MDE_MOCK).
// Run by `cargo xtask npm-test` (and `cargo xtask test`) with Node's test runner.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';

import { InvestigationsClient, MdeError, validateFilter } from 'mde-investigations';
import { startMock, valueOf } from './mock.js';

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

test('resume from a token: nothing lost, nothing twice', async () => {
  const m = await mock(['--count', '35', '--seed', '4']);
  const oracle = valueOf(await m.all());
  const c = client(m.base);
  const first = c.list({ pageSize: 10 });
  const seen = [];
  for await (const page of first.byPage()) {
    seen.push(...page);
    if (seen.length === 20) break;
  }
  const token = first.resumeToken();
  assert.match(token, /^mdeR1\./);
  const rest = await collect(client(m.base).list({ resumeFrom: token }));
  assert.deepEqual([...seen, ...rest], oracle);

  // Continuing the same listing after a break picks up where it stopped.
  const again = c.list({ pageSize: 10 });
  const part = [];
  for await (const item of again) {
    part.push(item);
    if (part.length === 13) break;
  }
  // Stopped inside the second page: the token restarts that page (at least once, never lost).
  const fromMiddle = await collect(c.list({ resumeFrom: again.resumeToken() }));
  assert.deepEqual(fromMiddle, oracle.slice(10));
  for await (const item of again) part.push(item);
  assert.deepEqual(part, oracle);

  // After a failure, the token continues after the last delivered page.
  let calls = 0;
  const broken = (url, init) => (++calls === 2 ? Promise.reject(new TypeError('connection reset')) : fetch(url, init));
  const failing = client(m.base, { maxRetries: 0, fetch: broken }).list({ pageSize: 10 });
  const got = [];
  await rejects((async () => { for await (const p of failing.byPage()) got.push(...p); })(), 'Network');
  assert.equal(got.length, 10);
  const resumed = await collect(c.list({ resumeFrom: failing.resumeToken() }));
  assert.deepEqual([...got, ...resumed], oracle);
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

test("the browser entry's inlined module unpacks to the package's wasm file, byte for byte", async () => {
  // `wasm/inline.js` carries the module LZMA-compressed with its decoder (crates/mde-unlzma); the `node` entry
  // reads the `.wasm` file. Imported by path: the package's `exports` do not list its internals.
  const { readFile } = await import('node:fs/promises');
  const { createRequire } = await import('node:module');
  const { dirname, join } = await import('node:path');
  const { pathToFileURL } = await import('node:url');
  const dir = dirname(createRequire(import.meta.url).resolve('mde-investigations/package.json'));
  const { wasmBytes } = await import(pathToFileURL(join(dir, 'wasm', 'inline.js')).href);
  const file = await readFile(join(dir, 'wasm', 'mde_wasm_bg.wasm'));
  const inlined = wasmBytes();
  assert.equal(inlined.length, file.length);
  assert.ok(Buffer.from(inlined.buffer, inlined.byteOffset, inlined.length).equals(file));
  assert.ok(WebAssembly.validate(inlined));
});
