import { Client } from 'pg';
import { DomainError } from '../../src/errors';
import { Product } from '../../src/products/product.entity';
import { RequestContext } from '../../src/shared/request-context';
import { likePattern, lockKeys, pgArray, scopedSql } from '../../src/shared/sql';
import { startRuleDatabase, type RuleDatabase } from '../support/rule-database';

/**
 * The tenancy helpers (shared/sql.ts, shared/request-context.ts) called directly on a real database: which statements
 * the wall lets through, that it binds the brand, and what a request context carries. tenancy.test.ts checks the same
 * wall through the API, brand against brand.
 */
let db: RuleDatabase;
let a: RequestContext;
let b: RequestContext;

const REFUSED = 'scopedSql: the first parameter of the statement must be `brand_id = ?`';

/** A statement on the EntityManager raw SQL runs on, without the wall (for a simulated abort, which reads nothing). */
const unscoped = (ctx: RequestContext, query: string) => ctx.sqlEm.getConnection().execute(query);

beforeAll(async () => {
  db = await startRuleDatabase();
  a = await db.brand();
  b = await db.brand('VIEWER');
});
afterAll(() => db.close());

async function addProduct(ctx: RequestContext, sku: string) {
  await db.sql(
    `insert into products (id, created_at, updated_at, brand_id, sku, name, price, stock) values (gen_random_uuid(), now(), now(), ?, ?, ?, 100, 5)`,
    [ctx.brandId, sku, sku],
  );
}

