import { existsSync, readdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test } from './fixtures';

/** A running `pnpm start` serves web/build: the browser tests build and serve a folder of their own (issue 10). */
test('the dashboard under test is built into its own folder and web/build is left untouched', async ({ page }) => {
  const sharedServerBuild = resolve(process.cwd(), 'build/server/index.js');
  const stampNow = existsSync(sharedServerBuild) ? String(statSync(sharedServerBuild).mtimeMs) : 'none';
  expect(stampNow, 'web/build was rebuilt by the test run').toBe(process.env.E2E_SHARED_BUILD_STAMP);

  const buildPath = process.env.E2E_BUILD_PATH;
  test.skip(!buildPath, 'E2E_BASE_URL points at a dashboard this run did not build');
  await page.goto('/login');
  const served = await page
    .locator('script[type=module][src^="/assets/"], link[rel=modulepreload][href^="/assets/"]')
    .evaluateAll((els) => els.map((el) => (el.getAttribute('src') ?? el.getAttribute('href') ?? '').slice('/assets/'.length)));
  expect(served.length).toBeGreaterThan(0);
  const ownAssets = readdirSync(resolve(buildPath!, 'client/assets'));
  for (const asset of served) expect(ownAssets).toContain(asset);
});
