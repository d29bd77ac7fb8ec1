import { LockMode } from '@mikro-orm/core';
import { v7 as uuidv7 } from 'uuid';
import { Brand } from '../brands/brand.entity';
import { consumeDiscount, findApplicableDiscount } from '../discounts/discount.service';
import type { DiscountCode } from '../discounts/discount-code.entity';
import { badInput, DomainError, notFound } from '../errors';
import { Product } from '../products/product.entity';
import { releaseStock, reserveStock } from '../products/stock.service';
import type { RequestContext } from '../shared/request-context';
import { parseId, sql } from '../shared/sql';
import { parseInput } from '../shared/validation';
import { claimIdempotencyKey, validateIdempotencyKey } from './idempotency';
import { changePaymentStatus, changeStatus, recordChange } from './order-history';
import { PAID_PAYMENT_STATUSES, paymentStatusForRefund, type OrderStatus } from './order-lifecycle';
import { nextOrderNumber } from './order-number';
import { Order, type AddressData, type OrderSource } from './order.entity';
import { orderSearchText } from './order-search';
import { OrderItem } from './order-item.entity';
import { findOrderById, type OrderRecord } from './order.queries';
import {
  CreateOrderSchema,
  NoteSchema,
  UpdateOrderSchema,
  type CreateOrderData,
  type CreateOrderInput,
  type UpdateOrderData,
} from './order.validation';
import { allocate, priceOrder, type PricedOrder } from './pricing';
import { isCurrency, type CurrencyCode } from '../shared/money';

/**
 * Order use cases. Each runs in one transaction and returns the order as the read model sees it after commit.
 * Rules live elsewhere and are only called here: lifecycle (order-lifecycle.ts via order-history.ts), pricing
 * (pricing.ts), stock (stock.service.ts), numbering (order-number.ts), idempotency (idempotency.ts).
 */
export interface CartQuote {
  brand: Brand;
  input: CreateOrderInput;
  products: Product[];
  discount: DiscountCode | null;
  priced: PricedOrder;
}

/** Prices a cart from the current catalog and the brand's rules; shared by quoteOrder and createOrder. */
export async function quoteCart(ctx: RequestContext, data: CreateOrderData): Promise<CartQuote> {
  const input = parseInput(CreateOrderSchema, data, 'input');
  return { ...(await priceLines(ctx, input.items, input.discountCode)), input };
}

/**
 * Catalog lines for a cart (each product of this brand and for sale, in input order) priced by pricing.ts; shared by
 * quoteCart and the Stripe checkout, which has no customer yet.
 */
export async function priceLines(
  ctx: RequestContext,
  items: { productId: string; quantity: number }[],
  discountCode: string | null = null,
): Promise<Omit<CartQuote, 'input'>> {
  const ids = items.map((item, i) => parseId(item.productId, `input.items.${i}.productId`));
  const brand = await ctx.em.findOneOrFail(Brand, ctx.brandId);
  const found = await ctx.em.find(Product, { id: { $in: [...new Set(ids)] } });
  const byId = new Map(found.map((p) => [p.id, p]));
  const products = ids.map((id, i) => {
    const product = byId.get(id);
    if (!product) {
      throw new DomainError('NOT_FOUND', `Product ${id} not found`, { field: `input.items.${i}.productId` });
    }
    if (!product.active) throw badInput(`input.items.${i}.productId`, `${product.name} is not for sale`);
    return product;
  });
  const lines = products.map((p, i) => ({ unitPrice: p.price, quantity: items[i].quantity }));
  const subtotal = lines.reduce((sum, l) => sum + l.unitPrice * l.quantity, 0);
  const discount = discountCode ? await findApplicableDiscount(ctx, discountCode, subtotal) : null;
  const priced = priceOrder(lines, brand, discount);
  return { brand, products, discount, priced };
}

function sourceOf(ctx: RequestContext): OrderSource {
  return ctx.actor.type === 'API_KEY' ? 'API' : 'DASHBOARD';
}

async function loadAfterCommit(ctx: RequestContext, id: string): Promise<OrderRecord> {
  const order = await findOrderById(ctx, id);
  if (!order) throw notFound('Order');
  return order;
}

export interface NewOrderLine {
  product: Product;
  unitPrice: number;
  quantity: number;
  discount: number;
  tax: number;
  total: number;
  customization?: unknown;
}

export interface NewOrder {
  id: string;
  brand: Brand;
  currency: CurrencyCode;
  totals: { subtotal: number; discountTotal: number; shippingTotal: number; taxTotal: number; total: number };
  discountCode: string | null;
  customer: { email: string; name?: string | null; phone?: string | null };
  shippingAddress: AddressData | null;
  source: OrderSource;
  checkoutRef?: string | null;
  stripeCheckoutSessionId?: string | null;
  stripePaymentIntentId?: string | null;
  lines: NewOrderLine[];
}

