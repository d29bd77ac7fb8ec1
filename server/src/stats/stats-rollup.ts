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

/** A CTE's text and its placeholders' values, in order. */
type Cte = [sql: string, params: unknown[]];

/** The brand's orders at three grains, each with `at` (the instant, hour or day) and the same columns. */
const orderGrains = (brandId: string): Cte => [
  `o_daily as not materialized (
    select day as at, currency, status, payment_status, order_count, total, refunded_total
      from order_stats_daily where brand_id = ?
  ), o_hourly as not materialized (
    select hour as at, currency, status, payment_status, order_count, total, refunded_total
      from order_stats_hourly where brand_id = ?
  ), o_raw as not materialized (
    select created_at as at, currency, status, payment_status, 1 as order_count, total, refunded_total
      from orders where brand_id = ?
  )`,
  [brandId, brandId, brandId],
];

/** The brand's lines of paid orders at the same three grains. */
const productGrains = (brandId: string): Cte => [
  `p_daily as not materialized (
    select day as at, currency, product_id, sku, name, line_count, quantity, revenue
      from product_sales_daily where brand_id = ?
  ), p_hourly as not materialized (
    select hour as at, currency, product_id, sku, name, line_count, quantity, revenue
      from product_sales_hourly where brand_id = ?
  ), p_raw as not materialized (
    select o.created_at as at, o.currency, i.product_id, i.sku, i.name, 1 as line_count, i.quantity, i.total as revenue
      from orders o join order_items i on i.order_id = o.id
     where o.brand_id = ? and o.payment_status = any(?::text[])
  )`,
  [brandId, brandId, brandId, PAID],
];

/**
 * Rows of the three grains (`o_` orders, `p_` product sales) that fall in `pieces` (tier, lo, hi), with the piece's
 * `keep` columns. Each grain is read per piece (LATERAL … OFFSET 0 keeps it a range scan of its index per piece, never
 * a scan of the brand's rows).
 */
