import { ORDER_STATUSES, PAID_PAYMENT_STATUSES, PAYMENT_STATUSES } from '../../src/orders/order-lifecycle';
import { divideRoundHalfUp } from '../../src/orders/pricing';
import type { TestApp } from './harness';

/**
 * orderStats recomputed from the orders themselves, with the SQL the API ran before the rollup: the oracle the rollup
 * must equal. Returns the shape of the GraphQL answer to STATS_FIELDS (amounts as numbers).
 */
export const STATS_FIELDS = `
  byCurrency { currency orderCount paidOrderCount grossRevenue { amount } refunded { amount } netRevenue { amount }
               averageOrderValue { amount } }
  byStatus { status count } byPaymentStatus { paymentStatus count }
  series { periodStart currency orderCount netRevenue { amount } }
  topProducts(limit: 50) { productId sku name quantity revenue { amount currency } }`;

export interface OracleRange {
  from: string;
  to: string;
  interval: 'DAY' | 'WEEK' | 'MONTH';
  timeZone: string;
}

const PAID = `{${PAID_PAYMENT_STATUSES.join(',')}}`;
const IN_RANGE = `with in_range as (
  select created_at, currency, status, payment_status, total, refunded_total
    from orders where brand_id = ? and created_at >= ? and created_at < ?
)`;

/** `t` is anything with direct SQL: the test app, or a rule database. */
export async function recomputeOrderStats(t: Pick<TestApp, 'sql'>, brandId: string, range: OracleRange) {
  const window = [brandId, range.from, range.to];
  const unit = range.interval.toLowerCase();
  const tz = range.timeZone;
  const breakdown = await t.sql(
    `${IN_RANGE}
     select grouping(currency) = 0 as by_currency, grouping(status) = 0 as by_status, currency, status, payment_status,
            count(*) as order_count,
            count(*) filter (where payment_status = any(?::text[])) as paid_count,
            coalesce(sum(total) filter (where payment_status = any(?::text[])), 0) as gross,
            coalesce(sum(refunded_total) filter (where payment_status = any(?::text[])), 0) as refunded
       from in_range group by grouping sets ((currency), (status), (payment_status))
      order by currency, status, payment_status`,
    [...window, PAID, PAID, PAID],
  );
  const series = await t.sql(
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
  );
  const products = await t.sql(
    `with paid as (
       select id, currency from orders
        where brand_id = ? and created_at >= ? and created_at < ? and payment_status = any(?::text[])
     ), sales as (
       select i.product_id, i.sku, o.currency, max(i.name) as snapshot_name,
              sum(i.quantity) as quantity, sum(i.total) as revenue
         from paid o join order_items i on i.order_id = o.id
        group by i.product_id, i.sku, o.currency
        order by quantity desc, revenue desc, i.sku, o.currency, i.product_id
        limit 50
     )
     select s.product_id, s.sku, s.currency, coalesce(p.name, s.snapshot_name) as name, s.quantity, s.revenue
       from sales s left join products p on p.id = s.product_id
      order by s.quantity desc, s.revenue desc, s.sku, s.currency, s.product_id`,
    [...window, PAID],
  );

  const amount = (value: unknown) => ({ amount: Number(value) });
  const counts = (rows: any[], key: string) => new Map(rows.map((r) => [r[key], Number(r.order_count)]));
  const byStatus = counts(breakdown.filter((r) => r.by_status), 'status');
  const byPayment = counts(breakdown.filter((r) => !r.by_currency && !r.by_status), 'payment_status');
  return {
    byCurrency: breakdown
      .filter((r) => r.by_currency)
      .map((r) => {
        const paid = Number(r.paid_count);
        return {
          currency: r.currency,
          orderCount: Number(r.order_count),
          paidOrderCount: paid,
          grossRevenue: amount(r.gross),
          refunded: amount(r.refunded),
          netRevenue: amount(BigInt(r.gross) - BigInt(r.refunded)),
          averageOrderValue: amount(paid ? divideRoundHalfUp(BigInt(r.gross), BigInt(paid)) : 0),
        };
      }),
    byStatus: ORDER_STATUSES.map((status) => ({ status, count: byStatus.get(status) ?? 0 })),
    byPaymentStatus: PAYMENT_STATUSES.map((paymentStatus) => ({ paymentStatus, count: byPayment.get(paymentStatus) ?? 0 })),
    series: series.map((r) => ({
      periodStart: new Date(r.period_start).toISOString(),
      currency: r.currency,
      orderCount: Number(r.order_count),
      netRevenue: amount(r.net),
    })),
    topProducts: products.map((r) => ({
      productId: r.product_id,
      sku: r.sku,
      name: r.name,
      quantity: Number(r.quantity),
      revenue: { amount: Number(r.revenue), currency: r.currency },
    })),
  };
}
