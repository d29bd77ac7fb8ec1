import type Stripe from 'stripe';
import type { Actor } from '../../shared/actor';
import type { RequestContext } from '../../shared/request-context';
import type { ScopedStatement } from '../../shared/sql';

/**
 * What every event handler shares. A handler runs inside the delivery's transaction (event-delivery.ts), as the event's
 * brand when one was resolved, and says what it did; throwing a DomainError rejects the event, anything else fails it.
 */
export interface Handled {
  outcome: 'PROCESSED' | 'IGNORED';
  reason: string;
  /** The handler's last write, left to the delivery to make in the statement that records the outcome. */
  write?: HandlerWrite;
}

/** A data-modifying statement (the body of a CTE) and its parameters. */
export interface HandlerWrite {
  sql: string;
  params: unknown[];
}

/** A handler's work: `reads` holds the rows of each statement of its firstReads when the delivery sent them. */
export type HandleEvent = (
  tx: RequestContext,
  event: Stripe.Event,
  brandId: string | null,
  reads?: Record<string, any>[][],
) => Promise<Handled>;

/** A statement and its values, not run: built by scopedStatement, or by one of the modules that may cross brands. */
export type ReadAhead = ScopedStatement;

export type EventHandler = HandleEvent & {
  /** The payment the event is about, if any: the delivery takes its locks (paymentLockKeys) before the handler runs. */
  payment?: (event: Stripe.Event, brandId: string | null) => PaymentKeys | null;
  /**
   * The handler's first reads, for its event's brand: the delivery sends them in its claim's message, after the claim,
   * so they run under the payment's locks, each with a snapshot of its own (a checkout committed while the claim waited
   * is seen), and hands their rows to the handler — a round trip fewer each. Empty when the event does not say enough.
   */
  firstReads?: (scope: { brandId: string }, event: Stripe.Event) => ReadAhead[];
};

/** What identifies a payment: its checkout's order reference (with the brand) and its PaymentIntent, either may be missing. */
export interface PaymentKeys {
  brandId: string | null;
  orderRef: string | null;
  paymentIntentId: string | null;
}

/** A handler for events about one payment, which reads and writes it only under that payment's locks. */
export function aboutPayment(
  payment: (event: Stripe.Event, brandId: string | null) => PaymentKeys | null,
  handle: HandleEvent,
  firstReads?: EventHandler['firstReads'],
): EventHandler {
  return Object.assign(handle, { payment, firstReads });
}

export const processed = (reason: string, write?: HandlerWrite): Handled => ({ outcome: 'PROCESSED', reason, write });
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

/**
 * The transaction-scoped advisory locks that serialize every event about one payment: the order reference first, then
 * the PaymentIntent (always that order). The delivery takes them in its claim statement (event-delivery.ts), so the
 * handler's first read of the order already runs under them.
 */
export function paymentLockKeys(payment: PaymentKeys | null): string[] {
  if (!payment) return [];
  const { brandId, orderRef, paymentIntentId } = payment;
  const keys = [orderRef && brandId ? `ref:${brandId}:${orderRef}` : null, paymentIntentId ? `pi:${paymentIntentId}` : null];
  return keys.filter((key): key is string => key !== null).map((key) => `stripe:${key}`);
}
