import { v7 as uuidv7 } from 'uuid';
import { audit, auditState } from '../audit/audit';
import { consumeDiscount, findApplicableDiscount } from '../discounts/discount.service';
import type { DiscountCode } from '../discounts/discount-code.entity';
import { badInput, DomainError, orNotFound } from '../errors';
import type { Product } from '../products/product.entity';
import { releaseStock } from '../products/stock.service';
import { parseId } from '../shared/ids';
import type { RequestContext } from '../shared/request-context';
import { bigintToNumber, type CurrencyCode } from '../shared/money';
import { pgArray, scopedSql } from '../shared/sql';
import { parseInput } from '../shared/validation';
import { archiveOrder } from './deleted-orders';
import { claimIdempotencyKey, validateIdempotencyKey } from './idempotency';
import { changeStatus, recordChange, type TrackingData } from './order-history';
import { PAID_PAYMENT_STATUSES, type OrderStatus } from './order-lifecycle';
import { orderSearchText } from './order-search';
import { markPaidManually } from './order-payments';
import { insertOrder, lockOrder } from './order-writes';
import { Order, type OrderSource, type PaymentMethod } from './order.entity';
import { OrderItem } from './order-item.entity';
import { findOrderById, toOrderRecord, type OrderRecord } from './order.queries';
import {
  CreateOrderSchema,
  ManualPaymentSchema,
  NoteSchema,
  OptionalNoteSchema,
  TrackingSchema,
  UpdateOrderSchema,
  type CreateOrderData,
  type CreateOrderInput,
  type UpdateOrderData,
} from './order.validation';
import { priceOrder, type PricedOrder, type PricingRules } from './pricing';

/**
 * Order use cases (the dashboard's and partners'). Each runs in one transaction and returns the order as the read
 * model sees it after commit. Rules live elsewhere and are only called here: lifecycle (order-lifecycle.ts via
 * order-history.ts), pricing (pricing.ts), stock (stock.service.ts), numbering (the function insert_order), idempotency
 * (idempotency.ts). What payment providers report is applied by order-payments.ts.
 */
export interface CartQuote {
  brand: CartBrand;
  input: CreateOrderInput;
  products: CartProduct[];
  discount: DiscountCode | null;
  priced: PricedOrder;
}

/** What an order takes from a catalog product: the line's snapshot and its price. */
export type CartProduct = Pick<Product, 'id' | 'sku' | 'name' | 'price' | 'stock' | 'active'>;

/** What pricing needs of the brand: its currency and its rules. */
export type CartBrand = PricingRules & { id: string; currency: CurrencyCode };

/** Prices a cart from the current catalog and the brand's rules; shared by quoteOrder and createOrder. */
export async function quoteCart(ctx: RequestContext, data: CreateOrderData): Promise<CartQuote> {
  const input = parseInput(CreateOrderSchema, data, 'input');
  return { ...(await priceLines(ctx, input.items, input.discountCode)), input };
}

/**
 * Catalog lines for a cart (each product of this brand and for sale, in input order) priced by pricing.ts; shared by
 * quoteCart and the Stripe checkout, which has no customer yet. One statement reads the products with their brand's
 * rules, without the ORM: nothing read here changes through the unit of work, and on the create path this was the
 * request's only use of an EntityManager (a fork, the query builder and hydration: ≈ 15% of the API's CPU per order).
 */
