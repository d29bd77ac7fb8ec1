import { randomUUID } from 'node:crypto';
import { DomainError } from '../../src/errors';
import { adjustStock, insufficientStock, MAX_STOCK, releaseStock, stockSaleLines, stockShortfall, type StockLine } from '../../src/products/stock.service';
import type { RequestContext } from '../../src/shared/request-context';
import { pgArray, scopedSql } from '../../src/shared/sql';
import { startRuleDatabase, type RuleDatabase } from '../support/rule-database';

/**
 * The stock rules (products/stock.service.ts) called directly, each in its own transaction on the real database: what
 * a reservation, a release and an adjustment do to the stock and to the movement log, and what they refuse.
 * concurrency.test.ts and lifecycle.test.ts check the same rules through the API, under contention.
 */
let db: RuleDatabase;
let ctx: RequestContext;
const ACTOR = { type: 'USER', id: 'user-1', label: 'Ann' } as const;

beforeAll(async () => {
  db = await startRuleDatabase();
  ctx = (await db.brand()).withActor(ACTOR);
});
afterAll(() => db.close());

async function product(stock: number, sku = `SKU-${randomUUID().slice(0, 8)}`): Promise<string> {
  const [row] = await db.sql<{ id: string }>(
    `insert into products (id, created_at, updated_at, brand_id, sku, name, price, stock) values (?, now(), now(), ?, ?, ?, 100, ?) returning id`,
    [randomUUID(), ctx.brandId, sku, `Name of ${sku}`, stock],
  );
  return row.id;
}

const stockOf = async (id: string) => (await db.sql<{ stock: number }>('select stock from products where id = ?', [id]))[0].stock;

const movements = (productId: string) =>
  db.sql(
    `select delta, stock_after, reason, order_id, note, actor_type, actor_id, actor_label, brand_id
       from stock_movements where product_id = ? order by created_at, id`,
    [productId],
  );

const movement = (delta: number, stockAfter: number, reason: string, orderId: string | null, note: string | null = null) => ({
  delta,
  stock_after: stockAfter,
  reason,
  order_id: orderId,
  note,
  actor_type: 'USER',
  actor_id: 'user-1',
  actor_label: 'Ann',
  brand_id: ctx.brandId,
});

/** Runs `work` in a transaction of its own, as a request would. */
const inTransaction = <T>(work: (tx: RequestContext) => Promise<T>) => db.again(ctx).transaction(work);

