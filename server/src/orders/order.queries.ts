import { badInput } from '../errors';
import type { Actor } from '../shared/actor';
import { moneyValue as money, type CurrencyCode, type MoneyValue } from '../shared/money';
import {
  cursorDate,
  decodeCursor,
  encodeCursor,
  pageRequest,
  toPage,
  type PageArgs,
  type PageInfo,
} from '../shared/pagination';
import { parseId } from '../shared/ids';
import { pgArray, scopedSql, type SqlScope } from '../shared/sql';
import type { AddressData, OrderSource, PaymentMethod } from './order.entity';
import type { OrderStatus, PaymentStatus } from './order-lifecycle';
import { filterClauses, type OrderFilter } from './order-filter';

/**
 * The lean read path for orders: SQL rows mapped straight to plain records shaped like the GraphQL types (no entity
 * hydration). A page is ONE statement: the orders, and — when the caller asks for them (`OrderParts`) — each order's
 * items and timeline as lateral `json_agg`s and the brand's order counter; only a filtered count is a second statement.
 * PostgreSQL builds the children's JSON, so Node parses one text per order instead of a row per child. Every statement
 * goes through `scopedSql`, which binds the request's brand.
 */
export interface OrderRecord {
  id: string;
  number: string;
  seq: number;
  status: OrderStatus;
  paymentStatus: PaymentStatus;
  currency: CurrencyCode;
  subtotal: MoneyValue;
  discountTotal: MoneyValue;
  shippingTotal: MoneyValue;
  taxTotal: MoneyValue;
  total: MoneyValue;
  refundedTotal: MoneyValue;
  discountCode: string | null;
  customer: { email: string; name: string | null; phone: string | null };
  shippingAddress: AddressData | null;
  trackingNumber: string | null;
  trackingCarrier: string | null;
  trackingUrl: string | null;
  paymentMethod: PaymentMethod | null;
  paymentReference: string | null;
  attention: string | null;
  source: OrderSource;
  checkoutRef: string | null;
  stripeCheckoutSessionId: string | null;
  stripePaymentIntentId: string | null;
  createdAt: Date;
  updatedAt: Date;
  paidAt: Date | null;
  cancelledAt: Date | null;
  /** Present when they were read with the order (`OrderParts`); else the resolvers batch them per page. */
  items?: OrderItemRecord[];
  statusHistory?: OrderStatusChangeRecord[];
}

/** The children to read in the order's own statement. */
export interface OrderParts {
  items?: boolean;
  history?: boolean;
}

export interface OrderItemRecord {
  id: string;
  orderId: string;
  productId: string | null;
  sku: string;
  name: string;
  unitPrice: MoneyValue;
  quantity: number;
  discount: MoneyValue;
  tax: MoneyValue;
  total: MoneyValue;
  customization: unknown;
}

export interface OrderStatusChangeRecord {
  id: string;
  orderId: string;
  kind: string;
  from: string | null;
  to: string | null;
  note: string | null;
  tracking: { number: string | null; carrier: string | null; url: string | null } | null;
  actor: Actor;
  createdAt: Date;
}

export const ORDER_SORTS = ['CREATED_AT_DESC', 'CREATED_AT_ASC', 'TOTAL_DESC', 'TOTAL_ASC', 'NUMBER_DESC'] as const;
export type OrderSort = (typeof ORDER_SORTS)[number];

interface SortSpec {
  column: 'created_at' | 'total' | 'seq';
  descending: boolean;
  valueOf(row: OrderRecord): string | number;
}

const SORTS: Record<OrderSort, SortSpec> = {
  CREATED_AT_DESC: { column: 'created_at', descending: true, valueOf: (o) => o.createdAt.toISOString() },
  CREATED_AT_ASC: { column: 'created_at', descending: false, valueOf: (o) => o.createdAt.toISOString() },
  TOTAL_DESC: { column: 'total', descending: true, valueOf: (o) => o.total.amount },
  TOTAL_ASC: { column: 'total', descending: false, valueOf: (o) => o.total.amount },
  NUMBER_DESC: { column: 'seq', descending: true, valueOf: (o) => o.seq },
};

const ORDER_COLUMNS = `o.id, o.number, o.seq, o.status, o.payment_status, o.currency, o.subtotal, o.discount_total,
  o.shipping_total, o.tax_total, o.total, o.refunded_total, o.discount_code, o.customer_email, o.customer_name,
  o.customer_phone, o.shipping_address, o.tracking_number, o.tracking_carrier, o.tracking_url, o.payment_method,
  o.payment_reference, o.attention, o.source, o.checkout_ref,
  o.stripe_checkout_session_id, o.stripe_payment_intent_id, o.created_at, o.updated_at, o.paid_at, o.cancelled_at`;

type Row = Record<string, any>;

