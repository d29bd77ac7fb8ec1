import type { EntityManager } from '@mikro-orm/postgresql';
import type Stripe from 'stripe';
import { v7 as uuidv7 } from 'uuid';
import { DomainError } from '../errors';
import type { AddressData, Order } from '../orders/order.entity';
import {
  applyPaymentResult,
  applyRefund,
  completeCheckout,
  findOrderForPayment,
} from '../orders/order.service';
import type { Actor } from '../shared/actor';
import { formatMoney } from '../shared/money';
import { RequestContext, type Principal } from '../shared/request-context';
import { sql } from '../shared/sql';
import { CHECKOUT_APP, isUuid, parseItems, readContract } from './checkout-contract';
import type { PendingPaymentResult } from './pending-payment.entity';
import type { WebhookEventOutcome } from './stripe-event.entity';

/**
 * Turns verified Stripe events into orders, payments, refunds and subscriptions — exactly once.
 *
 * Each delivery runs in one transaction that first claims the event's id in `stripe_events` (a unique constraint:
 * `INSERT … ON CONFLICT DO UPDATE … WHERE processed_at IS NULL`), then applies its effects through the order services,
 * then marks it processed. A concurrent duplicate waits on the claimed row and, once the first commits, finds it
 * processed and changes nothing; if the first rolled back, the duplicate processes it. Events that touch one payment are
 * serialized by transaction-scoped advisory locks (order reference first, then PaymentIntent), so out-of-order
 * deliveries cannot interleave: a payment or refund that arrives before its order is kept in `stripe_pending_payments`
 * and applied when the checkout creates the order.
 */
export interface EventResult {
  eventId: string;
  outcome: WebhookEventOutcome;
  reason: string | null;
  /** True when this delivery found the event already handled and changed nothing. */
  duplicate: boolean;
}

interface Handled {
  outcome: 'PROCESSED' | 'IGNORED';
  reason: string;
}

const processed = (reason: string): Handled => ({ outcome: 'PROCESSED', reason });
const ignored = (reason: string): Handled => ({ outcome: 'IGNORED', reason });

/** Thrown when a concurrent transaction created the order this event needs after its brand was resolved: run again. */
class BrandResolvedLate extends Error {}

export function stripeActor(eventId: string): Actor {
  return { type: 'STRIPE', id: eventId, label: 'Stripe' };
}

function stripePrincipal(eventId: string, brandId: string): Principal {
  return { actor: stripeActor(eventId), brandId, role: null, scopes: [] };
}

function idOf(value: string | { id: string } | null | undefined): string | null {
  if (!value) return null;
  return typeof value === 'string' ? value : value.id;
}

function message(error: unknown): string {
  return String((error as Error)?.message ?? error).slice(0, 1000);
}

/** Handles one verified delivery. Resolves with the outcome; rejects only when our side failed (answer 5xx). */
export function receiveEvent(rootEm: EntityManager, event: Stripe.Event): Promise<EventResult> {
  return run(rootEm, event, 'deliver');
}

/** Runs a stored event again (operator replay), whatever its outcome; effects stay exactly-once. */
export async function replayEvent(rootEm: EntityManager, eventId: string): Promise<EventResult> {
  const [row] = await sql<{ payload: Stripe.Event }>(rootEm, 'select payload from stripe_events where event_id = ?', [eventId]);
  if (!row) throw new DomainError('NOT_FOUND', `No stored Stripe event ${eventId}`);
  const payload = typeof row.payload === 'string' ? (JSON.parse(row.payload) as Stripe.Event) : row.payload;
  return run(rootEm, payload, 'replay');
}

async function run(rootEm: EntityManager, event: Stripe.Event, mode: 'deliver' | 'replay'): Promise<EventResult> {
  for (let attempt = 0; ; attempt++) {
    const brandId = await brandOf(rootEm, event);
    try {
      return await runOnce(rootEm, event, brandId, mode);
    } catch (error) {
      if (error instanceof BrandResolvedLate && attempt < 2) continue;
      const rejected = error instanceof DomainError;
      await recordFailure(rootEm, event, brandId, rejected, message(error), mode).catch(() => undefined);
      if (rejected) return { eventId: event.id, outcome: 'REJECTED', reason: message(error), duplicate: false };
      throw error;
    }
  }
}

