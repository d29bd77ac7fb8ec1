import { LockMode } from '@mikro-orm/core';
import { v7 as uuidv7 } from 'uuid';
import { auditRow, auditState } from '../audit/audit';
import { notFound } from '../errors';
import type { Product } from '../products/product.entity';
import { stockSaleLines, stockShortfall, type StockLine, type StockTaken } from '../products/stock.service';
import { parseId } from '../shared/ids';
import type { CurrencyCode } from '../shared/money';
import type { RequestContext } from '../shared/request-context';
import { scopedSql, scopedStatement, type ScopedStatement } from '../shared/sql';
import { orderSearchText } from './order-search';
import { Order, type AddressData, type OrderSource } from './order.entity';

/**
 * The two ways every order write starts, shared by the order use cases (order.service.ts) and the payment rules
 * (order-payments.ts): inserting a new order, and locking an existing one.
 */
export interface NewOrderLine {
  product: Pick<Product, 'id' | 'sku' | 'name'>;
  unitPrice: number;
  quantity: number;
  discount: number;
  tax: number;
  total: number;
  customization?: unknown;
}

export interface NewOrder {
  id: string;
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

/** A new order as inserted (every column of its row, as PostgreSQL returned it) and what its sale took from stock. */
export interface InsertedOrder {
  row: Record<string, any>;
  taken: StockTaken[];
}

/**
 * The insert shared by every way an order is born (dashboard/API and Stripe Checkout), as ONE statement: the database
 * function `insert_order` (migration 20261206200000), whose plans each connection keeps. It takes the stock (the rule
 * `take_stock`, lines from stock.service.ts), numbers the order from the brand's counter, and writes the order, its
 * frozen lines, its first timeline entries and (when given) its audit entry. The brand's numbering row and the products
 * are therefore locked for this one statement and the commit only, which is what lets one brand's orders be created
 * concurrently. All or nothing, so it needs no transaction of its own: `tx` may be one, or a request context outside
 * any (then no EntityManager is forked). Discounts are the caller's. Throws INSUFFICIENT_STOCK (or NOT_FOUND for a
 * product gone meanwhile) and writes nothing when a line cannot be served, unless `allowOversell`.
 */
export async function insertOrder(tx: RequestContext, data: NewOrder, options: InsertOptions = {}): Promise<InsertedOrder> {
  const { statement, stockLines } = orderInsert(tx, data, options);
  const scope = { sqlEm: tx.sqlEm, brandId: tx.brandId };
  // A named prepared statement outside a transaction: one text for every order, and its plan (a function call) is the
  // same for any values, so each connection parses and plans it once and the values go bound, not formatted in.
  const rows = await scopedSql<Record<string, any>>(scope, statement.sql, statement.params.slice(1), { prepared: true });
  if (rows.length === 0) throw await stockShortfall(scope, stockLines);
  const { stock_taken: taken, ...row } = rows[0];
  return { row, taken: (taken ?? []) as StockTaken[] };
}

export interface InsertOptions {
  notes?: string[];
  /** Writes the `order.create` audit entry: of `createdState` when true, of this state when given (its number is filled in). */
  audit?: boolean | Record<string, unknown>;
  allowOversell?: boolean;
  /** When the order is created (its `created_at`, its first timeline entries'); now by default. */
  at?: Date;
}

/** insertOrder's statement, not run: for a caller that sends it with others in one message (order-change-log.ts). */
export function orderInsert(tx: RequestContext, data: NewOrder, options: InsertOptions = {}): { statement: ScopedStatement; stockLines: StockLine[] } {
  const at = options.at ?? new Date();
  const stockLines = data.lines.map((line) => ({ productId: line.product.id, quantity: line.quantity }));
  const sale = stockSaleLines(stockLines);
  const items = data.lines.map((line, position) => ({
    id: uuidv7(),
    product_id: line.product.id,
    position,
    sku: line.product.sku,
    name: line.product.name,
    unit_price: line.unitPrice,
    quantity: line.quantity,
    discount: line.discount,
    tax: line.tax,
    total: line.total,
    customization: line.customization ?? null,
  }));
  const history = [
    { id: uuidv7(), kind: 'STATUS', to_value: 'PENDING', note: 'Order created' },
    ...(options.notes ?? []).map((note) => ({ id: uuidv7(), kind: 'NOTE', to_value: null, note })),
  ];
  // The audit entry's `number` is only known once numbered: whatever stands for it here ('' or a caller's mark), the
  // function sets it.
  const after = options.audit === true ? createdState(data) : options.audit || null;
  const entry = after ? auditRow(tx, { action: 'order.create', targetType: 'ORDER', targetId: data.id, before: null, after }) : null;
  const searchRest = orderSearchText({
    number: '',
    customerEmail: data.customer.email,
    customerName: data.customer.name ?? null,
    lines: data.lines.map((line) => line.product),
  });
  const statement = scopedStatement(
    tx,
    `select (placed).*, stock_taken from insert_order(brand_id => ?, order_id => ?, created_at => ?, product_ids => ?,
       quantities => ?, movement_ids => ?, allow_oversell => ?, actor_type => ?, actor_id => ?, actor_label => ?,
       currency => ?, subtotal => ?, discount_total => ?, shipping_total => ?, tax_total => ?, total => ?,
       discount_code => ?, customer_email => ?, customer_name => ?, customer_phone => ?, shipping_address => ?,
       source => ?, checkout_ref => ?, stripe_checkout_session_id => ?, stripe_payment_intent_id => ?,
       search_rest => ?, lines => ?, timeline => ?, audit_entry => ?)`,
    [
      data.id, at, sale.productIds, sale.quantities, sale.movementIds, options.allowOversell ?? false,
      tx.actor.type, tx.actor.id, tx.actor.label,
      data.currency, data.totals.subtotal, data.totals.discountTotal, data.totals.shippingTotal, data.totals.taxTotal,
      data.totals.total, data.discountCode, data.customer.email, data.customer.name ?? null, data.customer.phone ?? null,
      data.shippingAddress ? JSON.stringify(data.shippingAddress) : null, data.source, data.checkoutRef ?? null,
      data.stripeCheckoutSessionId ?? null, data.stripePaymentIntentId ?? null,
      searchRest ? `\n${searchRest}` : '',
      JSON.stringify(items),
      JSON.stringify(history),
      entry ? JSON.stringify(entry) : null,
    ],
  );
  return { statement, stockLines };
}

/**
 * The row `insert_order` answers for `data` created at `at`, before it runs: every column as it will be, but `seq`, the
 * `number` (`numberMark` in its place) and `search_text` (which holds the number), which only the insert knows.
 */
export function plannedOrderRow(tx: RequestContext, data: NewOrder, at: Date, numberMark: string): Record<string, unknown> {
  return {
    id: data.id, created_at: at, updated_at: at, brand_id: tx.brandId, seq: null, number: numberMark,
    status: 'PENDING', payment_status: 'AWAITING_PAYMENT', currency: data.currency,
    subtotal: data.totals.subtotal, discount_total: data.totals.discountTotal, shipping_total: data.totals.shippingTotal,
    tax_total: data.totals.taxTotal, total: data.totals.total, refunded_total: 0, discount_code: data.discountCode,
    customer_email: data.customer.email, customer_name: data.customer.name ?? null, customer_phone: data.customer.phone ?? null,
    shipping_address: data.shippingAddress, tracking_number: null, attention: null, source: data.source,
    checkout_ref: data.checkoutRef ?? null, stripe_checkout_session_id: data.stripeCheckoutSessionId ?? null,
    stripe_payment_intent_id: data.stripePaymentIntentId ?? null, paid_at: null, cancelled_at: null, search_text: null,
    provider_paid_at: null, tracking_carrier: null, tracking_url: null, payment_method: null, payment_reference: null,
  };
}

/** The audited state of an order as it is born (its number still to come). */
function createdState(data: NewOrder): Record<string, unknown> {
  return auditState('ORDER', {
    number: '',
    status: 'PENDING',
    paymentStatus: 'AWAITING_PAYMENT',
    currency: data.currency,
    total: data.totals.total,
    refundedTotal: 0,
    discountCode: data.discountCode,
    customerEmail: data.customer.email,
    customerName: data.customer.name ?? null,
    customerPhone: data.customer.phone ?? null,
    shippingAddress: data.shippingAddress,
    trackingNumber: null,
    trackingCarrier: null,
    trackingUrl: null,
    paymentMethod: null,
    paymentReference: null,
    attention: null,
    source: data.source,
  });
}

/** Loads an order of the request's brand and locks its row until the transaction ends; other brands' ids are NOT_FOUND. */
export async function lockOrder(tx: RequestContext, id: string, field = 'id'): Promise<Order> {
  const order = await tx.em.findOne(Order, parseId(id, field), { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (!order) throw notFound('Order');
  return order;
}
