// Byte for byte: the npm bin, the handler (in this process, asked at the native binary's URL) and the handler
// served over HTTP (handler-server.js) answer every call as the native binary does with the same flags. A few
// hundred calls per run: generated $filter expressions (valid and invalid, OData 4.0 and 4.01 syntax) in both
// versions, $top/$skip edges, every error kind (400, 401, 403, 404, 405, 429 from both windows and from JWT quotas),
// single investigations (odd ids of a data file too), $metadata, /api/v1.0/..., next links in every mode, the admin
// API (config, faults, data, PATCH, journal), planned faults and a fault rate on a raw socket, raw bytes in the
// request target. Compared: the status, the headers that matter, the body (each face's own URL written `URL`, so
// that `@odata.context` and the links compare), how the connection ended, and at the end the journal without its
// times.
//
// Needs MDE_MOCK_NATIVE (the native binary), as `cargo xtask test` gives it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { createMockApi } from 'mde-mock';

import { NOW, rawRequest, startBin } from './helpers.js';

const NATIVE = process.env.MDE_MOCK_NATIVE;
const ADAPTER = [process.execPath, join(dirname(fileURLToPath(import.meta.url)), 'handler-server.js')];

/** The headers compared (the others, `date` and `connection`, are the server's own). */
const HEADERS = [
  'content-type',
  'odata-version',
  'retry-after',
  'retry-after-ms',
  'www-authenticate',
  'allow',
  'vary',
  'access-control-allow-origin',
  'access-control-allow-methods',
  'access-control-allow-headers',
  'access-control-expose-headers',
  'access-control-max-age',
];