export async function priceLines(
  ctx: RequestContext,
  items: { productId: string; quantity: number }[],
  discountCode: string | null = null,
): Promise<Omit<CartQuote, 'input'>> {
  const ids = items.map((item, i) => parseId(item.productId, `input.items.${i}.productId`));
  const rows = await scopedSql<CartRow>(
    ctx,
    `select p.id, p.sku, p.name, p.price, p.stock, p.active, b.currency, b.tax_rate_bps, b.tax_inclusive, b.shipping_flat_rate,
            b.free_shipping_threshold
       from products p join brands b on b.id = p.brand_id
      where p.brand_id = ? and p.id = any(?::uuid[])`,
    [pgArray([...new Set(ids)])],
  );
  const byId = new Map(rows.map((row) => [row.id, row]));
  const found = ids.map((id, i) => {
    const row = byId.get(id);
    if (!row) throw new DomainError('NOT_FOUND', `Product ${id} not found`, { field: `input.items.${i}.productId` });
    if (!row.active) throw badInput(`input.items.${i}.productId`, `${row.name} is not for sale`);
    return row;
  });
  // Every row carries its brand's rules; a cart naming no product failed above.
  const brand: CartBrand = {
    id: ctx.brandId,
    currency: found[0].currency,
    taxRateBps: found[0].tax_rate_bps,
    taxInclusive: found[0].tax_inclusive,
    shippingFlatRate: bigintToNumber(found[0].shipping_flat_rate),
    freeShippingThreshold: found[0].free_shipping_threshold === null ? null : bigintToNumber(found[0].free_shipping_threshold),
  };
  const products = found.map((row) => ({
    id: row.id,
    sku: row.sku,
    name: row.name,
    price: bigintToNumber(row.price),
    stock: row.stock,
    active: row.active,
  }));
  const lines = products.map((p, i) => ({ unitPrice: p.price, quantity: items[i].quantity }));
  const subtotal = lines.reduce((sum, l) => sum + l.unitPrice * l.quantity, 0);
  const discount = discountCode ? await findApplicableDiscount(ctx, discountCode, subtotal) : null;
  const priced = priceOrder(lines, brand, discount);
  return { brand, products, discount, priced };
}

interface CartRow {
  id: string;
  sku: string;
  name: string;
  price: string;
  stock: number;
  active: boolean;
  currency: CurrencyCode;
  tax_rate_bps: number;
  tax_inclusive: boolean;
  shipping_flat_rate: string;
  free_shipping_threshold: string | null;
}

function sourceOf(ctx: RequestContext): OrderSource {
  return ctx.actor.type === 'API_KEY' ? 'API' : 'DASHBOARD';
}

function loadAfterCommit(ctx: RequestContext, id: string): Promise<OrderRecord> {
  return orNotFound(findOrderById(ctx, id), 'Order');
}

export async function createOrder(
  ctx: RequestContext,
  data: CreateOrderData,
  idempotencyKey?: string | null,
): Promise<OrderRecord> {
  const key = validateIdempotencyKey(idempotencyKey);
  if (key) {
    const created = await ctx.transaction(async (tx): Promise<OrderRecord | string> => {
      const newId = uuidv7();
      const { replayOf } = await claimIdempotencyKey(tx, 'createOrder', key, data, newId);
      // A replayed key answers the order it created, as it is now (the cart is not priced again: it may have changed).
      return replayOf ?? placeOrder(tx, await quoteCart(tx, data), newId);
    });
    return typeof created === 'string' ? loadAfterCommit(ctx, created) : created;
  }
  const quote = await quoteCart(ctx, data);
  // Without a key to claim or a discount to consume, the order is one statement (insertOrder), atomic on its own: no
  // transaction is opened, and the brand's numbering row is released by that statement's own commit.
  if (!quote.discount) {
    const id = uuidv7();
    return ctx.atomicStatement(() => placeOrder(ctx, quote, id));
  }
  return ctx.transaction((tx) => placeOrder(tx, quote, uuidv7()));
}

/** Consumes the cart's discount, if any, and inserts the order with its stock, number, lines, timeline and audit entry. */
async function placeOrder(tx: RequestContext, quote: CartQuote, id: string): Promise<OrderRecord> {
  const { input, priced, brand } = quote;
  if (quote.discount) await consumeDiscount(tx, quote.discount);
  const { row } = await insertOrder(
    tx,
    {
      id,
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
    },
    { notes: input.note ? [input.note] : [], audit: true },
  );
  return toOrderRecord(row);
}

