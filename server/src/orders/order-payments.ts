import { LockMode } from '@mikro-orm/core';
import { v7 as uuidv7 } from 'uuid';
import { Brand } from '../brands/brand.entity';
import { badInput, orNotFound } from '../errors';
import { Product } from '../products/product.entity';
import { reserveStock } from '../products/stock.service';
import { isCurrency, type CurrencyCode } from '../shared/money';
import type { RequestContext } from '../shared/request-context';
import { changePaymentStatus, recordChange } from './order-history';
import { paymentStatusForRefund } from './order-lifecycle';
import { insertOrder, lockOrder } from './order-writes';
import { Order, type AddressData } from './order.entity';
import { findOrderById, type OrderRecord } from './order.queries';
import { allocate } from './pricing';

/**
 * The payment rules: how a completed checkout becomes an order, and how payment results and refunds reported by a
 * payment provider (Stripe, through stripe/) move an order's payment status. Each runs in the caller's transaction on a
 * locked order, and each is idempotent, because providers deliver late, twice and out of order.
 */
/**
 * Records a refund made outside Stripe (a bank transfer back to the customer). No API mutation exposes it yet; the demo
 * seed and the tests use it to reach refunded states. `cumulativeRefunded` is the total refunded so far.
 */
export async function recordRefund(
  ctx: RequestContext,
  id: string,
  cumulativeRefunded: number,
  note?: string | null,
): Promise<OrderRecord> {
  await ctx.transaction(async (tx) => {
    const order = await lockOrder(tx, id);
    applyRefund(tx, order, cumulativeRefunded, note);
  });
  return orNotFound(findOrderById(ctx, id), 'Order');
}

/**
 * The refund rule on a locked order. `cumulativeRefunded` is the total refunded so far (as Stripe reports it), so
 * replays and out-of-order deliveries converge: the stored amount only ever grows to the maximum seen.
 */
export function applyRefund(tx: RequestContext, order: Order, cumulativeRefunded: number, note?: string | null) {
  if (!Number.isSafeInteger(cumulativeRefunded) || cumulativeRefunded < 0) {
    throw badInput('amount', 'must be a non-negative whole amount');
  }
  if (cumulativeRefunded > order.total) throw badInput('amount', 'cannot exceed the order total');
  if (cumulativeRefunded <= order.refundedTotal) return;
  order.refundedTotal = cumulativeRefunded;
  const to = paymentStatusForRefund(cumulativeRefunded, order.total);
  if (to !== order.paymentStatus) changePaymentStatus(tx.em, tx.actor, order, to, note ?? null);
  else recordChange(tx.em, tx.actor, order, 'NOTE', { note: note ?? `Refunded ${cumulativeRefunded} in total` });
}

/** What a completed checkout tells us, in the domain's words (the Stripe route maps Stripe's session to this). */
export interface CheckoutCompletion {
  checkoutRef: string;
  checkoutSessionId: string;
  paymentIntentId: string | null;
  /** ISO code as charged, any case. */
  currency: string;
  /** What was charged, in minor units. */
  amounts: { subtotal: number; discount: number; shipping: number; tax: number; total: number };
  customer: { email: string | null; name: string | null; phone: string | null };
  shippingAddress: AddressData | null;
  items: { productId: string; quantity: number }[];
  /** The money is in (card) rather than still on its way (SEPA and other delayed methods). */
  paid: boolean;
}

/** An order found for a payment, locked until the transaction ends; null when it does not exist (yet). */
export async function findOrderForPayment(
  tx: RequestContext,
  keys: { checkoutRef?: string | null; paymentIntentId?: string | null },
): Promise<Order | null> {
  const or: Record<string, string>[] = [];
  if (keys.checkoutRef) or.push({ checkoutRef: keys.checkoutRef });
  if (keys.paymentIntentId) or.push({ stripePaymentIntentId: keys.paymentIntentId });
  if (or.length === 0) return null;
  return tx.em.findOne(Order, { $or: or }, { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { createdAt: 'asc' } });
}

/**
 * A completed checkout becomes exactly one order (`checkoutRef` is unique per brand; callers serialize completions of
 * one reference). Totals are what was charged; lines are snapshotted from the catalog and carry the charged discount
 * and tax by the same largest-remainder allocation as pricing.ts. The customer has paid or committed to pay, so stock
 * never rejects it: an oversell is recorded, flagged in `attention` and noted in the timeline. Runs in the caller's
 * transaction; returns the existing order when the reference was already completed.
 */
