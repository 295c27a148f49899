// The JavaScript facade of mde-investigations. Rust (mde-core, through ./wasm/mde_wasm.js) decides everything:
// configuration, filters, paging, limits, retries, resume tokens, origin checks, validation of every item. This
// file only does I/O (fetch, timers, AbortSignal, the token callback) and lets JSON.parse build the items from
// bodies that Rust has validated. No `window`: it runs in pages, workers, MV3 service workers and Node 18+.

import { Client, exactIds, maxBodyBytes, validateFilter as wasmValidateFilter, wasmMemory } from './wasm/mde_wasm.js';
import { SharedRateLimit } from './shared-limiter.js';

const CLIENT_OPTIONS = new Set([
  'region',
  'baseUrl',
  'token',
  'fetch',
  'maxRetries',
  'maxRetryAfterMs',
  'rateLimit',
  'allowInsecureLoopback',
  'onEvent',
]);
const RATE_LIMIT_OPTIONS = new Set(['state', 'perMinute', 'perHour', 'timeScale', 'shared']);
const LIST_OPTIONS = new Set(['filter', 'top', 'skip', 'pageSize', 'snapshot', 'resumeFrom', 'signal']);
const WATCH_OPTIONS = new Set(['filter', 'intervalMs', 'resumeFrom', 'ticks', 'signal']);
const GET_OPTIONS = new Set(['signal']);
const INFO_FIELDS = ['status', 'code', 'target', 'retryAfterMs', 'position', 'expected', 'found', 'path'];

/**
 * The OAuth scope a `TokenCredential` is asked for: the API's application ID URI with `/.default`
 * (https://learn.microsoft.com/en-us/defender-endpoint/api/exposed-apis-create-app-webapp).
 */
export const TOKEN_SCOPE = 'https://api.securitycenter.microsoft.com/.default';
/** A credential's token is used until this long before it expires. */
const EXPIRY_MARGIN_MS = 5 * 60_000;

/** An error of this package: `kind` says what went wrong; the other fields say more when they apply. */
export class MdeError extends Error {
  constructor(info, options) {
    super(info.message, options);
    this.name = 'MdeError';
    this.kind = info.kind;
    for (const field of INFO_FIELDS) this[field] = info[field];
  }
}

function fail(kind, message, cause) {
  return new MdeError({ kind, message }, cause === undefined ? undefined : { cause });
}

/** Turns what the wasm side threw (an error as JSON text) into an MdeError. */
function fromWasm(e) {
  if (typeof e === 'string' && e.startsWith('{')) {
    try {
      return new MdeError(JSON.parse(e));
    } catch {
      // Not ours: fall through.
    }
  }
  return e instanceof MdeError ? e : fail('InvalidConfig', `internal error: ${e?.message ?? e}`, e);
}

function call(f) {
  try {
    return f();
  } catch (e) {
    throw fromWasm(e);
  }
}

function checkKeys(object, allowed, what) {
  for (const key of Object.keys(object)) {
    if (!allowed.has(key)) {
      throw fail('InvalidConfig', `unknown ${what} option ${JSON.stringify(key)}; known: ${[...allowed].join(', ')}`);
    }
  }
}

function abortError(signal) {
  const reason = signal?.reason;
  const why = reason instanceof Error ? reason.message : reason === undefined ? 'aborted' : String(reason);
  return fail('Aborted', `the operation was aborted: ${why}`, reason);
}

/** The `signal` option: an AbortSignal, or `undefined` for none (also for `null`, which fetch accepts). */
function signalOption(signal) {
  if (signal === undefined || signal === null) return undefined;
  if (typeof signal.aborted !== 'boolean' || typeof signal.addEventListener !== 'function') {
    throw fail('InvalidConfig', 'signal must be an AbortSignal (the `signal` of an AbortController, not the controller)');
  }
  return signal;
}

