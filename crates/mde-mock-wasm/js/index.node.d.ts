// Types of mde-mock for Node (the `node` export condition): everything of ./index.d.ts, and startMock.
import type { MockApi, MockOptions } from './index.js';

export * from './index.js';

/** `startMock`'s options: the mock's, and where it listens. */
export interface StartMockOptions extends MockOptions {
  /** An IPv4 or IPv6 address (default `127.0.0.1`). */
  host?: string;
  /** The port (default 0: a free one; see `url`). */
  port?: number;
}

/** A mock server running in this process. */
export interface RunningMock {
  /** `http://127.0.0.1:PORT` (an IPv6 host in brackets): the client's `baseUrl`. */
  readonly url: string;
  /** The port it listens on. */
  readonly port: number;
  /** The same mock in this process: its journal, data, faults (and `handle`, without the network). */
  readonly api: MockApi;
  /** Stops listening and closes every open connection; resolves when done. */
  close(): Promise<void>;
}

/**
 * Starts the mock server (Node's `http`) as the `mde-mock` bin does; resolves once it listens. Rejects with a
 * `MockError` of kind `InvalidOption` naming a bad option, or with Node's error (`EADDRINUSE`, ...).
 */
export function startMock(options?: StartMockOptions): Promise<RunningMock>;
