import { expect, test } from './fixtures';

test('stats: KPI cards, revenue chart, range and interval in the URL', async ({ page, login, saveScreenshot }) => {
  await login('owner', '/stats');
  await expect(page.getByRole('heading', { name: 'Stats' })).toBeVisible();
  const kpis = page.getByTestId('kpis-EUR');
  await expect(kpis).toContainText('Net revenue');
  await expect(kpis).toContainText('€');
  await expect(page.getByTestId('revenue-chart').locator('svg.recharts-surface[role=application]')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Orders by status' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Top products' })).toBeVisible();

  await page.getByRole('button', { name: 'Last 90 days' }).click();
  await expect(page).toHaveURL(/interval=WEEK/);
  await expect(page.getByRole('button', { name: 'Last 90 days' })).toHaveAttribute('aria-pressed', 'true');
  await page.getByLabel('Interval').selectOption('MONTH');
  await expect(page).toHaveURL(/interval=MONTH/);
  await expect(page.getByRole('heading', { name: /monthly/ })).toBeVisible();
  await expect(page.getByText('Updating…')).toHaveCount(0);
  await expect(page.getByTestId('revenue-chart').locator('.recharts-bar-rectangle').first()).toBeVisible();
  await page.reload();
  await expect(page.getByLabel('Interval')).toHaveValue('MONTH');
  await expect(page.getByTestId('revenue-chart').locator('svg.recharts-surface[role=application]')).toBeVisible();
  await saveScreenshot('stats');
});
