import type { EntityManager } from '@mikro-orm/postgresql';
import type Stripe from 'stripe';
import { isUuid } from '../shared/ids';
import { unscopedSql } from '../shared/unscoped-sql';
import { idOf } from './events/handler';

/** The brand of a PaymentIntent: its order's, or its parked payment's. */
const PAYMENT_INTENT_BRAND = `select brand_id from orders where stripe_payment_intent_id = ?
     union all select brand_id from stripe_pending_payments where payment_intent_id = ? and brand_id is not null
     limit 1`;

/**
 * Which tenant a Stripe event belongs to. This is where the brand comes from, so it cannot be scoped by one: it reads
 * across brands, and only ever answers a brand id.
 *
 * What names an event's brand: the brand id of its metadata, when it is one (the brand is then that brand or none), else
 * for a charge its PaymentIntent, whose order or parked payment tells the brand; neither, no brand.
 */
export function brandKeys(event: Stripe.Event): { brandId: string | null; paymentIntentId: string | null } {
  const object = event.data.object as { metadata?: Record<string, string> | null; payment_intent?: unknown };
  const candidate = object.metadata?.brand_id;
  if (isUuid(candidate)) return { brandId: candidate.toLowerCase(), paymentIntentId: null };
  const pi = event.type.startsWith('charge.') ? idOf(object.payment_intent as string | null) : null;
  return { brandId: null, paymentIntentId: pi };
}

/**
 * The same question as a scalar subquery and its parameters, for a statement that asks it beside others (a processing's
 * second look, event-delivery.ts).
 */
export function brandSql(event: Stripe.Event): { sql: string; params: string[] } {
  const keys = brandKeys(event);
  if (keys.brandId) return { sql: '(select id from brands where id = ?::uuid)', params: [keys.brandId] };
  if (keys.paymentIntentId) return { sql: `(${PAYMENT_INTENT_BRAND})`, params: [keys.paymentIntentId, keys.paymentIntentId] };
  return { sql: 'null::uuid', params: [] };
}

/**
 * The brand of each row of a set with columns `brand_key` (uuid) and `payment_intent_key` (text), as brandKeys gives
 * them: a scalar expression for a statement that stores many events at once.
 */
export const BRAND_OF_KEYS_SQL = `case
       when brand_key is not null then (select b.id from brands b where b.id = brand_key)
       when payment_intent_key is not null then (${PAYMENT_INTENT_BRAND.replaceAll('?', 'payment_intent_key')})
     end`;

/** A charge names only its PaymentIntent, whose order (or parked payment) tells which brand it belongs to. */
export async function brandOfPaymentIntent(em: EntityManager, paymentIntentId: string): Promise<string | null> {
  // Unscoped: finds the brand of a PaymentIntent, whatever brand it is. Prepared: both lookups go by their keys'
  // indexes, whatever the values.
  const rows = await unscopedSql<{ brand_id: string }>(em, PAYMENT_INTENT_BRAND, [paymentIntentId, paymentIntentId], { prepared: true });
  return rows[0]?.brand_id ?? null;
}