/** A tracking change: a part left out stays as it is; null (or an empty string, parsed to null) clears it. */
type TrackingChange = { [K in keyof TrackingData]?: string | null };

const TRACKING_PART_LABEL: Record<keyof TrackingData, string> = { carrier: 'carrier', number: 'number', url: 'link' };

/**
 * Applies the parts given and returns the order's whole tracking after the change, plus the parts it removed (for the
 * timeline's words), or null when no part was given.
 */
function applyTracking(order: Order, change: TrackingChange): { tracking: TrackingData; removed: string[] } | null {
  const before: TrackingData = { number: order.trackingNumber, carrier: order.trackingCarrier, url: order.trackingUrl };
  const parts = (Object.keys(TRACKING_PART_LABEL) as (keyof TrackingData)[]).filter((part) => change[part] !== undefined);
  if (parts.length === 0) return null;
  const after: TrackingData = { ...before };
  for (const part of parts) after[part] = change[part] ?? null;
  order.trackingNumber = after.number;
  order.trackingCarrier = after.carrier;
  order.trackingUrl = after.url;
  const removed = parts.filter((part) => before[part] !== null && after[part] === null).map((part) => TRACKING_PART_LABEL[part]);
  return { tracking: after, removed };
}

export async function updateOrderStatus(
  ctx: RequestContext,
  id: string,
  status: OrderStatus,
  note?: string | null,
  trackingNumber?: string | null,
  trackingCarrier?: string | null,
  trackingUrl?: string | null,
): Promise<OrderRecord> {
  const cleanNote = parseInput(OptionalNoteSchema, note, 'note');
  const given = parseTracking({ trackingNumber, trackingCarrier, trackingUrl });
  if (status === 'CANCELLED') {
    if (!cleanNote) throw badInput('note', 'a reason is required to cancel an order');
    return cancelOrder(ctx, id, cleanNote, true);
  }
  await ctx.transaction(async (tx) => {
    const order = await lockOrder(tx, id);
    const before = auditState('ORDER', order);
    changeStatus(tx.em, tx.actor, order, status, cleanNote, applyTracking(order, given)?.tracking ?? null);
    audit(tx, { action: 'order.updateStatus', targetType: 'ORDER', targetId: order.id, before, after: auditState('ORDER', order) });
  });
  return loadAfterCommit(ctx, id);
}

/** The tracking arguments, each checked under its own name (the API's `extensions.field`); a part left out stays undefined. */
function parseTracking(args: { trackingNumber?: string | null; trackingCarrier?: string | null; trackingUrl?: string | null }): TrackingChange {
  const { number, carrier, url } = TrackingSchema.shape;
  return {
    number: args.trackingNumber === undefined ? undefined : parseInput(number, args.trackingNumber, 'trackingNumber'),
    carrier: args.trackingCarrier === undefined ? undefined : parseInput(carrier, args.trackingCarrier, 'trackingCarrier'),
    url: args.trackingUrl === undefined ? undefined : parseInput(url, args.trackingUrl, 'trackingUrl'),
  };
}

const PAYMENT_METHOD_LABEL: Record<PaymentMethod, string> = {
  BANK_TRANSFER: 'Bank transfer',
  CARD: 'Card',
  CASH: 'Cash',
  CHEQUE: 'Cheque',
  OTHER: 'Other',
};

