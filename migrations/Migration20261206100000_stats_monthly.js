'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');
const { Migration20261205100000_stats_rows } = require('./Migration20261205100000_stats_rows');

/**
 * A monthly grain for the best sellers (stats rollup, 20261203100000): `product_sales_monthly`, per UTC month, kept by
 * the same triggers, in the same transactions, as the daily and hourly rows. A year's best sellers grouped ≈ 4,600 daily
 * product rows (docs/performance.md, Stats rollup); whole UTC months inside the range now come from one row per line
 * key and month. The orders have no monthly grain: their rollup's deferred trigger runs once per order at commit, and
 * with a monthly row the 100,000 set-based orders test/api/exports.test.ts writes in one transaction (all in one month,
 * each updating that row again) did not commit within 12 minutes; their month pieces read the daily rows.
 * `stats_spans(s, e)` replaces `stats_pieces` (left in place, unused): [s, e) split into whole UTC months (monthly
 * rows), whole UTC days at their ends (daily), whole UTC hours (hourly) and the cut hours (the orders). Every piece is a
 * span of UTC time, so a window given in any zone (Asia/Kathmandu's local month starts at 18:15 UTC) is still covered
 * exactly once: such a month holds no whole UTC month and is read by the day, as before. Its bounds are computed once
 * per call in UTC wall time: `stats_pieces` nested its bounds, which PostgreSQL's inlining copies into every use (with
 * a fourth level, a series of 31 days paid more for its pieces than for its rows), and its `+ interval '1 day'` follows
 * the session's time zone (pieces misaligned across a DST change when the session is not in UTC).
 * The product sales' trigger functions are the ones of 20261203100000 with the monthly grain added; `stats_rows` is the
 * one of 20261205100000 reading `stats_spans` and the monthly rows. The backfill sums the daily rows, taken while writes to the
 * orders and their lines wait, so that no change is counted in the daily rows without the monthly ones.
 */
const PAID = `('PAID', 'PARTIALLY_REFUNDED', 'REFUNDED')`;
const SLOT = `(pg_backend_pid() % 4)::smallint`;
const GRAINS = [['daily', 'day'], ['hourly', 'hour'], ['monthly', 'month']];
const OLD_GRAINS = GRAINS.slice(0, 2);
const TIERS = [['month', 'monthly'], ['day', 'daily'], ['hour', 'hourly'], ['raw', 'raw']];

/** Adds `sign` × the lines selected by `lines` (a FROM clause naming the order `o` and its lines `i`) to each grain. */
const applyLines = (grains, lines, sign) => grains.map(([table, unit]) => `
  insert into product_sales_${table} as s (brand_id, ${unit}, currency, product_id, sku, name, slot, line_count, quantity, revenue)
  select o.brand_id, date_trunc('${unit}', o.created_at, 'UTC'), o.currency, i.product_id, i.sku, i.name, ${SLOT},
         ${sign} * count(*), ${sign} * sum(i.quantity), ${sign} * sum(i.total)
    from ${lines} and o.payment_status in ${PAID}
   group by 1, 2, 3, 4, 5, 6 order by 4, 5, 6
  on conflict (brand_id, ${unit}, currency, product_id, sku, name, slot) do update
    set line_count = s.line_count + excluded.line_count, quantity = s.quantity + excluded.quantity,
        revenue = s.revenue + excluded.revenue;`).join('');

/** The triggers' functions (same names, same triggers) over `grains`. */
const triggerFunctions = (grains) => [
  `create or replace function product_sales_on_order_change() returns trigger language plpgsql as $$
declare
  o orders;
begin
  if TG_OP = 'DELETE' or TG_OP = 'UPDATE' then
    o := old; ${applyLines(grains, 'order_items i where i.order_id = o.id', -1)}
  end if;
  if TG_OP = 'DELETE' then
    return old;
  end if;
  o := new; ${applyLines(grains, 'order_items i where i.order_id = o.id', 1)}
  return null;
end $$;`,
  `create or replace function product_sales_on_line_change() returns trigger language plpgsql as $$
declare
  o orders;
begin
  if TG_OP <> 'INSERT' then
    select * into o from orders where id = old.order_id;
    if found and o.payment_status in ${PAID} then ${applyLines(grains, '(select old.*) i where true', -1)}
    end if;
  end if;
  if TG_OP <> 'DELETE' then
    select * into o from orders where id = new.order_id;
    if found and o.payment_status in ${PAID} then ${applyLines(grains, '(select new.*) i where true', 1)}
    end if;
  end if;
  return null;
end $$;`,
  // TRUNCATE fires no row triggers (20261204090000): the rollup is emptied with the orders or the lines.
  `create or replace function stats_rollup_on_truncate() returns trigger language plpgsql as $$
      begin
        if tg_table_name = 'orders' then
          delete from order_stats_daily;
          delete from order_stats_hourly;
        end if;
${grains.map(([table]) => `        delete from product_sales_${table};`).join('\n')}
        return null;
      end $$;`,
];