describe('scopedSql', () => {
  beforeAll(async () => {
    await addProduct(a, 'A-1');
    await addProduct(a, 'A-2');
    await addProduct(b, 'B-1');
  });

  test('binds the brand as the first parameter, before the statement’s own', async () => {
    expect(await scopedSql(a, 'select id from brands where id = ?')).toEqual([{ id: a.brandId }]);
    expect(await scopedSql(b, 'select id from brands where id = ?')).toEqual([{ id: b.brandId }]);
    const rows = await scopedSql(a, 'select sku from products where brand_id = ? and sku = ?', ['A-2']);
    expect(rows).toEqual([{ sku: 'A-2' }]);
    expect(await scopedSql(b, 'select sku from products where brand_id = ? and sku = ?', ['A-2'])).toEqual([]);
  });

  // Each form of a scoped statement, with as little and as much white space as SQL allows, in either case.
  test.each([
    ['brand_id = ?', 'select sku from products where brand_id = ? order by sku'],
    ['brand_id=?, no spaces', 'select sku from products where brand_id=? order by sku'],
    ['a qualified column, spaced out', 'select p.sku from products p where p.brand_id  =\n  ? order by sku'],
    ['upper case', 'SELECT sku FROM products WHERE BRAND_ID = ? ORDER BY sku'],
    ['a CTE that starts with the scope', 'with t as (select sku from products where brand_id = ?) select sku from t order by sku'],
  ])('reads the brand’s rows: %s', async (_, query) => {
    expect(await scopedSql(a, query)).toEqual([{ sku: 'A-1' }, { sku: 'A-2' }]);
  });

  test.each([
    ['spaced', `insert into products (brand_id, id, created_at, updated_at, sku, name, price, stock) values (?, gen_random_uuid(), now(), now(), ?, 'x', 1, 1) returning brand_id`],
    ['tight, upper case', `INSERT INTO products(brand_id,id,created_at,updated_at,sku,name,price,stock)VALUES(?,gen_random_uuid(),now(),now(),?,'x',1,1) RETURNING brand_id`],
    ['white space everywhere', `\n  insert  into  products  (  brand_id  , id, created_at, updated_at, sku, name, price, stock)\n values  (  ?, gen_random_uuid(), now(), now(), ?, 'x', 1, 1) returning brand_id`],
  ])('inserts a row whose first column is the brand: %s', async (name, query) => {
    expect(await scopedSql(b, query, [`INS-${name}`])).toEqual([{ brand_id: b.brandId }]);
  });

  test.each([
    ['spaced', 'update brands set updated_at = now() where id = ? returning id'],
    ['tight, upper case', 'UPDATE brands SET updated_at=now() WHERE ID=? RETURNING id'],
    ['white space everywhere', '\n update  brands  set  updated_at = now()\n where  id  =  ? returning id'],
  ])('updates the brand’s own row: %s', async (_, query) => {
    expect(await scopedSql(a, query)).toEqual([{ id: a.brandId }]);
  });

  test.each([
    ['spaced', 'select id from brands where id = ?'],
    ['tight, upper case', 'SELECT id FROM brands WHERE ID=?'],
    ['white space everywhere', '\n  select  id,\n name  from  brands\n  where  id  =  ?'],
  ])('reads the brand’s own row: %s', async (_, query) => {
    expect(await scopedSql(a, query)).toEqual([expect.objectContaining({ id: a.brandId })]);
  });

  // stats_rows (migration 20261205100000) reads the rollup of the brand given as its first argument.
  test.each([
    ['spaced', 'select breakdown from stats_rows(brand_id => ?, range_from => ?, range_to => ?, breakdowns => true, unit => null, time_zone => null, top_limit => null)'],
    ['tight, upper case', 'SELECT breakdown FROM STATS_ROWS(BRAND_ID=>?,RANGE_FROM=>?,RANGE_TO=>?,BREAKDOWNS=>TRUE,UNIT=>NULL,TIME_ZONE=>NULL,TOP_LIMIT=>NULL)'],
    [
      'white space everywhere',
      '\n  select  breakdown\n  from  stats_rows(\n brand_id  =>  ?, range_from => ?, range_to => ?, breakdowns => true, unit => null, time_zone => null, top_limit => null)',
    ],
  ])('selects from a function whose first argument is the brand: %s', async (_, query) => {
    expect(await scopedSql(a, query, [new Date(0), new Date()])).toEqual([{ breakdown: [] }]);
  });

  // insert_order (migration 20261206200000) answers the new order's row as one column, which `(placed).*` expands: here
  // an order without lines, numbered in the brand given first and in no other.
  const INSERT_ORDER_ARGS = `order_id => gen_random_uuid(), created_at => now(), product_ids => '{}', quantities => '{}',
    movement_ids => '{}', allow_oversell => false, actor_type => 'SYSTEM', actor_id => null, actor_label => 'test',
    currency => 'EUR', subtotal => 0, discount_total => 0, shipping_total => 0, tax_total => 0, total => 0,
    discount_code => null, customer_email => 'wall@example.com', customer_name => null, customer_phone => null,
    shipping_address => null, source => 'API', checkout_ref => null, stripe_checkout_session_id => null,
    stripe_payment_intent_id => null, search_rest => '', lines => '[]', timeline => '[]', audit_entry => null)`;
  test.each([
    ['spaced', `select (placed).*, stock_taken from insert_order(brand_id => ?, ${INSERT_ORDER_ARGS}`],
    ['tight, upper case', `SELECT (PLACED).*,STOCK_TAKEN FROM INSERT_ORDER(BRAND_ID=>?,${INSERT_ORDER_ARGS}`],
    ['white space everywhere', `\n  select  (placed).*\n, stock_taken  from  insert_order(\n brand_id  =>  ?, ${INSERT_ORDER_ARGS}`],
  ])('selects the row a function of the brand answers as one column: %s', async (_, query) => {
    const [row] = await scopedSql(a, query);
    expect(row).toMatchObject({ brand_id: a.brandId, customer_email: 'wall@example.com', stock_taken: null });
  });

  // Each of these would run for another brand, or for every brand, if it were let through.
  test.each([
    ['no parameter at all', 'select sku from products'],
    ['a parameter first', '? '],
    ['another column first', 'select sku from products where id = ?'],
    ['a column that merely ends in brand_id', 'select sku from products where xbrand_id = ?'],
    ['another comparison', 'select sku from products where brand_id > ?'],
    ['brand_id later', 'select sku from products where sku = ? and brand_id = ?'],
    ['an insert whose first column is not the brand', `insert into products (sku, brand_id) values (?, ?)`],
    ['an insert from a select', 'insert into products (brand_id, sku) select ?'],
    ['an insert after another statement', `select 1; insert into products (brand_id, sku) values (?`],
    ['an insert into a table with a name glued on', 'insert into products (brand_id, sku) xvalues (?'],
    ['an update of another table', 'update products set updated_at = now() where id = ?'],
    ['an update of brands by another column', 'update brands set name = ? where id = ?'],
    ['an update of brands after a CTE', 'with x as (select 1) update brands set updated_at = now() where id = ?'],
    ['an update of brands with a glued where', 'update brands set updated_at = now() xwhere id = ?'],
    ['an update of brands with a glued set', 'update brands xset updated_at = now() where id = ?'],
    ['a select of brands by another column', 'select id from brands where slug = ?'],
    ['a select of brands after a CTE', 'with x as (select 1) select id from brands where id = ?'],
    ['a select of brands with a glued select', 'selectid from brands where id = ?'],
    ['a select of brands with a glued from', 'select idfrom brands where id = ?'],
    ['a select of brands with a glued where', 'select id from brands xwhere id = ?'],
    ['a select of another table by id', 'select id from products where id = ?'],
    ['a function given the brand by position', 'select * from stats_rows(?'],
    ['a function whose first argument is another', 'select * from stats_rows(range_from => ?'],
    ['a function after a CTE', 'with x as (select 1) select * from stats_rows(brand_id => ?'],
    ['a function with a glued from', 'select breakdownfrom stats_rows(brand_id => ?'],
    ['a function whose first argument is a subquery', 'select * from f(brand_id => (select 1 from g(brand_id => ?'],
    ['a function called in the select list first', 'select f(x), y from g(brand_id => ?'],
    ['a row column of a function given the brand by position', 'select (placed).* from insert_order(?'],
    ['a row column of another table first', 'select (placed).* from orders, insert_order(brand_id => ?'],
    ['a row column beside a subquery', 'select (placed).*, (select 1 from g(brand_id => ?'],
    ['a row column of a function after a CTE', 'with x as (select 1) select (placed).* from insert_order(brand_id => ?'],
  ])('refuses a statement not scoped to the brand: %s', async (_, query) => {
    await expect(scopedSql(a, query, [a.brandId, a.brandId])).rejects.toThrow(REFUSED);
  });

  test('takes an advisory lock until the transaction ends', async () => {
    const other = new Client({ connectionString: (db.orm.config.get('clientUrl') as string) });
    await other.connect();
    const tryLock = async () => (await other.query(`select pg_try_advisory_lock(hashtextextended('tenancy-lock', 0)) as ok`)).rows[0].ok;
    try {
      await a.transaction(async (tx) => {
        await lockKeys(tx.em, ['tenancy-lock']);
        expect(await tryLock()).toBe(false);
      });
      expect(await tryLock()).toBe(true);
    } finally {
      await other.end();
    }
  });

  test('pgArray quotes every element and escapes quotes and backslashes', async () => {
    const values = ['plain', 'with "quotes"', 'back\\slash', 'a,b {c}', ''];
    expect(pgArray(values)).toBe('{"plain","with \\"quotes\\"","back\\\\slash","a,b {c}",""}');
    const [row] = await db.sql<{ values: string[] }>('select ?::text[] as values', [pgArray(values)]);
    expect(row.values).toEqual(values);
    expect(pgArray([])).toBe('{}');
  });

  test('likePattern matches the text literally, anywhere', async () => {
    expect(likePattern('50%_off\\now')).toBe('%50\\%\\_off\\\\now%');
    expect(likePattern('plain')).toBe('%plain%');
    const matches = async (text: string, search: string) =>
      (await db.sql<{ ok: boolean }>('select ? like ? as ok', [text, likePattern(search)]))[0].ok;
    expect(await matches('get 50%_off\\now!', '50%_off\\now')).toBe(true);
    expect(await matches('get 50 percent off', '50%')).toBe(false);
    expect(await matches('a-b', 'a_b')).toBe(false);
  });
});

