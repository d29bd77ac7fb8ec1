import { describe, expect, it } from 'vitest';
import type { WebhookEventOutcome } from '~/gql/graphql';
import {
  STRIPE_EVENTS_PAGE_SIZE,
  WEBHOOK_OUTCOMES,
  explainEvent,
  outcomeView,
  parseOutcomeParam,
  plainReason,
  stripeEventsVariables,
  subscriptionStatusView,
  subscriptionView,
  type SubscriptionFields,
} from '~/lib/stripe';
import { variablesKey } from '~/lib/variables-key';

describe('outcomeView', () => {
  it('gives every outcome its own label and tone', () => {
    expect(WEBHOOK_OUTCOMES.map((o) => [o, outcomeView(o).label, outcomeView(o).tone])).toEqual([
      ['PROCESSED', 'Processed', 'green'],
      ['IGNORED', 'Ignored', 'grey'],
      ['REJECTED', 'Rejected', 'amber'],
      ['FAILED', 'Failed', 'red'],
    ]);
    for (const o of WEBHOOK_OUTCOMES) expect(outcomeView(o).meaning).toMatch(/\.$/);
  });

  it('shows an event received and not applied yet as in progress', () => {
    expect(outcomeView(null)).toMatchObject({ label: 'In progress', tone: 'blue' });
    expect(outcomeView(undefined).label).toBe('In progress');
  });
});

describe('outcome filter in the URL', () => {
  it('reads the outcome case-insensitively and ignores anything else', () => {
    expect(parseOutcomeParam('failed')).toBe('FAILED');
    expect(parseOutcomeParam(' REJECTED ')).toBe('REJECTED');
    expect(parseOutcomeParam('nope')).toBeNull();
    expect(parseOutcomeParam('')).toBeNull();
    expect(parseOutcomeParam(null)).toBeNull();
  });

  it('builds the same variables in the loader and the browser (the loader page seeds the hook)', () => {
    expect(stripeEventsVariables(null)).toEqual({ first: STRIPE_EVENTS_PAGE_SIZE });
    expect(stripeEventsVariables('FAILED')).toEqual({ first: STRIPE_EVENTS_PAGE_SIZE, filter: { outcome: ['FAILED'] } });
    expect(variablesKey(stripeEventsVariables('IGNORED'))).toBe(variablesKey(JSON.parse(JSON.stringify(stripeEventsVariables('IGNORED')))));
  });
});

describe('plainReason', () => {
  it('rewrites the API’s developer wording into plain words', () => {
    expect(plainReason('customer.subscription.trial_will_end is not handled')).toBe('Luneo does not use this type of event.');
    expect(plainReason('metadata.app is not "orders"')).toMatch(/another app/);
    expect(plainReason('unsupported metadata.schema_version "2"')).toBe('Created with a checkout format Luneo does not support (version "2").');
    expect(plainReason('metadata.order_ref is missing or malformed')).toBe('It has no valid order reference.');
    expect(plainReason('a subscription-mode Checkout Session creates no order')).toBe('A subscription checkout, which creates no order.');
    expect(plainReason('subscription sub_123: a newer event was already applied')).toBe('A newer update of subscription sub_123 was already applied.');
  });

  it('keeps text it does not recognise as the API wrote it', () => {
    expect(plainReason('Order LL-1042 → PAID')).toBe('Order LL-1042 → PAID');
    expect(plainReason('  Invalid metadata.items: unknown product  ')).toBe('Invalid metadata.items: unknown product');
  });
});