/**
 * The insert shared by every way an order is born (dashboard/API and Stripe Checkout): numbers it in the caller's
 * transaction, writes the order and its frozen lines, and starts the timeline. Stock and discounts are the caller's.
 */
async function insertOrder(tx: RequestContext, data: NewOrder): Promise<Order> {
  const { seq, number } = await nextOrderNumber(tx.em, tx.brandId);
  const order = tx.em.create(Order, {
    id: data.id,
    brand: data.brand,
    seq,
    number,
    status: 'PENDING',
    paymentStatus: 'AWAITING_PAYMENT',
    currency: data.currency,
    subtotal: data.totals.subtotal,
    discountTotal: data.totals.discountTotal,
    shippingTotal: data.totals.shippingTotal,
    taxTotal: data.totals.taxTotal,
    total: data.totals.total,
    discountCode: data.discountCode,
    customerEmail: data.customer.email,
    customerName: data.customer.name ?? null,
    customerPhone: data.customer.phone ?? null,
    shippingAddress: data.shippingAddress,
    source: data.source,
    checkoutRef: data.checkoutRef ?? null,
    stripeCheckoutSessionId: data.stripeCheckoutSessionId ?? null,
    stripePaymentIntentId: data.stripePaymentIntentId ?? null,
    searchText: orderSearchText({
      number,
      customerEmail: data.customer.email,
      customerName: data.customer.name ?? null,
      lines: data.lines.map((line) => line.product),
    }),
  });
  data.lines.forEach((line, i) => {
    tx.em.create(OrderItem, {
      brand: data.brand,
      order,
      product: line.product,
      position: i,
      sku: line.product.sku,
      name: line.product.name,
      unitPrice: line.unitPrice,
      quantity: line.quantity,
      discount: line.discount,
      tax: line.tax,
      total: line.total,
      customization: line.customization ?? null,
    });
  });
  recordChange(tx.em, tx.actor, order, 'STATUS', { to: 'PENDING', note: 'Order created' });
  return order;
}

export async function createOrder(
  ctx: RequestContext,
  data: CreateOrderData,
  idempotencyKey?: string | null,
): Promise<OrderRecord> {
  const key = validateIdempotencyKey(idempotencyKey);
  const orderId = await ctx.transaction(async (tx) => {
    const newId = uuidv7();
    if (key) {
      const { replayOf } = await claimIdempotencyKey(tx.em, tx.brandId, 'createOrder', key, data, newId);
      if (replayOf) return replayOf;
    }
    const quote = await quoteCart(tx, data);
    const { input, priced, brand } = quote;
    await reserveStock(
      { em: tx.em, brandId: tx.brandId, actor: tx.actor },
      input.items.map((item, i) => ({ productId: quote.products[i].id, quantity: item.quantity })),
      newId,
    );
    if (quote.discount) await consumeDiscount(tx, quote.discount);
    const order = await insertOrder(tx, {
      id: newId,
      brand,
      currency: brand.currency,
      totals: priced,
      discountCode: quote.discount?.code ?? null,
      customer: input.customer,
      shippingAddress: input.shippingAddress,
      source: sourceOf(tx),
      lines: quote.products.map((product, i) => ({
        product,
        unitPrice: product.price,
        quantity: input.items[i].quantity,
        discount: priced.lines[i].discount,
        tax: priced.lines[i].tax,
        total: priced.lines[i].total,
        customization: input.items[i].customization ?? null,
      })),
    });
    if (input.note) recordChange(tx.em, tx.actor, order, 'NOTE', { note: input.note });
    return newId;
  });
  return loadAfterCommit(ctx, orderId);
}