function throwIfAborted(signal) {
  if (signal?.aborted) throw abortError(signal);
}

/** Sleeps `ms` with globalThis.setTimeout; rejects at once with kind Aborted when the signal fires. */
function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const onAbort = () => {
      globalThis.clearTimeout(timer);
      reject(abortError(signal));
    };
    const timer = globalThis.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.min(ms, 2_147_483_647));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** `value` (a promise or not), or a rejection with kind Aborted as soon as `signal` fires. */
function untilAborted(value, signal) {
  if (signal === undefined) return value;
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    Promise.resolve(value).then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * The JSON text of options for Rust. JSON has no NaN or Infinity (JSON.stringify writes null, which Rust reads as
 * "the default") and no BigInt (JSON.stringify throws a TypeError): refused here, the rest in Rust.
 */
function optionsJson(options) {
  return JSON.stringify(options, (key, value) => {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw fail('InvalidConfig', `${key} must be a finite number, not ${value}`);
    }
    if (typeof value === 'bigint') throw fail('InvalidConfig', `${key} must be a number, not a bigint`);
    return value;
  });
}

function seed() {
  return Math.floor(Math.random() * 2 ** 52);
}

function filterInput(filter) {
  if (filter === undefined || filter === null) return undefined;
  if (typeof filter === 'string') return { text: filter };
  if (typeof filter !== 'object') {
    throw new MdeError({
      kind: 'InvalidQuery',
      message: `filter: expected OData text or a filter object, found ${typeof filter}`,
      path: 'filter',
    });
  }
  try {
    // Dates become ISO strings here; Rust parses and validates every value.
    return { object: JSON.parse(JSON.stringify(filter)) };
  } catch (e) {
    throw new MdeError({ kind: 'InvalidQuery', message: `filter: ${e.message}`, path: 'filter' }, { cause: e });
  }
}

function snapshotInput(snapshot) {
  if (snapshot instanceof Date) {
    const ms = snapshot.getTime();
    if (Number.isNaN(ms)) throw fail('InvalidConfig', 'snapshot is an invalid Date');
    return ms;
  }
  return snapshot;
}

const utf8 = new TextDecoder();

let memory;

/**
 * The JSON text of the investigations that the last chunk completed, decoded in place from the module's memory
 * (`handle.chunkAt()`, `handle.chunkLength()`). The memory is looked up on first use (the module is instantiated
 * after this file is evaluated), and its buffer each time (it changes when the memory grows).
 */
function chunkText(handle) {
  memory ??= wasmMemory();
  return utf8.decode(new Uint8Array(memory.buffer, handle.chunkAt(), handle.chunkLength()));
}

/**
 * The investigations chosen by Rust among those a chunk of a page completed, built by JSON.parse from their text
 * (`chunkText()`); `got` is what `handleChunk` returned: `[first, deliveredBefore, ...kept]`, the kept
 * positions counted from the first item of the text. An id sent as a number (which JSON.parse rounds beyond 2^53)
 * becomes the string of its digits as sent, which Rust read and validated.
 */
function itemsOf(text, got) {
  let value;
  try {
    value = JSON.parse(`[${text}]`);
  } catch (e) {
    throw fail('InvalidResponse', `the page could not be parsed: ${e.message}`, e);
  }
  const n = got.length - 2;
  const items = n === value.length ? value : Array.from({ length: n }, (_, j) => value[got[j + 2]]);
  let exact;
  for (let j = 0; j < n; j++) {
    if (typeof items[j].id !== 'string') {
      exact ??= JSON.parse(exactIds(new TextEncoder().encode(`{"value":[${text}]}`), false));
      items[j].id = exact[got[j + 2]];
    }
  }
  return items;
}

function isCredential(token) {
  return typeof token?.getToken === 'function';
}

/**
 * A token callback over an Azure `TokenCredential`: asks for `TOKEN_SCOPE`, keeps the token until five minutes
 * before its `expiresOnTimestamp`, and asks again when the client wants a fresh one (after a 401).
 */
