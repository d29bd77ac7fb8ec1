'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

/**
 * `stats_rows`: a brand's statistics over [range_from, range_to) from the stats rollup (20261203100000), in one call —
 * the breakdowns, the series by `unit` in `time_zone` and the best sellers, each as a JSON column whose sums are text
 * (money never passes through a JSON number), each read only when asked (`breakdowns`, a non-null `unit`, a non-null
 * `top_limit`). It was one statement sent by server/src/stats/stats-rollup.ts; it is a function so that its plan is
 * made once per connection: planning that statement took as long as running it (docs/performance.md, Stats rollup).
 * `plan_cache_mode = force_generic_plan` applies to this function's statement only; the plan does not depend on the
 * brand or the range (every part is read per piece through its index), and PostgreSQL's own choice kept re-planning
 * it for small brands.
 *
 * Each window [s, e) is split by `stats_pieces` into whole UTC days (the daily rollup), whole UTC hours at its ends (the
 * hourly rollup) and the cut hours at its very ends (the orders themselves, through the (brand_id, created_at) index).
 * Each result is what the same SQL over the orders in range would give: groups whose orders all went away are dropped
 * (`having … > 0`), as they would be. "Paid" is PAID, PARTIALLY_REFUNDED or REFUNDED, as in the rollup's triggers.
 */
const PAID = `('PAID', 'PARTIALLY_REFUNDED', 'REFUNDED')`;
const TIERS = [['day', 'daily'], ['hour', 'hourly'], ['raw', 'raw']];

/**
 * Rows of one family of grains (`o_` orders, `p_` product sales) that fall in `pieces` (tier, lo, hi), with the piece's
 * `keep` columns. Each grain is read per piece (LATERAL … OFFSET 0 keeps it a range scan of its index per piece, never
 * a scan of the brand's rows).
 */
const inPieces = (pieces, keep, grains) => TIERS.map(([tier, grain]) => `select ${keep}, r.* from ${pieces} p
      cross join lateral (select * from ${grains}_${grain} g where g.at >= p.lo and g.at < p.hi offset 0) r
     where p.tier = '${tier}'`).join('\n    union all\n    ');

const BREAKDOWN_COLUMNS = 'currency, status, payment_status, order_count, total, refunded_total';
// Ties (one product selling the same in both currencies) are ranked by sku, currency and product, so the order is stable.
const TOP_PRODUCTS_ORDER = 'quantity::numeric desc, revenue::numeric desc, sku, currency, product_id';

