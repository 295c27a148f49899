// The bin `mde-mock` as a child process, as CI jobs run it: the ready line, flags and MDE_MOCK_* variables,
// signals, exit codes and messages, faults on the socket. With MDE_MOCK_NATIVE (the native binary's path), the
// same invocations are compared with the native binary: same messages; and the same calls give the same bodies,
// byte for byte, from the npm bin, the native binary and the handler.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { createMockApi } from 'mde-mock';

import { NOW, rawGet, runBin, startBin } from './helpers.js';

const NATIVE = process.env.MDE_MOCK_NATIVE;
const FLAGS = ['--host', '--port', '--seed', '--count', '--data', '--token', '--forbidden-token', '--per-minute', '--per-hour', '--window', '--time-scale', '--fault-rate', '--latency-ms', '--cors-origin', '--now'];

const dir = mkdtempSync(join(tmpdir(), 'mde-mock-bin-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
function file(name, text) {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const get = (url, path, token = 't') => fetch(`${url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
const config = async (url) => (await fetch(`${url}/__admin/config`)).json();

test('prints exactly the ready line, serves, and exits 0 on SIGTERM', async () => {
  const m = await startBin(['--port', '0', '--count', '25', '--seed', '3', '--token', 't', '--now', NOW]);
  assert.match(m.first, /^mde-mock listening on http:\/\/127\.0\.0\.1:\d+\n$/);
  assert.notEqual(new URL(m.url).port, '0');
  const r = await get(m.url, '/api/investigations?$top=5');
  assert.equal(r.status, 200);
  assert.equal((await r.json()).value.length, 5);
  assert.equal((await get(m.url, '/api/investigations', 'other')).status, 401);
  assert.equal(await m.stop('SIGTERM'), 0);
  assert.equal(m.stderr(), '');
});

test('exits 0 on SIGINT too', async () => {
  const m = await startBin(['--port', '0', '--count', '5']);
  assert.equal((await get(m.url, '/api/investigations')).status, 200);
  assert.equal(await m.stop('SIGINT'), 0);
});

test('every flag reaches the mock', async () => {
  const data = file('page.json', JSON.stringify({ value: [{ id: 5, startTime: '2024-05-01T00:00:00Z', state: 'Benign' }, { id: '6', startTime: '2024-06-01T00:00:00.1234567Z', state: 'Running' }] }));
  const m = await startBin([
    '--host=127.0.0.1', '--port', '0', '--seed', '9', '--data', data, '--token', 't,u', '--token=v', '--forbidden-token', 'f',
    '--per-minute', '2', '--per-hour', '10', '--window', 'fixed', '--time-scale', '0.5', '--fault-rate', '0',
    '--latency-ms', '1', '--cors-origin', 'http://app.test', '--now', NOW,
  ]);
  const c = await config(m.url);
  assert.deepEqual(
    [c.seed, c.count, c.generated, c.tokens, c.forbidden_tokens, c.per_minute, c.per_hour, c.window, c.time_scale, c.minute_ms, c.fault_rate, c.latency_ms, c.cors_origin, c.now],
    [9, 2, false, 3, 1, 2, 10, 'fixed', 0.5, 30_000, 0, 1, 'http://app.test', NOW],
  );
  const page = await get(m.url, '/api/investigations', 'u');
  assert.deepEqual((await page.json()).value.map((i) => i.id), ['6', '5']);
  assert.equal(page.headers.get('access-control-allow-origin'), 'http://app.test');
  assert.equal((await get(m.url, '/api/investigations', 'f')).status, 403);
  assert.equal((await get(m.url, '/api/investigations', 'u')).status, 200);
  assert.equal((await get(m.url, '/api/investigations', 'u')).status, 429);
  assert.equal(await m.stop(), 0);
});

test('every flag also reads its MDE_MOCK_ variable; the command line wins', async () => {
  const env = {
    MDE_MOCK_PORT: '0', MDE_MOCK_COUNT: '3', MDE_MOCK_SEED: '9', MDE_MOCK_TOKEN: 'a,b', MDE_MOCK_NOW: NOW,
    MDE_MOCK_PER_MINUTE: '7', MDE_MOCK_PER_HOUR: '70', MDE_MOCK_WINDOW: 'fixed', MDE_MOCK_TIME_SCALE: '0.25',
    MDE_MOCK_FAULT_RATE: '0.5', MDE_MOCK_LATENCY_MS: '2', MDE_MOCK_CORS_ORIGIN: 'http://a.test,http://b.test',
    MDE_MOCK_FORBIDDEN_TOKEN: 'x,y', MDE_MOCK_HOST: '127.0.0.1',
  };
  const m = await startBin(['--count', '7'], { env });
  const c = await config(m.url);
  assert.deepEqual(
    [c.count, c.seed, c.tokens, c.forbidden_tokens, c.per_minute, c.per_hour, c.window, c.time_scale, c.fault_rate, c.latency_ms, c.cors_origin, c.now],
    [7, 9, 2, 2, 7, 70, 'fixed', 0.25, 0.5, 2, 'http://a.test,http://b.test', NOW],
  );
  assert.equal(await m.stop(), 0);
  const data = file('env.json', '[{"id": "1"}, {"id": "2"}]');
  const d = await startBin([], { env: { MDE_MOCK_PORT: '0', MDE_MOCK_DATA: data } });
  assert.equal((await config(d.url)).count, 2);
  assert.equal(await d.stop(), 0);
});

test('bad flags, bad variables and bad data files exit 2 with a message naming them', async () => {
  const bad = file('bad.json', '[{"id": "1"}, {"id": "2", "endTime": "not a time"}]');
  for (const [args, env, expected] of [
    [['--per-minute', 'zero'], {}, 'mde-mock: invalid value `zero` for `--per-minute`'],
    [['--window', 'tumbling'], {}, 'tumbling'],
    [['--time-scale', '0'], {}, '`--time-scale`'],
    [['--now', 'yesterday'], {}, '`--now`'],
    [['--port', '70000'], {}, '`--port`'],
    [['--token', ''], {}, 'option `tokens` (--token): a token is empty'],
    [['--bogus'], {}, "unexpected argument '--bogus' found"],
    [['--port'], {}, "a value is required for '--port <PORT>'"],
    [['--port', '1', '--port', '2'], {}, "the argument '--port <PORT>' cannot be used multiple times"],
    [['extra'], {}, "unexpected argument 'extra' found"],
    [[], { MDE_MOCK_WINDOW: 'tumbling' }, 'tumbling'],
    [[], { MDE_MOCK_TOKEN: 'a,,b' }, 'a token is empty'],
    [['--port', '0', '--data', join(dir, 'missing.json')], {}, `mde-mock: cannot read data file ${join(dir, 'missing.json')}: No such file or directory (os error 2)`],
    [['--port', '0', '--data', bad], {}, `mde-mock: data file ${bad}: item 1: \`endTime\``],
  ]) {
    const r = await runBin(args, { env });
    assert.equal(r.code, 2, `${args} ${JSON.stringify(env)}: ${r.stderr}`);
    assert.ok(r.stderr.includes(expected), `${args}: ${r.stderr}`);
    assert.equal(r.stdout, '');
  }
});

