import type { EntityManager } from '@mikro-orm/postgresql';
import type Stripe from 'stripe';
import { isUuid } from '../shared/ids';
import { unscopedSql } from '../shared/unscoped-sql';
import { idOf } from './events/handler';

/**
 * Which tenant a Stripe event belongs to. This is where the brand comes from, so it cannot be scoped by one: it reads
 * across brands, and only ever answers a brand id.
 */
export async function brandOf(em: EntityManager, event: Stripe.Event): Promise<string | null> {
  const object = event.data.object as { metadata?: Record<string, string> | null; payment_intent?: unknown };
  const candidate = object.metadata?.brand_id;
  if (isUuid(candidate)) {
    // Unscoped: checks that the brand named by the event exists.
    const rows = await unscopedSql<{ id: string }>(em, 'select id from brands where id = ?', [candidate.toLowerCase()]);
    return rows[0]?.id ?? null;
  }
  if (event.type.startsWith('charge.')) {
    const pi = idOf(object.payment_intent as string | null);
    if (pi) return brandOfPaymentIntent(em, pi);
  }
  return null;
}

/** A charge names only its PaymentIntent, whose order (or parked payment) tells which brand it belongs to. */
export async function brandOfPaymentIntent(em: EntityManager, paymentIntentId: string): Promise<string | null> {
  // Unscoped: finds the brand of a PaymentIntent, whatever brand it is.
  const rows = await unscopedSql<{ brand_id: string }>(
    em,
    `select brand_id from orders where stripe_payment_intent_id = ?
     union all select brand_id from stripe_pending_payments where payment_intent_id = ? and brand_id is not null
     limit 1`,
    [paymentIntentId, paymentIntentId],
  );
  return rows[0]?.brand_id ?? null;
}
