import type Stripe from 'stripe';
import type { Actor } from '../../shared/actor';
import type { RequestContext } from '../../shared/request-context';
import { lockKeys } from '../../shared/sql';

/**
 * What every event handler shares. A handler runs inside the delivery's transaction (event-delivery.ts), as the event's
 * brand when one was resolved, and says what it did; throwing a DomainError rejects the event, anything else fails it.
 */
export interface Handled {
  outcome: 'PROCESSED' | 'IGNORED';
  reason: string;
}

export type EventHandler = (tx: RequestContext, event: Stripe.Event, brandId: string | null) => Promise<Handled>;

export const processed = (reason: string): Handled => ({ outcome: 'PROCESSED', reason });
export const ignored = (reason: string): Handled => ({ outcome: 'IGNORED', reason });

/** Thrown when a concurrent transaction created the order this event needs after its brand was resolved: run again. */
export class BrandResolvedLate extends Error {}

export function stripeActor(eventId: string): Actor {
  return { type: 'STRIPE', id: eventId, label: 'Stripe' };
}

/** Stripe expands some references into objects and leaves others as ids. */
export function idOf(value: string | { id: string } | null | undefined): string | null {
  if (!value) return null;
  return typeof value === 'string' ? value : value.id;
}

/** Serializes every event about one payment: the order reference first, then the PaymentIntent (always that order). */
export async function lockPayment(
  tx: RequestContext,
  brandId: string | null,
  orderRef: string | null,
  paymentIntentId: string | null,
) {
  const keys = [orderRef && brandId ? `ref:${brandId}:${orderRef}` : null, paymentIntentId ? `pi:${paymentIntentId}` : null];
  await lockKeys(tx.em, keys.filter((key): key is string => key !== null).map((key) => `stripe:${key}`));
}
