// What the server holds of answers on their way out, bounded (Node only). Under many connections asking for full
// pages (3 MB each for 10,000 investigations), two things made the bin's resident memory climb: every body was a
// new array, freed only when V8's collector next ran (tens of megabytes of dead bodies between two collections),
// and every connection could hold a body that the socket had not yet written out (64 connections: 200 MB).
// So bodies of POOLED_FROM bytes or more are copied from the wasm module straight into buffers that are reused
// once the answer is written (`Reply.copyBody`), and while the bodies handed to sockets and not yet written out
// add up to the limit, further requests wait, in order of arrival, before they reach the engine (an answer
// already computed is never held back). A request waits at most MAX_WAIT_MS, so that clients which stop reading
// cannot stall the others: the bound is then exceeded, never the service refused.

/** Bodies this long or longer go through the reused buffers; shorter ones are new arrays, as before. */
export const POOLED_FROM = 64 * 1024;

/** The longest a request waits for bodies in flight to drain before it is answered anyway. */
export const MAX_WAIT_MS = 2000;

/** The size class of a buffer for `length` bytes: the next power of two. */
function sizeClass(length) {
  return 2 ** Math.ceil(Math.log2(length));
}

export class InFlight {
  /**
   * `limit`: the bytes of bodies in flight beyond which requests wait; also what the idle buffers may keep.
   * `maxWaitMs`: the longest a request waits.
   */
  constructor(limit, maxWaitMs = MAX_WAIT_MS) {
    this.limit = limit;
    this.maxWaitMs = maxWaitMs;
    this.bytes = 0;
    this.waiting = [];
    this.idle = new Map();
    this.idleBytes = 0;
    this.pooled = new WeakSet();
  }

  /** Runs `start` now if the bodies in flight are under the limit, else when they are (or after MAX_WAIT_MS). */
  admit(start) {
    if (this.bytes < this.limit && this.waiting.length === 0) {
      start();
      return;
    }
    const entry = { start, timer: undefined };
    entry.timer = setTimeout(() => {
      const at = this.waiting.indexOf(entry);
      if (at >= 0) this.waiting.splice(at, 1);
      start();
    }, this.maxWaitMs);
    // The wait alone does not keep the process alive (a server closed with requests waiting).
    entry.timer.unref?.();
    this.waiting.push(entry);
  }

  /**
   * Room for a body of `length` bytes: a reused buffer (at least `length` long) for a large body, or undefined
   * for a small one (the caller then takes the body as a new array).
   */
  buffer(length) {
    if (length < POOLED_FROM) return undefined;
    const size = sizeClass(length);
    const idle = this.idle.get(size);
    if (idle?.length) {
      this.idleBytes -= size;
      return idle.pop();
    }
    const buffer = Buffer.allocUnsafeSlow(size);
    this.pooled.add(buffer.buffer);
    return buffer;
  }

  /**
   * Counts `body` (a Uint8Array) as in flight on `res` until the response closes (written out) or its
   * `connection` does; then its buffer is reused and waiting requests go on. `body` must not be used after that.
   */
  hold(connection, res, body) {
    const length = body.byteLength;
    this.bytes += length;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      res.off('close', release);
      connection?.off('close', release);
      this.bytes -= length;
      this.reuse(body.buffer);
      this.next();
    };
    if (!connection || connection.destroyed) {
      release();
      return;
    }
    res.once('close', release);
    connection.once('close', release);
  }

  /** Keeps `arrayBuffer` for another body if it is one of ours and the idle buffers have room. */
  reuse(arrayBuffer) {
    if (!this.pooled.has(arrayBuffer)) return;
    const size = arrayBuffer.byteLength;
    if (this.idleBytes + size > this.limit) return;
    const idle = this.idle.get(size) ?? [];
    idle.push(Buffer.from(arrayBuffer));
    this.idle.set(size, idle);
    this.idleBytes += size;
  }

  /** Starts the waiting requests, in order, while the bodies in flight are under the limit. */
  next() {
    while (this.bytes < this.limit && this.waiting.length > 0) {
      const { start, timer } = this.waiting.shift();
      clearTimeout(timer);
      start();
    }
  }
}
