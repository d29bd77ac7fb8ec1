import { expect, settled, test } from './fixtures';

/** One locale per person, for every number, date, amount and input: the brand's by default, or the one they pick. */
test('numbers, amounts and price inputs follow one locale: the brand’s, then the one the person picks', async ({ page, login, saveScreenshot }) => {
  await login('owner', '/products?q=ML-SCF-001');
  await settled(page);
  // The demo brand sells in euros: French formats, even in an en-US browser.
  const row = page.locator('tr[data-sku="ML-SCF-001"]');
  await expect(row).toContainText('490,00\u00a0€');
  await expect(row.getByTestId('stock')).toHaveText(/^\d{1,3}\u202f\d{3}$/);
  await row.getByRole('button', { name: /^Edit/ }).click();
  await expect(page.getByLabel(/Price/)).toHaveValue('490,00');
  await page.getByRole('button', { name: 'Cancel' }).click();
  await row.getByRole('button', { name: /^Adjust stock/ }).click();
  await expect(page.getByText(/^Currently \d{1,3}\u202f\d{3}$/)).toBeVisible();
  await saveScreenshot('locale-brand-default');

  // The person picks US English: every screen follows, server-rendered too.
  await page.getByLabel(/Number and date format/).selectOption('en-US');
  await expect(row).toContainText('€490.00');
  await expect(row.getByTestId('stock')).toHaveText(/^\d{1,3},\d{3}$/);
  await page.goto('/orders');
  await settled(page);
  await expect(page.getByTestId('orders-table').locator('tbody td.money').first()).toHaveText(/^€[\d,]+\.\d{2}$/);
  await page.goto('/stats');
  await expect(page.getByTestId('kpis-EUR')).toContainText(/€[\d,]+\.\d{2}/);
  await saveScreenshot('locale-en-us-stats');

  // Back to the brand's default.
  await page.getByLabel(/Number and date format/).selectOption('');
  await expect(page.getByTestId('kpis-EUR')).toContainText(/[\d\u202f]+,\d{2}\u00a0€/);
});
