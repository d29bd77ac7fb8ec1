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
  const brand = brandSql(event);
  // Unscoped: see above.
  const rows = await unscopedSql<{ brand_id: string | null }>(em, `select ${brand.sql} as brand_id`, brand.params);
  return rows[0]?.brand_id ?? null;
}

/**
 * The same question as a scalar subquery and its parameters, for a statement that asks it beside others (the
 * delivery's first look, event-delivery.ts): the brand named by the event's metadata if it exists, else for a charge
 * the brand of its PaymentIntent's order or parked payment, else null.
 */
export function brandSql(event: Stripe.Event): { sql: string; params: string[] } {
  const object = event.data.object as { metadata?: Record<string, string> | null; payment_intent?: unknown };
  const candidate = object.metadata?.brand_id;
  if (isUuid(candidate)) return { sql: '(select id from brands where id = ?::uuid)', params: [candidate.toLowerCase()] };
  const pi = event.type.startsWith('charge.') ? idOf(object.payment_intent as string | null) : null;
  if (pi) return { sql: `(${PAYMENT_INTENT_BRAND})`, params: [pi, pi] };
  return { sql: 'null::uuid', params: [] };
}

const PAYMENT_INTENT_BRAND = `select brand_id from orders where stripe_payment_intent_id = ?
     union all select brand_id from stripe_pending_payments where payment_intent_id = ? and brand_id is not null
     limit 1`;

/** A charge names only its PaymentIntent, whose order (or parked payment) tells which brand it belongs to. */
export async function brandOfPaymentIntent(em: EntityManager, paymentIntentId: string): Promise<string | null> {
  // Unscoped: finds the brand of a PaymentIntent, whatever brand it is.
  const rows = await unscopedSql<{ brand_id: string }>(
    em,
    PAYMENT_INTENT_BRAND,
    [paymentIntentId, paymentIntentId],
  );
  return rows[0]?.brand_id ?? null;
}