function domainError(error: unknown): DomainError {
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

/**
 * A sale's stock as insert_order runs it (order-writes.ts): the database's rule `take_stock` given stockSaleLines's
 * lines, then stockShortfall to say why when it took nothing. Answers what each product had left after the sale.
 */
async function sell(tx: RequestContext, lines: StockLine[], orderId: string, options: { allowOversell?: boolean } = {}) {
  const sale = stockSaleLines(lines);
  const taken = await scopedSql<{ product_id: string; stock_after: number }>(
    tx,
    `select product_id, stock_after from take_stock(brand_id => ?, order_id => ?, sold_at => ?, product_ids => ?, quantities => ?,
       movement_ids => ?, allow_oversell => ?, actor_type => ?, actor_id => ?, actor_label => ?)`,
    [orderId, new Date(), sale.productIds, sale.quantities, sale.movementIds, options.allowOversell ?? false, tx.actor.type, tx.actor.id, tx.actor.label],
  );
  if (taken.length === 0) throw await stockShortfall(tx, lines);
  expect(taken).toHaveLength(new Set(lines.map((line) => line.productId)).size);
  return taken.map((row) => ({ productId: row.product_id, stockAfter: row.stock_after }));
}

describe('take_stock, given stockSaleLines', () => {
  test('takes each product’s summed quantity, logs one sale per product, and oversells nothing', async () => {
    const [p, q] = [await product(10), await product(5)];
    const orderId = randomUUID();
    const lines: StockLine[] = [{ productId: p, quantity: 2 }, { productId: q, quantity: 5 }, { productId: p, quantity: 3 }];
    const taken = await inTransaction((tx) => sell(tx, lines, orderId));
    expect(taken).toEqual(expect.arrayContaining([{ productId: p, stockAfter: 5 }, { productId: q, stockAfter: 0 }]));
    expect([await stockOf(p), await stockOf(q)]).toEqual([5, 0]);
    expect(await movements(p)).toEqual([movement(-5, 5, 'SALE', orderId)]);
    expect(await movements(q)).toEqual([movement(-5, 0, 'SALE', orderId)]);
  });

  test('locks products in id order in the statement itself, whatever the order of the lines', async () => {
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    const sorted = [...ids].sort();
    const sale = stockSaleLines([sorted[1], sorted[2], sorted[0], sorted[1]].map((productId, i) => ({ productId, quantity: i + 1 })));
    const [{ source }] = await db.sql<{ source: string }>(`select prosrc as source from pg_proc where proname = 'take_stock'`);
    expect(source).toMatch(/order by p\.id for update/);
    // The ids travel sorted as well, one per product, so the summed quantities line up with the rows in lock order.
    expect(sale.productIds).toBe(pgArray(sorted));
    expect(sale.quantities).toBe('{3,5,2}');
  });

  test('finds the products by their keys, never by reading the brand’s catalogue', async () => {
    // Its generic plan assumes an average brand: a lookup through a (brand_id, …) index reads every product of a large
    // catalogue for each sale (migration 20261209100000).
    const [p, q] = [await product(10), await product(10)];
    const scans = await inTransaction(async (tx) => {
      await sell(tx, [{ productId: p, quantity: 1 }, { productId: q, quantity: 1 }], randomUUID());
      return tx.em.execute<{ index: string; scans: string }[]>(
        `select indexrelid::regclass::text as index, pg_stat_get_xact_numscans(indexrelid) as scans
           from pg_index where indrelid = 'products'::regclass`,
      );
    });
    const byIndex = Object.fromEntries(scans.map((row) => [row.index, Number(row.scans)]));
    expect(byIndex.products_pkey).toBeGreaterThan(0);
    expect(Object.entries(byIndex).filter(([index, count]) => index !== 'products_pkey' && count > 0)).toEqual([]);
  });

  test('refuses more than the stock with INSUFFICIENT_STOCK, and takes nothing from any line', async () => {
    const [p, q] = await Promise.all([product(10), product(3, 'SHORT')]);
    const error = domainError(
      await inTransaction((tx) => sell(tx, [{ productId: p, quantity: 1 }, { productId: q, quantity: 4 }], randomUUID())).catch((e) => e),
    );
    expect(error.code).toBe('INSUFFICIENT_STOCK');
    expect(error.message).toBe('Not enough stock for Name of SHORT (SHORT): 4 requested, 3 available');
    expect(error.details).toEqual({ productId: q, sku: 'SHORT', requested: 4, available: 3 });
    expect([await stockOf(p), await stockOf(q)]).toEqual([10, 3]);
    expect([...(await movements(p)), ...(await movements(q))]).toEqual([]);
  });

  test('names the product that is short, not one with exactly enough before it in lock order', async () => {
    const [first, second] = [await product(10), await product(10)].sort();
    await db.sql('update products set stock = 3 where id = ?', [first]);
    await db.sql("update products set stock = 1, sku = 'SHORT2', name = 'Name of SHORT2' where id = ?", [second]);
    const error = domainError(
      await inTransaction((tx) => sell(tx, [{ productId: second, quantity: 2 }, { productId: first, quantity: 3 }], randomUUID())).catch((e) => e),
    );
    expect(error.details).toEqual({ productId: second, sku: 'SHORT2', requested: 2, available: 1 });
  });

  test('takes exactly the whole stock', async () => {
    const p = await product(4);
    await inTransaction((tx) => sell(tx, [{ productId: p, quantity: 4 }], randomUUID()));
    expect(await stockOf(p)).toBe(0);
  });

  test('an unknown product is NOT_FOUND', async () => {
    const missing = randomUUID();
    const error = domainError(await inTransaction((tx) => sell(tx, [{ productId: missing, quantity: 1 }], randomUUID())).catch((e) => e));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.details).toEqual({ productId: missing });
  });

  test('another brand’s product is NOT_FOUND and keeps its stock', async () => {
    const other = await db.brand();
    const [row] = await db.sql<{ id: string }>(
      `insert into products (id, created_at, updated_at, brand_id, sku, name, price, stock) values (?, now(), now(), ?, 'OTHER', 'Other', 100, 9) returning id`,
      [randomUUID(), other.brandId],
    );
    const error = domainError(await inTransaction((tx) => sell(tx, [{ productId: row.id, quantity: 1 }], randomUUID())).catch((e) => e));
    expect(error.code).toBe('NOT_FOUND');
    expect(await stockOf(row.id)).toBe(9);
  });

  test('with allowOversell, takes the stock below zero; without it, a product at or below zero refuses (never a negative availability)', async () => {
    const [p, q] = [await product(2, 'OVER'), await product(9)];
    const orderId = randomUUID();
    const first = await inTransaction((tx) => sell(tx, [{ productId: p, quantity: 5 }, { productId: q, quantity: 1 }], orderId, { allowOversell: true }));
    expect(first).toEqual(expect.arrayContaining([{ productId: p, stockAfter: -3 }, { productId: q, stockAfter: 8 }]));
    await inTransaction((tx) => sell(tx, [{ productId: p, quantity: 1 }], orderId, { allowOversell: true }));
    expect([await stockOf(p), await stockOf(q)]).toEqual([-4, 8]);
    expect(await movements(p)).toEqual([movement(-5, -3, 'SALE', orderId), movement(-1, -4, 'SALE', orderId)]);
    const refused = domainError(await inTransaction((tx) => sell(tx, [{ productId: p, quantity: 1 }], orderId)).catch((e) => e));
    expect(refused.details).toEqual({ productId: p, sku: 'OVER', requested: 1, available: 0 });
  });
});