export async function markOrderPaid(
  ctx: RequestContext,
  id: string,
  note?: string | null,
  paymentMethod?: PaymentMethod | null,
  paymentReference?: string | null,
): Promise<OrderRecord> {
  const cleanNote = parseInput(OptionalNoteSchema, note, 'note');
  const payment = parseInput(ManualPaymentSchema, { paymentMethod, paymentReference });
  // The timeline says how the money came in, beside the person's own note.
  const said = [
    payment.paymentMethod ? PAYMENT_METHOD_LABEL[payment.paymentMethod] : null,
    payment.paymentReference ? `reference ${payment.paymentReference}` : null,
    cleanNote,
  ].filter(Boolean);
  await ctx.transaction(async (tx) => {
    const order = await lockOrder(tx, id);
    const before = auditState('ORDER', order);
    markPaidManually(tx, order, said.length ? said.join(' · ') : null);
    order.paymentMethod = payment.paymentMethod;
    order.paymentReference = payment.paymentReference;
    audit(tx, { action: 'order.markPaid', targetType: 'ORDER', targetId: order.id, before, after: auditState('ORDER', order) });
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
      const { replayOf } = await claimIdempotencyKey(tx, 'cancelOrder', key, input, orderId);
      if (replayOf) return;
    }
    const order = await lockOrder(tx, orderId);
    const before = auditState('ORDER', order);
    changeStatus(tx.em, tx.actor, order, 'CANCELLED', cleanReason);
    audit(tx, { action: 'order.cancel', targetType: 'ORDER', targetId: order.id, before, after: { ...auditState('ORDER', order), restock } });
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
    const entry = recordChange(tx.em, tx.actor, order, 'NOTE', { note: text });
    order.updatedAt = new Date();
    audit(tx, { action: 'order.addNote', targetType: 'ORDER', targetId: order.id, before: {}, after: { timelineEntryId: entry.id } });
  });
  return loadAfterCommit(ctx, id);
}

export async function updateOrder(ctx: RequestContext, id: string, data: UpdateOrderData): Promise<OrderRecord> {
  const input = parseInput(UpdateOrderSchema, data, 'input');
  await ctx.transaction(async (tx) => {
    const order = await lockOrder(tx, id);
    const before = auditState('ORDER', order);
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
    // Left out = unchanged; null or "" (parsed to null) = removed.
    const tracking = applyTracking(order, {
      number: data.trackingNumber === undefined ? undefined : input.trackingNumber,
      carrier: data.trackingCarrier === undefined ? undefined : input.trackingCarrier,
      url: data.trackingUrl === undefined ? undefined : input.trackingUrl,
    });
    if (tracking) changed.push(tracking.removed.length ? `tracking (removed ${tracking.removed.join(', ')})` : 'tracking');
    if (changed.length === 0) throw badInput('input', 'nothing to update');
    recordChange(tx.em, tx.actor, order, 'NOTE', { note: `Updated ${changed.join(', ')}`, tracking: tracking?.tracking ?? null });
    audit(tx, { action: 'order.update', targetType: 'ORDER', targetId: order.id, before, after: auditState('ORDER', order) });
  });
  return loadAfterCommit(ctx, id);
}

/**
 * Deletes a manual order that never received money (a mistake, a test); anything paid, and anything from Stripe
 * Checkout (whose payment Stripe may still report), is cancelled instead. Its history is archived, not erased
 * (deleted-orders.ts).
 */
export async function deleteOrder(ctx: RequestContext, id: string): Promise<string> {
  const orderId = parseId(id);
  await ctx.transaction(async (tx) => {
    const order = await lockOrder(tx, orderId);
    if (order.source === 'STRIPE_CHECKOUT') {
      throw new DomainError(
        'INVALID_TRANSITION',
        `Order ${order.number} came from Stripe Checkout, so it cannot be deleted; cancel it instead`,
        { from: order.status, source: order.source },
      );
    }
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
    recordChange(tx.em, tx.actor, order, 'NOTE', { note: `Order ${order.number} deleted` });
    await tx.em.flush();
    await archiveOrder(tx, order.id);
    audit(tx, { action: 'order.delete', targetType: 'ORDER', targetId: order.id, before: auditState('ORDER', order), after: null });
    await tx.em.nativeDelete(Order, { id: order.id });
    await scopedSql(tx, 'update brands set order_count = order_count - 1 where id = ?');
  });
  return orderId;
}
