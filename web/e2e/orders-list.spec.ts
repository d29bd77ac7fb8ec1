import { expect, settled, test } from './fixtures';

test('orders: list, filter, search as you type, sort and page, all in the URL', async ({ page, login, saveScreenshot }) => {
  await login('owner', '/orders');
  const table = page.getByTestId('orders-table');
  const rows = table.locator('tbody tr');
  await expect(rows.first()).toBeVisible();
  await expect(rows).toHaveCount(20);
  await expect(table.getByRole('columnheader')).toHaveText(['Order', 'Date', 'Customer', 'Items', 'Total', 'Status', 'Payment']);
  await expect(rows.first().locator('td').nth(4)).toHaveText(/€/);

  // Paging forwards and back with cursors; the pager says which rows are shown, and the new page starts in view.
  const range = page.getByTestId('page-range');
  const total = (await range.innerText()).match(/of ([\d,]+)$/)![1];
  await expect(range).toHaveText(`1–20 of ${total}`);
  const firstPageFirst = await rows.first().locator('.order-link').innerText();
  await page.getByRole('button', { name: 'Next →' }).click();
  await expect(page).toHaveURL(/after=.*page=2/);
  await settled(page);
  await expect(rows.first().locator('.order-link')).not.toHaveText(firstPageFirst);
  await expect(range).toHaveText(`21–40 of ${total}`);
  await expect(table.getByRole('columnheader', { name: 'Order' })).toBeInViewport();
  await page.getByRole('button', { name: 'Next →' }).click();
  await settled(page);
  await expect(range).toHaveText(`41–60 of ${total}`);
  await saveScreenshot('orders-list-page-3', { fullPage: false });
  await page.getByRole('button', { name: '← Previous' }).click();
  await expect(page).toHaveURL(/before=.*page=2/);
  await settled(page);
  await expect(range).toHaveText(`21–40 of ${total}`);
  await page.getByRole('button', { name: '← Previous' }).click();
  await expect(page).not.toHaveURL(/before=|after=|page=/);
  await settled(page);
  await expect(rows.first().locator('.order-link')).toHaveText(firstPageFirst);
  await expect(range).toHaveText(`1–20 of ${total}`);

  // Status filter (behind the Filters button): every row matches, the URL carries it.
  await page.getByRole('button', { name: 'Filters' }).click();
  await page.getByRole('checkbox', { name: 'Delivered' }).click();
  await expect(page.getByRole('checkbox', { name: 'Delivered' })).toBeChecked();
  await expect(page).toHaveURL(/status=DELIVERED/);
  await expect(page).not.toHaveURL(/before=|after=/);
  await settled(page);
  await expect(table.locator('[data-status]').first()).toBeVisible();
  const statuses = await table.locator('[data-status]').evaluateAll((els) => els.map((e) => e.getAttribute('data-status')));
  expect(new Set(statuses)).toEqual(new Set(['DELIVERED']));

  // Payment filter on top.
  await page.getByRole('checkbox', { name: 'Paid', exact: true }).click();
  await expect(page.getByRole('checkbox', { name: 'Paid', exact: true })).toBeChecked();
  await expect(page).toHaveURL(/payment=PAID/);
  await settled(page);
  const payments = await table.locator('[data-payment-status]').evaluateAll((els) => els.map((e) => e.getAttribute('data-payment-status')));
  expect(new Set(payments)).toEqual(new Set(['PAID']));

  // Search as you type finds one order by its number.
  await page.getByRole('button', { name: 'Clear filters' }).first().click();
  await expect(page).not.toHaveURL(/status=/);
  await settled(page);
  const number = await rows.nth(3).locator('.order-link').innerText();
  await page.getByLabel('Search').pressSequentially(number, { delay: 20 });
  await expect(page).toHaveURL(new RegExp(`q=${number}`));
  await settled(page);
  await expect(rows).toHaveCount(1);
  await expect(rows.first().locator('.order-link')).toHaveText(number);

  // A shared URL restores the same view on a fresh load (server-rendered).
  await page.reload();
  await expect(page.getByLabel('Search')).toHaveValue(number);
  await expect(rows).toHaveCount(1);

  // Search by customer and sort by total.
  await page.getByLabel('Search').fill('example.it');
  await expect(page).toHaveURL(/q=example\.it/);
  await page.getByLabel('Sort').selectOption('TOTAL_DESC');
  await expect(page).toHaveURL(/sort=TOTAL_DESC/);
  await settled(page);
  const emails = await table.locator('tbody .cell-secondary').allInnerTexts();
  expect(emails.length).toBeGreaterThan(0);
  for (const email of emails) expect(email).toContain('example.it');
  const totals = await table.locator('tbody td.money').allInnerTexts();
  const values = totals.map((t) => Number(t.replace(/[^\d,.-]/g, '').replace(/\./g, '').replace(',', '.').replace(/,/g, '')));
  expect([...values].sort((a, b) => b - a)).toEqual(values);

  // Date range: nothing in the far past gives the empty state.
  if ((await page.getByRole('button', { name: /^Filters/ }).getAttribute('aria-expanded')) !== 'true') {
    await page.getByRole('button', { name: /^Filters/ }).click();
  }
  await page.getByLabel('From').fill('2001-01-01');
  await page.getByLabel('To').fill('2001-01-31');
  await expect(page).toHaveURL(/from=2001-01-01&to=2001-01-31/);
  await expect(page.getByText('No orders match these filters')).toBeVisible();
  await page.getByRole('button', { name: 'Clear filters' }).last().click();
  await settled(page);
  await expect(rows).toHaveCount(20);
  await saveScreenshot('orders-list');
});

