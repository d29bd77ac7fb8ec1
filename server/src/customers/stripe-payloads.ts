import type { RequestContext } from '../shared/request-context';
import { pgArray, scopedSql } from '../shared/sql';
import { ERASED_TEXT, type Pseudonymiser } from './personal-text';

/**
 * The brand's stored Stripe events (kept for replays and the webhook log) that concern one customer: those whose
 * payload holds the email anywhere, and those about the customer's orders (their Checkout Session or PaymentIntent),
 * which may carry a name, phone or address without the email. Events Stripe sent before any brand was known
 * (brand_id null) belong to no brand's customer and are not searched.
 */
export interface StoredStripeEvent {
  id: string;
  eventId: string;
  type: string;
  receivedAt: Date;
  payload: Record<string, any>;
  reason: string | null;
  error: string | null;
}

export async function findCustomerStripeEvents(
  ctx: RequestContext,
  email: string,
  orderIds: string[],
  options: { forUpdate: boolean },
): Promise<StoredStripeEvent[]> {
  const rows = await scopedSql(
    ctx,
    `with stripe_ids as (
       select unnest(array[stripe_payment_intent_id, stripe_checkout_session_id]) as id
         from orders where brand_id = ? and id = any(?::uuid[])
     )
     select e.id, e.event_id, e.type, e.received_at, e.payload, e.reason, e.error from stripe_events e
      where e.brand_id = ?
        and (position(? in lower(e.payload::text)) > 0
             or e.payload -> 'data' -> 'object' ->> 'id' in (select id from stripe_ids)
             or e.payload -> 'data' -> 'object' ->> 'payment_intent' in (select id from stripe_ids))
      order by e.received_at, e.id${options.forUpdate ? ' for update of e' : ''}`,
    [pgArray(orderIds), ctx.brandId, email],
  );
  return rows.map((r) => ({
    id: r.id,
    eventId: r.event_id,
    type: r.type,
    receivedAt: new Date(r.received_at),
    payload: typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload,
    reason: r.reason,
    error: r.error,
  }));
}

/** Objects of Stripe's API that describe a person: their email, name and phone go, their address keeps its country. */
const PERSON_OBJECTS = new Set(['customer_details', 'billing_details', 'shipping', 'shipping_details']);
const TOP_LEVEL_EMAILS = new Set(['receipt_email', 'customer_email', 'email']);

/** The payload with the person's fields replaced wherever Stripe puts them, and every other string scrubbed. */
export function pseudonymisePayload(payload: unknown, pseudonymiser: Pseudonymiser, pseudonym: string): unknown {
  const walk = (value: unknown, key: string | null): unknown => {
    if (typeof value === 'string') return TOP_LEVEL_EMAILS.has(key ?? '') ? pseudonym : pseudonymiser.text(value);
    if (Array.isArray(value)) return value.map((v) => walk(v, null));
    if (!value || typeof value !== 'object') return value;
    const object = value as Record<string, unknown>;
    if (key !== null && PERSON_OBJECTS.has(key)) return erasePerson(object, pseudonymiser, pseudonym);
    return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, walk(v, k)]));
  };
  return walk(payload, null);
}

function erasePerson(person: Record<string, unknown>, pseudonymiser: Pseudonymiser, pseudonym: string) {
  const erased: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(person)) {
    if (value === null || value === undefined) erased[key] = value;
    else if (key === 'email') erased[key] = pseudonym;
    else if (key === 'address' && typeof value === 'object') erased[key] = eraseAddress(value as Record<string, unknown>);
    else if (['name', 'phone', 'individual_name', 'business_name'].includes(key)) erased[key] = ERASED_TEXT;
    else erased[key] = pseudonymiser.json(value);
  }
  return erased;
}

function eraseAddress(address: Record<string, unknown>) {
  const erased: Record<string, unknown> = { ...address };
  for (const key of ['line1', 'line2', 'city', 'postal_code', 'state']) if (erased[key]) erased[key] = ERASED_TEXT;
  return erased;
}

/** Rewrites the events' payloads (and the texts shown beside them) in place; returns how many changed. */
export async function eraseStripeEvents(
  tx: RequestContext,
  events: StoredStripeEvent[],
  pseudonymiser: Pseudonymiser,
  pseudonym: string,
): Promise<number> {
  let changed = 0;
  for (const event of events) {
    const payload = pseudonymisePayload(event.payload, pseudonymiser, pseudonym);
    const reason = event.reason === null ? null : pseudonymiser.text(event.reason);
    const error = event.error === null ? null : pseudonymiser.text(event.error);
    if (JSON.stringify(payload) === JSON.stringify(event.payload) && reason === event.reason && error === event.error) continue;
    await scopedSql(
      tx,
      `with target as (select id from stripe_events where brand_id = ? and id = ?)
       update stripe_events e set payload = ?::jsonb, reason = ?, error = ? from target where e.id = target.id`,
      [event.id, JSON.stringify(payload), reason, error],
    );
    changed++;
  }
  return changed;
}
