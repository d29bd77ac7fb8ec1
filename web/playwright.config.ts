import { existsSync, statSync } from 'node:fs';
import { defineConfig, devices } from '@playwright/test';

/**
 * End-to-end tests in Debian's Chromium (never a downloaded browser) against the real stack:
 * the API at API_URL (default http://127.0.0.1:4000/graphql, seeded with the demo brand) and this dashboard,
 * which the global setup builds and serves on a free port (or reuses E2E_BASE_URL when set).
 * The tests change demo data (statuses, stock, orders), so they run one at a time.
 */
const chromium =
  process.env.CHROMIUM_PATH ?? ['/usr/lib/chromium/chromium', '/usr/bin/chromium'].find((path) => existsSync(path)) ?? '/usr/bin/chromium';

// What web/build (served by a running `pnpm start`) looked like before this run; e2e/build-isolation.spec.ts checks that
// the run left it untouched. Set once, in the main process, before the global setup builds anything.
const sharedServerBuild = new URL('./build/server/index.js', import.meta.url);
process.env.E2E_SHARED_BUILD_STAMP ??= existsSync(sharedServerBuild) ? String(statSync(sharedServerBuild).mtimeMs) : 'none';

export default defineConfig({
  testDir: './e2e',
  testMatch: '**/*.spec.ts',
  globalSetup: './e2e/global-setup.ts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  forbidOnly: Boolean(process.env.CI),
  reporter: [['list']],
  outputDir: 'test-artifacts/playwright',
  use: {
    ...devices['Desktop Chrome'],
    viewport: { width: 1360, height: 900 },
    locale: 'en-US',
    timezoneId: 'Europe/Paris',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: chromium,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    },
  },
});