// Money travels as text: JSON numbers would round amounts past 2^53 silently, where moneyValue refuses them.
const ITEM_FIELDS = `i.id, i.product_id, i.sku, i.name, i.unit_price, i.quantity, i.discount, i.tax, i.total, i.customization`;
const ITEMS_JSON = `left join lateral (
    select json_agg(json_build_object('id', i.id, 'product_id', i.product_id, 'sku', i.sku, 'name', i.name,
             'unit_price', i.unit_price::text, 'quantity', i.quantity, 'discount', i.discount::text, 'tax', i.tax::text,
             'total', i.total::text, 'customization', i.customization) order by i.position) as items
      from order_items i where i.order_id = o.id and i.brand_id = o.brand_id) i on true`;
const HISTORY_FIELDS = `c.id, c.kind, c.from_value, c.to_value, c.note, c.tracking_number, c.tracking_carrier, c.tracking_url,
  c.actor_type, c.actor_id, c.actor_label, c.created_at`;
const HISTORY_JSON = `left join lateral (
    select json_agg(json_build_object('id', c.id, 'kind', c.kind, 'from_value', c.from_value, 'to_value', c.to_value,
             'note', c.note, 'tracking_number', c.tracking_number, 'tracking_carrier', c.tracking_carrier,
             'tracking_url', c.tracking_url, 'actor_type', c.actor_type, 'actor_id', c.actor_id,
             'actor_label', c.actor_label, 'created_at', c.created_at) order by c.created_at, c.id) as history
      from order_status_changes c where c.order_id = o.id and c.brand_id = o.brand_id) h on true`;

/**
 * The orders `inner` selects (ORDER_COLUMNS and o.brand_id, as `o`), with the children `parts` asks for, in `orderBy`.
 * The children are read after the limit, for the rows of the page only.
 */
function withParts(inner: string, parts: OrderParts, orderBy = '', extra = { columns: '', joins: '' }): string {
  return `select o.*${parts.items ? ', i.items' : ''}${parts.history ? ', h.history' : ''}${extra.columns}
    from (${inner}) o ${parts.items ? ITEMS_JSON : ''} ${parts.history ? HISTORY_JSON : ''} ${extra.joins} ${orderBy}`;
}

function toItemRecord(r: Row, orderId: string, currency: CurrencyCode): OrderItemRecord {
  return {
    id: r.id,
    orderId,
    productId: r.product_id,
    sku: r.sku,
    name: r.name,
    unitPrice: money(r.unit_price, currency),
    quantity: r.quantity,
    discount: money(r.discount, currency),
    tax: money(r.tax, currency),
    total: money(r.total, currency),
    customization: r.customization,
  };
}

function toHistoryRecord(r: Row, orderId: string): OrderStatusChangeRecord {
  return {
    id: r.id,
    orderId,
    kind: r.kind,
    from: r.from_value,
    to: r.to_value,
    note: r.note,
    tracking:
      r.tracking_number || r.tracking_carrier || r.tracking_url
        ? { number: r.tracking_number, carrier: r.tracking_carrier, url: r.tracking_url }
        : null,
    actor: { type: r.actor_type, id: r.actor_id, label: r.actor_label },
    createdAt: new Date(r.created_at),
  };
}

/** A row of `orders` (all columns, as PostgreSQL returns them) as the read model; also what a create returns. */
export function toOrderRecord(r: Row): OrderRecord {
  const currency = r.currency as CurrencyCode;
  const record = toOrderFields(r, currency);
  if (r.items !== undefined) record.items = (r.items ?? []).map((item: Row) => toItemRecord(item, r.id, currency));
  if (r.history !== undefined) record.statusHistory = (r.history ?? []).map((change: Row) => toHistoryRecord(change, r.id));
  return record;
}

function toOrderFields(r: Row, currency: CurrencyCode): OrderRecord {
  return {
    id: r.id,
    number: r.number,
    seq: Number(r.seq),
    status: r.status,
    paymentStatus: r.payment_status,
    currency,
    subtotal: money(r.subtotal, currency),
    discountTotal: money(r.discount_total, currency),
    shippingTotal: money(r.shipping_total, currency),
    taxTotal: money(r.tax_total, currency),
    total: money(r.total, currency),
    refundedTotal: money(r.refunded_total, currency),
    discountCode: r.discount_code,
    customer: { email: r.customer_email, name: r.customer_name, phone: r.customer_phone },
    shippingAddress: r.shipping_address,
    trackingNumber: r.tracking_number,
    trackingCarrier: r.tracking_carrier,
    trackingUrl: r.tracking_url,
    paymentMethod: r.payment_method,
    paymentReference: r.payment_reference,
    attention: r.attention,
    source: r.source,
    checkoutRef: r.checkout_ref,
    stripeCheckoutSessionId: r.stripe_checkout_session_id,
    stripePaymentIntentId: r.stripe_payment_intent_id,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
    paidAt: r.paid_at ? new Date(r.paid_at) : null,
    cancelledAt: r.cancelled_at ? new Date(r.cancelled_at) : null,
  };
}

export async function findOrderById(scope: SqlScope, id: string, parts: OrderParts = {}): Promise<OrderRecord | null> {
  const rows = await scopedSql(
    scope,
    withParts(`select ${ORDER_COLUMNS}, o.brand_id from orders o where o.brand_id = ? and o.id = ?`, parts),
    [parseId(id)],
  );
  return rows[0] ? toOrderRecord(rows[0]) : null;
}

