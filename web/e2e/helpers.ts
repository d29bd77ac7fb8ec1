import type { Page } from '@playwright/test';
import { expect, settled } from './fixtures';

/** Reads a product's stock from the products page (search by SKU). */
export async function stockOf(page: Page, sku: string): Promise<number> {
  await page.goto(`/products?q=${encodeURIComponent(sku)}`);
  await settled(page);
  const row = page.locator(`tr[data-sku="${sku}"]`);
  await expect(row).toBeVisible();
  return Number((await row.getByTestId('stock').innerText()).replace(/\D/g, ''));
}

export interface NewOrderOptions {
  sku: string;
  quantity: number;
  email: string;
  discountCode?: string;
}

/** Fills the new-order form like a person and waits for the live quote. */
export async function fillNewOrder(page: Page, options: NewOrderOptions) {
  await page.goto('/orders/new');
  await page.getByLabel('Find a product').fill(options.sku);
  const picker = page.getByRole('list', { name: 'Products' });
  await expect(picker.getByRole('listitem')).toHaveCount(1);
  await picker.getByRole('button', { name: /^Add/ }).click();
  const lines = page.getByRole('list', { name: 'Order lines' });
  await expect(lines.getByRole('listitem')).toHaveCount(1);
  await lines.getByLabel('Quantity').fill(String(options.quantity));
  await expect(page.getByTestId('quote-total')).toBeVisible();

  await page.getByLabel('Email').fill(options.email);
  await page.getByLabel(/^Name/).fill('E2E Customer');
  await page.getByLabel('Street address').fill('12 Rue du Faubourg');
  await page.getByLabel('City').fill('Paris');
  await page.getByLabel('Postal code').fill('75008');
  await page.getByLabel('Country code').fill('FR');
  if (options.discountCode) await page.getByLabel(/Discount code/).fill(options.discountCode);
}

/** Sends one GraphQL operation through the dashboard's own endpoint, as the signed-in page would, and expects no error. */
export async function graphql(page: Page, query: string, variables: Record<string, unknown> = {}) {
  const body = await page.evaluate(
    async ([q, v]) =>
      (await fetch('/api/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: q, variables: v }) })).json(),
    [query, variables] as const,
  );
  expect(body.errors).toBeUndefined();
  return body.data;
}
