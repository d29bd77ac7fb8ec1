import {
  codes,
  CREATE_ORDER,
  createTestBrand,
  createTestProduct,
  orderInput,
  PASSWORD,
  startTestApp,
  type GraphQLResponse,
  type TestApp,
  type TestBrand,
} from '../support/harness';

/**
 * Catalog, discounts, brand settings, viewer and sessions, quoting, money formatting and the health routes, over HTTP.
 */

let t: TestApp;
let brand: TestBrand;

const PRODUCT_FIELDS = 'id sku name price { amount currency formatted } stock active createdAt updatedAt';
const PRODUCTS = `query($first: Int, $after: String, $search: String, $activeOnly: Boolean) {
  products(first: $first, after: $after, search: $search, activeOnly: $activeOnly) {
    edges { cursor node { id } }
    nodes { ${PRODUCT_FIELDS} }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    totalCount } }`;
const CREATE_PRODUCT = `mutation($input: CreateProductInput!) { createProduct(input: $input) { ${PRODUCT_FIELDS} } }`;
const UPDATE_PRODUCT = `mutation($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { ${PRODUCT_FIELDS} } }`;
const ADJUST_STOCK = `mutation($id: ID!, $delta: Int!, $reason: String!) { adjustStock(id: $id, delta: $delta, reason: $reason) { id stock } }`;
const QUOTE = `query($input: CreateOrderInput!) { quoteOrder(input: $input) {
  currency subtotal { amount currency formatted } discountTotal { amount } shippingTotal { amount } taxTotal { amount }
  total { amount currency formatted } } }`;
const DISCOUNT_FIELDS = `id code percentOff amountOff { amount currency formatted } minimumSubtotal { amount }
  validFrom validUntil usageLimit timesUsed active`;
const CREATE_DISCOUNT = `mutation($input: CreateDiscountCodeInput!) { createDiscountCode(input: $input) { ${DISCOUNT_FIELDS} } }`;
const SET_DISCOUNT_ACTIVE = `mutation($id: ID!, $active: Boolean!) { setDiscountCodeActive(id: $id, active: $active) { id code active } }`;
const BRAND_FIELDS = `id slug name currency orderNumberPrefix taxRateBps taxInclusive
  shippingFlatRate { amount currency } freeShippingThreshold { amount }`;
const UPDATE_BRAND = `mutation($input: BrandSettingsInput!) { updateBrandSettings(input: $input) { ${BRAND_FIELDS} } }`;
const VIEWER = `query { viewer { actor { type id label } brand { ${BRAND_FIELDS} } role scopes } }`;
const LOGIN = `mutation($email: String!, $password: String!) { login(email: $email, password: $password) {
  token expiresAt viewer { actor { type id } role brand { id } } } }`;

async function count(table: string, brandId = brand.id): Promise<number> {
  const [row] = await t.sql(`select count(*)::int as n from ${table} where brand_id = ?`, [brandId]);
  return row.n;
}

async function stockOf(productId: string): Promise<number> {
  const [row] = await t.sql('select stock from products where id = ?', [productId]);
  return row.stock;
}

beforeAll(async () => {
  t = await startTestApp();
  brand = await createTestBrand(t, { prefix: 'CT' });
});
afterAll(() => t.close());

