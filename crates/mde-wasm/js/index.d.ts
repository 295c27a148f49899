// Types of mde-investigations. Hand-written to match client.js; contains no `any`.

/** The documented states of an automated investigation. The service may add more; they arrive as strings. */
export type InvestigationState =
  | 'Unknown'
  | 'Terminated'
  | 'SuccessfullyRemediated'
  | 'Benign'
  | 'Failed'
  | 'PartiallyRemediated'
  | 'Running'
  | 'PendingApproval'
  | 'PendingResource'
  | 'PartiallyInvestigated'
  | 'TerminatedByUser'
  | 'TerminatedBySystem'
  | 'Queued'
  | 'InnerFailure'
  | 'PreexistingAlert'
  | 'UnsupportedOs'
  | 'UnsupportedAlertType'
  | 'SuppressedAlert';

/**
 * An investigation as the service sends it (property names and values unchanged; date-times are RFC 3339
 * strings with up to 7 fractional digits). Every item was validated before it reached you.
 */
export interface Investigation {
  /** A string (of digits, as the service sends it); an id sent as a JSON number is given as its exact digits. */
  id: string;
  startTime?: string | null;
  endTime?: string | null;
  /** A documented state, or a newer one the service added. */
  state?: InvestigationState | (string & {}) | null;
  cancelledBy?: string | null;
  statusDetails?: string | null;
  /** 40 hexadecimal characters. */
  machineId?: string | null;
  computerDnsName?: string | null;
  /** Like `da637139166940871892_-598649278`. */
  triggeringAlertId?: string | null;
  /** Properties the service adds later are kept. */
  [property: string]: unknown;
}

/** Regions by name (case-insensitive): the documented API hosts. */
export type Region =
  | 'global'
  | 'security'
  | 'securitycenter'
  | 'us'
  | 'eu'
  | 'uk'
  | 'au'
  | 'swa'
  | 'ina'
  | 'aea'
  | 'gcc'
  | 'gcc-high'
  | 'dod'
  | (string & {});

/** What went wrong. */
export type MdeErrorKind =
  | 'InvalidConfig'
  | 'InvalidQuery'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'Throttled'
  | 'Server'
  | 'Network'
  | 'Aborted'
  | 'InvalidResponse'
  | 'ForeignOrigin';

/** Every error this package throws. */
export class MdeError extends Error {
  readonly name: 'MdeError';
  readonly kind: MdeErrorKind;
  /** The HTTP status, when a response caused the error. */
  readonly status?: number;
  /** The service's error code (`BadRequest`, `TooManyRequests`, `ResourceNotFound`, ...). */
  readonly code?: string;
  /** The service's correlation id for the failed call. */
  readonly target?: string;
  /** `Throttled`: how long the service asked to wait, at most 2,147,483,647 ms (about 24.8 days: the longest `setTimeout` delay). */
  readonly retryAfterMs?: number;
  /** `InvalidQuery` for OData text: the byte offset of the problem. */
  readonly position?: number;
  /** `InvalidQuery` for OData text: what was expected at `position`. */
  readonly expected?: string;
  /** `InvalidQuery` for OData text: what was found at `position`. */
  readonly found?: string;
  /** `InvalidQuery` for a filter object: where the problem is, such as `filter.or[1].startTime.ge`. */
  readonly path?: string;
}