function credentialCallback(credential) {
  let cached;
  return async ({ forceRefresh }, signal) => {
    if (!forceRefresh && cached !== undefined && Date.now() < cached.expiresOnTimestamp - EXPIRY_MARGIN_MS) {
      return cached.token;
    }
    cached = undefined;
    const access = await credential.getToken([TOKEN_SCOPE], { abortSignal: signal });
    if (typeof access?.token === 'string' && Number.isFinite(access.expiresOnTimestamp)) {
      cached = { token: access.token, expiresOnTimestamp: access.expiresOnTimestamp };
    }
    return access?.token;
  };
}

/**
 * The body of `response`, or `undefined` when it is longer than Rust's bound (`maxBodyBytes()`): then no more of
 * it is read (a Content-Length above the bound is not read at all) and the stream is cancelled.
 */
async function readBody(response) {
  const limit = maxBodyBytes();
  const stream = response.body;
  if (Number(response.headers.get('content-length')) > limit) {
    stream?.cancel().catch(() => {});
    return undefined;
  }
  if (typeof stream?.getReader !== 'function') {
    // A fetch without streams (a test double): its whole body, then the same bound.
    const bytes = new Uint8Array(await response.arrayBuffer());
    return bytes.length > limit ? undefined : bytes;
  }
  const reader = stream.getReader();
  const chunks = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.length;
    if (length > limit) {
      reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0];
  const bytes = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
}

/** The I/O of one client: token, fetch, events, and the shared rate limit (`rateLimit.shared`) if any. */
class Transport {
  #token;
  #source;
  #fetch;
  #onEvent;
  /** A SharedRateLimit, or undefined. */
  shared;

  constructor(token, fetchFn, onEvent) {
    const credential = isCredential(token);
    this.#token = credential ? credentialCallback(token) : token;
    this.#source = credential ? 'credential' : 'token callback';
    this.#fetch = fetchFn;
    this.#onEvent = onEvent;
  }

