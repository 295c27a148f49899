// The browser entry's size as an application pays it (run by `cargo xtask bench-wasm`, figures for BENCHMARKS.md):
// a one-line consumer of the package, built by Vite's production build (`vite build`, its defaults: minified,
// tree-shaken), and the JavaScript and wasm it emits, compressed with brotli at quality 11 (what CDNs and servers
// send) and gzip -9. Run in the test project, where the packed package is installed as a user installs it.
//
// For the package as it is packed (the module inlined in hexadecimal, decoded on import by `Uint8Array.fromHex`),
// and, to weigh that form, the same package with other forms of `wasm/inline.js`: the module in base64, or one
// character per byte, decoded on import (each checked to give back the packed package's module byte for byte), and
// the sum of the JavaScript without the module and the `.wasm` file, as if the module were fetched apart. The
// variants exist only in this benchmark's temporary copies of the installed package. (The LZMA packing that the
// hexadecimal form replaced is in BENCHMARKS.md's figures: 4.1 KB smaller under brotli, 12 to 16 ms to unpack.)
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const installed = join(here, 'node_modules', 'mde-investigations');
const vite = process.env.VITE_BIN;
if (!vite) throw new Error('VITE_BIN: the path of the vite binary');

const brotli = (bytes) => brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }).length;
const gzip = (bytes) => gzipSync(bytes, { level: 9 }).length;

/** The one line of the consumer: what an application that uses the client writes at least. */
const CONSUMER = (name) => `import { InvestigationsClient } from '${name}'; window.client = new InvestigationsClient({ baseUrl: location.origin, token: 't' });\n`;

/** Builds the consumer of package `name` with `vite build`; the emitted JavaScript and wasm, sizes per file. */
function build(name) {
  const app = join(here, `vite-size-${name}`);
  rmSync(app, { recursive: true, force: true });
  mkdirSync(app);
  writeFileSync(join(app, 'index.html'), '<!doctype html><meta charset="utf-8"><script type="module" src="./main.js"></script>');
  writeFileSync(join(app, 'main.js'), CONSUMER(name));
  execFileSync(vite, ['build', '--base', './', '--logLevel', 'warn', '--outDir', 'dist'], { cwd: app, stdio: 'inherit' });
  const assets = join(app, 'dist', 'assets');
  const files = readdirSync(assets).filter((f) => f.endsWith('.js') || f.endsWith('.wasm'));
  const per = files.map((f) => {
    const bytes = readFileSync(join(assets, f));
    return { file: f, raw: bytes.length, gzip: gzip(bytes), brotli: brotli(bytes) };
  });
  const sum = (key) => per.reduce((n, f) => n + f[key], 0);
  return { raw: sum('raw'), gzip: sum('gzip'), brotli: sum('brotli'), per };
}

/** The installed package as package `name`, its `wasm/inline.js` replaced by `source`. */
function variant(name, source) {
  const dir = join(here, 'node_modules', name);
  rmSync(dir, { recursive: true, force: true });
  cpSync(installed, dir, { recursive: true });
  writeFileSync(join(dir, 'wasm', 'inline.js'), source);
  return dir;
}

const wasm = readFileSync(join(installed, 'wasm', 'mde_wasm_bg.wasm'));
const decodeText = `export function wasmBytes() {
  const out = new Uint8Array(DATA.length);
  for (let i = 0; i < DATA.length; i++) out[i] = DATA.charCodeAt(i);
  return out;
}
`;
const VARIANTS = {
  // The module in base64.
  'mde-investigations-base64': `const DATA = atob("${wasm.toString('base64')}");\n${decodeText}`,
  // The module as a string literal, one character per byte (Latin-1; the bundler escapes what it must).
  'mde-investigations-latin1': `const DATA = ${JSON.stringify(wasm.toString('latin1'))};\n${decodeText}`,
  // No module at all: the JavaScript an application would emit if the module were a file of its own, fetched
  // apart (not a working build: the entry needs the bytes synchronously; for the sum JS + .wasm only).
  'mde-investigations-nomodule': `export function wasmBytes() { throw new Error('the module is a file of its own'); }\n`,
};

const shipped = build('mde-investigations');
const packedBytes = (await import(pathToFileURL(join(installed, 'wasm', 'inline.js')).href)).wasmBytes();
assert.deepEqual(Buffer.from(packedBytes), wasm, 'the packed module is the one in wasm/mde_wasm_bg.wasm');
const built = {};
for (const [name, source] of Object.entries(VARIANTS)) {
  const dir = variant(name, source);
  if (name !== 'mde-investigations-nomodule') {
    // The variant gives back the same module, byte for byte.
    const bytes = (await import(pathToFileURL(join(dir, 'wasm', 'inline.js')).href)).wasmBytes();
    assert.deepEqual(Buffer.from(bytes), wasm, `${name} decodes to the module`);
  }
  built[name] = build(name);
}

const kb = (n) => `${n} bytes (${(n / 1024).toFixed(1)} KiB)`;
const line = (label, r) =>
  console.log(`${label}: ${kb(r.raw)}, brotli 11 ${kb(r.brotli)}, gzip -9 ${kb(r.gzip)} ${JSON.stringify(r.per.map(({ file, raw, brotli: b }) => ({ file, raw, brotli: b })))}`);
const version = execFileSync(vite, ['--version'], { encoding: 'utf8' }).trim();
console.log(`one-line consumer (${CONSUMER('mde-investigations').trim()}), vite build (${version}), emitted JS + wasm:`);
line('  as packed (the module in hexadecimal)                     ', shipped);
line('  the module in base64                                      ', built['mde-investigations-base64']);
line('  the module one character per byte (Latin-1 literal)       ', built['mde-investigations-latin1']);
const apart = built['mde-investigations-nomodule'];
const wasmBrotli = brotli(wasm);
const wasmGzip = gzip(wasm);
console.log(
  `  the module a .wasm file of its own (not a working build: the entry needs the bytes synchronously): JS ${kb(apart.raw)} + wasm ${kb(wasm.length)}, brotli 11 ${kb(apart.brotli)} + ${kb(wasmBrotli)} = ${kb(apart.brotli + wasmBrotli)}, gzip -9 ${kb(apart.gzip + wasmGzip)}`,
);
console.log(`  budget: brotli 11 <= 61,440 bytes; the packed build: ${shipped.brotli <= 61_440 ? 'met' : 'NOT met'}`);
for (const name of ['mde-investigations', ...Object.keys(VARIANTS)]) {
  rmSync(join(here, `vite-size-${name}`), { recursive: true, force: true });
  if (name !== 'mde-investigations') rmSync(join(here, 'node_modules', name), { recursive: true, force: true });
}
