import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';

/**
 * Real Stripe event payloads for API version 2026-10-28.endive, signed with the `stripe` package's own test header
 * generator and POSTed over HTTP. Shapes follow the current API: shipping under `collected_information`, the period end
 * on the subscription item, `payment_intent_data.metadata` carrying the first four contract keys.
 */
export const API_VERSION = '2026-10-28.endive';
export const WEBHOOK_SECRET = `whsec_test_${randomBytes(16).toString('hex')}`;
/**
 * Tests read each delivery's outcome from its answer, so the answer waits for it however slow a shared test machine is;
 * the answer that says `queued` has its own test (stripe-event-inbox.test.ts).
 */
export const STRIPE_ENV = { STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET, STRIPE_ANSWER_WITHIN_MS: '10000' };

let counter = 0;
export const stripeId = (prefix: string) => `${prefix}_test_${randomBytes(8).toString('hex')}${(++counter).toString(36)}`;
const now = () => Math.floor(Date.now() / 1000);

export interface StripeEventPayload {
  id: string;
  object: 'event';
  type: string;
  created: number;
  api_version: string;
  data: { object: Record<string, any>; previous_attributes?: Record<string, any> };
  livemode: boolean;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
}

export function stripeEvent(type: string, object: Record<string, any>, options: { id?: string; created?: number } = {}): StripeEventPayload {
  return {
    id: options.id ?? stripeId('evt'),
    object: 'event',
    type,
    created: options.created ?? now(),
    api_version: API_VERSION,
    data: { object },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
  };
}

export function contractMetadata(brandId: string, orderRef: string) {
  return { app: 'orders', schema_version: '1', brand_id: brandId, order_ref: orderRef };
}

export interface CheckoutLine {
  productId: string;
  quantity: number;
  unitPrice: number;
}

export function checkoutSession(options: {
  brandId: string;
  orderRef: string;
  items: CheckoutLine[];
  paymentIntent?: string;
  paymentStatus?: 'paid' | 'unpaid' | 'no_payment_required';
  currency?: string;
  shipping?: number;
  tax?: number;
  taxInclusive?: boolean;
  discount?: number;
  email?: string;
  metadata?: Record<string, string>;
}): Record<string, any> {
  const subtotal = options.items.reduce((sum, l) => sum + l.unitPrice * l.quantity, 0);
  const discount = options.discount ?? 0;
  const shipping = options.shipping ?? 0;
  const tax = options.tax ?? 0;
  const total = subtotal - discount + shipping + (options.taxInclusive ? 0 : tax);
  const address = { city: 'Lyon', country: 'FR', line1: '12 rue de la République', line2: null, postal_code: '69002', state: null };
  return {
    id: stripeId('cs'),
    object: 'checkout.session',
    mode: 'payment',
    status: 'complete',
    payment_status: options.paymentStatus ?? 'paid',
    amount_subtotal: subtotal,
    amount_total: total,
    currency: options.currency ?? 'eur',
    client_reference_id: options.orderRef,
    created: now() - 60,
    expires_at: now() + 86_400,
    livemode: false,
    customer: null,
    customer_email: null,
    customer_creation: 'if_required',
    customer_details: {
      address,
      business_name: null,
      email: options.email ?? 'camille@example.com',
      individual_name: null,
      name: 'Camille Martin',
      phone: '+33 6 12 34 56 78',
      tax_exempt: 'none',
      tax_ids: [],
    },
    collected_information: {
      business_name: null,
      individual_name: null,
      shipping_details: { name: 'Camille Martin', address },
    },
    metadata: options.metadata ?? {
      ...contractMetadata(options.brandId, options.orderRef),
      items: options.items.map((l) => `${l.productId}:${l.quantity}`).join(','),
    },
    payment_intent: options.paymentIntent ?? stripeId('pi'),
    payment_method_types: ['card'],
    total_details: { amount_discount: discount, amount_shipping: shipping, amount_tax: tax },
    ui_mode: 'hosted_page',
    url: null,
  };
}

export function paymentIntent(options: {
  id: string;
  brandId: string;
  orderRef: string;
  amount: number;
  succeeded: boolean;
  metadata?: Record<string, string>;
}): Record<string, any> {
  return {
    id: options.id,
    object: 'payment_intent',
    amount: options.amount,
    amount_received: options.succeeded ? options.amount : 0,
    currency: 'eur',
    status: options.succeeded ? 'succeeded' : 'requires_payment_method',
    created: now() - 30,
    livemode: false,
    latest_charge: stripeId('ch'),
    last_payment_error: options.succeeded
      ? null
      : { code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.', type: 'card_error' },
    metadata: options.metadata ?? contractMetadata(options.brandId, options.orderRef),
    payment_method_types: ['card'],
  };
}

export function charge(options: { paymentIntent: string; amount: number; amountRefunded: number; metadata?: Record<string, string> }) {
  return {
    id: stripeId('ch'),
    object: 'charge',
    amount: options.amount,
    amount_captured: options.amount,
    amount_refunded: options.amountRefunded,
    captured: true,
    currency: 'eur',
    paid: true,
    refunded: options.amountRefunded >= options.amount,
    status: 'succeeded',
    payment_intent: options.paymentIntent,
    metadata: options.metadata ?? {},
    created: now() - 20,
    livemode: false,
  };
}

export function subscription(options: {
  id: string;
  brandId: string;
  status: string;
  lookupKey: string;
  periodEnd: number;
  cancelAtPeriodEnd?: boolean;
  canceledAt?: number | null;
  endedAt?: number | null;
}) {
  return {
    id: options.id,
    object: 'subscription',
    customer: 'cus_test_luneo',
    status: options.status,
    cancel_at_period_end: options.cancelAtPeriodEnd ?? false,
    canceled_at: options.canceledAt ?? null,
    ended_at: options.endedAt ?? null,
    created: now() - 1000,
    livemode: false,
    metadata: { brand_id: options.brandId },
    items: {
      object: 'list',
      data: [
        {
          id: stripeId('si'),
          object: 'subscription_item',
          current_period_start: options.periodEnd - 30 * 86_400,
          current_period_end: options.periodEnd,
          quantity: 1,
          price: { id: stripeId('price'), object: 'price', lookup_key: options.lookupKey, unit_amount: 4900, currency: 'eur' },
        },
      ],
      has_more: false,
      url: `/v1/subscription_items?subscription=${options.id}`,
    },
  };
}

export function signature(payload: string, options: { secret?: string; timestamp?: number } = {}): string {
  return Stripe.webhooks.generateTestHeaderString({
    payload,
    secret: options.secret ?? WEBHOOK_SECRET,
    timestamp: options.timestamp,
  });
}

export interface Delivery {
  status: number;
  body: any;
}

/** POSTs a body to /webhooks/stripe; signs it unless a header is given (null sends none). */
export async function deliver(
  baseUrl: string,
  event: StripeEventPayload | string,
  options: { header?: string | null; secret?: string; timestamp?: number } = {},
): Promise<Delivery> {
  const body = typeof event === 'string' ? event : JSON.stringify(event, null, 2);
  const header = options.header === undefined ? signature(body, options) : options.header;
  const res = await fetch(`${baseUrl}/webhooks/stripe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', ...(header === null ? {} : { 'stripe-signature': header }) },
    body,
  });
  const text = await res.text();
  let parsed: any = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: res.status, body: parsed };
}
