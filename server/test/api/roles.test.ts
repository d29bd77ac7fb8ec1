import { createHash, randomUUID } from 'node:crypto';
import { createOrder, markOrderPaid } from '../../src/orders/order.service';
import { createDiscountCode } from '../../src/discounts/discount.service';
import { RequestContext } from '../../src/shared/request-context';
import type { Role } from '../../src/users/user.entity';
import {
  codes,
  createTestBrand,
  createTestProduct,
  PASSWORD,
  startTestApp,
  type GraphQLResponse,
  type TestApp,
  type TestBrand,
} from '../support/harness';

/**
 * Authentication and roles: no (valid) session → UNAUTHENTICATED everywhere; VIEWER reads; STAFF and above change
 * orders; ADMIN and above manage products, discount codes and brand settings. A refused call writes nothing.
 */
let t: TestApp;
let brand: TestBrand;

const fresh = () => RequestContext.create(t.orm.em as any, brand.ctx.principal);

/** Fresh rows for one operation: a pending order, a paid one, a product and a discount code. */
async function fixture() {
  const product = await createTestProduct(brand, { price: 5_000, stock: 40 });
  const pending = await createOrder(fresh(), {
    items: [{ productId: product.id, quantity: 1 }],
    customer: { email: 'buyer@example.com' },
  });
  const paid = await createOrder(fresh(), {
    items: [{ productId: product.id, quantity: 1 }],
    customer: { email: 'buyer@example.com' },
  });
  await markOrderPaid(fresh(), paid.id);
  const discount = await createDiscountCode(fresh(), { code: `R${randomUUID().slice(0, 8)}`, percentOff: 5 });
  return { product, pending, paid, discount };
}
type Fixture = Awaited<ReturnType<typeof fixture>>;
let fx: Fixture;

const TABLES = [
  'orders',
  'order_items',
  'order_status_changes',
  'stock_movements',
  'products',
  'discount_codes',
  'idempotency_keys',
] as const;

/** Everything the brand owns, read directly from the database. */
async function snapshot() {
  const rows: Record<string, unknown[]> = {};
  for (const table of TABLES) rows[table] = await t.sql(`select * from ${table} where brand_id = ? order by id`, [brand.id]);
  rows.brands = await t.sql('select * from brands where id = ?', [brand.id]);
  rows.users = await t.sql('select * from users where brand_id = ? order by id', [brand.id]);
  return rows;
}

interface Operation {
  name: string;
  query: string;
  vars: (f: Fixture) => Record<string, unknown>;
}

const READS: Operation[] = [
  { name: 'viewer', query: `query { viewer { role brand { id } } }`, vars: () => ({}) },
  { name: 'orders', query: `query { orders(first: 5) { totalCount nodes { id nextStatuses } } }`, vars: () => ({}) },
  { name: 'order', query: `query($id: ID!) { order(id: $id) { id } }`, vars: (f) => ({ id: f.pending.id }) },
  {
    name: 'orderByNumber',
    query: `query($n: String!) { orderByNumber(number: $n) { id } }`,
    vars: (f) => ({ n: f.pending.number }),
  },
  {
    name: 'orderStats',
    query: `query($r: StatsRange!) { orderStats(range: $r) { byCurrency { orderCount } } }`,
    vars: () => ({ r: { from: '2020-01-01T00:00:00Z', to: '2030-01-01T00:00:00Z', interval: 'MONTH' } }),
  },
  { name: 'products', query: `query { products(first: 5) { totalCount nodes { id } } }`, vars: () => ({}) },
  { name: 'product', query: `query($id: ID!) { product(id: $id) { id } }`, vars: (f) => ({ id: f.product.id }) },
  {
    name: 'quoteOrder',
    query: `query($input: CreateOrderInput!) { quoteOrder(input: $input) { total { amount } } }`,
    vars: (f) => ({ input: { items: [{ productId: f.product.id, quantity: 1 }], customer: { email: 'q@example.com' } } }),
  },
  { name: 'discountCodes', query: `query { discountCodes(first: 5) { id } }`, vars: () => ({}) },
];

