// The dashboard: wires the filter form, the connection, one listing at a time, the table, the chart and exports.

import './styles.css';
import type { ClientEvent, Investigation, InvestigationsClient } from 'mde-investigations';
import { DayChart } from './chart';
import { describe, LIVE_INTERVAL_MS, loadConfig, makeClient, saveLimiter, type Connection } from './connection';
import { asMdeError, bannerFor, showBanner, throttledBanner, type Banner } from './errors';
import { download, stamp, toCsv, toJson } from './export';
import { effectiveFilter, readFields, STATES } from './filters';
import { countPending, LiveRows, PENDING_APPROVAL } from './live';
import { LiveStatusView, PendingView, ProgressView, RateGauge, type Progress, type TickChanges } from './status';
import { VirtualTable } from './table';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const queryForm = $<HTMLFormElement>('query-form');
const connForm = $<HTMLFormElement>('connection-form');
const stateSelect = $<HTMLSelectElement>('f-state');
const odata = $<HTMLTextAreaElement>('f-odata');
const odataStatus = $<HTMLDivElement>('f-odata-status');
const effectiveOut = $<HTMLOutputElement>('effective-filter');
const pageSizeInput = $<HTMLInputElement>('f-page-size');
const listButton = $<HTMLButtonElement>('list-button');
const cancelButton = $<HTMLButtonElement>('cancel-button');
const alerts = $<HTMLDivElement>('alerts');
const notices = $<HTMLDivElement>('notices');
const countEl = $<HTMLSpanElement>('result-count');
const exportCsv = $<HTMLButtonElement>('export-csv');
const exportJson = $<HTMLButtonElement>('export-json');
const regionSelect = $<HTMLSelectElement>('c-region');
const baseUrlInput = $<HTMLInputElement>('c-base-url');
const tokenInput = $<HTMLInputElement>('c-token');
const liveSwitch = $<HTMLInputElement>('live-switch');

for (const s of STATES) stateSelect.add(new Option(s, s));

const table = new VirtualTable($('table'));
const chart = new DayChart($('chart'), $('chart-summary'));
const progressView = new ProgressView();
const gauge = new RateGauge();
const pendingView = new PendingView();
const liveStatus = new LiveStatusView();

/** How long a new or changed row stays marked in live mode. */
const MARK_MS = 8_000;

/** What was fetched by the last listing, in the order it came. */
let fetched: Investigation[] = [];
let client: InvestigationsClient | undefined;
let clientFor = '';
/** The demo's description of its target (`config.json`), shown while the connection is the one it describes. */
let configLabel: { key: string; label: string } | undefined;
/** Rows were listed or watched since the page loaded (the pending count then counts them). */
let listed = false;
/** How many listings were started (`data-run` of the progress text, for tests and scripts). */
let runs = 0;
/** The listing in progress, if any. */
let run: { controller: AbortController; progress: Progress; lastRetryStatus?: number; throttled: boolean } | undefined;
/** The end of the listing in progress (Live waits for it after aborting it). */
let listing: Promise<void> | undefined;
/** The live view's interval (`config.json` or `?liveIntervalMs=`). */
let liveIntervalMs = LIVE_INTERVAL_MS;

/** The Live switch's watches while it is on. */
interface Live {
  client: InvestigationsClient;
  controller: AbortController;
  rows: LiveRows;
  /** Ids waiting for approval, from a second watch when the view is filtered (else the view holds them all). */
  pending?: Set<string>;
  /** The view's snapshot arrived; the approvals' one (when there is a second watch). */
  viewReady: boolean;
  pendingReady: boolean;
  progress: Progress;
  ticks: number;
  changes: TickChanges;
  /** A redraw is scheduled. */
  drawing: boolean;
  markTimer?: ReturnType<typeof setTimeout>;
  /** The notice of the last failed refresh, until a refresh succeeds (then it says the view caught up). */
  failure?: Banner;
}
let live: Live | undefined;

