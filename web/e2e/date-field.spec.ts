import { expect, settled, test } from './fixtures';
import type { Page } from '@playwright/test';
import { expectAccessibleAndFitting } from './page-checks';

async function openFilters(page: Page) {
  const toggle = page.getByRole('button', { name: /^Filters/ });
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
}

/** Dates are typed and shown the way the person's locale writes them; the URL and the API keep ISO dates. */
test('date fields follow the person’s locale: French by the brand, US English when picked; wrong dates are said', async ({ page, login, saveScreenshot }) => {
  await login('owner', '/orders?from=2026-11-02&to=2026-11-20');
  await settled(page);
  await openFilters(page);
  const from = page.getByLabel('From', { exact: true });
  const to = page.getByLabel('To', { exact: true });
  // The demo brand's locale is French: day first, in an en-US browser.
  await expect(from).toHaveValue('02/11/2026');
  await expect(to).toHaveValue('20/11/2026');
  await expect(page.getByText('e.g. 02/12/2026').first()).toBeVisible();

  // Typed in the locale's order, it filters by that day.
  await to.fill('10/11/2026');
  await expect(page).toHaveURL(/from=2026-11-02&to=2026-11-10/);
  await settled(page);

  // Not a date: said next to the field on leaving it, and the filter keeps its last good value.
  await from.fill('31/02/2026');
  await from.press('Tab');
  await expect(page.getByText('Enter a date like 02/12/2026.')).toBeVisible();
  await expect(from).toHaveAttribute('aria-invalid', 'true');
  await expect(page).toHaveURL(/from=2026-11-02&to=2026-11-10/);
  await expectAccessibleAndFitting(page, 'a refused date');
  await saveScreenshot('date-field-refused', { fullPage: false });

  // The calendar opens from the field (Alt+↓), on the field's date; arrows move, Enter picks, focus comes back.
  await from.fill('02/11/2026');
  await expect(page.getByText('Enter a date like 02/12/2026.')).toHaveCount(0);
  await from.press('Alt+ArrowDown');
  const calendar = page.getByRole('dialog', { name: 'Choose From' });
  await expect(calendar.getByRole('button', { name: /^lundi 2 novembre 2026$/ })).toBeFocused();
  await expectAccessibleAndFitting(page, 'the calendar');
  await saveScreenshot('date-field-calendar-fr', { fullPage: false });
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Enter');
  await expect(calendar).toHaveCount(0);
  await expect(from).toBeFocused();
  await expect(from).toHaveValue('03/11/2026');
  await expect(page).toHaveURL(/from=2026-11-03&to=2026-11-10/);

  // The person picks US English: month first, and typing follows.
  await page.getByLabel(/Number and date format/).selectOption('en-US');
  await page.waitForLoadState('load');
  await settled(page);
  await openFilters(page);
  await expect(from).toHaveValue('11/3/2026');
  await expect(page.getByText('e.g. 12/2/2026').first()).toBeVisible();
  await to.fill('11/15/2026');
  await expect(page).toHaveURL(/from=2026-11-03&to=2026-11-15/);
  await to.fill('15/11/2026');
  await to.press('Enter');
  await expect(page.getByText('Enter a date like 12/2/2026.')).toBeVisible();
  await expect(page).toHaveURL(/to=2026-11-15/);

  await page.setViewportSize({ width: 390, height: 844 });
  await from.press('Alt+ArrowDown');
  await expect(page.getByRole('dialog', { name: 'Choose From' }).getByRole('button', { name: /^Tuesday, November 3, 2026$/ })).toBeFocused();
  await expectAccessibleAndFitting(page, 'the calendar at 390 px');
  await saveScreenshot('date-field-calendar-en-us-phone', { fullPage: false });
  await page.keyboard.press('Escape');
  await expect(page.getByRole('button', { name: 'Calendar for From' })).toBeFocused();
});
