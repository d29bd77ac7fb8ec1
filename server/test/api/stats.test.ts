import { ORDER_STATUSES, PAYMENT_STATUSES, type OrderStatus, type PaymentStatus } from '../../src/orders/order-lifecycle';
import { applyPaymentResult, recordRefund } from '../../src/orders/order-payments';
import { lockOrder } from '../../src/orders/order-writes';
import { createOrder, markOrderPaid, updateOrderStatus } from '../../src/orders/order.service';
import { RequestContext } from '../../src/shared/request-context';
import { createTestBrand, createTestProduct, scopedToBrand, startTestApp, type TestApp, type TestBrand } from '../support/harness';

let t: TestApp;
let brand: TestBrand;

const STATS = `query($range: StatsRange!) { orderStats(range: $range) {
  range { from to interval timeZone }
  byCurrency { currency orderCount paidOrderCount grossRevenue { amount currency } refunded { amount }
               netRevenue { amount } averageOrderValue { amount } }
  byStatus { status count } byPaymentStatus { paymentStatus count }
  series { periodStart currency orderCount netRevenue { amount currency } }
  topProducts(limit: 3) { productId sku quantity revenue { amount currency } } } }`;

const PAID = ['PAID', 'PARTIALLY_REFUNDED', 'REFUNDED'];
const TZ = 'America/New_York';
// Midnight to midnight in New York, across the switch to daylight saving time on 2026-03-08.
const RANGE = { from: '2026-03-07T05:00:00Z', to: '2026-03-10T04:00:00Z', interval: 'DAY', timeZone: TZ };

/** The local calendar date of an instant in a zone, computed by Intl (independently of PostgreSQL). */
const localDay = (d: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: TZ }).format(d);

/** Every status with every payment status: 25 combinations, each in both currencies. */
const COMBINATIONS = ORDER_STATUSES.flatMap((status) => PAYMENT_STATUSES.map((paymentStatus) => ({ status, paymentStatus })));

/** A request context of its own for each call, so that concurrent calls share no identity map. */
const asOwner = () => RequestContext.create(t.orm.em as any, brand.ctx.principal);

/** The lifecycle path to each status (a paid order walks it before its refunds). */
const STATUS_PATH: Record<OrderStatus, OrderStatus[]> = {
  PENDING: [],
  PROCESSING: ['PROCESSING'],
  SHIPPED: ['PROCESSING', 'SHIPPED'],
  DELIVERED: ['PROCESSING', 'SHIPPED', 'DELIVERED'],
  CANCELLED: ['CANCELLED'],
};

/**
 * Takes a new order to `status` × `paymentStatus` through the services, as the product would: paid, processed,
 * shipped or cancelled, then refunded. The lifecycle cannot reach an unpaid or failed payment beyond PENDING
 * (processing needs PAID), but stats are defined by payment status alone, so those six are written directly: a rule that
 * also looked at the status would show on them.
 */
async function reach(id: string, total: number, status: OrderStatus, paymentStatus: PaymentStatus) {
  const reachable = status === 'PENDING' || status === 'CANCELLED' || PAID.includes(paymentStatus);
  if (paymentStatus !== 'AWAITING_PAYMENT' && paymentStatus !== 'PAYMENT_FAILED') await markOrderPaid(asOwner(), id);
  if (paymentStatus === 'PAYMENT_FAILED' && reachable) {
    await asOwner().transaction(async (tx) => applyPaymentResult(tx, await lockOrder(tx, id), 'FAILED', 'Card declined'));
  }
  if (!reachable) await markOrderPaid(asOwner(), id);
  for (const next of STATUS_PATH[status]) {
    await updateOrderStatus(asOwner(), id, next, next === 'CANCELLED' ? 'Customer changed their mind' : null);
  }
  if (paymentStatus === 'PARTIALLY_REFUNDED') await recordRefund(asOwner(), id, 1_234);
  if (paymentStatus === 'REFUNDED') await recordRefund(asOwner(), id, total);
  if (!reachable) await t.sql('update orders set payment_status = ?, paid_at = null where id = ?', [paymentStatus, id]);
}

