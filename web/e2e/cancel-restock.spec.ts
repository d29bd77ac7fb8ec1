import { expect, test, uniqueSuffix } from './fixtures';
import { fillNewOrder, stockOf } from './helpers';

test('cancel with restock puts the stock back', async ({ page, login, saveScreenshot }) => {
  const sku = 'ML-SLG-002';
  await login('owner', '/orders');
  const before = await stockOf(page, sku);
  expect(before).toBeGreaterThanOrEqual(3);

  await fillNewOrder(page, { sku, quantity: 3, email: `cancel-${uniqueSuffix().toLowerCase()}@example.com` });
  await page.getByRole('button', { name: 'Create order' }).click();
  await expect(page).toHaveURL(/\/orders\/(?!new)[^/]+$/);
  const number = await page.getByTestId('order-number').innerText();
  const orderUrl = page.url();
  expect(await stockOf(page, sku)).toBe(before - 3);

  await page.goto(orderUrl);
  await expect(page.getByTestId('order-number')).toHaveText(number);
  const actions = page.getByRole('group', { name: 'Order actions' });
  // Escape closes the panel and gives focus back to the button that opened it.
  await actions.getByRole('button', { name: 'Cancel order…' }).click();
  const panel = page.getByRole('form', { name: 'Cancel order' });
  await expect(panel.getByLabel('Reason')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(panel).toHaveCount(0);
  await expect(actions.getByRole('button', { name: 'Cancel order…' })).toBeFocused();
  await actions.getByRole('button', { name: 'Cancel order…' }).click();
  // The reason is required, and said so next to the field.
  await panel.getByRole('button', { name: 'Confirm cancellation' }).click();
  await expect(panel.getByText('Say why the order is cancelled')).toBeVisible();
  await panel.getByLabel('Reason').fill('Customer changed their mind');
  await expect(panel.getByLabel('Put the items back in stock')).toBeChecked();
  await panel.getByRole('button', { name: 'Confirm cancellation' }).click();
  await expect(page.locator('.page-header [data-status]')).toHaveAttribute('data-status', 'CANCELLED');
  await expect(page.getByRole('region', { name: 'Actions' }).getByRole('status')).toHaveText(`Order ${number} is cancelled.`);
  await expect(page.getByTestId('timeline')).toContainText('Customer changed their mind');
  await expect(page.getByTestId('timeline')).toContainText('Restocked 3 units');
  await saveScreenshot('order-cancelled');

  expect(await stockOf(page, sku)).toBe(before);
  await saveScreenshot('cancel-restock-products');
});