test('orders: works at phone width', async ({ page, login, saveScreenshot }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await login('owner', '/orders');
  await expect(page.getByTestId('orders-table').locator('tbody tr').first()).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(1);
  await saveScreenshot('orders-list-phone', { fullPage: false });
  // Secondary filters fold away at phone width; the toggle brings them back.
  await expect(page.getByRole('checkbox', { name: 'Pending' })).toBeHidden();
  await page.getByRole('button', { name: 'Filters' }).click();
  await page.getByRole('checkbox', { name: 'Pending' }).click();
  await expect(page).toHaveURL(/status=PENDING/);
  await expect(page.getByRole('button', { name: 'Filters (1)' })).toHaveAttribute('aria-expanded', 'true');
});

test("orders: an order's link navigates in the app, prefetches on hover, and leaves modified clicks to the browser", async ({ page, context, login }) => {
  await login('owner', '/orders');
  const link = page.getByTestId('orders-table').locator('.order-link').first();
  const href = (await link.getAttribute('href'))!;
  const number = await link.innerText();
  expect(href).toMatch(/^\/orders\/[0-9a-f-]{36}$/);
  await expect(link).toHaveAttribute('data-discover', 'true');

  // Resting the pointer on it prefetches the order's data.
  await link.hover();
  await expect(page.locator(`link[rel="prefetch"][href^="${href}.data"]`)).toHaveCount(1);

  // Ctrl/Cmd-click is the browser's: a new tab, this page stays.
  const [tab] = await Promise.all([context.waitForEvent('page', { timeout: 10_000 }), link.click({ modifiers: ['ControlOrMeta'] })]);
  await tab.close();
  await expect(page).toHaveURL(/\/orders$/);

  // A link to the page already shown (the navigation's Orders) replaces its history entry rather than adding one.
  const entries = await page.evaluate(() => history.length);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Orders', exact: true }).click();
  await settled(page);
  expect(await page.evaluate(() => history.length)).toBe(entries);

  // A plain click navigates in the app: the document (and this marker on it) stays.
  await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
  await link.click();
  await expect(page).toHaveURL(new RegExp(`${href}$`));
  await expect(page.getByRole('heading', { level: 1 })).toContainText(number);
  expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
});

test('orders: the filter panel keeps a half-typed date when it is closed and opened again', async ({ page, login }) => {
  await login('owner', '/orders');
  const toggle = page.getByRole('button', { name: /^Filters/ });
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await toggle.click();
  await page.getByLabel('From').fill('12/2');
  await toggle.click();
  await expect(page.getByLabel('From')).toBeHidden();
  await toggle.click();
  await expect(page.getByLabel('From')).toHaveValue('12/2');
  await expect(page).not.toHaveURL(/from=/);
});
