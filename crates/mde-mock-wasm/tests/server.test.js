// startMock: the mock on a port with Node's http, as the bin serves it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';

import { startMock, MockError } from 'mde-mock';
import { InvestigationsClient } from 'mde-investigations';

import { assertPaced, NOW, rawGet, readOverTime } from './helpers.js';

/** Whether a TCP server can listen on `port` of 127.0.0.1 now. */
async function free(port) {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

test('port 0 picks a free port; the mock serves there; close() frees it', async () => {
  const mock = await startMock({ count: 20, seed: 2, now: NOW, port: 0 });
  assert.match(mock.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(mock.url, `http://127.0.0.1:${mock.port}`);
  const r = await fetch(`${mock.url}/api/investigations?$top=3`, { headers: { authorization: 'Bearer t' } });
  assert.equal(r.status, 200);
  const page = await r.json();
  assert.equal(page['@odata.context'], `${mock.url}/api/$metadata#Investigations`, 'the Host header names the context');
  assert.deepEqual(page.value, mock.api.investigations().slice(0, 3));
  assert.equal(mock.api.journal().length, 1, 'the api is the served mock');
  assert.equal(await free(mock.port), false);
  await mock.close();
  await mock.close();
  assert.equal(await free(mock.port), true, 'close() frees the port');
});

test('close() ends open keep-alive connections at once', async () => {
  const mock = await startMock({ count: 3, now: NOW });
  const agent = new Agent({ keepAlive: true });
  await new Promise((resolve, reject) => {
    request(`${mock.url}/api/investigations`, { agent, headers: { authorization: 'Bearer t' } }, (res) => {
      res.resume();
      res.on('end', resolve);
    }).on('error', reject).end();
  });
  const started = performance.now();
  await mock.close();
  assert.ok(performance.now() - started < 2_000, 'did not wait for the idle connection');
  agent.destroy();
});

test('faults reach the socket: close sends nothing, truncate sends the head and half the body', async () => {
  const mock = await startMock({ count: 30, seed: 6, now: NOW });
  const whole = await rawGet(mock.url, '/api/investigations');
  assert.match(whole.head, /^HTTP\/1\.1 200 OK/);
  assert.equal(whole.body.length, whole.contentLength);
  mock.api.planFaults(['close', 'truncate', '500']);
  const closed = await rawGet(mock.url, '/api/investigations');
  assert.equal(closed.closedWithoutAnswer, true, `got ${closed.bytes.length} bytes`);
  const cut = await rawGet(mock.url, '/api/investigations');
  assert.match(cut.head, /^HTTP\/1\.1 200 OK/);
  assert.equal(cut.contentLength, whole.contentLength, 'the head announces the full body');
  assert.equal(cut.body.length, Math.floor(whole.contentLength / 2));
  assert.deepEqual(cut.body, whole.body.subarray(0, cut.body.length));
  const failed = await rawGet(mock.url, '/api/investigations');
  assert.match(failed.head, /^HTTP\/1\.1 500 /);
  assert.deepEqual(mock.api.journal().map((e) => e.fault), [null, 'close', 'truncate', '500']);
  await mock.close();
});

test('latency delays the answers outside /__admin/', async () => {
  const mock = await startMock({ count: 3, now: NOW, latencyMs: 120 });
  const started = performance.now();
  await (await fetch(`${mock.url}/api/investigations`, { headers: { authorization: 'Bearer t' } })).arrayBuffer();
  assert.ok(performance.now() - started >= 110);
  await mock.close();
});

test('bandwidth and firstByteMs: the head at once, the body chunked over time, the same bytes as unpaced', async () => {
  const [bandwidth, firstByteMs] = [100_000, 150];
  const paced = await startMock({ count: 60, now: NOW, bandwidth, firstByteMs });
  const plain = await startMock({ count: 60, now: NOW });
  const headers = { authorization: 'Bearer t' };
  const whole = Buffer.from(await (await fetch(`${plain.url}/api/investigations`, { headers })).arrayBuffer());
  const sentAt = performance.now();
  const r = await fetch(`${paced.url}/api/investigations`, { headers });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('transfer-encoding'), 'chunked');
  assert.equal(r.headers.get('content-length'), null);
  const arrived = await readOverTime(r, sentAt);
  // The same bytes but for the port in `@odata.context`.
  const text = (bytes, url) => Buffer.from(bytes).toString('utf8').replaceAll(url, 'ORIGIN');
  assert.equal(text(arrived.body, paced.url), text(whole, plain.url));
  assertPaced(arrived, bandwidth, firstByteMs);
  await Promise.all([paced.close(), plain.close()]);
});

test('host, port and the options are checked by the engine', async () => {
  for (const [options, text, option] of [
    [{ port: 70000 }, 'option `port` (--port): 70000 is not a whole number from 0 to 65535', 'port'],
    [{ host: 'localhost' }, 'option `host` (--host)', 'host'],
    [{ perHour: 0 }, 'option `perHour` (--per-hour): must be at least 1', 'perHour'],
    [{ bandwidth: 0 }, 'option `bandwidth` (--bandwidth): 0 must be a whole number of bytes per second, at least 1', 'bandwidth'],
    [{ firstByteMs: -1 }, 'option `firstByteMs` (--first-byte-ms): -1 must be', 'firstByteMs'],
    [{ hots: '::1' }, 'unknown option `hots`: the options are host, port, seed,', 'hots'],
  ]) {
    await assert.rejects(startMock(options), (e) => e instanceof MockError && e.kind === 'InvalidOption' && e.message.includes(text) && e.option === option);
  }
  const first = await startMock({ count: 1, now: NOW });
  await assert.rejects(startMock({ port: first.port }), (e) => e.code === 'EADDRINUSE');
  await first.close();
});

test('the request target is read as a URL, as the native mock reads it: dot segments resolved, a raw quote encoded', async () => {
  const mock = await startMock({ count: 40, seed: 3, now: NOW });
  const plain = await rawGet(mock.url, "/api/investigations?$filter=state%20eq%20%27Benign%27");
  for (const target of ["/api/investigations/%2e%2e/investigations?$filter=state%20eq%20'Benign'", "/api/./x/../investigations?$filter=state%20eq%20'Benign'"]) {
    const r = await rawGet(mock.url, target);
    assert.equal(r.status, 200, target);
    assert.deepEqual(r.body, plain.body, target);
  }
  assert.deepEqual(
    mock.api.journal().map((e) => [e.path, e.query]),
    Array(3).fill(['/api/investigations', '$filter=state%20eq%20%27Benign%27']),
  );
  await mock.close();
});

test('the client lists everything from startMock', async () => {
  const mock = await startMock({ count: 300, seed: 9, now: NOW });
  const client = new InvestigationsClient({ baseUrl: mock.url, allowInsecureLoopback: true, token: 't' });
  const items = [];
  for await (const item of client.list({ pageSize: 100 })) items.push(item);
  assert.deepEqual(items, mock.api.investigations());
  await mock.close();
});

test('IPv6 loopback, when the machine has it', async (t) => {
  let mock;
  try {
    mock = await startMock({ host: '::1', count: 2, now: NOW });
  } catch (e) {
    if (e.code === 'EADDRNOTAVAIL' || e.code === 'EAFNOSUPPORT') return t.skip('no IPv6 loopback here');
    throw e;
  }
  assert.match(mock.url, /^http:\/\/\[::1\]:\d+$/);
  const r = await rawGet(mock.url, '/api/investigations');
  assert.match(r.head, /^HTTP\/1\.1 200/);
  await mock.close();
});
