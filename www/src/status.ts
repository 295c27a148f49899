// The progress bar of a listing and the rate-limit gauge (both windows, and a countdown while the client waits).

import type { InvestigationsClient } from 'mde-investigations';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const n = (x: number) => x.toLocaleString('en');

/** What a listing has done so far. */
export interface Progress {
  pages: number;
  items: number;
  requests: number;
  retries: number;
  /** Investigations of the page whose body is arriving (0: none is). */
  inPage?: number;
  /** The most a page can hold (the page size asked for). */
  pageSize?: number;
}

/** The state of the listing shown by the progress bar. */
export type RunState = 'idle' | 'running' | 'done' | 'cancelled' | 'failed' | 'live';

/** The progress bar and its text. */
export class ProgressView {
  private readonly bar = $<HTMLProgressElement>('progress');
  private readonly text = $<HTMLParagraphElement>('progress-text');

  /** Shows `p` in `state`. */
  show(state: RunState, p: Progress): void {
    const t = this.text;
    t.dataset.state = state;
    t.dataset.pages = String(p.pages);
    t.dataset.items = String(p.items);
    t.dataset.requests = String(p.requests);
    const counts = `${n(p.pages)} page${p.pages === 1 ? '' : 's'} · ${n(p.items)} investigation${p.items === 1 ? '' : 's'}`;
    const calls = ` · ${n(p.requests)} call${p.requests === 1 ? '' : 's'}${p.retries ? ` (${n(p.retries)} retried)` : ''}`;
    if (state === 'live') {
      // The Live switch's watch holds the rows: no pages, a view kept current.
      this.bar.max = 1;
      this.bar.value = 1;
      t.textContent = `Live view: ${n(p.items)} investigation${p.items === 1 ? '' : 's'}${calls}`;
    } else if (state === 'running') {
      const inPage = p.inPage ?? 0;
      t.dataset.inPage = String(inPage);
      if (inPage > 0 && p.pageSize) {
        // A page is arriving: the bar counts its investigations, up to the most a page holds.
        this.bar.max = p.pageSize;
        this.bar.value = Math.min(inPage, p.pageSize);
      } else {
        this.bar.removeAttribute('value'); // indeterminate: the API does not say how many there are
      }
      const arriving = inPage > 0 ? ` · page ${n(p.pages + 1)} arriving: ${n(inPage)}` : '';
      t.textContent = `Listing… ${counts}${arriving}${calls}`;
    } else {
      this.bar.max = 1;
      this.bar.value = state === 'done' ? 1 : 0;
      const prefix = { idle: 'Idle', done: 'Done', cancelled: 'Cancelled after', failed: 'Failed after' }[state];
      t.textContent = state === 'idle' ? prefix : `${prefix}: ${counts}${calls}`;
    }
  }
}

/** Why the client waits. */
export type WaitReason = 'rateLimit' | 'retryAfter' | 'backoff';

const REASONS: Record<WaitReason, string> = {
  rateLimit: "the client's own limit (100 a minute, 1,500 an hour)",
  retryAfter: "the service's Retry-After",
  backoff: 'backing off before a retry',
};

/** The rate-limit gauge: polls `client.rateLimitState()` and counts down while the client waits. */
export class RateGauge {
  private readonly minute = $<HTMLMeterElement>('rate-minute');
  private readonly hour = $<HTMLMeterElement>('rate-hour');
  private readonly minuteText = $<HTMLSpanElement>('rate-minute-text');
  private readonly hourText = $<HTMLSpanElement>('rate-hour-text');
  private readonly waitText = $<HTMLParagraphElement>('rate-wait');
  private client: InvestigationsClient | undefined;
  private waitUntil = 0;
  private reason: WaitReason = 'rateLimit';

  constructor() {
    setInterval(() => this.refresh(), 250);
  }

  /** The client whose limiter is shown. */
  watch(client: InvestigationsClient | undefined): void {
    this.client = client;
    this.refresh();
  }

  /** The client waits `ms` for `reason`. */
  waiting(ms: number, reason: WaitReason): void {
    this.waitUntil = Date.now() + ms;
    this.reason = reason;
    this.refresh();
  }

  /** The wait is over (a call went out, or the listing ended). */
  resume(): void {
    this.waitUntil = 0;
    this.refresh();
  }