describe('RequestContext', () => {
  test('binds the brand filter: the ORM finds only the brand’s own rows', async () => {
    const skus = async (ctx: RequestContext) => (await db.again(ctx).em.find(Product, {}, { orderBy: { sku: 'asc' } })).map((p) => p.sku);
    expect(await skus(b)).toEqual(['B-1', 'INS-spaced', 'INS-tight, upper case', 'INS-white space everywhere']);
    expect(await skus(a)).toEqual(['A-1', 'A-2']);
  });

  test('forks a clean EntityManager of its own for each request', async () => {
    const root = db.orm.em.fork();
    const [product] = await root.find(Product, { brand: a.brandId }, { filters: false, limit: 1 });
    const ctx = RequestContext.create(root, a.principal);
    expect(ctx.em).not.toBe(root);
    expect(ctx.em.getUnitOfWork().getIdentityMap().values()).toHaveLength(0);
    expect((await ctx.em.findOneOrFail(Product, product.id))).not.toBe(product);
  });

  test('without a principal: no brand, no actor, no role, and the ORM refuses brand-scoped reads', async () => {
    const anonymous = RequestContext.create(db.orm.em as any, null);
    expect(anonymous.isAuthenticated).toBe(false);
    expect(anonymous.role).toBeNull();
    expect(anonymous.hasRole('VIEWER')).toBe(false);
    for (const read of [() => anonymous.brandId, () => anonymous.actor, () => anonymous.withActor(a.actor)]) {
      expect(read).toThrow(DomainError);
      expect(read).toThrow(expect.objectContaining({ code: 'UNAUTHENTICATED' }));
    }
    await expect(anonymous.em.find(Product, {})).rejects.toThrow("No arguments provided for filter 'brand'");
  });

  test('with a principal: its brand, actor and role', () => {
    expect(a.isAuthenticated).toBe(true);
    expect(a.brandId).toBe(a.principal!.brandId);
    expect(a.actor).toEqual(a.principal!.actor);
    expect(a.role).toBe('OWNER');
    expect(b.role).toBe('VIEWER');
    expect(b.hasRole('VIEWER')).toBe(true);
    expect(b.hasRole('STAFF')).toBe(false);
    expect(a.hasRole('OWNER')).toBe(true);
  });

  test('keeps a given request id, and makes a distinct one otherwise', () => {
    expect(RequestContext.create(db.orm.em as any, a.principal, 'req-1').requestId).toBe('req-1');
    const [one, two] = [RequestContext.create(db.orm.em as any, a.principal), RequestContext.create(db.orm.em as any, a.principal)];
    expect(one.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(one.requestId).not.toBe(two.requestId);
  });

  test('withEm and withActor keep the brand and the request, and change only what they name', () => {
    const ctx = RequestContext.create(db.orm.em as any, a.principal, 'req-2');
    const em = db.orm.em.fork();
    const moved = ctx.withEm(em);
    expect(moved.em).toBe(em);
    expect(moved.principal).toBe(ctx.principal);
    expect(moved.requestId).toBe('req-2');
    const stripe = { type: 'STRIPE', id: 'evt_1', label: 'Stripe' } as const;
    const acting = ctx.withActor(stripe);
    expect(acting.actor).toEqual(stripe);
    expect(acting.brandId).toBe(a.brandId);
    expect(acting.role).toBe('OWNER');
    expect(acting.em).toBe(ctx.em);
    expect(acting.requestId).toBe('req-2');
    expect(ctx.actor).toEqual(a.principal!.actor);
  });

  test('transaction commits when the work resolves and rolls back when it throws', async () => {
    const ctx = db.again(a);
    const result = await ctx.transaction(async (tx) => {
      expect(tx.em).not.toBe(ctx.em);
      expect(tx.requestId).toBe(ctx.requestId);
      expect(tx.brandId).toBe(a.brandId);
      await scopedSql(tx, `update products set stock = 42 where brand_id = ? and sku = 'A-1'`);
      return 'done';
    });
    expect(result).toBe('done');
    await expect(
      ctx.transaction(async (tx) => {
        await scopedSql(tx, `update products set stock = 7 where brand_id = ? and sku = 'A-1'`);
        throw new Error('work failed');
      }),
    ).rejects.toThrow('work failed');
    expect(await db.sql(`select stock from products where sku = 'A-1'`)).toEqual([{ stock: 42 }]);
  });

  describe('transaction runs again what PostgreSQL aborted', () => {
    const SERIALIZATION_FAILURE = `do $$ begin raise exception 'simulated conflict' using errcode = '40001'; end $$`;

    test('a deadlock victim runs again and both transactions commit', async () => {
      const c = await db.brand();
      await addProduct(c, 'DL-1');
      await addProduct(c, 'DL-2');
      const ids = (await scopedSql<{ id: string }>(c, 'select id from products where brand_id = ? order by sku')).map((p) => p.id);
      const attempts = { first: 0, second: 0 };
      let arrived = 0;
      let release!: () => void;
      const bothHoldTheirFirstRow = new Promise<void>((resolve) => (release = resolve));
      const lock = (tx: RequestContext, id: string) => scopedSql(tx, 'select id from products where brand_id = ? and id = ? for update', [id]);
      // Two connections lock the same two rows in opposite orders: PostgreSQL aborts one of them as the deadlock's victim.
      const lockBoth = (first: string, second: string, counter: 'first' | 'second') =>
        db.again(c).transaction(async (tx) => {
          attempts[counter]++;
          await lock(tx, first);
          if (++arrived === 2) release();
          await bothHoldTheirFirstRow;
          await lock(tx, second);
          await scopedSql(tx, 'update products set stock = stock - 1 where brand_id = ? and id = ?', [first]);
          return counter;
        });
      const results = await Promise.allSettled([lockBoth(ids[0], ids[1], 'first'), lockBoth(ids[1], ids[0], 'second')]);
      expect(results).toEqual([
        { status: 'fulfilled', value: 'first' },
        { status: 'fulfilled', value: 'second' },
      ]);
      // The victim ran twice; its first attempt left nothing behind, so each row lost exactly one unit.
      expect(attempts.first + attempts.second).toBe(3);
      expect(await scopedSql(c, 'select stock from products where brand_id = ? order by sku')).toEqual([{ stock: 4 }, { stock: 4 }]);
    });

    test('a transaction aborted every time runs three times in all, then fails with the abort', async () => {
      let attempts = 0;
      const work = db.again(a).transaction(async (tx) => {
        attempts++;
        await tx.em.execute(SERIALIZATION_FAILURE);
      });
      await expect(work).rejects.toThrow('simulated conflict');
      expect(attempts).toBe(3);
    });

    test('a nested transaction is run again by the outermost one only', async () => {
      const attempts = { outer: 0, inner: 0 };
      const work = db.again(a).transaction(async (tx) => {
        attempts.outer++;
        await tx.transaction(async (inner) => {
          attempts.inner++;
          await inner.em.execute(SERIALIZATION_FAILURE);
        });
      });
      await expect(work).rejects.toThrow('simulated conflict');
      expect(attempts).toEqual({ outer: 3, inner: 3 });
    });

    test('any other error is not retried', async () => {
      let attempts = 0;
      const work = db.again(a).transaction(async (tx) => {
        attempts++;
        await tx.em.execute(`do $$ begin raise exception 'not a conflict' using errcode = '23505'; end $$`);
      });
      await expect(work).rejects.toThrow('not a conflict');
      expect(attempts).toBe(1);
    });
  });

  describe('atomicStatement (one statement atomic on its own)', () => {
    const SERIALIZATION_FAILURE = `do $$ begin raise exception 'simulated conflict' using errcode = '40001'; end $$`;

    test('outside a transaction, runs again what PostgreSQL aborted, without forking an EntityManager', async () => {
      const ctx = db.again(a);
      const root = ctx.sqlEm;
      let attempts = 0;
      const result = await ctx.atomicStatement(async () => {
        if (++attempts < 3) await unscoped(ctx, SERIALIZATION_FAILURE);
        return 'done';
      });
      expect(result).toBe('done');
      expect(attempts).toBe(3);
      expect(ctx.sqlEm).toBe(root);
    });

    test('inside a transaction, runs once and leaves the retry to the transaction', async () => {
      const attempts = { outer: 0, statement: 0 };
      const work = db.again(a).transaction(async (tx) => {
        attempts.outer++;
        await tx.atomicStatement(async () => {
          attempts.statement++;
          await tx.em.execute(SERIALIZATION_FAILURE);
        });
      });
      await expect(work).rejects.toThrow('simulated conflict');
      expect(attempts).toEqual({ outer: 3, statement: 3 });
    });
  });
});

describe('scopedSql, prepared', () => {
  beforeAll(async () => {
    await addProduct(a, 'R-1');
    await addProduct(b, 'R-1');
  });
  const prepared = { prepared: true };

  test('answers as the ORM path does, the brand bound first; what is not scoped is refused all the same', async () => {
    const query = 'select sku, stock, brand_id from products where brand_id = ? and sku = ?';
    for (const ctx of [a, b]) {
      const rows = await scopedSql(ctx, query, ['R-1'], prepared);
      expect(rows).toEqual(await scopedSql(ctx, query, ['R-1']));
      expect(rows).toEqual([{ sku: 'R-1', stock: 5, brand_id: ctx.brandId }]);
    }
    await expect(scopedSql(a, 'select sku from products where sku = ?', ['R-1'], prepared)).rejects.toThrow(REFUSED);
  });

  test('is a named statement of its connection, planned once, generically, for every brand', async () => {
    // The statement reads its own connection's prepared statements (its own among them, being run).
    const query = `select (select json_agg(json_build_object('statement', statement, 'generic', generic_plans, 'custom', custom_plans))
                     from pg_prepared_statements where statement like '%pg_prepared_statements%') as named
                     from brands where id = $1`.replace('$1', '?');
    for (const ctx of [a, b, a, b]) {
      const [{ named }] = await scopedSql<{ named: { statement: string; generic: number; custom: number }[] }>(ctx, query, [], prepared);
      expect(named).toHaveLength(1);
      expect(named[0].statement).toContain('from brands where id = $1');
      expect(named[0].generic).toBeGreaterThanOrEqual(1);
      expect(named[0].custom).toBe(0);
    }
  });

  test('in a transaction, runs on the transaction’s connection (it sees what the transaction wrote)', async () => {
    await db.again(a).transaction(async (tx) => {
      await scopedSql(tx, `update products set stock = 77 where brand_id = ? and sku = 'R-1'`);
      expect(await scopedSql(tx, 'select stock from products where brand_id = ? and sku = ?', ['R-1'], prepared)).toEqual([{ stock: 77 }]);
      throw new Error('roll back');
    }).catch(() => undefined);
    expect(await scopedSql(a, 'select stock from products where brand_id = ? and sku = ?', ['R-1'], prepared)).toEqual([{ stock: 5 }]);
  });

  test('its errors are the driver’s, as on the ORM path', async () => {
    const failing = 'select 1 / (stock - stock) from products where brand_id = ? and sku = ?';
    const viaOrm = await scopedSql(a, failing, ['R-1']).catch((error: Error) => error);
    const viaDriver = await scopedSql(a, failing, ['R-1'], prepared).catch((error: Error) => error);
    expect(viaOrm).toBeInstanceOf(Error);
    expect(viaDriver.constructor).toBe(viaOrm.constructor);
    expect((viaDriver as Error).message).toContain('division by zero');
  });
});
