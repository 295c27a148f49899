// The in-process handler `createMockApi` served over HTTP, so that the mock's behaviour tests (the Rust suite in
// mock-server/tests/, and the differential test) can reach it like the other faces: what answers is the handler's
// Request -> Response conversion, not the bin's server. A test adapter, not part of the package.
//
//   node handler-server.js --port 0 [the mde-mock flags]
//
// Each request: Node's IncomingMessage -> a Fetch API `Request` (the URL from the Host header, every header, the
// body) -> `api.handle` -> its `Response` -> the socket: the status and headers, then the body stream as it comes.
// A `TypeError` from `handle` (fault `close`, as `fetch` rejects on a network error) destroys the socket without a
// byte; a body stream that errors (fault `truncate`) ends the connection after the bytes received.
//
// Its command line is the bin's: the package's own command-line module reads the syntax and the `MDE_MOCK_*`
// variables, the engine checks the values (so the messages and exit codes are the bin's), and the values become
// `createMockApi`'s options. It prints the same ready line and exits 0 on SIGINT and SIGTERM, 2 for a bad flag or
// data file, 1 when it cannot listen. It imports the installed package (`mde-mock`) and two of its modules by path.

import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { createMockApi } from 'mde-mock';

const pkg = dirname(createRequire(import.meta.url).resolve('mde-mock/package.json'));
const internal = (file) => import(pathToFileURL(join(pkg, file)).href);
const { helpText, readCommandLine } = await internal('command-line.js');
const { bindings } = await internal('load.node.js');
const { fromThrown } = await internal('errors.js');

/** The options of `createMockApi` that a flag's value sets; those not listed are strings under their camelCase name. */
const OPTION = {
  token: ['tokens', 'list'],
  'forbidden-token': ['forbiddenTokens', 'list'],
  seed: ['seed', 'string'], // up to 2^64 - 1: the engine reads a string of digits
  count: ['count', 'number'],
  'per-minute': ['perMinute', 'number'],
  'per-hour': ['perHour', 'number'],
  'time-scale': ['timeScale', 'number'],
  'fault-rate': ['faultRate', 'number'],
  'latency-ms': ['latencyMs', 'number'],
  'cpu-throttle-rate': ['cpuThrottleRate', 'number'],
  'retry-after-ms': ['retryAfterMs', 'switch'],
  live: ['live', 'switch'],
  'live-rate': ['liveRate', 'number'],
  bandwidth: ['bandwidth', 'number'],
  'first-byte-ms': ['firstByteMs', 'number'],
};

const camel = (long) => long.replace(/-([a-z])/g, (_, c) => c.toUpperCase());

/** A switch's value as the engine reads it (`true`, `1`, `yes`, `y`, `on`, any case). */
const on = (value) => ['true', '1', 'yes', 'y', 'on'].includes(value.trim().toLowerCase());

/** `createMockApi`'s options from the command line's `[long, value, ...]` pairs (already checked by the engine). */
function optionsOf(pairs, investigations) {
  const options = {};
  for (let i = 0; i < pairs.length; i += 2) {
    const [long, value] = [pairs[i], pairs[i + 1]];
    if (long === 'host' || long === 'port' || long === 'data') continue;
    const [name, kind] = OPTION[long] ?? [camel(long), 'string'];
    if (kind === 'list') (options[name] ??= []).push(value);
    else if (kind === 'number') options[name] = Number(value);
    else if (kind === 'switch') options[name] = on(value);
    else options[name] = value;
  }
  if (investigations !== undefined) options.investigations = investigations;
  return options;
}

function fail(code, message) {
  process.stderr.write(`mde-mock: ${message}\n`);
  process.exit(code);
}

/** The `Request` of an incoming message, at the URL its Host header names. */
function toRequest(req, body) {
  const host = req.headers.host ?? `${req.socket.localAddress}:${req.socket.localPort}`;
  const url = req.url.startsWith('/') ? `http://${host}${req.url}` : req.url;
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
  // The Fetch API allows no body on GET and HEAD (the mock reads none there).
  const withBody = body.length > 0 && req.method !== 'GET' && req.method !== 'HEAD';
  return new Request(url, { method: req.method, headers, body: withBody ? body : undefined });
}

