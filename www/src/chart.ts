// Investigations per day (UTC) by state, as stacked bars drawn by uPlot.

import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Investigation } from 'mde-investigations';

const DAY_MS = 86_400_000;
/** States drawn on their own; the rest are summed as "Other". */
const MAX_GROUPS = 7;

const COLORS: Record<string, string> = {
  SuccessfullyRemediated: '#2e7d32',
  PartiallyRemediated: '#9ccc65',
  Benign: '#5c7f9e',
  Running: '#1565c0',
  PendingApproval: '#f9a825',
  PendingResource: '#ffcc80',
  Queued: '#80deea',
  Failed: '#c62828',
  InnerFailure: '#ef9a9a',
  TerminatedByUser: '#6a1b9a',
  TerminatedBySystem: '#ba68c8',
  Terminated: '#8e24aa',
  PartiallyInvestigated: '#00897b',
  UnsupportedOs: '#795548',
  UnsupportedAlertType: '#a1887f',
  SuppressedAlert: '#9e9e9e',
  PreexistingAlert: '#546e7a',
  Unknown: '#bdbdbd',
};
const OTHER = '#757575';

/** Counts per day and state. */
export interface DayCounts {
  /** Day starts, seconds since the epoch (uPlot's x unit), every day from the first to the last. */
  days: number[];
  /** State groups, the most frequent first, "Other" last when there is one. */
  groups: string[];
  /** `counts[g][d]`: investigations of group `g` that started on day `d`. */
  counts: number[][];
  /** Investigations without a start time (not drawn). */
  undated: number;
}

/** Counts `items` per UTC day and state group. */
export function countPerDay(items: readonly Investigation[]): DayCounts {
  const perState = new Map<string, Map<number, number>>();
  const totals = new Map<string, number>();
  let min = Infinity;
  let max = -Infinity;
  let undated = 0;
  for (const it of items) {
    const t = it.startTime ? Date.parse(it.startTime) : NaN;
    if (Number.isNaN(t)) {
      undated++;
      continue;
    }
    const day = Math.floor(t / DAY_MS);
    min = Math.min(min, day);
    max = Math.max(max, day);
    const state = it.state ?? 'Unknown';
    let m = perState.get(state);
    if (!m) perState.set(state, (m = new Map()));
    m.set(day, (m.get(day) ?? 0) + 1);
    totals.set(state, (totals.get(state) ?? 0) + 1);
  }
  if (min === Infinity) return { days: [], groups: [], counts: [], undated };
  const states = [...totals.keys()].sort((a, b) => totals.get(b)! - totals.get(a)! || (a < b ? -1 : 1));
  const own = states.length > MAX_GROUPS ? states.slice(0, MAX_GROUPS - 1) : states;
  const rest = states.slice(own.length);
  const n = max - min + 1;
  const days = Array.from({ length: n }, (_, i) => ((min + i) * DAY_MS) / 1000);
  const row = (names: string[]) => {
    const c = new Array<number>(n).fill(0);
    for (const s of names) for (const [d, k] of perState.get(s)!) c[d - min] += k;
    return c;
  };
  const groups = own.slice();
  const counts = own.map((s) => row([s]));
  if (rest.length > 0) {
    groups.push('Other');
    counts.push(row(rest));
  }
  return { days, groups, counts, undated };
}

/** The chart: created on first data, recreated when the groups change, resized with its box. */
export class DayChart {
  private plot: uPlot | undefined;
  private groupsKey = '';
  private data: DayCounts = { days: [], groups: [], counts: [], undated: 0 };

  constructor(
    private readonly host: HTMLElement,
    private readonly summary: HTMLElement,
  ) {
    new ResizeObserver(() => this.plot?.setSize(this.size())).observe(host);
  }

  private size(): { width: number; height: number } {
    return { width: Math.max(320, this.host.clientWidth - 8), height: 220 };
  }

  /** Shows the counts of `items`. */
  update(items: readonly Investigation[]): void {
    const d = countPerDay(items);
    this.data = d;
    this.describe(items.length);
    if (d.days.length === 0) {
      this.plot?.destroy();
      this.plot = undefined;
      this.groupsKey = '';
      return;
    }
    // Stacked bars: series j is drawn up to the sum of groups 0..j; the tallest is drawn first, so the series
    // run from the last group to the first and each smaller sum is painted over the larger ones.
    const order = d.groups.map((_, j) => d.groups.length - 1 - j);
    const cumulative = order.map((g) => d.days.map((_, i) => d.counts.slice(0, g + 1).reduce((s, c) => s + c[i], 0)));
    const data: uPlot.AlignedData = [d.days, ...cumulative];
    const key = d.groups.join('|');
    if (this.plot && key === this.groupsKey) {
      this.plot.setData(data);
      return;
    }
    this.plot?.destroy();
    this.groupsKey = key;
    const bars = uPlot.paths.bars!({ size: [0.85, 24], gap: 1 });
    const opts: uPlot.Options = {
      ...this.size(),
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      scales: { x: { time: true } },
      axes: [{}, { label: 'investigations', size: 50 }],
      legend: { live: true },
      cursor: { drag: { x: false, y: false } },
      series: [
        { label: 'Day (UTC)', value: '{YYYY}-{MM}-{DD}' },
        ...order.map((g) => {
          const name = d.groups[g];
          const color = COLORS[name] ?? OTHER;
          return {
            label: name,
            stroke: color,
            fill: color,
            width: 0,
            paths: bars,
            points: { show: false },
            value: (_u: uPlot, _v: number | null, _s: number, idx: number | null) =>
              idx === null ? '—' : String(this.data.counts[g]?.[idx] ?? 0),
          } satisfies uPlot.Series;
        }),
      ],
    };
    this.plot = new uPlot(opts, data, this.host);
  }

  private describe(total: number): void {
    const d = this.data;
    if (total === 0) {
      this.summary.textContent = 'No data yet.';
      return;
    }
    const sums = d.groups.map((g, j) => `${g} ${d.counts[j].reduce((a, b) => a + b, 0).toLocaleString('en')}`);
    const range =
      d.days.length > 0
        ? ` from ${new Date(d.days[0] * 1000).toISOString().slice(0, 10)} to ${new Date(d.days[d.days.length - 1] * 1000).toISOString().slice(0, 10)}`
        : '';
    const undated = d.undated ? `; ${d.undated.toLocaleString('en')} without a start time` : '';
    this.summary.textContent = `${total.toLocaleString('en')} investigations${range}: ${sums.join(', ')}${undated}.`;
  }
}
