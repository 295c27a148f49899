#!/usr/bin/env node
// A small static server for the built dashboard (www/dist), used by `cargo xtask demo` and by the browser tests.
// It serves files under the root only, `application/wasm` for .wasm, and `/config.json` from the `config` it was
// given (where the page sends its calls). Loopback by default.
//
//   node serve.mjs [--root dist] [--host 127.0.0.1] [--port 4173] [--config '{"baseUrl": "...", ...}']
//   prints: dashboard listening on http://HOST:PORT/

import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

// The page runs WebAssembly ('wasm-unsafe-eval'), never eval; it calls the API on another origin (connect-src).
const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  'connect-src *',
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Starts the server. Resolves to `{ url, close }` once it listens.
 * @param {{ root?: string, host?: string, port?: number, config?: object }} options
 */
export async function startServer({ root, host = '127.0.0.1', port = 0, config = {} } = {}) {
  const base = resolve(root ?? join(fileURLToPath(new URL('.', import.meta.url)), 'dist'));
  const configBody = JSON.stringify(config);
  const server = createServer(async (req, res) => {
    const headers = {
      'cache-control': 'no-cache',
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headers, allow: 'GET, HEAD' }).end();
      return;
    }
    let path;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      res.writeHead(400, headers).end();
      return;
    }
    if (path === '/config.json') {
      res.writeHead(200, { ...headers, 'content-type': TYPES['.json'] }).end(req.method === 'HEAD' ? '' : configBody);
      return;
    }
    if (path.endsWith('/')) path += 'index.html';
    const file = normalize(join(base, path));
    if (file !== base && !file.startsWith(base + sep)) {
      res.writeHead(404, headers).end();
      return;
    }
    try {
      if (!(await stat(file)).isFile()) throw new Error('not a file');
      const body = await readFile(file);
      const type = TYPES[extname(file)] ?? 'application/octet-stream';
      res.writeHead(200, { ...headers, 'content-type': type, 'content-length': body.length });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(404, { ...headers, 'content-type': TYPES['.txt'] }).end('not found\n');
    }
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, ok);
  });
  const address = server.address();
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shown}:${address.port}/`,
    close: () =>
      new Promise((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}

function parseArgs(argv) {
  const o = {};
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--root') o.root = value;
    else if (flag === '--host') o.host = value;
    else if (flag === '--port') o.port = Number(value);
    else if (flag === '--config') o.config = JSON.parse(value);
    else throw new Error(`unknown flag ${flag}`);
  }
  return o;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`serve.mjs: ${e.message}`);
    process.exit(2);
  }
  const { url, close } = await startServer(options).catch((e) => {
    console.error(`serve.mjs: ${e.message}`);
    process.exit(1);
  });
  console.log(`dashboard listening on ${url}`);
  const stop = () => close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
