import { expect, settled, test, uniqueSuffix } from './fixtures';

test('products: create, edit the price, adjust stock with a reason', async ({ page, login, saveScreenshot }) => {
  const sku = `E2E-${uniqueSuffix()}`;
  await login('owner', '/products');

  await page.getByRole('button', { name: 'New product' }).click();
  const editor = page.getByRole('form', { name: 'New product' });
  await editor.getByRole('button', { name: 'Create product' }).click();
  await expect(editor.getByText('Enter a SKU.')).toBeVisible();
  await editor.getByLabel('SKU').fill(sku);
  await editor.getByLabel('Name').fill('Test scarf, e2e');
  await editor.getByLabel(/Price/).fill('12.345');
  await editor.getByRole('button', { name: 'Create product' }).click();
  await expect(editor.getByText('Use at most 2 decimals.')).toBeVisible();
  await editor.getByLabel(/Price/).fill('129,50');
  await editor.getByLabel('Initial stock').fill('4');
  await editor.getByRole('button', { name: 'Create product' }).click();
  await expect(page.getByText('Test scarf, e2e was created.')).toBeVisible();

  await page.getByLabel('Search').fill(sku);
  await settled(page);
  const row = page.locator(`tr[data-sku="${sku}"]`);
  await expect(row).toContainText('129,50');
  await expect(row.getByTestId('stock')).toHaveText('4');

  await row.getByRole('button', { name: /^Edit/ }).click();
  await page.getByLabel(/Price/).fill('99');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByText('Test scarf, e2e was updated.')).toBeVisible();
  await expect(row).toContainText('99,00');

  await row.getByRole('button', { name: /^Adjust stock/ }).click();
  await page.getByLabel(/Change/).fill('-9');
  await page.getByLabel('Reason').fill('Inventory count correction');
  await page.getByRole('button', { name: 'Save adjustment' }).click();
  await expect(page.getByText('Stock cannot go below 0 (currently 4).')).toBeVisible();
  await page.getByLabel(/Change/).fill('6');
  await expect(page.getByText('New stock: 10')).toBeVisible();
  await page.getByRole('button', { name: 'Save adjustment' }).click();
  await expect(page.getByText(/Stock of Test scarf, e2e is now 10/)).toBeVisible();
  await expect(row.getByTestId('stock')).toHaveText('10');
  await saveScreenshot('products');
});
