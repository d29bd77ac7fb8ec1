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
  // The chart says what its bars and line count.
  await expect(page.getByTestId('chart-explainer')).toHaveText(/Bars: orders placed in each day.*Line: net revenue/);

  await page.getByRole('button', { name: 'Last 90 days' }).click();
  await expect(page).toHaveURL(/interval=WEEK/);
  await expect(page.getByRole('button', { name: 'Last 90 days' })).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByText('Updating…')).toHaveCount(0);
  // Weekly buckets are named by their first day, and say so.
  await page.getByTestId('revenue-chart').getByText('Show the data as a table').click();
  await expect(page.getByTestId('revenue-chart').locator('tbody tr').first().locator('td').first()).toHaveText(/^Week of /);
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

/** A calendar day relative to today (the demo's orders span the last 120 days). */
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

test('stats: legend readable, a From after To or a future To is refused and said, never swapped', async ({ page, login, saveScreenshot }) => {
  const [from, to] = [day(-90), day(-10)];
  await login('owner', `/stats?from=${from}&to=${to}&interval=WEEK`);
  // Legend text has the page's text contrast, not the light bar colour.
  const legend = page.locator('.recharts-legend-item-text .chart__legend-text').first();
  await expect(legend).toHaveCSS('color', 'rgb(87, 83, 78)');

  const url = page.url();
  await page.getByLabel('From', { exact: true }).fill(day(-5));
  await expect(page.getByRole('alert')).toContainText('From must be on or before To.');
  await expect(page.getByLabel('From', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  expect(page.url()).toBe(url);
  await saveScreenshot('stats-range-refused', { fullPage: false });
  await page.getByLabel('From', { exact: true }).fill(day(-60));
  await expect(page.getByRole('alert')).toHaveCount(0);
  await expect(page).toHaveURL(new RegExp(`from=${day(-60)}&to=${to}`));

  await page.getByLabel('To', { exact: true }).fill(day(400));
  await expect(page.getByRole('alert')).toContainText('To cannot be after today');
  await expect(page).toHaveURL(new RegExp(`to=${to}`));

  // A link running into the future is cut at today, and says so.
  await page.goto(`/stats?from=${from}&to=${day(1500)}&interval=MONTH`);
  await expect(page.getByRole('status').filter({ hasText: 'shown up to today' })).toBeVisible();
  // Shown as the person's locale writes dates (the demo brand's: French).
  await expect(page.getByLabel('To', { exact: true })).toHaveValue(/^\d{2}\/\d{2}\/\d{4}$/);
  expect(await page.getByLabel('To', { exact: true }).inputValue()).not.toBe(day(1500));
});
