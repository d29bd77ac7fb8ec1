import { randomUUID } from 'node:crypto';
import { Order } from '../../src/orders/order.entity';
import { createOrder, markOrderPaid, updateOrderStatus } from '../../src/orders/order.service';
import { OrderLoaders } from '../../src/orders/order-loaders';
import { findOrderById, loadOrderHistory, loadOrderItems } from '../../src/orders/order.queries';
import { createDiscountCode, listDiscountCodes } from '../../src/discounts/discount.service';
import { DiscountCode } from '../../src/discounts/discount-code.entity';
import { Product } from '../../src/products/product.entity';
import { updateProduct } from '../../src/products/product.service';
import { RequestContext } from '../../src/shared/request-context';
import { scopedSql } from '../../src/shared/sql';
import {
  codes,
  CREATE_ORDER,
  createTestBrand,
  createTestProduct,
  ORDER_FIELDS,
  orderInput,
  startTestApp,
  type GraphQLResponse,
  type TestApp,
  type TestBrand,
} from '../support/harness';

/**
 * Tenant isolation: brand A, calling with brand B's ids, gets exactly what a nonexistent id gets (NOT_FOUND, or null
 * for nullable queries), B's rows never change, A's lists never show B's rows, and the central scope fails closed.
 */
let t: TestApp;
let A: TestBrand;
let B: TestBrand;

interface BrandFixture {
  products: { id: string; sku: string }[];
  orders: { pending: string; paid: string; pendingNumber: string };
  code: { id: string; code: string };
}
let a: BrandFixture;
let b: BrandFixture;

const BRAND_TABLES = [
  'orders',
  'order_items',
  'order_status_changes',
  'stock_movements',
  'products',
  'discount_codes',
  'idempotency_keys',
] as const;

/** Every row a brand owns, straight from the database (not through the API under test). */
async function brandRows(brandId: string) {
  const rows: Record<string, unknown[]> = {};
  for (const table of BRAND_TABLES) {
    rows[table] = await t.sql(`select * from ${table} where brand_id = ? order by id`, [brandId]);
  }
  rows.brands = await t.sql('select * from brands where id = ?', [brandId]);
  return rows;
}

async function bothBrands() {
  return { a: await brandRows(A.id), b: await brandRows(B.id) };
}

/** A fresh request context for arranging data (no identity map carried between arrangements). */
const fresh = (brand: TestBrand) => RequestContext.create(t.orm.em as any, brand.ctx.principal);

async function arrange(brand: TestBrand, code: string): Promise<BrandFixture> {
  const p1 = await createTestProduct(brand, { name: `${code} bag`, price: 10_000, stock: 50 });
  const p2 = await createTestProduct(brand, { name: `${code} scarf`, price: 2_500, stock: 50 });
  const customer = { email: `buyer@${code.toLowerCase()}.example`, name: `${code} Buyer` };
  const pending = await createOrder(fresh(brand), {
    items: [{ productId: p1.id, quantity: 1 }],
    customer,
  });
  const paid = await createOrder(fresh(brand), {
    items: [
      { productId: p1.id, quantity: 2 },
      { productId: p2.id, quantity: 1 },
    ],
    customer,
  });
  await markOrderPaid(fresh(brand), paid.id);
  const discount = await createDiscountCode(fresh(brand), { code, percentOff: 10 });
  return {
    products: [
      { id: p1.id, sku: p1.sku },
      { id: p2.id, sku: p2.sku },
    ],
    orders: { pending: pending.id, paid: paid.id, pendingNumber: pending.number },
    code: { id: discount.id, code: discount.code },
  };
}

beforeAll(async () => {
  t = await startTestApp();
  A = await createTestBrand(t, { prefix: 'AA', currency: 'EUR' });
  B = await createTestBrand(t, { prefix: 'BB', currency: 'USD' });
  a = await arrange(A, 'ASAVE10');
  b = await arrange(B, 'BSAVE10');
});
afterAll(() => t.close());

/** The same answer with every occurrence of the two ids replaced, so that B's id and a random id compare equal. */
function normalized(res: GraphQLResponse, ids: string[]) {
  let text = JSON.stringify({ status: res.status, data: res.data ?? null, errors: res.errors ?? null });
  for (const id of ids) text = text.split(id).join('<ID>');
  return JSON.parse(text);
}

/**
 * Calls `query` as A with B's id and with a random UUID: both answers must be identical (same code, same message,
 * same data), and neither brand's rows may change.
 */
