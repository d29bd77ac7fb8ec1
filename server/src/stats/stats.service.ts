import { badInput } from '../errors';
import { PAID_PAYMENT_STATUSES, ORDER_STATUSES, PAYMENT_STATUSES, type OrderStatus, type PaymentStatus } from '../orders/order-lifecycle';
import { moneyValue as money, type CurrencyCode, type MoneyValue } from '../shared/money';
import type { RequestContext } from '../shared/request-context';
import { divideRoundHalfUp } from '../orders/pricing';
import { pgArray, scopedSql } from '../shared/sql';

/**
 * Order statistics, computed exactly in SQL over the orders created in [from, to).
 * Definitions (also in the README):
 * - an order is "paid" when its payment status is PAID, PARTIALLY_REFUNDED or REFUNDED;
 * - gross revenue = sum of paid orders' totals; refunded = sum of their refunded amounts; net = gross − refunded;
 * - average order value = gross / paid orders, rounded half up to the minor unit;
 * - series buckets start at local midnight (DAY), Monday (WEEK) or the 1st (MONTH) in `timeZone`;
 * - money is grouped by currency and never summed across currencies.
 */
export const STATS_INTERVALS = ['DAY', 'WEEK', 'MONTH'] as const;
export type StatsInterval = (typeof STATS_INTERVALS)[number];

const MAX_BUCKETS = 1000;
const APPROX_BUCKET_MS: Record<StatsInterval, number> = { DAY: 86_400_000, WEEK: 7 * 86_400_000, MONTH: 28 * 86_400_000 };

export interface StatsRange {
  from: Date;
  to: Date;
  interval: StatsInterval;
  timeZone: string;
}

export interface CurrencyStats {
  currency: CurrencyCode;
  orderCount: number;
  paidOrderCount: number;
  grossRevenue: MoneyValue;
  refunded: MoneyValue;
  netRevenue: MoneyValue;
  averageOrderValue: MoneyValue;
}

export interface StatsPoint {
  periodStart: Date;
  currency: CurrencyCode;
  orderCount: number;
  netRevenue: MoneyValue;
}

export interface ProductSales {
  productId: string | null;
  sku: string;
  name: string;
  quantity: number;
  revenue: MoneyValue;
}

export interface OrderStats {
  range: StatsRange;
  byCurrency: CurrencyStats[];
  byStatus: { status: OrderStatus; count: number }[];
  byPaymentStatus: { paymentStatus: PaymentStatus; count: number }[];
  series: StatsPoint[];
  topProducts: (limit: number) => Promise<ProductSales[]>;
}

function validTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

export function parseStatsRange(range: { from: Date; to: Date; interval?: StatsInterval | null; timeZone?: string | null }): StatsRange {
  const interval = range.interval ?? 'DAY';
  const timeZone = range.timeZone?.trim() || 'UTC';
  if (!(range.from instanceof Date) || Number.isNaN(range.from.getTime())) throw badInput('range.from', 'is not a valid date');
  if (!(range.to instanceof Date) || Number.isNaN(range.to.getTime())) throw badInput('range.to', 'is not a valid date');
  if (range.from >= range.to) throw badInput('range.to', 'must be after range.from');
  if (!validTimeZone(timeZone)) throw badInput('range.timeZone', `${timeZone} is not an IANA time zone`);
  if ((range.to.getTime() - range.from.getTime()) / APPROX_BUCKET_MS[interval] > MAX_BUCKETS) {
    throw badInput('range', `spans more than ${MAX_BUCKETS} ${interval.toLowerCase()}s; choose a larger interval`);
  }
  return { from: range.from, to: range.to, interval, timeZone };
}

const PAID = pgArray(PAID_PAYMENT_STATUSES);

/**
 * Every statistic reads this CTE, so the brand and the window are bound once, first, and in one place. Its columns are
 * exactly those of the covering index orders(brand_id, created_at) include (…), so it is read from the index alone.
 */
const IN_RANGE = `with in_range as (
  select created_at, currency, status, payment_status, total, refunded_total
    from orders where brand_id = ? and created_at >= ? and created_at < ?
)`;

