import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import { commitWithNextStatement } from '../../src/db/pipelined-transaction';
import { preparedStatementLost, serverPrepared } from '../../src/db/server-prepared';
import { Order } from '../../src/orders/order.entity';
import { Product } from '../../src/products/product.entity';
import type { RequestContext } from '../../src/shared/request-context';
import { scopedSql } from '../../src/shared/sql';
import { recordAtTheDriver, type SentStatement } from '../support/driver-recorder';
import { startRuleDatabase, type RuleDatabase } from '../support/rule-database';

/**
 * db/pipelined-transaction.ts on a real database: what reaches the driver (BEGIN with the first statement, COMMIT with
 * the one asked to carry it, each on its own where it cannot ride), what each caller gets back, and what another
 * connection sees meanwhile. The Stripe webhook tests count the same round trips end to end.
 */
let db: RuleDatabase;
let a: RequestContext;
/** Another connection, outside the pool: it sees only what is committed, and the driver recorder does not see it. */
let observer: Client;
let recording: SentStatement[] | null = null;
let orderId: string;

beforeAll(async () => {
  db = await startRuleDatabase();
  a = await db.brand();
  observer = new Client({ connectionString: db.orm.config.get('clientUrl') as string });
  await observer.connect();
  recordAtTheDriver(db.orm, (statement) => recording?.push(statement));
  await db.sql(
    `insert into products (id, created_at, updated_at, brand_id, sku, name, price, stock)
     select gen_random_uuid(), now(), now(), ?, sku, sku, 100, 5 from unnest(array['P-1', 'P-2']) sku`,
    [a.brandId],
  );
  [{ id: orderId }] = await db.sql(
    `insert into orders (id, created_at, updated_at, brand_id, seq, number, status, payment_status, currency, subtotal, discount_total,
        shipping_total, tax_total, total, customer_email, customer_name, source, search_text)
     values (gen_random_uuid(), now(), now(), ?, 1, 'RU-000001', 'PENDING', 'AWAITING_PAYMENT', 'EUR', 100, 0, 0, 0, 100, 'c@example.com', 'C', 'DASHBOARD', '')
     returning id`,
    [a.brandId],
  );
});
afterAll(async () => {
  await observer.end();
  await db.close();
});

/** The statements `work` sends on the pool's connections, as the driver receives them (text trimmed). */
async function sent(work: () => Promise<unknown>): Promise<SentStatement[]> {
  recording = [];
  try {
    await work();
    return recording.map((statement) => ({ ...statement, sql: statement.sql?.trim() }));
  } finally {
    recording = null;
  }
}
const texts = (statements: SentStatement[]) => statements.map((statement) => statement.sql);

const stock = async () => (await observer.query(`select stock from products where sku = 'P-1'`)).rows[0].stock as number;
const setStock = (value: number) => observer.query(`update products set stock = $1 where sku = 'P-1'`, [value]);

const UPDATE = `with t as (select id from products where brand_id = ? and sku = 'P-1') update products p set stock = ? from t where p.id = t.id returning p.stock`;
/** Through MikroORM's `execute`, which writes the values into the text: the driver gets no bound values. */
const update = (tx: RequestContext, value: number) => scopedSql<{ stock: number }>(tx, UPDATE, [value]);
const INLINED = /^with t as \(select id from products where brand_id = '[^']+' and sku = 'P-1'\) update products p set stock = \d+ from t/;
/** Through knex with bound values, as nothing in the app sends them today. */
const knexOf = (tx: RequestContext) => tx.em.getTransactionContext() as Knex.Transaction;
const boundUpdate = async (tx: RequestContext, value: number) =>
  (await knexOf(tx).raw(`update products set stock = ? where brand_id = ? and sku = 'P-1' returning stock`, [value, tx.brandId])).rows;
const pipelined = <T>(work: (tx: RequestContext) => Promise<T>) => db.again(a).transaction(work, { pipelined: true });

