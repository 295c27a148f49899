// `rateLimit: { shared }`: one budget for every client with the same key in one browser origin (tabs, workers, an
// extension's pages and service worker), or in one Node process. Rust (the wasm `Client`'s `sharedDecide`) makes
// every decision; this module only keeps its state where every context sees it and makes each decision atomic:
//
//   take the Web Lock of the key (navigator.locks) -> one IndexedDB transaction: read the state, let Rust decide
//   on it (and record the call if it may go out), write the new state -> commit -> release the lock.
//
// Nothing is awaited between the read and the write (Rust is synchronous), no lock is held across a request or a
// wait, and a context that goes away mid-decision neither blocks the others (the browser releases its locks) nor
// leaves half a state (its transaction is aborted, the stored state stays the previous one). Not localStorage:
// in Chromium a tab may read its own stale copy of what another tab wrote, even under the lock (two tabs on
// localStorage sent 7 calls in a window of 6 in two runs of four). Where there is no Web Locks API or no IndexedDB
// (Node, a sandboxed frame), the clients of this context with the key share a budget in memory, and the
// `rateLimitShared` event says so.

const DB_NAME = 'mde-investigations';
const DB_STORE = 'rateLimits';
const PREFIX = 'mde-investigations rate limit ';

/** Budgets of this context (or Node process) by key: the store where there is none across contexts. */
const inMemory = new Map();

function memoryStore(reason) {
  return {
    reason,
    // Synchronous: no other decision can come between the read and the write.
    transact(key, decide) {
      const out = decide(inMemory.get(key));
      inMemory.set(key, out.state);
      return out;
    },
  };
}

function locked(key, signal, critical) {
  return globalThis.navigator.locks.request(PREFIX + key, signal === undefined ? {} : { signal }, critical);
}

function indexedDbStore(db) {
  return {
    name: 'indexedDB',
    db,
    transact: (key, decide, signal) =>
      locked(key, signal, () => new Promise((resolve, reject) => {
        // `relaxed`: a state lost to a crash of the whole browser costs at most the next minute's pacing.
        const tx = db.transaction(DB_STORE, 'readwrite', { durability: 'relaxed' });
        const records = tx.objectStore(DB_STORE);
        const read = records.get(key);
        let out;
        read.onsuccess = () => {
          try {
            const stored = typeof read.result === 'string' ? read.result : undefined;
            out = decide(stored);
            if (out.state !== stored) records.put(out.state, key);
          } catch (e) {
            reject(e);
            tx.abort();
          }
        };
        tx.oncomplete = () => resolve(out);
        tx.onabort = () => reject(tx.error ?? new Error('the transaction was aborted'));
      })),
  };
}

function openDatabase() {
  return new Promise((resolve, reject) => {
    const request = globalThis.indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(DB_STORE);
    request.onsuccess = () => {
      const db = request.result;
      // Let a later version of the package upgrade the database; the next decision opens it again.
      db.onversionchange = () => forget(db);
      db.onclose = () => forget(db);
      resolve(db);
    };
    request.onerror = () => reject(request.error);
  });
}

const message = (e) => e?.message ?? String(e);

/** Where the budgets of this context live (a promise of a store): chosen once, again after the database closed. */
let contextStore;
let contextDb;

function forget(db) {
  if (contextDb === db) contextStore = contextDb = undefined;
  db.close();
}

async function chooseStore() {
  if (typeof globalThis.navigator?.locks?.request !== 'function') {
    return memoryStore('no Web Locks API (navigator.locks) here');
  }
  try {
    if (globalThis.indexedDB === undefined) throw new Error('none here');
    const db = await openDatabase();
    contextDb = db;
    return indexedDbStore(db);
  } catch (e) {
    return memoryStore(`no IndexedDB (${message(e)})`);
  }
}

/**
 * The shared budget of one client: `acquire()` before each request, `publish()` when the client got a 429, whose
 * `Retry-After` then holds back every client of the key.
 */
export class SharedRateLimit {
  #wasm;
  #key;
  #emit;
  #store;
  #announced;

  /** `wasm`: the client's wasm `Client` (its `sharedDecide`), `key` its `sharedKey()`; `emit`: the client's onEvent. */
  constructor(wasm, key, emit) {
    this.#wasm = wasm;
    this.#key = key;
    this.#emit = emit;
  }

  /**
   * Takes a slot for a request that goes out right after: `undefined` when it may go out now (the call is
   * recorded in the shared budget), else `{ waitMs, reason }`, the time until a slot may be free.
   */
  acquire(signal) {
    return this.#decide(true, signal);
  }

  /** Writes this client's `Retry-After` block (after a 429) into the shared budget. */
  async publish(signal) {
    await this.#decide(false, signal);
  }

  async #decide(acquire, signal) {
    const decide = (stored) => JSON.parse(this.#wasm.sharedDecide(Date.now(), stored ?? '', acquire));
    for (let failures = 0; ; failures++) {
      if (this.#store === undefined) this.#use(await (contextStore ??= chooseStore()));
      const store = this.#store;
      try {
        const grant = await store.transact(this.#key, decide, signal);
        return grant.waitMs > 0 ? grant : undefined;
      } catch (e) {
        if (signal?.aborted || store.reason !== undefined) throw e;
        // The store failed (the database was closed or deleted, the quota is full, the context may not take
        // locks): open it again once, then keep to this context's memory.
        if (store.db !== undefined) forget(store.db);
        this.#use(failures === 0 && store.db !== undefined ? undefined : memoryStore(`${store.name} failed: ${message(e)}`));
      }
    }
  }

  /** Uses `store` from now on, and says so in a `rateLimitShared` event when that changes how far the budget reaches. */
  #use(store) {
    this.#store = store;
    if (store === undefined) return;
    const key = this.#key;
    const event =
      store.reason === undefined
        ? { type: 'rateLimitShared', key, shared: true, store: store.name }
        : { type: 'rateLimitShared', key, shared: false, reason: store.reason };
    const said = JSON.stringify(event);
    if (said === this.#announced) return;
    this.#announced = said;
    this.#emit(event);
  }
}