export async function completeCheckout(
  tx: RequestContext,
  data: CheckoutCompletion,
): Promise<{ order: Order; created: boolean }> {
  const existing = await findOrderForPayment(tx, { checkoutRef: data.checkoutRef });
  if (existing) {
    existing.stripeCheckoutSessionId ??= data.checkoutSessionId;
    existing.stripePaymentIntentId ??= data.paymentIntentId;
    if (data.paid) applyPaymentResult(tx, existing, 'SUCCEEDED', 'Paid through Stripe Checkout');
    return { order: existing, created: false };
  }

  const currency = data.currency.toUpperCase();
  if (!isCurrency(currency)) throw badInput('currency', `${data.currency} is not a supported currency`);
  const { subtotal, discount, shipping, tax, total } = data.amounts;
  for (const [field, value] of Object.entries(data.amounts)) {
    if (!Number.isSafeInteger(value) || value < 0) throw badInput(`amounts.${field}`, 'must be a non-negative whole amount');
  }
  if (discount > subtotal) throw badInput('amounts.discount', 'cannot exceed the subtotal');

  const brand = await tx.em.findOneOrFail(Brand, tx.brandId);
  const notes: string[] = [];
  const ids = [...new Set(data.items.map((i) => i.productId))];
  const found = await tx.em.find(Product, { id: { $in: ids } });
  const byId = new Map(found.map((p) => [p.id, p]));
  const known = data.items.filter((item) => {
    if (byId.has(item.productId)) return true;
    notes.push(`Product ${item.productId} (${item.quantity}×) is not in the catalog; its line is missing`);
    return false;
  });

  // Exclusive tax is added on top of the goods; inclusive tax is contained in them.
  const exclusive = subtotal - discount + shipping + tax === total;
  const catalogSubtotals = known.map((item) => BigInt(byId.get(item.productId)!.price) * BigInt(item.quantity));
  const catalogSum = catalogSubtotals.reduce((a, b) => a + b, 0n);
  if (catalogSum !== BigInt(subtotal)) {
    notes.push(`Stripe charged a subtotal of ${subtotal}; the catalog prices these lines at ${catalogSum}`);
  }
  const lineSubtotals = allocate(BigInt(subtotal), catalogSubtotals);
  const lineDiscounts = allocate(BigInt(discount), lineSubtotals);
  const lineBases = lineSubtotals.map((s, i) => s - lineDiscounts[i]);
  const lineTaxes = allocate(BigInt(tax), lineBases);

  const id = uuidv7();
  const { oversold } = await reserveStock(
    { em: tx.em, brandId: tx.brandId, actor: tx.actor },
    known.map((item) => ({ productId: item.productId, quantity: item.quantity })),
    id,
    { allowOversell: true },
  );
  const order = await insertOrder(tx, {
    id,
    brand,
    currency: currency as CurrencyCode,
    totals: { subtotal, discountTotal: discount, shippingTotal: shipping, taxTotal: tax, total },
    discountCode: null,
    customer: { email: data.customer.email ?? 'unknown@checkout.invalid', name: data.customer.name, phone: data.customer.phone },
    shippingAddress: data.shippingAddress,
    source: 'STRIPE_CHECKOUT',
    checkoutRef: data.checkoutRef,
    stripeCheckoutSessionId: data.checkoutSessionId,
    stripePaymentIntentId: data.paymentIntentId,
    lines: known.map((item, i) => ({
      product: byId.get(item.productId)!,
      unitPrice: byId.get(item.productId)!.price,
      quantity: item.quantity,
      discount: Number(lineDiscounts[i]),
      tax: Number(lineTaxes[i]),
      total: Number(lineBases[i] + (exclusive ? lineTaxes[i] : 0n)),
    })),
  });
  if (!data.customer.email) notes.push('Stripe sent no customer email');
  if (oversold.length) {
    const detail = oversold.map((o) => `${o.sku}: ${o.requested} sold, ${o.available} in stock`).join('; ');
    order.attention = `Oversold: ${detail}`;
    recordChange(tx.em, tx.actor, order, 'NOTE', { note: `Paid order oversold stock (${detail})` });
  }
  if (notes.length) {
    order.attention = [order.attention, ...notes].filter(Boolean).join(' · ');
    for (const note of notes) recordChange(tx.em, tx.actor, order, 'NOTE', { note });
  }
  if (data.paid) applyPaymentResult(tx, order, 'SUCCEEDED', 'Paid through Stripe Checkout');
  return { order, created: true };
}

/**
 * A payment provider's verdict on a locked order, applied at most once: a success moves an unpaid order to PAID and is
 * final (a late failure of an earlier attempt never undoes it); a failure only moves an order that is still awaiting
 * payment. Money received for a cancelled order is not lost: it is flagged for a human. Returns whether anything changed.
 */
export function applyPaymentResult(
  tx: RequestContext,
  order: Order,
  result: 'SUCCEEDED' | 'FAILED',
  note: string | null = null,
): boolean {
  if (result === 'SUCCEEDED') {
    if (order.paymentStatus !== 'AWAITING_PAYMENT' && order.paymentStatus !== 'PAYMENT_FAILED') return false;
    if (order.status === 'CANCELLED') {
      if (order.attention?.includes('Payment received for a cancelled order')) return false;
      order.attention = [order.attention, 'Payment received for a cancelled order: refund or reinstate it']
        .filter(Boolean)
        .join(' · ');
      recordChange(tx.em, tx.actor, order, 'NOTE', { note: 'Payment received after the order was cancelled' });
      return true;
    }
    changePaymentStatus(tx.em, tx.actor, order, 'PAID', note);
    return true;
  }
  if (order.paymentStatus !== 'AWAITING_PAYMENT') return false;
  changePaymentStatus(tx.em, tx.actor, order, 'PAYMENT_FAILED', note);
  return true;
}
