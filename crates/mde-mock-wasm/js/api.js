// MockApi: the mock as an in-process `Request -> Response` handler, and its library operations (journal, data,
// faults). Every answer and every check is the engine's (the wasm module); this file only moves requests and
// replies across, keeps the time, and waits the latency.

import { engineCall } from './errors.js';
import { engineJson } from './json.js';
import { answer } from './reply.js';
import { sleep, throwIfAborted, toResponse } from './response.js';
import { queryOf } from './target.js';

const EMPTY = new Uint8Array(0);

export class MockApi {
  #engine;

  /** @param engine a wasm `MockEngine` (see ./index.js for how one is made). */
  constructor(engine) {
    this.#engine = engine;
    // Bound, so that it can be passed as it is: `new InvestigationsClient({ fetch: api.fetch, ... })`.
    this.fetch = (input, init) => this.handle(new Request(input, init));
  }

  /**
   * Answers a Fetch API `Request` as the mock server would answer it at the request's URL (host and scheme
   * from the URL). Rejects with a `TypeError` for a `close` fault; a `truncate` fault gives a `Response` whose
   * body stream errors after half the body. Waits `latencyMs` first; rejects with the abort reason if
   * `request.signal` aborts meanwhile. With `bandwidth` or `firstByteMs`, the body stream delivers its chunks
   * over time (and errors with the abort reason if the signal aborts before the last).
   */
  async handle(request) {
    if (typeof request?.url !== 'string' || typeof request.method !== 'string') {
      throw new TypeError('mde-mock: handle(request) takes a Fetch API Request');
    }
    const signal = request.signal;
    throwIfAborted(signal);
    const url = new URL(request.url);
    const body = request.body === null ? EMPTY : new Uint8Array(await request.arrayBuffer());
    const reply = answer(
      this.#engine,
      Date.now(),
      request.method,
      url.pathname,
      queryOf(url),
      request.headers.get('authorization') ?? undefined,
      request.headers.get('origin') ?? undefined,
      url.host,
      url.protocol.slice(0, -1),
      body,
    );
    if (reply.delayMs > 0) await sleep(reply.delayMs, signal);
    else throwIfAborted(signal);
    return toResponse(reply, signal);
  }

  /** Every investigation served, in the documented order (as `GET /__admin/investigations`). */
  investigations() {
    this.#engine.advance(Date.now());
    return JSON.parse(this.#engine.investigationsJson());
  }

  /** The live world now (as `GET /__admin/live`): `{ enabled, running, paused, now, arrived, ... }`. */
  live() {
    this.#engine.advance(Date.now());
    return JSON.parse(this.#engine.liveJson());
  }

  /** Stops (`true`) or starts again (`false`) the live world's clock (as `POST /__admin/live`); returns `live()`. */
  setLivePaused(paused) {
    if (typeof paused !== 'boolean') throw new TypeError('mde-mock: setLivePaused takes true or false');
    return JSON.parse(engineCall(() => this.#engine.setLivePaused(Date.now(), paused)));
  }

  /** The journal of calls outside `/__admin/`, oldest first (as `GET /__admin/requests`). */
  journal() {
    return JSON.parse(this.#engine.journalJson());
  }

  /** Forgets limits, journal and the fault plan (as `POST /__admin/reset`); data and fault rate stay. */
  reset() {
    this.#engine.reset(Date.now());
  }

  /** Replaces the fault plan: the next data calls fail with these, in order (`'500'`, `'503'`, `'429'`, `'cpu'`, `'close'`, `'truncate'`). */
  planFaults(faults) {
    if (!Array.isArray(faults)) throw new TypeError('mde-mock: planFaults takes an array such as [\'503\', \'close\']');
    engineCall(() => this.#engine.planFaults(faults.map(String)));
  }

  /** Sets the share of data calls that fail, from 0 to 1. */
  setFaultRate(rate) {
    engineCall(() => this.#engine.setFaultRate(Number(rate)));
  }

  /** Which list pages carry an `@odata.nextLink` from now on: `'service'`, `'always'`, `'stale'` or `'foreign'`. */
  setNextLinks(mode) {
    engineCall(() => this.#engine.setNextLinks(String(mode)));
  }

  /** The faults still planned and the rate (as `GET /__admin/faults`). */
  faults() {
    return JSON.parse(this.#engine.faultsJson());
  }

  /** Adds investigations (read as `POST /__admin/investigations` reads them); returns `{ added, total }`. */
  addInvestigations(items) {
    this.#engine.advance(Date.now());
    return JSON.parse(engineCall(() => this.#engine.addInvestigations(engineJson(items))));
  }

  /** Changes fields of one investigation (as `PATCH /__admin/investigations/{id}`); returns it as it is now. */
  updateInvestigation(id, fields) {
    this.#engine.advance(Date.now());
    const json = engineCall(() => this.#engine.updateInvestigation(String(id), engineJson(fields)));
    return JSON.parse(json);
  }

  /** The options in force (as `GET /__admin/config`). */
  config() {
    return JSON.parse(this.#engine.configJson());
  }
}

/** A MockApi over a new engine made by `bindings` (the wasm module's exports) from `options`. */
export function newMockApi(bindings, options) {
  const engine = engineCall(() => new bindings.MockEngine(engineJson(options), Date.now()));
  return new MockApi(engine);
}