const STATS_SPANS = `create function stats_spans(s timestamptz, e timestamptz) returns table (tier text, lo timestamptz, hi timestamptz)
      language sql stable as $$
  select p.tier, p.lo at time zone 'UTC', p.hi at time zone 'UTC'
    from (select s at time zone 'UTC' as s, e at time zone 'UTC' as e offset 0) x
   cross join lateral (select date_trunc('hour', x.s + interval '1 hour' - interval '1 microsecond') as a1,
                              date_trunc('day', x.s + interval '1 day' - interval '1 microsecond') as a2,
                              date_trunc('month', x.s + interval '1 month' - interval '1 microsecond') as a3,
                              date_trunc('hour', x.e) as z1, date_trunc('day', x.e) as z2, date_trunc('month', x.e) as z3
                        offset 0) b
   cross join lateral (values ('raw', x.s, least(b.a1, x.e)), ('raw', greatest(b.a1, b.z1), x.e),
                              ('hour', b.a1, least(b.a2, b.z1)), ('hour', greatest(b.a2, b.z2), b.z1),
                              ('day', b.a2, least(b.a3, b.z2)), ('day', greatest(b.a3, b.z3), b.z2),
                              ('month', b.a3, b.z3)) as p (tier, lo, hi)
   where p.lo < p.hi
$$;`;

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

const STATS_ROWS = `create or replace function stats_rows(brand_id uuid, range_from timestamptz, range_to timestamptz,
    breakdowns boolean, unit text, time_zone text, top_limit integer)
  returns table (breakdown json, series json, top_products json)
  language plpgsql stable
  set plan_cache_mode = force_generic_plan
as $fn$
begin
  return query
  -- The brand's orders and its paid orders' lines at four grains, each with \`at\` (the instant, hour, day or month).
  with o_daily as not materialized (
    select d.day as at, d.currency, d.status, d.payment_status, d.order_count, d.total, d.refunded_total
      from order_stats_daily d where d.brand_id = stats_rows.brand_id
  ), o_monthly as not materialized (
    -- No monthly order rows (see above): a whole month's orders are its daily rows.
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
  ), p_monthly as not materialized (
    select m.month as at, m.currency, m.product_id, m.sku, m.name, m.line_count, m.quantity, m.revenue
      from product_sales_monthly m where m.brand_id = stats_rows.brand_id
  ), p_hourly as not materialized (
    select h.hour as at, h.currency, h.product_id, h.sku, h.name, h.line_count, h.quantity, h.revenue
      from product_sales_hourly h where h.brand_id = stats_rows.brand_id
  ), p_raw as not materialized (
    select o.created_at as at, o.currency, i.product_id, i.sku, i.name, 1 as line_count, i.quantity, i.total as revenue
      from orders o join order_items i on i.order_id = o.id
     where o.brand_id = stats_rows.brand_id and o.payment_status in ${PAID}
  ), range_pieces as (select * from stats_spans(range_from, range_to)

  -- The series: buckets generated in local wall time (so DST days are 23 or 25 hours long), each cut to the range and
  -- read piece by piece.
  ), buckets as (
    select local_start, greatest(local_start at time zone time_zone, range_from) as s,
           least((local_start + ('1 ' || unit)::interval) at time zone time_zone, range_to) as e
      from generate_series(date_trunc(unit, range_from at time zone time_zone), range_to at time zone time_zone,
                           ('1 ' || unit)::interval) as local_start
     where local_start at time zone time_zone < range_to
  ), bucket_pieces as (
    select b.local_start, p.* from buckets b cross join lateral stats_spans(b.s, b.e) p
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

class Migration20261206100000_stats_monthly extends Migration {

  async up() {
    // Writers of orders and lines wait until this commits, then fire the new functions: none is missed by the backfill.
    this.addSql(`lock table orders, order_items in share row exclusive mode;`);
    this.addSql(`create table "product_sales_monthly" ("brand_id" uuid not null, "month" timestamptz not null,
      "currency" text not null, "product_id" uuid null, "sku" text not null, "name" text not null, "slot" smallint not null,
      "line_count" bigint not null, "quantity" bigint not null, "revenue" bigint not null,
      constraint "product_sales_monthly_key" unique nulls not distinct ("brand_id", "month", "currency", "product_id", "sku", "name", "slot"));`);
    for (const sql of triggerFunctions(GRAINS)) this.addSql(sql);
    // Backfill from the daily rows (a UTC month is a whole number of UTC days), in slot 0.
    this.addSql(`insert into product_sales_monthly (brand_id, month, currency, product_id, sku, name, slot, line_count, quantity, revenue)
      select brand_id, date_trunc('month', day, 'UTC'), currency, product_id, sku, name, 0, sum(line_count), sum(quantity),
             sum(revenue)
        from product_sales_daily group by 1, 2, 3, 4, 5, 6;`);
    this.addSql(`analyze product_sales_monthly;`);
    this.addSql(STATS_SPANS);
    this.addSql(STATS_ROWS);
  }

  async down() {
    for (const sql of triggerFunctions(OLD_GRAINS)) this.addSql(sql);
    const previous = new Migration20261205100000_stats_rows(this.driver, this.config);
    await previous.up();
    this.addSql(`drop function stats_rows(uuid, timestamptz, timestamptz, boolean, text, text, integer);`);
    for (const query of previous.getQueries()) this.addSql(query);
    this.addSql(`drop function stats_spans(timestamptz, timestamptz);`);
    this.addSql(`drop table "product_sales_monthly";`);
  }

}
exports.Migration20261206100000_stats_monthly = Migration20261206100000_stats_monthly;
// For 20261207100000, which rewrites stats_rows from this text (and restores it on the way down), and 20261208100000,
// which replaces stats_spans (and restores this one on the way down).
exports.STATS_ROWS = STATS_ROWS;
exports.STATS_SPANS = STATS_SPANS;