/** Events for logs and progress displays. They never contain the token. */
export type ClientEvent =
  | { type: 'request'; url: string; attempt: number }
  | { type: 'wait'; ms: number; reason: 'rateLimit' | 'retryAfter' | 'backoff' }
  /** A page's body has ended and the page was valid: `pages` and `items` delivered so far. */
  | { type: 'page'; pages: number; items: number }
  /**
   * Investigations of the page in flight were validated while its body arrives: `items` delivered so far, this
   * page's included (for a progress bar that moves during a long page).
   */
  | { type: 'items'; items: number }
  | { type: 'retry'; attempt: number; status?: number }
  /**
   * A watch's tick completed and your loop has received every event of it: the view is current. `ticks` counts
   * the ticks of this watch (the snapshot's is the first; a resumed watch counts from its own start); the next
   * tick starts in `nextTickInMs` (0 when the tick took longer than the interval).
   */
  | { type: 'watchTick'; ticks: number; nextTickInMs: number }
  /** A watch's tick failed for a reason that may pass (network, 5xx, throttling): nothing changed, the watch goes on. */
  | { type: 'watchTickFailed'; error: MdeError }
  | RateLimitSharedEvent;

/**
 * With `rateLimit.shared`, at a client's first request (and again if that changes): how far its budget reaches.
 * `shared: true`: every client with `key` in this browser origin (tabs, workers, an extension's pages and service
 * worker), through `store`. `shared: false`: only the clients with `key` in this context (the page, the worker,
 * the Node process), and `reason` says why: no Web Locks API (Node, an old browser), no IndexedDB (a sandboxed
 * frame), or IndexedDB failed.
 */
export type RateLimitSharedEvent =
  | { type: 'rateLimitShared'; key: string; shared: true; store: 'indexedDB' }
  | { type: 'rateLimitShared'; key: string; shared: false; reason: string };

/** Supplies the bearer token; `forceRefresh` is true after a 401, to bypass any cache. */
export type TokenProvider = (request: { forceRefresh: boolean }) => Promise<string>;

/** The OAuth scope the client asks a `TokenCredential` for: `https://api.securitycenter.microsoft.com/.default`. */
export const TOKEN_SCOPE: string;

/** A token and when it expires, as a `TokenCredential` returns it (the fields of `@azure/core-auth`'s `AccessToken`). */
export interface AccessToken {
  /** The bearer token. */
  token: string;
  /** When it expires, in milliseconds since 1970; the client uses it until five minutes before. */
  expiresOnTimestamp: number;
}

/** What the client passes to `getToken`. */
export interface GetTokenOptions {
  /** The operation's `signal`, when it has one. */
  abortSignal?: AbortSignal;
}

/**
 * An Azure `TokenCredential` (the interface of `@azure/core-auth`, which `@azure/identity`'s credentials
 * implement), or any object with such a `getToken`, such as a wrapper of MSAL. The client asks it for
 * `TOKEN_SCOPE`, keeps the token until five minutes before it expires, and asks again after a 401.
 */
export interface TokenCredential {
  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null>;
}

/** The subset of `fetch` the client uses. */
export type FetchFunction = (url: string, init: RequestInit) => Promise<Response>;

export interface RateLimitOptions {
  /** The state from `client.rateLimitState().state`, saved before a restart. */
  state?: string;
  /** Calls per minute (default 100, the service's limit). */
  perMinute?: number;
  /** Calls per hour (default 1,500, the service's limit). */
  perHour?: number;
  /**
   * A test option: multiplies the windows and their one-second margin (0 < scale <= 1), for a mock server whose
   * clock runs faster (mde-mock's `--time-scale`). Leave it out against the service.
   */
  timeScale?: number;
  /**
   * One budget for every client with this key in the browser origin (tabs, workers, an extension's pages and
   * service worker) or in the Node process: `true` keys it by the service's origin, a string (1 to 256 bytes) is
   * the key itself. Give every client that shares a key the same limits. Default: the client's own budget.
   */
  shared?: boolean | string;
}