function inPieces(pieces: string, keep: string, grains: 'o' | 'p'): string {
  const tiers = [['day', 'daily'], ['hour', 'hourly'], ['raw', 'raw']];
  return tiers
    .map(([tier, grain]) => `select ${keep}, r.* from ${pieces} p
      cross join lateral (select * from ${grains}_${grain} g where g.at >= p.lo and g.at < p.hi offset 0) r where p.tier = '${tier}'`)
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

export interface SeriesRow {
  period_start: string;
  currency: CurrencyCode;
  order_count: string;
  net: string;
}

export interface ProductSalesRow {
  product_id: string | null;
  sku: string;
  currency: CurrencyCode;
  name: string;
  quantity: string;
  revenue: string;
}

/** The range's pieces, read by the breakdowns and the best sellers. */
const rangePieces = ({ from, to }: RollupWindow): Cte => [`range_pieces as (select * from stats_pieces(?, ?))`, [from, to]];

/**
 * Per currency (with money), per status and per payment status, in one pass over `rows`: the orders' rows in the range,
 * at their grains.
 */
function breakdown(rows: string): Cte {
  return [
    `breakdown as (
       select grouping(currency) = 0 as by_currency, grouping(status) = 0 as by_status, currency, status, payment_status,
              sum(order_count)::text as order_count,
              coalesce(sum(order_count) filter (where payment_status = any(?::text[])), 0)::text as paid_count,
              coalesce(sum(total) filter (where payment_status = any(?::text[])), 0)::text as gross,
              coalesce(sum(refunded_total) filter (where payment_status = any(?::text[])), 0)::text as refunded
         from ${rows} in_range
        group by grouping sets ((currency), (status), (payment_status))
       having sum(order_count) > 0
     )`,
    [PAID, PAID, PAID],
  ];
}

/**
 * The series: buckets generated in local wall time (so DST days are 23 or 25 hours long), each cut to [from, to) and
 * read piece by piece. `unit` is one of day/week/month (inlined: never user text).
 */
function series({ from, to }: RollupWindow, unit: string, timeZone: string): Cte {
  return [
    `buckets as (
       select local_start, greatest(local_start at time zone ?, ?::timestamptz) as s,
              least((local_start + interval '1 ${unit}') at time zone ?, ?::timestamptz) as e
         from generate_series(date_trunc('${unit}', ?::timestamptz at time zone ?), ?::timestamptz at time zone ?,
                              interval '1 ${unit}') as local_start
        where local_start at time zone ? < ?
     ), bucket_pieces as (
       select b.local_start, p.* from buckets b cross join lateral stats_pieces(b.s, b.e) p
     ), parts as (${inPieces('bucket_pieces', 'p.local_start', 'o')}
     ), per_bucket as (
       select local_start, currency, sum(order_count) as order_count,
              coalesce(sum(total - refunded_total) filter (where payment_status = any(?::text[])), 0) as net
         from parts group by 1, 2
     ), currencies as (select distinct currency from per_bucket where order_count > 0
     ), series as (
       select (b.local_start at time zone ?) as period_start, c.currency,
              coalesce(p.order_count, 0)::text as order_count, coalesce(p.net, 0)::text as net
         from buckets b cross join currencies c
         left join per_bucket p on p.local_start = b.local_start and p.currency = c.currency
     )`,
    [timeZone, from, timeZone, to, from, timeZone, to, timeZone, timeZone, to, PAID, timeZone],
  ];
}

/**
 * Best sellers among paid orders: lines grouped by product, sku and currency, named by the product's current name, or by
 * the name the lines snapshotted when the product is gone (the greatest, among the lines still counted).
 */
function topProducts(limit: number): Cte {
  return [
    `lines as (${inPieces('range_pieces', 'p.tier', 'p')}
     ), per_name as (
       select product_id, sku, currency, name, sum(quantity) as quantity, sum(revenue) as revenue
         from lines group by product_id, sku, currency, name having sum(line_count) > 0
     ), sales as (
       select product_id, sku, currency, max(name) as snapshot_name, sum(quantity) as quantity, sum(revenue) as revenue
         from per_name group by product_id, sku, currency
        order by quantity desc, revenue desc, sku, currency, product_id
        limit ?
     ), top_products as (
       select s.product_id, s.sku, s.currency, coalesce(p.name, s.snapshot_name) as name, s.quantity::text,
              s.revenue::text
         from sales s left join products p on p.id = s.product_id
     )`,
    [limit],
  ];
}

// Ties (one product selling the same in both currencies) are ranked by sku, currency and product, so the order is stable.
const TOP_PRODUCTS_ORDER = 'quantity::numeric desc, revenue::numeric desc, sku, currency, product_id';

/**
 * One statement of these CTEs and `select`, for the brand. The grains come first, so the first placeholder is the brand
 * and scopedSql binds it.
 */
function scopedStatement<T>(ctx: RequestContext, ctes: Cte[], select: string): Promise<T[]> {
  const [, ...params] = ctes.flatMap(([, values]) => values);
  return scopedSql<T>(ctx, `with ${ctes.map(([sql]) => sql).join(',\n')}\n${select}`, params);
}

/** What one statement reads: each part only when asked for; `topProducts` is the best sellers' limit. */
export interface StatsReads {
  breakdowns: boolean;
  series: { unit: string; timeZone: string } | null;
  topProducts: number | null;
}

export interface StatsRows {
  breakdown: BreakdownRow[];
  series: SeriesRow[];
  topProducts: ProductSalesRow[];
}

/**
 * The breakdowns, the series and the best sellers in ONE statement (each a CTE aggregated into a JSON column; at c=1
 * every round trip is latency). Sums travel as text, so money never goes through a JSON number. The CTEs of parts not
 * asked for are left unreferenced, and PostgreSQL neither plans nor runs those.
 */
export async function statsRows(ctx: RequestContext, window: RollupWindow, reads: StatsReads): Promise<StatsRows> {
  const json = (wanted: unknown, table: string, order: string) =>
    wanted ? `(select coalesce(json_agg(t order by ${order}), '[]') from ${table} t)` : `'[]'::json`;
  const [row] = await scopedStatement<StatsRows>(
    ctx,
    [
      orderGrains(ctx.brandId),
      productGrains(ctx.brandId),
      rangePieces(window),
      series(window, reads.series?.unit ?? 'day', reads.series?.timeZone ?? 'UTC'),
      // The series' buckets, cut to the range, cover it exactly once: with the series, the breakdowns sum its parts
      // rather than read the same rollup rows again.
      breakdown(reads.series ? 'parts' : `(${inPieces('range_pieces', 'p.tier', 'o')})`),
      topProducts(reads.topProducts ?? 1),
    ],
    `select ${json(reads.breakdowns, 'breakdown', 'currency, status, payment_status')} as breakdown,
            ${json(reads.series, 'series', 'period_start, currency')} as series,
            ${json(reads.topProducts, 'top_products', TOP_PRODUCTS_ORDER)} as "topProducts"`,
  );
  return row;
}

/** The best sellers alone (a limit that was not read ahead with the rest). */
export function productSalesRows(ctx: RequestContext, window: RollupWindow, limit: number): Promise<ProductSalesRow[]> {
  return scopedStatement<ProductSalesRow>(
    ctx,
    [productGrains(ctx.brandId), rangePieces(window), topProducts(limit)],
    `select product_id, sku, currency, name, quantity, revenue from top_products order by ${TOP_PRODUCTS_ORDER}`,
  );
}
