// The results table: virtual scrolling (only the rows in view exist in the DOM, whatever the row count) and
// sortable columns. ARIA table roles on divs, so that a screen reader announces rows, columns and the sort.

import type { Investigation } from 'mde-investigations';
import { text, type Field } from './fields';
import type { Mark } from './live';

type Key = Field;

/** A column: the property it shows, its title, its width and how it sorts. */
interface Column {
  key: Key;
  title: string;
  width: string;
  sort: 'digits' | 'time' | 'text';
  mono?: boolean;
}

const COLUMNS: Column[] = [
  { key: 'id', title: 'ID', width: '9ch', sort: 'digits' },
  { key: 'state', title: 'State', width: '30ch', sort: 'text' },
  { key: 'startTime', title: 'Start time (UTC)', width: '20ch', sort: 'time' },
  { key: 'endTime', title: 'End time (UTC)', width: '20ch', sort: 'time' },
  { key: 'computerDnsName', title: 'Computer', width: '30ch', sort: 'text' },
  { key: 'machineId', title: 'Machine id', width: '42ch', sort: 'text', mono: true },
  { key: 'triggeringAlertId', title: 'Triggering alert', width: '34ch', sort: 'text', mono: true },
  { key: 'cancelledBy', title: 'Cancelled by', width: '16ch', sort: 'text' },
  { key: 'statusDetails', title: 'Status details', width: '18ch', sort: 'text' },
];

/** The words that mark a row (shown, so that a mark is not told by colour alone). */
const MARK_WORDS: Record<Mark['kind'], string> = { added: 'new', changed: 'changed' };

/** Row height in pixels: fixed, which is what makes windowing a division. */
export const ROW_HEIGHT = 28;
const OVERSCAN = 8;

/** `2026-01-06T14:11:34.1234567Z` shown as `2026-01-06 14:11:34`; the full text stays in the title. */
function shortTime(t: string | null): string {
  if (!t) return '';
  return t.replace('T', ' ').replace(/(\.\d+)?(Z|[+-]\d\d:\d\d)$/, '');
}

