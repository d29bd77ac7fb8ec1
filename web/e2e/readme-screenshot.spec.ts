import { expect, settled, test } from './fixtures';

/** Refreshes the README's screenshot (docs/screenshots/orders.png): `E2E_README_SCREENSHOT=1 pnpm e2e readme-screenshot`. */
test('README screenshot of the orders page', async ({ page, login }) => {
  test.skip(process.env.E2E_README_SCREENSHOT !== '1', 'only when refreshing the README screenshot');
  await page.setViewportSize({ width: 1360, height: 900 });
  await login('owner', '/orders');
  await settled(page);
  await expect(page.getByTestId('orders-table').locator('tbody tr')).toHaveCount(20);
  await page.getByRole('button', { name: 'Filters' }).click();
  await expect(page.getByRole('checkbox', { name: 'Pending' })).toBeVisible();
  await page.locator('body').click({ position: { x: 5, y: 300 } });
  await page.screenshot({ path: 'docs/screenshots/orders.png' });
});
