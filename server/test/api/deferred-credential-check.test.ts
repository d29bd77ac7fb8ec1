import { createOrder } from '../../src/orders/order.service';
import {
  codes,
  createTestBrand,
  createTestProduct,
  orderInput,
  ridingRead,
  scopedToBrand,
  startTestApp,
  type SentStatement,
  type TestApp,
  type TestBrand,
} from '../support/harness';

/**
 * A read-only operation of a credential this instance has checked before carries the credential's check (lookup and
 * bucket charge) at the head of its first read instead of a round trip of its own (auth/deferred-credential-check.ts).
 * Whatever the credential became meanwhile — signed out, revoked, expired, another role, out of points — the next
 * request answers exactly as if nothing had been remembered.
 */
const CAPACITY = 100;
let t: TestApp;
let brand: TestBrand;

beforeAll(async () => {
  // The bucket refills at 1 point a second: a test that spends points sees what it spent.
  t = await startTestApp({ THROTTLE_CAPACITY: String(CAPACITY), THROTTLE_RESTORE_RATE: '1' });
  brand = await createTestBrand(t);
  const product = await createTestProduct(brand, { stock: 100 });
  for (let i = 0; i < 3; i++) await createOrder(brand.ctx, orderInput([{ productId: product.id, quantity: 1 }]) as any, null);
});
afterAll(() => t.close());

const PAGE = `{ orders(first: 3) { totalCount nodes { id number status nextStatuses total { formatted } items { sku } } } }`;

const post = (query: string, token: string) => t.post(query, token);

async function counted(query: string, token: string) {
  const { result, statements } = await t.countQueries(() => post(query, token));
  return { ...result, statements, riding: statements.filter((s: SentStatement) => ridingRead(s) !== null) };
}

async function newSession(role = 'STAFF'): Promise<{ token: string; userId: string }> {
  const [user] = await t.sql<{ email: string; id: string }>(`select email, id from users where brand_id = ? and role = ?`, [brand.id, role]);
  const res = await t.gql(`mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }`, {
    e: user.email,
    p: 'correct horse battery',
  });
  return { token: res.data.login.token, userId: user.id };
}

async function newKey(): Promise<{ secret: string; id: string }> {
  const res = await t.gql(
    `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id } } }`,
    { input: { name: 'deferred', scopes: ['orders:read'] } },
    brand.tokens.ADMIN,
  );
  return { secret: res.data.createApiKey.secret, id: res.data.createApiKey.apiKey.id };
}

