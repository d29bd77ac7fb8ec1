import type { Page } from '@playwright/test';
import { USERS, expect, settled, test } from './fixtures';

/** A page on another site, served by the browser itself: what an attacker's page could do to a signed-in person. */
const EVIL_ORIGIN = 'http://evil.example';

/** Collects the browser's Content-Security-Policy complaints for the whole test. */
function watchCspViolations(page: Page): string[] {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  return violations;
}

/** Every token-like run of characters in the session cookie, however it is encoded (Remix signs base64 of JSON). */
function tokenLikeStringsInCookie(value: string): string[] {
  const decoded = decodeURIComponent(value);
  const layers = [decoded, ...decoded.split('.').map((part) => Buffer.from(part, 'base64').toString('latin1'))];
  return [...new Set(layers.flatMap((layer) => layer.match(/[A-Za-z0-9_+/=-]{20,}/g) ?? []))];
}

async function apiAccepts(bearer: string): Promise<boolean> {
  const res = await fetch(process.env.API_URL!, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
    body: JSON.stringify({ query: '{ viewer { role } }' }),
  });
  const body = (await res.json().catch(() => ({}))) as { data?: { viewer?: { role?: string } } };
  return Boolean(body.data?.viewer?.role);
}

test('signing in: redirected to sign-in and back, clear errors, sign out', async ({ page, saveScreenshot }) => {
  const violations = watchCspViolations(page);
  await page.goto('/orders?status=PENDING');
  await expect(page).toHaveURL(/\/login\?redirectTo=%2Forders%3Fstatus%3DPENDING/);
  await expect(page.getByText('Please sign in to continue.')).toBeVisible();

  await page.getByLabel('Email').fill(USERS.owner.email);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('do not match an account');
  await expect(page.getByLabel('Email')).toHaveValue(USERS.owner.email);
  // A refused password is cleared, so the next attempt starts clean (issue 10).
  await expect(page.getByLabel('Password')).toHaveValue('');
  await expect(page.getByLabel('Password')).toBeFocused();
  await saveScreenshot('sign-in-wrong-password');

  await page.getByLabel('Password').fill(USERS.owner.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/orders\?status=PENDING$/);
  await expect(page.getByRole('heading', { name: 'Orders' })).toBeVisible();
  await expect(page.getByRole('checkbox', { name: 'Pending' })).toBeChecked();

  // The token stays server-side: the only cookie the page could read is the time zone.
  const readable = await page.evaluate(() => document.cookie);
  expect(readable).not.toContain('luneo_session');
  const session = (await page.context().cookies()).find((c) => c.name === '__luneo_session');
  expect(session?.httpOnly).toBe(true);
  expect(session?.sameSite).toBe('Lax');
  // The dashboard under test runs with NODE_ENV=production: cookies are Secure unless COOKIE_SECURE=false.
  expect(session?.secure).toBe(true);
  // Nothing in the cookie works as an API credential, even for someone who copies it out of the browser.
  for (const candidate of tokenLikeStringsInCookie(session!.value)) expect(await apiAccepts(candidate), candidate).toBe(false);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login\?signedOut=1/);
  await expect(page.getByText('You have been signed out.')).toBeVisible();
  await page.goto('/orders');
  await expect(page).toHaveURL(/\/login/);
  await saveScreenshot('sign-in');
  expect(violations).toEqual([]);
});

test('sign-in never sends someone to another site, with or without JavaScript', async ({ browser, baseURL }) => {
  for (const javaScriptEnabled of [true, false]) {
    const context = await browser.newContext({ baseURL, javaScriptEnabled });
    await context.route(`${EVIL_ORIGIN}/**`, (route) => route.fulfill({ contentType: 'text/html', body: '<h1>Evil</h1>' }));
    const page = await context.newPage();
    // `%09` is a tab: browsers strip it from URLs, so `/\t/evil.example` means `//evil.example`.
    await page.goto('/login?redirectTo=/%09/evil.example');
    await page.getByLabel('Email').fill(USERS.viewer.email);
    await page.getByLabel('Password').fill(USERS.viewer.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname !== '/login', { timeout: 10_000 });
    expect(new URL(page.url()).origin, `javaScriptEnabled: ${javaScriptEnabled}`).toBe(baseURL);
    expect(new URL(page.url()).pathname).toBe('/orders');
    await context.close();
  }
});

test('another site cannot sign the visitor into its own account (login CSRF)', async ({ page, baseURL }) => {
  const dashboard = new URL(baseURL!);
  // Another host, and the same host over the other scheme (whose POST the browser sends with `Origin: null`).
  for (const attacker of [EVIL_ORIGIN, `https://${dashboard.host}`]) {
    await page.route(`${attacker}/**`, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<form method="post" action="${baseURL}/login">
          <input name="email" value="${USERS.viewer.email}"><input name="password" value="${USERS.viewer.password}">
          <input name="redirectTo" value="/orders"><button>Win a prize</button></form>`,
      }),
    );
    await page.goto(`${attacker}/prize`);
    await page.getByRole('button', { name: 'Win a prize' }).click();
    // Remix 2.17 itself aborts a document POST whose Origin is not its Host (a bare 500) before the action's own check.
    await page.waitForURL((url) => !url.href.startsWith(attacker));
    const session = (await page.context().cookies()).find((c) => c.name === '__luneo_session');
    expect(session, `posted from ${attacker}`).toBeUndefined();
  }
});

test('security headers: only the page’s own scripts run, and no other site may frame it', async ({ page, login }) => {
  const violations = watchCspViolations(page);
  const response = await page.goto('/login');
  const headers = response!.headers();
  const csp = headers['content-security-policy'] ?? '';
  expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{16,}'/);
  expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
  expect(csp).toContain("frame-ancestors 'none'");
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['x-frame-options']).toBe('DENY');
  expect(headers['referrer-policy']).toBe('same-origin');

  // A script injected into the page without the nonce does not run; Remix's own nonced scripts did (it hydrated).
  const injectedRan = await page.evaluate(async () => {
    const script = document.createElement('script');
    script.textContent = 'window.__injected = true';
    document.head.append(script);
    await new Promise((r) => setTimeout(r, 50));
    return (window as { __injected?: boolean }).__injected === true;
  });
  expect(injectedRan).toBe(false);
  expect(violations.length).toBeGreaterThan(0);
  violations.length = 0;

  // Every screen renders, hydrates and talks to the API under the policy without a single complaint.
  await login('owner', '/orders');
  await settled(page);
  await page.getByTestId('orders-table').locator('.order-link').first().click();
  await expect(page.getByTestId('order-number')).toBeVisible();
  for (const path of ['/orders/new', '/stats', '/products', '/settings']) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  }
  await page.getByRole('link', { name: 'Orders' }).first().click();
  await expect(page).toHaveURL(/\/orders/);
  expect(violations).toEqual([]);

  // A page on another site cannot show the dashboard in a frame (clickjacking).
  await page.route(`${EVIL_ORIGIN}/**`, (route) =>
    route.fulfill({ contentType: 'text/html', body: `<iframe src="${page.url()}" title="framed"></iframe>` }),
  );
  await page.goto(`${EVIL_ORIGIN}/frame`);
  const framed = page.mainFrame().childFrames()[0];
  await expect.poll(() => framed.url()).toMatch(/^chrome-error:/);
});
