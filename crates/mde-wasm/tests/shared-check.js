// Node side of the tests of `rateLimit.shared`: the mock's flags for low, time-scaled limits, and the checks on
// what the contexts returned and on the mock's journal. Prints the figures of the schedule.
import assert from 'node:assert/strict';

/**
 * Limits small enough that the listings must wait for a window, scaled so that a minute lasts 18 s. The client's
 * margin (one second, scaled: 300 ms) must cover the time from its decision to the call's arrival at the mock, a
 * CORS preflight included, on a busy machine; the latency is not scaled, so the scale stays this high (at 0.05,
 * a 50 ms margin, some runs drew 429s).
 */
export const LIMITS = { perMinute: 6, timeScale: 0.3, pageSize: 10 };
/** Investigations in the mock: 3 pages and the empty page that ends the listing, 4 calls for each listing. */
export const COUNT = 30;
/** The mock's flags for `LIMITS` and `COUNT`. */
export const mockFlags = () => [
  '--count', String(COUNT),
  '--seed', '14',
  '--per-minute', String(LIMITS.perMinute),
  '--time-scale', String(LIMITS.timeScale),
  '--retry-after-ms',
];

/**
 * Asserts that every context listed everything once, that the mock answered no call with a 429, and that all
 * the calls together took at most 1.3 times the ideal schedule: with `perMinute` calls per window of `windowMs`,
 * `calls` calls need at least `(ceil(calls / perMinute) - 1) * windowMs` from the first to the last.
 */
export function checkShared(label, results, oracleIds, journal) {
  const odd = journal.filter((j) => j.method !== 'OPTIONS' && j.status !== 200);
  if (odd.length > 0) console.log(`# ${label}: calls not answered 200: ${JSON.stringify(odd)}`);
  for (const [name, r] of Object.entries(results)) {
    assert.equal(r.error, undefined, `${name}: ${r.error}`);
    assert.deepEqual(r.ids, oracleIds, `${name} lists every investigation once, in order`);
    assert.deepEqual(r.retries, [], `${name} retried nothing: ${JSON.stringify(r.retries)}`);
  }
  // The API calls (not the CORS preflights, which carry no token and do not count).
  const calls = journal.filter((j) => j.path.startsWith('/api/') && j.method !== 'OPTIONS');
  const throttled = calls.filter((j) => j.status === 429);
  assert.deepEqual(throttled, [], 'no 429 in the mock journal');
  const windowMs = 60_000 * LIMITS.timeScale;
  const ideal = (Math.ceil(calls.length / LIMITS.perMinute) - 1) * windowMs;
  const times = calls.map((j) => j.timestamp_ms);
  const span = Math.max(...times) - Math.min(...times);
  const ratio = span / ideal;
  const perContext = Object.entries(results).map(([name, r]) => `${name} ${r.waits} waits`).join(', ');
  console.log(
    `# ${label}: ${calls.length} calls at ${LIMITS.perMinute} per ${windowMs} ms window: ` +
      `${span} ms from first to last, ideal ${ideal} ms, ratio ${ratio.toFixed(3)} (limit 1.3); ${perContext}`,
  );
  assert.ok(ratio <= 1.3, `within 1.3x of the ideal schedule (${span} ms against ${ideal} ms)`);
}
