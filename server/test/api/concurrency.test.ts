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

  it('writes a burst of one brand\'s creates, some refused for stock, each order whole and on its own', async () => {
    // A brand of its own, so that every order, audit entry and timeline entry of it below is this burst's.
    const burst = await createTestBrand(t, { prefix: 'GB' });
    const plenty = await createTestProduct(burst, { stock: 1000 });
    const scarce = await createTestProduct(burst, { stock: 12 });
    // Refused and accepted orders interleave, racing for the same numbering row; two actors take turns.
    const roles = ['OWNER', 'STAFF'] as const;
    const attempts = Array.from({ length: 80 }, (_, i) => ({
      product: i % 2 === 0 ? scarce : plenty,
      role: roles[Math.floor(i / 2) % 2],
    }));
    const results = await Promise.all(
      attempts.map(({ product, role }) =>
        t.gql(CREATE_ORDER, { input: orderInput([{ productId: product.id, quantity: 1 }]) }, burst.tokens[role]),
      ),
    );
    const accepted = attempts.map((a, i) => ({ ...a, order: results[i].data?.createOrder })).filter((a) => a.order);
    const refused = results.filter((r) => !r.data?.createOrder);
    expect(accepted).toHaveLength(52);
    expect(refused.map(codes)).toEqual(Array.from({ length: 28 }, () => ['INSUFFICIENT_STOCK']));

    const seqs = accepted.map((a) => Number(a.order.number.split('-')[1])).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 52 }, (_, i) => i + 1));
    const [counters] = await t.sql('select last_order_seq, order_count from brands where id = ?', [burst.id]);
    expect(counters).toEqual({ last_order_seq: 52, order_count: 52 });
    const stock = await t.sql('select id, stock from products where id in (?, ?)', [plenty.id, scarce.id]);
    expect(Object.fromEntries(stock.map((p) => [p.id, p.stock]))).toEqual({ [plenty.id]: 960, [scarce.id]: 0 });

    const audits = await t.sql(
      "select target_id, actor_id, request_id, changes->'after'->>'number' as number from audit_log where brand_id = ? and action = 'order.create'",
      [burst.id],
    );
    const timeline = await t.sql('select order_id, actor_id from order_status_changes where brand_id = ?', [burst.id]);
    expect(audits).toHaveLength(52);
    expect(timeline).toHaveLength(52);
    expect(new Set(audits.map((a) => a.request_id)).size).toBe(52);
    for (const { order, role } of accepted) {
      expect(audits.filter((a) => a.target_id === order.id)).toEqual([
        expect.objectContaining({ actor_id: burst.userIds[role], number: order.number }),
      ]);
      expect(timeline.filter((h) => h.order_id === order.id)).toEqual([{ order_id: order.id, actor_id: burst.userIds[role] }]);
    }
  });

  it('keeps two brands\' numbering independent', async () => {
    const other = await createTestBrand(t, { prefix: 'OB' });
    const product = await createTestProduct(other, { stock: 10 });
    const res = await t.gql(CREATE_ORDER, { input: orderInput([{ productId: product.id, quantity: 1 }]) }, other.tokens.STAFF);
    expect(res.data.createOrder.number).toBe('OB-000001');
  });
});
