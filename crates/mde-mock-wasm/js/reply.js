// One call of the engine: the request's parts in, a plain reply object out (the wasm Reply is freed at once).

const EMPTY = new Uint8Array(0);

/**
 * Asks `engine` (a wasm MockEngine) to answer a request at `now` (ms since the epoch). `query` is the query
 * string without `?` (undefined without one), `host` the Host header or the URL's authority, `scheme` `http` or
 * `https`. Returns `{ status, headers, body, delayMs, fault, truncateAfter, pacing }`: `headers` a flat
 * `[name, value, ...]` list without content-length, `fault` `'close'`, `'truncate'` or undefined, `pacing`
 * undefined (the body at once) or `{ firstByteMs, chunkBytes, chunkIntervalMs }`: send chunk `k` (from 0,
 * `chunkBytes` each, the last shorter) `firstByteMs + k * chunkIntervalMs` after the head (see ./pace.js).
 * `room(length)`, if given, may return a buffer of at least `length` bytes for the body: the body is then copied
 * into it and is a view of its first `length` bytes, instead of a new array.
 */
export function answer(engine, now, method, path, query, authorization, origin, host, scheme, body = EMPTY, room = undefined) {
  const reply = engine.handle(now, method, path, query, authorization, origin, host, scheme, body);
  try {
    return {
      status: reply.status,
      headers: reply.headers(),
      body: bodyOf(reply, room),
      delayMs: reply.delayMs,
      fault: reply.fault,
      truncateAfter: reply.truncateAfter,
      pacing:
        reply.chunkBytes === undefined
          ? undefined
          : { firstByteMs: reply.firstByteMs, chunkBytes: reply.chunkBytes, chunkIntervalMs: reply.chunkIntervalMs },
    };
  } finally {
    reply.free();
  }
}

/** The reply's body: copied into the buffer `room` gives, or taken as a new array. */
function bodyOf(reply, room) {
  const length = reply.bodyLength;
  const buffer = room?.(length);
  if (buffer && reply.copyBody(buffer)) return buffer.subarray(0, length);
  return reply.takeBody();
}