async function runOnce(
  rootEm: EntityManager,
  event: Stripe.Event,
  brandId: string | null,
  mode: 'deliver' | 'replay',
): Promise<EventResult> {
  const ctx = RequestContext.create(rootEm, brandId ? stripePrincipal(event.id, brandId) : null);
  return ctx.transaction(async (tx) => {
    const claimed = mode === 'deliver' ? await claim(tx.em, event, brandId) : await claimForReplay(tx.em, event.id);
    if (!claimed) {
      const [row] = await sql<{ outcome: WebhookEventOutcome; reason: string | null }>(
        tx.em,
        'select outcome, reason from stripe_events where event_id = ?',
        [event.id],
      );
      return { eventId: event.id, outcome: row.outcome, reason: row.reason, duplicate: true };
    }
    const handled = await handle(tx, event, brandId);
    await sql(
      tx.em,
      `update stripe_events set processed_at = now(), outcome = ?, reason = ?, error = null,
          brand_id = coalesce(?, brand_id), updated_at = now()
        where event_id = ?`,
      [handled.outcome, handled.reason, brandId, event.id],
    );
    return { eventId: event.id, outcome: handled.outcome, reason: handled.reason, duplicate: false };
  });
}

/** The values of a stored event's identity and payload columns, in the order both inserts below list them. */
function storedEvent(event: Stripe.Event, brandId: string | null): unknown[] {
  return [
    uuidv7(),
    event.id,
    event.type,
    brandId,
    event.api_version ?? null,
    Boolean(event.livemode),
    new Date(event.created * 1000),
    JSON.stringify(event),
  ];
}

/** Inserts the event, or re-claims a stored one that was never processed (an earlier attempt failed). */
async function claim(em: EntityManager, event: Stripe.Event, brandId: string | null): Promise<boolean> {
  const rows = await sql(
    em,
    `insert into stripe_events (id, created_at, updated_at, event_id, type, brand_id, api_version, livemode,
        stripe_created_at, payload, received_at, last_received_at, attempts)
     values (?, now(), now(), ?, ?, ?, ?, ?, ?, ?::jsonb, now(), now(), 1)
     on conflict (event_id) do update
        set attempts = stripe_events.attempts + 1, last_received_at = now(), updated_at = now()
      where stripe_events.processed_at is null
     returning id`,
    [
      ...storedEvent(event, brandId),
    ],
  );
  return rows.length === 1;
}

async function claimForReplay(em: EntityManager, eventId: string): Promise<boolean> {
  const rows = await sql(
    em,
    'update stripe_events set attempts = attempts + 1, updated_at = now() where event_id = ? returning id',
    [eventId],
  );
  return rows.length === 1;
}

/**
 * Keeps the event and why it failed. REJECTED (our rules refused it) is acknowledged: marked processed so that
 * redeliveries are duplicates; an operator replays it after fixing the cause. FAILED stays unprocessed for Stripe's retry.
 */
async function recordFailure(
  rootEm: EntityManager,
  event: Stripe.Event,
  brandId: string | null,
  rejected: boolean,
  error: string,
  mode: 'deliver' | 'replay',
) {
  await sql(
    rootEm.fork(),
    `insert into stripe_events (id, created_at, updated_at, event_id, type, brand_id, api_version, livemode,
        stripe_created_at, payload, received_at, last_received_at, attempts, outcome, error, processed_at)
     values (?, now(), now(), ?, ?, ?, ?, ?, ?, ?::jsonb, now(), now(), 1, ?, ?, ${rejected ? 'now()' : 'null'})
     on conflict (event_id) do update
        set outcome = excluded.outcome, error = excluded.error, processed_at = excluded.processed_at,
            reason = null, attempts = stripe_events.attempts + 1, last_received_at = now(), updated_at = now()
      where stripe_events.processed_at is null or ?`,
    [
      ...storedEvent(event, brandId),
      rejected ? 'REJECTED' : 'FAILED',
      error,
      mode === 'replay',
    ],
  );
}

/** The tenant an event belongs to: `metadata.brand_id` when that brand exists; for a charge, its order's brand. */
async function brandOf(em: EntityManager, event: Stripe.Event): Promise<string | null> {
  const object = event.data.object as { metadata?: Record<string, string> | null; payment_intent?: unknown };
  const candidate = object.metadata?.brand_id;
  if (isUuid(candidate)) {
    const rows = await sql<{ id: string }>(em, 'select id from brands where id = ?', [candidate.toLowerCase()]);
    return rows[0]?.id ?? null;
  }
  if (event.type.startsWith('charge.')) {
    const pi = idOf(object.payment_intent as string | null);
    if (pi) return brandOfPaymentIntent(em, pi);
  }
  return null;
}

