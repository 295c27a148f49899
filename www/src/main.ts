// The dashboard: wires the filter form, the connection, one listing at a time, the table, the chart and exports.

import './styles.css';
import type { ClientEvent, Investigation, InvestigationsClient } from 'mde-investigations';
import { DayChart } from './chart';
import { describe, loadConfig, makeClient, saveLimiter, type Connection } from './connection';
import { asMdeError, bannerFor, showBanner, throttledBanner } from './errors';
import { download, stamp, toCsv, toJson } from './export';
import { effectiveFilter, readFields, STATES } from './filters';
import { ProgressView, RateGauge, type Progress } from './status';
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

for (const s of STATES) stateSelect.add(new Option(s, s));

const table = new VirtualTable($('table'));
const chart = new DayChart($('chart'), $('chart-summary'));
const progressView = new ProgressView();
const gauge = new RateGauge();

/** What was fetched by the last listing, in the order it came. */
let fetched: Investigation[] = [];
let client: InvestigationsClient | undefined;
let clientFor = '';
/** The demo's description of its target (`config.json`), shown while the connection is the one it describes. */
let configLabel: { key: string; label: string } | undefined;
/** How many listings were started (`data-run` of the progress text, for tests and scripts). */
let runs = 0;
/** The listing in progress, if any. */
let run: { controller: AbortController; progress: Progress; lastRetryStatus?: number; throttled: boolean } | undefined;

// ---- connection ----

function connection(): Connection {
  return { region: regionSelect.value, baseUrl: baseUrlInput.value.trim(), token: tokenInput.value.trim() };
}

function onEvent(e: ClientEvent): void {
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
    case 'page':
      r.progress.pages = e.pages;
      r.progress.items = e.items;
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
}

function setRunning(on: boolean): void {
  listButton.disabled = on;
  cancelButton.disabled = !on;
  queryForm.setAttribute('aria-busy', String(on));
}

async function list(): Promise<void> {
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
  const r = (run = { controller: new AbortController(), progress: { pages: 0, items: 0, requests: 0, retries: 0 }, throttled: false });
  fetched = [];
  runs++;
  $('progress-text').dataset.run = String(runs);
  showResults();
  setRunning(true);
  progressView.show('running', r.progress);
  let lastDraw = 0;
  try {
    const listing = c.list({ filter: f.text, pageSize, signal: r.controller.signal });
    let pages = 0;
    for await (const page of listing.byPage()) {
      for (const it of page) fetched.push(it);
      pages++;
      r.progress.pages = Math.max(r.progress.pages, pages);
      r.progress.items = Math.max(r.progress.items, fetched.length);
      progressView.show('running', r.progress);
      // Redraw at most every 200 ms while pages stream in; always at the end.
      if (performance.now() - lastDraw > 200) {
        showResults();
        lastDraw = performance.now();
      }
      saveLimiter(connection(), c);
    }
    showResults();
    r.progress.items = fetched.length;
    progressView.show('done', r.progress);
    if (r.throttled) showBanner(alerts, throttledBanner(undefined, true));
  } catch (e) {
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
  showTarget();
  refreshFilter();
  document.body.dataset.ready = 'true';
  if (config.autoList && config.token) {
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
