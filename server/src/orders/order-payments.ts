import { v7 as uuidv7 } from 'uuid';
import { audit, auditState } from '../audit/audit';
import { badInput, forbidden, orNotFound } from '../errors';
import type { Product } from '../products/product.entity';
import { formatMoney, isCurrency, type CurrencyCode } from '../shared/money';
import type { RequestContext } from '../shared/request-context';
import { pgArray, scopedSql, scopedStatement, type ScopedStatement } from '../shared/sql';
import { changePaymentStatus, recordChange } from './order-history';
import { PAID_PAYMENT_STATUSES, paymentStatusForRefund } from './order-lifecycle';
import { loadOrder, ORDER_NUMBER_MARK, orderChangeLogOf } from './order-change-log';
import { insertOrder, lockOrder, orderInsert, plannedOrderRow, type NewOrder } from './order-writes';
import { Order, type AddressData } from './order.entity';
import { findOrderById, type OrderRecord } from './order.queries';
import { allocate } from './pricing';
import { roleAtLeast } from '../users/user.entity';

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
  const before = auditState('ORDER', order);
  order.refundedTotal = cumulativeRefunded;
  const to = paymentStatusForRefund(cumulativeRefunded, order.total);
  if (to !== order.paymentStatus) changePaymentStatus(tx.em, tx.actor, order, to, note ?? null);
  else recordChange(tx.em, tx.actor, order, 'NOTE', { note: note ?? `Refunded ${cumulativeRefunded} in total` });
  audit(tx, { action: 'order.refund', targetType: 'ORDER', targetId: order.id, before, after: auditState('ORDER', order) });
}

/**
 * Flags an order for a person: `reason` is appended to `attention` and written to the timeline, once (replays and
 * redeliveries of the same disagreement add nothing). Returns whether the flag is new.
 */
export function flagAttention(tx: RequestContext, order: Order, reason: string, note: string = reason): boolean {
  if (order.attention?.includes(reason)) return false;
  const before = auditState('ORDER', order);
  order.attention = [order.attention, reason].filter(Boolean).join(' · ');
  recordChange(tx.em, tx.actor, order, 'NOTE', { note });
  audit(tx, { action: 'order.flag', targetType: 'ORDER', targetId: order.id, before, after: auditState('ORDER', order) });
  return true;
}

/**
 * A person marks an order paid (a bank transfer, cash). On an order from Stripe Checkout, Stripe reports the payment
 * itself, so only an ADMIN may override it — and a later disagreement from Stripe is flagged (applyPaymentResult).
 */
export function markPaidManually(tx: RequestContext, order: Order, note: string | null) {
  if (order.source === 'STRIPE_CHECKOUT' && !roleAtLeast(tx.role, 'ADMIN')) {
    throw forbidden(`Order ${order.number} is paid through Stripe, which reports its payment; only an ADMIN may mark it paid`);
  }
  changePaymentStatus(tx.em, tx.actor, order, 'PAID', note ?? 'Marked paid manually', 'MANUAL');
}

/** What the provider says moved, compared with the order's total so that a mismatch is flagged instead of passing. */
export interface ReportedAmount {
  amount: number | null | undefined;
  currency: string | null | undefined;
}

/** Flags a payment whose amount or currency is not the order's total; returns whether the flag is new. */
function flagAmountMismatch(tx: RequestContext, order: Order, reported: ReportedAmount): boolean {
  const currency = reported.currency?.toUpperCase() ?? null;
  if (reported.amount == null || currency == null) return false;
  if (reported.amount === order.total && currency === order.currency) return false;
  const paid = isCurrency(currency) ? formatMoney(reported.amount, currency) : `${reported.amount} ${currency}`;
  return flagAttention(
    tx,
    order,
    `Stripe received ${paid} but the order total is ${formatMoney(order.total, order.currency)}`,
    `Payment amount disagrees with the order: Stripe received ${paid}, the order total is ${formatMoney(order.total, order.currency)}`,
  );
}