const ORDER_WRITES: Operation[] = [
  {
    name: 'createOrder',
    query: `mutation($input: CreateOrderInput!) { createOrder(input: $input, idempotencyKey: "roles-create") { id } }`,
    vars: (f) => ({ input: { items: [{ productId: f.product.id, quantity: 2 }], customer: { email: 'new@example.com' } } }),
  },
  {
    name: 'updateOrder',
    query: `mutation($id: ID!) { updateOrder(id: $id, input: { trackingNumber: "TRK-1" }) { id trackingNumber } }`,
    vars: (f) => ({ id: f.pending.id }),
  },
  {
    name: 'updateOrderStatus',
    query: `mutation($id: ID!) { updateOrderStatus(id: $id, status: PROCESSING) { id status } }`,
    vars: (f) => ({ id: f.paid.id }),
  },
  {
    name: 'markOrderPaid',
    query: `mutation($id: ID!) { markOrderPaid(id: $id) { id paymentStatus } }`,
    vars: (f) => ({ id: f.pending.id }),
  },
  {
    name: 'cancelOrder',
    query: `mutation($id: ID!) { cancelOrder(id: $id, reason: "customer asked", idempotencyKey: "roles-cancel") { id status } }`,
    vars: (f) => ({ id: f.pending.id }),
  },
  {
    name: 'addOrderNote',
    query: `mutation($id: ID!) { addOrderNote(id: $id, note: "called the customer") { id } }`,
    vars: (f) => ({ id: f.pending.id }),
  },
  { name: 'deleteOrder', query: `mutation($id: ID!) { deleteOrder(id: $id) }`, vars: (f) => ({ id: f.pending.id }) },
];

const ADMIN_WRITES: Operation[] = [
  {
    name: 'createProduct',
    query: `mutation($sku: String!) { createProduct(input: { sku: $sku, name: "New", price: 1000, stock: 3 }) { id } }`,
    vars: () => ({ sku: `NEW-${randomUUID().slice(0, 8)}` }),
  },
  {
    name: 'updateProduct',
    query: `mutation($id: ID!) { updateProduct(id: $id, input: { name: "Renamed", price: 1234 }) { id name } }`,
    vars: (f) => ({ id: f.product.id }),
  },
  {
    name: 'adjustStock',
    query: `mutation($id: ID!) { adjustStock(id: $id, delta: 7, reason: "recount") { id stock } }`,
    vars: (f) => ({ id: f.product.id }),
  },
  {
    name: 'createDiscountCode',
    query: `mutation($c: String!) { createDiscountCode(input: { code: $c, percentOff: 15 }) { id } }`,
    vars: () => ({ c: `NEW${randomUUID().slice(0, 8)}` }),
  },
  {
    name: 'setDiscountCodeActive',
    query: `mutation($id: ID!) { setDiscountCodeActive(id: $id, active: false) { id active } }`,
    vars: (f) => ({ id: f.discount.id }),
  },
  {
    name: 'updateBrandSettings',
    query: `mutation { updateBrandSettings(input: { name: "Renamed brand", taxRateBps: 1000 }) { id name taxRateBps } }`,
    vars: () => ({}),
  },
];

const LOGOUT: Operation = { name: 'logout', query: `mutation { logout }`, vars: () => ({}) };
const WRITES = [...ORDER_WRITES, ...ADMIN_WRITES];
const EVERYTHING = [...READS, ...WRITES, LOGOUT];

/** POST with an arbitrary Authorization header (or none). */
async function gqlWithHeader(query: string, variables: Record<string, unknown>, authorization?: string) {
  const res = await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as any;
  return { status: res.status, data: body.data, errors: body.errors } as GraphQLResponse;
}

async function login(email: string, password = PASSWORD) {
  return t.gql(`mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token expiresAt viewer { role brand { id } } } }`, {
    e: email,
    p: password,
  });
}

/** The answer's data, or null when it carries none (null data, or only null top-level fields for nullable queries). */
function revealed(res: GraphQLResponse): unknown {
  if (res.data == null) return null;
  return Object.values(res.data).every((v) => v === null) ? null : res.data;
}

const emailOf = (role: Role) => `${role.toLowerCase()}@${brand.slug}.test`;
const sessionCount = async () => (await t.sql('select count(*)::int as n from sessions'))[0].n as number;

beforeAll(async () => {
  t = await startTestApp();
  brand = await createTestBrand(t, { prefix: 'RL' });
  fx = await fixture();
});
afterAll(() => t.close());

