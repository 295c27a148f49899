// Headless Chromium with one unpacked extension loaded, for the package's MV3 tests (browser.mv3.js,
// browser.shared-mv3.js). Extensions load only in the new headless mode, which `--headless=new` asks for.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { chromium } = require(process.env.PLAYWRIGHT_CORE ?? 'playwright-core');

/** A persistent context on `profile` (a fresh directory) with the extension of directory `ext` loaded. */
export function launchWithExtension(profile, ext) {
  return chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: false,
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--disable-extensions-except=${ext}`,
      `--load-extension=${ext}`,
    ],
  });
}

/** The extension's service worker, once it has started. */
export async function extensionWorker(context) {
  return context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 20_000 }));
}