describe('products connection', () => {
  let shop: TestBrand;
  const ids: string[] = [];

  beforeAll(async () => {
    shop = await createTestBrand(t, { prefix: 'PR' });
    for (let i = 0; i < 23; i++) {
      const product = await createTestProduct(shop, {
        sku: `LIST-${String(i).padStart(2, '0')}`,
        name: i % 3 === 0 ? `Silk Scarf ${i}` : `Leather Belt ${i}`,
        price: 1_000 + i,
        active: i % 4 !== 0,
      });
      ids.push(product.id);
    }
    await createTestProduct(shop, { sku: 'ODD-PCT', name: 'Sale 50% Tote', price: 100 });
    await createTestProduct(shop, { sku: 'ODD-NOPCT', name: 'Sale 500 Tote', price: 100 });
    // Two products sharing a created_at: the walk must still give each exactly once.
    await t.sql(`update products set created_at = (select created_at from products where id = ?) where id = any(?::uuid[])`, [
      ids[10],
      `{${ids.slice(10, 16).join(',')}}`,
    ]);
  });

  it('walks every product exactly once, newest first (ties by id), with totalCount', async () => {
    const rows = await t.sql<{ id: string; created_at: Date }>('select id, created_at from products where brand_id = ?', [shop.id]);
    const expected = rows
      .sort((a, b) => new Date(b.created_at).getTime() - new Date(a.created_at).getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
      .map((r) => r.id);
    expect(expected).toHaveLength(25);
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 20; page++) {
      const res: GraphQLResponse = await t.gql(PRODUCTS, { first: 4, after }, shop.tokens.VIEWER);
      expect(res.errors).toBeUndefined();
      const conn: any = res.data.products;
      expect(conn.totalCount).toBe(25);
      expect(conn.edges.map((e: any) => e.node.id)).toEqual(conn.nodes.map((n: any) => n.id));
      if (conn.pageInfo.hasNextPage) expect(conn.nodes).toHaveLength(4);
      seen.push(...conn.nodes.map((n: any) => n.id));
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expected);
  });

  it('search matches SKU or name, case-insensitively, with % literal', async () => {
    const bySku = await t.gql(PRODUCTS, { first: 50, search: 'list-07' }, shop.tokens.VIEWER);
    expect(bySku.data.products.nodes.map((n: any) => n.sku)).toEqual(['LIST-07']);
    const byName = await t.gql(PRODUCTS, { first: 50, search: 'SILK SCARF' }, shop.tokens.VIEWER);
    const silk = [0, 3, 6, 9, 12, 15, 18, 21];
    expect(byName.data.products.totalCount).toBe(silk.length);
    expect(byName.data.products.nodes.map((n: any) => n.name).sort()).toEqual(silk.map((i) => `Silk Scarf ${i}`).sort());
    const pct = await t.gql(PRODUCTS, { first: 50, search: '50%' }, shop.tokens.VIEWER);
    expect(pct.data.products.nodes.map((n: any) => n.sku)).toEqual(['ODD-PCT']);
    expect(pct.data.products.totalCount).toBe(1);
  });

  it('activeOnly leaves out inactive products, in the nodes and in totalCount', async () => {
    const res = await t.gql(PRODUCTS, { first: 100, activeOnly: true }, shop.tokens.VIEWER);
    expect(res.errors).toBeUndefined();
    const inactive = [0, 4, 8, 12, 16, 20].map((i) => ids[i]);
    expect(res.data.products.totalCount).toBe(25 - inactive.length);
    expect(res.data.products.nodes.every((n: any) => n.active)).toBe(true);
    expect(res.data.products.nodes.map((n: any) => n.id)).not.toEqual(expect.arrayContaining([inactive[0]]));
    const all = await t.gql(PRODUCTS, { first: 100, activeOnly: false }, shop.tokens.VIEWER);
    expect(all.data.products.totalCount).toBe(25);
    const searchActive = await t.gql(PRODUCTS, { first: 100, search: 'silk', activeOnly: true }, shop.tokens.VIEWER);
    // Silk scarves are 0, 3, 6, …, 21; of those 0 and 12 are inactive.
    expect(searchActive.data.products.totalCount).toBe(6);
  });

  it('first above 100 is BAD_USER_INPUT', async () => {
    const res = await t.gql(PRODUCTS, { first: 101 }, shop.tokens.VIEWER);
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors![0].extensions!.field).toBe('first');
  });

  it('product(id) returns the product; an unknown id and another brand’s id answer alike', async () => {
    const res = await t.gql(`query($id: ID!) { product(id: $id) { ${PRODUCT_FIELDS} } }`, { id: ids[7] }, shop.tokens.VIEWER);
    expect(res.errors).toBeUndefined();
    expect(res.data.product).toMatchObject({
      id: ids[7],
      sku: 'LIST-07',
      name: 'Leather Belt 7',
      price: { amount: 1_007, currency: 'EUR' },
      stock: 100,
      active: true,
    });
    const Q = `query($id: ID!) { product(id: $id) { id } }`;
    const foreign = await t.gql(Q, { id: ids[7] }, brand.tokens.VIEWER);
    const unknown = await t.gql(Q, { id: '00000000-0000-7000-8000-000000000000' }, brand.tokens.VIEWER);
    expect(foreign.data?.product ?? null).toBeNull();
    expect({ data: foreign.data, codes: codes(foreign) }).toEqual({ data: unknown.data, codes: codes(unknown) });
    const malformed = await t.gql(Q, { id: 'LIST-07' }, shop.tokens.VIEWER);
    expect(codes(malformed)).toEqual(['BAD_USER_INPUT']);
  });
});