export interface ClientOptions {
  /** A documented host by name (default `global`: api.security.microsoft.com). Excludes `baseUrl`. */
  region?: Region;
  /** Another base URL, such as your own proxy. Must be https, unless loopback with `allowInsecureLoopback`. */
  baseUrl?: string;
  /** The bearer token, a function that returns one, or a `TokenCredential`. */
  token: string | TokenProvider | TokenCredential;
  /** Replaces `globalThis.fetch`. */
  fetch?: FetchFunction;
  /** Retries after the first attempt (default 5). */
  maxRetries?: number;
  /** The longest `Retry-After` to wait out (default 300,000 ms); beyond it the call fails with `Throttled`. */
  maxRetryAfterMs?: number;
  /** The client's own limiter (it never lets the client cause a 429 itself). */
  rateLimit?: RateLimitOptions;
  /** Allow `http://` to a loopback address (a local mock or proxy). */
  allowInsecureLoopback?: boolean;
  /** Receives events. */
  onEvent?: (event: ClientEvent) => void;
}

/** A date-time: a `Date`, an RFC 3339 string, or milliseconds since 1970. */
export type DateTimeValue = Date | string | number;

/** Tests of one property: a value (eq), an array (in), or an object of operators (all must hold). */
export type Test<T> =
  | T
  | readonly T[]
  | { eq?: T; ne?: T; gt?: T; ge?: T; lt?: T; le?: T; in?: readonly T[] };

/** States have no order: only eq, ne and in. */
export type StateTest = InvestigationState | readonly InvestigationState[] | { eq?: InvestigationState; ne?: InvestigationState; in?: readonly InvestigationState[] };

/**
 * A filter object: every key is a condition and all must hold. It is validated in Rust and means exactly the
 * OData text that `validateFilter` returns for it.
 */
export interface FilterObject {
  startTime?: Test<DateTimeValue>;
  state?: StateTest;
  id?: Test<string>;
  machineId?: Test<string>;
  triggeringAlertId?: Test<string>;
  and?: readonly FilterObject[];
  or?: readonly FilterObject[];
  not?: FilterObject;
}

/** OData `$filter` text (such as `state eq 'Running' and startTime ge 2024-01-01T00:00:00Z`) or a filter object. */
export type Filter = string | FilterObject;

export interface ListOptions {
  filter?: Filter;
  /** How many investigations in all (1 to 10,000). */
  top?: number;
  /** How many to skip first. */
  skip?: number;
  /** Items per request (1 to 10,000; default 10,000: fewest calls against the limits). */
  pageSize?: number;
  /**
   * List only investigations that started before this instant (`true`: now), so that investigations starting
   * during a long export neither appear nor shift the pages.
   */
  snapshot?: boolean | DateTimeValue;
  /**
   * Continue a listing from `resumeToken()`; the token carries the filter and the other options (give none of
   * `filter`, `top`, `skip`, `pageSize` and `snapshot` beside it: `InvalidConfig`).
   */
  resumeFrom?: string;
  /**
   * Aborting stops a request or a wait at once, and the loop receives no more investigations (also none of a page
   * already read); the listing then fails with kind `Aborted`.
   */
  signal?: AbortSignal;
}

/** `client.list()`: iterate investigations with `for await`, or pages with `byPage()`. */
export class InvestigationList implements AsyncIterable<Investigation> {
  private constructor();
  /**
   * Each investigation as soon as its bytes have arrived and it was validated, while the rest of its page is
   * still downloading. Should the page then prove invalid or break off, what was handed out stays handed out: the
   * retry delivers only the rest, and a listing that gives up continues from `resumeToken()` right after it.
   */
  [Symbol.asyncIterator](): AsyncGenerator<Investigation, void, undefined>;
  /** Pages (never empty), as delivered: each once its whole body has arrived and was validated. */
  byPage(): AsyncGenerator<Investigation[], void, undefined>;
  /**
   * Continue later with `client.list({ resumeFrom })`, right after the last investigation handed out (by either
   * loop, also inside a page, after an error or an abort): nothing lost, nothing twice.
   */
  resumeToken(): string;
}

