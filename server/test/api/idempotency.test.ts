import { CREATE_ORDER, codes, createTestBrand, createTestProduct, orderInput, startTestApp, type TestApp, type TestBrand } from '../support/harness';

let t: TestApp;
let brand: TestBrand;

beforeAll(async () => {
  t = await startTestApp();
  brand = await createTestBrand(t);
});
afterAll(() => t.close());

const count = async (table: string) => (await t.sql(`select count(*)::int as n from ${table}`))[0].n;

describe('idempotency keys', () => {
  it('replays createOrder: same key and input return the first order and write nothing more', async () => {
    const product = await createTestProduct(brand, { stock: 5 });
    const input = orderInput([{ productId: product.id, quantity: 2 }]);
    const first = await t.gql(CREATE_ORDER, { input, key: 'order-abc' }, brand.tokens.STAFF);
    const ordersAfterFirst = await count('orders');
    const again = await t.gql(CREATE_ORDER, { input, key: 'order-abc' }, brand.tokens.STAFF);
    expect(again.data.createOrder.id).toBe(first.data.createOrder.id);
    expect(again.data.createOrder.number).toBe(first.data.createOrder.number);
    expect(await count('orders')).toBe(ordersAfterFirst);
    const [row] = await t.sql('select stock from products where id = ?', [product.id]);
    expect(row.stock).toBe(3);
  });

  it('answers IDEMPOTENCY_CONFLICT for the same key with other input, writing nothing', async () => {
    const product = await createTestProduct(brand, { stock: 5 });
    await t.gql(CREATE_ORDER, { input: orderInput([{ productId: product.id, quantity: 1 }]), key: 'k-conflict' }, brand.tokens.STAFF);
    const before = await count('orders');
    const other = await t.gql(
      CREATE_ORDER,
      { input: orderInput([{ productId: product.id, quantity: 2 }]), key: 'k-conflict' },
      brand.tokens.STAFF,
    );
    expect(codes(other)).toEqual(['IDEMPOTENCY_CONFLICT']);
    expect(await count('orders')).toBe(before);
  });

  it('creates one order for 30 concurrent retries with one key', async () => {
    const product = await createTestProduct(brand, { stock: 100 });
    const input = orderInput([{ productId: product.id, quantity: 1 }]);
    const results = await Promise.all(
      Array.from({ length: 30 }, () => t.gql(CREATE_ORDER, { input, key: 'burst-1' }, brand.tokens.STAFF)),
    );
    const ids = new Set(results.map((r) => r.data?.createOrder?.id));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toEqual(expect.any(String));
    const [row] = await t.sql('select stock from products where id = ?', [product.id]);
    expect(row.stock).toBe(99);
  });

  it('replays cancelOrder: a retried cancel returns the order and restocks once', async () => {
    const product = await createTestProduct(brand, { stock: 4 });
    const created = await t.gql(CREATE_ORDER, { input: orderInput([{ productId: product.id, quantity: 3 }]) }, brand.tokens.STAFF);
    const CANCEL = `mutation($id: ID!, $key: String) { cancelOrder(id: $id, reason: "Customer asked", idempotencyKey: $key) { id status } }`;
    const vars = { id: created.data.createOrder.id, key: 'cancel-1' };
    const [a, b] = await Promise.all([t.gql(CANCEL, vars, brand.tokens.STAFF), t.gql(CANCEL, vars, brand.tokens.STAFF)]);
    expect(a.data.cancelOrder.status).toBe('CANCELLED');
    expect(b.data.cancelOrder.status).toBe('CANCELLED');
    const [row] = await t.sql('select stock from products where id = ?', [product.id]);
    expect(row.stock).toBe(4);
    const third = await t.gql(CANCEL, { id: vars.id, key: 'cancel-2' }, brand.tokens.STAFF);
    expect(codes(third)).toEqual(['INVALID_TRANSITION']);
  });

  it('scopes keys per brand: another brand may use the same key', async () => {
    const other = await createTestBrand(t);
    const mine = await createTestProduct(brand, { stock: 5 });
    const theirs = await createTestProduct(other, { stock: 5 });
    const a = await t.gql(CREATE_ORDER, { input: orderInput([{ productId: mine.id, quantity: 1 }]), key: 'shared' }, brand.tokens.STAFF);
    const b = await t.gql(CREATE_ORDER, { input: orderInput([{ productId: theirs.id, quantity: 1 }]), key: 'shared' }, other.tokens.STAFF);
    expect(a.data.createOrder.id).not.toBe(b.data.createOrder.id);
  });
});