test('a port in use exits 1', async () => {
  const taken = createServer();
  await new Promise((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const { port } = taken.address();
  const r = await runBin(['--port', String(port)]);
  taken.close();
  assert.equal(r.code, 1);
  assert.equal(r.stderr, `mde-mock: cannot listen on 127.0.0.1:${port}: Address already in use (os error 98)\n`);
});

test('--help lists every flag with its variable; --version', async () => {
  for (const arg of ['--help', '-h']) {
    const r = await runBin([arg]);
    assert.equal(r.code, 0);
    for (const flag of FLAGS) {
      assert.ok(r.stdout.includes(flag), `${flag} missing`);
      assert.ok(r.stdout.includes(`MDE_MOCK_${flag.slice(2).toUpperCase().replaceAll('-', '_')}`), flag);
    }
  }
  const v = await runBin(['--version']);
  assert.equal(v.code, 0);
  assert.match(v.stdout, /^mde-mock \d+\.\d+\.\d+\n$/);
});

test('connection faults reach the socket as the native relay makes them', async () => {
  const m = await startBin(['--port', '0', '--count', '30', '--now', NOW]);
  const whole = await rawGet(m.url, '/api/investigations');
  await fetch(`${m.url}/__admin/faults`, { method: 'POST', body: JSON.stringify({ plan: ['close', 'truncate'] }) });
  assert.equal((await rawGet(m.url, '/api/investigations')).closedWithoutAnswer, true);
  const cut = await rawGet(m.url, '/api/investigations');
  assert.equal(cut.contentLength, whole.body.length);
  assert.equal(cut.body.length, Math.floor(whole.body.length / 2));
  assert.equal(await m.stop(), 0);
});

test('npx-style: the .bin link starts it', async () => {
  const bin = join(process.cwd(), 'node_modules', '.bin', 'mde-mock');
  // The link's `#!/usr/bin/env node` finds the Node that runs these tests first on the PATH.
  const env = { PATH: `${dirname(process.execPath)}:${process.env.PATH}` };
  const m = await startBin(['--port', '0', '--count', '1'], { env, program: bin });
  assert.match(m.line, /^mde-mock listening on http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(await m.stop(), 0);
  assert.equal(execFileSync(bin, ['--version'], { env: { ...process.env, ...env } }).toString().trim().startsWith('mde-mock '), true);
});

test('IPv6: the ready line writes the host in brackets', async (t) => {
  const r = await runBin(['--host', '::1', '--port', '70000']);
  assert.equal(r.code, 2);
  let m;
  try {
    m = await startBin(['--host', '::1', '--port', '0', '--count', '1']);
  } catch (e) {
    return t.skip(`no IPv6 loopback: ${e.message}`);
  }
  assert.match(m.line, /^mde-mock listening on http:\/\/\[::1\]:\d+$/);
  assert.equal(await m.stop(), 0);
});

describe('the same as the native binary', { skip: NATIVE ? false : 'set MDE_MOCK_NATIVE to the native mde-mock' }, () => {
  test('the same messages and exit codes', async () => {
    const bad = file('bad2.json', '{"value": [{"id": "1", "state": 3}]}');
    const cases = [
      [['--per-minute', 'zero'], {}],
      [['--seed', '-1'], {}],
      [['--seed='], {}],
      [['--count', '10000001'], {}],
      [['--window', 'tumbling'], {}],
      [['--time-scale', '0'], {}],
      [['--fault-rate', '2'], {}],
      [['--now', 'yesterday'], {}],
      [['--host', 'localhost'], {}],
      [['--token', 'a,'], {}],
      [['--cors-origin', 'a,'], {}],
      [['--bogus'], {}],
      [['--port'], {}],
      [['--now', '2026-01-01T00:00:00Z', '--now', '2026-01-01T00:00:00Z'], {}],
      [['extra'], {}],
      [['-x'], {}],
      [['-'], {}],
      [['--prot', '1'], {}],
      [['--seed', '1', '--bogus'], {}],
      [['--count', '1', '--seed', '2', '--coutn'], {}],
      [['--token', 'a', '--token', 'b', '--tokn'], {}],
      [['--port', '--count', '5'], {}],
      [['--port', '--prot'], {}],
      [['--port', '-x'], {}],
      [['--port', '--'], {}],
      [['--seed=1', '--help=2'], {}],
      [['--', 'x'], {}],
      [['--fault'], {}],
      [['--helpp'], {}],
      [['-Vh'], {}],
      [['--port', '1', '--port'], {}],
      [['--port=', '1'], {}],
      [[], { MDE_MOCK_PER_HOUR: '0' }],
      [[], { MDE_MOCK_PORT: '' }],
      [['--port', '0', '--data', join(dir, 'missing.json')], {}],
      [['--port', '0', '--data', dir], {}],
      [['--port', '0', '--data', bad], {}],
      [['--version'], {}],
    ];
    for (const [args, env] of cases) {
      const ours = await runBin(args, { env });
      const native = await runBin(args, { env, program: NATIVE });
      assert.deepEqual(ours, native, `${args.join(' ')} ${JSON.stringify(env)}`);
    }
    const help = (await runBin(['--help'])).stdout.split('\n');
    const nativeHelp = (await runBin(['--help'], { program: NATIVE })).stdout.split('\n');
    assert.equal(help.length, nativeHelp.length);
    const differing = help.filter((line, i) => line !== nativeHelp[i]);
    assert.deepEqual(differing, ['Admin API and examples: see README.md in the mde-mock package'], 'only where to read more');
  });

  test('the same answers, byte for byte, from the npm bin, the handler and the native binary', async () => {
    const args = ['--port', '0', '--count', '60', '--seed', '4', '--now', NOW, '--per-minute', '1000', '--token', 't', '--cors-origin', 'http://a.test,http://b.test'];
    const ours = await startBin(args);
    const native = await startBin(args, { program: NATIVE });
    // The handler with the same options, asked at the native binary's URL (the host of `@odata.context`).
    const api = await createMockApi({ count: 60, seed: 4, now: NOW, perMinute: 1000, tokens: ['t'], corsOrigin: 'http://a.test,http://b.test' });
    const handler = { url: native.url, fetch: api.fetch };
    const calls = [
      ['GET', '/api/investigations', 't'],
      ['GET', `/api/investigations?$filter=${encodeURIComponent("state eq 'Benign' or startTime ge 2026-10-15T00:00:00Z")}&$top=7&$skip=2`, 't'],
      ['GET', '/api/investigations?$filter=state+eq+%27Runing%27', 't'],
      ['GET', '/api/investigations?$top=0', 't'],
      ['GET', '/api/investigations/999', 't'],
      ['GET', '/api/investigations', 'nope'],
      ['GET', '/api/investigations', undefined],
      ['HEAD', '/api/investigations', 't'],
      ['DELETE', '/api/investigations', 't'],
      ['OPTIONS', '/api/investigations', undefined],
      ['GET', '/elsewhere', undefined],
      ['GET', '/__admin/investigations', undefined],
      ['GET', '/__admin/config', undefined],
      ['POST', '/__admin/faults', undefined, '{"plan": ["503", "500", "429"]}'],
      ['GET', '/api/investigations', 't'],
      ['GET', '/api/investigations', 't'],
      ['GET', '/api/investigations', 't'],
      ['PATCH', '/__admin/investigations/nope', undefined, '{"state": "Benign"}'],
      ['POST', '/__admin/investigations', undefined, '[{"id": "x"}]'],
      ['GET', '/__admin/nothing', undefined],
    ];
    try {
      for (const [method, path, token, body] of calls) {
        const answers = [];
        for (const m of [ours, native, handler]) {
          const headers = { origin: 'http://b.test', ...(token ? { authorization: `Bearer ${token}` } : {}) };
          const r = await (m.fetch ?? fetch)(`${m.url}${path}`, { method, headers, body });
          const text = (await r.text()).replaceAll(m.url, 'URL');
          const keep = ['content-type', 'access-control-allow-origin', 'access-control-expose-headers', 'vary', 'www-authenticate', 'retry-after', 'allow', 'access-control-allow-methods'];
          answers.push({ status: r.status, headers: keep.map((h) => [h, r.headers.get(h)]), text });
        }
        assert.deepEqual(answers[0], answers[1], `${method} ${path}: the npm bin and the native binary`);
        assert.deepEqual(answers[2], answers[1], `${method} ${path}: the handler and the native binary`);
      }
      // The journals differ only in the times.
      const journals = [];
      for (const m of [ours, native, handler]) {
        const entries = await (await (m.fetch ?? fetch)(`${m.url}/__admin/requests`)).json();
        journals.push(entries.map(({ timestamp_ms, timestamp, ...rest }) => rest));
      }
      assert.deepEqual(journals[0], journals[1]);
      assert.deepEqual(journals[2], journals[1]);
    } finally {
      await ours.stop();
      await native.stop();
    }
  });
});