// ---- connection ----

function connection(): Connection {
  return { region: regionSelect.value, baseUrl: baseUrlInput.value.trim(), token: tokenInput.value.trim() };
}

function onEvent(e: ClientEvent): void {
  if (live) onLiveEvent(live, e);
  const r = run;
  if (!r) return;
  switch (e.type) {
    case 'request':
      r.progress.requests++;
      gauge.resume();
      break;
    case 'wait':
      gauge.waiting(e.ms, e.reason);
      if (e.reason === 'retryAfter' && (r.lastRetryStatus === 429 || r.lastRetryStatus === undefined)) {
        r.throttled = true;
        showBanner(alerts, throttledBanner(e.ms, false));
      }
      break;
    case 'retry':
      r.progress.retries++;
      r.lastRetryStatus = e.status;
      if (e.status === 429 && !r.throttled) {
        r.throttled = true;
        showBanner(alerts, throttledBanner(undefined, false));
      }
      break;
    case 'items':
      // Investigations of the page in flight, while its body arrives.
      r.progress.inPage = (r.progress.inPage ?? 0) + e.items - r.progress.items;
      r.progress.items = e.items;
      break;
    case 'page':
      r.progress.pages = e.pages;
      r.progress.items = e.items;
      r.progress.inPage = 0;
      break;
  }
  progressView.show('running', r.progress);
}

/** The client for the current connection; a new one when the connection changed. */
function currentClient(): InvestigationsClient {
  const c = connection();
  const key = JSON.stringify(c);
  if (!client || key !== clientFor) {
    client = makeClient(c, onEvent);
    clientFor = key;
    gauge.watch(client);
  }
  return client;
}

function showTarget(): void {
  const c = connection();
  baseUrlInput.disabled = c.region !== '';
  const name = configLabel?.key === JSON.stringify(c) ? configLabel.label : describe(c);
  $('target-summary').textContent = `Service: ${name}${c.token ? '' : ' · no token yet (see Connection)'}`;
}

// ---- filters ----

function caretLine(text: string, position: number): string {
  const line = text.slice(0, position).split('\n').length;
  const lineStart = text.lastIndexOf('\n', position - 1) + 1;
  const lineEnd = text.indexOf('\n', position);
  const lineText = text.slice(lineStart, lineEnd === -1 ? undefined : lineEnd);
  return `line ${line}: ${lineText}\n${' '.repeat(`line ${line}: `.length + position - lineStart)}^`;
}

/** Validates the form as the user types; returns the filter text to send, or undefined when it is not valid. */
function refreshFilter(): { ok: boolean; text?: string } {
  const fields = readFields(queryForm);
  const r = effectiveFilter(fields);
  odataStatus.replaceChildren();
  odata.removeAttribute('aria-invalid');
  if (!r.ok) {
    const p = r.problem;
    effectiveOut.textContent = '(not valid: nothing will be sent)';
    const msg = document.createElement('p');
    msg.className = 'error';
    msg.id = 'f-odata-error';
    if (p.source === 'odata') {
      odata.setAttribute('aria-invalid', 'true');
      msg.textContent = p.position === undefined ? p.message : `Error at position ${p.position}: ${p.message}`;
      odataStatus.append(msg);
      if (p.position !== undefined) {
        const pre = document.createElement('pre');
        pre.className = 'caret';
        pre.setAttribute('aria-hidden', 'true');
        pre.textContent = caretLine(fields.odata, p.position);
        odataStatus.append(pre);
      }
      odataStatus.dataset.position = p.position === undefined ? '' : String(p.position);
    } else {
      msg.textContent = `The fields above: ${p.message}`;
      odataStatus.append(msg);
    }
    return { ok: false };
  }
  delete odataStatus.dataset.position;
  if (fields.odata.trim()) {
    const ok = document.createElement('p');
    ok.className = 'ok';
    ok.textContent = 'Valid.';
    odataStatus.append(ok);
  }
  effectiveOut.textContent = r.text ?? '(none: every investigation)';
  return { ok: true, text: r.text };
}

