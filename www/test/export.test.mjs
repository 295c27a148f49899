// Point 2/3: export downloads a file with exactly the rows that were fetched, as CSV and as JSON.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { launchBrowser, listNow, openPage, startDashboard, startMock } from './helpers.mjs';

const FIELDS = [
  'id',
  'startTime',
  'endTime',
  'state',
  'cancelledBy',
  'statusDetails',
  'machineId',
  'computerDnsName',
  'triggeringAlertId',
];

let mock;
let dash;
let browser;
let oracle;

before(async () => {
  mock = await startMock(['--count', '2500']);
  dash = await startDashboard({ baseUrl: mock.url, token: 'any-token', autoList: false });
  browser = await launchBrowser();
  oracle = await mock.admin('investigations');
});

after(async () => {
  await browser?.close();
  await dash?.close();
  await mock?.stop();
});

/** RFC 4180 CSV, parsed here independently of the page's writer. */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  assert.equal(cell + row.join(''), '', 'the file ends with CRLF');
  return rows;
}

async function downloadOf(page, button) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
  const path = await download.path();
  return { name: download.suggestedFilename(), text: await readFile(path, 'utf8') };
}

test('export buttons are disabled until something was fetched', async () => {
  const { page, errors, context } = await openPage(browser, dash.url);
  assert.equal(await page.isDisabled('#export-csv'), true);
  assert.equal(await page.isDisabled('#export-json'), true);
  assert.deepEqual(errors, []);
  await context.close();
});

test('CSV and JSON hold exactly the fetched rows (a filtered, two-page listing), all nine properties', async () => {
  const { page, errors, context } = await openPage(browser, dash.url);
  await page.selectOption('#f-state', ['SuccessfullyRemediated', 'TerminatedByUser']);
  await page.fill('#f-page-size', '500');
  assert.equal(await listNow(page), 'done');
  const expected = oracle.filter((i) => i.state === 'SuccessfullyRemediated' || i.state === 'TerminatedByUser');
  assert.ok(expected.length > 500, 'more than one page');

  const csv = await downloadOf(page, '#export-csv');
  assert.match(csv.name, /^investigations-\d{8}T\d{6}Z\.csv$/);
  const rows = parseCsv(csv.text);
  assert.deepEqual(rows[0], FIELDS);
  assert.equal(rows.length - 1, expected.length);
  rows.slice(1).forEach((row, k) => {
    assert.deepEqual(
      row,
      FIELDS.map((f) => expected[k][f] ?? ''),
      `CSV row ${k + 1}`,
    );
  });
  // TerminatedByUser rows carry who cancelled them.
  assert.ok(rows.some((r) => r[3] === 'TerminatedByUser' && r[4] !== ''));

  const json = await downloadOf(page, '#export-json');
  assert.match(json.name, /^investigations-\d{8}T\d{6}Z\.json$/);
  assert.deepEqual(
    JSON.parse(json.text),
    expected.map((i) => Object.fromEntries(FIELDS.map((f) => [f, i[f] ?? null]))),
  );
  assert.deepEqual(errors, []);
  await context.close();
});

test('after a cancelled listing, export holds what was fetched before the cancel', async () => {
  const slow = await startMock(['--count', '2000', '--latency-ms', '300']);
  const slowDash = await startDashboard({ baseUrl: slow.url, token: 'any-token', autoList: false });
  try {
    const { page, errors, context } = await openPage(browser, slowDash.url, { allowed: [/net::ERR_ABORTED/] });
    const all = await slow.admin('investigations');
    await page.fill('#f-page-size', '100');
    await page.click('#list-button');
    await page.waitForFunction(() => Number(document.getElementById('progress-text')?.dataset.pages) >= 2);
    await page.click('#cancel-button');
    await page.waitForFunction(() => document.getElementById('progress-text')?.dataset.state === 'cancelled');
    const items = Number(await page.getAttribute('#progress-text', 'data-items'));
    const json = JSON.parse((await downloadOf(page, '#export-json')).text);
    assert.deepEqual(json.map((i) => i.id), all.slice(0, items).map((i) => i.id));
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    await slowDash.close();
    await slow.stop();
  }
});
