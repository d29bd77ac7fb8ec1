import { expect, test } from './fixtures';

test('settings: subscription card and Stripe events, empty for the demo brand, filter in the URL', async ({ page, login, saveScreenshot }) => {
  await login('owner', '/settings');
  await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();

  // The demo brand has no Luneo subscription yet.
  const subscription = page.getByRole('region', { name: 'Subscription' });
  await expect(subscription.getByTestId('subscription-empty')).toContainText('No Luneo subscription is linked to this brand yet');

  // No webhook is configured in the throwaway stack, so no events: the empty state says how to connect Stripe.
  const events = page.getByRole('region', { name: 'Stripe events' });
  await expect(events.getByRole('heading', { name: 'No Stripe events received yet' })).toBeVisible();
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
