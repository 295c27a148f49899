// The baseline of the start-up benchmark (browser.bench.js, issue 16 point 3): a plain JavaScript module graph
// with the browser entry's shape and bytes, and no wasm. Each file stands for one of the entry's files, imports
// what that file imports and is padded with a string literal to that file's size on disk, so that the browser
// fetches, parses and evaluates as many modules and bytes as for the package; the first call has the same shape
// (`validateFilter(filter)`, which reads the padding so that it is not dead).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// Each of the browser entry's files (as in the package) and what it imports (relative to the package's root).
const GRAPH = {
  'index.js': ['wasm/mde_wasm.js', 'wasm/inline.js', 'client.js'],
  'client.js': ['wasm/mde_wasm.js', 'shared-limiter.js'],
  'shared-limiter.js': [],
  'wasm/mde_wasm.js': [],
  'wasm/inline.js': [],
};

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** `length` pseudo-random base64 characters (a 32-bit LCG's high bits), the text of an inlined binary. */
function noise(length, seed) {
  let x = seed >>> 0;
  let out = '';
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out += BASE64[x >>> 26];
  }
  return out;
}

/** The relative specifier from `from` to `to`, both paths inside the package. */
function specifier(from, to) {
  const up = from.includes('/') ? '../' : './';
  return up + to;
}

/** The module that stands for `file`, padded to `size` bytes (ASCII: bytes = characters). */
function module(file, size, seed) {
  const imports = GRAPH[file].map((dep, i) => `import { DATA as d${i} } from '${specifier(file, dep)}';\n`).join('');
  const deps = GRAPH[file].map((_, i) => `d${i}.length`).join(' + ') || '0';
  let code = imports;
  if (file === 'index.js') {
    code += "export { validateFilter, InvestigationsClient } from './client.js';\n";
  }
  if (file === 'client.js') {
    code +=
      'export class InvestigationsClient { constructor(options) { this.options = options; } }\n' +
      "export function validateFilter(filter) {\n  if (typeof filter !== 'string') throw new TypeError('filter');\n" +
      '  return DATA.charCodeAt(filter.length % DATA.length) + DEPS > 0;\n}\n';
  }
  code += `export const DEPS = ${deps};\n`;
  const head = `${code}export const DATA = "`;
  const tail = '";\n';
  const pad = Math.max(0, size - head.length - tail.length);
  return head + noise(pad, seed) + tail;
}

/** The baseline's modules as the static server's pages: `/baseline/<file>` for each file of the browser entry. */
export function baselineModules(packageDir) {
  const pages = {};
  Object.keys(GRAPH).forEach((file, i) => {
    const size = readFileSync(join(packageDir, file)).length;
    pages[`/baseline/${file}`] = module(file, size, i + 1);
  });
  return pages;
}
