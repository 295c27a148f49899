// Types of mde-mock (the browser/default entry: createMockApi). Hand-written to match the JavaScript; no `any`.

/** The documented states of an automated investigation; the mock keeps any other name it is given. */
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

/** An investigation as the mock serves it: the service's nine properties, `null` when absent. */
export interface Investigation {
  /** A string of digits (generated data), or the id it was given. */
  id: string;
  /** RFC 3339, up to 7 fractional digits. */
  startTime: string | null;
  endTime: string | null;
  state: InvestigationState | (string & {});
  cancelledBy: string | null;
  statusDetails: string | null;
  /** 40 hexadecimal characters. */
  machineId: string | null;
  computerDnsName: string | null;
  /** Like `da637139166940871892_-598649278`. */
  triggeringAlertId: string | null;
}

/** A date-time: an RFC 3339 string or a `Date`. */
export type DateTime = string | Date;

/**
 * An investigation to serve. Read leniently, as the native binary's `--data` file: `id` is required (a number is
 * served as a string), every other property may be missing or `null` (`state` then is `Unknown`); unknown
 * properties are ignored.
 */
export interface InvestigationInput {
  id: string | number;
  startTime?: DateTime | null;
  endTime?: DateTime | null;
  state?: InvestigationState | (string & {}) | null;
  cancelledBy?: string | null;
  statusDetails?: string | null;
  machineId?: string | null;
  computerDnsName?: string | null;
  triggeringAlertId?: string | null;
}

/** Fields to change with `updateInvestigation` (`null` clears one; `id`, if given, must be the same id). */
export type InvestigationUpdate = Partial<Omit<InvestigationInput, 'id'>> & { id?: string | number };

/**
 * The options of a mock: the native binary's flags in camelCase, with the same defaults. Every value is checked by
 * the engine; a bad one rejects with a `MockError` of kind `InvalidOption` naming it.
 */
export interface MockOptions {
  /** Seed of the generated data, the fault choices and the correlation ids (default 1; up to 2^64 - 1 as a bigint or a string of digits). */
  seed?: number | bigint | string;
  /** How many investigations to generate (default 2000, at most 10,000,000); ignored with `investigations`. */
  count?: number;
  /** Serve these instead of generated ones (the binary's `--data`). */
  investigations?: readonly InvestigationInput[];
  /** Accept only these bearer tokens; without them any non-empty token is accepted. */
  tokens?: readonly string[] | string;
  /** Answer these bearer tokens with `403 Forbidden`. */
  forbiddenTokens?: readonly string[] | string;
  /** Calls per minute and token (default 100). */
  perMinute?: number;
  /** Calls per hour and token (default 1500). */
  perHour?: number;
  /** How the limit windows move (default `sliding`). */
  window?: 'sliding' | 'fixed';
  /** Multiplies the limit windows and `Retry-After` (default 1; 0.01 makes a minute last 0.6 s). */
  timeScale?: number;
  /** Share of data calls that fail with 500, 503, a closed connection or a truncated body (0 to 1, default 0). */
  faultRate?: number;
  /** Delay before every answer outside `/__admin/`, in milliseconds (default 0). */
  latencyMs?: number;
  /** `Access-Control-Allow-Origin`: `*` (default), an origin, or origins separated by commas. */
  corsOrigin?: string;
  /** The end of the generated data's 90 days (default: now); fix it for reproducible data. */
  now?: DateTime;
  /** The `$filter` syntax accepted (default `'4.0'`, the service's; `'4.01'` adds `in` and operators in any case). */
  odata?: '4.0' | '4.01';
  /** Which list pages carry an `@odata.nextLink` (default `'service'`: only pages read without `$top`, as the service). */
  nextLinks?: NextLinks;
  /** Also send `retry-after-ms`, the exact wait, with every 429 (default false: the service sends only `Retry-After`). */
  retryAfterMs?: boolean;
  /** Share of data calls throttled with a 429 below the call limits, as the service does for CPU (0 to 1, default 0). */
  cpuThrottleRate?: number;
  /**
   * Live mode (default false): investigations arrive and move through their states over (scaled) time, from the
   * seed (`Queued`/`Running`, some `PendingApproval`, then mostly remediated or benign with an `endTime`).
   * `updateInvestigation` takes one out of the world's hands; `setLivePaused(true)` stops the world's clock.
   */
  live?: boolean;
  /** With `live`, arrivals per (scaled) hour on average, 0 to 3600 (default 20). */
  liveRate?: number;
  /**
   * Send the body of every answer outside `/__admin/` over time, at this many bytes per second (a whole number, at
   * least 1; default: at once): in chunks about every 25 ms, as the service streams its pages. Over HTTP the body
   * is `Transfer-Encoding: chunked`; from `handle` its `ReadableStream` delivers the chunks on the same schedule.
   */
  bandwidth?: number;
  /** Wait this many milliseconds between the head of every answer outside `/__admin/` and its body's first byte (1 to 86,400,000; default: no wait). */
  firstByteMs?: number;
}

/** `service` (links only without `$top`, as the service), `always`, `stale` (links that never advance) or `foreign` (another origin). */
export type NextLinks = 'service' | 'always' | 'stale' | 'foreign';

/** A fault for `planFaults`: an error status, a CPU throttle (a 429 below the limits), a closed connection, or a body cut in half. */
export type FaultName = '500' | '503' | '429' | 'cpu' | 'close' | 'truncate';

