import { expect, test, uniqueSuffix } from './fixtures';

test('settings: subscription card and Stripe events, empty for the demo brand, filter in the URL', async ({ page, login, saveScreenshot }) => {
  await login('owner', '/settings');
  await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();

  // The demo brand has no Luneo subscription yet.
  const subscription = page.getByRole('region', { name: 'Subscription' });
  await expect(subscription.getByTestId('subscription-empty')).toContainText('No Luneo subscription is linked to this brand yet');
  // Technical words stay behind a disclosure: brand staff read plain words first.
  await expect(subscription.getByText('customer.subscription.*')).toBeHidden();
  await expect(subscription.getByText('Brand identifier')).toBeHidden();
  await subscription.getByText('Technical details').click();
  await expect(subscription.getByText('Brand identifier')).toBeVisible();

  // No webhook is configured in the throwaway stack, so no events: the empty state says how to connect Stripe.
  const events = page.getByRole('region', { name: 'Stripe events' });
  await expect(events.getByRole('heading', { name: 'No Stripe events received yet' })).toBeVisible();
  await expect(events.getByText('STRIPE_WEBHOOK_SECRET')).toBeHidden();
  await events.getByText('Details for your developer').click();
  await expect(events).toContainText('/webhooks/stripe');
  await expect(events.getByTestId('stripe-events')).toHaveCount(0);

  // The outcome filter lives in the URL and has its own empty state.
  await events.getByLabel('Outcome').selectOption('FAILED');
  await expect(page).toHaveURL(/[?&]events=failed/);
  await expect(events.getByRole('heading', { name: 'No failed Stripe events' })).toBeVisible();
  await events.getByRole('button', { name: 'Show all events' }).click();
  await expect(page).not.toHaveURL(/events=/);
  await expect(events.getByLabel('Outcome')).toHaveValue('');
  await expect(events.getByRole('heading', { name: 'No Stripe events received yet' })).toBeVisible();

  // A shared link opens the same filtered view, rendered on the server.
  await page.goto('/settings?events=failed');
  await expect(events.getByLabel('Outcome')).toHaveValue('FAILED');
  await expect(events.getByRole('heading', { name: 'No failed Stripe events' })).toBeVisible();
  await saveScreenshot('settings');
});

test('discount codes: plain validity, no switch on expired codes, unused codes edited and deleted', async ({ page, login, saveScreenshot }) => {
  await login('owner', '/settings');
  const codes = page.getByTestId('discount-codes');
  // The demo's expired code says it ended and offers no switch; a used code can only be switched off.
  const expired = codes.locator('tr[data-code="SUMMER25"]');
  await expect(expired.getByRole('cell').nth(3)).toHaveText(/^Ended /);
  await expect(expired.getByRole('button', { name: /Deactivate|Activate/ })).toHaveCount(0);
  const used = codes.locator('tr[data-code="WELCOME10"]');
  await expect(used.getByRole('button', { name: 'Deactivate WELCOME10' })).toBeVisible();
  await expect(used.getByRole('button', { name: /^(Edit|Delete) / })).toHaveCount(0);

  const code = `E2E${uniqueSuffix()}`;
  await page.getByRole('button', { name: 'New code' }).click();
  const form = page.getByRole('form', { name: 'New discount code' });
  await form.getByLabel('Code').fill(code);
  await form.getByLabel('Percent off').fill('10');
  await form.getByRole('button', { name: 'Create code' }).click();
  const row = codes.locator(`tr[data-code="${code}"]`);
  await expect(row.getByRole('cell').nth(3)).toHaveText('Always');

  // Unused: edited in full.
  await row.getByRole('button', { name: `Edit ${code}` }).click();
  const edit = page.getByRole('form', { name: `Edit discount code ${code}` });
  await expect(edit.getByLabel('Percent off')).toHaveValue('10');
  await edit.getByLabel('Percent off').fill('15');
  await edit.getByLabel(/Valid until/).fill('2031-03-31');
  await edit.getByRole('button', { name: 'Save code' }).click();
  await expect(row.getByRole('cell').nth(1)).toHaveText(/^15\s?%$/);
  await expect(row.getByRole('cell').nth(3)).toHaveText(/^Until 31 mars 2031$/);
  await saveScreenshot('settings-discount-codes');

  // Unused: deleted, after a confirmation.
  await row.getByRole('button', { name: `Delete ${code}` }).click();
  await page.getByRole('button', { name: 'Yes, delete' }).click();
  await expect(row).toHaveCount(0);
});
