import { DomainError } from '../../src/errors';
import { createOrder } from '../../src/orders/order.service';
import { createProduct } from '../../src/products/product.service';
import type { RequestContext } from '../../src/shared/request-context';
import { orderStats, STATS_INTERVALS, topProducts } from '../../src/stats/stats.service';
import { startRuleDatabase, type RuleDatabase } from '../support/rule-database';

/**
 * orderStats (stats/stats.service.ts) called directly on a small set of orders whose statuses, currencies, refunds and
 * dates are written straight into the database, against sums computed here. stats.test.ts checks the same statistics
 * through the API on every status × payment status combination; this file is small enough to run once per mutant.
 */
let db: RuleDatabase;
let ctx: RequestContext;
let a: { id: string };
let b: { id: string };

const DAY = 86_400_000;
const from = new Date('2026-03-01T00:00:00Z');
const at = (days: number, hours = 0) => new Date(from.getTime() + days * DAY + hours * 3_600_000);
const range = { from, to: at(3), interval: 'DAY' as const, timeZone: 'UTC' };

/** Each order: its currency, status, payment status, refunded amount, day and lines (A costs 1,000, B 333). */
const ORDERS = [
  { currency: 'EUR', status: 'PROCESSING', paymentStatus: 'PAID', refunded: 0, created: at(0, 1), a: 1, b: 0 },
  { currency: 'EUR', status: 'CANCELLED', paymentStatus: 'PARTIALLY_REFUNDED', refunded: 300, created: at(0, 2), a: 1, b: 1 },
  { currency: 'EUR', status: 'PENDING', paymentStatus: 'AWAITING_PAYMENT', refunded: 0, created: at(1, 5), a: 2, b: 0 },
  { currency: 'EUR', status: 'DELIVERED', paymentStatus: 'REFUNDED', refunded: 333, created: at(2, 23), a: 0, b: 1 },
  { currency: 'USD', status: 'PENDING', paymentStatus: 'PAYMENT_FAILED', refunded: 0, created: at(2, 0), a: 3, b: 0 },
  // Outside the window: just before it, and at its (excluded) end.
  { currency: 'EUR', status: 'PROCESSING', paymentStatus: 'PAID', refunded: 0, created: new Date(from.getTime() - 1), a: 5, b: 0 },
  { currency: 'EUR', status: 'PROCESSING', paymentStatus: 'PAID', refunded: 0, created: at(3), a: 5, b: 0 },
];

beforeAll(async () => {
  db = await startRuleDatabase();
  ctx = await db.brand();
  a = await createProduct(ctx, { sku: 'A', name: 'Alpha', price: 1_000, stock: 1_000, active: true });
  b = await createProduct(ctx, { sku: 'B', name: 'Beta', price: 333, stock: 1_000, active: true });
  for (const o of ORDERS) {
    const items = [
      ...(o.a ? [{ productId: a.id, quantity: o.a }] : []),
      ...(o.b ? [{ productId: b.id, quantity: o.b }] : []),
    ];
    const order = await createOrder(db.again(ctx), { items, customer: { email: 'stats@example.com' } });
    await db.sql('update orders set currency = ?, status = ?, payment_status = ?, refunded_total = ?, created_at = ? where id = ?', [
      o.currency,
      o.status,
      o.paymentStatus,
      o.refunded,
      o.created,
      order.id,
    ]);
  }
});
afterAll(() => db.close());

test('the intervals', () => {
  expect([...STATS_INTERVALS]).toEqual(['DAY', 'WEEK', 'MONTH']);
});

test('per currency: orders, paid orders, gross, refunded, net and the average rounded half up', async () => {
  const stats = await orderStats(db.again(ctx), range);
  expect(stats.range).toEqual(range);
  // EUR paid: 1,000 + 1,333 + 333 = 2,666 over 3 orders = 888.67 → 889; refunded 633.
  expect(stats.byCurrency).toEqual([
    {
      currency: 'EUR', orderCount: 4, paidOrderCount: 3, grossRevenue: { amount: 2_666, currency: 'EUR' }, refunded: { amount: 633, currency: 'EUR' },
      netRevenue: { amount: 2_033, currency: 'EUR' }, averageOrderValue: { amount: 889, currency: 'EUR' },
    },
    {
      currency: 'USD', orderCount: 1, paidOrderCount: 0, grossRevenue: { amount: 0, currency: 'USD' }, refunded: { amount: 0, currency: 'USD' },
      netRevenue: { amount: 0, currency: 'USD' }, averageOrderValue: { amount: 0, currency: 'USD' },
    },
  ]);
});

