// A paced body's schedule, as the engine plans it (see ./reply.js): chunk `k` (from 0) holds `chunkBytes` bytes
// of the body (the last one fewer) and is due `firstByteMs + k * chunkIntervalMs` after the head. Each chunk is
// timed from the head, not from the chunk before, so that the timers' lateness does not slow the rate down.

/** How many chunks `body` is sent in. */
export function chunkCount(body, pacing) {
  return Math.ceil(body.length / pacing.chunkBytes);
}

/** The bytes of chunk `k`. */
export function chunkOf(body, pacing, k) {
  const start = k * pacing.chunkBytes;
  return body.subarray(start, Math.min(start + pacing.chunkBytes, body.length));
}

/** How many milliseconds from now until chunk `k` is due, the head having gone at `headAt` (`performance.now()`). */
export function untilChunk(pacing, k, headAt) {
  return Math.max(0, headAt + pacing.firstByteMs + k * pacing.chunkIntervalMs - performance.now());
}