describe('product mutations', () => {
  it('createProduct (ADMIN) stores the product and its initial stock movement', async () => {
    const res = await t.gql(
      CREATE_PRODUCT,
      { input: { sku: 'CAT-NEW-1', name: '  Cashmere Gloves  ', price: 8_900, stock: 12 } },
      brand.tokens.ADMIN,
    );
    expect(res.errors).toBeUndefined();
    const product = res.data.createProduct;
    expect(product).toMatchObject({ sku: 'CAT-NEW-1', name: 'Cashmere Gloves', price: { amount: 8_900, currency: 'EUR' }, stock: 12, active: true });
    const [row] = await t.sql('select brand_id, sku, name, price, stock, active from products where id = ?', [product.id]);
    expect(row).toEqual({ brand_id: brand.id, sku: 'CAT-NEW-1', name: 'Cashmere Gloves', price: '8900', stock: 12, active: true });
    const moves = await t.sql('select delta, stock_after, reason from stock_movements where product_id = ?', [product.id]);
    expect(moves).toEqual([{ delta: 12, stock_after: 12, reason: 'INITIAL' }]);
  });

  it('a duplicate SKU is BAD_USER_INPUT on input.sku and writes nothing', async () => {
    const first = await t.gql(CREATE_PRODUCT, { input: { sku: 'CAT-DUP', name: 'One', price: 100, stock: 1 } }, brand.tokens.ADMIN);
    expect(first.errors).toBeUndefined();
    const products = await count('products');
    const movements = await count('stock_movements');
    const dup = await t.gql(CREATE_PRODUCT, { input: { sku: 'CAT-DUP', name: 'Two', price: 200, stock: 5 } }, brand.tokens.ADMIN);
    expect(codes(dup)).toEqual(['BAD_USER_INPUT']);
    expect(dup.errors![0].extensions!.field).toBe('input.sku');
    expect(dup.data).toBeNull();
    expect(await count('products')).toBe(products);
    expect(await count('stock_movements')).toBe(movements);
    // The same SKU in another brand is fine: uniqueness is per brand.
    const other = await createTestBrand(t);
    const elsewhere = await t.gql(CREATE_PRODUCT, { input: { sku: 'CAT-DUP', name: 'Other', price: 1, stock: 0 } }, other.tokens.ADMIN);
    expect(elsewhere.errors).toBeUndefined();
  });

  it('bad product input and a too-low role are refused without writing', async () => {
    const products = await count('products');
    const negative = await t.gql(CREATE_PRODUCT, { input: { sku: 'CAT-NEG', name: 'Neg', price: -1, stock: 1 } }, brand.tokens.ADMIN);
    expect(codes(negative)).toEqual(['BAD_USER_INPUT']);
    expect(negative.errors![0].extensions!.field).toBe('input.price');
    const staff = await t.gql(CREATE_PRODUCT, { input: { sku: 'CAT-STAFF', name: 'Staff', price: 1, stock: 1 } }, brand.tokens.STAFF);
    expect(codes(staff)).toEqual(['FORBIDDEN']);
    expect(await count('products')).toBe(products);
  });

  it('updateProduct changes name, price and active', async () => {
    const product = await createTestProduct(brand, { sku: 'CAT-UPD', name: 'Before', price: 1_000 });
    const res = await t.gql(UPDATE_PRODUCT, { id: product.id, input: { name: 'After', price: 2_500, active: false } }, brand.tokens.ADMIN);
    expect(res.errors).toBeUndefined();
    expect(res.data.updateProduct).toMatchObject({ id: product.id, sku: 'CAT-UPD', name: 'After', price: { amount: 2_500 }, active: false, stock: 100 });
    const [row] = await t.sql('select name, price, active from products where id = ?', [product.id]);
    expect(row).toEqual({ name: 'After', price: '2500', active: false });
    // Partial update: only the price.
    const partial = await t.gql(UPDATE_PRODUCT, { id: product.id, input: { price: 3_000 } }, brand.tokens.ADMIN);
    expect(partial.data.updateProduct).toMatchObject({ name: 'After', price: { amount: 3_000 }, active: false });
    // An inactive product cannot be ordered.
    const order = await t.gql(CREATE_ORDER, { input: orderInput([{ productId: product.id, quantity: 1 }]) }, brand.tokens.STAFF);
    expect(codes(order)).toEqual(['BAD_USER_INPUT']);
    const missing = await t.gql(UPDATE_PRODUCT, { id: '00000000-0000-7000-8000-000000000000', input: { name: 'x' } }, brand.tokens.ADMIN);
    expect(codes(missing)).toEqual(['NOT_FOUND']);
  });

  it('adjustStock adds and removes, refuses to go below zero, and logs each change with its reason', async () => {
    const product = await createTestProduct(brand, { sku: 'CAT-ADJ', stock: 10 });
    const up = await t.gql(ADJUST_STOCK, { id: product.id, delta: 5, reason: 'Found in the back room' }, brand.tokens.ADMIN);
    expect(up.errors).toBeUndefined();
    expect(up.data.adjustStock.stock).toBe(15);
    const down = await t.gql(ADJUST_STOCK, { id: product.id, delta: -12, reason: 'Damaged in transit' }, brand.tokens.ADMIN);
    expect(down.errors).toBeUndefined();
    expect(down.data.adjustStock.stock).toBe(3);
    const movementsBefore = await count('stock_movements');
    const tooMuch = await t.gql(ADJUST_STOCK, { id: product.id, delta: -4, reason: 'Stocktake' }, brand.tokens.ADMIN);
    expect(codes(tooMuch)).toEqual(['INSUFFICIENT_STOCK']);
    expect(tooMuch.errors![0].extensions).toMatchObject({ productId: product.id, available: 3 });
    expect(await stockOf(product.id)).toBe(3);
    expect(await count('stock_movements')).toBe(movementsBefore);
    const zero = await t.gql(ADJUST_STOCK, { id: product.id, delta: 0, reason: 'Nothing' }, brand.tokens.ADMIN);
    expect(codes(zero)).toEqual(['BAD_USER_INPUT']);
    const noReason = await t.gql(ADJUST_STOCK, { id: product.id, delta: 1, reason: '  ' }, brand.tokens.ADMIN);
    expect(codes(noReason)).toEqual(['BAD_USER_INPUT']);
    expect(await stockOf(product.id)).toBe(3);

    const moves = await t.sql(
      `select delta, stock_after, reason, note, actor_type, actor_id from stock_movements
        where product_id = ? and reason = 'ADJUSTMENT' order by created_at, id`,
      [product.id],
    );
    expect(moves).toEqual([
      { delta: 5, stock_after: 15, reason: 'ADJUSTMENT', note: 'Found in the back room', actor_type: 'USER', actor_id: brand.userIds.ADMIN },
      { delta: -12, stock_after: 3, reason: 'ADJUSTMENT', note: 'Damaged in transit', actor_type: 'USER', actor_id: brand.userIds.ADMIN },
    ]);
  });
});