/** Loads an order of the request's brand and locks its row until the transaction ends; other brands' ids are NOT_FOUND. */
async function lockOrder(tx: RequestContext, id: string, field = 'id'): Promise<Order> {
  const order = await tx.em.findOne(Order, parseId(id, field), { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (!order) throw notFound('Order');
  return order;
}

export async function updateOrderStatus(
  ctx: RequestContext,
  id: string,
  status: OrderStatus,
  note?: string | null,
  trackingNumber?: string | null,
): Promise<OrderRecord> {
  if (status === 'CANCELLED') {
    if (!note?.trim()) throw badInput('note', 'a reason is required to cancel an order');
    return cancelOrder(ctx, id, note, true);
  }
  await ctx.transaction(async (tx) => {
    const order = await lockOrder(tx, id);
    changeStatus(tx.em, tx.actor, order, status, note?.trim() || null);
    if (trackingNumber?.trim()) order.trackingNumber = trackingNumber.trim();
  });
  return loadAfterCommit(ctx, id);
}

export async function markOrderPaid(ctx: RequestContext, id: string, note?: string | null): Promise<OrderRecord> {
  await ctx.transaction(async (tx) => {
    const order = await lockOrder(tx, id);
    changePaymentStatus(tx.em, tx.actor, order, 'PAID', note?.trim() || 'Marked paid manually');
  });
  return loadAfterCommit(ctx, id);
}

export async function cancelOrder(
  ctx: RequestContext,
  id: string,
  reason: string,
  restock = true,
  idempotencyKey?: string | null,
): Promise<OrderRecord> {
  const key = validateIdempotencyKey(idempotencyKey);
  const cleanReason = parseInput(NoteSchema, reason, 'reason');
  const orderId = parseId(id);
  await ctx.transaction(async (tx) => {
    if (key) {
      const input = { id: orderId, reason: cleanReason, restock };
      const { replayOf } = await claimIdempotencyKey(tx.em, tx.brandId, 'cancelOrder', key, input, orderId);
      if (replayOf) return;
    }
    const order = await lockOrder(tx, orderId);
    changeStatus(tx.em, tx.actor, order, 'CANCELLED', cleanReason);
    if (restock) {
      const items = await tx.em.find(OrderItem, { order: order.id, product: { $ne: null } });
      const lines = items.map((item) => ({ productId: item.product!.id, quantity: item.quantity }));
      await releaseStock({ em: tx.em, brandId: tx.brandId, actor: tx.actor }, lines, order.id, cleanReason);
      const units = lines.reduce((sum, l) => sum + l.quantity, 0);
      recordChange(tx.em, tx.actor, order, 'NOTE', { note: `Restocked ${units} unit${units === 1 ? '' : 's'}` });
    } else {
      recordChange(tx.em, tx.actor, order, 'NOTE', { note: 'Cancelled without restocking' });
    }
  });
  return loadAfterCommit(ctx, orderId);
}

export async function addOrderNote(ctx: RequestContext, id: string, note: string): Promise<OrderRecord> {
  const text = parseInput(NoteSchema, note, 'note');
  await ctx.transaction(async (tx) => {
    const order = await lockOrder(tx, id);
    recordChange(tx.em, tx.actor, order, 'NOTE', { note: text });
    order.updatedAt = new Date();
  });
  return loadAfterCommit(ctx, id);
}

export async function updateOrder(ctx: RequestContext, id: string, data: UpdateOrderData): Promise<OrderRecord> {
  const input = parseInput(UpdateOrderSchema, data, 'input');
  await ctx.transaction(async (tx) => {
    const order = await lockOrder(tx, id);
    const changed: string[] = [];
    if (input.customer) {
      order.customerEmail = input.customer.email;
      order.customerName = input.customer.name;
      order.customerPhone = input.customer.phone;
      const items = await tx.em.find(OrderItem, { order: order.id }, { orderBy: { position: 'asc' } });
      order.searchText = orderSearchText({ ...order, lines: items });
      changed.push('customer');
    }
    if (input.shippingAddress) {
      if (order.status === 'SHIPPED' || order.status === 'DELIVERED' || order.status === 'CANCELLED') {
        throw new DomainError(
          'INVALID_TRANSITION',
          `The shipping address cannot change once the order is ${order.status}`,
          { from: order.status },
        );
      }
      order.shippingAddress = input.shippingAddress;
      changed.push('shipping address');
    }
    if (input.trackingNumber !== null && input.trackingNumber !== undefined) {
      order.trackingNumber = input.trackingNumber;
      changed.push('tracking number');
    }
    if (changed.length === 0) throw badInput('input', 'nothing to update');
    recordChange(tx.em, tx.actor, order, 'NOTE', { note: `Updated ${changed.join(', ')}` });
  });
  return loadAfterCommit(ctx, id);
}

/** Deletes an order that never received money (a mistake, a test); anything paid is cancelled instead. */
export async function deleteOrder(ctx: RequestContext, id: string): Promise<string> {
  const orderId = parseId(id);
  await ctx.transaction(async (tx) => {
    const order = await lockOrder(tx, orderId);
    if (order.paidAt || PAID_PAYMENT_STATUSES.includes(order.paymentStatus)) {
      throw new DomainError(
        'INVALID_TRANSITION',
        `Order ${order.number} was paid, so it cannot be deleted; cancel it instead`,
        { from: order.paymentStatus },
      );
    }
    if (order.status !== 'CANCELLED') {
      const items = await tx.em.find(OrderItem, { order: order.id, product: { $ne: null } });
      await releaseStock(
        { em: tx.em, brandId: tx.brandId, actor: tx.actor },
        items.map((item) => ({ productId: item.product!.id, quantity: item.quantity })),
        order.id,
        `Order ${order.number} deleted`,
      );
    }
    await tx.em.flush();
    await tx.em.nativeDelete(Order, { id: order.id });
    await sql(tx.em, 'update brands set order_count = order_count - 1 where id = ?', [tx.brandId]);
  });
  return orderId;
}

/**
 * Records a refund. `cumulativeRefunded` is the total refunded so far (as Stripe reports it), so replays and
 * out-of-order deliveries converge: the stored amount only ever grows to the maximum seen.
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
  return loadAfterCommit(ctx, id);
}

/** The refund rule on a locked order, for callers that already hold a transaction (the Stripe route). */
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