async function expectLikeMissing(
  query: string,
  vars: (id: string) => Record<string, unknown>,
  bId: string,
  expected: { code: string } | { data: unknown },
) {
  const before = await bothBrands();
  const missing = randomUUID();
  const asB = await t.gql(query, vars(bId), A.tokens.OWNER);
  const asMissing = await t.gql(query, vars(missing), A.tokens.OWNER);
  if ('code' in expected) {
    expect(codes(asB)).toEqual([expected.code]);
  } else {
    expect(asB.errors).toBeUndefined();
    expect(asB.data).toEqual(expected.data);
  }
  // The caller's own input may be echoed ("Product <id> not found"), but nothing else may differ.
  expect(normalized(asB, [bId])).toEqual(normalized(asMissing, [missing]));
  expect(await bothBrands()).toEqual(before);
}

describe('queries with another brand’s ids answer exactly like a nonexistent id', () => {
  it('order(id) is null', async () => {
    // Sanity: B's own OWNER sees it, so the null below is the tenancy wall, not a broken query.
    const own = await t.gql(`query($id: ID!) { order(id: $id) { id } }`, { id: b.orders.pending }, B.tokens.OWNER);
    expect(own.data.order).toEqual({ id: b.orders.pending });
    await expectLikeMissing(
      `query($id: ID!) { order(id: $id) { ${ORDER_FIELDS} } }`,
      (id) => ({ id }),
      b.orders.pending,
      { data: { order: null } },
    );
  });

  it('orderByNumber with B’s number is null', async () => {
    expect(b.orders.pendingNumber).toMatch(/^BB-\d{6}$/);
    const own = await t.gql(
      `query($n: String!) { orderByNumber(number: $n) { id } }`,
      { n: b.orders.pendingNumber },
      B.tokens.VIEWER,
    );
    expect(own.data.orderByNumber).toEqual({ id: b.orders.pending });
    for (const n of [b.orders.pendingNumber, b.orders.pendingNumber.toLowerCase()]) {
      const res = await t.gql(`query($n: String!) { orderByNumber(number: $n) { id number } }`, { n }, A.tokens.OWNER);
      expect(res.errors).toBeUndefined();
      expect(res.data.orderByNumber).toBeNull();
    }
    const missing = await t.gql(`query { orderByNumber(number: "BB-999999") { id } }`, {}, A.tokens.OWNER);
    expect(missing.data.orderByNumber).toBeNull();
  });

  it('product(id) is null', async () => {
    const own = await t.gql(`query($id: ID!) { product(id: $id) { id } }`, { id: b.products[0].id }, B.tokens.VIEWER);
    expect(own.data.product).toEqual({ id: b.products[0].id });
    await expectLikeMissing(
      `query($id: ID!) { product(id: $id) { id sku name price { amount currency } stock active } }`,
      (id) => ({ id }),
      b.products[0].id,
      { data: { product: null } },
    );
  });

  it('quoteOrder with B’s productId is NOT_FOUND', async () => {
    await expectLikeMissing(
      `query($input: CreateOrderInput!) { quoteOrder(input: $input) { total { amount } } }`,
      (id) => ({ input: orderInput([{ productId: id, quantity: 1 }]) }),
      b.products[0].id,
      { code: 'NOT_FOUND' },
    );
  });

  it('orders(filter: { productId: B’s product }) is an empty page, like an unknown product', async () => {
    await expectLikeMissing(
      `query($p: ID!) { orders(first: 100, filter: { productId: $p }) { totalCount nodes { id } pageInfo { hasNextPage } } }`,
      (id) => ({ p: id }),
      b.products[0].id,
      { data: { orders: { totalCount: 0, nodes: [], pageInfo: { hasNextPage: false } } } },
    );
    // Sanity: the filter works for B, and for A with A's own product.
    const own = await t.gql(
      `query($p: ID!) { orders(filter: { productId: $p }) { totalCount } }`,
      { p: b.products[0].id },
      B.tokens.VIEWER,
    );
    expect(own.data.orders.totalCount).toBe(2);
    const mine = await t.gql(
      `query($p: ID!) { orders(filter: { productId: $p }) { totalCount } }`,
      { p: a.products[1].id },
      A.tokens.VIEWER,
    );
    expect(mine.data.orders.totalCount).toBe(1);
  });
});