export interface WatchOptions {
  /** The view: what the filter selects (default: every investigation). Validated at once, as for `list()`. */
  filter?: Filter;
  /** Time between the starts of two ticks, in milliseconds (default 60,000; 100 to 86,400,000). */
  intervalMs?: number;
  /** Continue a watch from `resumeToken()`; the token carries the filter and the interval (give neither). */
  resumeFrom?: string;
  /**
   * End the iteration once this many ticks are over (completed or failed: `onEvent` gets `watchTick` or
   * `watchTickFailed`), instead of waiting for the next; a whole number from 1 (default: never). A new watch's
   * first tick is its snapshot; a resumed one hands out the token's view, then its first tick starts at once. So
   * `{ resumeFrom, ticks: 1 }` is one wake-up of a process that cannot wait (an extension's service worker on
   * `chrome.alarms`): the changes since the token, then `resumeToken()` for the next wake-up.
   */
  ticks?: number;
  /** Aborting stops a request or the wait between ticks at once; the iteration then fails with kind `Aborted`. */
  signal?: AbortSignal;
}

/**
 * What a watch hands out: the view first (`snapshot`), then its changes. An investigation in an event has the
 * service's nine properties (`null` when absent), date-times in UTC with the fewest fractional digits.
 */
export type WatchEvent =
  /** Everything the filter selects, in the service's order (newest first). Always the first event. */
  | { type: 'snapshot'; investigations: Investigation[] }
  /** An investigation that the filter now selects: new, or one that changed into the view. */
  | { type: 'added'; investigation: Investigation }
  /** An investigation of the view that changed: as it is now, and as it was. */
  | { type: 'changed'; investigation: Investigation; previous: Investigation }
  /** An investigation that the filter no longer selects, as it was last in the view. */
  | { type: 'removed'; investigation: Investigation };

/**
 * `client.watch()`: `for await (const event of watch)`. A `break` (`return()`) stops it, also while it waits for
 * the next tick.
 */
export class InvestigationWatch implements AsyncIterator<WatchEvent, void, undefined>, AsyncIterable<WatchEvent> {
  private constructor();
  [Symbol.asyncIterator](): InvestigationWatch;
  next(): Promise<IteratorResult<WatchEvent, void>>;
  /** Stops the watch: a request or a wait in progress ends at once, and a pending `next()` resolves as done. */
  return(value?: void | PromiseLike<void>): Promise<IteratorResult<WatchEvent, void>>;
  /**
   * Continue later with `client.watch({ resumeFrom })`: the token (no secret in it) holds the filter, the interval
   * and the view, which the resumed watch hands out first as its snapshot; its size grows with the view's.
   */
  resumeToken(): string;
}

export interface WindowState {
  /** Calls counted in the window now. */
  used: number;
  limit: number;
  /** The window's length. */
  windowMs: number;
  /** When the oldest counted call leaves the window. */
  resetsInMs: number;
}

export interface RateLimitState {
  /** Save this and pass it back as `rateLimit.state`. */
  state: string;
  windows: WindowState[];
  /** How long a `Retry-After` still blocks every call. */
  blockedForMs: number;
}

export interface GetOptions {
  signal?: AbortSignal;
}

export class InvestigationsClient {
  /** Throws `MdeError` (kind `InvalidConfig`) for unusable options. */
  constructor(options: ClientOptions);
  /** Validates at once (throws `InvalidQuery`/`InvalidConfig`); requests start when iteration does. */
  list(options?: ListOptions): InvestigationList;
  /**
   * Keeps the view of a filter current: a snapshot, then added, changed and removed investigations, with at most
   * three calls a tick. Validates at once (throws `InvalidQuery`/`InvalidConfig`); requests start when iteration
   * does.
   */
  watch(options?: WatchOptions): InvestigationWatch;
  /** One investigation, by its id or by its triggering alert's id. */
  get(id: string, options?: GetOptions): Promise<Investigation>;
  rateLimitState(): RateLimitState;
}

export type FilterValidation = { ok: true; filter: string } | { ok: false; error: MdeError };

/** Validates a filter without sending anything; returns the normalised OData text or the error. */
export function validateFilter(filter: Filter): FilterValidation;
