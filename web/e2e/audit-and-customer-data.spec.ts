import { readFileSync } from 'node:fs';
import { expect, settled, test, uniqueSuffix } from './fixtures';
import { graphql } from './helpers';
import { expectAccessibleAndFitting } from './page-checks';

/** Issue 8's screens used as staff would: the audit log, a customer's data (export, erase), the orders CSV. */

const CREATE_ORDER = `mutation($input: CreateOrderInput!) { createOrder(input: $input) { id number } }`;

/** A fresh order for a customer of this test's own, so erasing them touches no other test's data. */
async function orderFor(page: import('@playwright/test').Page, email: string) {
  const { products } = await graphql(page, '{ products(first: 1, search: "ML-FRG-001") { nodes { id } } }');
  const { createOrder } = await graphql(page, CREATE_ORDER, {
    input: {
      items: [{ productId: products.nodes[0].id, quantity: 1 }],
      customer: { email, name: 'Erin Erasable' },
      shippingAddress: { name: 'Erin Erasable', line1: '8 Rue Erasme', city: 'Lyon', postalCode: '69002', country: 'FR' },
    },
  });
  return createOrder as { id: string; number: string };
}

test('audit log: an action just done is there, filtered by who, what and when; the order shows its own entries', async ({ page, login, saveScreenshot }) => {
  await login('owner', '/orders');
  const order = await orderFor(page, `audit-${uniqueSuffix().toLowerCase()}@example.com`);
  await page.goto(`/orders/${order.id}`);
  const note = `Called the customer ${uniqueSuffix()}`;
  await page.getByLabel('Add a note').fill(note);
  await page.getByRole('button', { name: 'Add note' }).click();
  await expect(page.getByTestId('timeline')).toContainText(note);

  // The order's own audit panel: its creation and the note, by the person who did them.
  const panel = page.getByRole('region', { name: 'Audit log' });
  await expect(panel.getByTestId('audit-log')).toContainText('order.addNote');
  await expect(panel.getByTestId('audit-log')).toContainText('order.create');
  await expect(panel.getByTestId('audit-log').locator('tbody tr').first()).toContainText('Camille Laurent');

  await page.goto('/settings');
  const card = page.getByRole('region', { name: 'Audit log' });
  const rows = card.getByTestId('audit-log').locator('tbody tr');
  await card.getByLabel('Who').selectOption('USER');
  await card.getByLabel('Action').fill('order.addNote');
  await card.getByLabel('Target id').fill(order.id);
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('order.addNote');
  await expect(rows.first()).toContainText(`ORDER ${order.id}`);
  // Personal data never reaches the log: the note's words are not in it.
  await expect(rows.first()).not.toContainText(note);

  // From today (typed as the brand's locale writes it) keeps it; a range that ended yesterday does not.
  const today = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  const yesterday = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    new Date(Date.now() - 86_400_000),
  );
  await card.getByLabel('From', { exact: true }).fill(today);
  await expect(rows).toHaveCount(1);
  await expectAccessibleAndFitting(page, 'the filtered audit log');
  await saveScreenshot('settings-audit-log-filtered', { fullPage: false });
  await card.getByLabel('From', { exact: true }).fill(yesterday);
  await card.getByLabel('To', { exact: true }).fill(yesterday);
  await expect(card.getByText('No entries match these filters.')).toBeVisible();
  await card.getByLabel('To', { exact: true }).fill('');
  await expect(rows).toHaveCount(1);

  // Another kind of actor did not do it.
  await card.getByLabel('Who').selectOption('API_KEY');
  await expect(card.getByText('No entries match these filters.')).toBeVisible();
});

test('customer data: export as a JSON download, erase only after confirming, orders then show the pseudonym', async ({ page, login, saveScreenshot }) => {
  await login('owner', '/settings');
  const email = `erin-${uniqueSuffix().toLowerCase()}@example.com`;
  const order = await orderFor(page, email);
  const card = page.getByRole('region', { name: 'Customer data' });
  await card.getByLabel('Customer email').fill(email);

  const [download] = await Promise.all([page.waitForEvent('download'), card.getByRole('button', { name: 'Export (JSON)' }).click()]);
  expect(download.suggestedFilename()).toBe(`customer-data-${email}.json`);
  const exported = JSON.parse(readFileSync((await download.path())!, 'utf8'));
  expect(exported.orders).toHaveLength(1);
  expect(JSON.stringify(exported)).toContain(email);
  expect(JSON.stringify(exported)).toContain(order.number);
  await expect(card.getByRole('status')).toHaveText('1 order exported');

  // Declining the confirmation erases nothing.
  page.once('dialog', (dialog) => dialog.dismiss());
  await card.getByRole('button', { name: 'Erase' }).click();
  await expect(card.getByTestId('customer-erased')).toHaveCount(0);
  await page.goto(`/orders/${order.id}`);
  await expect(page.locator('main')).toContainText(email);

  await page.goto('/settings');
  await card.getByLabel('Customer email').fill(email);
  let question = '';
  page.once('dialog', (dialog) => {
    question = dialog.message();
    void dialog.accept();
  });
  await card.getByRole('button', { name: 'Erase' }).click();
  const erased = card.getByTestId('customer-erased');
  await expect(erased).toContainText('Erased: 1 order');
  await expect(erased).toContainText('0 stored payment messages');
  expect(question).toContain(`Erase the personal data of ${email}`);
  const pseudonym = (await erased.locator('.mono').innerText()).trim();
  expect(pseudonym).not.toContain(email);
  await expectAccessibleAndFitting(page, 'the customer data card after erasing');
  await saveScreenshot('settings-customer-erased', { fullPage: false });

  // The order keeps its number and amounts; the customer is now the pseudonym.
  await page.goto(`/orders/${order.id}`);
  await expect(page.getByTestId('order-number')).toHaveText(order.number);
  await expect(page.locator('main')).toContainText(pseudonym);
  await expect(page.locator('main')).not.toContainText(email);
  await expect(page.locator('main')).not.toContainText('Erin Erasable');
  await saveScreenshot('order-after-erasure');
});

test('orders: Export CSV downloads the orders matching the current filters', async ({ page, login }) => {
  await login('owner', '/orders?status=PROCESSING&sort=CREATED_AT_ASC');
  await settled(page);
  const total = Number((await page.getByTestId('page-range').innerText()).match(/of ([\d\s\u202f,.]+)$/)![1].replace(/\D/g, ''));
  expect(total).toBeGreaterThan(0);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^orders-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = readFileSync((await download.path())!, 'utf8').replace(/^\ufeff/, '');
  const [header, ...rows] = csv.trimEnd().split(/\r?\n/);
  const columns = header.split(',');
  expect(columns.slice(0, 8)).toEqual(['order_id', 'number', 'created_at', 'status', 'payment_status', 'currency', 'subtotal_minor', 'subtotal']);
  expect(rows).toHaveLength(total);
  const status = columns.indexOf('status');
  for (const row of rows) expect(row.split(',')[status]).toBe('PROCESSING');
  // Oldest first, as the list: the first row is the list's first order.
  const first = await page.getByTestId('orders-table').locator('.order-link').first().innerText();
  expect(rows[0].split(',')[columns.indexOf('number')]).toBe(first);
});
