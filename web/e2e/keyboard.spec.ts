import type { Page } from '@playwright/test';
import { expect, settled, test } from './fixtures';

/** Tab from the top of the page until `done` holds for the focused element; returns how many presses it took. */
async function tabUntil(page: Page, done: () => Promise<boolean>, limit = 60): Promise<number> {
  for (let presses = 1; presses <= limit; presses++) {
    await page.keyboard.press('Tab');
    if (await done()) return presses;
  }
  throw new Error(`not reached within ${limit} Tab presses`);
}

test('keyboard: one Tab passes the filters, chips move with arrows, focus goes to the new page’s heading', async ({ page, login, saveScreenshot }) => {
  await login('owner', '/orders');
  await settled(page);
  // From the search box to the first order: Filters (dates and chips behind it), Sort, then the order.
  await page.getByLabel('Search').focus();
  const presses = await tabUntil(page, () =>
    page.evaluate(() => document.activeElement?.classList.contains('order-link') ?? false),
  );
  expect(presses).toBeLessThanOrEqual(3);

  // Inside the filters, each chip group is one Tab stop; arrows move within it.
  await page.getByRole('button', { name: 'Filters' }).click();
  await page.getByRole('checkbox', { name: 'Pending' }).focus();
  await expect(page.getByRole('checkbox', { name: 'Processing' })).toHaveAttribute('tabindex', '-1');
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('checkbox', { name: 'Processing' })).toBeFocused();
  await page.keyboard.press('Space');
  await expect(page).toHaveURL(/status=PROCESSING/);
  await page.keyboard.press('Tab');
  await expect(page.getByRole('checkbox', { name: 'Awaiting payment' })).toBeFocused();
  await saveScreenshot('keyboard-filters', { fullPage: false });

  // In-app navigation: focus lands on the new page's heading, and the page is announced.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Products' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Products' })).toBeFocused();
  await expect(page.getByTestId('page-announcement')).toHaveText('Products page');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Orders' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Orders' })).toBeFocused();

  // Adding a note is announced.
  await settled(page);
  await page.getByTestId('orders-table').locator('.order-link').first().click();
  await expect(page.getByTestId('order-number')).toBeFocused();
  await page.getByLabel('Add a note').fill('Called the customer about the delivery slot.');
  await page.getByRole('button', { name: 'Add note' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Note added to the timeline.' })).toBeVisible();
});
