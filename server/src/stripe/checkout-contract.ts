import { badInput } from '../errors';
import { isUuid } from '../shared/ids';
import { MAX_LINES, MAX_QUANTITY } from '../orders/order.validation';

/**
 * The checkout metadata contract (schema_version 1), shared by the side that builds Checkout Sessions
 * (checkout.service.ts) and the side that reads Stripe's events (event-delivery.ts and events/):
 *
 * - on the Checkout Session's `metadata` and on `payment_intent_data.metadata` (Stripe does not copy the session's
 *   metadata to the PaymentIntent): `app=orders`, `schema_version=1`, `brand_id`, `order_ref`;
 * - on the session only: `items=<product id>:<qty>,…` and optionally `customer_ref=<our user id>`;
 * - `client_reference_id` carries the same `order_ref`.
 * Objects whose `app` is not ours are acknowledged and ignored.
 */
export const CHECKOUT_APP = 'orders';
export const CHECKOUT_SCHEMA_VERSION = '1';

/** Stripe metadata values hold at most 500 characters. */
export const METADATA_VALUE_MAX = 500;
const ORDER_REF_RE = /^[A-Za-z0-9_-]{1,100}$/;

export interface CheckoutLine {
  productId: string;
  quantity: number;
}

export function isOrderRef(value: string): boolean {
  return ORDER_REF_RE.test(value);
}

export function formatItems(items: CheckoutLine[]): string {
  const text = items.map((i) => `${i.productId}:${i.quantity}`).join(',');
  if (text.length > METADATA_VALUE_MAX) {
    throw badInput('input.items', `too many lines for one checkout (the items list must fit in ${METADATA_VALUE_MAX} characters)`);
  }
  return text;
}

/** Parses `metadata.items`; a malformed list is BAD_USER_INPUT naming `metadata.items`. */
export function parseItems(text: string | undefined | null): CheckoutLine[] {
  if (!text) throw badInput('metadata.items', 'is missing');
  const parts = text.split(',');
  if (parts.length > MAX_LINES) throw badInput('metadata.items', `has more than ${MAX_LINES} lines`);
  return parts.map((part) => {
    const match = part.trim().match(/^([0-9a-f-]{36}):(\d{1,6})$/i);
    const quantity = match ? Number(match[2]) : NaN;
    if (!match || !isUuid(match[1]) || quantity < 1 || quantity > MAX_QUANTITY) {
      throw badInput('metadata.items', `"${part}" is not <product id>:<quantity>`);
    }
    return { productId: match[1].toLowerCase(), quantity };
  });
}

export function buildCheckoutMetadata(data: {
  brandId: string;
  orderRef: string;
  items: CheckoutLine[];
  customerRef?: string | null;
}): { session: Record<string, string>; paymentIntent: Record<string, string> } {
  const paymentIntent = {
    app: CHECKOUT_APP,
    schema_version: CHECKOUT_SCHEMA_VERSION,
    brand_id: data.brandId,
    order_ref: data.orderRef,
  };
  const session: Record<string, string> = { ...paymentIntent, items: formatItems(data.items) };
  if (data.customerRef) session.customer_ref = data.customerRef;
  return { session, paymentIntent };
}

export type ContractCheck =
  | { ours: true; brandId: string; orderRef: string }
  | { ours: false; reason: string };

/** Whether an object's metadata is ours (contract v1) and, if so, its brand and order reference. */
export function readContract(
  metadata: Record<string, string> | null | undefined,
  clientReferenceId?: string | null,
): ContractCheck {
  if (metadata?.app !== CHECKOUT_APP) return { ours: false, reason: `metadata.app is not "${CHECKOUT_APP}"` };
  if (metadata.schema_version !== CHECKOUT_SCHEMA_VERSION) {
    return { ours: false, reason: `unsupported metadata.schema_version ${JSON.stringify(metadata.schema_version ?? null)}` };
  }
  const brandId = metadata.brand_id;
  if (!isUuid(brandId)) return { ours: false, reason: 'metadata.brand_id is missing or not an id' };
  const orderRef = metadata.order_ref || clientReferenceId || '';
  if (!isOrderRef(orderRef)) return { ours: false, reason: 'metadata.order_ref is missing or malformed' };
  return { ours: true, brandId: brandId.toLowerCase(), orderRef };
}