beforeAll(async () => {
  t = await startTestApp();
  brand = await createTestBrand(t, { taxRateBps: 1000 });
  const a = await createTestProduct(brand, { sku: 'A', price: 10_001, stock: 1000 });
  const b = await createTestProduct(brand, { sku: 'B', price: 333, stock: 1000 });
  const from = Date.parse(RANGE.from);
  const orders = [...COMBINATIONS, ...COMBINATIONS].map((combination, i) => ({
    ...combination,
    currency: i < COMBINATIONS.length ? 'EUR' : 'USD',
    // Every 80 minutes from 00:30 New York time: all three local days, in both currencies.
    createdAt: new Date(from + 30 * 60_000 + i * 80 * 60_000),
  }));
  // Paid orders just outside [from, to): one a millisecond before it, one at its (excluded) end.
  orders.push(
    { status: 'PENDING', paymentStatus: 'PAID', currency: 'EUR', createdAt: new Date(from - 1) },
    { status: 'DELIVERED', paymentStatus: 'PAID', currency: 'USD', createdAt: new Date(RANGE.to) },
  );
  // Created one by one (a brand's numbering serializes creation anyway), then each walks its own path, a few orders at a
  // time: enough to overlap their round trips, few enough that none waits long for a pooled connection.
  const created = [];
  for (const [i, o] of orders.entries()) {
    const items = [
      { productId: a.id, quantity: 1 + (i % 3) },
      { productId: b.id, quantity: 1 + (i % 2) },
    ];
    created.push({ ...o, order: await createOrder(asOwner(), { items, customer: { email: `c${i}@example.com` } }) });
  }
  for (let start = 0; start < created.length; start += 6) {
    await Promise.all(
      created.slice(start, start + 6).map(async ({ order, status, paymentStatus, createdAt, currency }) => {
        await reach(order.id, order.total.amount, status, paymentStatus);
        await t.sql('update orders set created_at = ?, currency = ? where id = ?', [createdAt, currency, order.id]);
      }),
    );
  }
});
afterAll(() => t.close());