  /** With `rateLimit.shared`: waits until the shared budget has a slot for a request, and takes it. */
  async #takeSharedSlot(signal) {
    for (;;) {
      throwIfAborted(signal);
      let wait;
      try {
        wait = await this.shared.acquire(signal);
      } catch (e) {
        throwIfAborted(signal);
        throw e;
      }
      if (wait === undefined) return;
      await this.wait({ ms: wait.waitMs, reason: wait.reason }, signal);
    }
  }

  /** With `rateLimit.shared`: the other clients of the key learn of a 429's `Retry-After` before this one waits. */
  async #publishBlock(signal) {
    try {
      await this.shared.publish(signal);
    } catch (e) {
      throwIfAborted(signal);
      throw e;
    }
  }

  /** Whether anyone listens to events (so that an event that costs something to build can be skipped). */
  get listening() {
    return this.#onEvent !== undefined;
  }

  emit(event) {
    if (this.#onEvent === undefined) return;
    try {
      this.#onEvent(event);
    } catch {
      // A listener's error must not break the listing.
    }
  }

  async #bearer(forceRefresh, signal) {
    if (typeof this.#token === 'string') return this.#token;
    let token;
    try {
      // A token source may wait on a person (a sign-in prompt): the signal stops the wait.
      token = await untilAborted(this.#token({ forceRefresh }, signal), signal);
    } catch (e) {
      throwIfAborted(signal);
      if (e instanceof MdeError) throw e;
      throw fail('Unauthorized', `the ${this.#source} failed: ${e?.message ?? e}`, e);
    }
    throwIfAborted(signal);
    if (typeof token !== 'string' || token === '') {
      throw fail('Unauthorized', `the ${this.#source} returned no token (expected a non-empty string)`);
    }
    return token;
  }

  /**
   * Sends one `send` step; returns the response's parts (`bytes` undefined for a body longer than the bound) or
   * `{ transportError }`.
   */
  async send(step, signal, lastStatus, stream = false) {
    const token = await this.#bearer(step.refresh, signal);
    // With `rateLimit.shared`, the slot is taken once the token is at hand: the call goes out right after the
    // shared budget recorded it, however long a credential took.
    if (this.shared !== undefined) await this.#takeSharedSlot(signal);
    if (step.attempt > 1) {
      this.emit(lastStatus === undefined ? { type: 'retry', attempt: step.attempt } : { type: 'retry', attempt: step.attempt, status: lastStatus });
    }
    this.emit({ type: 'request', url: step.url, attempt: step.attempt });
    try {
      const response = await this.#fetch(step.url, {
        method: 'GET',
        headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
        signal,
        redirect: 'manual',
        credentials: 'omit',
        cache: 'no-store',
      });
      const head = {
        status: response.status,
        retryAfter: response.headers.get('retry-after') ?? undefined,
        retryAfterMs: response.headers.get('retry-after-ms') ?? undefined,
      };
      const body = response.body;
      const length = Number(response.headers.get('content-length'));
      if (stream && response.ok && typeof body?.getReader === 'function' && !(length > maxBodyBytes())) {
        // The caller reads the body as it arrives (Rust bounds it chunk by chunk).
        return { ...head, reader: body.getReader(), length: Number.isSafeInteger(length) ? length : 0 };
      }
      return { ...head, bytes: await readBody(response) };
    } catch (e) {
      throwIfAborted(signal);
      return { transportError: `${e?.name ?? 'Error'}: ${e?.message ?? e}${e?.cause ? ` (${e.cause.message ?? e.cause})` : ''}` };
    }
  }

  /** Runs a machine's `wait` step. */
  async wait(step, signal) {
    this.emit({ type: 'wait', ms: step.ms, reason: step.reason });
    await sleep(step.ms, signal);
  }

  /**
   * Carries out a machine's `fail`, `wait` or `send` step for `handle` (a listing or a get). Returns the response
   * of a `send` for the caller to report (with `stream`, a 2xx response comes with its body's `reader` instead of
   * its `bytes`); `undefined` after a wait, a transport error or a body longer than the bound (already reported).
   * `state.lastStatus` carries the previous status into the next `retry` event.
   */
  async run(handle, step, signal, state, stream = false) {
    if (step.t === 'fail') throw new MdeError(step.error);
    if (step.t === 'wait') {
      if (step.reason === 'retryAfter' && this.shared !== undefined) await this.#publishBlock(signal);
      await this.wait(step, signal);
      return undefined;
    }
    const r = await this.send(step, signal, state.lastStatus, stream);
    if (r.transportError !== undefined) {
      state.lastStatus = undefined;
      handle.handleTransportError(Date.now(), r.transportError);
      return undefined;
    }
    state.lastStatus = r.status;
    if (r.reader !== undefined) return r;
    if (r.bytes === undefined) {
      handle.handleBodyTooLarge();
      return undefined;
    }
    return r;
  }
}

/**
 * The result of `client.list()`: an async iterable of investigations, with `byPage()` and `resumeToken()`.
 * Iterations share one position: breaking out of a loop and iterating again continues where it stopped.
 */
export class InvestigationList {
  #handle;
  #io;
  #signal;
  /**
   * The investigations of the page being delivered (those of its body so far, while it arrives), and how many of
   * them were handed out.
   */
  #page = [];
  #pos = 0;
  /** Whether `#page` is the whole page: its body has ended and the page was valid. */
  #pageEnded = true;
  /** The 2xx response whose body is being read: `{ reader, status, retryAfter, retryAfterMs }`. */
  #body;
  /** For the `retry` event: the status of the last answer. */
  #state = { lastStatus: undefined };
  #finalToken;
  #finished = false;
  #error;
  #busy = false;