test('an average that is exactly half a unit rounds up', async () => {
  // EUR paid on the first day only: 1,000 and 1,333 → 1,166.5 → 1,167.
  const stats = await orderStats(db.again(ctx), { ...range, to: at(1) });
  expect(stats.byCurrency[0]).toMatchObject({ paidOrderCount: 2, averageOrderValue: { amount: 1_167, currency: 'EUR' } });
});

test('every status and payment status is listed, with zero for those no order has', async () => {
  const stats = await orderStats(db.again(ctx), range);
  expect(stats.byStatus).toEqual([
    { status: 'PENDING', count: 2 },
    { status: 'PROCESSING', count: 1 },
    { status: 'SHIPPED', count: 0 },
    { status: 'DELIVERED', count: 1 },
    { status: 'CANCELLED', count: 1 },
  ]);
  expect(stats.byPaymentStatus).toEqual([
    { paymentStatus: 'AWAITING_PAYMENT', count: 1 },
    { paymentStatus: 'PAID', count: 1 },
    { paymentStatus: 'PAYMENT_FAILED', count: 1 },
    { paymentStatus: 'PARTIALLY_REFUNDED', count: 1 },
    { paymentStatus: 'REFUNDED', count: 1 },
  ]);
});

test('the series: one point per day and currency, with the net of paid orders', async () => {
  const stats = await orderStats(db.again(ctx), range);
  expect(stats.series).toEqual([
    { periodStart: at(0), currency: 'EUR', orderCount: 2, netRevenue: { amount: 2_033, currency: 'EUR' } },
    { periodStart: at(0), currency: 'USD', orderCount: 0, netRevenue: { amount: 0, currency: 'USD' } },
    { periodStart: at(1), currency: 'EUR', orderCount: 1, netRevenue: { amount: 0, currency: 'EUR' } },
    { periodStart: at(1), currency: 'USD', orderCount: 0, netRevenue: { amount: 0, currency: 'USD' } },
    { periodStart: at(2), currency: 'EUR', orderCount: 1, netRevenue: { amount: 0, currency: 'EUR' } },
    { periodStart: at(2), currency: 'USD', orderCount: 1, netRevenue: { amount: 0, currency: 'USD' } },
  ]);
});

test('the best sellers among paid orders, by units, with their revenue in their currency', async () => {
  const stats = await orderStats(db.again(ctx), range);
  expect(await stats.topProducts(50)).toEqual([
    { productId: b.id, sku: 'B', name: 'Beta', quantity: 2, revenue: { amount: 666, currency: 'EUR' } },
    { productId: a.id, sku: 'A', name: 'Alpha', quantity: 2, revenue: { amount: 2_000, currency: 'EUR' } },
  ].sort((x, y) => y.revenue.amount - x.revenue.amount));
  expect(await topProducts(db.again(ctx), stats.range, 1)).toHaveLength(1);
});

test.each([0, 51, 1.5, Number.NaN])('refuses a best-seller limit of %p, also when it was selected ahead', async (limit) => {
  for (const parts of [undefined, { breakdowns: false, series: false, topProductsLimit: limit }]) {
    const stats = await orderStats(db.again(ctx), range, parts);
    const error = await stats.topProducts(limit).then(
      () => null,
      (e) => e,
    );
    expect(error).toBeInstanceOf(DomainError);
    expect(error.details).toEqual({ field: 'limit' });
  }
});

test('each part selected alone answers as it does in the whole', async () => {
  const whole = await orderStats(db.again(ctx), range);
  const breakdowns = await orderStats(db.again(ctx), range, { breakdowns: true, series: false, topProductsLimit: null });
  expect([breakdowns.byCurrency, breakdowns.byStatus, breakdowns.byPaymentStatus]).toEqual([whole.byCurrency, whole.byStatus, whole.byPaymentStatus]);
  expect(breakdowns.series).toEqual([]);
  const series = await orderStats(db.again(ctx), range, { breakdowns: false, series: true, topProductsLimit: null });
  expect(series.series).toEqual(whole.series);
  const best = await orderStats(db.again(ctx), range, { breakdowns: false, series: false, topProductsLimit: 1 });
  expect(await best.topProducts(1)).toEqual(await whole.topProducts(1));
});

test('a range that is not valid is refused before any query', async () => {
  const error = await orderStats(db.again(ctx), { from: at(1), to: at(1) }).then(
    () => null,
    (e) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  expect(error.details).toEqual({ field: 'range.to' });
});

test('a range of too many buckets is refused in words that name the interval', async () => {
  const error = await orderStats(db.again(ctx), { from, to: at(1_001) }).then(
    () => null,
    (e) => e,
  );
  expect(error.message).toBe('range: spans more than 1000 days; choose a larger interval');
});
