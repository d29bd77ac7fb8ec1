import { scopedSql } from '../../src/shared/sql';
import { createTestBrand, createTestProduct, startTestApp, type TestApp, type TestBrand } from '../support/harness';

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