describe('discount codes', () => {
  let shop: TestBrand;
  let product: { id: string };

  beforeAll(async () => {
    shop = await createTestBrand(t, { prefix: 'DC' });
    product = await createTestProduct(shop, { price: 10_000, stock: 1_000 });
  });

  it('creates percent and amount codes (code normalised to upper case) and lists them newest first', async () => {
    const pct = await t.gql(CREATE_DISCOUNT, { input: { code: 'spring10', percentOff: 10 } }, shop.tokens.ADMIN);
    expect(pct.errors).toBeUndefined();
    expect(pct.data.createDiscountCode).toMatchObject({ code: 'SPRING10', percentOff: 10, amountOff: null, timesUsed: 0, active: true });
    const amt = await t.gql(
      CREATE_DISCOUNT,
      { input: { code: 'FIVE-OFF', amountOff: 500, minimumSubtotal: 2_000, usageLimit: 3 } },
      shop.tokens.ADMIN,
    );
    expect(amt.errors).toBeUndefined();
    expect(amt.data.createDiscountCode).toMatchObject({
      code: 'FIVE-OFF',
      percentOff: null,
      amountOff: { amount: 500, currency: 'EUR' },
      minimumSubtotal: { amount: 2_000 },
      usageLimit: 3,
    });
    const list = await t.gql(`query { discountCodes(first: 10) { ${DISCOUNT_FIELDS} } }`, {}, shop.tokens.VIEWER);
    expect(list.errors).toBeUndefined();
    expect(list.data.discountCodes.map((d: any) => d.code)).toEqual(['FIVE-OFF', 'SPRING10']);
    const one = await t.gql(`query { discountCodes(first: 1) { code } }`, {}, shop.tokens.VIEWER);
    expect(one.data.discountCodes).toEqual([{ code: 'FIVE-OFF' }]);
    // Another brand sees none of them.
    const elsewhere = await t.gql(`query { discountCodes { code } }`, {}, brand.tokens.VIEWER);
    expect(elsewhere.data.discountCodes.map((d: any) => d.code)).not.toContain('SPRING10');
  });

  it('needs exactly one of percentOff / amountOff, and a new code; otherwise BAD_USER_INPUT and nothing written', async () => {
    const before = await count('discount_codes', shop.id);
    const both = await t.gql(CREATE_DISCOUNT, { input: { code: 'BOTH', percentOff: 5, amountOff: 100 } }, shop.tokens.ADMIN);
    expect(codes(both)).toEqual(['BAD_USER_INPUT']);
    const neither = await t.gql(CREATE_DISCOUNT, { input: { code: 'NEITHER' } }, shop.tokens.ADMIN);
    expect(codes(neither)).toEqual(['BAD_USER_INPUT']);
    const dup = await t.gql(CREATE_DISCOUNT, { input: { code: 'Spring10', percentOff: 20 } }, shop.tokens.ADMIN);
    expect(codes(dup)).toEqual(['BAD_USER_INPUT']);
    const overHundred = await t.gql(CREATE_DISCOUNT, { input: { code: 'TOOMUCH', percentOff: 101 } }, shop.tokens.ADMIN);
    expect(codes(overHundred)).toEqual(['BAD_USER_INPUT']);
    const staff = await t.gql(CREATE_DISCOUNT, { input: { code: 'STAFFCODE', percentOff: 5 } }, shop.tokens.STAFF);
    expect(codes(staff)).toEqual(['FORBIDDEN']);
    expect(await count('discount_codes', shop.id)).toBe(before);
  });

  it('an inactive code is DISCOUNT_INVALID on quoteOrder and createOrder; reactivated, it applies again', async () => {
    const created = await t.gql(CREATE_DISCOUNT, { input: { code: 'TOGGLE15', percentOff: 15 } }, shop.tokens.ADMIN);
    const id = created.data.createDiscountCode.id;
    const input = orderInput([{ productId: product.id, quantity: 2 }], { discountCode: 'toggle15' });

    const applied = await t.gql(QUOTE, { input }, shop.tokens.VIEWER);
    expect(applied.errors).toBeUndefined();
    expect(applied.data.quoteOrder.discountTotal.amount).toBe(3_000);

    const off = await t.gql(SET_DISCOUNT_ACTIVE, { id, active: false }, shop.tokens.ADMIN);
    expect(off.errors).toBeUndefined();
    expect(off.data.setDiscountCodeActive).toEqual({ id, code: 'TOGGLE15', active: false });
    const [row] = await t.sql('select active from discount_codes where id = ?', [id]);
    expect(row.active).toBe(false);

    const refused = await t.gql(QUOTE, { input }, shop.tokens.VIEWER);
    expect(codes(refused)).toEqual(['DISCOUNT_INVALID']);
    const orders = await count('orders', shop.id);
    const stock = await stockOf(product.id);
    const order = await t.gql(CREATE_ORDER, { input }, shop.tokens.STAFF);
    expect(codes(order)).toEqual(['DISCOUNT_INVALID']);
    expect(await count('orders', shop.id)).toBe(orders);
    expect(await stockOf(product.id)).toBe(stock);

    const on = await t.gql(SET_DISCOUNT_ACTIVE, { id, active: true }, shop.tokens.ADMIN);
    expect(on.data.setDiscountCodeActive.active).toBe(true);
    const again = await t.gql(QUOTE, { input }, shop.tokens.VIEWER);
    expect(again.errors).toBeUndefined();
    expect(again.data.quoteOrder.discountTotal.amount).toBe(3_000);

    const unknown = await t.gql(SET_DISCOUNT_ACTIVE, { id: '00000000-0000-7000-8000-000000000000', active: false }, shop.tokens.ADMIN);
    expect(codes(unknown)).toEqual(['NOT_FOUND']);
  });
});