// ---- listing ----

function showResults(): void {
  table.setRows(fetched);
  chart.update(fetched);
  countEl.textContent = `(${fetched.length.toLocaleString('en')})`;
  countEl.dataset.count = String(fetched.length);
  exportCsv.disabled = exportJson.disabled = fetched.length === 0;
  showPending();
}

/** The count of those waiting for approval: live (all investigations), else in what was listed. */
function showPending(): void {
  if (live) {
    const l = live;
    const n = l.pending ? (l.pendingReady ? l.pending.size : undefined) : l.viewReady ? countPending(l.rows.rows) : undefined;
    pendingView.show(n, 'live');
  } else if (listed) {
    pendingView.show(countPending(fetched), 'list');
  } else {
    pendingView.show(undefined, 'none');
  }
}

function setRunning(on: boolean): void {
  listButton.disabled = on;
  cancelButton.disabled = !on;
  queryForm.setAttribute('aria-busy', String(on));
}

function list(): Promise<void> {
  if (live) return startLive(); // the view follows the form: the watch starts again with its filter
  if (!run) listing = listOnce().finally(() => (listing = undefined));
  return listing ?? Promise.resolve();
}

async function listOnce(): Promise<void> {
  if (run) return;
  const f = refreshFilter();
  if (!f.ok) {
    odata.focus();
    const pos = Number(odataStatus.dataset.position);
    if (Number.isInteger(pos)) odata.setSelectionRange(pos, pos);
    return;
  }
  alerts.replaceChildren();
  notices.replaceChildren();
  let c: InvestigationsClient;
  try {
    c = currentClient();
  } catch (e) {
    showBanner(alerts, bannerFor(asMdeError(e), describe(connection())));
    return;
  }
  const pageSize = Math.min(10_000, Math.max(1, Math.trunc(Number(pageSizeInput.value) || 10_000)));
  const progress = { pages: 0, items: 0, requests: 0, retries: 0, inPage: 0, pageSize };
  const r = (run = { controller: new AbortController(), progress, throttled: false });
  fetched = [];
  listed = true;
  runs++;
  $('progress-text').dataset.run = String(runs);
  showResults();
  setRunning(true);
  progressView.show('running', r.progress);
  // Rows are shown as they arrive, investigation by investigation while a page's body streams in: redrawn at
  // most every 150 ms (a timer, so that the last rows before a pause show too), and at the end.
  let redraw: ReturnType<typeof setTimeout> | undefined;
  const draw = () => {
    redraw = undefined;
    if (run !== r) return;
    showResults();
    saveLimiter(connection(), c);
  };
  try {
    const listing = c.list({ filter: f.text, pageSize, signal: r.controller.signal });
    for await (const it of listing) {
      fetched.push(it);
      redraw ??= setTimeout(draw, 150);
    }
    clearTimeout(redraw);
    showResults();
    r.progress.items = fetched.length;
    progressView.show('done', r.progress);
    if (r.throttled) showBanner(alerts, throttledBanner(undefined, true));
  } catch (e) {
    clearTimeout(redraw);
    showResults();
    r.progress.items = fetched.length;
    const err = asMdeError(e);
    const banner = bannerFor(err, describe(connection()));
    if (err.kind === 'Aborted') {
      progressView.show('cancelled', r.progress);
      showBanner(notices, banner);
    } else {
      progressView.show('failed', r.progress);
      showBanner(alerts, banner);
    }
  } finally {
    gauge.resume();
    saveLimiter(connection(), c);
    run = undefined;
    setRunning(false);
  }
}

// ---- live ----