describe('mutations with another brand’s ids answer NOT_FOUND and change nothing', () => {
  const ORDER_RESULT = '{ id status paymentStatus trackingNumber }';

  it('createOrder with B’s productId (alone, or after one of A’s own products)', async () => {
    await expectLikeMissing(
      CREATE_ORDER,
      (id) => ({ input: orderInput([{ productId: id, quantity: 1 }]), key: 'tenancy-create-1' }),
      b.products[0].id,
      { code: 'NOT_FOUND' },
    );
    // A's own product first: the whole order is refused and A's stock is untouched (checked by expectLikeMissing).
    await expectLikeMissing(
      CREATE_ORDER,
      (id) => ({
        input: orderInput([
          { productId: a.products[0].id, quantity: 1 },
          { productId: id, quantity: 1 },
        ]),
      }),
      b.products[1].id,
      { code: 'NOT_FOUND' },
    );
  });

  it('updateOrder', async () => {
    await expectLikeMissing(
      `mutation($id: ID!) { updateOrder(id: $id, input: { trackingNumber: "HIJACK", customer: { email: "x@evil.example" } }) ${ORDER_RESULT} }`,
      (id) => ({ id }),
      b.orders.pending,
      { code: 'NOT_FOUND' },
    );
  });

  it('updateOrderStatus (PROCESSING on a paid order, CANCELLED on a pending one)', async () => {
    await expectLikeMissing(
      `mutation($id: ID!) { updateOrderStatus(id: $id, status: PROCESSING, trackingNumber: "HIJACK") ${ORDER_RESULT} }`,
      (id) => ({ id }),
      b.orders.paid,
      { code: 'NOT_FOUND' },
    );
    await expectLikeMissing(
      `mutation($id: ID!) { updateOrderStatus(id: $id, status: CANCELLED, note: "not yours") ${ORDER_RESULT} }`,
      (id) => ({ id }),
      b.orders.pending,
      { code: 'NOT_FOUND' },
    );
  });

  it('markOrderPaid', async () => {
    await expectLikeMissing(
      `mutation($id: ID!) { markOrderPaid(id: $id, note: "hijack") ${ORDER_RESULT} }`,
      (id) => ({ id }),
      b.orders.pending,
      { code: 'NOT_FOUND' },
    );
  });

  it('cancelOrder (with and without an idempotency key)', async () => {
    await expectLikeMissing(
      `mutation($id: ID!) { cancelOrder(id: $id, reason: "hijack") ${ORDER_RESULT} }`,
      (id) => ({ id }),
      b.orders.pending,
      { code: 'NOT_FOUND' },
    );
    await expectLikeMissing(
      `mutation($id: ID!, $key: String) { cancelOrder(id: $id, reason: "hijack", idempotencyKey: $key) ${ORDER_RESULT} }`,
      (id) => ({ id, key: `tenancy-cancel-${id}` }),
      b.orders.paid,
      { code: 'NOT_FOUND' },
    );
  });

  it('addOrderNote', async () => {
    await expectLikeMissing(
      `mutation($id: ID!) { addOrderNote(id: $id, note: "hijack") ${ORDER_RESULT} }`,
      (id) => ({ id }),
      b.orders.pending,
      { code: 'NOT_FOUND' },
    );
  });

  it('deleteOrder', async () => {
    await expectLikeMissing(`mutation($id: ID!) { deleteOrder(id: $id) }`, (id) => ({ id }), b.orders.pending, {
      code: 'NOT_FOUND',
    });
  });

  it('updateProduct', async () => {
    await expectLikeMissing(
      `mutation($id: ID!) { updateProduct(id: $id, input: { name: "Hijacked", price: 1, active: false }) { id name } }`,
      (id) => ({ id }),
      b.products[0].id,
      { code: 'NOT_FOUND' },
    );
  });

  it('adjustStock (adding and removing)', async () => {
    for (const delta of [5, -1]) {
      await expectLikeMissing(
        `mutation($id: ID!, $d: Int!) { adjustStock(id: $id, delta: $d, reason: "hijack") { id stock } }`,
        (id) => ({ id, d: delta }),
        b.products[0].id,
        { code: 'NOT_FOUND' },
      );
    }
  });

  it('setDiscountCodeActive', async () => {
    await expectLikeMissing(
      `mutation($id: ID!) { setDiscountCodeActive(id: $id, active: false) { id active } }`,
      (id) => ({ id }),
      b.code.id,
      { code: 'NOT_FOUND' },
    );
  });

  it('B’s discount code is unknown to A (DISCOUNT_INVALID, like a code that does not exist)', async () => {
    const before = await bothBrands();
    const res = await t.gql(
      CREATE_ORDER,
      { input: orderInput([{ productId: a.products[0].id, quantity: 1 }], { discountCode: b.code.code }) },
      A.tokens.STAFF,
    );
    const unknown = await t.gql(
      CREATE_ORDER,
      { input: orderInput([{ productId: a.products[0].id, quantity: 1 }], { discountCode: 'NOSUCHCODE' }) },
      A.tokens.STAFF,
    );
    expect(codes(res)).toEqual(['DISCOUNT_INVALID']);
    expect(codes(unknown)).toEqual(['DISCOUNT_INVALID']);
    expect(res.errors![0].extensions!.reason).toBe(unknown.errors![0].extensions!.reason);
    expect(res.errors![0].extensions!.reason).toBe('does not exist');
    expect(await bothBrands()).toEqual(before);
  });

  it('A’s own ids still work: the NOT_FOUNDs above are the wall, not broken mutations', async () => {
    const res = await t.gql(
      `mutation($id: ID!) { addOrderNote(id: $id, note: "mine") { id statusHistory { note } } }`,
      { id: a.orders.pending },
      A.tokens.STAFF,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.addOrderNote.statusHistory.map((h: any) => h.note)).toContain('mine');
    const stock = await t.gql(
      `mutation($id: ID!) { adjustStock(id: $id, delta: 1, reason: "count") { stock } }`,
      { id: a.products[1].id },
      A.tokens.ADMIN,
    );
    expect(stock.errors).toBeUndefined();
  });
});

