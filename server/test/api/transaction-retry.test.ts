import { Client } from 'pg';
import { scopedSql } from '../../src/shared/sql';
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
 * Two transactions that lock the same rows in opposite orders deadlock; PostgreSQL aborts one of them. The victim
 * wrote nothing, so RequestContext.transaction runs it again, and both callers get their answer instead of a 500.
 */
let t: TestApp;
let brand: TestBrand;

beforeAll(async () => {
  t = await startTestApp();
  brand = await createTestBrand(t);
});
afterAll(() => t.close());

test('a deadlock victim runs again and both transactions commit', async () => {
  const [a, b] = [await createTestProduct(brand), await createTestProduct(brand)];
  const attempts = { first: 0, second: 0 };
  let arrived = 0;
  let release!: () => void;
  const bothHoldTheirFirstRow = new Promise<void>((resolve) => (release = resolve));
  const lock = (tx: Parameters<Parameters<typeof brand.ctx.transaction>[0]>[0], id: string) =>
    scopedSql(tx, 'select id from products where brand_id = ? and id = ? for update', [id]);
  const lockBoth = (first: string, second: string, counter: 'first' | 'second') =>
    brand.ctx.transaction(async (tx) => {
      attempts[counter]++;
      await lock(tx, first);
      if (++arrived === 2) release();
      await bothHoldTheirFirstRow;
      await lock(tx, second);
      await scopedSql(tx, 'update products set stock = stock - 1 where brand_id = ? and id = ?', [first]);
      return counter;
    });

  const results = await Promise.allSettled([lockBoth(a.id, b.id, 'first'), lockBoth(b.id, a.id, 'second')]);
  expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
  // One of the two was the deadlock's victim and ran twice; its first attempt left nothing behind.
  expect(attempts.first + attempts.second).toBe(3);
  const stock = await t.sql<{ id: string; stock: number }>('select id, stock from products where id in (?, ?)', [a.id, b.id]);
  expect(stock.map((p) => p.stock).sort()).toEqual([a.stock - 1, b.stock - 1].sort());
});

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
