import { expect, settled, test } from './fixtures';

test('order detail: mark paid, then move through exactly the allowed statuses', async ({ page, login, saveScreenshot }) => {
  await login('owner', '/orders?status=PENDING&payment=AWAITING_PAYMENT&sort=CREATED_AT_ASC');
  await settled(page);
  const link = page.getByTestId('orders-table').locator('.order-link').first();
  const number = await link.innerText();
  await link.click();
  await expect(page.getByTestId('order-number')).toHaveText(number);

  const actions = page.getByRole('group', { name: 'Order actions' });
  // Unpaid and pending: it can be paid or cancelled, not processed yet.
  await expect(actions.locator('[data-next-status]')).toHaveCount(0);
  await expect(actions.getByRole('button', { name: 'Cancel order…' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Items' })).toBeVisible();
  await expect(page.getByLabel('Money breakdown')).toContainText('Total');

  await actions.getByRole('button', { name: 'Mark paid' }).click();
  await expect(page.locator('.page-header [data-payment-status]')).toHaveAttribute('data-payment-status', 'PAID');

  await actions.getByRole('button', { name: 'Start processing' }).click();
  await expect(page.locator('.page-header [data-status]')).toHaveAttribute('data-status', 'PROCESSING');

  await page.getByLabel(/Tracking number/).first().fill('1Z999AA10123456784');
  await actions.getByRole('button', { name: 'Mark shipped' }).click();
  await expect(page.locator('.page-header [data-status]')).toHaveAttribute('data-status', 'SHIPPED');
  await expect(page.getByTestId('tracking-number')).toHaveText('1Z999AA10123456784');
  // Shipped orders can only be delivered: no cancel any more.
  await expect(actions.locator('[data-next-status]')).toHaveCount(1);
  await expect(actions.getByRole('button', { name: 'Cancel order…' })).toHaveCount(0);

  await actions.getByRole('button', { name: 'Mark delivered' }).click();
  await expect(page.locator('.page-header [data-status]')).toHaveAttribute('data-status', 'DELIVERED');
  await expect(page.getByRole('group', { name: 'Order actions' })).toHaveCount(0);

  await page.getByLabel('Add a note').fill('Customer confirmed delivery by phone.');
  await page.getByRole('button', { name: 'Add note' }).click();
  const timeline = page.getByTestId('timeline');
  await expect(timeline).toContainText('Customer confirmed delivery by phone.');
  await expect(timeline).toContainText('Shipped → Delivered');
  await expect(timeline).toContainText('Payment: Awaiting payment → Paid');
  await expect(timeline).toContainText('Camille Laurent');

  // The list reflects the change.
  await page.getByRole('link', { name: 'Orders' }).first().click();
  await page.getByLabel('Search').fill(number);
  await settled(page);
  await expect(page.getByTestId('orders-table').locator('[data-status]').first()).toHaveAttribute('data-status', 'DELIVERED');
  await page.getByTestId('orders-table').locator('.order-link').first().click();
  await expect(page.getByTestId('order-number')).toHaveText(number);
  await saveScreenshot('order-lifecycle');
});