describe('lists never include another brand’s rows', () => {
  async function idsOf(table: string, brandId: string): Promise<string[]> {
    const rows = await t.sql<{ id: string }>(`select id from ${table} where brand_id = ? order by id`, [brandId]);
    return rows.map((r) => r.id);
  }

  it('orders, forwards and backwards, with and without search', async () => {
    const mine = await idsOf('orders', A.id);
    const theirs = await idsOf('orders', B.id);
    expect(mine.length).toBeGreaterThan(0);
    expect(theirs.length).toBeGreaterThan(0);
    for (const args of ['first: 100', 'last: 100', 'first: 100, sort: TOTAL_DESC', 'first: 100, sort: NUMBER_DESC']) {
      const res = await t.gql(`query { orders(${args}) { totalCount nodes { id number } } }`, {}, A.tokens.VIEWER);
      expect(res.errors).toBeUndefined();
      expect(res.data.orders.nodes.map((o: any) => o.id).sort()).toEqual(mine);
      expect(res.data.orders.totalCount).toBe(mine.length);
      for (const o of res.data.orders.nodes) expect(o.number).toMatch(/^AA-/);
    }
    for (const search of [b.products[0].sku, 'bsave10 buyer', 'buyer@bsave10.example', b.orders.pendingNumber]) {
      const res = await t.gql(
        `query($s: String) { orders(first: 100, filter: { search: $s }) { totalCount nodes { id } } }`,
        { s: search },
        A.tokens.VIEWER,
      );
      expect(res.data.orders).toEqual({ totalCount: 0, nodes: [] });
    }
    // Sanity: the same searches find B's orders for B.
    const own = await t.gql(
      `query($s: String) { orders(filter: { search: $s }) { totalCount } }`,
      { s: 'buyer@bsave10.example' },
      B.tokens.VIEWER,
    );
    expect(own.data.orders.totalCount).toBe(theirs.length);
  });

  it('products', async () => {
    const mine = await idsOf('products', A.id);
    const res = await t.gql(`query { products(first: 100) { totalCount nodes { id } } }`, {}, A.tokens.VIEWER);
    expect(res.data.products.nodes.map((p: any) => p.id).sort()).toEqual(mine);
    expect(res.data.products.totalCount).toBe(mine.length);
    const search = await t.gql(
      `query($s: String) { products(search: $s) { totalCount nodes { id } } }`,
      { s: b.products[0].sku },
      A.tokens.VIEWER,
    );
    expect(search.data.products).toEqual({ totalCount: 0, nodes: [] });
  });

  it('discountCodes', async () => {
    const mine = await idsOf('discount_codes', A.id);
    const res = await t.gql(`query { discountCodes(first: 100) { id code } }`, {}, A.tokens.VIEWER);
    expect(res.errors).toBeUndefined();
    expect(res.data.discountCodes.map((d: any) => d.id).sort()).toEqual(mine);
    expect(res.data.discountCodes.map((d: any) => d.code)).not.toContain(b.code.code);
  });

  it('orderStats counts only A’s orders and A’s currency', async () => {
    const [{ count, paid, gross }] = await t.sql(
      `select count(*)::int as count,
              count(*) filter (where payment_status = 'PAID')::int as paid,
              coalesce(sum(total) filter (where payment_status = 'PAID'), 0)::bigint as gross
         from orders where brand_id = ?`,
      [A.id],
    );
    const res = await t.gql(
      `query($r: StatsRange!) { orderStats(range: $r) {
         byCurrency { currency orderCount paidOrderCount grossRevenue { amount } }
         byStatus { status count } byPaymentStatus { paymentStatus count }
         series { currency orderCount }
         topProducts(limit: 50) { productId sku }
       } }`,
      { r: { from: new Date(Date.now() - 86_400_000).toISOString(), to: new Date(Date.now() + 86_400_000).toISOString() } },
      A.tokens.VIEWER,
    );
    expect(res.errors).toBeUndefined();
    const stats = res.data.orderStats;
    expect(stats.byCurrency).toEqual([
      { currency: 'EUR', orderCount: count, paidOrderCount: paid, grossRevenue: { amount: Number(gross) } },
    ]);
    expect(stats.byStatus.reduce((s: number, r: any) => s + r.count, 0)).toBe(count);
    expect(stats.byPaymentStatus.reduce((s: number, r: any) => s + r.count, 0)).toBe(count);
    expect(stats.series.every((p: any) => p.currency === 'EUR')).toBe(true);
    expect(stats.series.reduce((s: number, p: any) => s + p.orderCount, 0)).toBe(count);
    const bProducts = new Set(b.products.map((p) => p.id));
    expect(stats.topProducts.length).toBeGreaterThan(0);
    for (const p of stats.topProducts) expect(bProducts.has(p.productId)).toBe(false);
  });

  it('viewer is A’s brand', async () => {
    const res = await t.gql(`query { viewer { brand { id orderNumberPrefix } } }`, {}, A.tokens.VIEWER);
    expect(res.data.viewer.brand).toEqual({ id: A.id, orderNumberPrefix: 'AA' });
  });

  it('uniqueness is per brand: A may reuse B’s SKU and discount code', async () => {
    const product = await t.gql(
      `mutation($sku: String!) { createProduct(input: { sku: $sku, name: "Same SKU", price: 100, stock: 1 }) { id sku } }`,
      { sku: b.products[0].sku },
      A.tokens.ADMIN,
    );
    expect(product.errors).toBeUndefined();
    expect(product.data.createProduct.sku).toBe(b.products[0].sku);
    const code = await t.gql(
      `mutation($c: String!) { createDiscountCode(input: { code: $c, amountOff: 100 }) { id code } }`,
      { c: b.code.code.toLowerCase() },
      A.tokens.ADMIN,
    );
    expect(code.errors).toBeUndefined();
    // B's rows are the ones they were.
    const [bProduct] = await t.sql('select brand_id, name from products where id = ?', [b.products[0].id]);
    expect(bProduct.brand_id).toBe(B.id);
    const [bCode] = await t.sql('select brand_id, active, amount_off from discount_codes where id = ?', [b.code.id]);
    expect(bCode).toEqual({ brand_id: B.id, active: true, amount_off: null });
  });
});

