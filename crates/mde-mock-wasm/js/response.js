// A reply of the engine as the Fetch API shows it: a `Response`; a `close` fault as the `TypeError` with which
// `fetch` rejects on a network error; a `truncate` fault as a `Response` whose body stream delivers the first
// bytes and then errors, as a body cut by a closed connection does; a paced reply (`bandwidth`, `firstByteMs`)
// as a `Response` whose body stream delivers each chunk at its time, without a content-length. Also the latency
// wait, which an `AbortSignal` ends with its reason, as `fetch` does (and a paced body's stream too).

import { chunkCount, chunkOf, untilChunk } from './pace.js';

/** The reason `fetch` rejects with when `signal` aborts. */
function abortReason(signal) {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/** Throws the abort reason if `signal` has aborted. */
export function throwIfAborted(signal) {
  if (signal?.aborted) throw abortReason(signal);
}

/** Waits `ms`; rejects with the signal's reason if it aborts first. */
export function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function headersOf(flat, contentLength) {
  const headers = new Headers();
  for (let i = 0; i < flat.length; i += 2) headers.append(flat[i], flat[i + 1]);
  if (contentLength > 0) headers.set('content-length', String(contentLength));
  return headers;
}

/** A stream of `part`, then an error: what reading a body cut after `part.length` of `total` bytes gives. */
function cutBody(part, total) {
  let delivered = false;
  return new ReadableStream(
    {
      pull(controller) {
        if (!delivered && part.length > 0) {
          delivered = true;
          controller.enqueue(part);
        } else {
          const cause = new Error(`mde-mock: fault \`truncate\`: the connection closed after ${part.length} of ${total} body bytes`);
          controller.error(new TypeError('terminated', { cause }));
        }
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * A stream of `body` in the chunks of `pacing`, each delivered at its time counted from now (the head); a read
 * waits for the next chunk due. If `signal` aborts, the stream errors with its reason, as a fetched body does.
 */
function pacedBody(body, pacing, signal) {
  const headAt = performance.now();
  const count = chunkCount(body, pacing);
  let k = 0;
  let done = false;
  let cancelWait;
  let onAbort;
  const finish = () => {
    done = true;
    cancelWait?.();
    if (onAbort) signal.removeEventListener('abort', onAbort);
  };
  return new ReadableStream(
    {
      start(controller) {
        if (!signal) return;
        onAbort = () => {
          finish();
          controller.error(abortReason(signal));
        };
        signal.addEventListener('abort', onAbort, { once: true });
      },
      async pull(controller) {
        const wait = untilChunk(pacing, k, headAt);
        if (wait > 0) {
          await new Promise((resolve) => {
            const timer = setTimeout(resolve, wait);
            cancelWait = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          cancelWait = undefined;
        }
        // Aborted or cancelled while waiting: the stream is already errored or closed.
        if (done) return;
        controller.enqueue(chunkOf(body, pacing, k));
        k += 1;
        if (k === count) {
          finish();
          controller.close();
        }
      },
      cancel() {
        finish();
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * The `Response` of an engine reply (see ./reply.js), or the error `fetch` would reject with. A paced body's
 * stream is cut with the abort reason if `signal` aborts while it arrives.
 */
export function toResponse(reply, signal) {
  const { status, headers, body, fault, truncateAfter } = reply;
  if (fault === 'close') {
    const cause = new Error('mde-mock: fault `close`: the connection closed before any byte of the answer');
    throw new TypeError('fetch failed', { cause });
  }
  if (fault === 'truncate') {
    const part = body.subarray(0, Math.min(truncateAfter ?? 0, body.length));
    return new Response(cutBody(part, body.length), { status, headers: headersOf(headers, body.length) });
  }
  if (reply.pacing !== undefined && body.length > 0) {
    return new Response(pacedBody(body, reply.pacing, signal), { status, headers: headersOf(headers, 0) });
  }
  return new Response(body.length > 0 ? body : null, { status, headers: headersOf(headers, body.length) });
}