const dir = mkdtempSync(join(tmpdir(), 'mde-mock-differential-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

// ---------------------------------------------------------------------------------------------------------------
// The faces

/** The native binary's flags for `createMockApi`'s options (a data file for `investigations`). */
function flagsOf(options) {
  const flags = ['--port', '0'];
  for (const [name, value] of Object.entries(options)) {
    const flag = `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    if (name === 'investigations') {
      const file = join(dir, `data-${Math.random().toString(36).slice(2)}.json`);
      writeFileSync(file, JSON.stringify(value));
      flags.push('--data', file);
    } else if (name === 'tokens' || name === 'forbiddenTokens') {
      for (const token of value) flags.push(name === 'tokens' ? '--token' : '--forbidden-token', token);
    } else if (value === true) {
      flags.push(flag);
    } else if (value === false) {
      continue;
    } else {
      flags.push(flag, String(value));
    }
  }
  return flags;
}

/** A face over HTTP: every call on a raw socket of its own. */
function overHttp(name, running) {
  return {
    name,
    url: running.url,
    async call(method, target, headers, body) {
      const r = await rawRequest(running.url, method, target, headers, body);
      if (r.closedWithoutAnswer) return { closed: true };
      return { status: r.status, headers: r.headers, body: r.body, contentLength: r.contentLength };
    },
    stop: () => running.stop(),
  };
}

/** The in-process handler, asked at `url` (the native binary's): its Response, or the TypeError of a network error. */
function inProcess(name, api, url) {
  return {
    name,
    url,
    async call(method, target, headers, body) {
      let response;
      try {
        response = await api.fetch(`${url}${target}`, { method, headers, body });
      } catch (e) {
        assert.ok(e instanceof TypeError, `${name}: ${method} ${target} rejected with ${e}`);
        return { closed: true };
      }
      const chunks = [];
      const reader = response.body?.getReader();
      try {
        for (;;) {
          const next = await reader?.read();
          if (!next || next.done) break;
          chunks.push(next.value);
        }
      } catch {
        // The body was cut (fault `truncate`): what arrived is compared.
      }
      const map = new Map();
      response.headers.forEach((value, key) => map.set(key, value));
      const length = map.get('content-length');
      return { status: response.status, headers: map, body: Buffer.concat(chunks), contentLength: length === undefined ? undefined : Number(length) };
    },
    stop: async () => {},
  };
}

/**
 * What is compared of an answer: `URL` for the face's own base URL; the journal's times left out. The body's length
 * is compared through the text (`content-length` differs with the length of the port); `cut` says that fewer bytes
 * came than `content-length` announced, `half` that exactly the first half came (fault `truncate`).
 */
function comparable(face, answer, { journal = false } = {}) {
  if (answer.closed) return { closed: true };
  let text = answer.body.toString('latin1').replaceAll(face.url, 'URL');
  if (journal && answer.status === 200) {
    // Times differ between processes; so does a limit's exact wait (the announced seconds are compared).
    const entries = JSON.parse(text).map(({ timestamp_ms, timestamp, retry_after_ms, ...rest }) => ({ ...rest, waited: retry_after_ms !== null }));
    text = JSON.stringify(entries);
  }
  const headers = Object.fromEntries(HEADERS.map((h) => [h, answer.headers.get(h) ?? null]));
  const declared = answer.contentLength ?? answer.body.length;
  const cut = answer.body.length < declared;
  return { status: answer.status, headers, cut, half: cut ? answer.body.length === Math.floor(declared / 2) : null, text };
}

/**
 * Asserts that `got` is `expected`. A cut body is compared up to the shorter of the two: half of a body whose URL is
 * longer by a digit may end a byte later.
 */
function assertSame(got, expected, what) {
  if (expected.cut && got.cut) {
    const common = Math.min(got.text.length, expected.text.length);
    assert.ok(Math.abs(got.text.length - expected.text.length) <= 1, `${what}: cut after ${got.text.length} against ${expected.text.length}`);
    assert.deepEqual({ ...got, text: got.text.slice(0, common) }, { ...expected, text: expected.text.slice(0, common) }, what);
  } else {
    assert.deepEqual(got, expected, what);
  }
}

/**
 * Starts the native binary, the npm bin and the handler's adapter with the same flags, and the handler in this
 * process with the same options; resolves with `{ native, others, stop }`.
 */
async function faces(options) {
  const all = { now: NOW, ...options };
  const flags = flagsOf(all);
  const [native, npm, adapter] = await Promise.all([startBin(flags, { program: NATIVE }), startBin(flags), startBin(flags, { program: ADAPTER })]);
  const api = await createMockApi(all);
  const nativeFace = overHttp('the native binary', native);
  const others = [overHttp('the npm bin', npm), inProcess('the handler', api, native.url), overHttp('the handler over HTTP', adapter)];
  const stop = async () => {
    for (const face of [nativeFace, ...others]) await face.stop();
  };
  return { native: nativeFace, others, stop };
}

/**
 * Makes each call on every face, in the same order, and compares each answer with the native binary's. A call is
 * `[method, target, { token, headers, body, journal }]`. Returns the native binary's answers (as compared).
 */
async function compare(set, calls) {
  const answers = [];
  for (const [method, target, { token, headers = {}, body, journal = false } = {}] of calls) {
    const sent = { ...headers, ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) };
    const expected = comparable(set.native, await set.native.call(method, target, sent, body), { journal });
    for (const face of set.others) {
      const got = comparable(face, await face.call(method, target, sent, body), { journal });
      assertSame(got, expected, `${method} ${target} (${JSON.stringify(sent)}): ${face.name} and the native binary`);
    }
    answers.push(expected);
  }
  return answers;
}

/** How the answers ended: `{ closed, cut, whole }` counts. */
function endings(answers) {
  const count = { closed: 0, cut: 0, whole: 0 };
  for (const a of answers) count[a.closed ? 'closed' : a.cut ? 'cut' : 'whole']++;
  return count;
}

const journalCall = ['GET', '/__admin/requests', { journal: true }];

// ---------------------------------------------------------------------------------------------------------------
// The calls

/** A seeded generator (SplitMix32 of a counter): the same calls on every run. */
function random(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return ((z ^ (z >>> 16)) >>> 0) / 2 ** 32;
  };
  const pick = (items) => items[Math.floor(next() * items.length)];
  return { next, pick };
}

/** `count` $filter expressions over `data` (the served investigations): valid and invalid, 4.0 and 4.01 syntax. */
function filters(data, count, seed) {
  const r = random(seed);
  const quoted = (s) => `'${s.replaceAll("'", "''")}'`;
  const some = (key) => data[Math.floor(r.next() * data.length)][key];
  const times = [
    () => some('startTime'),
    () => '2026-10-15T00:00:00Z',
    () => '2026-10-15T06:30:00.1234567Z',
    () => '2026-10-15T06:30Z',
    () => '2026-10-15T08:00:00+02:00',
    () => '2026-10-14T23:00:00.5-01:00',
    () => '2026-13-01T00:00:00Z',
    () => '2026-10-15',
    () => `'2026-10-15T00:00:00Z'`,
  ];
  const states = ['Benign', 'Running', 'Failed', 'SuccessfullyRemediated', 'TerminatedByUser', 'Queued', 'Disabled', 'Runing', 'benign'];
  const ops = ['eq', 'ne', 'gt', 'ge', 'lt', 'le'];
  const comparison = () => {
    const op = r.pick(ops);
    switch (r.pick(['time', 'time', 'state', 'state', 'id', 'machine', 'alert', 'bad', 'in', 'upper'])) {
      case 'time': {
        const t = r.pick(times)();
        return `${r.pick(['startTime', 'StartTime', 'STARTTIME'])} ${op} ${t.startsWith("'") ? t : t}`;
      }
      case 'state':
        return `state ${r.pick(['eq', 'ne', 'eq'])} ${quoted(r.pick(states))}`;
      case 'id':
        return `id ${op} ${r.next() < 0.8 ? quoted(some('id')) : some('id')}`;
      case 'machine':
        return `machineId eq ${quoted(some('machineId'))}`;
      case 'alert':
        return `triggeringAlertId ${r.pick(['eq', 'ne'])} ${quoted(some('triggeringAlertId'))}`;
      case 'bad':
        return r.pick([`endTime gt ${times[1]()}`, `computerDnsName eq 'x'`, 'foo eq 1', `contains(state, 'Ben')`, `state eq null`, `startTime eq null`, 'true', `state has 'Benign'`]);
      case 'in':
        return `${r.pick(['state', 'id'])} in (${[0, 1, 2].map(() => quoted(r.pick([...states, some('id')]))).join(',')})`;
      default:
        return `state ${r.pick(['EQ', 'Eq', 'NE'])} ${quoted(r.pick(states))}`;
    }
  };
  const expression = (depth) => {
    if (depth === 0 || r.next() < 0.4) return comparison();
    const left = expression(depth - 1);
    switch (r.pick(['and', 'or', 'not', 'paren', 'AND', 'Or'])) {
      case 'not':
        return `not (${left})`;
      case 'paren':
        return `(${left}) ${r.pick(['and', 'or'])} (${expression(depth - 1)})`;
      case 'AND':
      case 'Or':
        return `${left} ${r.pick(['AND', 'Or'])} ${expression(depth - 1)}`;
      default:
        return `${left} ${r.pick(['and', 'or'])} ${expression(depth - 1)}`;
    }
  };
  const mutate = (text) => {
    const at = Math.floor(r.next() * text.length);
    switch (r.pick(['cut', 'drop', 'paren', 'quote', 'op'])) {
      case 'cut':
        return text.slice(0, at);
      case 'drop':
        return text.slice(0, at) + text.slice(at + 1);
      case 'paren':
        return `${text.slice(0, at)})${text.slice(at)}`;
      case 'quote':
        return `${text.slice(0, at)}'${text.slice(at)}`;
      default:
        return text.replace(/ (eq|ne|gt|ge|lt|le) /, ' == ');
    }
  };
  const out = [];
  for (let i = 0; i < count; i++) {
    const text = expression(3);
    out.push(r.next() < 0.2 ? mutate(text) : text);
  }
  return out;
}

/** The query string of a filter, encoded in one of the ways clients send it, with a $top/$skip sometimes. */
function filterQuery(expr, r) {
  const key = r.pick(['$filter', '%24filter']);
  const value = r.next() < 0.5 ? encodeURIComponent(expr) : encodeURIComponent(expr).replaceAll('%20', '+');
  const paging = r.pick(['', '', '&$top=7', '&$skip=3', '&$top=5&$skip=2', '&$top=10000']);
  return `${key}=${value}${paging}`;
}

const TOP_SKIP = [
  '$top=0', '$top=1', '$top=-1', '$top=10000', '$top=10001', '$top=', '$top=abc', '$top=1.5', '$top=+5', '$top=05',
  '$top=%205', '$top=99999999999999999999', '$skip=0', '$skip=299', '$skip=300', '$skip=301', '$skip=-1', '$skip=abc',
  '$skip=', '$top=1&$top=2', '$skip=1&$skip=2', '%24top=3', '$TOP=3', '$Top=3', '$top=3&$skip=298', '$filter=',
  '$filter=&$top=2', '$count=true', '$select=id', '$orderby=id', '$search=x', '$expand=x', '$format=json', 'x=1',
  '$top=3&', '&$top=3', '$top=3&&$skip=1', '', '$skip=10000', '$top=2&trace=abc',
];

// ---------------------------------------------------------------------------------------------------------------

describe('every face answers as the native binary, byte for byte', { skip: NATIVE ? false : 'set MDE_MOCK_NATIVE to the native mde-mock' }, () => {
  const base = { count: 300, seed: 5, perMinute: 1_000_000, perHour: 1_000_000 };
  let passedIn40; // how many generated filters the 4.0 run answered with 200

  test('OData 4.0 (the default): generated filters, $top/$skip, errors, single items, $metadata, admin, planned faults', async () => {
    // The planned faults are taken with tokens of their own: a 429 or cpu fault throttles its quota for a while.
    const faultTokens = ['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8'];
    const set = await faces({ ...base, tokens: ['t', 'u', ...faultTokens], forbiddenTokens: ['f'], corsOrigin: 'http://a.test,http://b.test' });
    try {
      const data = JSON.parse((await set.native.call('GET', '/__admin/investigations', {})).body.toString('utf8'));
      const r = random(41);
      const origin = { origin: 'http://b.test' };
      const calls = [];
      for (const expr of filters(data, 150, 7)) calls.push(['GET', `/api/investigations?${filterQuery(expr, r)}`, { token: 't', headers: origin }]);
      for (const q of TOP_SKIP) calls.push(['GET', `/api/investigations${q ? `?${q}` : ''}`, { token: 'u' }]);
      for (const q of ['$top=4', '$filter=state+eq+%27Benign%27&$top=3', '$top=0']) calls.push(['GET', `/api/v1.0/investigations?${q}`, { token: 't' }]);
      // Errors: 401, 403, 404, 405, with and without Origin.
      calls.push(
        ['GET', '/api/investigations', {}],
        ['GET', '/api/investigations', { headers: { authorization: 'Basic dTpw', origin: 'http://a.test' } }],
        ['GET', '/api/investigations', { headers: { authorization: 'Bearer ' } }],
        ['GET', '/api/investigations', { headers: { authorization: 'bearer t' } }],
        ['GET', '/api/investigations', { token: 'nope', headers: { origin: 'http://elsewhere.test' } }],
        ['GET', '/api/investigations', { token: 'f' }],
        ['GET', '/api/investigations/1', { token: 'f' }],
        ['GET', '/api/alerts', { token: 't' }],
        ['GET', '/', {}],
        ['GET', '/api', { token: 't' }],
        ['GET', '/api/', { token: 't' }],
        ['GET', '/api/investigations/', { token: 't' }],
        ['GET', '/API/investigations', { token: 't' }],
        ['GET', '/api/v1.0/alerts', { token: 't' }],
        ['GET', '/api/v2.0/investigations', { token: 't' }],
        ['GET', '/nope?x=1', {}],
      );
      for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
        for (const path of ['/api/investigations', `/api/investigations/${data[0].id}`, '/api/$metadata']) {
          calls.push([method, path, { token: 't', headers: { 'content-type': 'application/json' }, body: '{}' }]);
        }
      }
      // Single investigations, by id and by alert id, plain and versioned, percent-encoded.
      for (const item of data.slice(0, 10)) {
        calls.push(['GET', `/api/investigations/${item.id}`, { token: 't' }], ['GET', `/api/v1.0/investigations/${item.triggeringAlertId}`, { token: 't' }]);
      }
      const encoded = [...data[3].id].map((c) => `%${c.charCodeAt(0).toString(16)}`).join('');
      calls.push(['GET', `/api/investigations/${encoded}`, { token: 't' }], ['GET', '/api/investigations/999999999999', { token: 't' }], ['GET', '/api/investigations/%zz', { token: 't' }]);
      // $metadata; HEAD and preflights.
      calls.push(
        ['GET', '/api/$metadata', { token: 't' }],
        ['GET', '/api/v1.0/$metadata', { token: 't' }],
        ['GET', '/api/%24metadata', { token: 't' }],
        ['GET', '/api/$metadata', {}],
        ['HEAD', '/api/investigations?$top=2', { token: 't' }],
        ['HEAD', '/api/investigations/nope', { token: 't' }],
        ['OPTIONS', '/api/investigations', { headers: { origin: 'http://a.test', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } }],
        ['OPTIONS', '/__admin/faults', { headers: { origin: 'http://b.test', 'access-control-request-method': 'POST' } }],
        ['OPTIONS', '/elsewhere', {}],
      );
      // Raw bytes in the target: what the Fetch API would encode reaches the HTTP faces as it is.
      calls.push(
        ['GET', "/api/investigations?$filter=state%20eq%20'Benign'&$top=2", { token: 't' }],
        ['GET', '/api/investigations?$filter=machineId%20eq%20%27%C3%A9%27', { token: 't' }],
        ['GET', '/api/investigations/%2e%2e/investigations?$top=1', { token: 't' }],
        ['GET', '/api/./investigations?$top=1', { token: 't' }],
        ['GET', '/api//investigations?$top=1', { token: 't' }],
      );
      // The admin API.
      const target = data[5].id;
      calls.push(
        ['GET', '/__admin/config', {}],
        ['GET', '/__admin/faults', {}],
        ['PATCH', `/__admin/investigations/${target}`, { body: JSON.stringify({ state: 'Benign', endTime: '2026-11-01T00:00:00Z', statusDetails: null }) }],
        ['GET', `/api/investigations/${target}`, { token: 't' }],
        ['PATCH', `/__admin/investigations/${target}`, { body: '{"sate": "Benign"}' }],
        ['PATCH', `/__admin/investigations/${target}`, { body: '{"startTime": "noon"}' }],
        ['PATCH', `/__admin/investigations/${target}`, { body: `{"id": "other"}` }],
        ['PATCH', `/__admin/investigations/${target}`, { body: 'not json' }],
        ['PATCH', '/__admin/investigations/0', { body: '{"state": "Benign"}' }],
        ['POST', '/__admin/investigations', { body: JSON.stringify([{ id: '990001', startTime: '2026-11-01T00:00:00.5Z', state: 'Running' }, { id: 990002, state: 'New' }]) }],
        ['POST', '/__admin/investigations', { body: '{"id": "990003", "startTime": null}' }],
        ['POST', '/__admin/investigations', { body: '[{"state": "Running"}]' }],
        ['POST', '/__admin/investigations', { body: '[' }],
        ['GET', '/api/investigations?$top=4', { token: 't' }],
        ['GET', '/__admin/investigations', {}],
        ['GET', '/__admin/nope', {}],
        ['GET', '/__admin/reset', {}],
        ['DELETE', '/__admin/requests', {}],
        ['POST', '/__admin/faults', { body: '{"plan": ["418"]}' }],
        ['POST', '/__admin/faults', { body: '{"plan": [], "rate": 2}' }],
        ['POST', '/__admin/next-links', { body: '{"mode": "never"}' }],
        journalCall,
      );
      // Planned faults, on a raw socket: close and truncate end the connection the same way.
      calls.push(['POST', '/__admin/faults', { body: '{"plan": ["500", "close", "503", "truncate", 429, "cpu", "close", "truncate"]}' }], ['GET', '/__admin/faults', {}]);
      for (let i = 0; i < 9; i++) calls.push(['GET', `/api/investigations?$top=${20 + i}`, { token: faultTokens[i], headers: origin }]);
      calls.push(journalCall, ['POST', '/__admin/reset', {}], journalCall, ['GET', '/api/investigations?$top=1', { token: 't' }], journalCall);
      const answers = await compare(set, calls);
      assert.ok(answers.length > 250, `${answers.length} calls`);
      // The generated filters cover both outcomes, and 4.01 syntax refused in 4.0.
      const generated = answers.slice(0, 150);
      passedIn40 = generated.filter((a) => a.status === 200).length;
      assert.ok(passedIn40 >= 30 && passedIn40 <= 120, `${passedIn40} of 150 filters pass`);
      assert.ok(generated.filter((a) => a.text.includes('OData 4.0')).length >= 10, '4.01 syntax refused in 4.0');
      assert.deepEqual(endings(answers.slice(-14, -5)), { closed: 2, cut: 2, whole: 5 }, 'the planned faults');
    } finally {
      await set.stop();
    }
  });

  test('OData 4.01 and next links in every mode', async () => {
    const set = await faces({ ...base, odata: '4.01', nextLinks: 'always' });
    try {
      const data = JSON.parse((await set.native.call('GET', '/__admin/investigations', {})).body.toString('utf8'));
      const r = random(43);
      const calls = filters(data, 150, 7).map((expr) => ['GET', `/api/investigations?${filterQuery(expr, r)}`, { token: 't' }]);
      for (const mode of ['always', 'stale', 'foreign', 'service']) {
        calls.push(
          ['POST', '/__admin/next-links', { body: JSON.stringify({ mode }) }],
          ['GET', '/api/investigations?$top=7', { token: 't' }],
          ['GET', '/api/investigations?$top=7&$skip=14', { token: 't' }],
          ['GET', '/api/investigations?$filter=state%20in%20(%27Benign%27,%27Failed%27)&$top=5&$skip=5', { token: 't' }],
          ['GET', '/api/v1.0/investigations?$top=150', { token: 't' }],
          ['GET', '/api/investigations?$skip=290', { token: 't' }],
        );
      }
      calls.push(journalCall);
      const answers = await compare(set, calls);
      const passed = answers.slice(0, 150).filter((a) => a.status === 200).length;
      assert.ok(passedIn40 === undefined || passed > passedIn40, `${passed} of the filters pass in 4.01, ${passedIn40} in 4.0`);
    } finally {
      await set.stop();
    }
  });

  test('429 from the minute window, from the hour window, and for a JWT quota', async () => {
    const jwt = (claims) => `eyJhbGciOiJub25lIn0.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
    const minute = await faces({ count: 20, seed: 8, perMinute: 3 });
    try {
      const token = jwt({ tid: 'tenant-1', appid: 'app-1', exp: 1 });
      const refreshed = jwt({ tid: 'tenant-1', appid: 'app-1', exp: 2 });
      const calls = [];
      for (let i = 0; i < 5; i++) calls.push(['GET', '/api/investigations?$top=2', { token: 'a' }]);
      calls.push(['GET', '/api/investigations/nope', { token: 'a' }], ['GET', '/api/investigations', {}]);
      for (let i = 0; i < 3; i++) calls.push(['GET', '/api/investigations?$top=1', { token: i === 1 ? refreshed : token }]);
      calls.push(['GET', '/api/investigations?$top=1', { token: refreshed }], ['GET', '/api/investigations?$top=1', { token: jwt({ tid: 'tenant-1', azp: 'app-2' }) }], journalCall);
      await compare(minute, calls);
    } finally {
      await minute.stop();
    }
    const hour = await faces({ count: 20, seed: 8, perMinute: 1000, perHour: 2 });
    try {
      const calls = [];
      for (let i = 0; i < 4; i++) calls.push(['GET', '/api/investigations?$top=2', { token: 'b' }]);
      calls.push(['GET', '/api/investigations?$top=0', { token: 'c' }], ['GET', '/api/investigations?$top=2', { token: 'c' }], ['GET', '/api/investigations?$top=2', { token: 'c' }], journalCall);
      await compare(hour, calls);
    } finally {
      await hour.stop();
    }
  });

  test('a data file with odd ids and times', async () => {
    const investigations = [
      { id: 9, startTime: '2026-10-01T00:00:00Z', state: 'Benign' },
      { id: '10', startTime: '2026-10-01T00:00:00Z', state: 'Running' },
      { id: 'abc', startTime: '2026-10-01T00:00:00.0000001Z' },
      { id: "a'b", startTime: null, state: 'SomethingNew', machineId: 'M' },
      { id: 'x y', startTime: '2026-09-30T23:59:59.9999999+00:00' },
      { id: 'é', startTime: '0001-01-01T00:00:00Z', endTime: '9999-12-31T23:59:59Z', triggeringAlertId: 'da1_-2' },
    ];
    const set = await faces({ investigations });
    try {
      await compare(set, [
        ['GET', '/api/investigations', { token: 't' }],
        ['GET', "/api/investigations?$filter=id%20gt%20'9'", { token: 't' }],
        ['GET', "/api/investigations?$filter=id%20eq%20'a''b'", { token: 't' }],
        ['GET', '/api/investigations?$filter=startTime%20lt%202026-10-01T00:00:00.0000001Z', { token: 't' }],
        ['GET', "/api/investigations/a'b", { token: 't' }],
        ['GET', '/api/investigations/a%27b', { token: 't' }],
        ['GET', '/api/investigations/x%20y', { token: 't' }],
        ['GET', '/api/investigations/%C3%A9', { token: 't' }],
        ['GET', '/api/investigations/da1_-2', { token: 't' }],
        ['GET', '/api/investigations/10', { token: 't' }],
        ['GET', '/api/investigations/09', { token: 't' }],
        ['GET', '/__admin/investigations', {}],
        ['GET', '/__admin/config', {}],
        journalCall,
      ]);
    } finally {
      await set.stop();
    }
  });

  test('a fault rate and a CPU throttle rate: the same calls fail the same way', async () => {
    const set = await faces({ count: 30, seed: 11, faultRate: 0.4, cpuThrottleRate: 0.1 });
    try {
      // A token per call: a throttle (429 or cpu) holds its quota for a while, and the wait left would depend on time.
      const calls = [];
      for (let i = 0; i < 40; i++) calls.push(['GET', `/api/investigations?$top=${1 + (i % 30)}`, { token: `t${i}` }]);
      calls.push(journalCall);
      const { closed, cut } = endings(await compare(set, calls));
      assert.ok(closed > 0 && cut > 0, `closed ${closed}, cut ${cut}`);
    } finally {
      await set.stop();
    }
  });
});