function compareDigits(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  const x = a.replace(/^0+(?=\d)/, '');
  const y = b.replace(/^0+(?=\d)/, '');
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Sort order of the table. */
export interface SortState {
  key: Key;
  dir: 1 | -1;
}

/** The virtual table. */
export class VirtualTable {
  private readonly scroller: HTMLDivElement;
  private readonly table: HTMLDivElement;
  private readonly body: HTMLDivElement;
  private readonly headers: HTMLDivElement[] = [];
  private rows: HTMLDivElement[] = [];
  private source: Investigation[] = [];
  private view: Investigation[] = [];
  private sort: SortState | undefined;
  private timeKeys = new Map<Key, Float64Array>();
  private frame = 0;
  private marks: ReadonlyMap<string, Mark> = new Map();

  constructor(host: HTMLElement) {
    host.style.setProperty('--columns', COLUMNS.map((c) => c.width).join(' '));
    this.scroller = document.createElement('div');
    this.scroller.className = 'vtable-scroll';
    this.scroller.tabIndex = 0;
    this.scroller.setAttribute('role', 'region');
    this.scroller.setAttribute('aria-label', 'Investigations table (scrollable: arrow keys, Page Up, Page Down)');
    this.table = document.createElement('div');
    this.table.setAttribute('role', 'table');
    this.table.setAttribute('aria-label', 'Investigations');
    this.table.setAttribute('aria-colcount', String(COLUMNS.length));
    const head = document.createElement('div');
    head.className = 'vhead';
    head.setAttribute('role', 'rowgroup');
    const headRow = document.createElement('div');
    headRow.className = 'vrow';
    headRow.setAttribute('role', 'row');
    headRow.setAttribute('aria-rowindex', '1');
    for (const c of COLUMNS) {
      const th = document.createElement('div');
      th.setAttribute('role', 'columnheader');
      th.setAttribute('aria-sort', 'none');
      th.dataset.key = c.key;
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'sort';
      button.textContent = c.title;
      button.addEventListener('click', () => this.toggleSort(c.key));
      const arrow = document.createElement('span');
      arrow.className = 'arrow';
      arrow.setAttribute('aria-hidden', 'true');
      button.append(arrow);
      th.append(button);
      headRow.append(th);
      this.headers.push(th);
    }
    head.append(headRow);
    this.body = document.createElement('div');
    this.body.className = 'vbody';
    this.body.setAttribute('role', 'rowgroup');
    this.table.append(head, this.body);
    this.scroller.append(this.table);
    host.append(this.scroller);
    this.scroller.addEventListener('scroll', () => this.schedule(), { passive: true });
    new ResizeObserver(() => this.schedule()).observe(this.scroller);
    this.setRows([]);
  }

  /** Replaces the rows (the fetched order); keeps the sort and the scroll position. */
  setRows(items: Investigation[]): void {
    this.source = items;
    this.timeKeys.clear();
    this.applySort();
  }

  /** The marks of new and changed rows (live mode), by id; shown from the next `setRows` or `refresh`. */
  setMarks(marks: ReadonlyMap<string, Mark>): void {
    this.marks = marks;
  }

  /** Redraws the rows in view (after the marks changed). */
  refresh(): void {
    for (const r of this.rows) r.dataset.index = '';
    this.render();
  }

  /** The rows in the order shown. */
  shown(): readonly Investigation[] {
    return this.view;
  }

  /** Sorts by `key`: ascending first, then descending, then back to the service's order. */
  toggleSort(key: Key): void {
    if (!this.sort || this.sort.key !== key) this.sort = { key, dir: 1 };
    else if (this.sort.dir === 1) this.sort = { key, dir: -1 };
    else this.sort = undefined;
    for (const th of this.headers) {
      const on = this.sort && th.dataset.key === this.sort.key;
      th.setAttribute('aria-sort', on ? (this.sort!.dir === 1 ? 'ascending' : 'descending') : 'none');
    }
    this.applySort();
  }

  private timeKey(key: Key): Float64Array {
    let keys = this.timeKeys.get(key);
    if (!keys) {
      keys = new Float64Array(this.source.length);
      this.source.forEach((item, i) => {
        const v = text(item, key);
        const t = v ? Date.parse(v) : NaN;
        keys![i] = Number.isNaN(t) ? Infinity : t;
      });
      this.timeKeys.set(key, keys);
    }
    return keys;
  }

  private applySort(): void {
    const s = this.sort;
    if (!s) {
      this.view = this.source;
    } else {
      const col = COLUMNS.find((c) => c.key === s.key)!;
      const order = Array.from(this.source.keys());
      const src = this.source;
      let cmp: (a: number, b: number) => number;
      if (col.sort === 'time') {
        const keys = this.timeKey(s.key);
        cmp = (a, b) => {
          const x = keys[a];
          const y = keys[b];
          if (x === y) return 0;
          if (x === Infinity) return 1; // missing times last in both directions
          if (y === Infinity) return -1;
          return (x - y) * s.dir;
        };
      } else if (col.sort === 'digits') {
        cmp = (a, b) => compareDigits(text(src[a], s.key), text(src[b], s.key)) * s.dir;
      } else {
        cmp = (a, b) => {
          const x = text(src[a], s.key);
          const y = text(src[b], s.key);
          if (x === y) return 0;
          if (x === null) return 1;
          if (y === null) return -1;
          return (x < y ? -1 : 1) * s.dir;
        };
      }
      order.sort((a, b) => cmp(a, b) || a - b);
      this.view = order.map((i) => src[i]);
    }
    this.table.setAttribute('aria-rowcount', String(this.view.length + 1));
    this.body.style.height = `${Math.max(this.view.length, 1) * ROW_HEIGHT}px`;
    for (const r of this.rows) r.dataset.index = '';
    this.render();
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private makeRow(): HTMLDivElement {
    const row = document.createElement('div');
    row.className = 'vrow';
    row.setAttribute('role', 'row');
    for (const c of COLUMNS) {
      const cell = document.createElement('div');
      cell.setAttribute('role', 'cell');
      cell.className = c.mono ? 'mono' : '';
      row.append(cell);
    }
    this.body.append(row);
    return row;
  }

  private render(): void {
    const n = this.view.length;
    if (n === 0) {
      for (const r of this.rows) r.remove();
      this.rows = [];
      this.body.dataset.empty = 'true';
      return;
    }
    delete this.body.dataset.empty;
    const top = Math.max(0, this.scroller.scrollTop - this.body.offsetTop);
    const height = this.scroller.clientHeight || 600;
    const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(n, Math.ceil((top + height) / ROW_HEIGHT) + OVERSCAN);
    const count = last - first;
    while (this.rows.length < count) this.rows.push(this.makeRow());
    while (this.rows.length > count) this.rows.pop()!.remove();
    for (let k = 0; k < count; k++) {
      const i = first + k;
      // Reuse the row that already shows index i, if any, so that scrolling rewrites few cells.
      const row = this.rows[i % count];
      if (row.dataset.index === String(i)) continue;
      const item = this.view[i];
      row.dataset.index = String(i);
      row.dataset.id = text(item, 'id') ?? '';
      row.setAttribute('aria-rowindex', String(i + 2));
      row.style.transform = `translateY(${i * ROW_HEIGHT}px)`;
      row.classList.toggle('odd', i % 2 === 1);
      const mark = this.marks.get(item.id);
      if (mark) row.dataset.mark = mark.kind;
      else delete row.dataset.mark;
      COLUMNS.forEach((c, j) => {
        const cell = row.children[j] as HTMLElement;
        const v = text(item, c.key);
        const isTime = c.sort === 'time';
        cell.textContent = isTime ? shortTime(v) : (v ?? '');
        cell.title = v ?? '';
        const changed = mark?.kind === 'changed' && mark.fields.includes(c.key);
        cell.classList.toggle('cell-changed', changed);
        if (c.key === 'state' && mark) {
          const badge = document.createElement('span');
          badge.className = 'mark';
          badge.textContent = MARK_WORDS[mark.kind];
          cell.prepend(badge, ' ');
          const what = mark.kind === 'changed' && mark.fields.length ? ` (${mark.fields.join(', ')})` : '';
          cell.title = `${MARK_WORDS[mark.kind]}${what}: ${v ?? ''}`;
        }
      });
    }
  }
}
