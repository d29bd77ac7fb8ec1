import { randomBytes } from 'node:crypto';
import type Stripe from 'stripe';
import { z } from 'zod';
import StripeSdk from 'stripe';
import { badInput, DomainError } from '../errors';
import { priceLines } from '../orders/order.service';
import { MAX_LINES, MAX_QUANTITY } from '../orders/order.validation';
import type { RequestContext } from '../shared/request-context';
import { insufficientStock } from '../products/stock.service';
import { scopedSql } from '../shared/sql';
import { parseInput } from '../shared/validation';
import { buildCheckoutMetadata, isOrderRef } from './checkout-contract';

/**
 * Our storefront's way into Stripe Checkout: a Checkout Session priced from our catalog (stock checked, nothing
 * reserved yet) that carries exactly the metadata contract the webhook route consumes (see checkout-contract.ts).
 * The order itself is created by `checkout.session.completed`.
 */
const CheckoutSessionSchema = z.object({
  items: z
    .array(
      z.object({
        productId: z.string(),
        quantity: z.number().int('must be a whole number').min(1, 'must be at least 1').max(MAX_QUANTITY),
      }),
    )
    .min(1, 'a checkout needs at least one item')
    .max(MAX_LINES),
  successUrl: z.url('must be an absolute URL'),
  cancelUrl: z.url('must be an absolute URL'),
  customerEmail: z.string().trim().toLowerCase().pipe(z.email('must be a valid email address')).nullish(),
  customerRef: z.string().trim().max(100).nullish(),
  orderRef: z
    .string()
    .trim()
    .refine(isOrderRef, 'must be 1 to 100 letters, digits, dashes or underscores')
    .nullish(),
  shippingCountries: z
    .array(z.string().trim().toUpperCase().regex(/^[A-Z]{2}$/, 'must be two-letter ISO country codes'))
    .max(200)
    .nullish(),
});
export type CheckoutSessionData = z.input<typeof CheckoutSessionSchema>;

export interface CheckoutSessionResult {
  id: string;
  url: string | null;
  orderRef: string;
  expiresAt: Date;
}

/** Stripe tax rates are objects; one per (client, rate, inclusive) is created once and reused. */
const taxRateCache = new WeakMap<Stripe, Map<string, Promise<string>>>();

function taxRateId(stripe: Stripe, bps: number, inclusive: boolean): Promise<string> {
  let cache = taxRateCache.get(stripe);
  if (!cache) taxRateCache.set(stripe, (cache = new Map()));
  const key = `${bps}:${inclusive}`;
  let id = cache.get(key);
  if (!id) {
    id = stripe.taxRates
      .create({ display_name: 'Tax', percentage: bps / 100, inclusive })
      .then((rate) => rate.id);
    id.catch(() => cache!.delete(key));
    cache.set(key, id);
  }
  return id;
}

/** Our input field behind a Stripe request parameter, e.g. `shipping_address_collection[allowed_countries][3]`. */
function fieldOfStripeParam(param: string | undefined): string {
  const index = (param?.match(/\[(\d+)\]/) ?? [])[1];
  const at = (field: string) => (index === undefined ? field : `${field}.${index}`);
  if (!param) return 'input';
  if (param.startsWith('shipping_address_collection')) return at('input.shippingCountries');
  if (param.startsWith('line_items')) return at('input.items');
  if (param.startsWith('customer_email')) return 'input.customerEmail';
  if (param.startsWith('success_url')) return 'input.successUrl';
  if (param.startsWith('cancel_url')) return 'input.cancelUrl';
  return 'input';
}

/**
 * Stripe's refusal as our error: input Stripe refuses (a country it does not ship to, a URL it rejects) is
 * BAD_USER_INPUT naming our field; any other Stripe failure (unreachable, rate-limited, a wrong key) is
 * PAYMENT_PROVIDER_ERROR. Anything else is ours and stays unexpected.
 */
function stripeFailure(error: unknown): never {
  if (error instanceof StripeSdk.errors.StripeInvalidRequestError) {
    throw badInput(fieldOfStripeParam(error.param), `Stripe refused it: ${error.message}`);
  }
  if (error instanceof StripeSdk.errors.StripeError) {
    throw new DomainError('PAYMENT_PROVIDER_ERROR', 'Stripe could not create the Checkout Session; try again later', {
      stripeError: error.type,
    });
  }
  throw error;
}

export async function createCheckoutSession(
  ctx: RequestContext,
  stripe: Stripe | null,
  data: CheckoutSessionData,
): Promise<CheckoutSessionResult> {
  if (!stripe) throw new DomainError('NOT_CONFIGURED', 'Stripe Checkout is not configured on this server (STRIPE_SECRET_KEY)');
  const input = parseInput(CheckoutSessionSchema, data, 'input');
  const { brand, products, priced } = await priceLines(ctx, input.items);

  const wanted = new Map<string, number>();
  input.items.forEach((item, i) => wanted.set(products[i].id, (wanted.get(products[i].id) ?? 0) + item.quantity));
  for (const product of products) {
    const quantity = wanted.get(product.id)!;
    if (product.stock < quantity) {
      throw insufficientStock(product.id, product, quantity);
    }
  }

  const orderRef = input.orderRef ?? `co_${randomBytes(12).toString('hex')}`;
  const used = await scopedSql(ctx, 'select 1 from orders where brand_id = ? and checkout_ref = ?', [orderRef]);
  if (used.length) throw badInput('input.orderRef', 'an order with this reference already exists');

  const currency = brand.currency.toLowerCase();
  const taxRates = brand.taxRateBps > 0
    ? [await taxRateId(stripe, brand.taxRateBps, brand.taxInclusive).catch(stripeFailure)]
    : undefined;
  const metadata = buildCheckoutMetadata({
    brandId: brand.id,
    orderRef,
    items: products.map((p, i) => ({ productId: p.id, quantity: input.items[i].quantity })),
    customerRef: input.customerRef,
  });
  const session = await stripe.checkout.sessions.create(
    {
      mode: 'payment',
      client_reference_id: orderRef,
      metadata: metadata.session,
      payment_intent_data: { metadata: metadata.paymentIntent },
      line_items: products.map((product, i) => ({
        quantity: input.items[i].quantity,
        tax_rates: taxRates,
        price_data: {
          currency,
          unit_amount: product.price,
          product_data: { name: product.name, metadata: { product_id: product.id, sku: product.sku } },
        },
      })),
      shipping_options:
        priced.shippingTotal > 0
          ? [
              {
                shipping_rate_data: {
                  type: 'fixed_amount',
                  display_name: 'Shipping',
                  fixed_amount: { amount: priced.shippingTotal, currency },
                },
              },
            ]
          : undefined,
      shipping_address_collection: input.shippingCountries?.length
        ? { allowed_countries: input.shippingCountries as Stripe.Checkout.SessionCreateParams.ShippingAddressCollection.AllowedCountry[] }
        : undefined,
      customer_email: input.customerEmail ?? undefined,
      success_url: input.successUrl,
      cancel_url: input.cancelUrl,
    },
    // A retried mutation for the same reference gets the same session back instead of a second one.
    { idempotencyKey: `checkout:${brand.id}:${orderRef}` },
  ).catch(stripeFailure);
  return { id: session.id, url: session.url, orderRef, expiresAt: new Date(session.expires_at * 1000) };
}