describe('brand settings, quoting and ordering', () => {
  let shop: TestBrand;
  let bag: { id: string };
  let belt: { id: string };

  beforeAll(async () => {
    shop = await createTestBrand(t, { prefix: 'BS', taxRateBps: 0, shippingFlatRate: 0 });
    bag = await createTestProduct(shop, { price: 12_345, stock: 50 });
    belt = await createTestProduct(shop, { price: 4_999, stock: 50 });
  });

  const quote = async (items: { productId: string; quantity: number }[], extra: Record<string, unknown> = {}) => {
    const res = await t.gql(QUOTE, { input: orderInput(items, extra) }, shop.tokens.VIEWER);
    expect(res.errors).toBeUndefined();
    const q = res.data.quoteOrder;
    return {
      subtotal: q.subtotal.amount,
      discount: q.discountTotal.amount,
      shipping: q.shippingTotal.amount,
      tax: q.taxTotal.amount,
      total: q.total.amount,
    };
  };

  it('updateBrandSettings (ADMIN): tax and shipping changes flow into quoteOrder', async () => {
    expect(await quote([{ productId: bag.id, quantity: 1 }])).toEqual({ subtotal: 12_345, discount: 0, shipping: 0, tax: 0, total: 12_345 });

    const res = await t.gql(
      UPDATE_BRAND,
      { input: { name: 'Renamed House', taxRateBps: 2000, shippingFlatRate: 990, freeShippingThreshold: 50_000 } },
      shop.tokens.ADMIN,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.updateBrandSettings).toMatchObject({
      id: shop.id,
      name: 'Renamed House',
      taxRateBps: 2000,
      taxInclusive: false,
      shippingFlatRate: { amount: 990, currency: 'EUR' },
      freeShippingThreshold: { amount: 50_000 },
    });
    const [row] = await t.sql('select tax_rate_bps, shipping_flat_rate, free_shipping_threshold from brands where id = ?', [shop.id]);
    expect(row).toEqual({ tax_rate_bps: 2000, shipping_flat_rate: '990', free_shipping_threshold: '50000' });

    // 20% exclusive on 12,345 = 2,469; shipping 990 below the threshold.
    expect(await quote([{ productId: bag.id, quantity: 1 }])).toEqual({
      subtotal: 12_345,
      discount: 0,
      shipping: 990,
      tax: 2_469,
      total: 12_345 + 990 + 2_469,
    });
    // 5 × 12,345 = 61,725 reaches the threshold: free shipping; tax 12,345.
    expect(await quote([{ productId: bag.id, quantity: 5 }])).toEqual({
      subtotal: 61_725,
      discount: 0,
      shipping: 0,
      tax: 12_345,
      total: 61_725 + 12_345,
    });

    const inclusive = await t.gql(UPDATE_BRAND, { input: { taxInclusive: true } }, shop.tokens.ADMIN);
    expect(inclusive.data.updateBrandSettings).toMatchObject({ taxInclusive: true, taxRateBps: 2000 });
    // Inclusive: 12,345 × 2000 / 12000 = 2,057.5 → 2,058 contained; the total is not increased by it.
    expect(await quote([{ productId: bag.id, quantity: 1 }])).toEqual({
      subtotal: 12_345,
      discount: 0,
      shipping: 990,
      tax: 2_058,
      total: 12_345 + 990,
    });

    const bad = await t.gql(UPDATE_BRAND, { input: { taxRateBps: 10_001 } }, shop.tokens.ADMIN);
    expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
    expect(bad.errors![0].extensions!.field).toBe('input.taxRateBps');
    const staff = await t.gql(UPDATE_BRAND, { input: { taxRateBps: 0 } }, shop.tokens.STAFF);
    expect(codes(staff)).toEqual(['FORBIDDEN']);
    const [after] = await t.sql('select tax_rate_bps, tax_inclusive from brands where id = ?', [shop.id]);
    expect(after).toEqual({ tax_rate_bps: 2000, tax_inclusive: true });

    // Back to exclusive tax for the next test.
    await t.gql(UPDATE_BRAND, { input: { taxInclusive: false } }, shop.tokens.ADMIN);
  });

  it('quoteOrder writes nothing and equals the totals createOrder then charges', async () => {
    const code = await t.gql(CREATE_DISCOUNT, { input: { code: 'QUOTE7', percentOff: 7, usageLimit: 5 } }, shop.tokens.ADMIN);
    expect(code.errors).toBeUndefined();
    const items = [
      { productId: bag.id, quantity: 2 },
      { productId: belt.id, quantity: 3 },
    ];
    const extra = { discountCode: 'quote7', note: 'quoted first' };

    const tables = ['orders', 'order_items', 'order_status_changes', 'stock_movements', 'idempotency_keys', 'discount_codes', 'products'];
    const state = async () => ({
      counts: await Promise.all(tables.map((table) => count(table, shop.id))),
      stock: [await stockOf(bag.id), await stockOf(belt.id)],
      seq: (await t.sql('select last_order_seq from brands where id = ?', [shop.id]))[0].last_order_seq,
      used: (await t.sql(`select times_used from discount_codes where brand_id = ? and code = 'QUOTE7'`, [shop.id]))[0].times_used,
    });
    const before = await state();
    const quoted = await quote(items, extra);
    const quotedAgain = await quote(items, extra);
    expect(quotedAgain).toEqual(quoted);
    expect(await state()).toEqual(before);

    // subtotal 2×12,345 + 3×4,999 = 39,687; 7% = 2,778.09 → 2,778; base 36,909; tax 20% = 7,381.8 → 7,382; shipping 990.
    expect(quoted).toEqual({ subtotal: 39_687, discount: 2_778, shipping: 990, tax: 7_382, total: 36_909 + 990 + 7_382 });

    const created = await t.gql(CREATE_ORDER, { input: orderInput(items, extra) }, shop.tokens.STAFF);
    expect(created.errors).toBeUndefined();
    const order = created.data.createOrder;
    expect({
      subtotal: order.subtotal.amount,
      discount: order.discountTotal.amount,
      shipping: order.shippingTotal.amount,
      tax: order.taxTotal.amount,
      total: order.total.amount,
    }).toEqual(quoted);
    expect(order.discountCode).toBe('QUOTE7');
    const after = await state();
    expect(after.seq).toBe(before.seq + 1);
    expect(after.used).toBe(before.used + 1);
    expect(after.stock).toEqual([before.stock[0] - 2, before.stock[1] - 3]);
  });

  it('quoteOrder needs a signed-in viewer and refuses bad input', async () => {
    const anonymous = await t.gql(QUOTE, { input: orderInput([{ productId: bag.id, quantity: 1 }]) });
    expect(codes(anonymous)).toEqual(['UNAUTHENTICATED']);
    const empty = await t.gql(QUOTE, { input: orderInput([]) }, shop.tokens.VIEWER);
    expect(codes(empty)).toEqual(['BAD_USER_INPUT']);
    const negative = await t.gql(QUOTE, { input: orderInput([{ productId: bag.id, quantity: -1 }]) }, shop.tokens.VIEWER);
    expect(codes(negative)).toEqual(['BAD_USER_INPUT']);
    const unknownCode = await t.gql(QUOTE, { input: orderInput([{ productId: bag.id, quantity: 1 }], { discountCode: 'NOPE' }) }, shop.tokens.VIEWER);
    expect(codes(unknownCode)).toEqual(['DISCOUNT_INVALID']);
  });
});

