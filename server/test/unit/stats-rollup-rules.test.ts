import { createOrder } from '../../src/orders/order.service';
import { createProduct } from '../../src/products/product.service';
import type { RequestContext } from '../../src/shared/request-context';
import type { MoneyValue } from '../../src/shared/money';
import { orderStats, topProducts } from '../../src/stats/stats.service';
import { recomputeOrderStats, type OracleRange } from '../support/stats-oracle';
import { startRuleDatabase, type RuleDatabase } from '../support/rule-database';

/**
 * The stats rollup's reads (stats/stats-rollup.ts) on a dozen orders, against the oracle that recomputes every figure
 * from the orders themselves: whole UTC days (the daily rollup), whole hours (the hourly one) and cut hours (the orders)
 * each decide some of the ranges below. properties/stats-rollup.test.ts checks the same through the API on random
 * histories; this file is small enough to run once per mutant.
 */
let db: RuleDatabase;
let ctx: RequestContext;

/** Each order: when, its currency, status, payment status, refunded amount and lines (A costs 1,000, B 333). */
const ORDERS = [
  { at: '2026-03-27T00:00:00.000Z', currency: 'EUR', status: 'PROCESSING', paymentStatus: 'PAID', refunded: 0, a: 1, b: 0 },
  { at: '2026-03-27T10:17:23.455Z', currency: 'EUR', status: 'DELIVERED', paymentStatus: 'PAID', refunded: 0, a: 2, b: 1 },
  { at: '2026-03-27T10:17:23.456Z', currency: 'USD', status: 'PROCESSING', paymentStatus: 'PARTIALLY_REFUNDED', refunded: 500, a: 1, b: 3 },
  { at: '2026-03-27T18:14:59.999Z', currency: 'EUR', status: 'CANCELLED', paymentStatus: 'REFUNDED', refunded: 1_333, a: 1, b: 1 },
  { at: '2026-03-27T18:15:00.000Z', currency: 'EUR', status: 'PENDING', paymentStatus: 'AWAITING_PAYMENT', refunded: 0, a: 4, b: 0 },
  { at: '2026-03-27T18:29:59.999Z', currency: 'USD', status: 'PROCESSING', paymentStatus: 'PAID', refunded: 0, a: 0, b: 2 },
  { at: '2026-03-27T18:30:00.000Z', currency: 'EUR', status: 'CANCELLED', paymentStatus: 'PAID', refunded: 0, a: 1, b: 2 },
  { at: '2026-03-28T12:00:00.000Z', currency: 'EUR', status: 'SHIPPED', paymentStatus: 'PARTIALLY_REFUNDED', refunded: 100, a: 3, b: 0 },
  { at: '2026-03-29T23:59:59.999Z', currency: 'USD', status: 'PENDING', paymentStatus: 'PAYMENT_FAILED', refunded: 0, a: 2, b: 2 },
  { at: '2026-03-30T05:45:00.000Z', currency: 'EUR', status: 'DELIVERED', paymentStatus: 'PAID', refunded: 0, a: 0, b: 5 },
  { at: '2026-03-31T18:42:00.000Z', currency: 'EUR', status: 'PROCESSING', paymentStatus: 'PAID', refunded: 0, a: 2, b: 0 },
  { at: '2026-04-01T00:30:00.000Z', currency: 'USD', status: 'DELIVERED', paymentStatus: 'REFUNDED', refunded: 2_333, a: 2, b: 1 },
];

