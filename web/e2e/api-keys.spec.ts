import { expect, test, uniqueSuffix } from './fixtures';

/** Settings → API keys: an owner creates a key (its secret shown once), the key works against the API, revoking stops it. */
test('API keys: create with permissions, secret shown once, works, revoked at once', async ({ page, login, request, saveScreenshot }) => {
  const apiUrl = process.env.API_URL!;
  const asKey = (secret: string) =>
    request.post(apiUrl, { headers: { authorization: `Bearer ${secret}` }, data: { query: '{ viewer { actor { type label } scopes } }' } });

  await login('owner', '/settings');
  const card = page.getByRole('region', { name: 'API keys' });
  await card.getByRole('button', { name: 'New key' }).click();
  await card.getByRole('button', { name: 'Create key' }).click();
  await expect(card.getByText('Name the key after what uses it')).toBeVisible();
  await expect(card.getByText('Choose at least one permission.')).toBeVisible();

  const name = `ERP sync ${uniqueSuffix()}`;
  await card.getByLabel('Name').fill(name);
  await card.getByLabel(/Read orders/).check();
  await card.getByLabel(/Read statistics/).check();
  await card.getByRole('button', { name: 'Create key' }).click();

  const shown = card.getByTestId('api-key-secret');
  await expect(shown).toContainText('it will not be shown again');
  const secret = (await shown.locator('.mono').textContent())!.trim();
  expect(secret).toMatch(/^lno_/);
  const row = card.getByRole('row').filter({ hasText: name });
  await expect(row).toContainText(secret.slice(0, 12));
  await expect(row).toContainText('orders:read, stats:read');
  await expect(row).toContainText('Active');
  await saveScreenshot('settings-api-keys');

  const working = await (await asKey(secret)).json();
  expect(working.data.viewer).toEqual({ actor: { type: 'API_KEY', label: name }, scopes: ['orders:read', 'stats:read'] });

  await card.getByRole('button', { name: 'I have stored it' }).click();
  await expect(shown).toHaveCount(0);
  await expect(card).not.toContainText(secret);

  page.once('dialog', (dialog) => dialog.accept());
  await row.getByRole('button', { name: 'Revoke' }).click();
  await expect(row).toContainText('Revoked');
  const refused = await (await asKey(secret)).json();
  expect(refused.errors[0].extensions.code).toBe('UNAUTHENTICATED');
});
