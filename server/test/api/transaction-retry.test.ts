import { Client } from 'pg';
import {
  CREATE_ORDER,
  createTestBrand,
  createTestProduct,
  orderInput,
  startTestApp,
  type TestApp,
  type TestBrand,
} from '../support/harness';

/**
 * A createOrder without an idempotency key or discount is one statement and no transaction; its commit runs the
 * deferred rollup triggers, which can deadlock. The victim wrote nothing, so it runs again and the caller gets its order
 * instead of a 500. (A transaction's retry on a deadlock is checked in unit/tenancy-helpers.test.ts.)
 */
let t: TestApp;
let brand: TestBrand;

beforeAll(async () => {
  t = await startTestApp();
  brand = await createTestBrand(t);
});
afterAll(() => t.close());

test('a plain createOrder whose commit deadlocks runs again, and the order is created once', async () => {
  const product = await createTestProduct(brand);
  const before = await t.sql<{ n: number }>('select count(*)::int as n from orders where brand_id = ?', [brand.id]);
  const other = new Client({ connectionString: t.databaseUrl });
  await other.connect();
  try {
    // The other transaction holds the rollup tables, which the order's statement needs at its commit (deferred
    // triggers), and then asks for the product the statement has locked: a deadlock. Its own deadlock check waits
    // longer, so PostgreSQL aborts the order's statement, which wrote nothing and must run again.
    await other.query('begin');
    await other.query(`set local deadlock_timeout = '30s'`);
    await other.query('lock table order_stats_daily, order_stats_hourly in share row exclusive mode');
    const creating = t.gql(CREATE_ORDER, { input: orderInput([{ productId: product.id, quantity: 2 }]) }, brand.tokens.OWNER);
    const waitingOnTheRollup = `select count(*)::int as n from pg_stat_activity
      where wait_event_type = 'Lock' and datname = current_database() and pid <> pg_backend_pid()`;
    while ((await other.query(waitingOnTheRollup)).rows[0].n === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    await other.query('select id from products where id = $1 for update', [product.id]);
    await other.query('commit');

    const res = await creating;
    expect(res.errors).toBeUndefined();
    expect(res.data.createOrder.items).toHaveLength(1);
  } finally {
    await other.end();
  }
  const after = await t.sql<{ n: number }>('select count(*)::int as n from orders where brand_id = ?', [brand.id]);
  expect(after[0].n).toBe(before[0].n + 1);
  const [{ stock }] = await t.sql<{ stock: number }>('select stock from products where id = ?', [product.id]);
  expect(stock).toBe(product.stock - 2);
});
