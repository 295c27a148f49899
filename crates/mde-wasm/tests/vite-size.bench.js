// The browser entry's size as an application pays it (run by `cargo xtask bench-wasm`, figures for BENCHMARKS.md):
// a one-line consumer of the package, built by Vite's production build (`vite build`, its defaults: minified,
// tree-shaken), and the JavaScript and wasm it emits, compressed with brotli at quality 11 (what CDNs and servers
// send) and gzip -9. Run in the test project, where the packed package is installed as a user installs it.
//
// Twice: the package as it is packed (the module LZMA-compressed and unpacked on import by a second wasm module,
// crates/mde-unlzma), and the same package with the LZMA packing off: `wasm/inline.js` replaced by the module itself
// in base64, decoded on import (the packing is not changed here; the variant exists only in this benchmark, to
// weigh what the LZMA packing saves). The variant is checked to give back the packed package's module byte for byte.
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

/** The installed package with `wasm/inline.js` giving the module from base64 without LZMA, as package `name`. */
function withoutLzma(name) {
  const dir = join(here, 'node_modules', name);
  rmSync(dir, { recursive: true, force: true });
  cpSync(installed, dir, { recursive: true });
  const wasm = readFileSync(join(installed, 'wasm', 'mde_wasm_bg.wasm'));
  writeFileSync(
    join(dir, 'wasm', 'inline.js'),
    `// The module in base64, without LZMA (a variant for the size benchmark only).
const DATA = "${wasm.toString('base64')}";
export function wasmBytes() {
  const s = atob(DATA);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
`,
  );
  return { dir, wasm };
}

const shipped = build('mde-investigations');
const variant = withoutLzma('mde-investigations-nolzma');
// The variant is the same module: the packed inline.js and the variant's give the same bytes.
const packedBytes = (await import(pathToFileURL(join(installed, 'wasm', 'inline.js')).href)).wasmBytes();
const plainBytes = (await import(pathToFileURL(join(variant.dir, 'wasm', 'inline.js')).href)).wasmBytes();
assert.deepEqual(Buffer.from(plainBytes), variant.wasm, 'the variant decodes to the module');
assert.deepEqual(Buffer.from(packedBytes), variant.wasm, 'the packed module is the one in wasm/mde_wasm_bg.wasm');
const unpacked = build('mde-investigations-nolzma');

const kb = (n) => `${n} bytes (${(n / 1024).toFixed(1)} KiB)`;
const line = (label, r) =>
  console.log(`${label}: ${kb(r.raw)}, brotli 11 ${kb(r.brotli)}, gzip -9 ${kb(r.gzip)} ${JSON.stringify(r.per.map(({ file, raw, brotli: b }) => ({ file, raw, brotli: b })))}`);
const version = execFileSync(vite, ['--version'], { encoding: 'utf8' }).trim();
console.log(`one-line consumer (${CONSUMER('mde-investigations').trim()}), vite build (${version}), emitted JS + wasm:`);
line('  as packed (module LZMA-compressed, unpacked by mde-unlzma)', shipped);
line('  LZMA packing off (module in base64)                       ', unpacked);
console.log(`  LZMA saves: ${unpacked.brotli - shipped.brotli} bytes of brotli 11, ${unpacked.gzip - shipped.gzip} bytes of gzip -9 (budget: brotli 11 <= 61,440)`);
const wasm = variant.wasm;
console.log(`  for reference, the module alone as a .wasm file: ${kb(wasm.length)}, brotli 11 ${kb(brotli(wasm))}, gzip -9 ${kb(gzip(wasm))}`);
for (const name of ['mde-investigations', 'mde-investigations-nolzma']) rmSync(join(here, `vite-size-${name}`), { recursive: true, force: true });
