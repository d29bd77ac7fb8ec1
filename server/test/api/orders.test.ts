import {
  CREATE_ORDER,
  createTestBrand,
  createTestProduct,
  orderInput,
  startTestApp,
  type TestApp,
  type TestBrand,
} from '../support/harness';

let t: TestApp;
let brand: TestBrand;

beforeAll(async () => {
  t = await startTestApp();
  brand = await createTestBrand(t, { taxRateBps: 2000, shippingFlatRate: 1500, freeShippingThreshold: 50_000, prefix: 'LL' });
});
afterAll(() => t.close());

describe('createOrder', () => {
  it('prices from the catalog, reserves stock, numbers the order and starts its timeline', async () => {
    const bag = await createTestProduct(brand, { name: 'Bag', price: 12_345, stock: 5 });
    const scarf = await createTestProduct(brand, { name: 'Scarf', price: 4_999, stock: 3 });
    const res = await t.gql(
      CREATE_ORDER,
      {
        input: orderInput([
          { productId: bag.id, quantity: 2 },
          { productId: scarf.id, quantity: 1 },
        ], {
          shippingAddress: { line1: '1 rue de la Paix', city: 'Paris', postalCode: '75002', country: 'fr' },
          note: 'Gift wrap, please',
        }),
      },
      brand.tokens.STAFF,
    );
    expect(res.errors).toBeUndefined();
    const order = res.data.createOrder;
    expect(order.number).toMatch(/^LL-\d{6}$/);
    expect(order.status).toBe('PENDING');
    expect(order.paymentStatus).toBe('AWAITING_PAYMENT');
    expect(order.source).toBe('DASHBOARD');
    expect(order.subtotal.amount).toBe(2 * 12_345 + 4_999);
    // 29,689 is below the 50,000 free-shipping threshold; 20% exclusive tax on 29,689 is 5,937.8 → 5,938.
    expect(order.shippingTotal.amount).toBe(1500);
    expect(order.taxTotal.amount).toBe(5938);
    expect(order.total.amount).toBe(29_689 + 1500 + 5938);
    expect(order.items.reduce((sum: number, i: any) => sum + i.total.amount, 0) + 1500).toBe(order.total.amount);
    expect(order.shippingAddress.country).toBe('FR');
    const [line1, line2] = order.items;
    expect(line1).toMatchObject({ sku: bag.sku, name: 'Bag', quantity: 2, unitPrice: { amount: 12_345 } });
    expect(line2).toMatchObject({ productId: scarf.id, quantity: 1 });
    expect(order.statusHistory.map((h: any) => [h.kind, h.to, h.note])).toEqual([
      ['STATUS', 'PENDING', 'Order created'],
      ['NOTE', null, 'Gift wrap, please'],
    ]);
    expect(order.statusHistory[0].actor).toMatchObject({ type: 'USER', id: brand.userIds.STAFF });
    const stock = await t.sql('select id, stock from products where id in (?, ?) order by name', [bag.id, scarf.id]);
    expect(stock.map((p) => p.stock)).toEqual([3, 2]);
  });
});

describe('search', () => {
  const SEARCH = `query($q: String!) { orders(filter: { search: $q }) { totalCount nodes { id } } }`;

  it('finds an order by its new customer after updateOrder, and no longer by the old one', async () => {
    const product = await createTestProduct(brand, { sku: 'SRCH-1', name: 'Foulard Orage' });
    const created = await t.gql(
      CREATE_ORDER,
      { input: orderInput([{ productId: product.id, quantity: 1 }], { customer: { email: 'old.name@example.com', name: 'Ancien Nom' } }) },
      brand.tokens.STAFF,
    );
    const id = created.data.createOrder.id;
    const found = async (q: string) => (await t.gql(SEARCH, { q }, brand.tokens.VIEWER)).data.orders.nodes.map((n: any) => n.id);
    expect(await found('ancien')).toEqual([id]);
    expect(await found('orage')).toEqual([id]);
    await t.gql(
      `mutation($id: ID!) { updateOrder(id: $id, input: { customer: { email: "new.name@example.com", name: "Nouveau Nom" } }) { id } }`,
      { id },
      brand.tokens.STAFF,
    );
    expect(await found('NOUVEAU')).toEqual([id]);
    expect(await found('ancien')).toEqual([]);
    expect(await found('foulard orage')).toEqual([id]);
  });
});

describe('totalCount', () => {
  it('stays equal to the real number of orders through creates and deletes', async () => {
    const product = await createTestProduct(brand, { stock: 50 });
    const countOrders = async () => (await t.sql('select count(*)::int as n from orders where brand_id = ?', [brand.id]))[0].n;
    const before = await countOrders();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await t.gql(CREATE_ORDER, { input: orderInput([{ productId: product.id, quantity: 1 }]) }, brand.tokens.STAFF);
      ids.push(res.data.createOrder.id);
    }
    // The delete must have happened: a refused delete would leave the API's count and the table's count equal too.
    const deleted = await t.gql(`mutation($id: ID!) { deleteOrder(id: $id) }`, { id: ids[0] }, brand.tokens.STAFF);
    expect(deleted).toMatchObject({ data: { deleteOrder: ids[0] } });
    expect(deleted.errors).toBeUndefined();
    expect(await t.sql('select id from orders where id = ?', [ids[0]])).toEqual([]);
    const n = await countOrders();
    expect(n).toBe(before + 2);
    const res = await t.gql(`{ orders(first: 1) { totalCount } }`, {}, brand.tokens.VIEWER);
    expect(res.data.orders.totalCount).toBe(n);
    const filtered = await t.gql(`{ orders(first: 1, filter: { status: [PENDING] }) { totalCount } }`, {}, brand.tokens.VIEWER);
    const [{ p }] = await t.sql("select count(*)::int as p from orders where brand_id = ? and status = 'PENDING'", [brand.id]);
    expect(filtered.data.orders.totalCount).toBe(p);
  });
});
