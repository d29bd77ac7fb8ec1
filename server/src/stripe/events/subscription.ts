import type Stripe from 'stripe';
import { v7 as uuidv7 } from 'uuid';
import { audit } from '../../audit/audit';
import { isUuid } from '../../shared/ids';
import { scopedSql } from '../../shared/sql';
import { CHECKOUT_APP } from '../checkout-contract';
import { idOf, ignored, processed, type EventHandler } from './handler';

/** `customer.subscription.*`: the brand's subscription, updated only by an event newer than the last one applied. */
export const onSubscription: EventHandler = async (tx, event, brandId) => {
  const subscription = event.data.object as Stripe.Subscription;
  const metadata = subscription.metadata ?? {};
  if (metadata.app && metadata.app !== CHECKOUT_APP) return ignored(`metadata.app is not "${CHECKOUT_APP}"`);
  if (!isUuid(metadata.brand_id)) return ignored('the subscription has no metadata.brand_id');
  if (!brandId) return ignored(`brand ${metadata.brand_id} does not exist`);
  const item = subscription.items?.data?.[0];
  const date = (seconds: number | null | undefined) => (seconds ? new Date(seconds * 1000) : null);
  const rows = await scopedSql(
    tx,
    `insert into brand_subscriptions (brand_id, id, created_at, updated_at, stripe_subscription_id, stripe_customer_id,
        status, plan, current_period_end, cancel_at_period_end, canceled_at, ended_at, last_event_created, last_event_id)
     values (?, ?, now(), now(), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     on conflict (stripe_subscription_id) do update set
        stripe_customer_id = excluded.stripe_customer_id, status = excluded.status, plan = excluded.plan,
        current_period_end = excluded.current_period_end, cancel_at_period_end = excluded.cancel_at_period_end,
        canceled_at = excluded.canceled_at, ended_at = excluded.ended_at,
        last_event_created = excluded.last_event_created, last_event_id = excluded.last_event_id, updated_at = now()
      where brand_subscriptions.brand_id = excluded.brand_id
        and (brand_subscriptions.last_event_created < excluded.last_event_created
          or (brand_subscriptions.last_event_created = excluded.last_event_created
              and excluded.ended_at is not null and brand_subscriptions.ended_at is null))
     returning id`,
    [
      uuidv7(),
      subscription.id,
      idOf(subscription.customer as string | { id: string } | null),
      subscription.status,
      item?.price?.lookup_key ?? null,
      date(item?.current_period_end),
      Boolean(subscription.cancel_at_period_end),
      date(subscription.canceled_at),
      date(subscription.ended_at),
      event.created,
      event.id,
    ],
  );
  if (rows.length === 0) return ignored(`subscription ${subscription.id}: a newer event was already applied`);
  audit(tx, {
    action: 'subscription.update',
    targetType: 'SUBSCRIPTION',
    targetId: subscription.id,
    before: {},
    after: { status: subscription.status, plan: item?.price?.lookup_key ?? null, cancelAtPeriodEnd: Boolean(subscription.cancel_at_period_end) },
  });
  return processed(`Subscription ${subscription.id} → ${subscription.status}${item?.price?.lookup_key ? ` (${item.price.lookup_key})` : ''}`);
};
