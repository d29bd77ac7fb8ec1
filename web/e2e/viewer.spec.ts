import { expect, test } from './fixtures';

test('a VIEWER sees no write actions', async ({ page, login, saveScreenshot }) => {
  await login('viewer', '/orders');
  await expect(page.getByText('Viewer', { exact: true })).toBeVisible();
  await expect(page.getByRole('link', { name: 'New order' })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Settings' })).toHaveCount(0);

  await page.getByTestId('orders-table').locator('.order-link').first().click();
  await expect(page.getByTestId('order-number')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Timeline' })).toBeVisible();
  await expect(page.getByRole('group', { name: 'Order actions' })).toHaveCount(0);
  await expect(page.getByLabel('Add a note')).toHaveCount(0);
  await expect(page.getByRole('button', { name: /Mark|Cancel|Add tracking|Edit/ })).toHaveCount(0);

  await page.goto('/products');
  await expect(page.getByTestId('products-table')).toBeVisible();
  await expect(page.getByRole('button', { name: /New product|Edit|Adjust stock/ })).toHaveCount(0);

  await page.goto('/orders/new');
  await expect(page.getByRole('heading', { name: 'Not allowed' })).toBeVisible();
  await page.goto('/settings');
  await expect(page.getByRole('heading', { name: 'Not allowed' })).toBeVisible();
  await expect(page.getByText('Only owners and admins')).toBeVisible();

  await page.goto('/orders');
  await expect(page.getByTestId('orders-table')).toBeVisible();
  await saveScreenshot('viewer');
});
