// The `mde-mock` bin: the native binary's command line, messages, ready line, exit codes and signals, with the
// engine in WebAssembly behind Node's `http`. Exit codes: 0 on SIGINT or SIGTERM (and after --help/--version),
// 2 for bad flags or an unreadable or invalid data file, 1 when it cannot listen.

import { readFileSync } from 'node:fs';
import { getSystemErrorMap } from 'node:util';

import { helpText, readCommandLine } from './command-line.js';
import { fromThrown } from './errors.js';
import { bindings } from './load.node.js';
import { serve } from './server.js';

const AFTER_HELP = 'Admin API and examples: see README.md in the mde-mock package';

/** Where libuv's description of an error differs from the C library's, which the native binary prints. */
const LIBC_TEXT = {
  EADDRNOTAVAIL: 'Cannot assign requested address',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
};

/** A system error as Rust's `std::io::Error` prints it: `Address already in use (os error 98)`. */
function osError(e) {
  if (typeof e?.errno !== 'number' || typeof e.code !== 'string') return String(e?.message ?? e);
  const text = LIBC_TEXT[e.code] ?? getSystemErrorMap().get(e.errno)?.[1] ?? e.code;
  return `${text[0].toUpperCase()}${text.slice(1)} (os error ${Math.abs(e.errno)})`;
}

function fail(code, message) {
  process.stderr.write(`mde-mock: ${message}\n`);
  process.exit(code);
}

/** Runs the bin with `args` (without `node` and the script) and `env`; never returns while it serves. */
export async function main(args, env) {
  // A closed stdout (the reader went away) must not end the mock, as it does not end the native one.
  process.stdout.on('error', () => {});
  const wasm = bindings();
  const table = JSON.parse(wasm.flagTable());
  const line = readCommandLine(args, env, table);
  if (line.help) return process.stdout.write(helpText(wasm.about(), table, env, AFTER_HELP));
  if (line.version) return process.stdout.write(`mde-mock ${wasm.version()}\n`);
  if (line.error) {
    process.stderr.write(line.error);
    process.exit(2);
  }
  let invocation;
  try {
    invocation = wasm.Invocation.parse(line.pairs);
  } catch (e) {
    fail(2, fromThrown(e).message);
  }
  const path = invocation.dataFile;
  if (path !== undefined) {
    let bytes;
    try {
      bytes = readFileSync(path);
    } catch (e) {
      fail(2, `cannot read data file ${path}: ${osError(e)}`);
    }
    try {
      invocation.loadData(bytes);
    } catch (e) {
      fail(2, `data file ${path}: ${fromThrown(e).message}`);
    }
  }
  let engine;
  try {
    engine = wasm.MockEngine.fromInvocation(invocation, Date.now());
  } catch (e) {
    fail(2, `invalid option: ${fromThrown(e).message}`);
  }
  const host = invocation.urlHost;
  let server;
  try {
    server = await serve(engine, invocation.host, invocation.port);
  } catch (e) {
    fail(1, `cannot listen on ${host}:${invocation.port}: ${osError(e)}`);
  }
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      server.close();
      process.exit(0);
    });
  }
  process.stdout.write(`mde-mock listening on http://${host}:${server.port}\n`);
}