describe('viewer, login and logout', () => {
  it.each(['OWNER', 'ADMIN', 'STAFF', 'VIEWER'] as const)('viewer as %s names the actor, the brand and the role', async (role) => {
    const res = await t.gql(VIEWER, {}, brand.tokens[role]);
    expect(res.errors).toBeUndefined();
    expect(res.data.viewer).toMatchObject({
      actor: { type: 'USER', id: brand.userIds[role] },
      brand: { id: brand.id, slug: brand.slug, currency: 'EUR', orderNumberPrefix: 'CT' },
      role,
      scopes: [],
    });
    expect(res.data.viewer.actor.label).toBeTruthy();
  });

  it("the viewer's brand is read in the credential's statement, through aliases and fragments, as stored", async () => {
    const query = `query { me: viewer { ...Me } } fragment Me on Viewer { role brand { ...B } } fragment B on Brand { ${BRAND_FIELDS} }`;
    const { result, statements } = await t.countQueries(() => t.gql(query, {}, brand.tokens.STAFF));
    expect(result.errors).toBeUndefined();
    expect(statements).toHaveLength(1);
    const [row] = await t.sql('select * from brands where id = ?', [brand.id]);
    expect(result.data.me.brand).toEqual({
      id: brand.id,
      slug: row.slug,
      name: row.name,
      currency: row.currency,
      orderNumberPrefix: row.order_number_prefix,
      taxRateBps: row.tax_rate_bps,
      taxInclusive: row.tax_inclusive,
      shippingFlatRate: { amount: Number(row.shipping_flat_rate), currency: row.currency },
      freeShippingThreshold: row.free_shipping_threshold === null ? null : { amount: Number(row.free_shipping_threshold) },
    });
  });

  it('viewer without a token, or with a made-up one, is UNAUTHENTICATED', async () => {
    expect(codes(await t.gql(VIEWER))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await t.gql(VIEWER, {}, 'not-a-real-token'))).toEqual(['UNAUTHENTICATED']);
  });

  it('login (email case-insensitive) gives a working session; logout revokes only that session', async () => {
    const email = `STAFF@${brand.slug.toUpperCase()}.TEST`;
    const sessions = await t.sql('select count(*)::int as n from sessions');
    const res = await t.gql(LOGIN, { email, password: PASSWORD });
    expect(res.errors).toBeUndefined();
    const session = res.data.login;
    expect(session.token).toEqual(expect.any(String));
    expect(new Date(session.expiresAt).getTime()).toBeGreaterThan(Date.now());
    expect(session.viewer).toEqual({ actor: { type: 'USER', id: brand.userIds.STAFF }, role: 'STAFF', brand: { id: brand.id } });
    expect((await t.sql('select count(*)::int as n from sessions'))[0].n).toBe(sessions[0].n + 1);

    const me = await t.gql(VIEWER, {}, session.token);
    expect(me.data.viewer.role).toBe('STAFF');

    const out = await t.gql(`mutation { logout }`, {}, session.token);
    expect(out.errors).toBeUndefined();
    expect(out.data.logout).toBe(true);
    expect(codes(await t.gql(VIEWER, {}, session.token))).toEqual(['UNAUTHENTICATED']);
    // The harness's own STAFF session is untouched.
    expect((await t.gql(VIEWER, {}, brand.tokens.STAFF)).data.viewer.role).toBe('STAFF');
    expect(codes(await t.gql(`mutation { logout }`))).toEqual(['UNAUTHENTICATED']);
  });

  it('a wrong password and an unknown email get the same UNAUTHENTICATED answer and no session', async () => {
    const sessions = (await t.sql('select count(*)::int as n from sessions'))[0].n;
    const wrong = await t.gql(LOGIN, { email: `staff@${brand.slug}.test`, password: 'wrong password' });
    const unknown = await t.gql(LOGIN, { email: `nobody@${brand.slug}.test`, password: PASSWORD });
    expect(codes(wrong)).toEqual(['UNAUTHENTICATED']);
    expect(codes(unknown)).toEqual(['UNAUTHENTICATED']);
    expect(wrong.errors![0].message).toBe(unknown.errors![0].message);
    expect(wrong.data).toBeNull();
    expect((await t.sql('select count(*)::int as n from sessions'))[0].n).toBe(sessions);
  });
});