/**
 * A refund the provider reports (cumulative, like applyRefund). Stripe's word is the truth of what left the account: more
 * than the order total is recorded as fully refunded and flagged for a person, never refused.
 */
export function applyReportedRefund(tx: RequestContext, order: Order, cumulativeRefunded: number, note: string) {
  if (cumulativeRefunded > order.total) {
    const refunded = formatMoney(cumulativeRefunded, order.currency);
    flagAttention(tx, order, `Stripe refunded ${refunded}, more than the order total of ${formatMoney(order.total, order.currency)}`);
  }
  applyRefund(tx, order, Math.min(cumulativeRefunded, order.total), note);
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

/**
 * An order found for a payment, locked until the transaction ends; null when it does not exist (yet). One hand-written
 * statement, its row loaded for the rules (loadOrder: into the transaction's order change log, else the unit of work): a
 * Stripe delivery runs this read on every payment event, where an ORM query's own work was a visible share of its CPU.
 */
export async function findOrderForPayment(
  tx: RequestContext,
  keys: PaymentKeys,
  /** The rows of orderForPaymentRead for the same keys when the caller already sent it, in this transaction. */
  read?: Record<string, any>[],
): Promise<Order | null> {
  const params = orderForPaymentParams(keys);
  const [row] = read ?? (params ? await scopedSql(tx, ORDER_FOR_PAYMENT, params) : []);
  return row ? loadOrder(tx, row) : null;
}

/**
 * findOrderForPayment's statement, not run, for a caller that sends it with one of its own: a Stripe delivery sends it
 * in its claim's message, after the claim (event-delivery.ts). Null without keys.
 */
export function orderForPaymentRead(scope: { brandId: string }, keys: PaymentKeys): ScopedStatement | null {
  const params = orderForPaymentParams(keys);
  return params ? scopedStatement(scope, ORDER_FOR_PAYMENT, params) : null;
}

type PaymentKeys = { checkoutRef?: string | null; paymentIntentId?: string | null };

const ORDER_FOR_PAYMENT = `select * from orders where brand_id = ? and (checkout_ref = ? or stripe_payment_intent_id = ?)
      order by created_at limit 1 for update`;

function orderForPaymentParams(keys: PaymentKeys): [string | null, string | null] | null {
  const checkoutRef = keys.checkoutRef ?? null;
  const paymentIntentId = keys.paymentIntentId ?? null;
  return checkoutRef || paymentIntentId ? [checkoutRef, paymentIntentId] : null;
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
  /** The rows of checkoutTargetsRead for the same checkout when the caller already sent it, in this transaction. */
  targets?: Record<string, any>[],
): Promise<{ order: Order; created: boolean }> {
  const { existingId, found } = readCheckoutTargets(targets ?? (await runStatement(tx, checkoutTargetsRead(tx, data))));
  const existing = existingId ? await findOrderForPayment(tx, { checkoutRef: data.checkoutRef }) : null;
  if (existing) {
    if (existing.stripeCheckoutSessionId && existing.stripeCheckoutSessionId !== data.checkoutSessionId) {
      flagAttention(
        tx,
        existing,
        `A second Checkout Session (${data.checkoutSessionId}) completed for reference ${data.checkoutRef}: check for a double payment`,
      );
    }
    existing.stripeCheckoutSessionId ??= data.checkoutSessionId;
    existing.stripePaymentIntentId ??= data.paymentIntentId;
    if (data.paid) {
      applyPaymentResult(tx, existing, 'SUCCEEDED', 'Paid through Stripe Checkout', {
        amount: data.amounts.total,
        currency: data.currency,
      });
    }
    return { order: existing, created: false };
  }

  const currency = data.currency.toUpperCase();
  if (!isCurrency(currency)) throw badInput('currency', `${data.currency} is not a supported currency`);
  const { subtotal, discount, shipping, tax, total } = data.amounts;
  for (const [field, value] of Object.entries(data.amounts)) {
    if (!Number.isSafeInteger(value) || value < 0) throw badInput(`amounts.${field}`, 'must be a non-negative whole amount');
  }
  if (discount > subtotal) throw badInput('amounts.discount', 'cannot exceed the subtotal');

  const notes: string[] = [];
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

  const newOrder: NewOrder = {
    id: uuidv7(),
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
  };
  if (!data.customer.email) notes.push('Stripe sent no customer email');
  const log = orderChangeLogOf(tx.em);
  let order: Order;
  if (log?.placesOrders && servedByStockAsRead(newOrder, byId)) {
    // Inserted by the transaction's last message (order-change-log.ts); the stock as read served the sale, so it is
    // inserted without oversell, and should the stock have gone meanwhile, that message fails and the delivery runs
    // again this other way. The rules below change the order as they change any order.
    const at = new Date();
    order = loadOrder(tx, plannedOrderRow(tx, newOrder, at, ORDER_NUMBER_MARK));
    noteOnOrder(tx, order, notes);
    log.place(order.id, orderInsert(tx, newOrder, { at, audit: auditState('ORDER', order) }).statement, tx);
  } else {
    const { row, taken } = await insertOrder(tx, newOrder, { allowOversell: true });
    order = loadOrder(tx, row);
    const oversold = taken
      .filter((t) => t.stockAfter < 0)
      .map((t) => ({ sku: byId.get(t.productId)!.sku, requested: t.quantity, available: Math.max(t.stockAfter + t.quantity, 0) }));
    if (oversold.length) {
      const detail = oversold.map((o) => `${o.sku}: ${o.requested} sold, ${o.available} in stock`).join('; ');
      order.attention = `Oversold: ${detail}`;
      recordChange(tx.em, tx.actor, order, 'NOTE', { note: `Paid order oversold stock (${detail})` });
    }
    noteOnOrder(tx, order, notes);
    audit(tx, { action: 'order.create', targetType: 'ORDER', targetId: order.id, before: null, after: auditState('ORDER', order) });
  }
  if (data.paid) applyPaymentResult(tx, order, 'SUCCEEDED', 'Paid through Stripe Checkout');
  return { order, created: true };
}

/** A new checkout order's notes: in `attention`, and each in the timeline. */
function noteOnOrder(tx: RequestContext, order: Order, notes: string[]) {
  if (notes.length === 0) return;
  order.attention = [order.attention, ...notes].filter(Boolean).join(' · ');
  for (const note of notes) recordChange(tx.em, tx.actor, order, 'NOTE', { note });
}

/** Whether the products' stock, as the checkout read it, serves every line (the quantities of a product summed). */
function servedByStockAsRead(order: NewOrder, products: Map<string, CheckoutProduct>): boolean {
  const wanted = new Map<string, number>();
  for (const line of order.lines) wanted.set(line.product.id, (wanted.get(line.product.id) ?? 0) + line.quantity);
  return [...wanted].every(([id, quantity]) => products.get(id)!.stock >= quantity);
}

/**
 * A checkout's reads in one statement: the order already created for its reference (locked, as findOrderForPayment
 * locks it; only its id, since a redelivered checkout is rare and then reads it in full) and its products. Not run: a
 * Stripe delivery sends it in its claim's message (event-delivery.ts), completeCheckout runs it otherwise.
 */
export function checkoutTargetsRead(scope: { brandId: string }, data: Pick<CheckoutCompletion, 'checkoutRef' | 'items'>): ScopedStatement {
  const productIds = [...new Set(data.items.map((i) => i.productId))];
  return scopedStatement(
    scope,
    `with existing as (
       select id from orders where brand_id = ? and checkout_ref = ? order by created_at limit 1 for update)
     select (select id from existing) as existing_id, p.*
       from (values (1)) as one left join products p on p.brand_id = ? and p.id = any(?::uuid[])`,
    [data.checkoutRef, scope.brandId, pgArray(productIds)],
  );
}

function runStatement(tx: RequestContext, statement: ScopedStatement): Promise<Record<string, any>[]> {
  return scopedSql(tx, statement.sql, statement.params.slice(1));
}

/**
 * A product as a checkout reads it: what its lines snapshot, and its stock as read, unlocked (the order's insert locks
 * and counts the stock; servedByStockAsRead only chooses how the order is inserted).
 */
type CheckoutProduct = Pick<Product, 'id' | 'sku' | 'name' | 'price' | 'stock'>;

/** checkoutTargetsRead's rows: plain products (nothing changes them here, so the unit of work need not track them). */
function readCheckoutTargets(rows: Record<string, any>[]): { existingId: string | null; found: CheckoutProduct[] } {
  const found = rows
    .filter((row) => row.id !== null)
    .map((row) => ({ id: row.id, sku: row.sku, name: row.name, price: Number(row.price), stock: Number(row.stock) }));
  return { existingId: rows[0]?.existing_id ?? null, found };
}

/**
 * A payment provider's verdict on a locked order, applied at most once. Payment truth comes first: a success moves an
 * unpaid order to PAID even when it was cancelled meanwhile (flagged for a person to refund or reinstate, and refundable
 * through Stripe), and is final — a late failure of an earlier attempt never undoes it. A failure only moves an order
 * still awaiting payment. Disagreements are flagged in `attention` and the timeline, never passed silently: an amount or
 * currency other than the order's total, and a failure reported for an order a person marked paid. Returns whether
 * anything changed.
 */
export function applyPaymentResult(
  tx: RequestContext,
  order: Order,
  result: 'SUCCEEDED' | 'FAILED',
  note: string | null = null,
  reported: ReportedAmount | null = null,
): boolean {
  const before = auditState('ORDER', order);
  const changed = applyPaymentVerdict(tx, order, result, note, reported);
  if (changed) {
    const action = result === 'SUCCEEDED' ? 'order.paymentSucceeded' : 'order.paymentFailed';
    audit(tx, { action, targetType: 'ORDER', targetId: order.id, before, after: auditState('ORDER', order) });
  }
  return changed;
}

function applyPaymentVerdict(
  tx: RequestContext,
  order: Order,
  result: 'SUCCEEDED' | 'FAILED',
  note: string | null,
  reported: ReportedAmount | null,
): boolean {
  if (result === 'SUCCEEDED') {
    const flagged = reported !== null && flagAmountMismatch(tx, order, reported);
    if (PAID_PAYMENT_STATUSES.includes(order.paymentStatus)) {
      if (order.providerPaidAt) return flagged;
      order.providerPaidAt = new Date();
      recordChange(tx.em, tx.actor, order, 'NOTE', { note: 'Stripe confirmed the payment that was marked paid manually' });
      return true;
    }
    changePaymentStatus(tx.em, tx.actor, order, 'PAID', note, 'PROVIDER');
    if (order.status === 'CANCELLED') {
      flagAttention(
        tx,
        order,
        'Payment received for a cancelled order: refund or reinstate it',
        'Payment received after the order was cancelled',
      );
    }
    return true;
  }
  if (order.paymentStatus === 'AWAITING_PAYMENT') {
    changePaymentStatus(tx.em, tx.actor, order, 'PAYMENT_FAILED', note, 'PROVIDER');
    return true;
  }
  if (PAID_PAYMENT_STATUSES.includes(order.paymentStatus) && !order.providerPaidAt) {
    return flagAttention(
      tx,
      order,
      'Stripe reports a failed payment for an order marked paid manually: check that the money arrived',
      `Stripe disagrees with the manual payment mark: ${note ?? 'payment failed'}`,
    );
  }
  return false;
}
