import { createOrder } from '../../src/orders/order.service';
import { createProduct } from '../../src/products/product.service';
import { startRuleDatabase, type RuleDatabase } from '../support/rule-database';

/**
 * TRUNCATE fires no row triggers, so the stats rollup is emptied by statement triggers of its own (migration
 * 20261204090000, the monthly grain since 20261206100000): after `truncate orders cascade` no statistic may still count
 * the orders it removed.
 */
let db: RuleDatabase;

beforeAll(async () => {
  db = await startRuleDatabase();
});
afterAll(() => db.close());

const ROLLUP = [
  'order_stats_daily',
  'order_stats_hourly',
  'product_sales_daily',
  'product_sales_hourly',
  'product_sales_monthly',
];

async function rowsPerTable(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of ROLLUP) counts[table] = (await db.sql<{ n: number }>(`select count(*)::int as n from ${table}`))[0].n;
  return counts;
}

async function paidOrder(): Promise<void> {
  const ctx = await db.brand();
  const product = await createProduct(ctx, { sku: 'T', name: 'Truncated', price: 1_000, stock: 10, active: true });
  const order = await createOrder(db.again(ctx), { items: [{ productId: product.id, quantity: 2 }], customer: { email: 't@example.com' } });
  // Paid by plain SQL: the triggers count whoever writes.
  await db.sql(`update orders set payment_status = 'PAID' where id = ?`, [order.id]);
}

test('truncating the orders empties the whole rollup', async () => {
  await paidOrder();
  expect(Object.values(await rowsPerTable()).every((n) => n > 0)).toBe(true);
  await db.sql('truncate orders cascade');
  expect(await rowsPerTable()).toEqual(Object.fromEntries(ROLLUP.map((table) => [table, 0])));
});

test('truncating the lines alone empties the product sales and keeps the orders counted', async () => {
  await paidOrder();
  const before = await rowsPerTable();
  await db.sql('truncate order_items cascade');
  expect(await rowsPerTable()).toEqual({ ...before, product_sales_daily: 0, product_sales_hourly: 0, product_sales_monthly: 0 });
});
