'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');

/**
 * `order_count(brand_id, range_from, range_to, statuses, payment_statuses)`: how many of a brand's orders were created
 * in [range_from, range_to) with one of the statuses and one of the payment statuses (null: any; a null bound: the
 * brand's first or last order), read from the stats rollup (20261203100000) instead of the orders. The orders list's
 * `totalCount` under a status, payment or date filter counted every matching order (a 60-day filter on the
 * 200,000-order brand: 16,400 index entries, 9 ms); the rollup holds the same count per UTC day and hour, status and
 * payment status, kept in the transactions that write the orders, so it is exact in any snapshot. The window is split
 * by `stats_spans` (20261208100000) as the statistics are: whole months and days from the daily rows, hours from the
 * hourly rows (some subtracted), the cut hours at its ends from the orders themselves.
 */
const ORDER_COUNT = `create function order_count(brand_id uuid, range_from timestamptz, range_to timestamptz, statuses text[],
                               payment_statuses text[]) returns bigint
      language plpgsql stable set plan_cache_mode = force_generic_plan as $$
declare
  s timestamptz := range_from;
  e timestamptz := range_to;
begin
  if s is null then
    select min(o.created_at) into s from orders o where o.brand_id = order_count.brand_id;
  end if;
  if e is null then
    select max(o.created_at) + interval '1 microsecond' into e from orders o where o.brand_id = order_count.brand_id;
  end if;
  if s is null or e is null or s >= e then
    return 0;
  end if;
  return (
    with pieces as (select * from stats_spans(s, e))
    select coalesce(sum(n), 0)::bigint from (
      select r.order_count as n from pieces p
        cross join lateral (select d.order_count from order_stats_daily d
                             where d.brand_id = order_count.brand_id and d.day >= p.lo and d.day < p.hi
                               and (statuses is null or d.status = any(statuses))
                               and (payment_statuses is null or d.payment_status = any(payment_statuses)) offset 0) r
       where p.tier in ('month', 'day')
      union all
      select r.order_count * p.sign from pieces p
        cross join lateral (select h.order_count from order_stats_hourly h
                             where h.brand_id = order_count.brand_id and h.hour >= p.lo and h.hour < p.hi
                               and (statuses is null or h.status = any(statuses))
                               and (payment_statuses is null or h.payment_status = any(payment_statuses)) offset 0) r
       where p.tier = 'hour'
      union all
      select 1 from pieces p
        cross join lateral (select 1 from orders o
                             where o.brand_id = order_count.brand_id and o.created_at >= p.lo and o.created_at < p.hi
                               and (statuses is null or o.status = any(statuses))
                               and (payment_statuses is null or o.payment_status = any(payment_statuses)) offset 0) r
       where p.tier = 'raw') counted);
end $$;`;

class Migration20261208110000_order_count extends Migration {

  async up() {
    this.addSql(ORDER_COUNT);
  }

  async down() {
    this.addSql(`drop function order_count(uuid, timestamptz, timestamptz, text[], text[]);`);
  }

}
exports.Migration20261208110000_order_count = Migration20261208110000_order_count;