/** Cross-tenant by design: a charge names only its PaymentIntent, whose order tells which brand it belongs to. */
async function brandOfPaymentIntent(em: EntityManager, paymentIntentId: string): Promise<string | null> {
  const rows = await sql<{ brand_id: string }>(
    em,
    `select brand_id from orders where stripe_payment_intent_id = ?
     union all select brand_id from stripe_pending_payments where payment_intent_id = ? and brand_id is not null
     limit 1`,
    [paymentIntentId, paymentIntentId],
  );
  return rows[0]?.brand_id ?? null;
}

function handle(tx: RequestContext, event: Stripe.Event, brandId: string | null): Promise<Handled> {
  const object = event.data.object;
  switch (event.type) {
    case 'checkout.session.completed':
      return onCheckoutCompleted(tx, object as Stripe.Checkout.Session, brandId);
    case 'checkout.session.async_payment_succeeded':
      return onSessionPayment(tx, object as Stripe.Checkout.Session, brandId, 'SUCCEEDED', event.id);
    case 'checkout.session.async_payment_failed':
      return onSessionPayment(tx, object as Stripe.Checkout.Session, brandId, 'FAILED', event.id);
    case 'payment_intent.succeeded':
      return onPaymentIntent(tx, object as Stripe.PaymentIntent, brandId, 'SUCCEEDED', event.id);
    case 'payment_intent.payment_failed':
      return onPaymentIntent(tx, object as Stripe.PaymentIntent, brandId, 'FAILED', event.id);
    case 'charge.refunded':
      return onChargeRefunded(tx, object as Stripe.Charge, brandId, event.id);
    case 'customer.subscription.created':
    case 'customer.subscription.updated':
    case 'customer.subscription.deleted':
      return onSubscription(tx, object as Stripe.Subscription, brandId, event);
    default:
      return Promise.resolve(ignored(`${event.type} is not handled`));
  }
}

/** Serializes every event about one payment: the order reference first, then the PaymentIntent (always that order). */
async function lockPayment(tx: RequestContext, brandId: string | null, orderRef: string | null, paymentIntentId: string | null) {
  const keys = [orderRef && brandId ? `ref:${brandId}:${orderRef}` : null, paymentIntentId ? `pi:${paymentIntentId}` : null];
  for (const key of keys) {
    if (key) await sql(tx.em, 'select pg_advisory_xact_lock(hashtextextended(?, 0))', [`stripe:${key}`]);
  }
}

function toAddress(details: Stripe.Checkout.Session.CollectedInformation.ShippingDetails | null | undefined): AddressData | null {
  const address = details?.address;
  if (!address?.line1 || !address.country) return null;
  return {
    name: details?.name ?? null,
    line1: address.line1,
    line2: address.line2 ?? null,
    city: address.city ?? '',
    postalCode: address.postal_code ?? '',
    region: address.state ?? null,
    country: address.country.toUpperCase(),
  };
}

async function onCheckoutCompleted(
  tx: RequestContext,
  session: Stripe.Checkout.Session,
  brandId: string | null,
): Promise<Handled> {
  if (session.mode !== 'payment') return ignored(`a ${session.mode}-mode Checkout Session creates no order`);
  const contract = readContract(session.metadata, session.client_reference_id);
  if (!contract.ours) return ignored(contract.reason);
  if (!brandId) return ignored(`brand ${contract.brandId} does not exist`);
  const items = parseItems(session.metadata?.items);
  const paymentIntentId = idOf(session.payment_intent);
  await lockPayment(tx, brandId, contract.orderRef, paymentIntentId);
  const totals = session.total_details;
  const customer = session.customer_details;
  const { order, created } = await completeCheckout(tx, {
    checkoutRef: contract.orderRef,
    checkoutSessionId: session.id,
    paymentIntentId,
    currency: session.currency ?? '',
    amounts: {
      subtotal: session.amount_subtotal ?? 0,
      discount: totals?.amount_discount ?? 0,
      shipping: totals?.amount_shipping ?? 0,
      tax: totals?.amount_tax ?? 0,
      total: session.amount_total ?? 0,
    },
    customer: {
      email: customer?.email ?? session.customer_email ?? null,
      name: customer?.name ?? null,
      phone: customer?.phone ?? null,
    },
    shippingAddress: toAddress(session.collected_information?.shipping_details),
    items,
    paid: session.payment_status === 'paid' || session.payment_status === 'no_payment_required',
  });
  const early = await applyPending(tx, order, brandId, contract.orderRef, paymentIntentId);
  const what = created ? `Created order ${order.number}` : `Order ${order.number} already existed`;
  return processed(`${what} (${order.paymentStatus})${early ? `; applied ${early}` : ''}`);
}

