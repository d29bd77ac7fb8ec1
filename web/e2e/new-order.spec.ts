import { expect, settled, test, uniqueSuffix } from './fixtures';
import { fillNewOrder } from './helpers';

test('new order with a discount code: live quote, one order even on a double submit', async ({ page, login, saveScreenshot }) => {
  await login('owner', '/orders');
  const code = `E2E${uniqueSuffix()}`;

  // An admin creates a 10% code in Settings.
  await page.goto('/settings');
  await page.getByRole('button', { name: 'New code' }).click();
  const form = page.getByRole('form', { name: 'New discount code' });
  await form.getByLabel('Code').fill(code);
  await form.getByLabel('Percent off').fill('10');
  await form.getByRole('button', { name: 'Create code' }).click();
  await expect(page.getByTestId('discount-codes')).toContainText(code);

  const email = `e2e-${uniqueSuffix().toLowerCase()}@example.com`;
  await fillNewOrder(page, { sku: 'ML-SCF-001', quantity: 2, email });
  const totalWithout = await page.getByTestId('quote-total').innerText();

  // An unknown code is explained next to the field.
  await page.getByLabel(/Discount code/).fill('NOPE-NOT-A-CODE');
  await expect(page.locator('#discount-problem')).toBeVisible();

  await page.getByLabel(/Discount code/).fill(code);
  await expect(page.getByTestId('quote-discount')).toBeVisible();
  await expect(page.getByTestId('quote-total')).not.toHaveText(totalWithout);
  await expect(page.getByText(/Code applied/)).toBeVisible();
  const quotedTotal = await page.getByTestId('quote-total').innerText();
  await saveScreenshot('new-order-quote');

  // Double submit: one order.
  await page.getByRole('button', { name: 'Create order' }).dblclick();
  await expect(page).toHaveURL(/\/orders\/(?!new)[^/]+$/);
  await expect(page.getByTestId('order-number')).toHaveText(/^[A-Z0-9]+-\d+$/);
  const number = await page.getByTestId('order-number').innerText();
  await expect(page.getByText(`Order ${number} was created.`)).toBeVisible();
  await expect(page.getByTestId('order-total')).toHaveText(quotedTotal);
  await expect(page.getByLabel('Money breakdown')).toContainText(`Discount (${code})`);
  await saveScreenshot('new-order-created');

  await page.goto(`/orders?q=${encodeURIComponent(email)}`);
  await settled(page);
  await expect(page.getByTestId('orders-table').locator('tbody tr')).toHaveCount(1);
});
