import { LockMode } from '@mikro-orm/core';
import type { Brand } from '../brands/brand.entity';
import { notFound } from '../errors';
import type { Product } from '../products/product.entity';
import { parseId } from '../shared/ids';
import type { CurrencyCode } from '../shared/money';
import type { RequestContext } from '../shared/request-context';
import { recordChange } from './order-history';
import { OrderItem } from './order-item.entity';
import { nextOrderNumber } from './order-number';
import { orderSearchText } from './order-search';
import { Order, type AddressData, type OrderSource } from './order.entity';

/**
 * The two ways every order write starts, shared by the order use cases (order.service.ts) and the payment rules
 * (order-payments.ts): inserting a new order, and locking an existing one.
 */
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
export async function insertOrder(tx: RequestContext, data: NewOrder): Promise<Order> {
  const { seq, number } = await nextOrderNumber(tx);
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

/** Loads an order of the request's brand and locks its row until the transaction ends; other brands' ids are NOT_FOUND. */
export async function lockOrder(tx: RequestContext, id: string, field = 'id'): Promise<Order> {
  const order = await tx.em.findOne(Order, parseId(id, field), { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (!order) throw notFound('Order');
  return order;
}