describe('Money.formatted', () => {
  const formatted = async (currency: string, amounts: number[]) => {
    const shop = await createTestBrand(t, { currency });
    const out: string[] = [];
    for (const price of amounts) {
      const product = await createTestProduct(shop, { price });
      const res = await t.gql(`query($id: ID!) { product(id: $id) { price { amount currency formatted } } }`, { id: product.id }, shop.tokens.VIEWER);
      expect(res.errors).toBeUndefined();
      expect(res.data.product.price).toMatchObject({ amount: price, currency });
      out.push(res.data.product.price.formatted);
    }
    return out;
  };

  it('EUR: "123,45 €" with a (narrow) no-break space', async () => {
    const [small, large, cents] = await formatted('EUR', [12_345, 123_456_789, 5]);
    expect(small).toMatch(/^123,45[\u00a0\u202f]€$/);
    expect(large).toMatch(/^1[\u00a0\u202f]234[\u00a0\u202f]567,89[\u00a0\u202f]€$/);
    expect(cents).toMatch(/^0,05[\u00a0\u202f]€$/);
  });

  it('JPY: whole yen, no decimals', async () => {
    const [yen, big] = await formatted('JPY', [1_234, 5]);
    expect(yen).toMatch(/^[¥￥]1,234$/);
    expect(big).toMatch(/^[¥￥]5$/);
    expect(yen).not.toMatch(/[.,]\d{2}$/);
  });

  it('USD: "$1,234.50"', async () => {
    const [usd, small] = await formatted('USD', [123_450, 7]);
    expect(usd).toBe('$1,234.50');
    expect(small).toBe('$0.07');
  });

  it('formats exactly beyond 2^31 minor units (no Int overflow, no float rounding)', async () => {
    const [huge] = await formatted('USD', [98_765_432_101]);
    expect(huge).toBe('$987,654,321.01');
  });
});

describe('health routes', () => {
  it('GET /healthz answers 200', async () => {
    const res = await fetch(`${t.url}/healthz`);
    expect(res.status).toBe(200);
  });

  it('GET /readyz answers 200 while the database answers', async () => {
    const res = await fetch(`${t.url}/readyz`);
    expect(res.status).toBe(200);
  });
});