test('sends BEGIN with its first statement, the others as they are, COMMIT on its own at the end; each caller gets its own rows', async () => {
  await setStock(5);
  const statements = await sent(async () => {
    const result = await pipelined(async (tx) => {
      expect(await update(tx, 11)).toEqual([{ stock: 11 }]);
      expect(await stock()).toBe(5);
      expect(await update(tx, 12)).toEqual([{ stock: 12 }]);
      expect(await update(tx, 13)).toEqual([{ stock: 13 }]);
      expect(await stock()).toBe(5);
      return 'done';
    });
    expect(result).toBe('done');
  });
  expect(texts(statements)).toEqual([expect.stringMatching(/^BEGIN;\s+with t as/), expect.stringMatching(INLINED), expect.stringMatching(INLINED), 'COMMIT;']);
  expect(statements[0].sql.replace(/^BEGIN;\s+/, '')).toMatch(INLINED);
  expect(await stock()).toBe(13);
});

test('the statement asked to carry the COMMIT commits with it, and nothing is sent after it', async () => {
  const statements = await sent(() =>
    pipelined(async (tx) => {
      await update(tx, 21);
      expect(commitWithNextStatement(tx.em)).toBe(true);
      expect(commitWithNextStatement(tx.em)).toBe(true);
      expect(await update(tx, 22)).toEqual([{ stock: 22 }]);
      expect(await stock()).toBe(22);
      expect(commitWithNextStatement(tx.em)).toBe(false);
      await expect(update(tx, 23)).rejects.toThrow('a statement after the one that carried the COMMIT');
    }),
  );
  expect(texts(statements)).toEqual([expect.stringMatching(/^BEGIN;\s+with t as/), expect.stringMatching(/^with t as [\s\S]*;\s+COMMIT$/)]);
  expect(await stock()).toBe(22);
});

test('a statement may carry both BEGIN and COMMIT: the whole transaction in one message', async () => {
  const statements = await sent(() =>
    pipelined(async (tx) => {
      commitWithNextStatement(tx.em);
      expect(await update(tx, 24)).toEqual([{ stock: 24 }]);
    }),
  );
  expect(texts(statements)).toEqual([expect.stringMatching(/^BEGIN;\s+with t as [\s\S]*;\s+COMMIT$/)]);
  expect(await stock()).toBe(24);
});

test('rolls back when the work throws, and when the statement carrying the COMMIT fails', async () => {
  const thrown = await sent(() =>
    expect(
      pipelined(async (tx) => {
        await update(tx, 31);
        throw new Error('work failed');
      }),
    ).rejects.toThrow('work failed'),
  );
  expect(texts(thrown)).toEqual([expect.stringMatching(/^BEGIN;/), 'ROLLBACK']);
  expect(await stock()).toBe(24);
  const failed = await sent(() =>
    expect(
      pipelined(async (tx) => {
        await update(tx, 32);
        commitWithNextStatement(tx.em);
        await tx.em.execute(`do $$ begin raise exception 'the last statement failed'; end $$`);
      }),
    ).rejects.toThrow('the last statement failed'),
  );
  expect(texts(failed)).toEqual([expect.stringMatching(/^BEGIN;/), expect.stringMatching(/;\s+COMMIT$/), 'ROLLBACK']);
  expect(await stock()).toBe(24);
});

test('a serialization failure in the statement carrying the COMMIT runs the whole work again', async () => {
  let attempts = 0;
  await pipelined(async (tx) => {
    attempts++;
    await update(tx, 40 + attempts);
    commitWithNextStatement(tx.em);
    if (attempts < 3) await tx.em.execute(`do $$ begin raise exception 'simulated conflict' using errcode = '40001'; end $$`);
    else await update(tx, 50);
  });
  expect(attempts).toBe(3);
  expect(await stock()).toBe(50);
});

test('work that sends nothing sends nothing, not even a COMMIT', async () => {
  expect(await sent(async () => expect(await pipelined(async () => 'nothing')).toBe('nothing'))).toEqual([]);
});