  /** @internal */
  constructor(handle, io, signal) {
    this.#handle = handle;
    this.#io = io;
    this.#signal = signal;
  }

  /**
   * A token from which `client.list({ resumeFrom })` continues right after the last investigation handed out,
   * with nothing lost and nothing twice (Rust decides where, from how many of the page were handed out, also
   * while the rest of the page is still arriving).
   */
  resumeToken() {
    return this.#handle === undefined ? this.#finalToken : this.#handle.resumeToken(this.#pos);
  }

  #finish() {
    this.#body?.reader.cancel().catch(() => {});
    this.#body = undefined;
    if (this.#handle !== undefined) {
      this.#finalToken = this.#handle.resumeToken(this.#pos);
      this.#handle.free();
      this.#handle = undefined;
    }
  }

  /**
   * One step of I/O: reads a chunk of the body in flight, or carries out the machine's next step. False once the
   * listing is over.
   */
  async #advance() {
    if (this.#error !== undefined) throw this.#error;
    if (this.#finished) return false;
    const handle = this.#handle;
    const signal = this.#signal;
    try {
      throwIfAborted(signal);
      if (this.#body !== undefined) {
        await this.#readChunk(handle, signal);
        return true;
      }
      const step = JSON.parse(handle.poll(Date.now()));
      if (step.t === 'done') {
        this.#finished = true;
        this.#finish();
        return false;
      }
      const r = await this.#io.run(handle, step, signal, this.#state, true);
      if (r === undefined) return true;
      if (r.reader !== undefined) {
        this.#body = r;
        // Room for the whole body at once when its length is announced (Rust caps it at the bound).
        if (r.length > 0) handle.expectBody(r.length);
      } else if (r.status >= 200 && r.status < 300) {
        // A fetch without streams: the whole body as one chunk.
        const got = handle.handleChunk(r.bytes);
        if (got !== undefined) {
          this.#take(handle, got);
          this.#end(handle, r);
        }
      } else {
        handle.handleResponse(Date.now(), r.status, r.retryAfter, r.retryAfterMs, r.bytes);
      }
      return true;
    } catch (e) {
      this.#error = fromWasm(e);
      this.#finish();
      throw this.#error;
    }
  }

  /** Reads the next chunk of the body in flight and hands it to Rust; at its end, reports the end. */
  async #readChunk(handle, signal) {
    const body = this.#body;
    let chunk;
    try {
      chunk = await body.reader.read();
    } catch (e) {
      throwIfAborted(signal);
      // The transfer broke off: what the chunks delivered stays delivered; Rust plans the retry.
      this.#body = undefined;
      this.#state.lastStatus = undefined;
      handle.handleTransportError(Date.now(), `${e?.name ?? 'Error'}: ${e?.message ?? e}`);
      return;
    }
    if (chunk.done) {
      this.#body = undefined;
      this.#end(handle, body);
      return;
    }
    const got = handle.handleChunk(chunk.value);
    if (got === undefined) {
      // Longer than the bound: the listing failed, nothing more is read.
      this.#body = undefined;
      body.reader.cancel().catch(() => {});
      return;
    }
    this.#take(handle, got);
  }

  /** Adds the investigations that Rust chose from a chunk (`handleChunk`'s answer) to the page. */
  #take(handle, got) {
    if (got.length <= 2) return;
    if (got[1] === 0) {
      // These begin a page: every investigation of the last one was handed out before the next was asked for.
      this.#page = [];
      this.#pos = 0;
      this.#pageEnded = false;
    } else if (got[1] !== this.#page.length) {
      throw fail('InvalidConfig', `internal error: the page has ${this.#page.length} investigations, Rust counts ${got[1]}`);
    }
    const items = itemsOf(chunkText(handle), got);
    if (this.#page.length === 0) this.#page = items;
    else for (const item of items) this.#page.push(item);
    if (this.#io.listening) this.#io.emit({ type: 'items', items: JSON.parse(handle.progress()).items });
  }

  /** Reports the end of a 2xx body; when the page was valid, it is whole. */
  #end(handle, r) {
    const got = handle.handleStreamEnd(Date.now(), r.status, r.retryAfter, r.retryAfterMs);
    if (got === undefined) return;
    this.#take(handle, got);
    if (!this.#pageEnded) {
      this.#pageEnded = true;
      const progress = JSON.parse(handle.progress());
      this.#io.emit({ type: 'page', pages: progress.pages, items: progress.items });
    }
  }

  #enter() {
    if (this.#busy) throw fail('InvalidConfig', 'this listing is already being iterated');
    this.#busy = true;
  }

  /**
   * Pages of investigations (arrays, never empty), as the service delivered them: each once its body has ended
   * (iterate the listing itself for the investigations as they arrive).
   */
  async *byPage() {
    this.#enter();
    try {
      for (;;) {
        if (this.#pageEnded && this.#pos < this.#page.length && !this.#signal?.aborted) {
          const rest = this.#pos === 0 ? this.#page : this.#page.slice(this.#pos);
          this.#pos = this.#page.length;
          yield rest;
        } else if (!(await this.#advance())) {
          return;
        }
      }
    } finally {
      this.#busy = false;
    }
  }

  /** The investigations, each as soon as its bytes have arrived and Rust has validated it. */
  async *[Symbol.asyncIterator]() {
    this.#enter();
    try {
      for (;;) {
        // After an abort, not one more: #advance throws the abort (and the token stays after the last one).
        while (this.#pos < this.#page.length && !this.#signal?.aborted) {
          yield this.#page[this.#pos++];
        }
        if (!(await this.#advance())) return;
      }
    } finally {
      this.#busy = false;
    }
  }
}

/**
 * The result of `client.watch()`: an async iterable of changes of the view of a filter (a snapshot first, then
 * added, changed and removed investigations), with `resumeToken()`. Rust decides the calls of each tick and what
 * changed; this class sends, sleeps and hands the events on. `return()` (a `break`) or the signal stops it, also
 * during the wait between ticks; with `ticks`, the iteration ends by itself once that many ticks are over.
 */
export class InvestigationWatch {
  #handle;
  #io;
  /** Ticks (completed or failed) after which the iteration ends; Infinity: it does not. */
  #ticks;
  /** Aborted by the user's signal (with its reason) or by `return()`: stops a request or a wait at once. */
  #stop = new AbortController();
  #stopped = false;
  #unlink;
  #finalToken;
  #events;

  /** @internal */
  constructor(handle, io, signal, ticks = Infinity) {
    this.#handle = handle;
    this.#io = io;
    this.#ticks = ticks;
    if (signal?.aborted) this.#stop.abort(signal.reason);
    else if (signal !== undefined) {
      const onAbort = () => this.#stop.abort(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      this.#unlink = () => signal.removeEventListener('abort', onAbort);
    }
    this.#events = this.#run();
  }

  /**
   * A token from which `client.watch({ resumeFrom })` continues with the same filter and interval: it holds the
   * view, which the resumed watch hands out first as its snapshot.
   */
  resumeToken() {
    return this.#handle === undefined ? this.#finalToken : this.#handle.resumeToken();
  }

  [Symbol.asyncIterator]() {
    return this;
  }

  next() {
    return this.#events.next();
  }

  /** Stops the watch (what `break` calls): a request or a wait in progress ends at once. */
  async return(value) {
    this.#stopped = true;
    this.#stop.abort();
    await this.#events.return(undefined);
    this.#finish();
    return { done: true, value };
  }

  #finish() {
    if (this.#handle !== undefined) {
      this.#finalToken = this.#handle.resumeToken();
      this.#handle.free();
      this.#handle = undefined;
      this.#unlink?.();
    }
  }

  async *#run() {
    const handle = this.#handle;
    const signal = this.#stop.signal;
    const state = { lastStatus: undefined };
    // Ticks over, completed or failed: each ends with its `tick` or `tickFailed` step, after all its events.
    let over = 0;
    try {
      for (;;) {
        throwIfAborted(signal);
        const step = JSON.parse(handle.poll(Date.now()));
        if (step.t === 'event') {
          // An event kind this build of the module does not know (never in a released pairing): skipped.
          if (step.event.type !== 'unknown') yield step.event;
        } else if (step.t === 'tick') {
          this.#io.emit({ type: 'watchTick', ticks: step.ticks, nextTickInMs: step.nextInMs });
          if (++over >= this.#ticks) return;
        } else if (step.t === 'tickFailed') {
          this.#io.emit({ type: 'watchTickFailed', error: new MdeError(step.error) });
          if (++over >= this.#ticks) return;
        } else if (step.t === 'wait' && step.reason === 'nextTick') {
          // Not a `wait` event: nothing holds the watch back (`watchTick` said when the next tick starts).
          await sleep(step.ms, signal);
        } else {
          const r = await this.#io.run(handle, step, signal, state);
          if (r !== undefined) handle.handleResponse(Date.now(), r.status, r.retryAfter, r.retryAfterMs, r.bytes);
        }
      }
    } catch (e) {
      if (!this.#stopped) throw fromWasm(e);
    } finally {
      this.#finish();
    }
  }
}

/** A client of the Microsoft Defender for Endpoint investigations API. */
export class InvestigationsClient {
  #wasm;
  #io;

  constructor(options) {
    if (options === null || typeof options !== 'object') {
      throw fail('InvalidConfig', 'options are required: new InvestigationsClient({ token, region or baseUrl })');
    }
    checkKeys(options, CLIENT_OPTIONS, 'client');
    const { token, fetch: fetchFn, onEvent, rateLimit, ...rest } = options;
    if (!((typeof token === 'string' && token !== '') || typeof token === 'function' || isCredential(token))) {
      throw fail(
        'InvalidConfig',
        'token must be a non-empty string, a function ({ forceRefresh }) => Promise<string>, or a TokenCredential (an object with getToken)',
      );
    }
    if (fetchFn !== undefined && typeof fetchFn !== 'function') throw fail('InvalidConfig', 'fetch must be a function');
    if (onEvent !== undefined && typeof onEvent !== 'function') throw fail('InvalidConfig', 'onEvent must be a function');
    if (rateLimit !== undefined) {
      if (rateLimit === null || typeof rateLimit !== 'object') throw fail('InvalidConfig', 'rateLimit must be an object');
      checkKeys(rateLimit, RATE_LIMIT_OPTIONS, 'rateLimit');
    }
    // A string token cannot change: Rust then fails a 401 at once instead of sending the same token again.
    const json = optionsJson({ ...rest, rateLimit, fixedToken: typeof token === 'string' });
    this.#wasm = call(() => new Client(json));
    const doFetch = fetchFn ?? ((url, init) => globalThis.fetch(url, init));
    const io = new Transport(token, doFetch, onEvent);
    const key = this.#wasm.sharedKey();
    if (key !== undefined) io.shared = new SharedRateLimit(this.#wasm, key, (event) => io.emit(event));
    this.#io = io;
  }

  /**
   * Lists investigations. Filter and options are validated at once (throws MdeError InvalidQuery or
   * InvalidConfig before any request); requests start when the iteration does.
   */
  list(options = {}) {
    if (options === null || typeof options !== 'object') throw fail('InvalidConfig', 'list options must be an object');
    checkKeys(options, LIST_OPTIONS, 'list');
    const { filter, top, skip, pageSize, snapshot, resumeFrom } = options;
    const signal = signalOption(options.signal);
    const json = optionsJson({
      filter: filterInput(filter),
      top,
      skip,
      pageSize,
      snapshot: snapshotInput(snapshot),
      resumeFrom,
      seed: seed(),
    });
    const handle = call(() => this.#wasm.list(Date.now(), json));
    return new InvestigationList(handle, this.#io, signal);
  }

  /**
   * Keeps the view of a filter current: an async iterable whose first event is `{ type: 'snapshot',
   * investigations }`, then `added`, `changed` (with `previous`) and `removed` ones, a tick every `intervalMs`
   * (default 60,000; at least 100) of at most three calls; with `ticks`, it ends after that many ticks instead of
   * waiting for the next. Validated at once like `list()`.
   */
  watch(options = {}) {
    if (options === null || typeof options !== 'object') throw fail('InvalidConfig', 'watch options must be an object');
    checkKeys(options, WATCH_OPTIONS, 'watch');
    const { filter, intervalMs, resumeFrom, ticks } = options;
    const signal = signalOption(options.signal);
    // Counted here, by the pump that ends the iteration; Rust never sees it.
    if (ticks !== undefined && !(Number.isSafeInteger(ticks) && ticks >= 1)) {
      throw fail('InvalidConfig', `ticks must be a whole number from 1, not ${typeof ticks === 'string' ? JSON.stringify(ticks) : ticks}`);
    }
    const json = optionsJson({ filter: filterInput(filter), intervalMs, resumeFrom, seed: seed() });
    const handle = call(() => this.#wasm.watch(json));
    return new InvestigationWatch(handle, this.#io, signal, ticks);
  }

  /** One investigation by its id or by the id of the alert that triggered it. */
  async get(id, options = {}) {
    if (options === null || typeof options !== 'object') throw fail('InvalidConfig', 'get options must be an object');
    checkKeys(options, GET_OPTIONS, 'get');
    const signal = signalOption(options.signal);
    if (typeof id !== 'string' && typeof id !== 'number') throw fail('InvalidConfig', 'id must be a string');
    const handle = call(() => this.#wasm.get(String(id), seed()));
    const state = { lastStatus: undefined };
    let body;
    try {
      for (;;) {
        throwIfAborted(signal);
        const step = JSON.parse(handle.poll(Date.now()));
        if (step.t === 'done') {
          let item;
          try {
            item = JSON.parse(utf8.decode(body));
          } catch (e) {
            throw fail('InvalidResponse', `the investigation could not be parsed: ${e.message}`, e);
          }
          delete item['@odata.context'];
          if (typeof item.id !== 'string') item.id = JSON.parse(exactIds(body, true))[0];
          return item;
        }
        const r = await this.#io.run(handle, step, signal, state);
        if (r === undefined) continue;
        body = r.bytes;
        handle.handleResponse(Date.now(), r.status, r.retryAfter, r.retryAfterMs, r.bytes);
      }
    } catch (e) {
      throw fromWasm(e);
    } finally {
      handle.free();
    }
  }

  /**
   * The rate limiter's state: `state` (save it and pass it back as `rateLimit.state` after a restart) and each
   * window's usage. With `rateLimit.shared`, the shared budget as this context saw it at its last request.
   */
  rateLimitState() {
    return JSON.parse(call(() => this.#wasm.rateLimitState(Date.now())));
  }
}

/**
 * Validates a filter (OData text or a filter object) without sending anything: `{ ok: true, filter }` with the
 * normalised OData text, or `{ ok: false, error }` with an MdeError of kind InvalidQuery (`position` for text,
 * `path` for objects).
 */
export function validateFilter(filter) {
  try {
    const input = filterInput(filter);
    if (input === undefined) throw new MdeError({ kind: 'InvalidQuery', message: 'filter: none given', path: 'filter' });
    return { ok: true, filter: call(() => wasmValidateFilter(JSON.stringify(input))) };
  } catch (e) {
    return { ok: false, error: fromWasm(e) };
  }
}
