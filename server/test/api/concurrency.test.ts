import { CREATE_ORDER, codes, createTestBrand, createTestProduct, orderInput, startTestApp, type TestApp, type TestBrand } from '../support/harness';

let t: TestApp;
let brand: TestBrand;

beforeAll(async () => {
  t = await startTestApp();
  brand = await createTestBrand(t, { prefix: 'RC' });
});
afterAll(() => t.close());

describe('under concurrency', () => {
  it('sells exactly the stock: 60 concurrent createOrder calls for 10 units', async () => {
    const product = await createTestProduct(brand, { stock: 10 });
    const attempts = await Promise.all(
      Array.from({ length: 60 }, () =>
        t.gql(CREATE_ORDER, { input: orderInput([{ productId: product.id, quantity: 1 }]) }, brand.tokens.STAFF),
      ),
    );
    const sold = attempts.filter((r) => r.data?.createOrder);
    const refused = attempts.filter((r) => codes(r).includes('INSUFFICIENT_STOCK'));
    expect(sold).toHaveLength(10);
    expect(refused).toHaveLength(50);
    expect(refused[0].errors![0].extensions).toMatchObject({ productId: product.id, available: 0, requested: 1 });
    const [row] = await t.sql('select stock from products where id = ?', [product.id]);
    expect(row.stock).toBe(0);
    const [moves] = await t.sql(
      "select count(*)::int as n, sum(delta)::int as total from stock_movements where product_id = ? and reason = 'SALE'",
      [product.id],
    );
    expect(moves).toEqual({ n: 10, total: -10 });
  });

  it('numbers concurrent orders of one brand without duplicates or gaps', async () => {
    const product = await createTestProduct(brand, { stock: 1000 });
    const [{ before }] = await t.sql('select last_order_seq as before from brands where id = ?', [brand.id]);
    const results = await Promise.all(
      Array.from({ length: 40 }, () =>
        t.gql(CREATE_ORDER, { input: orderInput([{ productId: product.id, quantity: 1 }]) }, brand.tokens.STAFF),
      ),
    );
    const numbers = results.map((r) => r.data.createOrder.number as string);
    expect(new Set(numbers).size).toBe(40);
    const seqs = numbers.map((n) => Number(n.split('-')[1])).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 40 }, (_, i) => before + 1 + i));
  });

  it('keeps two brands\' numbering independent', async () => {
    const other = await createTestBrand(t, { prefix: 'OB' });
    const product = await createTestProduct(other, { stock: 10 });
    const res = await t.gql(CREATE_ORDER, { input: orderInput([{ productId: product.id, quantity: 1 }]) }, other.tokens.STAFF);
    expect(res.data.createOrder.number).toBe('OB-000001');
  });
});
