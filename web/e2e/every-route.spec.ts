import { expect, settled, test } from './fixtures';
import { expectAccessibleAndFitting } from './page-checks';

const SCREENS = [
  { name: 'desk', width: 1440, height: 900, colorScheme: 'light' },
  { name: 'phone', width: 390, height: 844, colorScheme: 'light' },
  { name: 'desk-dark', width: 1440, height: 900, colorScheme: 'dark' },
] as const;

for (const size of SCREENS) {
  test(`every route at ${size.width} px, ${size.colorScheme}: no serious axe violation, no sideways scroll`, async ({ page, login, saveScreenshot }) => {
    // Eight screens, each with an axe run: more than the default minute on a loaded 2-core machine.
    test.setTimeout(180_000);
    await page.setViewportSize({ width: size.width, height: size.height });
    await page.emulateMedia({ colorScheme: size.colorScheme });

    await page.goto('/login');
    await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
    // The person's dark-mode preference is followed.
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).toBe(size.colorScheme === 'dark' ? 'rgb(21, 19, 18)' : 'rgb(250, 250, 249)');
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
