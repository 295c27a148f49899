// Used by `cargo xtask package`: minifies the package's JavaScript in place with oxc's minifier (through the
// pinned `rolldown` in target/tools). Top-level names are mangled, but functions and classes keep their `name`
// (MdeError, InvestigationsClient in stack traces); exports keep their names.
// Usage: node minify.mjs <tools dir> <file.js>...
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [tools, ...files] = process.argv.slice(2);
const resolved = createRequire(join(tools, 'package.json')).resolve('rolldown/utils');
const { minifySync } = await import(pathToFileURL(resolved).href);
for (const file of files) {
  const code = readFileSync(file, 'utf8');
  const out = minifySync(file, code, {
    module: true,
    compress: { target: 'es2022' },
    mangle: { toplevel: true, keepNames: true },
  });
  if (out.errors.length > 0) {
    console.error(`${file}: ${out.errors.map((e) => e.message).join('; ')}`);
    process.exit(1);
  }
  writeFileSync(file, out.code);
}
