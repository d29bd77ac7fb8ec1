import { expect, settled, test } from './fixtures';
import { expectAccessibleAndFitting } from './page-checks';

for (const size of [
  { name: 'desk', width: 1440, height: 900 },
  { name: 'phone', width: 390, height: 844 },
] as const) {
test(`order detail at ${size.width} px: mark paid with method and reference, confirm irreversible moves, one tracking place`, async ({ page, login, saveScreenshot }) => {
  await page.setViewportSize({ width: size.width, height: size.height });
  await login('owner', '/orders?status=PENDING&payment=AWAITING_PAYMENT&sort=CREATED_AT_ASC');
  await settled(page);
  const link = page.getByTestId('orders-table').locator('.order-link').first();
  const number = await link.innerText();
  await link.click();
  await expect(page.getByTestId('order-number')).toHaveText(number);

  const actions = page.getByRole('group', { name: 'Order actions' });
  const result = page.getByRole('region', { name: 'Actions' }).getByRole('status');
  // Unpaid and pending: it can be paid or cancelled, not processed yet.
  await expect(actions.locator('[data-next-status]')).toHaveCount(0);
  await expect(actions.getByRole('button', { name: 'Cancel order…' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Items' })).toBeVisible();
  await expect(page.getByLabel('Money breakdown')).toContainText('Total');

  // Marking paid asks how the money came in.
  await actions.getByRole('button', { name: 'Mark paid…' }).click();
  const pay = page.getByRole('form', { name: 'Mark paid' });
  await expect(pay.getByLabel('Payment method')).toBeFocused();
  await pay.getByRole('button', { name: 'Confirm payment' }).click();
  await expect(pay.getByText('Choose how the customer paid.')).toBeVisible();
  await pay.getByLabel('Payment method').selectOption('BANK_TRANSFER');
  await pay.getByRole('button', { name: 'Confirm payment' }).click();
  await expect(pay.getByLabel('Reference')).toBeFocused();
  await pay.getByLabel('Reference').fill('VIR-2026-118');
  await expectAccessibleAndFitting(page, 'the Mark paid panel');
  await pay.getByRole('button', { name: 'Confirm payment' }).click();
  await expect(page.locator('.page-header [data-payment-status]')).toHaveAttribute('data-payment-status', 'PAID');
  await expect(result).toHaveText(`Order ${number} is marked paid.`);
  await expect(result).toBeFocused();
  await expect(page.getByTestId('payment-method')).toHaveText('Bank transfer · VIR-2026-118');

  // A reversible step goes at once, announced, focus kept in the actions.
  await actions.getByRole('button', { name: 'Start processing' }).click();
  await expect(page.locator('.page-header [data-status]')).toHaveAttribute('data-status', 'PROCESSING');
  await expect(result).toHaveText(`Order ${number} is now processing.`);
  await expect(result).toBeFocused();

  // Tracking lives in one place: no tracking input among the actions.
  await expect(page.getByRole('region', { name: 'Actions' }).getByRole('textbox')).toHaveCount(0);
  await page.getByRole('region', { name: 'Tracking' }).getByRole('button', { name: 'Add tracking' }).click();
  const tracking = page.getByRole('form', { name: 'Tracking' });
  await tracking.getByLabel('Carrier').fill('Colissimo');
  await tracking.getByLabel('Tracking number').fill('6A12345678901');
  await tracking.getByLabel(/Tracking link/).fill('javascript:alert(1)');
  await tracking.getByRole('button', { name: 'Save tracking' }).click();
  await expect(tracking.getByText('Use a web address starting with https://')).toBeVisible();
  await tracking.getByLabel(/Tracking link/).fill('https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901');
  await tracking.getByRole('button', { name: 'Save tracking' }).click();
  await expect(page.getByTestId('tracking-number')).toHaveText('6A12345678901');
  await expect(page.getByTestId('tracking-carrier')).toHaveText('Colissimo');
  await expect(page.getByRole('link', { name: /Follow the parcel/ })).toHaveAttribute('href', /laposte\.fr/);

  // A part once set can be removed: an emptied field clears it, the others stay, and the timeline says so.
  await page.getByRole('region', { name: 'Tracking' }).getByRole('button', { name: 'Edit tracking' }).click();
  await tracking.getByLabel(/Tracking link/).fill('');
  await tracking.getByRole('button', { name: 'Save tracking' }).click();
  await expect(page.getByRole('link', { name: /Follow the parcel/ })).toHaveCount(0);
  await expect(page.getByTestId('tracking-number')).toHaveText('6A12345678901');
  await expect(page.getByTestId('timeline')).toContainText('Updated tracking (removed link)');

  // Shipping cannot be undone: it asks first, and going back changes nothing.
  await actions.getByRole('button', { name: 'Mark shipped…' }).click();
  const confirm = page.getByRole('group', { name: /Mark shipped: order/ });
  await expect(confirm).toContainText('can no longer be cancelled');
  await expect(confirm.getByTestId('confirm-tracking')).toHaveText('Tracking: Colissimo 6A12345678901.');
  await expect(confirm.getByRole('button', { name: 'Yes, mark shipped' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(confirm).toHaveCount(0);
  await expect(actions.getByRole('button', { name: 'Mark shipped…' })).toBeFocused();
  await expect(page.locator('.page-header [data-status]')).toHaveAttribute('data-status', 'PROCESSING');
  await actions.getByRole('button', { name: 'Mark shipped…' }).click();
  await expectAccessibleAndFitting(page, 'the shipping confirmation');
  await saveScreenshot(`order-confirm-shipped-${size.name}`);
  await confirm.getByRole('button', { name: 'Yes, mark shipped' }).click();
  await expect(page.locator('.page-header [data-status]')).toHaveAttribute('data-status', 'SHIPPED');
  await expect(result).toHaveText(`Order ${number} is now shipped.`);
  await expect(result).toBeFocused();
  // Shipped orders can only be delivered: no cancel any more.
  await expect(actions.locator('[data-next-status]')).toHaveCount(1);
  await expect(actions.getByRole('button', { name: 'Cancel order…' })).toHaveCount(0);

  await actions.getByRole('button', { name: 'Mark delivered…' }).click();
  await page.getByRole('button', { name: 'Yes, mark delivered' }).click();
  await expect(page.locator('.page-header [data-status]')).toHaveAttribute('data-status', 'DELIVERED');
  await expect(page.getByRole('group', { name: 'Order actions' })).toHaveCount(0);
  await expect(result).toHaveText(`Order ${number} is now delivered.`);
  await expect(result).toBeFocused();

  await page.getByLabel('Add a note').fill('Customer confirmed delivery by phone.');
  await page.getByRole('button', { name: 'Add note' }).click();
  const timeline = page.getByTestId('timeline');
  await expect(timeline).toContainText('Customer confirmed delivery by phone.');
  await expect(timeline).toContainText('Shipped → Delivered');
  await expect(timeline).toContainText('Payment: Awaiting payment → Paid');
  await expect(timeline).toContainText('Bank transfer · reference VIR-2026-118');
  await expect(timeline).toContainText('Tracking: Colissimo 6A12345678901');
  await expect(timeline).toContainText('Camille Laurent');
  await saveScreenshot(`order-lifecycle-detail-${size.name}`);

  // The list reflects the change.
  await page.getByRole('link', { name: 'Orders' }).first().click();
  await page.getByLabel('Search').fill(number);
  await expect(page).toHaveURL(new RegExp(`q=${number}`));
  await settled(page);
  await expect(page.getByTestId('orders-table').locator('tbody tr')).toHaveCount(1);
  await expect(page.getByTestId('orders-table').locator('[data-status]').first()).toHaveAttribute('data-status', 'DELIVERED');
  await page.getByTestId('orders-table').locator('.order-link').first().click();
  await expect(page.getByTestId('order-number')).toHaveText(number);
  await saveScreenshot(`order-lifecycle-${size.name}`);
});
}

test('a missing order offers the way back to the list, not "Try again"', async ({ page, login, saveScreenshot }) => {
  await login('owner', '/orders');
  await page.goto('/orders/0190a0a0-0000-7000-8000-000000000000');
  await expect(page.getByRole('heading', { name: 'Not found' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Try again' })).toHaveCount(0);
  await page.getByRole('link', { name: 'Back to the orders list' }).click();
  await expect(page).toHaveURL(/\/orders$/);
  await expect(page.getByTestId('orders-table')).toBeVisible();
  await page.goBack();
  await saveScreenshot('order-not-found');
});