function onLiveEvent(l: Live, e: ClientEvent): void {
  switch (e.type) {
    case 'request':
      l.progress.requests++;
      gauge.resume();
      break;
    case 'wait':
      gauge.waiting(e.ms, e.reason);
      break;
    case 'retry':
      l.progress.retries++;
      break;
    case 'watchTick':
      // The view's watch and the approvals' (when there is one) both report their ticks here, through the client.
      l.ticks++;
      if (l.failure) {
        // The watch starts the next tick at once after a failed one: say that it caught up, rather than let the
        // notice vanish before anyone could read it.
        showBanner(notices, {
          ...l.failure,
          severity: 'info',
          title: `${l.failure.title}; the next one caught up at ${new Date().toISOString().slice(11, 19)} UTC`,
          advice: 'The view is current again.',
        });
        l.failure = undefined;
      }
      draw(l);
      liveStatus.show('current', liveIntervalMs, l.ticks, l.changes);
      l.changes = { added: 0, changed: 0, removed: 0 };
      saveLimiter(connection(), l.client);
      break;
    case 'watchTickFailed': {
      const err = asMdeError(e.error);
      liveStatus.show('failed', liveIntervalMs, l.ticks, undefined, err.kind);
      const b = bannerFor(err, describe(connection()));
      l.failure = {
        ...b,
        kind: 'LiveTickFailed',
        severity: 'warning',
        title: `A live refresh failed at ${new Date().toISOString().slice(11, 19)} UTC (${b.title})`,
        advice: 'The table shows the last view; the next refresh tries again by itself.',
      };
      showBanner(notices, l.failure);
      break;
    }
    default:
      return;
  }
  if (live === l && l.ticks > 0) progressView.show('live', { ...l.progress, items: l.rows.rows.length });
}

/** Shows the live rows, their marks, the chart and the pending count; plans when the next mark ends. */
function draw(l: Live): void {
  l.drawing = false;
  if (live !== l) return;
  // While the tab is hidden the marks stay: the analyst sees what changed when they come back.
  const seen = document.visibilityState === 'visible';
  if (seen) l.rows.expire(performance.now());
  fetched = l.rows.rows.slice(); // the table keeps its rows until the next draw; the watch's go on changing
  listed = true;
  table.setMarks(l.rows.marks);
  showResults();
  clearTimeout(l.markTimer);
  const next = l.rows.nextExpiry();
  if (seen && next !== undefined) {
    l.markTimer = setTimeout(() => draw(l), Math.max(0, next - performance.now()) + 20);
  }
}

function scheduleDraw(l: Live): void {
  if (l.drawing) return;
  l.drawing = true;
  setTimeout(() => draw(l), 0);
}

/** Turns the Live switch on (or starts its watch again with the form's filter). */
async function startLive(): Promise<void> {
  abortLive();
  if (run) {
    run.controller.abort(); // the watch's snapshot replaces the listing
    await listing;
  }
  const f = refreshFilter();
  let c: InvestigationsClient | undefined;
  if (f.ok) {
    try {
      c = currentClient();
    } catch (e) {
      showBanner(alerts, bannerFor(asMdeError(e), describe(connection())));
    }
  } else {
    odata.focus();
  }
  if (!c || !liveSwitch.checked) {
    stopLive();
    return;
  }
  alerts.replaceChildren();
  notices.replaceChildren();
  const client = c;
  const l: Live = {
    client,
    viewReady: false,
    pendingReady: false,
    controller: new AbortController(),
    rows: new LiveRows(MARK_MS),
    pending: f.text === undefined ? undefined : new Set(),
    progress: { pages: 0, items: 0, requests: 0, retries: 0 },
    ticks: 0,
    changes: { added: 0, changed: 0, removed: 0 },
    drawing: false,
  };
  live = l;
  cancelButton.disabled = true;
  liveStatus.show('starting', liveIntervalMs);
  showPending();
  const signal = l.controller.signal;
  const view = (async () => {
    for await (const event of client.watch({ filter: f.text, intervalMs: liveIntervalMs, signal })) {
      l.rows.apply(event, performance.now());
      if (event.type === 'snapshot') l.viewReady = true;
      else l.changes[event.type]++;
      scheduleDraw(l);
    }
  })();
  const ids = l.pending;
  const approvals = ids
    ? (async () => {
        const filter = `state eq '${PENDING_APPROVAL}'`;
        for await (const event of client.watch({ filter, intervalMs: liveIntervalMs, signal })) {
          if (event.type === 'snapshot') {
            for (const it of event.investigations) ids.add(it.id);
            l.pendingReady = true;
          } else if (event.type === 'removed') ids.delete(event.investigation.id);
          else ids.add(event.investigation.id);
          if (live === l) showPending();
        }
      })()
    : undefined;
  try {
    await Promise.all([view, approvals]);
  } catch (e) {
    const err = asMdeError(e);
    if (live === l && err.kind !== 'Aborted') {
      showBanner(alerts, bannerFor(err, describe(connection())));
      stopLive();
      liveStatus.show('failed', liveIntervalMs, l.ticks, undefined, err.kind);
    }
  }
}

