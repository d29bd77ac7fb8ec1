import { PAID_PAYMENT_STATUSES } from '../orders/order-lifecycle';
import type { CurrencyCode } from '../shared/money';
import type { RequestContext } from '../shared/request-context';
import { pgArray, scopedSql } from '../shared/sql';

/**
 * Reads of the stats rollup (migration 20261203100000_stats_rollup): per UTC hour (series) and per UTC day (breakdowns,
 * product sales), kept exact by triggers on orders and order_items. A range's whole hours or days come from the rollup;
 * the parts its edges cut (range ends, and bucket starts that fall inside an hour, such as midnight in Asia/Kolkata) come
 * from the orders themselves, through the (brand_id, created_at) index. Each result is what the same SQL over the orders
 * in range would give: groups whose orders all went away are dropped (`having … > 0`), as they would be.
 */
const PAID = pgArray(PAID_PAYMENT_STATUSES);
const DAY_MS = 86_400_000;

export interface RollupWindow {
  from: Date;
  to: Date;
}

/** The whole UTC days inside [from, to), and the edges that the rollup's days do not cover. */
function dayCover({ from, to }: RollupWindow) {
  const firstDay = new Date(Math.ceil(from.getTime() / DAY_MS) * DAY_MS);
  const endDay = new Date(Math.floor(to.getTime() / DAY_MS) * DAY_MS);
  if (firstDay >= endDay) return { days: [to, to], edges: [from, to, to, to] };
  return { days: [firstDay, endDay], edges: [from, firstDay, endDay, to] };
}

export interface BreakdownRow {
  by_currency: boolean;
  by_status: boolean;
  currency: CurrencyCode;
  status: string;
  payment_status: string;
  order_count: string;
  paid_count: string;
  gross: string;
  refunded: string;
}

/** Per currency (with money), per status and per payment status, in one pass. */
export function breakdownRows(ctx: RequestContext, window: RollupWindow): Promise<BreakdownRow[]> {
  const { days, edges } = dayCover(window);
  return scopedSql<BreakdownRow>(
    ctx,
    `with days as (
       select currency, status, payment_status, order_count, total, refunded_total
         from order_stats_daily where brand_id = ? and day >= ? and day < ?
     ), edges as (
       select currency, status, payment_status, 1 as order_count, total, refunded_total
         from orders where brand_id = ? and created_at >= ? and created_at < ?
       union all
       select currency, status, payment_status, 1, total, refunded_total
         from orders where brand_id = ? and created_at >= ? and created_at < ?
     ), in_range as (select * from days union all select * from edges)
     select grouping(currency) = 0 as by_currency, grouping(status) = 0 as by_status, currency, status, payment_status,
            sum(order_count) as order_count,
            coalesce(sum(order_count) filter (where payment_status = any(?::text[])), 0) as paid_count,
            coalesce(sum(total) filter (where payment_status = any(?::text[])), 0) as gross,
            coalesce(sum(refunded_total) filter (where payment_status = any(?::text[])), 0) as refunded
       from in_range group by grouping sets ((currency), (status), (payment_status))
     having sum(order_count) > 0
      order by currency, status, payment_status`,
    [...days, ctx.brandId, edges[0], edges[1], ctx.brandId, edges[2], edges[3], PAID, PAID, PAID],
  );
}

export interface SeriesRow {
  period_start: Date;
  currency: CurrencyCode;
  order_count: string;
  net: string;
}

/**
 * The series: buckets generated in local wall time (so DST days are 23 or 25 hours long), each cut to [from, to).
 * A bucket's whole UTC hours [a, z) come from the hourly rollup, its cut hours [s, a) and [z, e) from the orders.
 * `unit` is one of day/week/month (inlined: never user text).
 */
