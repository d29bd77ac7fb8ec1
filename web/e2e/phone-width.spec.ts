import { expect, settled, test } from './fixtures';

test.use({ viewport: { width: 390, height: 844 } });

test('phone: every nav entry is visible in full', async ({ page, login, saveScreenshot }) => {
  await login('owner', '/orders');
  const links = page.getByRole('navigation', { name: 'Main' }).getByRole('link');
  await expect(links).toHaveText(['Orders', 'New order', 'Stats', 'Products', 'Settings']);
  for (const link of await links.all()) {
    const box = (await link.boundingBox())!;
    expect(box.x, `${await link.innerText()} starts on screen`).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width, `${await link.innerText()} ends on screen`).toBeLessThanOrEqual(390);
    // Nothing is clipped by a scroll container either.
    expect(await link.evaluate((el) => el.scrollWidth <= el.clientWidth + 1)).toBe(true);
  }
  const nav = page.getByRole('navigation', { name: 'Main' });
  expect(await nav.evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(1);
  await saveScreenshot('phone-nav', { fullPage: false });
});

test('phone: settings discount codes are cards, the page does not scroll sideways', async ({ page, login, saveScreenshot }) => {
  await login('owner', '/settings');
  const codes = page.getByTestId('discount-codes');
  await expect(codes).toBeVisible();
  await expect(codes.locator('thead th').first()).not.toBeInViewport();
  const row = codes.locator('tbody tr').first();
  expect(await row.evaluate((el) => getComputedStyle(el).display)).toBe('grid');
  expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(1);
  await codes.scrollIntoViewIfNeeded();
  await saveScreenshot('phone-settings-discount-codes', { fullPage: true });
});

test('phone: order detail shows customer and address before the timeline', async ({ page, login, saveScreenshot }) => {
  await login('owner', '/orders');
  await settled(page);
  await page.getByTestId('orders-table').locator('.order-link').first().click();
  await expect(page.getByTestId('order-number')).toBeVisible();
  const top = async (name: string) => (await page.getByRole('heading', { name, exact: true }).boundingBox())!.y;
  expect(await top('Customer')).toBeLessThan(await top('Timeline'));
  expect(await top('Shipping address')).toBeLessThan(await top('Timeline'));
  expect(await top('Items')).toBeLessThan(await top('Customer'));
  await saveScreenshot('phone-order-detail');
});

test('phone: new order keeps the total and the Create button on screen', async ({ page, login, saveScreenshot }) => {
  await login('owner', '/orders/new');
  await page.getByLabel('Find a product').fill('ML-SCF-001');
  const picker = page.getByRole('list', { name: 'Products' });
  await expect(picker.getByRole('listitem')).toHaveCount(1);
  await picker.getByRole('button', { name: /^Add/ }).click();
  await expect(page.getByTestId('quote-total')).toHaveCount(1);
  await page.getByLabel('Email').scrollIntoViewIfNeeded();
  const create = page.getByRole('button', { name: 'Create order' });
  await expect(create).toBeInViewport();
  await expect(page.locator('.submit-bar__total')).toBeInViewport();
  await expect(page.locator('.submit-bar__total')).toContainText(await page.getByTestId('quote-total').innerText());
  await saveScreenshot('phone-new-order-sticky-total', { fullPage: false });
});

test('phone: a long KPI amount stays inside its card', async ({ page, login, saveScreenshot }) => {
  await login('owner', '/stats');
  const value = page.getByTestId('kpis-EUR').locator('.kpi__value').nth(2);
  await expect(value).toBeVisible();
  // The demo brand's figures are short: write the longest amount a brand might see into the card.
  await value.evaluate((el) => (el.textContent = '€12,345,678,901.23'));
  const fits = await value.evaluate((el) => {
    const card = el.closest('.kpi')!.getBoundingClientRect();
    const text = el.getBoundingClientRect();
    return el.scrollWidth <= el.clientWidth + 1 && text.right <= card.right + 1;
  });
  expect(fits).toBe(true);
  await saveScreenshot('phone-stats-long-kpi', { fullPage: false });
});

test('phone: with the filters open the search field keeps a usable width', async ({ page, login, saveScreenshot }) => {
  await login('owner', '/orders');
  await settled(page);
  await page.getByRole('button', { name: /^Filters/ }).click();
  const search = page.getByLabel('Search', { exact: true });
  // The field spans the filters' row (390 px less the page's and the card's padding), not a sliver beside the buttons.
  expect((await search.boundingBox())!.width).toBeGreaterThan(250);
  expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(1);
  await saveScreenshot('phone-orders-filters-open', { fullPage: false });
});