describe('a statement that cannot carry BEGIN goes after a BEGIN of its own', () => {
  test('with bound values; the statements after it go as they are, and COMMIT on its own', async () => {
    await setStock(50);
    const statements = await sent(() =>
      pipelined(async (tx) => {
        expect(await boundUpdate(tx, 61)).toEqual([{ stock: 61 }]);
        expect(await stock()).toBe(50);
        expect(await boundUpdate(tx, 62)).toEqual([{ stock: 62 }]);
        expect(await update(tx, 63)).toEqual([{ stock: 63 }]);
        expect(await stock()).toBe(50);
      }),
    );
    const boundText = `update products set stock = $1 where brand_id = $2 and sku = 'P-1' returning stock`;
    expect(texts(statements)).toEqual(['BEGIN', boundText, boundText, expect.stringMatching(INLINED), 'COMMIT;']);
    expect(statements.map((statement) => statement.params)).toEqual([[], [61, a.brandId], [62, a.brandId], [], []]);
    expect(await stock()).toBe(63);
  });

  test('with bound values, rolled back when the work throws', async () => {
    const statements = await sent(() =>
      expect(
        pipelined(async (tx) => {
          await boundUpdate(tx, 64);
          throw new Error('work failed');
        }),
      ).rejects.toThrow('work failed'),
    );
    expect(texts(statements)).toEqual(['BEGIN', expect.stringMatching(/^update products/), 'ROLLBACK']);
    expect(await stock()).toBe(63);
  });

  // Knex always sends a config object and a callback; these are the driver's other forms, should anything use them.
  type Query = (...args: unknown[]) => unknown;
  const callback = (send: (cb: (error: Error | null, result: any) => void) => void) =>
    new Promise<any>((resolve, reject) => send((error, result) => (error ? reject(error) : resolve(result))));
  test.each<[string, (query: Query) => Promise<any>, string, number]>([
    ['a plain string', (query) => callback((cb) => query('select 71 as n', cb)), 'select 71 as n', 71],
    ['a config without a callback (a promise)', (query) => query({ text: 'select 72 as n' }) as Promise<any>, 'select 72 as n', 72],
    ['its values apart from the config', (query) => callback((cb) => query({ text: 'select $1::int as n' }, [73], cb)), 'select $1::int as n', 73],
  ])('%s', async (_, send, text, n) => {
    let rows: unknown;
    const statements = await sent(() =>
      pipelined(async (tx) => {
        const connection = (await (knexOf(tx).client as any).acquireConnection()) as { query: Query };
        rows = (await send(connection.query.bind(connection))).rows;
        await update(tx, 70);
      }),
    );
    expect(rows).toEqual([{ n }]);
    expect(texts(statements)).toEqual(['BEGIN', text, expect.stringMatching(INLINED), 'COMMIT;']);
  });
});

test('a statement sent with BEGIN or COMMIT answers its caller with its own results: one, or several as it sent them', async () => {
  const results = (result: any) => (Array.isArray(result) ? result : [result]).map((r: { rows: unknown }) => r.rows);
  await pipelined(async (tx) => {
    expect(results(await knexOf(tx).raw('select 1 as a; select 2 as b'))).toEqual([[{ a: 1 }], [{ b: 2 }]]);
    expect((await knexOf(tx).raw('select 3 as c')).rows).toEqual([{ c: 3 }]);
    commitWithNextStatement(tx.em);
    expect(results(await knexOf(tx).raw('select 4 as d; select 5 as e'))).toEqual([[{ d: 4 }], [{ e: 5 }]]);
  });
  await pipelined(async (tx) => {
    commitWithNextStatement(tx.em);
    const one = await knexOf(tx).raw('select 6 as f');
    expect(Array.isArray(one)).toBe(false);
    expect(one.rows).toEqual([{ f: 6 }]);
  });
  await pipelined(async (tx) => {
    commitWithNextStatement(tx.em);
    expect(results(await knexOf(tx).raw('select 7 as g; select 8 as h'))).toEqual([[{ g: 7 }], [{ h: 8 }]]);
  });
});

test.each<[string, (tx: RequestContext) => Promise<unknown>]>([
  ['its COMMIT carried by its last statement', async (tx) => (commitWithNextStatement(tx.em), update(tx, 81))],
  ['nothing sent', async () => undefined],
  ['committed on its own', (tx) => update(tx, 82)],
])('once it has resolved, its EntityManager sends nothing more: %s', async (_, work) => {
  let leaked!: EntityManager;
  await pipelined(async (tx) => {
    leaked = tx.em;
    await work(tx);
  });
  const statements = await sent(() => expect(leaked.execute('select 1')).rejects.toThrow('Transaction query already complete'));
  expect(statements).toEqual([]);
});

test('its EntityManager starts empty: it reads rows as they are, not the entities the request loaded before', async () => {
  const ctx = db.again(a);
  const loaded = await ctx.em.findOneOrFail(Product, { sku: 'P-1' });
  await setStock(91);
  await ctx.transaction(
    async (tx) => {
      const read = await tx.em.findOneOrFail(Product, { sku: 'P-1' });
      expect(read).not.toBe(loaded);
      expect(read.stock).toBe(91);
    },
    { pipelined: true },
  );
});