/** Applies (then forgets) payment results and refunds that arrived before the order existed. */
async function applyPending(
  tx: RequestContext,
  order: Order,
  brandId: string,
  orderRef: string,
  paymentIntentId: string | null,
): Promise<string | null> {
  const rows = await sql<{ id: string; payment_intent_id: string; result: PendingPaymentResult | null; refunded_amount: string; last_event_id: string }>(
    tx.em,
    `select id, payment_intent_id, result, refunded_amount, last_event_id from stripe_pending_payments
      where payment_intent_id = ? or (brand_id = ? and order_ref = ?)
      order by created_at for update`,
    [paymentIntentId ?? '', brandId, orderRef],
  );
  const applied: string[] = [];
  for (const row of rows) {
    const as = tx.withActor(stripeActor(row.last_event_id));
    if (!row.payment_intent_id.startsWith('ref:')) order.stripePaymentIntentId ??= row.payment_intent_id;
    if (row.result) {
      const note = `Payment ${row.result === 'SUCCEEDED' ? 'succeeded' : 'failed'} (reported before the checkout completed)`;
      if (applyPaymentResult(as, order, row.result, note)) applied.push(`an early payment ${row.result.toLowerCase()}`);
    }
    const refunded = Number(row.refunded_amount);
    if (refunded > 0) {
      applyRefund(as, order, refunded, `Refunded ${formatMoney(refunded, order.currency)} in total (reported before the checkout completed)`);
      applied.push('an early refund');
    }
    await sql(tx.em, 'delete from stripe_pending_payments where id = ?', [row.id]);
  }
  return applied.length ? applied.join(', ') : null;
}

async function upsertPending(
  tx: RequestContext,
  data: { key: string; brandId: string | null; orderRef: string | null; result: PendingPaymentResult | null; refunded: number; eventId: string },
) {
  await sql(
    tx.em,
    `insert into stripe_pending_payments (id, created_at, updated_at, payment_intent_id, brand_id, order_ref, result,
        refunded_amount, last_event_id)
     values (?, now(), now(), ?, ?, ?, ?, ?, ?)
     on conflict (payment_intent_id) do update set
        brand_id = coalesce(stripe_pending_payments.brand_id, excluded.brand_id),
        order_ref = coalesce(stripe_pending_payments.order_ref, excluded.order_ref),
        result = case when 'SUCCEEDED' in (stripe_pending_payments.result, excluded.result) then 'SUCCEEDED'
                      else coalesce(excluded.result, stripe_pending_payments.result) end,
        refunded_amount = greatest(stripe_pending_payments.refunded_amount, excluded.refunded_amount),
        last_event_id = excluded.last_event_id,
        updated_at = now()`,
    [uuidv7(), data.key, data.brandId, data.orderRef, data.result, data.refunded, data.eventId],
  );
}

async function applyPayment(
  tx: RequestContext,
  brandId: string,
  orderRef: string,
  paymentIntentId: string | null,
  result: PendingPaymentResult,
  eventId: string,
  note: string,
): Promise<Handled> {
  await lockPayment(tx, brandId, orderRef, paymentIntentId);
  const order = await findOrderForPayment(tx, { checkoutRef: orderRef, paymentIntentId });
  if (order) {
    order.stripePaymentIntentId ??= paymentIntentId;
    const changed = applyPaymentResult(tx, order, result, note);
    return processed(changed ? `Order ${order.number} → ${order.paymentStatus}` : `Order ${order.number} stays ${order.paymentStatus}`);
  }
  await upsertPending(tx, {
    key: paymentIntentId ?? `ref:${brandId}:${orderRef}`,
    brandId,
    orderRef,
    result,
    refunded: 0,
    eventId,
  });
  return processed(`No order for ${orderRef} yet: payment ${result === 'SUCCEEDED' ? 'success' : 'failure'} kept for it`);
}

