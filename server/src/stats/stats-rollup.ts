import { PAID_PAYMENT_STATUSES } from '../orders/order-lifecycle';
import type { CurrencyCode } from '../shared/money';
import type { RequestContext } from '../shared/request-context';
import { pgArray, scopedSql } from '../shared/sql';

/**
 * Reads of the stats rollup (migration 20261203100000_stats_rollup), kept exact by triggers on orders and order_items.
 * Each window [s, e) is split by `stats_pieces` into whole UTC days (read from the daily rollup), whole UTC hours at its
 * ends (the hourly rollup) and the cut hours at its very ends (the orders themselves, through the (brand_id, created_at)
 * index): a year reads about 365 daily groups, not 200,000 orders, and a bucket that starts at a half-hour (midnight in
 * Asia/Kolkata) or a range cut to the millisecond is still exact. Each result is what the same SQL over the orders in
 * range would give: groups whose orders all went away are dropped (`having … > 0`), as they would be.
 */
const PAID = pgArray(PAID_PAYMENT_STATUSES);

export interface RollupWindow {
  from: Date;
  to: Date;
}

/**
 * The brand's orders at three grains, each with `at` (the instant, hour or day) and the same columns. Its three
 * placeholders are the brand (the first is bound by scopedSql).
 */
const ORDER_GRAINS = `daily as not materialized (
    select day as at, currency, status, payment_status, order_count, total, refunded_total
      from order_stats_daily where brand_id = ?
  ), hourly as not materialized (
    select hour as at, currency, status, payment_status, order_count, total, refunded_total
      from order_stats_hourly where brand_id = ?
  ), raw as not materialized (
    select created_at as at, currency, status, payment_status, 1 as order_count, total, refunded_total
      from orders where brand_id = ?
  )`;

/**
 * Rows of the three grains that fall in `pieces` (tier, lo, hi), with the piece's `keep` columns. Each grain is read
 * per piece (LATERAL … OFFSET 0 keeps it a range scan of its index per piece, never a scan of the brand's rows).
 */
function inPieces(pieces: string, keep: string): string {
  const grains = [['day', 'daily'], ['hour', 'hourly'], ['raw', 'raw']];
  return grains
    .map(([tier, grain]) => `select ${keep}, r.* from ${pieces} p
      cross join lateral (select * from ${grain} g where g.at >= p.lo and g.at < p.hi offset 0) r where p.tier = '${tier}'`)
    .join('\n union all\n');
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
export function breakdownRows(ctx: RequestContext, { from, to }: RollupWindow): Promise<BreakdownRow[]> {
  return scopedSql<BreakdownRow>(
    ctx,
    `with ${ORDER_GRAINS}, pieces as (select * from stats_pieces(?, ?)),
     in_range as (${inPieces('pieces', 'p.tier')})
     select grouping(currency) = 0 as by_currency, grouping(status) = 0 as by_status, currency, status, payment_status,
            sum(order_count) as order_count,
            coalesce(sum(order_count) filter (where payment_status = any(?::text[])), 0) as paid_count,
            coalesce(sum(total) filter (where payment_status = any(?::text[])), 0) as gross,
            coalesce(sum(refunded_total) filter (where payment_status = any(?::text[])), 0) as refunded
       from in_range group by grouping sets ((currency), (status), (payment_status))
     having sum(order_count) > 0
      order by currency, status, payment_status`,
    [ctx.brandId, ctx.brandId, from, to, PAID, PAID, PAID],
  );
}

export interface SeriesRow {
  period_start: Date;
  currency: CurrencyCode;
  order_count: string;
  net: string;
}

/**
 * The series: buckets generated in local wall time (so DST days are 23 or 25 hours long), each cut to [from, to) and
 * read piece by piece. `unit` is one of day/week/month (inlined: never user text).
 */
export function seriesRows(ctx: RequestContext, { from, to }: RollupWindow, unit: string, timeZone: string): Promise<SeriesRow[]> {
  return scopedSql<SeriesRow>(
    ctx,
    `with ${ORDER_GRAINS}, buckets as (
       select local_start, greatest(local_start at time zone ?, ?::timestamptz) as s,
              least((local_start + interval '1 ${unit}') at time zone ?, ?::timestamptz) as e
         from generate_series(date_trunc('${unit}', ?::timestamptz at time zone ?), ?::timestamptz at time zone ?,
                              interval '1 ${unit}') as local_start
        where local_start at time zone ? < ?
     ), pieces as (
       select b.local_start, p.* from buckets b cross join lateral stats_pieces(b.s, b.e) p
     ), parts as (${inPieces('pieces', 'p.local_start')}
     ), per_bucket as (
       select local_start, currency, sum(order_count) as order_count,
              coalesce(sum(total - refunded_total) filter (where payment_status = any(?::text[])), 0) as net
         from parts group by 1, 2
     ), currencies as (select distinct currency from per_bucket where order_count > 0)
     select (b.local_start at time zone ?) as period_start, c.currency,
            coalesce(p.order_count, 0) as order_count, coalesce(p.net, 0) as net
       from buckets b cross join currencies c
       left join per_bucket p on p.local_start = b.local_start and p.currency = c.currency
      order by 1, 2`,
    [ctx.brandId, ctx.brandId, timeZone, from, timeZone, to, from, timeZone, to, timeZone, timeZone, to, PAID, timeZone],
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
export function productSalesRows(ctx: RequestContext, { from, to }: RollupWindow, limit: number): Promise<ProductSalesRow[]> {
  return scopedSql<ProductSalesRow>(
    ctx,
    `with daily as not materialized (
       select day as at, currency, product_id, sku, name, line_count, quantity, revenue
         from product_sales_daily where brand_id = ?
     ), hourly as not materialized (
       select hour as at, currency, product_id, sku, name, line_count, quantity, revenue
         from product_sales_hourly where brand_id = ?
     ), raw as not materialized (
       select o.created_at as at, o.currency, i.product_id, i.sku, i.name, 1 as line_count, i.quantity, i.total as revenue
         from orders o join order_items i on i.order_id = o.id
        where o.brand_id = ? and o.payment_status = any(?::text[])
     ), pieces as (select * from stats_pieces(?, ?)),
     lines as (${inPieces('pieces', 'p.tier')}
     ), per_name as (
       select product_id, sku, currency, name, sum(quantity) as quantity, sum(revenue) as revenue
         from lines group by product_id, sku, currency, name having sum(line_count) > 0
     ), sales as (
       select product_id, sku, currency, max(name) as snapshot_name, sum(quantity) as quantity, sum(revenue) as revenue
         from per_name group by product_id, sku, currency
        order by quantity desc, revenue desc, sku, currency, product_id
        limit ?
     )
     select s.product_id, s.sku, s.currency, coalesce(p.name, s.snapshot_name) as name, s.quantity, s.revenue
       from sales s left join products p on p.id = s.product_id
      order by s.quantity desc, s.revenue desc, s.sku, s.currency, s.product_id`,
    [ctx.brandId, ctx.brandId, PAID, from, to, limit],
  );
}