/** Stops the watches (their requests and waits end at once), if any; the rows stay. */
function abortLive(): Live | undefined {
  const l = live;
  if (!l) return undefined;
  live = undefined;
  l.controller.abort();
  clearTimeout(l.markTimer);
  return l;
}

/** Turns the Live switch off: [`abortLive`], and the page shows what it has as a still list. */
function stopLive(): void {
  const l = abortLive();
  liveSwitch.checked = false;
  table.setMarks(new Map());
  table.refresh();
  liveStatus.show('off', liveIntervalMs);
  if (l) {
    progressView.show('idle', l.progress);
    saveLimiter(connection(), l.client);
  }
  gauge.resume();
  showPending();
}

// ---- wiring ----

queryForm.addEventListener('submit', (e) => {
  e.preventDefault();
  void list();
});
queryForm.addEventListener('input', () => refreshFilter());
queryForm.addEventListener('reset', () => setTimeout(refreshFilter, 0));
odata.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
    e.preventDefault();
    queryForm.requestSubmit();
  }
});
cancelButton.addEventListener('click', () => run?.controller.abort());
document.addEventListener('visibilitychange', () => {
  if (!live || document.visibilityState !== 'visible') return;
  live.rows.hold(performance.now());
  draw(live);
});
liveSwitch.addEventListener('change', () => void (liveSwitch.checked ? startLive() : stopLive()));
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && run) run.controller.abort();
});
connForm.addEventListener('input', showTarget);
connForm.addEventListener('submit', (e) => e.preventDefault());
exportCsv.addEventListener('click', () => download(`${stamp()}.csv`, 'text/csv', toCsv(fetched)));
exportJson.addEventListener('click', () => download(`${stamp()}.json`, 'application/json', toJson(fetched)));

async function start(): Promise<void> {
  const config = await loadConfig();
  regionSelect.value = config.region ?? '';
  baseUrlInput.value = config.baseUrl ?? '';
  tokenInput.value = config.token ?? '';
  if (config.pageSize) pageSizeInput.value = String(config.pageSize);
  if (config.label) configLabel = { key: JSON.stringify(connection()), label: config.label };
  if (config.liveIntervalMs && config.liveIntervalMs >= 100) liveIntervalMs = config.liveIntervalMs;
  showTarget();
  refreshFilter();
  showPending();
  document.body.dataset.ready = 'true';
  if (config.live && config.token) {
    liveSwitch.checked = true;
    await startLive();
  } else if (config.autoList && config.token) {
    await list();
  } else if (!config.token) {
    ($('connection') as HTMLDetailsElement).open = true;
    showBanner(notices, {
      kind: 'Setup',
      severity: 'info',
      title: 'Connect to a tenant',
      advice: 'Choose the service (or a proxy base URL), paste a bearer token under Connection, then List investigations.',
      details: 'Nothing has been sent yet.',
    });
  }
}

void start();
