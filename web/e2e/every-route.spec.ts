import { expect, settled, test } from './fixtures';
import { expectAccessibleAndFitting } from './page-checks';

const WIDTHS = [
  { name: 'desk', width: 1440, height: 900 },
  { name: 'phone', width: 390, height: 844 },
] as const;

for (const size of WIDTHS) {
  test(`every route at ${size.width} px: no serious axe violation, no sideways scroll`, async ({ page, login, saveScreenshot }) => {
    await page.setViewportSize({ width: size.width, height: size.height });

    await page.goto('/login');
    await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
    await expectAccessibleAndFitting(page, '/login');
    await saveScreenshot(`route-login-${size.name}`);

    await login('owner', '/orders');
    await settled(page);
    await expect(page.getByTestId('orders-table').locator('tbody tr').first()).toBeVisible();
    await expectAccessibleAndFitting(page, '/orders');
    await saveScreenshot(`route-orders-${size.name}`);

    const orderHref = await page.getByTestId('orders-table').locator('.order-link').first().getAttribute('href');
    await page.goto(orderHref!);
    await expect(page.getByTestId('order-number')).toBeVisible();
    await expectAccessibleAndFitting(page, '/orders/:id');
    await saveScreenshot(`route-order-detail-${size.name}`);

    await page.goto('/orders/new');
    await expect(page.getByRole('heading', { name: 'New order' })).toBeVisible();
    await expectAccessibleAndFitting(page, '/orders/new');
    await saveScreenshot(`route-new-order-${size.name}`);

    await page.goto('/stats');
    await expect(page.getByTestId('revenue-chart').locator('svg.recharts-surface').first()).toBeVisible();
    await expectAccessibleAndFitting(page, '/stats');
    await saveScreenshot(`route-stats-${size.name}`);

    await page.goto('/products');
    await expect(page.getByTestId('products-table')).toBeVisible();
    await expectAccessibleAndFitting(page, '/products');
    await saveScreenshot(`route-products-${size.name}`);

    await page.goto('/settings');
    await expect(page.getByTestId('discount-codes')).toBeVisible();
    await expectAccessibleAndFitting(page, '/settings');
    await saveScreenshot(`route-settings-${size.name}`);

    await page.goto('/orders/no-such-order');
    await expect(page.getByRole('heading', { name: 'Not found' })).toBeVisible();
    await expectAccessibleAndFitting(page, 'a missing order');
    await saveScreenshot(`route-not-found-${size.name}`);
  });
}
