import { createOrder } from '../../src/orders/order.service';
import { MikroORM } from '@mikro-orm/postgresql';
import { ormConfig, POOL_IDLE_TIMEOUT_MS } from '../../src/db/orm-config';
import { codes, createTestBrand, createTestProduct, orderInput, startTestApp, TEST_STATEMENT_TIMEOUT_MS, type TestApp, type TestBrand } from '../support/harness';

/**
 * Every operation is priced from its document and variables before it runs; what is over the maximum, too deep, too
 * aliased, too long or malformed is refused by the HTTP gate before any SQL — even before the credentials are looked
 * up — which the statement counts below prove.
 */
let t: TestApp;
let brand: TestBrand;

beforeAll(async () => {
  t = await startTestApp();
  brand = await createTestBrand(t);
  const product = await createTestProduct(brand);
  for (let i = 0; i < 3; i++) await createOrder(brand.ctx, orderInput([{ productId: product.id, quantity: 1 }]) as any, null);
});
afterAll(() => t.close());

async function post(body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${brand.tokens.OWNER}`, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

/** The statements a request caused, with the request's answer. */
async function statementsOf(body: unknown) {
  const { result, statements } = await t.countQueries(() => post(body));
  return { ...result, statements };
}

const cost = (res: { extensions?: any }) => res.extensions?.cost;

describe('the price of typical operations (the figures docs/partners.md quotes)', () => {
  it.each([
    ['viewer', `{ viewer { actor { type label } role scopes brand { id name } } }`, 1],
    ['a dashboard page of 20 orders with totals', `{ orders(first: 20) { totalCount pageInfo { hasNextPage endCursor } nodes { id number status total { amount formatted } customer { email } } } }`, 32],
    ['50 orders with items and timeline', `{ orders(first: 50) { nodes { id items { sku quantity total { amount } } statusHistory { kind actor { label } } } } }`, 352],
    ['100 orders, ids only', `{ orders(first: 100) { edges { cursor node { id } } } }`, 102],
    ['one order with everything', `query($id: ID!) { order(id: $id) { id number items { sku } statusHistory { kind } customer { email } total { amount } } }`, 7],
    ['orderStats, 90 days by day, top 5 products', `{ orderStats(range: { from: "2026-01-01T00:00:00Z", to: "2026-04-01T00:00:00Z" }) { byCurrency { netRevenue { amount } } series { periodStart orderCount } topProducts { sku quantity } } }`, 10 + 13 + 90 + 5],
    ['orderStats, a year by month', `{ orderStats(range: { from: "2025-01-01T00:00:00Z", to: "2026-01-01T00:00:00Z", interval: MONTH }) { byCurrency { netRevenue { amount } } } }`, 10 + 53 + 14],
    ['createOrder', `mutation($p: ID!) { createOrder(input: { items: [{ productId: $p, quantity: 1 }], customer: { email: "c@example.com" } }) { id number total { amount } } }`, 11],
  ])('%s costs %d', async (_name, query, expected) => {
    const res = await post({ query, variables: { id: '00000000-0000-7000-8000-000000000000', p: '00000000-0000-7000-8000-000000000000' } });
    expect(cost(res.body).requestedQueryCost).toBe(expected);
  });

  it('aliases repeat the cost; fragments count like the fields they stand for', async () => {
    const one = await post({ query: `{ orders(first: 10) { nodes { id } } }` });
    const three = await post({ query: `{ a: orders(first: 10) { nodes { id } } b: orders(first: 10) { nodes { id } } c: orders(first: 10) { ...Page } } fragment Page on OrderConnection { nodes { id } }` });
    expect(cost(three.body).requestedQueryCost).toBe(3 * cost(one.body).requestedQueryCost);
  });

  it('page size comes from the variables too', async () => {
    const query = `query($n: Int) { orders(first: $n) { nodes { id } } }`;
    expect(cost((await post({ query, variables: { n: 5 } })).body).requestedQueryCost).toBe(7);
    expect(cost((await post({ query, variables: { n: 80 } })).body).requestedQueryCost).toBe(82);
  });
});

describe('every response says what it cost', () => {
  it('a signed-in request: requested, actual and the bucket', async () => {
    const res = await post({ query: `{ orders(first: 2) { nodes { id } } }` });
    expect(cost(res.body)).toEqual({
      requestedQueryCost: 4,
      actualQueryCost: 4,
      throttleStatus: { maximumAvailable: 1000, currentlyAvailable: expect.any(Number), restoreRate: 1000000 },
    });
  });

  it('an anonymous one has no bucket; a refused one cost nothing', async () => {
    const anonymous = await post({ query: `{ viewer { role } }` }, { authorization: '' });
    // viewer and role are values the credential lookup already has: they cost nothing.
    expect(codes(anonymous.body)).toEqual(['UNAUTHENTICATED']);
    expect(cost(anonymous.body)).toMatchObject({ requestedQueryCost: 0, throttleStatus: null });
    const refused = await post({ query: `{ orders(first: 5000) { nodes { id } } }` });
    expect(cost(refused.body)).toEqual({ requestedQueryCost: 5002, actualQueryCost: 0, throttleStatus: null });
  });
});

describe('refused before any SQL runs (statements counted, credential lookup included)', () => {
  const ordersWithItems = (n: number) => `orders(first: ${n}) { nodes { id items { sku total { amount } } } }`;

  it('many aliases over big pages: QUERY_TOO_COSTLY with its cost and the maximum', async () => {
    const query = `{ ${Array.from({ length: 12 }, (_, i) => `a${i}: ${ordersWithItems(100)}`).join(' ')} }`;
    const res = await statementsOf({ query });
    expect(res.statements).toEqual([]);
    expect(res.status).toBe(400);
    expect(codes(res.body)).toEqual(['QUERY_TOO_COSTLY']);
    expect(res.body.errors[0].extensions).toMatchObject({ cost: 12 * 402, maximumCost: 1000 });
    expect(res.body.errors[0].message).toContain('1000');
    expect(res.body.data).toBeUndefined();
  });

  it('one huge page (in the document or in the variables)', async () => {
    for (const body of [
      { query: `{ orders(first: 1000000) { nodes { id } } }` },
      { query: `query($n: Int) { orders(first: $n) { nodes { id } } }`, variables: { n: 2_000_000_000 } },
      { query: `query($n: Int) { products(first: $n) { nodes { id } } }`, variables: { n: 5000 } },
      { query: `{ orderStats(range: { from: "2024-01-01T00:00:00Z", to: "2026-01-01T00:00:00Z" }) { topProducts(limit: 100000) { sku } } }` },
    ]) {
      const res = await statementsOf(body);
      expect(res.statements).toEqual([]);
      expect(codes(res.body)).toEqual(['QUERY_TOO_COSTLY']);
    }
  });

  it('two years of daily stats fit once; twice (aliased) they do not', async () => {
    const stats = (alias: string) => `${alias}: orderStats(range: { from: "2024-01-01T00:00:00Z", to: "2025-12-31T00:00:00Z" }) { byCurrency { orderCount } }`;
    const once = await post({ query: `{ ${stats('a')} }` });
    expect(once.body.errors).toBeUndefined();
    const twice = await statementsOf({ query: `{ ${stats('a')} ${stats('b')} }` });
    expect(twice.statements).toEqual([]);
    expect(codes(twice.body)).toEqual(['QUERY_TOO_COSTLY']);
  });

  it('more than 15 aliases, deeper than 10 levels, more than 2000 tokens', async () => {
    const aliases = `{ ${Array.from({ length: 16 }, (_, i) => `v${i}: viewer { role }`).join(' ')} }`;
    const deep = `{ ${'a { '.repeat(11)}b${' }'.repeat(11)} }`;
    const long = `{ viewer { ${'role '.repeat(2100)} } }`;
    for (const query of [aliases, deep, long]) {
      const res = await statementsOf({ query });
      expect(res.statements).toEqual([]);
      expect(res.status).toBe(400);
      expect(codes(res.body)).toEqual([query === long ? 'GRAPHQL_PARSE_FAILED' : 'BAD_USER_INPUT']);
    }
  });

  it('a batch, a body over 100 KB, a persisted-query hash, an operation in a GET query string', async () => {
    const batch = await statementsOf([{ query: '{ viewer { role } }' }, { query: '{ viewer { role } }' }]);
    expect(batch.status).toBe(400);
    expect(batch.statements).toEqual([]);

    const big = await statementsOf({ query: '{ viewer { role } }', variables: { pad: 'x'.repeat(101 * 1024) } });
    expect(big.status).toBe(413);
    expect(big.statements).toEqual([]);

    const hashOnly = await statementsOf({ extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } });
    expect(hashOnly.status).toBe(400);
    expect(hashOnly.statements).toEqual([]);

    const get = await fetch(`${t.url}/graphql?query=${encodeURIComponent('{ orders(first: 100000) { nodes { id } } }')}`, {
      headers: { 'apollo-require-preflight': 'true', authorization: `Bearer ${brand.tokens.OWNER}` },
    });
    expect(get.status).toBe(405);
  });

  it('variables that do not fit the document', async () => {
    const res = await statementsOf({ query: `query($n: Int!) { orders(first: $n) { nodes { id } } }`, variables: { n: 'many' } });
    expect(res.statements).toEqual([]);
    expect(codes(res.body)).toEqual(['BAD_USER_INPUT']);
  });

  it('a request within the limits runs as before (the limits are not in its way)', async () => {
    const res = await statementsOf({ query: `{ orders(first: 100) { totalCount nodes { id items { sku } statusHistory { kind } } } }` });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.orders.nodes).toHaveLength(3);
    expect(res.statements.length).toBeGreaterThan(0);
  });
});

describe('connection pool', () => {
  it('keeps two connections warm whatever the idle time, and the others for 10 minutes', async () => {
    const production = ormConfig('postgresql://db/luneo').pool!;
    expect(production).toEqual({ min: 2, max: 10, idleTimeoutMillis: POOL_IDLE_TIMEOUT_MS });
    expect(POOL_IDLE_TIMEOUT_MS).toBe(600_000);
    // The same pool with a short idle time, so the test need not wait 10 minutes for the reaper.
    const orm = await MikroORM.init(ormConfig(t.databaseUrl, { pool: { ...production, idleTimeoutMillis: 100 } }));
    try {
      const connection = orm.em.getConnection();
      await Promise.all(Array.from({ length: 4 }, () => connection.execute('select pg_sleep(0.05)')));
      const pool = (connection.getKnex().client as { pool: { numFree(): number; numUsed(): number } }).pool;
      expect(pool.numFree()).toBe(4);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(pool.numFree()).toBe(2);
    } finally {
      await orm.close(true);
    }
  });
});

describe('statement timeout', () => {
  it('production cancels a statement after 10 s; every pooled connection carries the limit it is given', async () => {
    expect((ormConfig('postgresql://db/luneo').driverOptions as any).connection.statement_timeout).toBe(10_000);
    const [row] = await t.sql(`select setting from pg_settings where name = 'statement_timeout'`);
    expect(Number(row.setting)).toBe(TEST_STATEMENT_TIMEOUT_MS);
  });

  it('a statement past the limit is cancelled by PostgreSQL, freeing its connection', async () => {
    const orm = await MikroORM.init(ormConfig(t.databaseUrl, { pool: { min: 0, max: 1 } }, { statementTimeoutMs: 100 }));
    try {
      await expect(orm.em.getConnection().execute('select pg_sleep(2)')).rejects.toThrow(/statement timeout/);
    } finally {
      await orm.close(true);
    }
  });
});
