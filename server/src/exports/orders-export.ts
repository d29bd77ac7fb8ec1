import { badInput } from '../errors';
import { ORDER_STATUSES, PAYMENT_STATUSES, type OrderStatus, type PaymentStatus } from '../orders/order-lifecycle';
import { filterClauses, type OrderFilter } from '../orders/order-filter';
import { parseId } from '../shared/ids';
import { toDecimalString, type CurrencyCode } from '../shared/money';
import type { RequestContext } from '../shared/request-context';
import { pgArray, scopedSql } from '../shared/sql';
import { CsvNumber, csvRow, type CsvCell } from './csv';

/**
 * The accounting export of orders: the same filters as the `orders` query (as query parameters), oldest first, one row
 * per order or (`lines=1`) one per item. Read in keyset batches of (created_at, id), so any number of orders streams
 * with memory for one batch; each order appears once, as it is when its batch is read.
 */
export const EXPORT_BATCH_SIZE = 500;

export interface OrdersExportRequest {
  filter: OrderFilter;
  lines: boolean;
}

type Query = Record<string, unknown>;

/** A query parameter given once or repeated (`status=PAID&status=SHIPPED`), or comma-separated (`status=PAID,SHIPPED`). */
function listParam(query: Query, name: string): string[] {
  const raw = query[name];
  const values = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map(String);
  return values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

function oneParam(query: Query, name: string): string | null {
  const raw = query[name];
  if (raw === undefined) return null;
  if (typeof raw !== 'string') throw badInput(name, 'must be given once');
  return raw.trim() || null;
}

function enumList<T extends string>(query: Query, name: string, allowed: readonly T[]): T[] | null {
  const values = listParam(query, name);
  for (const value of values) {
    if (!(allowed as readonly string[]).includes(value)) throw badInput(name, `${value} is not one of ${allowed.join(', ')}`);
  }
  return values.length ? (values as T[]) : null;
}

function dateParam(query: Query, name: string): Date | null {
  const raw = oneParam(query, name);
  if (raw === null) return null;
  const date = new Date(raw);
  if (Number.isNaN(date.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(raw)) throw badInput(name, 'must be an ISO-8601 date-time');
  return date;
}

/** Reads `status`, `paymentStatus`, `search`, `createdAfter`, `createdBefore`, `productId` and `lines` (1/true). */
export function parseOrdersExportQuery(query: Query): OrdersExportRequest {
  const productId = oneParam(query, 'productId');
  const lines = oneParam(query, 'lines');
  if (lines !== null && !['0', '1', 'true', 'false'].includes(lines)) throw badInput('lines', 'must be 1 or 0');
  return {
    filter: {
      status: enumList<OrderStatus>(query, 'status', ORDER_STATUSES),
      paymentStatus: enumList<PaymentStatus>(query, 'paymentStatus', PAYMENT_STATUSES),
      search: oneParam(query, 'search'),
      createdAfter: dateParam(query, 'createdAfter'),
      createdBefore: dateParam(query, 'createdBefore'),
      productId: productId === null ? null : parseId(productId, 'productId'),
    },
    lines: lines === '1' || lines === 'true',
  };
}

const MONEY_COLUMNS = ['subtotal', 'discount_total', 'shipping_total', 'tax_total', 'total', 'refunded_total'] as const;

const ORDER_HEADER = [
  'order_id', 'number', 'created_at', 'status', 'payment_status', 'currency',
  ...MONEY_COLUMNS.flatMap((c) => [`${c}_minor`, c]),
  'discount_code', 'customer_email', 'customer_name', 'source', 'paid_at', 'cancelled_at',
];
const LINE_HEADER = [
  'order_id', 'number', 'created_at', 'status', 'payment_status', 'currency',
  'line', 'product_id', 'sku', 'name', 'quantity',
  ...['unit_price', 'discount', 'tax', 'total'].flatMap((c) => [`line_${c}_minor`, `line_${c}`]),
];

/** An exact amount as two cells: minor units, and the decimal string of toDecimalString (never a float). */
function money(amount: string | number, currency: CurrencyCode): CsvCell[] {
  const minor = String(amount);
  return [new CsvNumber(minor), new CsvNumber(toDecimalString(Number(minor), currency))];
}

export function ordersHeader(request: OrdersExportRequest): string {
  return csvRow(request.lines ? LINE_HEADER : ORDER_HEADER);
}

/**
 * The export's CSV rows, one batch (a string of up to EXPORT_BATCH_SIZE orders' rows) at a time; the caller writes
 * each before asking for the next, so a slow reader slows the reading of the database down instead of filling memory.
 */
export async function* ordersCsvBatches(ctx: RequestContext, request: OrdersExportRequest): AsyncGenerator<string> {
  const base = filterClauses(request.filter);
  let position: { createdAt: Date; id: string } | null = null;
  for (;;) {
    const clauses = [...base.clauses];
    const params = [...base.params];
    if (position) {
      clauses.push('(o.created_at, o.id) > (?, ?)');
      params.push(position.createdAt, position.id);
    }
    const rows = await scopedSql(
      ctx,
      `select o.id, o.number, o.created_at, o.status, o.payment_status, o.currency, o.subtotal, o.discount_total,
              o.shipping_total, o.tax_total, o.total, o.refunded_total, o.discount_code, o.customer_email,
              o.customer_name, o.source, o.paid_at, o.cancelled_at
         from orders o
        where ${['o.brand_id = ?', ...clauses].join(' and ')}
        order by o.created_at, o.id
        limit ?`,
      [...params, EXPORT_BATCH_SIZE],
    );
    if (rows.length === 0) return;
    let chunk = '';
    if (request.lines) {
      const items = await scopedSql(
        ctx,
        `select i.order_id, i.product_id, i.sku, i.name, i.quantity, i.unit_price, i.discount, i.tax, i.total
           from order_items i
          where i.brand_id = ? and i.order_id = any(?::uuid[])
          order by i.order_id, i.position`,
        [pgArray(rows.map((r) => r.id))],
      );
      const byOrder = new Map<string, Record<string, any>[]>();
      for (const item of items) {
        const list = byOrder.get(item.order_id);
        if (list) list.push(item);
        else byOrder.set(item.order_id, [item]);
      }
      for (const r of rows) {
        const head = [r.id, r.number, new Date(r.created_at), r.status, r.payment_status, r.currency];
        (byOrder.get(r.id) ?? []).forEach((item, position) => {
          chunk += csvRow([
            ...head,
            position + 1, item.product_id, item.sku, item.name, item.quantity,
            ...money(item.unit_price, r.currency),
            ...money(item.discount, r.currency),
            ...money(item.tax, r.currency),
            ...money(item.total, r.currency),
          ]);
        });
      }
    } else {
      for (const r of rows) {
        chunk += csvRow([
          r.id, r.number, new Date(r.created_at), r.status, r.payment_status, r.currency,
          ...MONEY_COLUMNS.flatMap((c) => money(r[c], r.currency)),
          r.discount_code, r.customer_email, r.customer_name, r.source,
          r.paid_at ? new Date(r.paid_at) : null, r.cancelled_at ? new Date(r.cancelled_at) : null,
        ]);
      }
    }
    yield chunk;
    const last = rows[rows.length - 1];
    position = { createdAt: new Date(last.created_at), id: last.id };
    if (rows.length < EXPORT_BATCH_SIZE) return;
  }
}