export async function findOrderByNumber(scope: SqlScope, number: string, parts: OrderParts = {}): Promise<OrderRecord | null> {
  const rows = await scopedSql(
    scope,
    withParts(`select ${ORDER_COLUMNS}, o.brand_id from orders o where o.brand_id = ? and o.number = ?`, parts),
    [number.trim().toUpperCase()],
  );
  return rows[0] ? toOrderRecord(rows[0]) : null;
}

/** A cursor's sort value as the column needs it (a valid date, or a safe integer), or null when it is forged or broken. */
function cursorValue(sort: SortSpec, value: unknown): Date | number | null {
  if (sort.column === 'created_at') return cursorDate(value);
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : null;
}

export interface OrderPage {
  nodes: OrderRecord[];
  cursors: string[];
  pageInfo: PageInfo;
  totalCount: () => Promise<number>;
}

export async function listOrders(
  scope: SqlScope,
  args: PageArgs & { filter?: OrderFilter | null; sort?: OrderSort | null },
  parts: OrderParts & { totalCount?: boolean } = {},
): Promise<OrderPage> {
  const request = pageRequest(args);
  const sortName = args.sort ?? 'CREATED_AT_DESC';
  const sort = SORTS[sortName];
  const { clauses, params } = filterClauses(args.filter);
  const countClauses = [...clauses];
  const countParams = [...params];

  // Walking backwards reads the same order reversed, then flips the page back.
  const descending = sort.descending !== request.backward;
  if (request.cursor) {
    const field = request.backward ? 'before' : 'after';
    const [sortTag, value, id] = decodeCursor(request.cursor, field);
    const position = sortTag === sortName ? cursorValue(sort, value) : null;
    if (position === null || typeof id !== 'string') throw badInput(field, 'is not a cursor of this sort');
    clauses.push(`(o.${sort.column}, o.id) ${descending ? '<' : '>'} (?, ?)`);
    params.push(position, parseId(id, field));
  }
  const direction = descending ? 'desc' : 'asc';
  const where = ['o.brand_id = ?', ...clauses].join(' and ');
  const orderBy = `order by o.${sort.column} ${direction}, o.id ${direction}`;
  // The unfiltered total is the brand's counter: read in the same statement when asked (a page past the end has no
  // row to carry it, and then reads it alone).
  const counterInline = parts.totalCount === true && countClauses.length === 0;
  const rows = await scopedSql(
    scope,
    withParts(
      `select ${ORDER_COLUMNS}, o.brand_id from orders o where ${where} ${orderBy} limit ?`,
      parts,
      orderBy,
      counterInline ? { columns: ', b.order_count', joins: 'cross join (select order_count from brands where id = ?) b' } : undefined,
    ),
    [...params, request.size + 1, ...(counterInline ? [scope.brandId] : [])],
  );
  const page = toPage(rows.map(toOrderRecord), request, (o) => encodeCursor([sortName, sort.valueOf(o), o.id]));
  let count: Promise<number> | null = counterInline && rows.length > 0 ? Promise.resolve(Number(rows[0].order_count)) : null;
  const countOrders = () =>
    countClauses.length === 0
      ? scopedSql<{ order_count: number }>(scope, 'select order_count from brands where id = ?').then(
          (r) => Number(r[0].order_count),
        )
      : scopedSql<{ count: string }>(
          scope,
          `select count(*) as count from orders o where ${['o.brand_id = ?', ...countClauses].join(' and ')}`,
          countParams,
        ).then((r) => Number(r[0].count));
  // Not spread: `cursors` is computed when first read.
  return Object.assign(page, { totalCount: () => (count ??= countOrders()) });
}

export async function loadOrderItems(scope: SqlScope, orderIds: readonly string[]): Promise<OrderItemRecord[][]> {
  const rows = await scopedSql(
    scope,
    `select ${ITEM_FIELDS}, i.order_id, o.currency
       from order_items i join orders o on o.id = i.order_id
      where i.brand_id = ? and i.order_id = any(?::uuid[])
      order by i.order_id, i.position`,
    [pgArray(orderIds)],
  );
  const byOrder = new Map<string, OrderItemRecord[]>(orderIds.map((id) => [id, []]));
  for (const r of rows) byOrder.get(r.order_id)?.push(toItemRecord(r, r.order_id, r.currency));
  return orderIds.map((id) => byOrder.get(id) ?? []);
}

export async function loadOrderHistory(
  scope: SqlScope,
  orderIds: readonly string[],
): Promise<OrderStatusChangeRecord[][]> {
  const rows = await scopedSql(
    scope,
    `select ${HISTORY_FIELDS}, c.order_id
       from order_status_changes c
      where c.brand_id = ? and c.order_id = any(?::uuid[])
      order by c.order_id, c.created_at, c.id`,
    [pgArray(orderIds)],
  );
  const byOrder = new Map<string, OrderStatusChangeRecord[]>(orderIds.map((id) => [id, []]));
  for (const r of rows) byOrder.get(r.order_id)?.push(toHistoryRecord(r, r.order_id));
  return orderIds.map((id) => byOrder.get(id) ?? []);
}