  private refresh(): void {
    const left = this.waitUntil - Date.now();
    const waitText = left > 0 ? `Waiting ${(left / 1000).toFixed(1)} s: ${REASONS[this.reason]}` : '';
    if (this.waitText.textContent !== waitText) this.waitText.textContent = waitText;
    this.waitText.dataset.waiting = left > 0 ? this.reason : '';
    if (!this.client) return;
    let windows;
    try {
      windows = this.client.rateLimitState().windows;
    } catch {
      return; // the limiter is busy inside a call: try again on the next tick
    }
    const show = (meter: HTMLMeterElement, text: HTMLElement, w: (typeof windows)[number] | undefined) => {
      if (!w) return;
      meter.max = w.limit;
      meter.low = w.limit * 0.6;
      meter.high = w.limit * 0.9;
      meter.value = w.used;
      const frees = w.used > 0 && w.resetsInMs > 0 ? ` · frees in ${Math.ceil(w.resetsInMs / 1000)} s` : '';
      const s = `${n(w.used)} / ${n(w.limit)} calls${frees}`;
      if (text.textContent !== s) text.textContent = s;
      text.dataset.used = String(w.used);
    };
    show(this.minute, this.minuteText, windows[0]);
    show(this.hour, this.hourText, windows[1]);
  }
}

/** Where the count of investigations waiting for approval comes from. */
export type PendingScope = 'none' | 'list' | 'live';

const SCOPES: Record<PendingScope, string> = {
  none: 'nothing listed yet',
  list: 'in the list below',
  live: 'live, all investigations',
};

/** The count of investigations waiting for approval, in the header (always visible). */
export class PendingView {
  private readonly box = $<HTMLParagraphElement>('pending');
  private readonly count = $<HTMLElement>('pending-count');
  private readonly scope = $<HTMLSpanElement>('pending-scope');
  private readonly title = document.title;

  /**
   * Shows `count` (undefined: not known) and where it comes from. Live, the tab's title starts with the count
   * when some wait, so that a tab in the background tells it too.
   */
  show(count: number | undefined, scope: PendingScope): void {
    const title = scope === 'live' && count ? `(${n(count)} waiting) ${this.title}` : this.title;
    if (document.title !== title) document.title = title;
    const c = count === undefined ? '–' : n(count);
    if (this.count.textContent !== c) this.count.textContent = c;
    if (this.scope.textContent !== SCOPES[scope]) this.scope.textContent = SCOPES[scope];
    this.box.dataset.count = count === undefined ? '' : String(count);
    this.box.dataset.scope = scope;
  }
}

/** What the live view has done in its last tick. */
export interface TickChanges {
  added: number;
  changed: number;
  removed: number;
}

/** The state of the Live switch's watch, beside the switch. */
export type LiveState = 'off' | 'starting' | 'current' | 'failed';

/** The line beside the Live switch and the screen reader's announcement of each tick's changes. */
export class LiveStatusView {
  private readonly text = $<HTMLParagraphElement>('live-status');
  private readonly announce = $<HTMLParagraphElement>('live-announce');
  /** The last tick that changed something: when, and what. */
  private lastChange: string | undefined;

  /** Shows `state`; `ticks` counts the ticks done, `changes` are those of the last one. */
  show(state: LiveState, intervalMs: number, ticks = 0, changes?: TickChanges, problem?: string): void {
    const every = `every ${intervalMs >= 1000 ? `${n(intervalMs / 1000)} s` : `${n(intervalMs)} ms`}`;
    const time = new Date().toISOString().slice(11, 19);
    const changed = changes !== undefined && (changes.added > 0 || changes.changed > 0 || changes.removed > 0);
    if (state === 'off' || state === 'starting') this.lastChange = undefined;
    if (changed) this.lastChange = `last change at ${time}: ${describeChanges(changes)}`;
    let s: string;
    if (state === 'off') s = 'Off';
    else if (state === 'starting') s = `Starting (${every})…`;
    else if (state === 'failed') s = `Last refresh failed at ${time} UTC (${problem ?? 'see the notice'}); trying again ${every}`;
    else s = `Current at ${time} UTC (${every})${this.lastChange ? `; ${this.lastChange}` : ''}`;
    this.text.textContent = s;
    this.text.dataset.state = state;
    this.text.dataset.ticks = String(ticks);
    if (changed) this.announce.textContent = `Live update: ${describeChanges(changes)}.`;
  }
}

/** `1 new, 2 changed, 1 gone`, or `no change`. */
export function describeChanges(c: TickChanges): string {
  const parts = [];
  if (c.added) parts.push(`${n(c.added)} new`);
  if (c.changed) parts.push(`${n(c.changed)} changed`);
  if (c.removed) parts.push(`${n(c.removed)} gone`);
  return parts.length ? parts.join(', ') : 'no change';
}