const RANGES: OracleRange[] = [
  // Whole UTC days: the daily rollup alone, and its first and last days' edges.
  { from: '2026-03-27T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z', interval: 'DAY', timeZone: 'UTC' },
  // Local midnight at 18:30 UTC (+05:30) and 18:15 UTC (+05:45): buckets cut whole hours in half or in quarters.
  { from: '2026-03-26T18:30:00.000Z', to: '2026-04-01T18:30:00.000Z', interval: 'DAY', timeZone: 'Asia/Kolkata' },
  { from: '2026-03-26T18:15:00.000Z', to: '2026-04-02T18:15:00.000Z', interval: 'DAY', timeZone: 'Asia/Kathmandu' },
  // Cut mid-hour, to the millisecond, at both ends.
  { from: '2026-03-27T10:17:23.456Z', to: '2026-03-31T18:42:00.000Z', interval: 'DAY', timeZone: 'Asia/Kathmandu' },
  { from: '2026-03-27T10:17:23.456Z', to: '2026-04-01T00:30:00.001Z', interval: 'WEEK', timeZone: 'Asia/Kolkata' },
  { from: '2026-03-01T00:00:00.000Z', to: '2026-05-01T00:00:00.000Z', interval: 'MONTH', timeZone: 'Asia/Kathmandu' },
];

beforeAll(async () => {
  db = await startRuleDatabase();
  ctx = await db.brand();
  const a = await createProduct(ctx, { sku: 'A', name: 'Alpha', price: 1_000, stock: 1_000, active: true });
  const b = await createProduct(ctx, { sku: 'B', name: 'Beta', price: 333, stock: 1_000, active: true });
  for (const o of ORDERS) {
    const items = [...(o.a ? [{ productId: a.id, quantity: o.a }] : []), ...(o.b ? [{ productId: b.id, quantity: o.b }] : [])];
    const order = await createOrder(db.again(ctx), { items, customer: { email: 'rollup@example.com' } });
    // The rollup's triggers follow these updates, as they follow the app's own writes.
    await db.sql('update orders set currency = ?, status = ?, payment_status = ?, refunded_total = ?, created_at = ? where id = ?', [
      o.currency, o.status, o.paymentStatus, o.refunded, o.at, order.id,
    ]);
  }
});
afterAll(() => db.close());

const amountOnly = (money: MoneyValue) => ({ amount: money.amount });

test.each(RANGES)('orderStats equals the recomputation: $interval in $timeZone from $from to $to', async (range) => {
  // Every part, the best sellers read ahead in the same statement (as the API reads them for `topProducts(limit: 50)`).
  const parts = { breakdowns: true, series: true, topProductsLimit: 50 };
  const stats = await orderStats(db.again(ctx), { ...range, from: new Date(range.from), to: new Date(range.to) }, parts);
  const answered = {
    byCurrency: stats.byCurrency.map((c) => ({
      ...c,
      grossRevenue: amountOnly(c.grossRevenue),
      refunded: amountOnly(c.refunded),
      netRevenue: amountOnly(c.netRevenue),
      averageOrderValue: amountOnly(c.averageOrderValue),
    })),
    byStatus: stats.byStatus,
    byPaymentStatus: stats.byPaymentStatus,
    series: stats.series.map((p) => ({ ...p, periodStart: p.periodStart.toISOString(), netRevenue: amountOnly(p.netRevenue) })),
    topProducts: await stats.topProducts(50),
  };
  const expected = await recomputeOrderStats(db, ctx.brandId, range);
  expect(expected.series.length).toBeGreaterThan(0);
  expect(answered).toEqual(expected);
});

test('topProducts keeps the best sellers up to its limit', async () => {
  const range = { from: new Date(RANGES[0].from), to: new Date(RANGES[0].to), interval: 'DAY' as const, timeZone: 'UTC' };
  const all = await topProducts(db.again(ctx), range, 50);
  // A and B, each sold in both currencies.
  expect(all).toHaveLength(4);
  expect(await topProducts(db.again(ctx), range, 3)).toEqual(all.slice(0, 3));
  // Read ahead with the rest: the same answer for that limit, and another limit reads its own.
  const stats = await orderStats(db.again(ctx), range, { breakdowns: false, series: false, topProductsLimit: 3 });
  expect(await stats.topProducts(3)).toEqual(all.slice(0, 3));
  expect(await stats.topProducts(50)).toEqual(all);
  expect(stats.byCurrency).toEqual([]);
  expect(stats.series).toEqual([]);
});
