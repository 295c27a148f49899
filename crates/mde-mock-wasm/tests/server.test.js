// startMock: the mock on a port with Node's http, as the bin serves it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { once } from 'node:events';
import { connect, createServer } from 'node:net';

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

test('pipelined requests are all answered, in order, as the native binary answers them', { timeout: 20_000 }, async () => {
  // The bin used to drop every answer but the first of requests sent at once on a connection: an answer that
  // waits for the ones before it has no socket yet, and was taken for one whose connection had gone.
  const mock = await startMock({ count: 30, seed: 9, now: NOW });
  const targets = ['/api/investigations?$top=1', '/api/investigations?$top=2&$skip=3', '/api/investigations?$top=3'];
  const bodies = await pipelined(mock.url, targets, 0);
  const items = mock.api.investigations();
  assert.deepEqual(bodies.map((b) => JSON.parse(b).value), [items.slice(0, 1), items.slice(3, 5), items.slice(0, 3)]);
  await mock.close();
});

test('large bodies at once, more than the bound in flight, some not read for a while: each is whole and its own', { timeout: 120_000 }, async () => {
  // Bodies of 64 KiB or more are written from buffers the server reuses once a body is written out, and beyond
  // 32 MiB in flight requests wait (js/in-flight.js). 8 connections each send three requests at once (pipelined)
  // for pages of 2,000 to 10,000 investigations (0.6 to 3.1 MB, 45 MB in all), and half of them read nothing for
  // 300 ms, so that bodies are still on their way out (the kernel takes a few MB per connection, Node keeps the
  // rest) while others are made. Each body must be what the same request gets alone.
  const mock = await startMock({ count: 10_000, seed: 8, now: NOW });
  const targets = Array.from({ length: 24 }, (_, i) => `/api/investigations?$top=${2_000 + (i % 9) * 1_000}&$skip=${i * 7}`);
  const connections = Array.from({ length: 8 }, (_, k) => targets.slice(k * 3, k * 3 + 3));
  const together = (await Promise.all(connections.map((ts, k) => pipelined(mock.url, ts, k % 2 === 0 ? 300 : 0)))).flat();
  for (const [i, target] of targets.entries()) {
    const [alone] = await pipelined(mock.url, [target], 0);
    assert.ok(alone.length > 600_000, `${target}: ${alone.length} bytes`);
    assert.ok(together[i].equals(alone), `${target}: the body served among the others differs from the one served alone`);
  }
  await mock.close();
});

/**
 * The bodies of `GET` of each of `targets`, sent at once on a new connection that then reads nothing for
 * `pauseMs`; each answer must be a 200 with a content-length.
 */
async function pipelined(url, targets, pauseMs) {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port) });
  await once(socket, 'connect');
  socket.pause();
  const requests = targets.map((target, i) => {
    const last = i === targets.length - 1;
    return `GET ${target} HTTP/1.1\r\nhost: ${new URL(url).host}\r\nauthorization: Bearer t\r\n${last ? 'connection: close\r\n' : ''}\r\n`;
  });
  socket.write(requests.join(''));
  await new Promise((resolve) => setTimeout(resolve, pauseMs));
  const chunks = [];
  socket.on('data', (c) => chunks.push(c));
  socket.resume();
  await once(socket, 'close');
  let bytes = Buffer.concat(chunks);
  const bodies = [];
  for (const target of targets) {
    const end = bytes.indexOf('\r\n\r\n');
    const head = bytes.toString('latin1', 0, Math.max(end, 0));
    assert.ok(end > 0 && head.startsWith('HTTP/1.1 200 '), `${target}: ${bytes.toString('latin1', 0, 200)}`);
    const length = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1]);
    const body = bytes.subarray(end + 4, end + 4 + length);
    assert.equal(body.length, length, `${target}: the whole body`);
    bodies.push(body);
    bytes = bytes.subarray(end + 4 + length);
  }
  return bodies;
}

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