/** One call outside `/__admin/`, as the journal (and `GET /__admin/requests`) shows it. */
export interface JournalEntry {
  /** Position since the start or the last reset, from 1. */
  seq: number;
  method: string;
  /** As sent (percent-encoded). */
  path: string;
  /** The query string without `?`, as sent; `null` without one. */
  query: string | null;
  /** `null` when the connection was closed without an answer (fault `close`). */
  status: number | null;
  /** When the call arrived, in milliseconds since the epoch. */
  timestamp_ms: number;
  /** The same instant in RFC 3339. */
  timestamp: string;
  token_present: boolean;
  /** 16 hex digits of a hash of the token (never the token). */
  token_hash: string | null;
  /** For a 429: the wait announced, in milliseconds. */
  retry_after_ms: number | null;
  fault: FaultName | null;
}

/** The fault plan still pending and the rate (as `GET /__admin/faults`). */
export interface FaultState {
  plan: FaultName[];
  rate: number;
}

/** The options a mock runs with (as `GET /__admin/config`). */
export interface MockConfig {
  seed: number;
  count: number;
  generated: boolean;
  now: string;
  tokens: number;
  forbidden_tokens: number;
  per_minute: number;
  per_hour: number;
  window: 'sliding' | 'fixed';
  time_scale: number;
  minute_ms: number;
  hour_ms: number;
  fault_rate: number;
  latency_ms: number;
  cors_origin: string;
  live: boolean;
  live_rate: number;
  /** `bandwidth`, or `null` when bodies are sent at once. */
  bandwidth: number | null;
  /** `firstByteMs`, or `null` without a wait. */
  first_byte_ms: number | null;
}

/** The live world (as `GET /__admin/live`). */
export interface LiveStatus {
  /** Whether the mock runs in live mode. */
  enabled: boolean;
  /** Live and not paused. */
  running: boolean;
  paused: boolean;
  /** The world's time (RFC 3339): it starts at the data's `now` and runs 1 / `timeScale` times as fast as real time; `null` without live mode. */
  now: string | null;
  /** Arrivals per world hour, on average. */
  rate: number;
  /** Investigations arrived since the start. */
  arrived: number;
  /** Changes of state applied since the start. */
  transitions: number;
  /** Investigations the world will still change. */
  open: number;
  /** Of those, how many wait in `PendingApproval`. */
  pending_approval: number;
  /** Investigations taken out of the world's hands by `updateInvestigation` (or a `PATCH`). */
  released: number;
  /** World milliseconds whose arrivals were skipped (the mock was left alone longer than one advance covers). */
  skipped_ms: number;
}

/** The mock of the Investigations API in this process: a `Request -> Response` handler and its data, faults and journal. */
export interface MockApi {
  /**
   * Answers a request as the mock server would at the request's URL (its host and scheme appear in
   * `@odata.context`). Waits `latencyMs` first, rejecting with the abort reason if `request.signal` aborts.
   * A `close` fault rejects with a `TypeError` (as `fetch` on a network error); a `truncate` fault resolves with a
   * `Response` whose body stream errors with a `TypeError` after half the body. With `bandwidth` or
   * `firstByteMs`, the `Response` comes at once and its body stream delivers the chunks over time.
   */
  handle(request: Request): Promise<Response>;
  /** `handle(new Request(input, init))`, bound: a `fetch` to give to a client (`fetch: api.fetch`). */
  readonly fetch: (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;
  /** Every investigation served, in the documented order (the oracle for tests). */
  investigations(): Investigation[];
  /** The calls outside `/__admin/`, oldest first (the last 100,000). */
  journal(): JournalEntry[];
  /** Forgets limits, journal and the fault plan; the data and the fault rate stay. */
  reset(): void;
  /** Replaces the fault plan: the next data calls fail with these, in order. Throws `InvalidFault` for another name. */
  planFaults(faults: ReadonlyArray<FaultName | 500 | 503 | 429>): void;
  /** Sets the share of data calls that fail (0 to 1). Throws `InvalidFault` outside that range. */
  setFaultRate(rate: number): void;
  /** Which list pages carry an `@odata.nextLink` from now on. Throws `InvalidOption` for another mode. */
  setNextLinks(mode: NextLinks): void;
  /** The fault plan still pending and the rate. */
  faults(): FaultState;
  /** Adds investigations in the documented order. Throws `InvalidInvestigations` naming the item and the property. */
  addInvestigations(items: readonly InvestigationInput[] | InvestigationInput): { added: number; total: number };
  /**
   * Changes fields of one investigation (it moves in the order if its `startTime` changes) and returns it; in live
   * mode it leaves the world's hands and keeps what the update says. Throws `InvestigationNotFound` or
   * `InvalidUpdate`.
   */
  updateInvestigation(id: string | number, fields: InvestigationUpdate): Investigation;
  /** The options in force. */
  config(): MockConfig;
  /** The live world now. */
  live(): LiveStatus;
  /**
   * Stops (`true`) or starts again (`false`) the live world's clock: while paused nothing arrives or changes; it
   * goes on from where it stopped. Throws a `MockError` of kind `LiveOff` without `live: true`.
   */
  setLivePaused(paused: boolean): LiveStatus;
}

/** What the mock refused. */
export type MockErrorKind =
  | 'InvalidOption'
  | 'InvalidFlag'
  | 'InvalidInvestigations'
  | 'InvalidFault'
  | 'InvestigationNotFound'
  | 'InvalidUpdate'
  | 'LiveOff';

/** An option, fault name, investigation or update the mock refused, with the engine's message. */
export class MockError extends Error {
  readonly name: 'MockError';
  readonly kind: MockErrorKind;
  /** The option (`perMinute`) or flag (`per-minute`) it is about, when there is one. */
  readonly option?: string;
}

/** A mock as an in-process handler. Rejects with a `MockError` of kind `InvalidOption` naming a bad option. */
export function createMockApi(options?: MockOptions): Promise<MockApi>;