describe('explainEvent', () => {
  const event = (outcome: WebhookEventOutcome | null, reason: string | null, error: string | null = null) => ({
    outcome,
    reason,
    error,
    eventId: 'evt_1',
  });

  it('says what a processed event did', () => {
    expect(explainEvent(event('PROCESSED', 'Order LL-1042 → PAID'))).toEqual({ summary: 'Order LL-1042 → PAID', detail: null, next: null });
    expect(explainEvent(event('PROCESSED', null)).summary).toBe('Applied.');
  });

  it('says why an event was ignored and keeps the API’s wording for the tooltip', () => {
    expect(explainEvent(event('IGNORED', 'invoice.paid is not handled'))).toEqual({
      summary: 'Luneo does not use this type of event.',
      detail: 'invoice.paid is not handled',
      next: null,
    });
  });

  it('explains a rejection from its error and tells how to replay it', () => {
    const why = explainEvent(event('REJECTED', null, 'metadata.items: product 7 does not exist'));
    expect(why.summary).toBe('Refused: metadata.items: product 7 does not exist');
    expect(why.next).toBe('Fix the cause, then replay it: pnpm cli stripe:replay evt_1');
  });

  it('says a failure is retried by Stripe', () => {
    const why = explainEvent(event('FAILED', null, 'connection terminated'));
    expect(why.summary).toBe('Could not be processed: connection terminated');
    expect(why.next).toMatch(/Stripe retries/);
    expect(explainEvent(event('FAILED', null, null)).summary).toBe('Could not be processed.');
  });

  it('shows an event still in flight as being processed', () => {
    expect(explainEvent(event(null, null)).summary).toBe('Being processed…');
  });
});

describe('subscription card', () => {
  const formatDate = (iso: string) => `<${iso.slice(0, 10)}>`;
  const sub = (fields: Partial<SubscriptionFields>): SubscriptionFields => ({
    status: 'active',
    plan: 'pro_monthly',
    currentPeriodEnd: '2026-12-01T00:00:00.000Z',
    cancelAtPeriodEnd: false,
    canceledAt: null,
    endedAt: null,
    ...fields,
  });

  it('labels Stripe statuses and spells out unknown ones', () => {
    expect(subscriptionStatusView('active')).toEqual({ label: 'Active', tone: 'green' });
    expect(subscriptionStatusView('past_due')).toEqual({ label: 'Past due', tone: 'amber' });
    expect(subscriptionStatusView('incomplete_expired').label).toBe('Expired');
    expect(subscriptionStatusView('on_hold')).toEqual({ label: 'On hold', tone: 'grey' });
  });

  it('an active plan renews on the period end', () => {
    const view = subscriptionView(sub({}), formatDate);
    expect(view).toMatchObject({ statusLabel: 'Active', tone: 'green', plan: 'pro_monthly', notice: null });
    expect(view.dates).toEqual([{ label: 'Renews on', at: '2026-12-01T00:00:00.000Z' }]);
  });

  it('a trial ends on the period end', () => {
    expect(subscriptionView(sub({ status: 'trialing' }), formatDate).dates[0].label).toBe('Trial ends on');
  });

  it('cancel at period end: ends on that date, with a notice', () => {
    const view = subscriptionView(sub({ cancelAtPeriodEnd: true, canceledAt: '2026-11-10T09:00:00.000Z' }), formatDate);
    expect(view.dates).toEqual([
      { label: 'Ends on', at: '2026-12-01T00:00:00.000Z' },
      { label: 'Cancellation requested on', at: '2026-11-10T09:00:00.000Z' },
    ]);
    expect(view.notice).toEqual({
      tone: 'warning',
      text: 'Set to cancel at the end of the current period: it will not renew, and ends on <2026-12-01>.',
    });
  });

  it('an ended plan shows when it ended, never a renewal', () => {
    const view = subscriptionView(
      sub({ status: 'canceled', cancelAtPeriodEnd: true, canceledAt: '2026-11-10T09:00:00.000Z', endedAt: '2026-12-01T00:00:00.000Z' }),
      formatDate,
    );
    expect(view).toMatchObject({ statusLabel: 'Canceled', tone: 'grey', notice: null });
    expect(view.dates.map((d) => d.label)).toEqual(['Ended on', 'Canceled on']);
  });

  it('warns when a payment did not go through', () => {
    const view = subscriptionView(sub({ status: 'past_due' }), formatDate);
    expect(view.dates[0].label).toBe('Period ends on');
    expect(view.notice?.text).toMatch(/payment did not go through/);
  });

  it('copes with a subscription without a plan or a period end', () => {
    expect(subscriptionView(sub({ plan: null, currentPeriodEnd: null }), formatDate)).toMatchObject({ plan: null, dates: [], notice: null });
  });
});
