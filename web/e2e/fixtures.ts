import { mkdirSync } from 'node:fs';
import { test as base, expect, type Page } from '@playwright/test';

/** Demo users seeded by the API (`SEED_DEMO=true`). */
export const USERS = {
  owner: { email: 'owner@demo.luneo.test', password: 'luneo-demo' },
  admin: { email: 'admin@demo.luneo.test', password: 'luneo-demo' },
  staff: { email: 'staff@demo.luneo.test', password: 'luneo-demo' },
  viewer: { email: 'viewer@demo.luneo.test', password: 'luneo-demo' },
} as const;

type Who = keyof typeof USERS;

interface Fixtures {
  /** Signs in through the form, like a person, and lands on `to`. */
  login: (who?: Who, to?: string) => Promise<void>;
  /** Saves a screenshot of the final screen as test-artifacts/<name>.png (full page unless told otherwise). */
  saveScreenshot: (name: string, options?: { fullPage?: boolean }) => Promise<void>;
}

export const test = base.extend<Fixtures>({
  baseURL: async ({}, use) => {
    const url = process.env.E2E_BASE_URL;
    if (!url) throw new Error('E2E_BASE_URL is not set: the global setup did not start the dashboard');
    await use(url);
  },
  login: async ({ page }, use) => {
    await use(async (who = 'owner', to = '/orders') => {
      await page.goto(`/login?redirectTo=${encodeURIComponent(to)}`);
      await page.getByLabel('Email').fill(USERS[who].email);
      await page.getByLabel('Password').fill(USERS[who].password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL((url) => url.pathname === to.split('?')[0]);
    });
  },
  saveScreenshot: async ({ page }, use) => {
    mkdirSync('test-artifacts', { recursive: true });
    await use(async (name, options) => {
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: `test-artifacts/${name}.png`, fullPage: options?.fullPage ?? true });
    });
  },
});

export { expect };

/** Waits until the orders table shows the result of the current URL (no "Updating…" in flight). */
export async function settled(page: Page) {
  await expect(page.getByText('Updating…')).toHaveCount(0);
}

export function uniqueSuffix(): string {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`.toUpperCase();
}
