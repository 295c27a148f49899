// Shared by the browser smoke test and the browser benchmark: a static server for the package and test pages,
// and Debian's Chromium driven by playwright-core (never Playwright's own browser download).
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { extname, join, normalize } from 'node:path';

const TYPES = { '.js': 'text/javascript', '.html': 'text/html', '.wasm': 'application/wasm', '.json': 'application/json' };

/** Serves `/pkg/*` from the installed package and everything else from this directory, on a free port. */
export async function staticServer(packageDir, pages = {}) {
  const root = process.cwd();
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
    try {
      let body;
      if (pages[path] !== undefined) body = pages[path];
      else if (path.startsWith('/pkg/')) body = await readFile(join(packageDir, path.slice(5)));
      else body = await readFile(join(root, path));
      const type = path.startsWith('/api/') ? 'application/json' : (TYPES[extname(path)] ?? 'text/html');
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

export async function launchChromium() {
  const require = createRequire(import.meta.url);
  const { chromium } = require(process.env.PLAYWRIGHT_CORE ?? 'playwright-core');
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
