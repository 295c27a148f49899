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
}

/** The state of the listing shown by the progress bar. */
export type RunState = 'idle' | 'running' | 'done' | 'cancelled' | 'failed';

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
    if (state === 'running') {
      this.bar.removeAttribute('value'); // indeterminate: the API does not say how many there are
      t.textContent = `Listing… ${counts}${calls}`;
    } else {
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
