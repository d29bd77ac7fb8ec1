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

test('new order: errors clear as fields become valid, focus goes to the first one, stock is checked on the line', async ({ page, login, saveScreenshot }) => {
  await login('owner', '/orders/new');
  // The country field gives a hint, not a value-like placeholder.
  const country = page.getByLabel('Country code');
  await expect(country).not.toHaveAttribute('placeholder', /.+/);
  await expect(country).toHaveAccessibleDescription(/Two letters, e\.g\. FR/);

  // An empty submit puts focus on the first field in error.
  await page.getByRole('button', { name: 'Create order' }).click();
  await expect(page.getByLabel('Find a product')).toBeFocused();
  await expect(page.getByText('Add at least one product.')).toBeVisible();
  await expect(page.getByText('Enter the customer’s email.')).toBeVisible();

  // Each error goes as soon as its field is valid; the others stay.
  await page.getByLabel('Email').fill('ada@');
  await expect(page.getByText('This does not look like an email address.')).toBeVisible();
  await page.getByLabel('Email').fill('ada@example.com');
  await expect(page.getByLabel('Email')).not.toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#customer-email-error')).toHaveCount(0);
  await expect(page.getByText('Enter the city.')).toBeVisible();
  await page.getByLabel('City').fill('Paris');
  await expect(page.getByText('Enter the city.')).toHaveCount(0);
  await expect(page.getByText('Enter the street address.')).toBeVisible();

  // More than the stock: said on the line and in the quote, before any submit.
  await page.getByLabel('Find a product').fill('ML-SCF-001');
  const picker = page.getByRole('list', { name: 'Products' });
  await expect(picker.getByRole('listitem')).toHaveCount(1);
  await picker.getByRole('button', { name: /^Add/ }).click();
  await expect(page.getByText('Add at least one product.')).toHaveCount(0);
  const stockText = await picker.locator('.stock').innerText();
  const available = Number(stockText.replace(/\D/g, ''));
  const lines = page.getByRole('list', { name: 'Order lines' });
  await lines.getByLabel('Quantity').fill(String(available + 1));
  await expect(lines.getByLabel('Quantity')).toHaveAttribute('aria-invalid', 'true');
  await expect(lines).toContainText(/Only [\d,.\s\u202f]+ in stock\./);
  await expect(page.getByTestId('quote-stock-problem')).toContainText('Not enough stock');
  await saveScreenshot('new-order-live-errors');
  await lines.getByLabel('Quantity').fill('2');
  await expect(page.getByTestId('quote-stock-problem')).toHaveCount(0);
  await expect(lines.getByLabel('Quantity')).not.toHaveAttribute('aria-invalid', 'true');
});