describe('releaseStock', () => {
  test('gives each product’s summed quantity back and logs a cancellation with its note', async () => {
    const p = await product(1);
    const orderId = randomUUID();
    await inTransaction((tx) => releaseStock(tx, [{ productId: p, quantity: 2 }, { productId: p, quantity: 1 }], orderId, 'changed their mind'));
    expect(await stockOf(p)).toBe(4);
    expect(await movements(p)).toEqual([movement(3, 4, 'CANCELLATION', orderId, 'changed their mind')]);
  });

  test('a product deleted since has nothing to restock, and the others are restocked', async () => {
    const p = await product(0);
    await inTransaction((tx) => releaseStock(tx, [{ productId: randomUUID(), quantity: 2 }, { productId: p, quantity: 1 }], randomUUID(), null));
    expect(await stockOf(p)).toBe(1);
    expect(await movements(p)).toHaveLength(1);
  });
});

describe('adjustStock', () => {
  test('adds or removes stock, returns the new stock and logs an adjustment with its reason', async () => {
    const p = await product(10);
    expect(await inTransaction((tx) => adjustStock(tx, p, 5, 'found a box'))).toBe(15);
    expect(await inTransaction((tx) => adjustStock(tx, p, -15, 'all broken'))).toBe(0);
    expect(await movements(p)).toEqual([movement(5, 15, 'ADJUSTMENT', null, 'found a box'), movement(-15, 0, 'ADJUSTMENT', null, 'all broken')]);
  });

  test('refuses to take the stock below zero, naming what is available', async () => {
    const p = await product(3, 'LOW');
    const error = domainError(await inTransaction((tx) => adjustStock(tx, p, -4, 'count')).catch((e) => e));
    expect(error.code).toBe('INSUFFICIENT_STOCK');
    expect(error.details).toEqual({ productId: p, sku: 'LOW', requested: 4, available: 3 });
    expect(await stockOf(p)).toBe(3);
  });

  test('refuses to take the stock past the integer column’s range, even from far below it', async () => {
    expect(MAX_STOCK).toBe(2 ** 31 - 1);
    const p = await product(MAX_STOCK - 1, 'FULL');
    expect(await inTransaction((tx) => adjustStock(tx, p, 1, 'to the brim'))).toBe(MAX_STOCK);
    const error = domainError(await inTransaction((tx) => adjustStock(tx, p, 1, 'one more')).catch((e) => e));
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.message).toBe(`delta: would take the stock of FULL (${MAX_STOCK}) past ${MAX_STOCK}`);
    expect(error.details).toEqual({ field: 'delta' });
  });

  test('a zero adjustment of an oversold product is refused as insufficient stock, not as too much', async () => {
    const p = await product(-2, 'OVERSOLD');
    const error = domainError(await inTransaction((tx) => adjustStock(tx, p, 0, 'check')).catch((e) => e));
    expect(error.code).toBe('INSUFFICIENT_STOCK');
    expect(error.details).toMatchObject({ productId: p, sku: 'OVERSOLD', available: 0 });
  });

  test('an unknown product is NOT_FOUND', async () => {
    const error = domainError(await inTransaction((tx) => adjustStock(tx, randomUUID(), 1, 'x')).catch((e) => e));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toBe('Product not found');
  });
});

test('insufficientStock never reports a negative availability', () => {
  const error = insufficientStock('p1', { stock: -7, sku: 'S', name: 'N' }, 2);
  expect(error.message).toBe('Not enough stock for N (S): 2 requested, 0 available');
  expect(error.details).toEqual({ productId: 'p1', sku: 'S', requested: 2, available: 0 });
});
