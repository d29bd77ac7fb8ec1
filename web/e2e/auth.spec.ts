import { USERS, expect, test } from './fixtures';

test('signing in: redirected to sign-in and back, clear errors, sign out', async ({ page, saveScreenshot }) => {
  await page.goto('/orders?status=PENDING');
  await expect(page).toHaveURL(/\/login\?redirectTo=%2Forders%3Fstatus%3DPENDING/);
  await expect(page.getByText('Please sign in to continue.')).toBeVisible();

  await page.getByLabel('Email').fill(USERS.owner.email);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('do not match an account');
  await expect(page.getByLabel('Email')).toHaveValue(USERS.owner.email);

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

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login\?signedOut=1/);
  await expect(page.getByText('You have been signed out.')).toBeVisible();
  await page.goto('/orders');
  await expect(page).toHaveURL(/\/login/);
  await saveScreenshot('sign-in');
});
