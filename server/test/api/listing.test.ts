import * as orderService from '../../src/orders/order.service';
import { recordRefund } from '../../src/orders/order-payments';
import { RequestContext } from '../../src/shared/request-context';
import {
  codes,
  createTestBrand,
  createTestProduct,
  orderInput,
  ridingRead,
  scopedToBrand,
  startTestApp,
  type GraphQLResponse,
  type SentStatement,
  type TestApp,
  type TestBrand,
} from '../support/harness';

/**
 * The orders connection: keyset pagination both ways for every sort (ties included, and while orders keep arriving),
 * the page-size cap, filters and search with their totalCount, lookups by id and number, and the statement count of a
 * page (no N+1). Expected orders are computed here from raw rows, independently of the API's SQL.
 */

let t: TestApp;

type Sort = 'CREATED_AT_DESC' | 'CREATED_AT_ASC' | 'TOTAL_DESC' | 'TOTAL_ASC' | 'NUMBER_DESC';
const SORTS: Sort[] = ['CREATED_AT_DESC', 'CREATED_AT_ASC', 'TOTAL_DESC', 'TOTAL_ASC', 'NUMBER_DESC'];

interface Row {
  id: string;
  created_at: Date;
  total: string;
  seq: number;
}

/** The documented ordering: the sort's key, then id in the same direction (UUIDs compare as their lowercase hex). */
function expectedOrder(rows: Row[], sort: Sort): string[] {
  const key = (r: Row): number =>
    sort.startsWith('CREATED_AT') ? new Date(r.created_at).getTime() : sort.startsWith('TOTAL') ? Number(r.total) : r.seq;
  const sign = sort.endsWith('DESC') ? -1 : 1;
  return [...rows]
    .sort((a, b) => {
      const d = key(a) - key(b);
      if (d !== 0) return sign * d;
      return sign * (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    })
    .map((r) => r.id);
}

async function rowsOf(brand: TestBrand): Promise<Row[]> {
  return t.sql<Row>('select id, created_at, total, seq from orders where brand_id = ?', [brand.id]);
}

const ctxOf = (b: TestBrand) => RequestContext.create(t.orm.em as any, b.ctx.principal);

const PAGE = `query($first: Int, $after: String, $last: Int, $before: String, $sort: OrderSort, $filter: OrderFilter) {
  orders(first: $first, after: $after, last: $last, before: $before, sort: $sort, filter: $filter) {
    edges { cursor node { id } }
    nodes { id }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    totalCount
  } }`;

interface WalkOptions {
  sort: Sort;
  size: number;
  token: string;
  filter?: Record<string, unknown>;
  /** Called after each page is fetched, before the next one (e.g. to insert orders). */
  between?: () => Promise<void>;
}

/** Walks forward (first/after) until hasNextPage is false; checks each page's shape on the way. */
async function walkForward({ sort, size, token, filter, between }: WalkOptions): Promise<string[]> {
  const seen: string[] = [];
  let after: string | null = null;
  for (let page = 0; page < 200; page++) {
    const res: GraphQLResponse = await t.gql(PAGE, { first: size, after, sort, filter }, token);
    expect(res.errors).toBeUndefined();
    const conn: any = res.data.orders;
    const ids = conn.nodes.map((n: any) => n.id);
    expect(conn.edges.map((e: any) => e.node.id)).toEqual(ids);
    if (after === null) expect(conn.pageInfo.hasPreviousPage).toBe(false);
    if (ids.length) {
      expect(conn.pageInfo.startCursor).toBe(conn.edges[0].cursor);
      expect(conn.pageInfo.endCursor).toBe(conn.edges.at(-1).cursor);
    }
    if (conn.pageInfo.hasNextPage) expect(ids).toHaveLength(size);
    seen.push(...ids);
    if (!conn.pageInfo.hasNextPage) return seen;
    after = conn.pageInfo.endCursor;
    if (between) await between();
  }
  throw new Error('walk did not end');
}

/** Walks backward (last/before) from the end of the list to its start, then returns the ids in list order. */
async function walkBackward({ sort, size, token, filter, between }: WalkOptions): Promise<string[]> {
  const pages: string[][] = [];
  let before: string | null = null;
  for (let page = 0; page < 200; page++) {
    const res: GraphQLResponse = await t.gql(PAGE, { last: size, before, sort, filter }, token);
    expect(res.errors).toBeUndefined();
    const conn: any = res.data.orders;
    const ids = conn.nodes.map((n: any) => n.id);
    expect(conn.edges.map((e: any) => e.node.id)).toEqual(ids);
    if (before === null) expect(conn.pageInfo.hasNextPage).toBe(false);
    if (ids.length) {
      expect(conn.pageInfo.startCursor).toBe(conn.edges[0].cursor);
      expect(conn.pageInfo.endCursor).toBe(conn.edges.at(-1).cursor);
    }
    if (conn.pageInfo.hasPreviousPage) expect(ids).toHaveLength(size);
    pages.unshift(ids);
    if (!conn.pageInfo.hasPreviousPage) return pages.flat();
    before = conn.pageInfo.startCursor;
    if (between) await between();
  }
  throw new Error('walk did not end');
}

function expectNoRepeats(ids: string[]) {
  expect(new Set(ids).size).toBe(ids.length);
}

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

describe('keyset pagination over a fixed set of orders, with forced ties', () => {
  const COUNT = 55;
  let brand: TestBrand;
  let rows: Row[];

  beforeAll(async () => {
    brand = await createTestBrand(t, { prefix: 'PG' });
    const products = [];
    for (const price of [1_000, 2_500, 4_000, 9_900]) products.push(await createTestProduct(brand, { price, stock: 100_000 }));
    for (let i = 0; i < COUNT; i++) {
      const items = [{ productId: products[i % 4].id, quantity: 1 + (i % 3) }];
      if (i % 5 === 0) items.push({ productId: products[(i + 1) % 4].id, quantity: 2 });
      await orderService.createOrder(ctxOf(brand), orderInput(items));
    }
    const all = await t.sql<{ id: string; seq: number }>('select id, seq from orders where brand_id = ? order by seq', [brand.id]);
    // Ties: twelve orders share one created_at, fifteen share one total (both more than a page of 7).
    await t.sql(
      `update orders set created_at = (select created_at from orders where id = ?) where id = any(?::uuid[])`,
      [all[5].id, `{${all.slice(5, 17).map((r) => r.id).join(',')}}`],
    );
    await t.sql(`update orders set total = 50000 where id = any(?::uuid[])`, [
      `{${all.slice(20, 35).map((r) => r.id).join(',')}}`,
    ]);
    rows = await rowsOf(brand);
  });

  it('has the ties it claims to have', () => {
    expect(rows).toHaveLength(COUNT);
    const byCreated = new Map<number, number>();
    const byTotal = new Map<string, number>();
    for (const r of rows) {
      const k = new Date(r.created_at).getTime();
      byCreated.set(k, (byCreated.get(k) ?? 0) + 1);
      byTotal.set(r.total, (byTotal.get(r.total) ?? 0) + 1);
    }
    expect(Math.max(...byCreated.values())).toBeGreaterThanOrEqual(12);
    expect(Math.max(...byTotal.values())).toBeGreaterThanOrEqual(15);
  });

  it.each(SORTS)('%s: walking forward (first/after) yields every order exactly once, in order', async (sort) => {
    const seen = await walkForward({ sort, size: 7, token: brand.tokens.VIEWER });
    expectNoRepeats(seen);
    expect(seen).toEqual(expectedOrder(rows, sort));
  });

  it.each(SORTS)('%s: walking backward (last/before) yields every order exactly once, in order', async (sort) => {
    const seen = await walkBackward({ sort, size: 6, token: brand.tokens.VIEWER });
    expectNoRepeats(seen);
    expect(seen).toEqual(expectedOrder(rows, sort));
  });

  it('the default sort is CREATED_AT_DESC and totalCount counts every order whatever the page', async () => {
    const res = await t.gql(`query { orders(first: 3) { nodes { id } totalCount pageInfo { hasNextPage hasPreviousPage } } }`, {}, brand.tokens.VIEWER);
    expect(res.errors).toBeUndefined();
    expect(res.data.orders.nodes.map((n: any) => n.id)).toEqual(expectedOrder(rows, 'CREATED_AT_DESC').slice(0, 3));
    expect(res.data.orders.totalCount).toBe(COUNT);
    expect(res.data.orders.pageInfo).toEqual({ hasNextPage: true, hasPreviousPage: false });
  });

  it('a page in the middle, backward from a cursor, is the slice just before it', async () => {
    const expected = expectedOrder(rows, 'TOTAL_ASC');
    const first = await t.gql(PAGE, { first: 30, sort: 'TOTAL_ASC' }, brand.tokens.VIEWER);
    const cursor = first.data.orders.edges[29].cursor;
    const back = await t.gql(PAGE, { last: 10, before: cursor, sort: 'TOTAL_ASC' }, brand.tokens.VIEWER);
    expect(back.errors).toBeUndefined();
    expect(back.data.orders.nodes.map((n: any) => n.id)).toEqual(expected.slice(19, 29));
    expect(back.data.orders.pageInfo.hasPreviousPage).toBe(true);
  });

  it('first is capped at 100 (101 → BAD_USER_INPUT naming first; last likewise)', async () => {
    const ok = await t.gql(PAGE, { first: 100 }, brand.tokens.VIEWER);
    expect(ok.errors).toBeUndefined();
    expect(ok.data.orders.nodes).toHaveLength(COUNT);
    expect(ok.data.orders.pageInfo.hasNextPage).toBe(false);

    const tooMany = await t.gql(PAGE, { first: 101 }, brand.tokens.VIEWER);
    expect(codes(tooMany)).toEqual(['BAD_USER_INPUT']);
    expect(tooMany.errors![0].extensions!.field).toBe('first');
    expect(tooMany.data ?? null).toBeNull();

    const tooManyBack = await t.gql(PAGE, { last: 101 }, brand.tokens.VIEWER);
    expect(codes(tooManyBack)).toEqual(['BAD_USER_INPUT']);
    expect(tooManyBack.errors![0].extensions!.field).toBe('last');

    const negative = await t.gql(PAGE, { first: -1 }, brand.tokens.VIEWER);
    expect(codes(negative)).toEqual(['BAD_USER_INPUT']);
  });

  it('a malformed cursor, or a cursor of another sort, is BAD_USER_INPUT', async () => {
    const page = await t.gql(PAGE, { first: 2, sort: 'CREATED_AT_DESC' }, brand.tokens.VIEWER);
    const cursor = page.data.orders.pageInfo.endCursor;
    const otherSort = await t.gql(PAGE, { first: 2, after: cursor, sort: 'TOTAL_ASC' }, brand.tokens.VIEWER);
    expect(codes(otherSort)).toEqual(['BAD_USER_INPUT']);
    expect(otherSort.errors![0].extensions!.field).toBe('after');
    const garbage = await t.gql(PAGE, { first: 2, after: 'not-a-cursor!!' }, brand.tokens.VIEWER);
    expect(codes(garbage)).toEqual(['BAD_USER_INPUT']);
  });

  describe('statement count of a page (no N+1)', () => {
    const RICH_PAGE = `query($n: Int!) { orders(first: $n) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes {
        id number status nextStatuses total { amount formatted }
        items { id productId sku name quantity unitPrice { amount } total { amount formatted } }
        statusHistory { kind from to note actor { type id label } createdAt }
      } } }`;

    async function measure(n: number) {
      const { result, statements } = await t.countQueries(() => t.gql(RICH_PAGE, { n }, brand.tokens.STAFF));
      expect(result.errors).toBeUndefined();
      const nodes = result.data.orders.nodes;
      expect(nodes).toHaveLength(n);
      for (const node of nodes) {
        expect(node.items.length).toBeGreaterThan(0);
        expect(node.statusHistory.length).toBeGreaterThan(0);
        expect(node.nextStatuses).toEqual(['CANCELLED']);
      }
      return statements;
    }

    it('is the same small constant for 5 and for 50 orders', async () => {
      // The first request of a credential on this instance checks it on its own; later ones carry the check in the page.
      expect(await measure(5)).toHaveLength(2);
      const five = await measure(5);
      const fifty = await measure(50);
      expect(five.length).toBeGreaterThan(0);
      expect(fifty.length).toBe(five.length);
      // Issue 11: at most 4 whatever the page size. The credential's lookup and its bucket's charge head the one
      // statement that reads the orders with their items and timeline (lateral json_agg) and the brand's counter.
      expect(fifty.length).toBeLessThanOrEqual(4);
      expect(fifty.map(ridingRead)).not.toContain(null);
      const touching = (table: RegExp) => fifty.filter((s) => table.test(s.sql)).length;
      expect(touching(/\bsessions\b/)).toBe(1);
      expect(touching(/\border_items\b/)).toBe(1);
      expect(touching(/\border_status_changes\b/)).toBe(1);
      // Each of them is bound to this brand: raw SQL is out of the ORM filter's reach, so its own scope is the wall. The
      // brand is the first value bound, and the statement's first filter compares the brand to it.
      const brandTables = fifty.filter((s) => /\b(orders|order_items|order_status_changes)\b/.test(s.sql));
      expect(brandTables.length).toBeGreaterThanOrEqual(1);
      expect(brandTables.filter((s) => !scopedToBrand(s, brand.id))).toEqual([]);
      // Both are named prepared statements, planned once per connection; the page's size is in its text (a generic plan
      // must not guess it), so the two sizes are two statements.
      for (const statements of [five, fifty]) expect(statements.filter((s) => !s.name)).toEqual([]);
      const page = (statements: SentStatement[]) => statements.find((s) => /\border_items\b/.test(s.sql))!;
      expect(page(five).name).not.toBe(page(fifty).name);
      expect(page(fifty).sql).toMatch(/\blimit 51\b/);
    });

    it('an order by id or by number, with its items and timeline, is one statement with the credential', async () => {
      const page = await t.gql(`{ orders(first: 1) { nodes { id number } } }`, {}, brand.tokens.STAFF);
      const { id, number } = page.data.orders.nodes[0];
      const fields = 'id number items { sku total { formatted } } statusHistory { kind actor { label } }';
      const lookups: [string, Record<string, unknown>][] = [
        [`query($id: ID!) { one: order(id: $id) { ${fields} } }`, { id }],
        [`query($n: String!) { one: orderByNumber(number: $n) { ${fields} } }`, { n: number }],
      ];
      for (const [query, variables] of lookups) {
        const { result, statements } = await t.countQueries(() => t.gql(query, variables, brand.tokens.STAFF));
        expect(result.errors).toBeUndefined();
        expect(result.data.one.items.length).toBeGreaterThan(0);
        expect(result.data.one.statusHistory.length).toBeGreaterThan(0);
        expect(statements).toHaveLength(1);
        const order = statements.filter((s) => /\border_items\b/.test(s.sql) && /\border_status_changes\b/.test(s.sql));
        expect(order).toHaveLength(1);
        expect(ridingRead(order[0])).not.toBeNull();
        expect(scopedToBrand(order[0], brand.id)).toBe(true);
        expect(statements.every((s) => s.name)).toBe(true);
      }
    });
  });
});

describe('walking while new orders arrive', () => {
  let brand: TestBrand;
  let cheap: { id: string };
  let dear: { id: string };
  let middle: { id: string };

  beforeAll(async () => {
    brand = await createTestBrand(t, { prefix: 'IN' });
    cheap = await createTestProduct(brand, { price: 100, stock: 100_000 });
    middle = await createTestProduct(brand, { price: 3_000, stock: 100_000 });
    dear = await createTestProduct(brand, { price: 1_000_000, stock: 100_000 });
    for (let i = 0; i < 30; i++) {
      await orderService.createOrder(ctxOf(brand), orderInput([{ productId: middle.id, quantity: 1 + (i % 7) }]));
    }
  });

  /** Between pages: one order at each end of the total range and one in its middle. */
  async function insertSome() {
    await orderService.createOrder(ctxOf(brand), orderInput([{ productId: cheap.id, quantity: 1 }]));
    await orderService.createOrder(ctxOf(brand), orderInput([{ productId: middle.id, quantity: 4 }]));
    await orderService.createOrder(ctxOf(brand), orderInput([{ productId: dear.id, quantity: 1 }]));
  }

  async function check(sort: Sort, walk: typeof walkForward) {
    const existing = await rowsOf(brand);
    const expected = expectedOrder(existing, sort);
    const seen = await walk({ sort, size: 8, token: brand.tokens.VIEWER, between: insertSome });
    expectNoRepeats(seen);
    const existingIds = new Set(expected);
    const seenExisting = seen.filter((id) => existingIds.has(id));
    // Every order that existed when the walk began, exactly once and in the sort's order.
    expect(seenExisting).toEqual(expected);
    const after = await rowsOf(brand);
    expect(after.length).toBeGreaterThan(existing.length);
    // Back to the initial orders, so that every sort's walk starts from the same size.
    await t.sql('delete from orders where brand_id = ? and id <> all(?::uuid[])', [brand.id, `{${expected.join(',')}}`]);
  }

  it.each(SORTS)('%s forward: never skips or repeats an existing order', async (sort) => {
    await check(sort, walkForward);
  });

  it.each(SORTS)('%s backward: never skips or repeats an existing order', async (sort) => {
    await check(sort, walkBackward);
  });
});

describe('filters, search and lookups', () => {
  let brand: TestBrand;
  let other: TestBrand;
  const o: Record<string, { id: string; number: string }> = {};
  const p: Record<string, { id: string; sku: string }> = {};

  beforeAll(async () => {
    brand = await createTestBrand(t, { prefix: 'FL' });
    other = await createTestBrand(t, { prefix: 'FL' });
    p.alpha = await createTestProduct(brand, { sku: 'FLT-ALPHA', name: 'Alpha Saddle Bag', price: 10_000 });
    p.bravo = await createTestProduct(brand, { sku: 'FLT-BRAVO', name: 'Bravo Velvet Ribbon', price: 20_000 });
    p.pct = await createTestProduct(brand, { sku: 'FLT-PCT', name: 'Promo 100% Silk', price: 3_000 });
    p.nopct = await createTestProduct(brand, { sku: 'FLT-NOPCT', name: 'Promo 1000 Silk', price: 3_000 });
    p.under = await createTestProduct(brand, { sku: 'FLT-UNDER', name: 'Tote_Mini', price: 5_000 });
    p.nounder = await createTestProduct(brand, { sku: 'FLT-NOUNDER', name: 'ToteXMini', price: 5_000 });

    const make = async (key: string, items: string[], email: string, name: string) => {
      const order = await orderService.createOrder(
        ctxOf(brand),
        orderInput(items.map((k) => ({ productId: p[k].id, quantity: 1 })), { customer: { email, name } }),
      );
      o[key] = { id: order.id, number: order.number };
    };
    await make('o1', ['alpha'], 'alice@example.com', 'Alice Martin'); // PENDING / AWAITING_PAYMENT
    await make('o2', ['bravo'], 'Bob.Stone@Example.org', 'Bob Stone'); // PENDING / PAID
    await make('o3', ['alpha', 'bravo'], 'carol@example.com', 'Carol 100% Real'); // PROCESSING / PAID
    await make('o4', ['pct'], 'dave@example.com', 'Dave 1000 Fake'); // SHIPPED / PAID
    await make('o5', ['nopct'], 'eve@example.com', 'Eve a_b'); // CANCELLED / AWAITING_PAYMENT
    await make('o6', ['under'], 'frank@example.com', 'Frank axb'); // DELIVERED / PAID
    await make('o7', ['nounder'], 'grace@example.com', 'Grace Hopper'); // PENDING / PAYMENT_FAILED
    await make('o8', ['alpha'], 'heidi@example.com', 'Heidi Klum'); // PENDING / REFUNDED

    const c = () => ctxOf(brand);
    await orderService.markOrderPaid(c(), o.o2.id);
    await orderService.markOrderPaid(c(), o.o3.id);
    await orderService.updateOrderStatus(c(), o.o3.id, 'PROCESSING');
    await orderService.markOrderPaid(c(), o.o4.id);
    await orderService.updateOrderStatus(c(), o.o4.id, 'PROCESSING');
    await orderService.updateOrderStatus(c(), o.o4.id, 'SHIPPED', null, 'TRK-4');
    await orderService.cancelOrder(c(), o.o5.id, 'test');
    await orderService.markOrderPaid(c(), o.o6.id);
    await orderService.updateOrderStatus(c(), o.o6.id, 'PROCESSING');
    await orderService.updateOrderStatus(c(), o.o6.id, 'SHIPPED', null, 'TRK-6');
    await orderService.updateOrderStatus(c(), o.o6.id, 'DELIVERED');
    await t.sql(`update orders set payment_status = 'PAYMENT_FAILED' where id = ?`, [o.o7.id]);
    await orderService.markOrderPaid(c(), o.o8.id);
    const [{ total }] = await t.sql('select total from orders where id = ?', [o.o8.id]);
    await recordRefund(c(), o.o8.id, Number(total));

    const dates: Record<string, string> = {
      o1: '2024-01-10T12:00:00Z',
      o2: '2024-02-10T12:00:00Z',
      o3: '2024-03-10T12:00:00Z',
    };
    for (const key of Object.keys(o)) {
      await t.sql('update orders set created_at = ? where id = ?', [dates[key] ?? '2025-06-01T12:00:00Z', o[key].id]);
    }

    // A same-looking order in another brand, which no filter of this brand may ever return.
    const foreign = await createTestProduct(other, { sku: 'FLT-ALPHA', name: 'Alpha Saddle Bag' });
    await orderService.createOrder(ctxOf(other), orderInput([{ productId: foreign.id, quantity: 1 }], {
      customer: { email: 'alice@example.com', name: 'Alice Martin 100% a_b' },
    }));
  });

  const FILTERED = `query($filter: OrderFilter) { orders(first: 2, filter: $filter) { nodes { id } totalCount } }`;
  const ALL = `query($filter: OrderFilter) { orders(first: 100, filter: $filter) { nodes { id } totalCount } }`;

  /** Asserts the filter returns exactly these orders, and that totalCount (on a page of 2) agrees. */
  async function expectFilter(filter: Record<string, unknown>, keys: string[]) {
    const res = await t.gql(ALL, { filter }, brand.tokens.VIEWER);
    expect(res.errors).toBeUndefined();
    const names = Object.fromEntries(Object.entries(o).map(([k, v]) => [v.id, k]));
    expect(res.data.orders.nodes.map((n: any) => names[n.id] ?? n.id).sort()).toEqual([...keys].sort());
    expect(res.data.orders.totalCount).toBe(keys.length);
    const small = await t.gql(FILTERED, { filter }, brand.tokens.VIEWER);
    expect(small.data.orders.totalCount).toBe(keys.length);
    expect(small.data.orders.nodes).toHaveLength(Math.min(2, keys.length));
  }

  it('no filter: all eight orders of the brand', async () => {
    await expectFilter({}, ['o1', 'o2', 'o3', 'o4', 'o5', 'o6', 'o7', 'o8']);
  });

  it('status[]', async () => {
    await expectFilter({ status: ['PENDING'] }, ['o1', 'o2', 'o7', 'o8']);
    await expectFilter({ status: ['SHIPPED', 'DELIVERED'] }, ['o4', 'o6']);
    await expectFilter({ status: ['CANCELLED'] }, ['o5']);
    await expectFilter({ status: ['PROCESSING'] }, ['o3']);
  });

  it('paymentStatus[]', async () => {
    await expectFilter({ paymentStatus: ['PAID'] }, ['o2', 'o3', 'o4', 'o6']);
    await expectFilter({ paymentStatus: ['PAYMENT_FAILED', 'REFUNDED'] }, ['o7', 'o8']);
    await expectFilter({ paymentStatus: ['AWAITING_PAYMENT'] }, ['o1', 'o5']);
    await expectFilter({ status: ['PENDING'], paymentStatus: ['PAID'] }, ['o2']);
  });

  it('createdAfter / createdBefore', async () => {
    await expectFilter({ createdAfter: '2024-02-01T00:00:00Z', createdBefore: '2024-03-01T00:00:00Z' }, ['o2']);
    await expectFilter({ createdBefore: '2024-02-01T00:00:00Z' }, ['o1']);
    await expectFilter({ createdAfter: '2024-03-01T00:00:00Z' }, ['o3', 'o4', 'o5', 'o6', 'o7', 'o8']);
    await expectFilter({ createdAfter: '2024-01-01T00:00:00Z', createdBefore: '2024-12-31T00:00:00Z' }, ['o1', 'o2', 'o3']);
    await expectFilter({ createdAfter: '2024-01-01T00:00:00+02:00', createdBefore: '2024-02-10T13:30:00+02:00' }, ['o1']);
  });

  it('productId', async () => {
    await expectFilter({ productId: p.alpha.id }, ['o1', 'o3', 'o8']);
    await expectFilter({ productId: p.bravo.id }, ['o2', 'o3']);
    await expectFilter({ productId: p.alpha.id, status: ['PENDING'] }, ['o1', 'o8']);
    const bad = await t.gql(ALL, { filter: { productId: 'nope' } }, brand.tokens.VIEWER);
    expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
    expect(bad.errors![0].extensions!.field).toBe('filter.productId');
  });

  it('search by order number (case-insensitive, partial)', async () => {
    await expectFilter({ search: o.o3.number.toLowerCase() }, ['o3']);
    await expectFilter({ search: o.o6.number.slice(-4) }, ['o6']);
  });

  it('search by customer email and name, case-insensitive', async () => {
    await expectFilter({ search: 'BOB.STONE@EXAMPLE' }, ['o2']);
    await expectFilter({ search: 'example.org' }, ['o2']);
    await expectFilter({ search: 'alice mar' }, ['o1']);
    await expectFilter({ search: 'GRACE HOP' }, ['o7']);
  });

  it('search by item SKU and item name, case-insensitive', async () => {
    await expectFilter({ search: 'flt-bravo' }, ['o2', 'o3']);
    await expectFilter({ search: 'SADDLE' }, ['o1', 'o3', 'o8']);
    await expectFilter({ search: 'velvet ribbon' }, ['o2', 'o3']);
  });

  it('search treats % and _ literally', async () => {
    await expectFilter({ search: '100%' }, ['o3', 'o4']);
    await expectFilter({ search: '%' }, ['o3', 'o4']);
    await expectFilter({ search: 'a_b' }, ['o5']);
    await expectFilter({ search: 'tote_mini' }, ['o6']);
    await expectFilter({ search: '_' }, ['o5', 'o6']);
    await expectFilter({ search: 'nothing matches this' }, []);
  });

  it('search combines with the other filters', async () => {
    await expectFilter({ search: 'saddle', paymentStatus: ['REFUNDED'] }, ['o8']);
    await expectFilter({ search: 'example.com', status: ['PENDING'] }, ['o1', 'o7', 'o8']);
  });

  it('order(id) and orderByNumber(number) (case-insensitive)', async () => {
    const Q = `query($id: ID!, $number: String!) {
      order(id: $id) { id number customer { email name } }
      orderByNumber(number: $number) { id number } }`;
    const res = await t.gql(Q, { id: o.o3.id, number: o.o3.number.toLowerCase() }, brand.tokens.VIEWER);
    expect(res.errors).toBeUndefined();
    expect(res.data.order).toEqual({ id: o.o3.id, number: o.o3.number, customer: { email: 'carol@example.com', name: 'Carol 100% Real' } });
    expect(res.data.orderByNumber).toEqual({ id: o.o3.id, number: o.o3.number });
    expect(o.o3.number).toMatch(/^FL-\d{6}$/);

    const spaced = await t.gql(`query($n: String!) { orderByNumber(number: $n) { id } }`, { n: `  ${o.o5.number.toLowerCase()} ` }, brand.tokens.VIEWER);
    expect(spaced.data.orderByNumber).toEqual({ id: o.o5.id });

    const missing = await t.gql(`query { orderByNumber(number: "FL-999999") { id } }`, {}, brand.tokens.VIEWER);
    expect(missing.errors).toBeUndefined();
    expect(missing.data.orderByNumber).toBeNull();
  });

  it('order(id) of another brand answers exactly as an id that does not exist', async () => {
    const [foreign] = await t.sql('select id, number from orders where brand_id = ?', [other.id]);
    const Q = `query($id: ID!) { order(id: $id) { id } }`;
    const theirs = await t.gql(Q, { id: foreign.id }, brand.tokens.VIEWER);
    const nobody = await t.gql(Q, { id: '00000000-0000-7000-8000-000000000000' }, brand.tokens.VIEWER);
    expect(theirs.data?.order ?? null).toBeNull();
    expect({ data: theirs.data, codes: codes(theirs) }).toEqual({ data: nobody.data, codes: codes(nobody) });
    const byNumber = await t.gql(`query($n: String!) { orderByNumber(number: $n) { id } }`, { n: foreign.number }, brand.tokens.VIEWER);
    // Both brands use the FL prefix: FL-000001 exists in this brand too, and must be this brand's order.
    expect(byNumber.data.orderByNumber?.id).not.toBe(foreign.id);
  });
});

describe('search by a whole email address', () => {
  // Only an address's local part goes to the trigram index (order-filter.ts); the whole address must still decide.
  let brand: TestBrand;
  const byEmail: Record<string, string> = {};

  beforeAll(async () => {
    brand = await createTestBrand(t, { prefix: 'EM' });
    const product = await createTestProduct(brand, { sku: 'EM-1', name: 'Plain Card', price: 1_000 });
    for (const email of ['alice@example.com', 'Alice@Example.net', 'malice@example.com', 'al@example.com', 'bob@alice.example']) {
      const order = await orderService.createOrder(
        ctxOf(brand),
        orderInput([{ productId: product.id, quantity: 1 }], { customer: { email, name: null } }),
      );
      byEmail[order.id] = email.toLowerCase();
    }
  });

  async function found(search: string): Promise<string[]> {
    const res = await t.gql(`query($s: String) { orders(first: 50, filter: { search: $s }) { nodes { id } totalCount } }`, { s: search }, brand.tokens.VIEWER);
    expect(res.errors).toBeUndefined();
    expect(res.data.orders.totalCount).toBe(res.data.orders.nodes.length);
    return res.data.orders.nodes.map((n: { id: string }) => byEmail[n.id]).sort();
  }

  it('matches the whole address, not only its local part, as a substring, in any case', async () => {
    expect(await found('alice@example.com')).toEqual(['alice@example.com', 'malice@example.com']);
    expect(await found('ALICE@EXAMPLE.NET')).toEqual(['alice@example.net']);
    expect(await found('alice@example.org')).toEqual([]);
    expect(await found('ice@example.c')).toEqual(['alice@example.com', 'malice@example.com']);
  });

  it('short local parts, a bare local part and a bare domain search as before', async () => {
    expect(await found('al@example.com')).toEqual(['al@example.com']);
    expect(await found('e@example.com')).toEqual(['alice@example.com', 'malice@example.com']);
    expect(await found('alice@')).toEqual(['alice@example.com', 'alice@example.net', 'malice@example.com']);
    expect(await found('@alice')).toEqual(['bob@alice.example']);
  });
});
