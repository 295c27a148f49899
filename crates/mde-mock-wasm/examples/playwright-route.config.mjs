// Playwright starts your app; its page talks to the service's real host, which the test routes to the mock's
// in-process handler (playwright-route.spec.mjs): no mock server at all.
import { defineConfig } from '@playwright/test';

const appPort = Number(process.env.APP_PORT ?? 5173);

export default defineConfig({
  testMatch: 'playwright-route.spec.mjs',
  webServer: {
    command: `npx vite app --host 127.0.0.1 --port ${appPort} --strictPort`,
    url: `http://127.0.0.1:${appPort}`,
  },
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