describe('without a valid session every query and mutation answers UNAUTHENTICATED', () => {
  async function expectAllUnauthenticated(authorization: string | undefined) {
    const before = await snapshot();
    for (const op of EVERYTHING) {
      const res = await gqlWithHeader(op.query, op.vars(fx), authorization);
      expect({ op: op.name, codes: codes(res) }).toEqual({ op: op.name, codes: ['UNAUTHENTICATED'] });
      expect(res.status).not.toBe(500);
      expect(revealed(res)).toBeNull();
    }
    expect(await snapshot()).toEqual(before);
  }

  it('no Authorization header', async () => {
    await expectAllUnauthenticated(undefined);
  });

  it('a token that was never issued, and malformed headers', async () => {
    await expectAllUnauthenticated('Bearer not-a-real-token');
    await expectAllUnauthenticated(`Basic ${Buffer.from(`${emailOf('OWNER')}:${PASSWORD}`).toString('base64')}`);
    // A real token, but not sent as a bearer token.
    await expectAllUnauthenticated(brand.tokens.OWNER);
  });

  it('an expired token', async () => {
    const res = await login(emailOf('OWNER'));
    const token = res.data.login.token as string;
    expect(codes(await t.gql(`query { viewer { role } }`, {}, token))).toEqual([]);
    const hash = createHash('sha256').update(token).digest('hex');
    const updated = await t.sql(
      `update sessions set expires_at = now() - interval '1 second' where token_hash = ? returning id`,
      [hash],
    );
    expect(updated).toHaveLength(1);
    await expectAllUnauthenticated(`Bearer ${token}`);
  });

  it('logout revokes its own token, and only that one', async () => {
    const first = (await login(emailOf('ADMIN'))).data.login.token as string;
    const second = (await login(emailOf('ADMIN'))).data.login.token as string;
    const out = await t.gql(`mutation { logout }`, {}, first);
    expect(out.errors).toBeUndefined();
    expect(out.data.logout).toBe(true);
    const [row] = await t.sql('select revoked_at from sessions where token_hash = ?', [
      createHash('sha256').update(first).digest('hex'),
    ]);
    expect(row.revoked_at).not.toBeNull();
    await expectAllUnauthenticated(`Bearer ${first}`);
    // The user's other session is still signed in.
    const still = await t.gql(`query { viewer { role } }`, {}, second);
    expect(still.errors).toBeUndefined();
    expect(still.data.viewer.role).toBe('ADMIN');
  });

  it('a session whose user changed role acts with the new role at once', async () => {
    const res = await login(emailOf('ADMIN'));
    const token = res.data.login.token as string;
    const user = brand.userIds.ADMIN;
    try {
      await t.sql(`update users set role = 'VIEWER' where id = ?`, [user]);
      const before = await snapshot();
      const refused = await t.gql(ADMIN_WRITES[0].query, ADMIN_WRITES[0].vars(fx), token);
      expect(codes(refused)).toEqual(['FORBIDDEN']);
      expect(await snapshot()).toEqual(before);
    } finally {
      await t.sql(`update users set role = 'ADMIN' where id = ?`, [user]);
    }
  });
});

describe('login', () => {
  it('a wrong password and an unknown email get the same UNAUTHENTICATED answer, and no session', async () => {
    const sessions = await sessionCount();
    const wrongPassword = await login(emailOf('OWNER'), 'not the password');
    const unknownEmail = await login(`nobody@${brand.slug}.test`);
    const emptyPassword = await login(emailOf('OWNER'), '');
    for (const res of [wrongPassword, unknownEmail, emptyPassword]) {
      expect(codes(res)).toEqual(['UNAUTHENTICATED']);
      expect(res.data ?? null).toBeNull();
      expect(res.status).not.toBe(500);
    }
    expect(wrongPassword.errors![0].message).toBe(unknownEmail.errors![0].message);
    expect(wrongPassword.errors![0].message).toBe(emptyPassword.errors![0].message);
    expect(wrongPassword.errors![0].extensions).toEqual(unknownEmail.errors![0].extensions);
    // The message does not tell which of the two was wrong.
    expect(wrongPassword.errors![0].message).not.toMatch(/unknown|not found|no such|does not exist/i);
    expect(await sessionCount()).toBe(sessions);
  });

  it('the email is case-insensitive (and trimmed); the password is not', async () => {
    const res = await login(`  ${emailOf('STAFF').toUpperCase()} `);
    expect(res.errors).toBeUndefined();
    expect(res.data.login.viewer).toEqual({ role: 'STAFF', brand: { id: brand.id } });
    expect(new Date(res.data.login.expiresAt).getTime()).toBeGreaterThan(Date.now());
    const viewer = await t.gql(`query { viewer { role actor { type id } } }`, {}, res.data.login.token);
    expect(viewer.data.viewer).toEqual({ role: 'STAFF', actor: { type: 'USER', id: brand.userIds.STAFF } });
    expect(codes(await login(emailOf('STAFF'), PASSWORD.toUpperCase()))).toEqual(['UNAUTHENTICATED']);
  });
});

