// The mock on a port, with Node's `http`, as the native binary serves it: the request target read as a URL (see
// ./target.js), keep-alive, the `Host` header for the URLs in bodies, the latency before answering; a `close`
// fault destroys the socket without a byte, a `truncate` fault sends the head with the full content-length and the
// first bytes of the body, then closes. A paced body (`bandwidth`, `firstByteMs`) goes out in chunks on timers,
// `Transfer-Encoding: chunked` (Node's framing of a body without a content-length). What is held of answers on
// their way out is bounded (./in-flight.js); a paced body is held until its last chunk is out.

import { createServer } from 'node:http';
import { isIPv6 } from 'node:net';

import { chunkCount, chunkOf, untilChunk } from './pace.js';
import { InFlight } from './in-flight.js';
import { answer } from './reply.js';
import { pathAndQuery } from './target.js';

const EMPTY = new Uint8Array(0);

/** The bytes of bodies not yet written out beyond which requests wait (about ten 10,000-item pages). */
const IN_FLIGHT_BYTES = 32 * 1024 * 1024;

/**
 * Sends `reply` on `res`, or enacts its fault on `connection` (the request's socket: `res.socket` is not yet set
 * for an answer to a pipelined request that waits for the answers before it, which Node writes in order).
 */
function send(connection, res, reply) {
  if (connection.destroyed) return;
  const { status, headers, body, fault } = reply;
  if (fault === 'close') {
    connection.destroy();
    return;
  }
  if (reply.pacing !== undefined && fault === undefined) {
    sendPaced(res, status, headers, body, reply.pacing);
    return;
  }
  if (body.length > 0) headers.push('content-length', String(body.length));
  res.writeHead(status, headers);
  if (fault === 'truncate') {
    const part = body.subarray(0, Math.min(reply.truncateAfter ?? 0, body.length));
    res.flushHeaders();
    if (part.length > 0) res.write(part);
    // The head and the part go out, then the connection closes: the client sees a body cut short.
    connection.end(() => connection.destroy());
    return;
  }
  res.end(body.length > 0 ? body : undefined);
}

/** Sends the head at once, then each chunk of `body` at its time; stops if the connection goes away. */
function sendPaced(res, status, headers, body, pacing) {
  res.writeHead(status, headers);
  res.flushHeaders();
  const headAt = performance.now();
  const count = chunkCount(body, pacing);
  let k = 0;
  let timer;
  res.once('close', () => clearTimeout(timer));
  const next = () => {
    if (res.destroyed) return;
    res.write(chunkOf(body, pacing, k));
    k += 1;
    if (k === count) res.end();
    else timer = setTimeout(next, untilChunk(pacing, k, headAt));
  };
  timer = setTimeout(next, untilChunk(pacing, 0, headAt));
}

function respond(engine, inFlight, req, res, body) {
  const [path, query] = pathAndQuery(req.url ?? '/');
  const h = req.headers;
  let reply;
  try {
    const room = (length) => inFlight.buffer(length);
    reply = answer(engine, Date.now(), req.method, path, query, h.authorization, h.origin, h.host, 'http', body, room);
  } catch (e) {
    // A fault of the mock itself (never expected): this connection ends, the server goes on.
    process.stderr.write(`mde-mock: internal error answering ${req.method} ${path}: ${e?.stack ?? e}\n`);
    req.socket.destroy();
    return;
  }
  inFlight.hold(req.socket, res, reply.body);
  if (reply.delayMs > 0) setTimeout(send, reply.delayMs, req.socket, res, reply);
  else send(req.socket, res, reply);
}

/** Whether a request may carry a body (GETs and HEADs without framing headers are answered at once). */
function hasBody(req) {
  return req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
}

/**
 * Serves `engine` (a wasm MockEngine) on `host`:`port` (0: a free port). Resolves when it listens, with the
 * base URL and a `close()` that stops it and destroys every open connection; rejects with Node's error (code
 * `EADDRINUSE`, ...) when it cannot listen.
 */
export function serve(engine, host, port) {
  const sockets = new Set();
  const inFlight = new InFlight(IN_FLIGHT_BYTES);
  const server = createServer((req, res) => {
    if (!hasBody(req)) {
      req.resume();
      inFlight.admit(() => respond(engine, inFlight, req, res, EMPTY));
      return;
    }
    const chunks = [];
    // A client that goes away in the middle of its body: nothing to answer.
    req.on('error', () => {});
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      inFlight.admit(() => respond(engine, inFlight, req, res, body));
    });
  });
  // Like the native mock, idle keep-alive connections stay open until the client closes them.
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
      // Errors after listening (a failed accept) must not end the process; the server goes on.
      server.on('error', () => {});
      const address = server.address();
      const shown = isIPv6(address.address) ? `[${address.address}]` : address.address;
      let closing;
      const close = () => {
        closing ??= new Promise((done) => {
          server.close(() => done());
          for (const socket of sockets) socket.destroy();
        });
        return closing;
      };
      resolve({ url: `http://${shown}:${address.port}`, port: address.port, close });
    });
  });
}
