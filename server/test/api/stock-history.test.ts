import { CREATE_ORDER, codes, createTestBrand, createTestProduct, orderInput, startTestApp, type TestApp, type TestBrand } from '../support/harness';

/** Each product's stock history: every movement with its reason, newest first, paged, walled into the brand. */

let t: TestApp;
let brand: TestBrand;
let other: TestBrand;

const HISTORY = `query($id: ID!, $first: Int, $after: String) {
  stockMovements(productId: $id, first: $first, after: $after) {
    nodes { delta stockAfter reason note orderId orderNumber actor { type label } createdAt }
    pageInfo { hasNextPage endCursor }
  } }`;

beforeAll(async () => {
  t = await startTestApp();
  brand = await createTestBrand(t);
  other = await createTestBrand(t);
});
afterAll(() => t.close());

it('lists the initial stock, a sale, a cancellation and an adjustment with their reasons, newest first', async () => {
  const product = await createTestProduct(brand, { stock: 10 });
  const created = await t.gql(CREATE_ORDER, { input: orderInput([{ productId: product.id, quantity: 3 }]) }, brand.tokens.STAFF);
  const order = created.data.createOrder;
  await t.gql(`mutation($id: ID!) { cancelOrder(id: $id, reason: "Customer called") { id } }`, { id: order.id }, brand.tokens.STAFF);
  await t.gql(`mutation($id: ID!) { adjustStock(id: $id, delta: -2, reason: "Inventory count") { id } }`, { id: product.id }, brand.tokens.ADMIN);

  const res = await t.gql(HISTORY, { id: product.id }, brand.tokens.VIEWER);
  expect(res.errors).toBeUndefined();
  const nodes = res.data.stockMovements.nodes;
  expect(nodes.map((m: any) => [m.reason, m.delta, m.stockAfter])).toEqual([
    ['ADJUSTMENT', -2, 8],
    ['CANCELLATION', 3, 10],
    ['SALE', -3, 7],
    ['INITIAL', 10, 10],
  ]);
  expect(nodes[0].note).toBe('Inventory count');
  expect(nodes[2]).toMatchObject({ orderId: order.id, orderNumber: order.number });
  expect(nodes[0].actor.type).toBe('USER');
});

it('pages with first/after and never repeats or skips a movement', async () => {
  const product = await createTestProduct(brand, { stock: 1 });
  for (let i = 0; i < 4; i++) {
    await t.gql(`mutation($id: ID!) { adjustStock(id: $id, delta: 1, reason: "Found one") { id } }`, { id: product.id }, brand.tokens.ADMIN);
  }
  const first = await t.gql(HISTORY, { id: product.id, first: 3 }, brand.tokens.VIEWER);
  expect(first.data.stockMovements.pageInfo.hasNextPage).toBe(true);
  const rest = await t.gql(HISTORY, { id: product.id, first: 3, after: first.data.stockMovements.pageInfo.endCursor }, brand.tokens.VIEWER);
  expect(rest.data.stockMovements.pageInfo.hasNextPage).toBe(false);
  const all = [...first.data.stockMovements.nodes, ...rest.data.stockMovements.nodes].map((m: any) => m.stockAfter);
  expect(all).toEqual([5, 4, 3, 2, 1]);
});

it('shows nothing of another brand’s product, and refuses a broken cursor or an oversized page', async () => {
  const theirs = await createTestProduct(other, { stock: 5 });
  const res = await t.gql(HISTORY, { id: theirs.id }, brand.tokens.OWNER);
  expect(res.data.stockMovements.nodes).toEqual([]);
  expect(codes(await t.gql(HISTORY, { id: theirs.id, after: 'nope' }, brand.tokens.OWNER))).toEqual(['BAD_USER_INPUT']);
  expect(codes(await t.gql(HISTORY, { id: theirs.id, first: 101 }, brand.tokens.OWNER))).toEqual(['BAD_USER_INPUT']);
  expect(codes(await t.gql(HISTORY, { id: theirs.id }, null))).toEqual(['UNAUTHENTICATED']);
});