describe('VIEWER', () => {
  it('reads everything', async () => {
    for (const op of READS) {
      const res = await t.gql(op.query, op.vars(fx), brand.tokens.VIEWER);
      expect({ op: op.name, errors: res.errors }).toEqual({ op: op.name, errors: undefined });
    }
    const order = await t.gql(`query($id: ID!) { order(id: $id) { id } }`, { id: fx.pending.id }, brand.tokens.VIEWER);
    expect(order.data.order).toEqual({ id: fx.pending.id });
  });

  it('is FORBIDDEN every write, and nothing is written', async () => {
    const before = await snapshot();
    for (const op of WRITES) {
      const res = await t.gql(op.query, op.vars(fx), brand.tokens.VIEWER);
      expect({ op: op.name, codes: codes(res) }).toEqual({ op: op.name, codes: ['FORBIDDEN'] });
      expect(revealed(res)).toBeNull();
    }
    expect(await snapshot()).toEqual(before);
  });

  it('nextStatuses is [] for a VIEWER, not for STAFF', async () => {
    const query = `query($a: ID!, $b: ID!) { a: order(id: $a) { nextStatuses } b: order(id: $b) { nextStatuses } }`;
    const vars = { a: fx.pending.id, b: fx.paid.id };
    const asViewer = await t.gql(query, vars, brand.tokens.VIEWER);
    expect(asViewer.data).toEqual({ a: { nextStatuses: [] }, b: { nextStatuses: [] } });
    const asStaff = await t.gql(query, vars, brand.tokens.STAFF);
    expect(asStaff.data).toEqual({ a: { nextStatuses: ['CANCELLED'] }, b: { nextStatuses: ['PROCESSING', 'CANCELLED'] } });
    const list = await t.gql(`query { orders(first: 100) { nodes { nextStatuses } } }`, {}, brand.tokens.VIEWER);
    expect(list.data.orders.nodes.length).toBeGreaterThan(0);
    for (const node of list.data.orders.nodes) expect(node.nextStatuses).toEqual([]);
  });
});

describe('STAFF', () => {
  it('changes orders: every order mutation succeeds', async () => {
    for (const op of ORDER_WRITES) {
      // Each mutation on its own fresh order, so that one's effect cannot hide another's refusal.
      const f = await fixture();
      const res = await t.gql(op.query, op.vars(f), brand.tokens.STAFF);
      expect({ op: op.name, errors: res.errors }).toEqual({ op: op.name, errors: undefined });
    }
  });

  it('is FORBIDDEN product, discount and brand-settings writes, and nothing is written', async () => {
    const before = await snapshot();
    for (const op of ADMIN_WRITES) {
      const res = await t.gql(op.query, op.vars(fx), brand.tokens.STAFF);
      expect({ op: op.name, codes: codes(res) }).toEqual({ op: op.name, codes: ['FORBIDDEN'] });
      expect(res.errors![0].message).toMatch(/ADMIN/);
    }
    expect(await snapshot()).toEqual(before);
  });
});

describe.each(['ADMIN', 'OWNER'] as const)('%s', (role) => {
  it('manages products, discount codes and brand settings', async () => {
    const f = await fixture();
    const [{ stock }] = await t.sql('select stock from products where id = ?', [f.product.id]);
    const results: Record<string, any> = {};
    for (const op of ADMIN_WRITES) {
      const res = await t.gql(op.query, op.vars(f), brand.tokens[role]);
      expect({ op: op.name, errors: res.errors }).toEqual({ op: op.name, errors: undefined });
      results[op.name] = res.data[op.name];
    }
    expect(results.updateProduct.name).toBe('Renamed');
    expect(results.adjustStock.stock).toBe(stock + 7);
    expect(results.setDiscountCodeActive.active).toBe(false);
    expect(results.updateBrandSettings).toMatchObject({ name: 'Renamed brand', taxRateBps: 1000 });
    const [product] = await t.sql('select name, price, stock from products where id = ?', [f.product.id]);
    expect(product).toMatchObject({ name: 'Renamed', stock: stock + 7 });
    expect(Number(product.price)).toBe(1234);
    await t.sql('update brands set tax_rate_bps = 0 where id = ?', [brand.id]);
  });

  it('changes orders too', async () => {
    for (const op of ORDER_WRITES) {
      const f = await fixture();
      const res = await t.gql(op.query.replace(/"roles-(\w+)"/, `"roles-$1-${role}"`), op.vars(f), brand.tokens[role]);
      expect({ op: op.name, errors: res.errors }).toEqual({ op: op.name, errors: undefined });
    }
  });
});