test('inside another EntityManager’s transaction it runs in its own, and leaves the other one as it was', async () => {
  await setStock(5);
  const other = async () => (await observer.query(`select stock from products where sku = 'P-2'`)).rows[0].stock as number;
  await db.orm.em.fork().transactional(async (outer) => {
    await outer.execute(`update products set stock = 8 where sku = 'P-2'`);
    await pipelined((tx) => update(tx, 95));
    expect(await stock()).toBe(95);
    await outer.execute(`update products set stock = stock + 1 where sku = 'P-2'`);
    expect(await other()).toBe(5);
  });
  expect(await other()).toBe(9);
});

test('does not carry the COMMIT while the unit of work holds changes, nor outside a pipelined transaction', async () => {
  await pipelined(async (tx) => {
    const [product] = await tx.em.find(Product, { sku: 'P-1' });
    product.stock = 60;
    expect(commitWithNextStatement(tx.em)).toBe(false);
    // The caller's statement writes the pending change itself.
    expect(commitWithNextStatement(tx.em, true)).toBe(true);
    await update(tx, 61);
    tx.em.clear();
  });
  expect(await stock()).toBe(61);
  // A changed collection is the flush's to write (a many-to-many's rows, an orphan's removal), even with no entity changed.
  await pipelined(async (tx) => {
    const order = await tx.em.findOneOrFail(Order, orderId, { populate: ['items'] });
    order.items.setDirty();
    expect(commitWithNextStatement(tx.em)).toBe(false);
    tx.em.clear();
    expect(commitWithNextStatement(tx.em)).toBe(true);
    await update(tx, 62);
  });
  expect(await stock()).toBe(62);
  await db.again(a).transaction(async (tx) => {
    expect(commitWithNextStatement(tx.em)).toBe(false);
  });
});

test('a statement on the transaction after it ended is refused, never sent on the connection it gave back', async () => {
  await setStock(5);
  let ended: RequestContext | null = null;
  await pipelined(async (tx) => {
    await update(tx, 31);
    ended = tx;
  });
  expect(await stock()).toBe(31);
  const statements = await sent(() => expect(update(ended!, 32)).rejects.toThrow());
  expect(texts(statements)).toEqual([]);
  expect(await stock()).toBe(31);
});