/** Sends `response` on `res`: the head, then the body stream; a stream that errors cuts the connection. */
async function send(res, response) {
  const head = [];
  response.headers.forEach((value, name) => head.push(name, value));
  res.writeHead(response.status, head);
  // A streamed body (a paced answer: no content-length): the head goes out at once, as `handle` gave it.
  if (response.body !== null && !response.headers.has('content-length')) res.flushHeaders();
  if (response.body === null) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      res.write(value);
    }
    res.end();
  } catch {
    // The bytes written go out, then the connection closes: the client sees a body cut short.
    res.flushHeaders();
    const socket = res.socket;
    if (socket) socket.end(() => socket.destroy());
  }
}

async function answer(api, req, res, body) {
  let request;
  try {
    request = toRequest(req, body);
  } catch (e) {
    // A request the Fetch API cannot express (a forbidden method such as TRACE): not the handler's to answer.
    process.stderr.write(`mde-mock (handler adapter): cannot make a Request of ${req.method} ${req.url}: ${e.message}\n`);
    req.socket.destroy();
    return;
  }
  let response;
  try {
    response = await api.handle(request);
  } catch (e) {
    if (!(e instanceof TypeError)) process.stderr.write(`mde-mock (handler adapter): handle rejected: ${e?.stack ?? e}\n`);
    // As `fetch` saw it: a network error, so the client gets no byte.
    req.socket.destroy();
    return;
  }
  await send(res, response);
}

/** Serves `api` on `host`:`port`; resolves with the port once it listens, and the function that stops it. */
function serve(api, host, port) {
  const sockets = new Set();
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('error', () => {});
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      answer(api, req, res, Buffer.concat(chunks)).catch((e) => {
        process.stderr.write(`mde-mock (handler adapter): ${e?.stack ?? e}\n`);
        req.socket.destroy();
      });
    });
  });
  // As the bin: idle keep-alive connections stay open until the client closes them.
  server.keepAliveTimeout = 0;
  server.on('connection', (socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      server.on('error', () => {});
      const close = () => {
        server.close();
        for (const socket of sockets) socket.destroy();
      };
      resolve({ port: server.address().port, close });
    });
  });
}

async function main(args, env) {
  process.stdout.on('error', () => {});
  const wasm = bindings();
  const table = JSON.parse(wasm.flagTable());
  const line = readCommandLine(args, env, table);
  if (line.help) return process.stdout.write(helpText(wasm.about(), table, env, 'The handler createMockApi, served by a test adapter'));
  if (line.version) return process.stdout.write(`mde-mock ${wasm.version()}\n`);
  if (line.error) {
    process.stderr.write(line.error);
    process.exit(2);
  }
  let invocation;
  try {
    invocation = wasm.Invocation.parse(line.pairs);
  } catch (e) {
    fail(2, fromThrown(e).message);
  }
  let investigations;
  const path = invocation.dataFile;
  if (path !== undefined) {
    let bytes;
    try {
      bytes = readFileSync(path);
    } catch (e) {
      fail(2, `cannot read data file ${path}: ${e.message}`);
    }
    try {
      invocation.loadData(bytes); // the engine's check and message
    } catch (e) {
      fail(2, `data file ${path}: ${fromThrown(e).message}`);
    }
    const data = JSON.parse(bytes.toString('utf8'));
    investigations = Array.isArray(data) ? data : data.value;
  }
  let api;
  try {
    api = await createMockApi(optionsOf(line.pairs, investigations));
  } catch (e) {
    fail(2, `invalid option: ${e.message}`);
  }
  let server;
  try {
    server = await serve(api, invocation.host, invocation.port);
  } catch (e) {
    fail(1, `cannot listen on ${invocation.urlHost}:${invocation.port}: ${e.message}`);
  }
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      server.close();
      process.exit(0);
    });
  }
  process.stdout.write(`mde-mock listening on http://${invocation.urlHost}:${server.port}\n`);
}

await main(process.argv.slice(2), process.env);
