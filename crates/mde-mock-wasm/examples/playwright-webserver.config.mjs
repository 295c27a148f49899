// Playwright starts `npx mde-mock` (and your app) before the tests and stops them after. The mock takes a free
// port; Playwright waits for its ready line and puts the URL it names in VITE_MDE_BASE_URL, which the app's
// server (started next) and the tests read.
import { defineConfig } from '@playwright/test';

const appPort = Number(process.env.APP_PORT ?? 5173);

export default defineConfig({
  testMatch: 'playwright-webserver.spec.mjs',
  webServer: [
    {
      command: 'npx mde-mock --port 0 --count 500 --seed 1 --now 2026-11-01T00:00:00Z',
      wait: { stdout: /^mde-mock listening on (?<VITE_MDE_BASE_URL>http:\/\/\S+)\r?\n/m },
      gracefulShutdown: { signal: 'SIGTERM', timeout: 2000 },
    },
    {
      command: `npx vite app --host 127.0.0.1 --port ${appPort} --strictPort`,
      url: `http://127.0.0.1:${appPort}`,
    },
  ],
  use: {
    baseURL: `http://127.0.0.1:${appPort}`,
    browserName: 'chromium',
    // Playwright's own Chromium (`npx playwright install chromium`), or the one CHROMIUM_PATH names.
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || undefined,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
});
