// Starts the mde-mock binary (path in $MDE_MOCK) on a free loopback port and talks to its admin API.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export const NOW = '2026-11-01T00:00:00Z';

/** Starts `mde-mock --port 0 ...flags`; resolves when it prints its ready line. */
export async function startMock(flags = []) {
  const bin = process.env.MDE_MOCK;
  if (!bin) throw new Error('set MDE_MOCK to the mde-mock binary');
  const child = spawn(bin, ['--port', '0', '--now', NOW, ...flags], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('mde-mock did not start in 20 s')), 20_000);
    child.once('exit', (code) => reject(new Error(`mde-mock exited with ${code}`)));
    lines.on('line', (line) => {
      const m = /^mde-mock listening on (http:\/\/\S+)$/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
  const admin = async (path, body, method = 'POST') => {
    const init = body === undefined ? {} : { method, body: JSON.stringify(body) };
    const r = await fetch(`${base}/__admin/${path}`, init);
    if (!r.ok) throw new Error(`admin ${path}: ${r.status} ${await r.text()}`);
    return r.json();
  };
  return {
    base,
    /** The journal of API calls, oldest first. */
    journal: () => admin('requests'),
    /** Every investigation, in the documented order (the oracle). */
    all: () => admin('investigations'),
    faults: (plan) => admin('faults', { plan }),
    add: (items) => admin('investigations', items),
    /** Changes fields of one investigation (`null` clears one); resolves to it as it is now. */
    patch: (id, fields) => admin(`investigations/${encodeURIComponent(id)}`, fields, 'PATCH'),
    reset: () => admin('reset', {}),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}

/** The value array of the admin API's investigations (it may answer with an array or a page). */
export function valueOf(all) {
  return Array.isArray(all) ? all : all.value;
}
