// Shared by the Node suites: a raw HTTP/1.1 client on a socket (to see exactly what a connection fault sends),
// and the bin as a child process.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';

/** A fixed `now`, so that generated data is the same on every run. */
export const NOW = '2026-11-01T00:00:00Z';

/**
 * Sends one request on a new connection (`connection: close`) and reads until the server closes it. `target` is
 * sent as it is (raw bytes the Fetch API would encode reach the server so). Resolves with `{ bytes, head, status,
 * headers, body, contentLength, closedWithoutAnswer }`: `headers` a Map of lower-case names (repeated ones joined
 * with `, `); `body` is what came after the head (fewer bytes than `contentLength` when the body was cut).
 */
export async function rawRequest(url, method, target, headers = {}, body = undefined) {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port) });
  await once(socket, 'connect');
  const lines = [`${method} ${target} HTTP/1.1`, `host: ${new URL(url).host}`, 'connection: close'];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  const payload = body === undefined ? undefined : Buffer.from(body);
  if (payload !== undefined) lines.push(`content-length: ${payload.length}`);
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  if (payload !== undefined) socket.write(payload);
  const chunks = [];
  socket.on('data', (c) => chunks.push(c));
  await new Promise((resolve) => {
    socket.once('close', resolve);
    socket.once('error', resolve);
  });
  const bytes = Buffer.concat(chunks);
  const end = bytes.indexOf('\r\n\r\n');
  const head = end < 0 ? bytes.toString('latin1') : bytes.subarray(0, end).toString('latin1');
  const received = end < 0 ? Buffer.alloc(0) : bytes.subarray(end + 4);
  const [statusLine, ...fields] = head.split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1];
  const map = new Map();
  for (const field of fields) {
    const colon = field.indexOf(':');
    if (colon < 0) continue;
    const name = field.slice(0, colon).trim().toLowerCase();
    const value = field.slice(colon + 1).trim();
    map.set(name, map.has(name) ? `${map.get(name)}, ${value}` : value);
  }
  const length = map.get('content-length');
  return {
    bytes,
    head,
    status: status === undefined ? undefined : Number(status),
    headers: map,
    body: received,
    contentLength: length === undefined ? undefined : Number(length),
    closedWithoutAnswer: bytes.length === 0,
  };
}

/** `GET path` on a new connection (see `rawRequest`). */
export function rawGet(url, path, headers = { authorization: 'Bearer t' }) {
  return rawRequest(url, 'GET', path, headers);
}

/** The installed package's bin script (run with the Node that runs the tests, 18 or 20). */
export function binScript() {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mde-mock/package.json')), 'bin', 'mde-mock.js');
}

/**
 * The command of the npm bin, or of another program: a binary's path (the native mde-mock), or a command as an
 * array (`[node, 'handler-server.js']`).
 */
export function command(program) {
  if (Array.isArray(program)) return program;
  return program ? [program] : [process.execPath, binScript()];
}

/**
 * Starts the bin (`program`: see `command`) with `args` and `env` (added to this process's); resolves once its
 * first stdout line arrives with `{ child, line, url, stop(signal) }`; `stop` resolves with the exit code.
 */
export async function startBin(args, { env = {}, program } = {}) {
  const [cmd, ...pre] = command(program);
  const child = spawn(cmd, [...pre, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const first = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line in 20 s; stderr: ${stderr}`)), 20_000);
    let raw = '';
    const onData = (d) => {
      raw += d;
      const nl = raw.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        resolve(raw.slice(0, nl + 1));
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited with ${code} before the ready line; stderr: ${stderr}`)));
  });
  child.stdout.resume();
  const line = first.replace(/\n$/, '');
  const url = /^mde-mock listening on (http:\/\/\S+)$/.exec(line)?.[1];
  const stop = async (signal = 'SIGTERM') => {
    if (child.exitCode !== null) return child.exitCode;
    const exited = once(child, 'exit');
    child.kill(signal);
    const [code] = await exited;
    return code;
  };
  return { child, first, line, url, stop, stderr: () => stderr };
}

/** Runs the bin to its end (for flags that make it exit); resolves with `{ code, stdout, stderr }`. */
export async function runBin(args, { env = {}, program } = {}) {
  const [cmd, ...pre] = command(program);
  const child = spawn(cmd, [...pre, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const [code] = await once(child, 'close');
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/**
 * Reads a `Response`'s body as it arrives: `{ body, reads }`, `reads` one `[ms since sentAt, bytes so far]` per
 * chunk read (`sentAt` from `performance.now()`).
 */
export async function readOverTime(response, sentAt) {
  const reader = response.body.getReader();
  const parts = [];
  const reads = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    total += value.length;
    reads.push([performance.now() - sentAt, total]);
  }
  return { body: new Uint8Array(Buffer.concat(parts)), reads };
}

/**
 * Asserts that a paced body came over time: not a byte before `firstByteMs`, never faster than `bandwidth` bytes
 * per second (one chunk, 25 ms at the rate, and a timer's millisecond of slack), in several reads. Lower bounds on
 * time only: a busy machine makes bytes later, never earlier.
 */
export function assertPaced({ reads }, bandwidth, firstByteMs) {
  const slackMs = 2;
  assert.ok(reads[0][0] >= firstByteMs - slackMs, `the first byte came after ${reads[0][0]} ms`);
  const chunk = bandwidth / 40;
  for (const [at, bytes] of reads) {
    const allowed = ((at - firstByteMs + slackMs) / 1000) * bandwidth + 2 * chunk;
    assert.ok(bytes <= allowed, `${bytes} bytes after ${at} ms: faster than ${bandwidth} bytes/s`);
  }
  assert.ok(reads.length >= 4, `the body came in ${reads.length} reads`);
}