export async function orderStats(
  ctx: RequestContext,
  rangeInput: Parameters<typeof parseStatsRange>[0],
): Promise<OrderStats> {
  const range = parseStatsRange(rangeInput);
  const window = [range.from, range.to];
  const unit = range.interval.toLowerCase(); // one of day/week/month: safe to inline
  const tz = range.timeZone;

  const [breakdownRows, seriesRows] = await Promise.all([
    // One pass for the three breakdowns: per currency (with money), per status, per payment status.
    scopedSql<any>(
      ctx,
      `${IN_RANGE}
       select grouping(currency) = 0 as by_currency, grouping(status) = 0 as by_status, currency, status, payment_status,
              count(*) as order_count,
              count(*) filter (where payment_status = any(?::text[])) as paid_count,
              coalesce(sum(total) filter (where payment_status = any(?::text[])), 0) as gross,
              coalesce(sum(refunded_total) filter (where payment_status = any(?::text[])), 0) as refunded
         from in_range group by grouping sets ((currency), (status), (payment_status))
        order by currency, status, payment_status`,
      [...window, PAID, PAID, PAID],
    ),
    // Buckets are generated in local wall time (so DST days are 23 or 25 hours long) and converted back to instants.
    scopedSql<any>(
      ctx,
      `${IN_RANGE}, buckets as (
         select generate_series(date_trunc('${unit}', ?::timestamptz at time zone ?),
                                ?::timestamptz at time zone ?, interval '1 ${unit}') as local_start
       ), per_bucket as (
         select date_trunc('${unit}', created_at at time zone ?) as local_start, currency, count(*) as order_count,
                coalesce(sum(total - refunded_total) filter (where payment_status = any(?::text[])), 0) as net
           from in_range group by 1, 2
       ), currencies as (select distinct currency from per_bucket)
       select (b.local_start at time zone ?) as period_start, c.currency,
              coalesce(p.order_count, 0) as order_count, coalesce(p.net, 0) as net
         from buckets b cross join currencies c
         left join per_bucket p on p.local_start = b.local_start and p.currency = c.currency
        where (b.local_start at time zone ?) < ?
        order by 1, 2`,
      [...window, range.from, tz, range.to, tz, tz, PAID, tz, tz, range.to],
    ),
  ]);

  const currencyRows = breakdownRows.filter((r) => r.by_currency);
  const statusRows = breakdownRows.filter((r) => r.by_status);
  const paymentRows = breakdownRows.filter((r) => !r.by_currency && !r.by_status);
  const byCurrency: CurrencyStats[] = currencyRows.map((r) => {
    const currency = r.currency as CurrencyCode;
    const paidCount = Number(r.paid_count);
    const gross = BigInt(r.gross);
    const refunded = BigInt(r.refunded);
    return {
      currency,
      orderCount: Number(r.order_count),
      paidOrderCount: paidCount,
      grossRevenue: money(r.gross, currency),
      refunded: money(r.refunded, currency),
      netRevenue: money((gross - refunded).toString(), currency),
      averageOrderValue: money(paidCount ? divideRoundHalfUp(gross, BigInt(paidCount)).toString() : 0, currency),
    };
  });

  const statusCounts = new Map(statusRows.map((r) => [r.status, Number(r.order_count)]));
  const paymentCounts = new Map(paymentRows.map((r) => [r.payment_status, Number(r.order_count)]));

  return {
    range,
    byCurrency,
    byStatus: ORDER_STATUSES.map((status) => ({ status, count: statusCounts.get(status) ?? 0 })),
    byPaymentStatus: PAYMENT_STATUSES.map((paymentStatus) => ({
      paymentStatus,
      count: paymentCounts.get(paymentStatus) ?? 0,
    })),
    series: seriesRows.map((r) => ({
      periodStart: new Date(r.period_start),
      currency: r.currency,
      orderCount: Number(r.order_count),
      netRevenue: money(r.net, r.currency),
    })),
    topProducts: (limit) => topProducts(ctx, range, limit),
  };
}

/** Best sellers among paid orders in the range, by units sold, per currency (revenue is never mixed across currencies). */
export async function topProducts(ctx: RequestContext, range: StatsRange, limit: number): Promise<ProductSales[]> {
  if (!Number.isInteger(limit) || limit < 1 || limit > 50) throw badInput('limit', 'must be between 1 and 50');
  // Aggregate by hash first (no per-group sort), then name each product by its current catalog name, or by the name
  // the order snapshotted when the product is gone.
  const rows = await scopedSql<any>(
    ctx,
    `with paid as (
       select id, currency from orders
        where brand_id = ? and created_at >= ? and created_at < ? and payment_status = any(?::text[])
     ), sales as (
       select i.product_id, i.sku, o.currency, max(i.name) as snapshot_name,
              sum(i.quantity) as quantity, sum(i.total) as revenue
         from paid o join order_items i on i.order_id = o.id
        group by i.product_id, i.sku, o.currency
        order by quantity desc, revenue desc, i.sku
        limit ?
     )
     select s.product_id, s.sku, s.currency, coalesce(p.name, s.snapshot_name) as name, s.quantity, s.revenue
       from sales s left join products p on p.id = s.product_id
      order by s.quantity desc, s.revenue desc, s.sku`,
    [range.from, range.to, PAID, limit],
  );
  return rows.map((r) => ({
    productId: r.product_id,
    sku: r.sku,
    name: r.name,
    quantity: Number(r.quantity),
    revenue: money(r.revenue, r.currency),
  }));
}
