// Shared by the browser tests: an mde-mock process (the npm package's bin) per scenario, the dashboard server, headless Chromium.
// Everything listens on 127.0.0.1 with ports picked by the OS, and is stopped by the test that started it.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../serve.mjs';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

/**
 * The mock: the npm package mde-mock's bin, from its packed tarball, which `cargo xtask www-test` installs into
 * node_modules as a user installs it; or $MDE_MOCK_BIN (another bin script, or a native `mde-mock` binary).
 */
export const MOCK_BIN = process.env.MDE_MOCK_BIN ?? here('../node_modules/mde-mock/bin/mde-mock.js');
/** The command that runs it: a `.js` bin with this Node, anything else as a program. */
const MOCK_COMMAND = MOCK_BIN.endsWith('.js') ? [process.execPath, MOCK_BIN] : [MOCK_BIN];
/** Debian's Chromium. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Fixed data: the same investigations on every run. */
export const NOW = '2026-11-27T12:00:00Z';

/**
 * Starts `mde-mock --port 0 --now NOW ...args` and resolves once it printed its ready line.
 * @returns {Promise<{ url: string, admin: (path: string, init?: RequestInit) => Promise<any>, stop: () => Promise<void> }>}
 */
export async function startMock(args = []) {
  if (!existsSync(MOCK_BIN)) throw new Error(`${MOCK_BIN} is missing: cargo xtask www-test installs the packed mde-mock`);
  const [program, ...pre] = MOCK_COMMAND;
  const proc = spawn(program, [...pre, '--port', '0', '--now', NOW, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((ok) => proc.once('exit', ok));
  const url = await new Promise((ok, fail) => {
    const lines = createInterface({ input: proc.stdout });
    const timer = setTimeout(() => fail(new Error('mde-mock did not get ready in 60 s')), 60_000);
    lines.on('line', (line) => {
      const m = /^mde-mock listening on (http:\/\/\S+)$/.exec(line.trim());
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    });
    proc.once('exit', (code) => fail(new Error(`mde-mock exited (${code}) before it was ready`)));
  });
  const admin = async (path, init) => {
    const r = await fetch(`${url}/__admin/${path}`, init);
    if (!r.ok) throw new Error(`admin ${path}: ${r.status}`);
    return r.json();
  };
  return {
    url,
    admin,
    /** The data calls in the journal (the page's own GETs; CORS preflights left out). */
    journal: async () => (await admin('requests')).filter((e) => e.method === 'GET' && e.path.startsWith('/api/')),
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGINT');
      await exited;
    },
  };
}

/** Starts the dashboard server on dist/ with `config` as its /config.json. */
export function startDashboard(config) {
  return startServer({ root: here('../dist'), config });
}

/** Headless Chromium from Debian's packages. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * A page in a fresh context (UTC, downloads on) that records console errors and page errors in `errors`.
 * `allowed` lists patterns of console errors that a scenario expects (Chromium logs every 4xx/5xx response).
 */
export async function openPage(browser, url, { allowed = [], viewport = { width: 1400, height: 1000 } } = {}) {
  const context = await browser.newContext({ timezoneId: 'UTC', acceptDownloads: true, viewport });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !allowed.some((re) => re.test(m.text()))) errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]');
  return { page, context, errors };
}

/** Waits until the listing is no longer running and returns its final state (`done`, `cancelled`, `failed`). */
export async function listingEnds(page, timeout = 60_000) {
  await page.waitForFunction(
    () => {
      const s = document.getElementById('progress-text')?.dataset.state;
      return s === 'done' || s === 'cancelled' || s === 'failed';
    },
    null,
    { timeout },
  );
  return page.$eval('#progress-text', (el) => el.dataset.state);
}

/** Starts a listing from the form and waits for its end (however fast it is). */
export async function listNow(page) {
  const run = await page.$eval('#progress-text', (el) => Number(el.dataset.run ?? 0));
  await page.click('#list-button');
  await page.waitForFunction((n) => Number(document.getElementById('progress-text')?.dataset.run) > n, run);
  return listingEnds(page);
}

/** The count shown above the table. */
export function shownCount(page) {
  return page.$eval('#result-count', (el) => Number(el.dataset.count));
}

/** The ids of the rows the table has in the DOM, top to bottom (the virtual window). */
export function visibleIds(page) {
  return page.$$eval('#table .vbody [role="row"]', (rows) =>
    rows
      .map((r) => ({ i: Number(r.dataset.index), id: r.dataset.id }))
      .sort((a, b) => a.i - b.i)
      .map((r) => r.id),
  );
}

/** Chromium's console line for an HTTP error answer. */
export const httpStatusLogged = (status) => new RegExp(`status of ${status}\\b`);