describe('a remembered credential rides with the first read', () => {
  it('in one statement, answering exactly what the check on its own answers, its bucket charged once', async () => {
    const { token } = await newSession();
    const alone = await counted(PAGE, token);
    expect(alone.status).toBe(200);
    expect(alone.statements).toHaveLength(2);
    expect(alone.riding).toEqual([]);

    const riding = await counted(PAGE, token);
    expect(riding.status).toBe(200);
    expect(riding.statements).toHaveLength(1);
    expect(riding.riding).toHaveLength(1);
    expect(riding.body.data).toEqual(alone.body.data);
    expect(riding.body.data.orders.nodes).toHaveLength(3);
    // The status reported is the bucket's after this charge, not a placeholder: the cost spent once more (1 a second back).
    const { requestedQueryCost: cost, actualQueryCost } = alone.body.extensions.cost;
    expect(riding.body.extensions.cost).toMatchObject({ requestedQueryCost: cost, actualQueryCost });
    const before = alone.body.extensions.cost.throttleStatus.currentlyAvailable;
    const after = riding.body.extensions.cost.throttleStatus.currentlyAvailable;
    expect(before - after).toBeGreaterThanOrEqual(actualQueryCost - 2);
    expect(before - after).toBeLessThanOrEqual(actualQueryCost);
  });

  it('whatever the first read: a filtered page, a search, an order; one round trip less than alone, same answer', async () => {
    const [order] = await t.sql<{ id: string; number: string; customer_email: string }>(
      `select id, number, customer_email from orders where brand_id = ? limit 1`,
      [brand.id],
    );
    const documents = [
      `{ orders(first: 5, filter: { status: [PENDING, PROCESSING] }) { totalCount nodes { id status } } }`,
      `{ orders(first: 5, filter: { search: "${order.customer_email}" }) { nodes { id number } } }`,
      `{ order(id: "${order.id}") { id number items { sku } } }`,
      `{ orderByNumber(number: "${order.number}") { id number } }`,
    ];
    for (const document of documents) {
      const { token } = await newSession();
      const alone = await counted(document, token);
      const riding = await counted(document, token);
      expect(alone.body.errors).toBeUndefined();
      expect(riding.body.data).toEqual(alone.body.data);
      expect(alone.riding).toEqual([]);
      expect(riding.riding).toHaveLength(1);
      expect(scopedToBrand(riding.riding[0], brand.id)).toBe(true);
      expect(riding.statements).toHaveLength(alone.statements.length - 1);
    }
  });

  it('a signed-out session is refused on its very next request', async () => {
    const { token } = await newSession();
    await post(PAGE, token);
    expect((await counted(PAGE, token)).riding).toHaveLength(1);
    expect((await t.gql(`mutation { logout }`, {}, token)).errors).toBeUndefined();

    const after = await counted(PAGE, token);
    expect(codes(after.body)).toEqual(['UNAUTHENTICATED']);
    expect(after.body.data ?? null).toBeNull();
    // The rider found no credential, so the answer was made again the usual way; the next one is not deferred at all.
    expect(after.riding).toHaveLength(1);
    const next = await counted(PAGE, token);
    expect(codes(next.body)).toEqual(['UNAUTHENTICATED']);
    expect(next.riding).toEqual([]);
  });

  it('an expired session is refused on its very next request', async () => {
    const { token } = await newSession();
    await post(PAGE, token);
    await t.sql(`update sessions set expires_at = now() - interval '1 second' where token_hash = encode(sha256(?::bytea), 'hex')`, [token]);
    const after = await post(PAGE, token);
    expect(codes(after.body)).toEqual(['UNAUTHENTICATED']);
    expect(after.body.data ?? null).toBeNull();
  });

  it('a revoked API key is refused on its very next request', async () => {
    const key = await newKey();
    await post(PAGE, key.secret);
    expect((await counted(PAGE, key.secret)).riding).toHaveLength(1);
    const revoked = await t.gql(`mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, { id: key.id }, brand.tokens.ADMIN);
    expect(revoked.errors).toBeUndefined();
    const after = await post(PAGE, key.secret);
    expect(codes(after.body)).toEqual(['UNAUTHENTICATED']);
    expect(after.body.data ?? null).toBeNull();
  });

  it('a user given another role is answered with the new role at once', async () => {
    const { token, userId } = await newSession('STAFF');
    const asStaff = await post(PAGE, token);
    expect(asStaff.body.data.orders.nodes[0].nextStatuses.length).toBeGreaterThan(0);
    expect((await counted(PAGE, token)).riding).toHaveLength(1);
    await t.sql(`update users set role = 'VIEWER' where id = ?`, [userId]);
    try {
      const asViewer = await post(PAGE, token);
      expect(asViewer.status).toBe(200);
      expect(asViewer.body.data.orders.nodes.map((n: any) => n.nextStatuses)).toEqual([[], [], []]);
    } finally {
      await t.sql(`update users set role = 'STAFF' where id = ?`, [userId]);
    }
  });

  it('out of points, the answer is the same 429 as alone, and the bucket pays nothing for the refusal', async () => {
    const { token } = await newSession();
    const cost: number = (await post(PAGE, token)).body.extensions.cost.requestedQueryCost;
    const [{ key }] = await t.sql<{ key: string }>(`select key from rate_limit_buckets order by updated_at desc limit 1`);
    // 4 points short; the refill (1 a second) cannot make them up within this test's few requests.
    const left = cost - 4;
    await t.sql(`update rate_limit_buckets set available = ?, updated_at = clock_timestamp() where key = ?`, [left, key]);
    const throttled = await counted(PAGE, token);
    expect(throttled.status).toBe(429);
    expect(codes(throttled.body)).toEqual(['THROTTLED']);
    expect(throttled.body.data).toBeUndefined();
    expect(Number(throttled.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(throttled.body.extensions.cost).toMatchObject({ requestedQueryCost: cost, actualQueryCost: 0 });
    expect(throttled.riding).toHaveLength(1);
    const [bucket] = await t.sql<{ available: number }>(`select available from rate_limit_buckets where key = ?`, [key]);
    expect(bucket.available).toBeGreaterThanOrEqual(left);
    expect(bucket.available).toBeLessThan(cost);
  });

  it('a mutation never runs before its credential is checked', async () => {
    const { token } = await newSession();
    await post(PAGE, token);
    const { statements } = await t.countQueries(() =>
      t.gql(`mutation($id: ID!, $note: String!) { addOrderNote(id: $id, note: $note) { id } }`, { id: '00000000-0000-4000-8000-000000000000', note: 'x' }, token),
    );
    expect(statements.map(ridingRead)).toEqual(statements.map(() => null));
    expect(statements[0].sql).toMatch(/^with credential as/);
  });
});