export function seriesRows(ctx: RequestContext, window: RollupWindow, unit: string, timeZone: string): Promise<SeriesRow[]> {
  const { from, to } = window;
  return scopedSql<SeriesRow>(
    ctx,
    `with hourly as not materialized (
       select hour, currency, order_count, paid_net from order_stats_hourly where brand_id = ?
     ), recent as not materialized (
       select created_at, currency, payment_status, total, refunded_total from orders where brand_id = ?
     ), buckets as (
       select local_start, greatest(local_start at time zone ?, ?::timestamptz) as s,
              least((local_start + interval '1 ${unit}') at time zone ?, ?::timestamptz) as e
         from generate_series(date_trunc('${unit}', ?::timestamptz at time zone ?), ?::timestamptz at time zone ?,
                              interval '1 ${unit}') as local_start
        where local_start at time zone ? < ?
     ), spans as (
       select local_start, s, e, date_trunc('hour', e, 'UTC') as z,
              case when date_trunc('hour', s, 'UTC') = s then s else date_trunc('hour', s, 'UTC') + interval '1 hour' end as a
         from buckets
     ), parts as (
       select sp.local_start, h.currency, h.order_count, h.paid_net as net
         from spans sp join hourly h on h.hour >= sp.a and h.hour < sp.z
       union all
       select sp.local_start, o.currency, 1, case when o.payment_status = any(?::text[]) then o.total - o.refunded_total else 0 end
         from spans sp join recent o on o.created_at >= sp.s and o.created_at < least(sp.a, sp.e)
       union all
       select sp.local_start, o.currency, 1, case when o.payment_status = any(?::text[]) then o.total - o.refunded_total else 0 end
         from spans sp join recent o on o.created_at >= greatest(sp.a, sp.z) and o.created_at < sp.e
     ), per_bucket as (
       select local_start, currency, sum(order_count) as order_count, sum(net) as net from parts group by 1, 2
     ), currencies as (select distinct currency from per_bucket where order_count > 0)
     select (b.local_start at time zone ?) as period_start, c.currency,
            coalesce(p.order_count, 0) as order_count, coalesce(p.net, 0) as net
       from buckets b cross join currencies c
       left join per_bucket p on p.local_start = b.local_start and p.currency = c.currency
      order by 1, 2`,
    [ctx.brandId, timeZone, from, timeZone, to, from, timeZone, to, timeZone, timeZone, to, PAID, PAID, timeZone],
  );
}

export interface ProductSalesRow {
  product_id: string | null;
  sku: string;
  currency: CurrencyCode;
  name: string;
  quantity: string;
  revenue: string;
}

/**
 * Best sellers among paid orders: lines grouped by product, sku and currency, named by the product's current name, or by
 * the name the lines snapshotted when the product is gone (the greatest, among the lines still counted).
 */
export function productSalesRows(ctx: RequestContext, window: RollupWindow, limit: number): Promise<ProductSalesRow[]> {
  const { days, edges } = dayCover(window);
  return scopedSql<ProductSalesRow>(
    ctx,
    `with days as (
       select currency, product_id, sku, name, line_count, quantity, revenue
         from product_sales_daily where brand_id = ? and day >= ? and day < ?
     ), paid_edges as (
       select id, currency from orders
        where brand_id = ? and payment_status = any(?::text[]) and created_at >= ? and created_at < ?
       union all
       select id, currency from orders
        where brand_id = ? and payment_status = any(?::text[]) and created_at >= ? and created_at < ?
     ), lines as (
       select * from days
       union all
       select o.currency, i.product_id, i.sku, i.name, 1, i.quantity, i.total from paid_edges o join order_items i on i.order_id = o.id
     ), per_name as (
       select product_id, sku, currency, name, sum(quantity) as quantity, sum(revenue) as revenue
         from lines group by product_id, sku, currency, name having sum(line_count) > 0
     ), sales as (
       select product_id, sku, currency, max(name) as snapshot_name, sum(quantity) as quantity, sum(revenue) as revenue
         from per_name group by product_id, sku, currency
        order by quantity desc, revenue desc, sku
        limit ?
     )
     select s.product_id, s.sku, s.currency, coalesce(p.name, s.snapshot_name) as name, s.quantity, s.revenue
       from sales s left join products p on p.id = s.product_id
      order by s.quantity desc, s.revenue desc, s.sku`,
    [...days, ctx.brandId, PAID, edges[0], edges[1], ctx.brandId, PAID, edges[2], edges[3], limit],
  );
}