describe('statements the caller asks prepared (db/server-prepared.ts)', () => {
  const setOther = (value: number) => observer.query(`update products set stock = $1 where sku = 'P-2'`, [value]);
  const otherStock = async () => (await observer.query(`select stock from products where sku = 'P-2'`)).rows[0].stock as number;
  const PREPARED_UPDATE = `with t as (select id from products where brand_id = ? and sku = 'P-2') update products p set stock = ? from t where p.id = t.id returning p.stock`;
  const preparedUpdate = (tx: RequestContext, value: number) => scopedSql<{ stock: number }>(tx, PREPARED_UPDATE, [value], { prepared: true });

  test('go as EXECUTE of a statement the connection prepared once, on its own, before the BEGIN; the rows as before', async () => {
    await setOther(5);
    const statements = await sent(() =>
      pipelined(async (tx) => {
        expect(await preparedUpdate(tx, 81)).toEqual([{ stock: 81 }]);
        expect(await preparedUpdate(tx, 82)).toEqual([{ stock: 82 }]);
        expect(await otherStock()).toBe(5);
      }),
    );
    expect(texts(statements)).toEqual([
      expect.stringMatching(/^prepare luneo_x[0-9a-f]+ as with t as \(select id from products where brand_id = \$1 and sku = 'P-2'\) update products p set stock = \$2 from t/),
      expect.stringMatching(/^BEGIN;\s+execute luneo_x[0-9a-f]+\('[0-9a-f-]{36}', 81\)$/),
      expect.stringMatching(/^execute luneo_x[0-9a-f]+\('[0-9a-f-]{36}', 82\)$/),
      'COMMIT;',
    ]);
    expect(await otherStock()).toBe(82);
  });

  test('first needed inside the transaction, prepared in a savepoint; one PostgreSQL cannot prepare goes formatted, and the work goes on', async () => {
    await setOther(5);
    const UNTYPED = `select id from brands where id = ? and ? is null`;
    const statements = await sent(() =>
      pipelined(async (tx) => {
        await update(tx, 91);
        expect(await scopedSql(tx, `select stock from products where brand_id = ? and sku = 'P-2' and stock >= ?`, [0], { prepared: true })).toEqual([{ stock: 5 }]);
        expect(await scopedSql(tx, UNTYPED, [null], { prepared: true })).toEqual([{ id: a.brandId }]);
        expect(await preparedUpdate(tx, 92)).toEqual([{ stock: 92 }]);
      }),
    );
    expect(texts(statements)).toEqual([
      expect.stringMatching(/^BEGIN;\s+with t as/),
      expect.stringMatching(/^savepoint luneo_prepare;\s+prepare luneo_x[0-9a-f]+ as select stock from products where brand_id = \$1 and sku = 'P-2' and stock >= \$2;\s+release savepoint luneo_prepare$/),
      expect.stringMatching(/^execute luneo_x[0-9a-f]+\('[0-9a-f-]{36}', 0\)$/),
      expect.stringMatching(/^savepoint luneo_prepare;\s+prepare luneo_x[0-9a-f]+ as select id from brands where id = \$1 and \$2 is null;/),
      'rollback to savepoint luneo_prepare;\nrelease savepoint luneo_prepare',
      `select id from brands where id = '${a.brandId}' and NULL is null`,
      // Prepared again unless the pool gave this transaction the first test's connection.
      ...(statements.length === 9 ? [expect.stringMatching(/^prepare luneo_x[0-9a-f]+ as with t as/)] : []),
      expect.stringMatching(/^execute luneo_x[0-9a-f]+\('[0-9a-f-]{36}', 92\)$/),
      'COMMIT;',
    ]);
    expect([await stock(), await otherStock()]).toEqual([91, 92]);
  });

  test('a name the session has already (another client of it, behind a pooler, or its own before it forgot) is prepared afresh', async () => {
    const QUERY = `select sku from products where brand_id = ? and sku = ?`;
    const { name } = serverPrepared(QUERY)!;
    const statements = await sent(() =>
      pipelined(async (tx) => {
        await tx.em.execute(`prepare ${name}(uuid, text) as select 'stale'::text as sku`);
        expect(await scopedSql(tx, QUERY, ['P-1'], { prepared: true })).toEqual([{ sku: 'P-1' }]);
      }),
    );
    expect(texts(statements)).toContainEqual(expect.stringMatching(new RegExp(`^savepoint luneo_prepare;\\s+deallocate ${name};\\s+prepare ${name} as select sku`)));
  });

  test('a kept plan that a migration made stale fails its transaction as lost (its caller runs it again)', async () => {
    const PROBE = `select * from products where brand_id = ? and sku = 'P-1'`;
    let failure: unknown;
    await pipelined(async (tx) => {
      await scopedSql(tx, PROBE, [], { prepared: true });
      await tx.em.execute('alter table products add column probe_note text');
      failure = await scopedSql(tx, PROBE, [], { prepared: true }).catch((error: unknown) => error);
      throw failure;
    }).catch(() => undefined);
    expect((failure as { message?: string }).message).toMatch(/cached plan must not change result type/);
    expect(preparedStatementLost(failure)).toBe(true);
  });

  // Last: it turns prepared statements off for the rest of this process.
  test('a session that lost its statements (a pooler in transaction mode) fails the transaction as lost, and the next go formatted', async () => {
    const QUERY = `select sku from products where brand_id = ? and sku = 'P-2'`;
    let failure: unknown;
    await pipelined(async (tx) => {
      await scopedSql(tx, QUERY, [], { prepared: true });
      await tx.em.execute(`deallocate ${serverPrepared(QUERY)!.name}`);
      failure = await scopedSql(tx, QUERY, [], { prepared: true }).catch((error: unknown) => error);
      throw failure;
    }).catch(() => undefined);
    expect((failure as { code?: string }).code).toBe('26000');
    expect(preparedStatementLost(failure)).toBe(true);
    const after = await sent(() => pipelined((tx) => scopedSql(tx, QUERY, [], { prepared: true })));
    expect(texts(after)).toEqual([`BEGIN;\nselect sku from products where brand_id = '${a.brandId}' and sku = 'P-2'`, 'COMMIT;']);
  });
});
