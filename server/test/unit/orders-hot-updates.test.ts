import { Client } from 'pg';
import { createOrder } from '../../src/orders/order.service';
import { createProduct } from '../../src/products/product.service';
import { startRuleDatabase, type RuleDatabase } from '../support/rule-database';

/**
 * An order's changes after it is placed (paid, refunded, cancelled, fulfilled, flagged) are written in place — a HOT
 * update, no new entry in any of its indexes — as long as no index of `orders` holds a column those changes write
 * (migration 20261212100000): an index that did made every Stripe payment write a new entry in all ten, the trigram
 * index of the search text among them. The migration that dropped it gives up rather than queue every order read and
 * write behind its lock.
 */
let db: RuleDatabase;
// Plain JS, as the migrator loads it.
const { Migration20261212100000_orders_hot_updates: OrdersHotUpdates } = require('../../../migrations/Migration20261212100000_orders_hot_updates');

beforeAll(async () => {
  db = await startRuleDatabase();
});
afterAll(() => db.close());

/** What changes on an order after its insert (order-change-log.ts writes them; the payment rules and the dashboard set them). */
const CHANGING_COLUMNS = ['status', 'payment_status', 'refunded_total', 'paid_at', 'provider_paid_at', 'cancelled_at', 'tracking_number', 'attention', 'updated_at'];

test('no index of orders holds a column that changes after the order is placed', async () => {
  const indexed = await db.sql<{ index: string; column: string }>(
    `select i.relname as index, a.attname as column
       from pg_index x
       join pg_class i on i.oid = x.indexrelid
       join pg_attribute a on a.attrelid = x.indrelid and a.attnum = any (x.indkey)
      where x.indrelid = 'orders'::regclass`,
  );
  expect(indexed.length).toBeGreaterThan(0);
  expect(indexed.filter((row) => CHANGING_COLUMNS.includes(row.column))).toEqual([]);
});

test('paying, refunding and shipping an order rewrites no index entry', async () => {
  const ctx = await db.brand();
  const product = await createProduct(ctx, { sku: 'HOT', name: 'In place', price: 1_000, stock: 10, active: true });
  const order = await createOrder(db.again(ctx), { items: [{ productId: product.id, quantity: 1 }], customer: { email: 'hot@example.com' } });
  const counts = await db.orm.em.fork().transactional(async (em) => {
    const conn = em.getConnection();
    const changes = [
      `update orders set payment_status = 'PAID', paid_at = now(), provider_paid_at = now(), updated_at = now() where id = ?`,
      `update orders set refunded_total = 400, payment_status = 'PARTIALLY_REFUNDED', updated_at = now() where id = ?`,
      `update orders set status = 'SHIPPED', tracking_number = 'TRK-1', attention = null, updated_at = now() where id = ?`,
    ];
    for (const change of changes) await conn.execute(change, [order.id], 'run', em.getTransactionContext());
    // This transaction's own counts: no wait for the statistics collector.
    const [row] = await conn.execute(
      `select n_tup_upd::int as updated, n_tup_hot_upd::int as in_place from pg_stat_xact_user_tables where relid = 'orders'::regclass`,
      [],
      'all',
      em.getTransactionContext(),
    );
    return row;
  });
  expect(counts).toEqual({ updated: 3, in_place: 3 });
});

test('orders keep room on their pages for their changes', async () => {
  const [row] = await db.sql<{ options: string[] | null }>(`select reloptions as options from pg_class where oid = 'orders'::regclass`);
  expect(row.options).toContain('fillfactor=85');
});

test('the migration gives up, changing nothing, when a long transaction holds the orders table', async () => {
  await db.sql(`create index "orders_brand_id_created_at_stats" on orders (brand_id, created_at) include (currency, status, payment_status, total, refunded_total)`);
  const migration = new OrdersHotUpdates(db.orm.em.getDriver(), db.orm.config);
  await migration.up();
  const statements: string[] = migration.getQueries();
  const url = db.orm.config.getClientUrl();
  const reader = new Client({ connectionString: url });
  const migrator = new Client({ connectionString: url });
  await Promise.all([reader.connect(), migrator.connect()]);
  try {
    // A report reading the orders in a transaction that is still open.
    await reader.query('begin');
    await reader.query('select count(*) from orders');
    await migrator.query('begin');
    let failure: { code?: string } | null = null;
    try {
      for (const statement of statements) await migrator.query(statement);
    } catch (error) {
      failure = error as { code?: string };
    }
    await migrator.query('rollback');
    expect(failure?.code).toBe('55P03');
    const [kept] = await db.sql<{ n: number }>(`select count(*)::int as n from pg_indexes where indexname = 'orders_brand_id_created_at_stats'`);
    expect(kept.n).toBe(1);
    // Once the reader is done, it applies.
    await reader.query('commit');
    await migrator.query('begin');
    for (const statement of statements) await migrator.query(statement);
    await migrator.query('commit');
    const [gone] = await db.sql<{ n: number }>(`select count(*)::int as n from pg_indexes where indexname = 'orders_brand_id_created_at_stats'`);
    expect(gone.n).toBe(0);
  } finally {
    await Promise.all([reader.end(), migrator.end()]);
  }
}, 30_000);
