'use strict';
Object.defineProperty(exports, '__esModule', { value: true });
const { Migration } = require('@mikro-orm/migrations');
const { STATS_SPANS } = require('./Migration20261206100000_stats_monthly');
const { STATS_ROWS_GROUPED } = require('./Migration20261207100000_stats_breakdown_grouped');

/**
 * A window that starts or ends near a UTC midnight is read as whole UTC days less the hours past its ends, instead of
 * hour by hour up to the midnight. A local day in Europe/Paris is [23:00, 23:00) UTC (22:00 in summer): `stats_spans`
 * read it as the hour before midnight and the 23 hours after it, so every series by day in any zone but UTC read 24
 * hours of hourly rows per day — two years by day in Paris 235–375 ms, against 50–97 in UTC, and 30 days 16–20 against
 * 10–13 ms. Now the same day is its UTC day, plus the hour before it, less its last hour: 2 hours read. Whichever side
 * of each end needs fewer hours is taken (Asia/Kathmandu's 18:15 reads 5 hours instead of 18); a window shorter than
 * the days it would need stays positive, as before. Only whole hours are ever subtracted, always inside the window's
 * days, so every figure is the same sum: `stats_spans` gives each piece a `sign` (1 or -1) and `stats_rows` multiplies
 * the hourly rows' counts and amounts by it (every statistic is a sum, and groups whose count nets to zero were already
 * dropped).
 */
const STATS_SPANS_SIGNED = `create function stats_spans(s timestamptz, e timestamptz)
      returns table (tier text, lo timestamptz, hi timestamptz, sign integer) language sql stable as $$
  select p.tier, p.lo at time zone 'UTC', p.hi at time zone 'UTC', p.sign
    from (select s at time zone 'UTC' as s, e at time zone 'UTC' as e offset 0) x
   cross join lateral (select date_trunc('hour', x.s + interval '1 hour' - interval '1 microsecond') as a1,
                              date_trunc('month', x.s + interval '1 month' - interval '1 microsecond') as a3,
                              date_trunc('hour', x.e) as z1, date_trunc('month', x.e) as z3
                        offset 0) b
   -- Each end's UTC midnights on either side (the start's after its first whole hour, the end's before its last).
   cross join lateral (select date_trunc('day', b.a1) as a2d, date_trunc('day', b.a1 + interval '1 day' - interval '1 microsecond') as a2u,
                              date_trunc('day', b.z1) as z2d, date_trunc('day', b.z1 + interval '1 day' - interval '1 microsecond') as z2u
                        offset 0) d
   -- Subtract at an end when its other midnight is strictly fewer hours away, and only when the days then read still
   -- hold every hour subtracted.
   cross join lateral (select b.a1 - d.a2d < d.a2u - b.a1 as down, d.z2u - b.z1 < b.z1 - d.z2d as up offset 0) w
   cross join lateral (select (w.down or w.up) and b.a1 <= b.z1
                              and (case when w.down then d.a2d else d.a2u end) < (case when w.up then d.z2u else d.z2d end) as signed
                        offset 0) v
   cross join lateral (select case when v.signed and w.down then d.a2d else d.a2u end as a2,
                              case when v.signed and w.up then d.z2u else d.z2d end as z2,
                              v.signed and w.down as sub_start, v.signed and w.up as sub_end
                        offset 0) k
   cross join lateral (values ('raw', x.s, least(b.a1, x.e), 1), ('raw', greatest(b.a1, b.z1), x.e, 1),
                              ('hour', case when k.sub_start then k.a2 else b.a1 end,
                                       case when k.sub_start then b.a1 else least(k.a2, b.z1) end,
                                       case when k.sub_start then -1 else 1 end),
                              ('hour', case when k.sub_end then b.z1 else greatest(k.a2, k.z2) end,
                                       case when k.sub_end then k.z2 else b.z1 end,
                                       case when k.sub_end then -1 else 1 end),
                              ('day', k.a2, least(b.a3, k.z2), 1), ('day', greatest(b.a3, b.z3), k.z2, 1),
                              ('month', b.a3, b.z3, 1)) as p (tier, lo, hi, sign)
   where p.lo < p.hi
$$;`;

const ORDER_HOURS = '(select * from o_hourly g where';
const LINE_HOURS = '(select * from p_hourly g where';

function hoursSigned(sql) {
  if (sql.split(ORDER_HOURS).length !== 3 || sql.split(LINE_HOURS).length !== 2) {
    throw new Error('stats_rows: the text this migration rewrites changed');
  }
  return sql
    .replaceAll(ORDER_HOURS, `(select g.at, g.currency, g.status, g.payment_status, g.order_count * p.sign as order_count,
                               g.total * p.sign as total, g.refunded_total * p.sign as refunded_total from o_hourly g where`)
    .replace(LINE_HOURS, `(select g.at, g.currency, g.product_id, g.sku, g.name, g.line_count * p.sign as line_count,
                               g.quantity * p.sign as quantity, g.revenue * p.sign as revenue from p_hourly g where`);
}

class Migration20261208100000_stats_hours_subtracted extends Migration {

  async up() {
    this.addSql(`drop function stats_spans(timestamptz, timestamptz);`);
    this.addSql(STATS_SPANS_SIGNED);
    this.addSql(hoursSigned(STATS_ROWS_GROUPED));
  }

  async down() {
    this.addSql(`drop function stats_spans(timestamptz, timestamptz);`);
    this.addSql(STATS_SPANS);
    this.addSql(STATS_ROWS_GROUPED);
  }

}
exports.Migration20261208100000_stats_hours_subtracted = Migration20261208100000_stats_hours_subtracted;
