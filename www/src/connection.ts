// Where the page sends its calls: the mock (base URL), a proxy (base URL) or a real tenant (region), and the token.
// The defaults come from `config.json` (written by `cargo xtask demo`) and the page's query string.

import { InvestigationsClient, type ClientEvent } from 'mde-investigations';

/** The connection settings. */
export interface Connection {
  /** A region name of the package (`global`, `eu`, `gcc-high`, ...), or empty for `baseUrl`. */
  region: string;
  baseUrl: string;
  token: string;
}

/** What `config.json` may hold; every field is optional. */
export interface PageConfig {
  region?: string;
  baseUrl?: string;
  token?: string;
  /** List once at load (the demo does: the mock takes any token). */
  autoList?: boolean;
  pageSize?: number;
  /** A short description of the target for the header (`mde-mock, 25,000 generated investigations`). */
  label?: string;
  /** Turn the Live switch on at load (the demo does; off by default: a live page spends calls every interval). */
  live?: boolean;
  /** Time between the live view's refreshes (the watch's `intervalMs`, 100 or more; default 60,000). */
  liveIntervalMs?: number;
}

/** The live view's default interval: the package's own default, 3 calls a minute at most. */
export const LIVE_INTERVAL_MS = 60_000;

/**
 * `config.json` if served, then `?baseUrl=`, `?region=`, `?pageSize=`, `?live=1` (or `0`) and `?liveIntervalMs=`
 * from the page's address.
 */
export async function loadConfig(): Promise<PageConfig> {
  let config: PageConfig = {};
  try {
    const r = await fetch('./config.json', { cache: 'no-store' });
    if (r.ok) config = (await r.json()) as PageConfig;
  } catch {
    // No config (a plain static host): the connection form is the way.
  }
  const q = new URLSearchParams(location.search);
  const baseUrl = q.get('baseUrl');
  const region = q.get('region');
  if (baseUrl) config = { ...config, baseUrl, region: undefined };
  if (region) config = { ...config, region, baseUrl: undefined };
  const pageSize = Number(q.get('pageSize'));
  if (Number.isInteger(pageSize) && pageSize > 0) config.pageSize = pageSize;
  const live = q.get('live');
  if (live === '1' || live === 'true') config.live = true;
  if (live === '0' || live === 'false') config.live = false;
  const interval = Number(q.get('liveIntervalMs'));
  if (Number.isInteger(interval) && interval >= 100) config.liveIntervalMs = interval;
  return config;
}

/** A readable name of the target. */
export function describe(c: Connection): string {
  if (c.region) return `region ${c.region}`;
  return c.baseUrl || '(no base URL)';
}

const STATE_PREFIX = 'mde-investigations.rate-limit:';

/**
 * A client for `c`. The limiter's state is kept in `localStorage` per target, so a reload does not forget the
 * calls already spent in the minute and hour windows.
 */
export function makeClient(c: Connection, onEvent: (e: ClientEvent) => void): InvestigationsClient {
  const where = c.region ? { region: c.region } : { baseUrl: c.baseUrl, allowInsecureLoopback: true };
  const key = STATE_PREFIX + describe(c);
  let state: string | null = null;
  try {
    state = localStorage.getItem(key);
  } catch {
    // Storage may be off: the limiter then starts empty.
  }
  const options = { ...where, token: c.token, onEvent };
  if (state) {
    try {
      return new InvestigationsClient({ ...options, rateLimit: { state } });
    } catch {
      // A state from another version of the package: start empty.
    }
  }
  return new InvestigationsClient(options);
}

/** Saves the client's limiter state for the next page load. */
export function saveLimiter(c: Connection, client: InvestigationsClient): void {
  try {
    localStorage.setItem(STATE_PREFIX + describe(c), client.rateLimitState().state);
  } catch {
    // Not saving only means a reload starts with an empty limiter.
  }
}