describe('the scope fails closed', () => {
  it('the ORM refuses brand-scoped reads and writes when the request has no principal', async () => {
    // Requests have run on the root EntityManager by now: forks of it must still carry no brand.
    const anonymous = RequestContext.create(t.orm.em as any, null);
    expect(() => anonymous.brandId).toThrow(/Sign in/);
    // Either MikroORM's own refusal (a default filter without its argument) or the filter's guard: both name the scope.
    const NO_SCOPE = /filter 'brand'|Tenant scope missing/;
    await expect(anonymous.em.find(Order, {})).rejects.toThrow(NO_SCOPE);
    await expect(anonymous.em.findOne(Order, b.orders.pending)).rejects.toThrow(NO_SCOPE);
    await expect(anonymous.em.count(Product, {})).rejects.toThrow(NO_SCOPE);
    await expect(anonymous.em.find(DiscountCode, { code: b.code.code })).rejects.toThrow(NO_SCOPE);

    const counts = async () => (await t.sql('select (select count(*) from orders)::int as o, (select count(*) from products)::int as p'))[0];
    const before = await counts();
    await expect(anonymous.em.nativeDelete(Order, {})).rejects.toThrow(NO_SCOPE);
    await expect(anonymous.em.nativeUpdate(Product, {}, { stock: 0 })).rejects.toThrow(NO_SCOPE);
    expect(await counts()).toEqual(before);
    const [{ total }] = await t.sql('select sum(stock)::int as total from products');
    expect(total).toBeGreaterThan(0);
  });

  it('services called without a principal throw and write nothing', async () => {
    const anonymous = () => RequestContext.create(t.orm.em as any, null);
    const before = await bothBrands();
    await expect(findOrderById(anonymous(), b.orders.pending)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(listDiscountCodes(anonymous(), 10)).rejects.toThrow(/filter 'brand'|Tenant scope missing/);
    await expect(
      createOrder(anonymous(), { items: [{ productId: b.products[0].id, quantity: 1 }], customer: { email: 'x@y.example' } }),
    ).rejects.toThrow();
    await expect(updateProduct(anonymous(), b.products[0].id, { name: 'Nobody' })).rejects.toThrow();
    await expect(updateOrderStatus(anonymous(), b.orders.pending, 'CANCELLED', 'nobody')).rejects.toThrow();
    expect(await bothBrands()).toEqual(before);
  });

  it('a context bound to A cannot reach B’s rows through the ORM, even by primary key', async () => {
    const asA = fresh(A);
    expect(await asA.em.findOne(Order, b.orders.pending)).toBeNull();
    expect(await asA.em.findOne(Product, b.products[0].id)).toBeNull();
    expect(await asA.em.count(Order, { id: b.orders.paid })).toBe(0);
    const before = await brandRows(B.id);
    expect(await asA.em.nativeUpdate(Product, { id: b.products[0].id }, { stock: 0 })).toBe(0);
    expect(await asA.em.nativeDelete(DiscountCode, { id: b.code.id })).toBe(0);
    expect(await brandRows(B.id)).toEqual(before);
  });

  it('the items and history batch loaders return nothing for B’s order ids, even batched with A’s own', async () => {
    // The second wall: these statements are raw SQL, which the ORM filter does not reach; only their own scope does.
    const asA = fresh(A);
    const mixed = [b.orders.pending, a.orders.pending, b.orders.paid, a.orders.paid];
    const loaders = new OrderLoaders(asA);
    const [items, history] = await Promise.all([loaders.items.loadMany(mixed), loaders.history.loadMany(mixed)]);
    const found = (lists: unknown[]) => lists.map((list) => (list as unknown[]).length > 0);
    expect(found(items)).toEqual([false, true, false, true]);
    expect(found(history)).toEqual([false, true, false, true]);
    // B's orders do have items and history: the empty answers above are the wall, not missing data.
    const [rows] = await t.sql(
      `select (select count(*) from order_items where order_id in (?, ?))::int as items,
              (select count(*) from order_status_changes where order_id in (?, ?))::int as history`,
      [b.orders.pending, b.orders.paid, b.orders.pending, b.orders.paid],
    );
    expect(rows.items).toBeGreaterThan(0);
    expect(rows.history).toBeGreaterThan(0);
    expect(await loadOrderItems(asA, [b.orders.pending, b.orders.paid])).toEqual([[], []]);
    expect(await loadOrderHistory(asA, [b.orders.pending, b.orders.paid])).toEqual([[], []]);
  });

  it('scopedSql refuses a statement whose first parameter is not `brand_id = ?`', async () => {
    const asA = fresh(A);
    const refused = [
      'select id from orders where id = ? and brand_id = ?',
      'select id from orders',
      'select id from orders where brand_id <> ?',
      'select id from orders where brand_id in (?)',
      'select id from orders o where o.number = ?',
    ];
    for (const statement of refused) {
      await expect(scopedSql(asA, statement, [b.orders.pending])).rejects.toThrow(/brand_id = \?/);
    }
    // The accepted form binds the request's brand itself: B's order id finds nothing for A, A's finds A's.
    expect(await scopedSql(asA, 'select id from orders where brand_id = ? and id = ?', [b.orders.pending])).toEqual([]);
    expect(await scopedSql(asA, 'select id from orders o where o.brand_id = ? and o.id = ?', [a.orders.pending])).toEqual([
      { id: a.orders.pending },
    ]);
    // And without a principal, even the accepted form refuses to run.
    const anonymous = RequestContext.create(t.orm.em as any, null);
    await expect(
      scopedSql(anonymous, 'select id from orders where brand_id = ?', []),
    ).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});
