import { expect, settled, test, uniqueSuffix } from './fixtures';
import { graphql } from './helpers';
import { expectAccessibleAndFitting } from './page-checks';

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

test('products: pages both ways with a range, edits in a dialog over the list, shows each product’s stock history', async ({ page, login, saveScreenshot }) => {
  await login('owner', '/products?size=10');
  const table = page.getByTestId('products-table');
  const range = page.getByTestId('page-range');
  await expect(range).toHaveText(/^1–10 of \d+$/);
  const firstSku = await table.locator('tbody tr').first().getAttribute('data-sku');
  await page.getByRole('button', { name: 'Next →' }).click();
  await expect(page).toHaveURL(/after=.*page=2/);
  await settled(page);
  await expect(range).toHaveText(/^11–\d+ of \d+$/);
  await expect(table.locator('tbody tr').first()).not.toHaveAttribute('data-sku', firstSku!);
  await page.getByRole('button', { name: '← Previous' }).click();
  await settled(page);
  await expect(page).not.toHaveURL(/after=|before=/);
  await expect(table.locator('tbody tr').first()).toHaveAttribute('data-sku', firstSku!);
  await expect(range).toHaveText(/^1–10 of \d+$/);

  // Editing the last row opens a dialog over the list, not a panel at the top of the page.
  const last = table.locator('tbody tr').last();
  const name = await last.locator('.cell-primary').innerText();
  await last.getByRole('button', { name: `Edit ${name}` }).click();
  const dialog = page.getByRole('dialog', { name: `Edit ${name}` });
  await expect(dialog).toBeVisible();
  await expect(dialog).toBeInViewport();
  await expect(dialog.getByLabel('Name')).toBeFocused();
  await expectAccessibleAndFitting(page, 'the product dialog');
  await saveScreenshot('products-edit-dialog', { fullPage: false });
  // At phone width the dialog fits the screen too.
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(dialog).toBeInViewport({ ratio: 0.5 });
  await expectAccessibleAndFitting(page, 'the product dialog at 390 px');
  await saveScreenshot('products-edit-dialog-phone', { fullPage: false });
  await page.setViewportSize({ width: 1360, height: 900 });
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(last.getByRole('button', { name: `Edit ${name}` })).toBeFocused();

  // Stock history: the initial stock and every change since, with reasons.
  const sku = 'ML-SCF-001';
  await page.getByLabel('Search').fill(sku);
  await settled(page);
  const row = page.locator(`tr[data-sku="${sku}"]`);
  await row.getByRole('button', { name: /^Adjust stock/ }).click();
  await page.getByLabel(/Change/).fill('3');
  await page.getByLabel('Reason').fill('Restock delivery');
  await page.getByRole('button', { name: 'Save adjustment' }).click();
  await expect(page.getByText(/Stock of .* is now/)).toBeVisible();
  await row.getByRole('button', { name: /^Stock history of/ }).click();
  const history = page.getByRole('dialog', { name: /Stock history/ });
  const items = history.getByRole('list', { name: /Stock history of/ }).getByRole('listitem');
  await expect(items.first()).toContainText('Adjustment');
  await expect(items.first()).toContainText('Restock delivery');
  await expect(items.first()).toContainText('+3');
  await expect(items.last()).toContainText('Initial stock');
  await expectAccessibleAndFitting(page, 'the stock history');
  await saveScreenshot('products-stock-history', { fullPage: false });
  await history.getByRole('button', { name: 'Close' }).click();
  await expect(history).toHaveCount(0);
});

test('stock history: pages of 50 follow one another with "Load more", down to the initial stock', async ({ page, login, saveScreenshot }) => {
  const sku = 'ML-FRG-001';
  await login('owner', `/products?q=${sku}`);
  await settled(page);
  const { products } = await graphql(page, 'query($q: String) { products(first: 1, search: $q) { nodes { id } } }', { q: sku });
  const id = products.nodes[0].id;
  // More than one page of movements, whatever the seed gave this product.
  for (let n = 1; n <= 55; n++) {
    await graphql(page, 'mutation($id: ID!, $reason: String!) { adjustStock(id: $id, delta: 1, reason: $reason) { id } }', { id, reason: `Count ${n}` });
  }
  await page.reload();
  await page.locator(`tr[data-sku="${sku}"]`).getByRole('button', { name: /^Stock history of/ }).click();
  const history = page.getByRole('dialog', { name: /Stock history/ });
  const items = history.getByRole('list', { name: /Stock history of/ }).getByRole('listitem');
  await expect(items).toHaveCount(50);
  await expect(items.first()).toContainText('Count 55');
  await expect(history.getByRole('status')).toHaveText('The latest 50 movements are shown.');

  await history.getByRole('button', { name: 'Load more' }).click();
  await expect(items.nth(50)).toBeFocused();
  expect(await items.count()).toBeGreaterThan(50);
  while (await history.getByRole('button', { name: 'Load more' }).count()) {
    await history.getByRole('button', { name: 'Load more' }).click();
    await expect(history.getByRole('button', { name: 'Loading…' })).toHaveCount(0);
  }
  await expect(items.last()).toContainText('Initial stock');
  // Each page continues where the previous stopped: every movement once, newest first.
  const texts = await items.allInnerTexts();
  const counts = texts.flatMap((text) => /Count (\d+)\b/.exec(text)?.[1] ?? []).map(Number);
  expect(counts).toEqual(Array.from({ length: 55 }, (_, i) => 55 - i));
  const total = await items.count();
  await expect(history.getByRole('status')).toHaveText(`All ${total} movements are shown.`);
  await expectAccessibleAndFitting(page, 'the stock history, several pages');
  await saveScreenshot('products-stock-history-load-more', { fullPage: false });
});
