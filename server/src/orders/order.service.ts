import { LockMode } from '@mikro-orm/core';
import { v7 as uuidv7 } from 'uuid';
import { Brand } from '../brands/brand.entity';
import { consumeDiscount, findApplicableDiscount } from '../discounts/discount.service';
import type { DiscountCode } from '../discounts/discount-code.entity';
import { badInput, DomainError, notFound } from '../errors';
import { Product } from '../products/product.entity';
import { releaseStock, reserveStock } from '../products/stock.service';
import type { RequestContext } from '../shared/request-context';
import { parseId } from '../shared/sql';
import { parseInput } from '../shared/validation';
import { claimIdempotencyKey, validateIdempotencyKey } from './idempotency';
import { changePaymentStatus, changeStatus, recordChange } from './order-history';
import { PAID_PAYMENT_STATUSES, paymentStatusForRefund, type OrderStatus } from './order-lifecycle';
import { nextOrderNumber } from './order-number';
import { Order, type OrderSource } from './order.entity';
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
import { priceOrder, type PricedOrder } from './pricing';

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
  const ids = input.items.map((item, i) => parseId(item.productId, `input.items.${i}.productId`));
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
  const lines = products.map((p, i) => ({ unitPrice: p.price, quantity: input.items[i].quantity }));
  const subtotal = lines.reduce((sum, l) => sum + l.unitPrice * l.quantity, 0);
  const discount = input.discountCode ? await findApplicableDiscount(ctx, input.discountCode, subtotal) : null;
  const priced = priceOrder(lines, brand, discount);
  return { brand, input, products, discount, priced };
}

function sourceOf(ctx: RequestContext): OrderSource {
  return ctx.actor.type === 'API_KEY' ? 'API' : 'DASHBOARD';
}

async function loadAfterCommit(ctx: RequestContext, id: string): Promise<OrderRecord> {
  const order = await findOrderById(ctx, id);
  if (!order) throw notFound('Order');
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
    const { seq, number } = await nextOrderNumber(tx.em, tx.brandId);
    const order = tx.em.create(Order, {
      id: newId,
      brand,
      seq,
      number,
      status: 'PENDING',
      paymentStatus: 'AWAITING_PAYMENT',
      currency: brand.currency,
      subtotal: priced.subtotal,
      discountTotal: priced.discountTotal,
      shippingTotal: priced.shippingTotal,
      taxTotal: priced.taxTotal,
      total: priced.total,
      discountCode: quote.discount?.code ?? null,
      customerEmail: input.customer.email,
      customerName: input.customer.name,
      customerPhone: input.customer.phone,
      shippingAddress: input.shippingAddress,
      source: sourceOf(tx),
    });
    quote.products.forEach((product, i) => {
      tx.em.create(OrderItem, {
        brand,
        order,
        product,
        position: i,
        sku: product.sku,
        name: product.name,
        unitPrice: product.price,
        quantity: input.items[i].quantity,
        discount: priced.lines[i].discount,
        tax: priced.lines[i].tax,
        total: priced.lines[i].total,
        customization: input.items[i].customization ?? null,
      });
    });
    recordChange(tx.em, tx.actor, order, 'STATUS', { to: 'PENDING', note: 'Order created' });
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
