// The server's bound on what it holds of answers on their way out (js/in-flight.js, internal: imported by its
// file in the installed package) and the Reply's copyBody it relies on; the server under it is tested in
// server.test.js ('large bodies at once ...').
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { NOW } from './helpers.js';

const packageDir = dirname(createRequire(import.meta.url).resolve('mde-mock/package.json'));
const { InFlight, POOLED_FROM } = await import(pathToFileURL(join(packageDir, 'in-flight.js')).href);

/** A response as InFlight sees it: an emitter of 'close'. */
function response() {
  return new EventEmitter();
}

/** A connection as InFlight sees it: an emitter of 'close', with `destroyed`. */
function connection(destroyed = false) {
  return Object.assign(new EventEmitter(), { destroyed });
}

test('under the limit requests start at once; over it they wait, in order, until bodies are written out', () => {
  const inFlight = new InFlight(1_000);
  const started = [];
  inFlight.admit(() => started.push('a'));
  const res = response();
  inFlight.hold(connection(), res, new Uint8Array(1_000));
  inFlight.admit(() => started.push('b'));
  inFlight.admit(() => started.push('c'));
  assert.deepEqual(started, ['a'], 'at the limit, later requests wait');
  res.emit('close');
  assert.deepEqual(started, ['a', 'b', 'c'], 'written out: the waiting ones start, in order of arrival');
  res.emit('close');
  assert.equal(inFlight.bytes, 0, 'a body is counted once, released once');
});

test('a request waits no longer than the longest wait, so a client that stops reading stalls nobody', async () => {
  const inFlight = new InFlight(10, 50);
  inFlight.hold(connection(), response(), new Uint8Array(10));
  const started = performance.now();
  // The wait's timer does not keep a process alive (a server does); this test's must stay.
  const alive = setInterval(() => {}, 1_000);
  await new Promise((resolve) => inFlight.admit(resolve));
  clearInterval(alive);
  assert.ok(performance.now() - started >= 45, 'it did wait first');
  assert.equal(inFlight.waiting.length, 0);
});

test('a body is released when its connection closes, or at once if it is already gone; listeners do not pile up', () => {
  const inFlight = new InFlight(100);
  inFlight.hold(connection(true), response(), new Uint8Array(500));
  assert.equal(inFlight.bytes, 0);
  inFlight.hold(null, response(), new Uint8Array(500));
  assert.equal(inFlight.bytes, 0);
  const socket = connection();
  const res = response();
  inFlight.hold(socket, res, new Uint8Array(500));
  assert.equal(inFlight.bytes, 500);
  socket.emit('close');
  assert.equal(inFlight.bytes, 0, 'a queued answer whose connection closed');
  assert.equal(res.listenerCount('close'), 0);
  const kept = connection();
  for (let i = 0; i < 50; i++) {
    const r = response();
    inFlight.hold(kept, r, new Uint8Array(10));
    r.emit('close');
  }
  assert.equal(kept.listenerCount('close'), 0, 'a keep-alive connection keeps no listener per answer');
  assert.equal(inFlight.bytes, 0);
});

test('large bodies get buffers that are never shared while in flight and are reused once written out', () => {
  const inFlight = new InFlight(4 * POOLED_FROM * 4);
  assert.equal(inFlight.buffer(POOLED_FROM - 1), undefined, 'small bodies are new arrays');
  const length = POOLED_FROM * 3;
  const first = inFlight.buffer(length);
  assert.ok(first.length >= length);
  const [a, b] = [response(), response()];
  inFlight.hold(connection(), a, first.subarray(0, length));
  const second = inFlight.buffer(length);
  assert.notEqual(second.buffer, first.buffer, 'a buffer in flight is not given out again');
  inFlight.hold(connection(), b, second.subarray(0, length));
  a.emit('close');
  assert.equal(inFlight.buffer(length).buffer, first.buffer, 'written out: reused');
  assert.notEqual(inFlight.buffer(length).buffer, second.buffer, 'still in flight: not reused');
});

test('the idle buffers keep no more than the limit', () => {
  const limit = POOLED_FROM * 4;
  const inFlight = new InFlight(limit, 10);
  const responses = [];
  for (let i = 0; i < 8; i++) {
    const res = response();
    inFlight.hold(connection(), res, inFlight.buffer(POOLED_FROM).subarray(0, POOLED_FROM));
    responses.push(res);
  }
  for (const res of responses) res.emit('close');
  assert.equal(inFlight.bytes, 0);
  assert.ok(inFlight.idleBytes <= limit, `${inFlight.idleBytes} idle bytes`);
  assert.ok(inFlight.idleBytes > 0);
});

test('Reply.copyBody copies the body into a buffer with room, and nothing into one without', async () => {
  const bindings = await import(pathToFileURL(join(packageDir, 'wasm', 'mde_mock_wasm.js')).href);
  bindings.initSync({ module: readFileSync(join(packageDir, 'wasm', 'mde_mock_wasm_bg.wasm')) });
  const engine = new bindings.MockEngine(JSON.stringify({ count: 500, seed: 3, now: NOW }), Date.now());
  const call = () => engine.handle(Date.now(), 'GET', '/api/investigations', '$top=500', 'Bearer t', undefined, 'api.test', 'https', new Uint8Array(0));
  const first = call();
  const expected = first.takeBody();
  first.free();
  const reply = call();
  assert.equal(reply.bodyLength, expected.length);
  const small = new Uint8Array(expected.length - 1).fill(7);
  assert.equal(reply.copyBody(small), false);
  assert.ok(small.every((b) => b === 7), 'nothing copied');
  const roomy = new Uint8Array(expected.length + 10).fill(7);
  assert.equal(reply.copyBody(roomy), true);
  assert.deepEqual(roomy.subarray(0, expected.length), expected);
  assert.ok(roomy.subarray(expected.length).every((b) => b === 7), 'nothing past the body');
  assert.deepEqual(reply.takeBody(), expected, 'the body stays in the reply');
  reply.free();
  engine.free();
});