function onSessionPayment(
  tx: RequestContext,
  session: Stripe.Checkout.Session,
  brandId: string | null,
  result: PendingPaymentResult,
  eventId: string,
): Promise<Handled> {
  const contract = readContract(session.metadata, session.client_reference_id);
  if (!contract.ours) return Promise.resolve(ignored(contract.reason));
  if (!brandId) return Promise.resolve(ignored(`brand ${contract.brandId} does not exist`));
  const note = result === 'SUCCEEDED' ? 'Delayed payment succeeded' : 'Delayed payment failed';
  return applyPayment(tx, brandId, contract.orderRef, idOf(session.payment_intent), result, eventId, note);
}

function onPaymentIntent(
  tx: RequestContext,
  intent: Stripe.PaymentIntent,
  brandId: string | null,
  result: PendingPaymentResult,
  eventId: string,
): Promise<Handled> {
  const contract = readContract(intent.metadata);
  if (!contract.ours) return Promise.resolve(ignored(contract.reason));
  if (!brandId) return Promise.resolve(ignored(`brand ${contract.brandId} does not exist`));
  const failure = intent.last_payment_error?.message ?? intent.last_payment_error?.code;
  const note = result === 'SUCCEEDED' ? 'Payment succeeded' : `Payment failed${failure ? `: ${failure}` : ''}`;
  return applyPayment(tx, brandId, contract.orderRef, intent.id, result, eventId, note);
}

async function onChargeRefunded(
  tx: RequestContext,
  charge: Stripe.Charge,
  brandId: string | null,
  eventId: string,
): Promise<Handled> {
  const paymentIntentId = idOf(charge.payment_intent);
  if (!paymentIntentId) return ignored('the charge has no PaymentIntent');
  if (charge.metadata?.app && charge.metadata.app !== CHECKOUT_APP) return ignored(`metadata.app is not "${CHECKOUT_APP}"`);
  const refunded = charge.amount_refunded;
  await lockPayment(tx, null, null, paymentIntentId);
  if (!brandId) {
    // The order may have been committed while this event waited for the lock: resolve the brand again.
    if (await brandOfPaymentIntent(tx.em, paymentIntentId)) throw new BrandResolvedLate();
    await upsertPending(tx, { key: paymentIntentId, brandId: null, orderRef: null, result: 'SUCCEEDED', refunded, eventId });
    return processed(`No order for ${paymentIntentId} yet: refund kept for it`);
  }
  const order = await findOrderForPayment(tx, { paymentIntentId });
  if (!order) {
    const orderRef = charge.metadata?.order_ref ?? null;
    await upsertPending(tx, { key: paymentIntentId, brandId, orderRef, result: 'SUCCEEDED', refunded, eventId });
    return processed(`No order for ${paymentIntentId} yet: refund kept for it`);
  }
  // A refunded charge was paid: a refund that overtakes its payment's success event first records the payment.
  applyPaymentResult(tx, order, 'SUCCEEDED', 'Payment succeeded (seen through its refund)');
  const before = order.refundedTotal;
  applyRefund(tx, order, refunded, `Refunded ${formatMoney(refunded, order.currency)} in total`);
  return processed(
    order.refundedTotal === before
      ? `Order ${order.number}: refund of ${refunded} already recorded (${before} in total)`
      : `Order ${order.number} → ${order.paymentStatus} (${order.refundedTotal} refunded)`,
  );
}

async function onSubscription(
  tx: RequestContext,
  subscription: Stripe.Subscription,
  brandId: string | null,
  event: Stripe.Event,
): Promise<Handled> {
  const metadata = subscription.metadata ?? {};
  if (metadata.app && metadata.app !== CHECKOUT_APP) return ignored(`metadata.app is not "${CHECKOUT_APP}"`);
  if (!isUuid(metadata.brand_id)) return ignored('the subscription has no metadata.brand_id');
  if (!brandId) return ignored(`brand ${metadata.brand_id} does not exist`);
  const item = subscription.items?.data?.[0];
  const date = (seconds: number | null | undefined) => (seconds ? new Date(seconds * 1000) : null);
  const rows = await sql(
    tx.em,
    `insert into brand_subscriptions (id, created_at, updated_at, brand_id, stripe_subscription_id, stripe_customer_id,
        status, plan, current_period_end, cancel_at_period_end, canceled_at, ended_at, last_event_created, last_event_id)
     values (?, now(), now(), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
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
      brandId,
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
  return processed(`Subscription ${subscription.id} → ${subscription.status}${item?.price?.lookup_key ? ` (${item.price.lookup_key})` : ''}`);
}