const STATS_ROWS = `create function stats_rows(brand_id uuid, range_from timestamptz, range_to timestamptz,
    breakdowns boolean, unit text, time_zone text, top_limit integer)
  returns table (breakdown json, series json, top_products json)
  language plpgsql stable
  set plan_cache_mode = force_generic_plan
as $fn$
begin
  return query
  -- The brand's orders and its paid orders' lines at three grains, each with \`at\` (the instant, hour or day).
  with o_daily as not materialized (
    select d.day as at, d.currency, d.status, d.payment_status, d.order_count, d.total, d.refunded_total
      from order_stats_daily d where d.brand_id = stats_rows.brand_id
  ), o_hourly as not materialized (
    select h.hour as at, h.currency, h.status, h.payment_status, h.order_count, h.total, h.refunded_total
      from order_stats_hourly h where h.brand_id = stats_rows.brand_id
  ), o_raw as not materialized (
    select o.created_at as at, o.currency, o.status, o.payment_status, 1 as order_count, o.total, o.refunded_total
      from orders o where o.brand_id = stats_rows.brand_id
  ), p_daily as not materialized (
    select d.day as at, d.currency, d.product_id, d.sku, d.name, d.line_count, d.quantity, d.revenue
      from product_sales_daily d where d.brand_id = stats_rows.brand_id
  ), p_hourly as not materialized (
    select h.hour as at, h.currency, h.product_id, h.sku, h.name, h.line_count, h.quantity, h.revenue
      from product_sales_hourly h where h.brand_id = stats_rows.brand_id
  ), p_raw as not materialized (
    select o.created_at as at, o.currency, i.product_id, i.sku, i.name, 1 as line_count, i.quantity, i.total as revenue
      from orders o join order_items i on i.order_id = o.id
     where o.brand_id = stats_rows.brand_id and o.payment_status in ${PAID}
  ), range_pieces as (select * from stats_pieces(range_from, range_to)

  -- The series: buckets generated in local wall time (so DST days are 23 or 25 hours long), each cut to the range and
  -- read piece by piece.
  ), buckets as (
    select local_start, greatest(local_start at time zone time_zone, range_from) as s,
           least((local_start + ('1 ' || unit)::interval) at time zone time_zone, range_to) as e
      from generate_series(date_trunc(unit, range_from at time zone time_zone), range_to at time zone time_zone,
                           ('1 ' || unit)::interval) as local_start
     where local_start at time zone time_zone < range_to
  ), bucket_pieces as (
    select b.local_start, p.* from buckets b cross join lateral stats_pieces(b.s, b.e) p
  ), parts as (
    ${inPieces('bucket_pieces', 'p.local_start', 'o')}
  ), per_bucket as (
    select local_start, currency, sum(order_count) as order_count,
           coalesce(sum(total - refunded_total) filter (where payment_status in ${PAID}), 0) as net
      from parts group by 1, 2
  ), currencies as (select distinct currency from per_bucket where order_count > 0
  ), series as (
    select (b.local_start at time zone time_zone) as period_start, c.currency,
           coalesce(pb.order_count, 0)::text as order_count, coalesce(pb.net, 0)::text as net
      from buckets b cross join currencies c
      left join per_bucket pb on pb.local_start = b.local_start and pb.currency = c.currency

  -- Per currency (with money), per status and per payment status, in one pass over the orders' rows in the range. With
  -- the series, its buckets, cut to the range, cover it exactly once: the breakdowns sum its parts rather than read the
  -- same rollup rows again.
  ), in_range as (
    select ${BREAKDOWN_COLUMNS} from parts where unit is not null
    union all
    select ${BREAKDOWN_COLUMNS} from (${inPieces('range_pieces', 'p.tier', 'o')}) r where unit is null
  ), breakdown as (
    select grouping(currency) = 0 as by_currency, grouping(status) = 0 as by_status, currency, status, payment_status,
           sum(order_count)::text as order_count,
           coalesce(sum(order_count) filter (where payment_status in ${PAID}), 0)::text as paid_count,
           coalesce(sum(total) filter (where payment_status in ${PAID}), 0)::text as gross,
           coalesce(sum(refunded_total) filter (where payment_status in ${PAID}), 0)::text as refunded
      from in_range
     group by grouping sets ((currency), (status), (payment_status))
    having sum(order_count) > 0

  -- Best sellers among paid orders: lines grouped by product, sku and currency, named by the product's current name, or
  -- by the name the lines snapshotted when the product is gone (the greatest, among the lines still counted).
  ), lines as (
    ${inPieces('range_pieces', 'p.tier', 'p')}
  ), per_name as (
    select product_id, sku, currency, name, sum(quantity) as quantity, sum(revenue) as revenue
      from lines group by product_id, sku, currency, name having sum(line_count) > 0
  ), sales as (
    select product_id, sku, currency, max(name) as snapshot_name, sum(quantity) as quantity, sum(revenue) as revenue
      from per_name group by product_id, sku, currency
     order by quantity desc, revenue desc, sku, currency, product_id
     limit top_limit
  ), best_sellers as (
    -- A lookup per best seller: the plan is made without the limit, which must not turn it into a scan of products.
    select s.product_id, s.sku, s.currency,
           coalesce((select pr.name from products pr where pr.id = s.product_id), s.snapshot_name) as name,
           s.quantity::text, s.revenue::text
      from sales s
  )
  select case when breakdowns
              then (select coalesce(json_agg(t order by currency, status, payment_status), '[]') from breakdown t)
              else '[]'::json end,
         case when unit is not null
              then (select coalesce(json_agg(t order by period_start, currency), '[]') from series t)
              else '[]'::json end,
         case when top_limit is not null
              then (select coalesce(json_agg(t order by ${TOP_PRODUCTS_ORDER}), '[]') from best_sellers t)
              else '[]'::json end;
end
$fn$;`;

class Migration20261205100000_stats_rows extends Migration {

  async up() {
    this.addSql(STATS_ROWS);
  }

  async down() {
    this.addSql(`drop function stats_rows(uuid, timestamptz, timestamptz, boolean, text, text, integer);`);
  }

}
exports.Migration20261205100000_stats_rows = Migration20261205100000_stats_rows;
