// The live view: the rows of a watch (`client.watch()`) kept in the service's order as its events arrive, and
// the marks of the rows that are new or changed, each for a few seconds.

import type { Investigation, WatchEvent } from 'mde-investigations';
import { FIELDS, text, type Field } from './fields';

/** Why a row is marked. */
export type MarkKind = 'added' | 'changed';

/** A marked row: why, until when (`performance.now()` time), and, when it changed, which properties did. */
export interface Mark {
  kind: MarkKind;
  until: number;
  fields: readonly Field[];
}

/** The state whose investigations wait for an analyst's approval. */
export const PENDING_APPROVAL = 'PendingApproval';

/** How many of `items` wait for approval. */
export function countPending(items: Iterable<Investigation>): number {
  let n = 0;
  for (const it of items) if (it.state === PENDING_APPROVAL) n++;
  return n;
}

/** The properties that differ between `a` and `b`, in the service's order. */
export function changedFields(a: Investigation, b: Investigation): Field[] {
  return FIELDS.filter((f) => text(a, f) !== text(b, f));
}

function startMs(it: Investigation): number {
  const t = it.startTime ? Date.parse(it.startTime) : NaN;
  return Number.isNaN(t) ? -Infinity : t;
}

/**
 * The service's order, as the mock documents it (the service's own is not documented): `startTime` descending,
 * investigations without one last, then `id` descending, compared as strings (ordinally).
 */
export function serviceOrder(a: Investigation, b: Investigation): number {
  const x = startMs(a);
  const y = startMs(b);
  if (x !== y) return y - x > 0 ? 1 : -1;
  return a.id === b.id ? 0 : a.id < b.id ? 1 : -1;
}

/** The rows of a watch and their marks. */
export class LiveRows {
  /** The view, in the service's order (the snapshot's, with added rows at their place). */
  rows: Investigation[] = [];
  /** Marked rows by id. */
  readonly marks = new Map<string, Mark>();

  /** `markMs`: how long a new or changed row stays marked. */
  constructor(private readonly markMs: number) {}

  /** Applies one event of the watch at `now` (`performance.now()`). */
  apply(event: WatchEvent, now: number): void {
    switch (event.type) {
      case 'snapshot':
        this.rows = event.investigations.slice();
        this.marks.clear();
        break;
      case 'added':
        this.remove(event.investigation.id);
        this.insert(event.investigation);
        this.marks.set(event.investigation.id, { kind: 'added', until: now + this.markMs, fields: [] });
        break;
      case 'changed': {
        const it = event.investigation;
        const i = this.indexOf(it.id);
        if (i >= 0 && serviceOrder(this.rows[i], it) === 0) this.rows[i] = it;
        else {
          if (i >= 0) this.rows.splice(i, 1);
          this.insert(it);
        }
        // A row added and changed within the mark's time stays marked as new, with its latest time.
        const kind = this.marks.get(it.id)?.kind === 'added' ? 'added' : 'changed';
        const fields = kind === 'added' ? [] : changedFields(event.previous, it);
        this.marks.set(it.id, { kind, until: now + this.markMs, fields });
        break;
      }
      case 'removed':
        this.remove(event.investigation.id);
        this.marks.delete(event.investigation.id);
        break;
    }
  }

  /** Forgets the marks whose time is over at `now`; true when there were some. */
  expire(now: number): boolean {
    let ended = false;
    for (const [id, m] of this.marks) {
      if (m.until <= now) {
        this.marks.delete(id);
        ended = true;
      }
    }
    return ended;
  }

  /** Every mark lasts at least its full time from `now` (the page is seen again after it was hidden). */
  hold(now: number): void {
    for (const m of this.marks.values()) m.until = Math.max(m.until, now + this.markMs);
  }

  /** When the next mark ends, if any is left. */
  nextExpiry(): number | undefined {
    let next: number | undefined;
    for (const m of this.marks.values()) if (next === undefined || m.until < next) next = m.until;
    return next;
  }

  private indexOf(id: string): number {
    return this.rows.findIndex((r) => r.id === id);
  }

  private remove(id: string): void {
    const i = this.indexOf(id);
    if (i >= 0) this.rows.splice(i, 1);
  }

  /** Inserts at the item's place in the service's order (after any equal one). */
  private insert(it: Investigation): void {
    let lo = 0;
    let hi = this.rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (serviceOrder(this.rows[mid], it) <= 0) lo = mid + 1;
      else hi = mid;
    }
    this.rows.splice(lo, 0, it);
  }
}