describe('orderStats', () => {
  it('matches sums computed independently from the rows, per currency, with New York day buckets', async () => {
    const range = RANGE;
    const res = await t.gql(STATS, { range }, brand.tokens.VIEWER);
    expect(res.errors).toBeUndefined();
    const stats = res.data.orderStats;
    const rows = await t.sql(
      'select id, currency, status, payment_status, total::text, refunded_total::text, created_at from orders where brand_id = ? and created_at >= ? and created_at < ?',
      [brand.id, range.from, range.to],
    );
    // The oracle sees every combination, in both currencies, including paid-then-cancelled and refunded ones.
    expect(new Set(rows.map((r) => `${r.currency} ${r.status} ${r.payment_status}`)).size).toBe(2 * COMBINATIONS.length);
    expect(rows).toHaveLength(2 * COMBINATIONS.length);

    for (const currency of ['EUR', 'USD']) {
      const mine = rows.filter((r) => r.currency === currency);
      const paid = mine.filter((r) => PAID.includes(r.payment_status));
      const gross = paid.reduce((s, r) => s + BigInt(r.total), 0n);
      const refunded = paid.reduce((s, r) => s + BigInt(r.refunded_total), 0n);
      const got = stats.byCurrency.find((c: any) => c.currency === currency);
      expect(got).toMatchObject({
        orderCount: mine.length,
        paidOrderCount: paid.length,
        grossRevenue: { amount: Number(gross), currency },
        refunded: { amount: Number(refunded) },
        netRevenue: { amount: Number(gross - refunded) },
      });
      // Half-up rounding of gross / paid.
      const expectedAov = Number((gross * 2n + BigInt(paid.length)) / (BigInt(paid.length) * 2n));
      expect(got.averageOrderValue.amount).toBe(expectedAov);

      // Series: bucket by the New York calendar day, computed with Intl.
      const perDay = new Map<string, { count: number; net: bigint }>();
      for (const r of mine) {
        const day = localDay(new Date(r.created_at));
        const entry = perDay.get(day) ?? { count: 0, net: 0n };
        entry.count += 1;
        if (PAID.includes(r.payment_status)) entry.net += BigInt(r.total) - BigInt(r.refunded_total);
        perDay.set(day, entry);
      }
      const points = stats.series.filter((p: any) => p.currency === currency);
      expect(points.map((p: any) => localDay(new Date(p.periodStart)))).toEqual(['2026-03-07', '2026-03-08', '2026-03-09']);
      for (const p of points) {
        const expected = perDay.get(localDay(new Date(p.periodStart))) ?? { count: 0, net: 0n };
        expect({ day: localDay(new Date(p.periodStart)), count: p.orderCount, net: p.netRevenue.amount }).toEqual({
          day: localDay(new Date(p.periodStart)),
          count: expected.count,
          net: Number(expected.net),
        });
      }
    }
    // Each bucket starts at local midnight: 05:00Z before the DST switch, 04:00Z after it.
    expect([...new Set(stats.series.map((p: any) => p.periodStart))]).toEqual([
      '2026-03-07T05:00:00.000Z',
      '2026-03-08T05:00:00.000Z',
      '2026-03-09T04:00:00.000Z',
    ]);

    const statusTotal = stats.byStatus.reduce((s: number, x: any) => s + x.count, 0);
    expect(statusTotal).toBe(rows.length);
    for (const { status, count } of stats.byStatus) expect(count).toBe(rows.filter((r) => r.status === status).length);
    for (const { paymentStatus, count } of stats.byPaymentStatus) {
      expect(count).toBe(rows.filter((r) => r.payment_status === paymentStatus).length);
    }
    expect(stats.range).toEqual({ ...range, from: '2026-03-07T05:00:00.000Z', to: '2026-03-10T04:00:00.000Z' });
  });

  // Ties (the same product selling the same in both currencies) are ranked by sku, then currency, so the order is stable.
  it('ranks top products per currency by units among paid orders', async () => {
    const range = { from: '2026-03-01T00:00:00Z', to: '2026-04-01T00:00:00Z' };
    const res = await t.gql(STATS, { range }, brand.tokens.VIEWER);
    const items = await t.sql(
      `select i.sku, o.currency, sum(i.quantity)::int as quantity, sum(i.total)::text as revenue
         from order_items i join orders o on o.id = i.order_id
        where o.brand_id = ? and o.payment_status in ('PAID','PARTIALLY_REFUNDED','REFUNDED')
        group by i.sku, o.currency order by quantity desc, sum(i.total) desc, i.sku, o.currency limit 3`,
      [brand.id],
    );
    expect(res.data.orderStats.topProducts.map((p: any) => [p.sku, p.revenue.currency, p.quantity, p.revenue.amount])).toEqual(
      items.map((r) => [r.sku, r.currency, r.quantity, Number(r.revenue)]),
    );
  });

  it('gives empty money-free answers for an empty range', async () => {
    const res = await t.gql(STATS, { range: { from: '2020-01-01T00:00:00Z', to: '2020-02-01T00:00:00Z', interval: 'WEEK' } }, brand.tokens.VIEWER);
    expect(res.data.orderStats.byCurrency).toEqual([]);
    expect(res.data.orderStats.series).toEqual([]);
    expect(res.data.orderStats.byStatus.every((s: any) => s.count === 0)).toBe(true);
  });

  it('is one statement after the credential, and each part selected alone answers as in the whole', async () => {
    const whole = await t.countQueries(() => t.gql(STATS, { range: RANGE }, brand.tokens.VIEWER));
    expect(whole.result.errors).toBeUndefined();
    // Issue 11: at c=1 every round trip is latency. The credential and its bucket are one; the statistics the other.
    expect(whole.statements).toHaveLength(2);
    // It calls stats_rows (migration 20261205100000), whose plan PostgreSQL keeps per connection, with the brand first.
    const stats = whole.statements.filter((s) => /\bstats_rows\(/.test(s.sql));
    expect(stats).toHaveLength(1);
    expect(scopedToBrand(stats[0], brand.id)).toBe(true);
    const all = whole.result.data.orderStats;
    expect(all.topProducts.length).toBeGreaterThan(0);

    const alone = async (selection: string) => {
      const { result, statements } = await t.countQueries(() =>
        t.gql(`query($range: StatsRange!) { orderStats(range: $range) { ${selection} } }`, { range: RANGE }, brand.tokens.VIEWER),
      );
      expect(result.errors).toBeUndefined();
      expect(statements).toHaveLength(2);
      return result.data.orderStats;
    };
    expect(await alone('byStatus { status count }')).toEqual({ byStatus: all.byStatus });
    expect(await alone('series { periodStart currency orderCount netRevenue { amount currency } }')).toEqual({ series: all.series });
    expect(await alone('topProducts(limit: 3) { productId sku quantity revenue { amount currency } }')).toEqual({ topProducts: all.topProducts });
    // Two limits cannot share one read: each answers its own (the best seller, then all three).
    const two = await t.gql(
      `query($range: StatsRange!, $one: Int) { orderStats(range: $range) {
         first: topProducts(limit: $one) { productId sku quantity revenue { amount currency } }
         three: topProducts(limit: 3) { productId sku quantity revenue { amount currency } } } }`,
      { range: RANGE, one: 1 },
      brand.tokens.VIEWER,
    );
    expect(two.errors).toBeUndefined();
    expect(two.data.orderStats).toEqual({ first: all.topProducts.slice(0, 1), three: all.topProducts });
  });
});
