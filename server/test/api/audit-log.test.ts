import { createApiKeyForBrand } from '../../src/api-keys/api-key.service';
import { createBrand } from '../../src/brands/brand.service';
import { markOrderPaid } from '../../src/orders/order.service';
import { checkoutSession, deliver, stripeEvent, stripeId, STRIPE_ENV } from '../support/stripe';
import {
  codes,
  CREATE_ORDER,
  createTestBrand,
  createTestProduct,
  orderInput,
  PASSWORD,
  startTestApp,
  type TestApp,
  type TestBrand,
} from '../support/harness';

let t: TestApp;
let brand: TestBrand;
let other: TestBrand;

beforeAll(async () => {
  t = await startTestApp(STRIPE_ENV);
  brand = await createTestBrand(t);
  other = await createTestBrand(t);
});
afterAll(() => t.close());

const AUDIT_LOG = `query($first: Int, $after: String, $filter: AuditLogFilterInput) {
  auditLog(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id action actor { type id label } targetType targetId changes requestId clientAddress createdAt } } }`;

interface Entry {
  action: string;
  actor: { type: string; id: string | null; label: string };
  targetType: string;
  targetId: string | null;
  changes: { before: Record<string, unknown> | null; after: Record<string, unknown> | null };
  requestId: string | null;
  clientAddress: string | null;
}

/** Every entry of the brand's log (straight from the table, so the API under test is not trusted for the count). */
async function entriesOf(brandId: string, where = '', params: unknown[] = []): Promise<Entry[]> {
  const rows = await t.sql(
    `select action, actor_type, actor_id, actor_label, target_type, target_id, changes, request_id, client_address
       from audit_log where brand_id = ? ${where} order by created_at, id`,
    [brandId, ...params],
  );
  return rows.map((r: any) => ({
    action: r.action,
    actor: { type: r.actor_type, id: r.actor_id, label: r.actor_label },
    targetType: r.target_type,
    targetId: r.target_id,
    changes: typeof r.changes === 'string' ? JSON.parse(r.changes) : r.changes,
    requestId: r.request_id,
    clientAddress: r.client_address,
  }));
}

async function createOrder(token: string, productId: string, extra: Record<string, unknown> = {}) {
  const res = await t.gql(CREATE_ORDER, { input: orderInput([{ productId, quantity: 1 }], extra) }, token);
  expect(res.errors).toBeUndefined();
  return res.data.createOrder as { id: string; number: string };
}

describe('every mutation writes one entry with its actor, target and what changed', () => {
  it('order use cases by a dashboard user', async () => {
    const product = await createTestProduct(brand, { stock: 50 });
    const token = brand.tokens.STAFF;
    const order = await createOrder(token, product.id);
    const calls: [string, string, Record<string, unknown>][] = [
      ['order.update', `mutation($id: ID!) { updateOrder(id: $id, input: { customer: { email: "new@example.com", name: "New Name" } }) { id } }`, {}],
      ['order.addNote', `mutation($id: ID!) { addOrderNote(id: $id, note: "Called the customer") { id } }`, {}],
      ['order.markPaid', `mutation($id: ID!) { markOrderPaid(id: $id) { id } }`, {}],
      ['order.updateStatus', `mutation($id: ID!) { updateOrderStatus(id: $id, status: PROCESSING) { id } }`, {}],
      ['order.cancel', `mutation($id: ID!) { cancelOrder(id: $id, reason: "Customer asked") { id } }`, {}],
    ];
    for (const [, query, variables] of calls) {
      const res = await t.gql(query, { id: order.id, ...variables }, token);
      expect(res.errors).toBeUndefined();
    }
    const entries = await entriesOf(brand.id, 'and target_id = ?', [order.id]);
    expect(entries.map((e) => e.action)).toEqual(['order.create', ...calls.map(([action]) => action)]);
    for (const entry of entries) {
      expect(entry.actor).toEqual({ type: 'USER', id: brand.userIds.STAFF, label: expect.any(String) });
      expect(entry.targetType).toBe('ORDER');
      expect(entry.requestId).toMatch(/\S/);
      expect(entry.clientAddress).toMatch(/127\.0\.0\.1/);
    }
    const [created, updated, noted, paid, processing, cancelled] = entries;
    expect(created.changes.before).toBeNull();
    expect(created.changes.after).toMatchObject({ number: order.number, status: 'PENDING', paymentStatus: 'AWAITING_PAYMENT' });
    // Personal data never enters the log: the entry says the customer changed, not to what.
    expect(updated.changes).toEqual({
      before: { customerEmail: '[personal data]', customerName: '[personal data]' },
      after: { customerEmail: '[personal data]', customerName: '[personal data]' },
    });
    expect(JSON.stringify(entries)).not.toMatch(/new@example\.com|New Name|client@example\.com|Client Name|Called the customer/);
    expect(noted.changes.after).toEqual({ timelineEntryId: expect.any(String) });
    expect(processing.changes).toEqual({ before: { status: 'PENDING' }, after: { status: 'PROCESSING' } });
    expect(paid.changes).toEqual({ before: { paymentStatus: 'AWAITING_PAYMENT' }, after: { paymentStatus: 'PAID' } });
    expect(cancelled.changes).toEqual({ before: { status: 'PROCESSING', restock: null }, after: { status: 'CANCELLED', restock: true } });
  });

  it('deleting an order keeps its entries and adds one', async () => {
    const product = await createTestProduct(brand);
    const order = await createOrder(brand.tokens.STAFF, product.id);
    const res = await t.gql(`mutation($id: ID!) { deleteOrder(id: $id) }`, { id: order.id }, brand.tokens.ADMIN);
    expect(res.errors).toBeUndefined();
    const entries = await entriesOf(brand.id, 'and target_id = ?', [order.id]);
    expect(entries.map((e) => e.action)).toEqual(['order.create', 'order.delete']);
    expect(entries[1].changes.after).toBeNull();
    expect(entries[1].changes.before).toMatchObject({ number: order.number });
    const read = await t.gql(AUDIT_LOG, { filter: { targetId: order.id } }, brand.tokens.ADMIN);
    expect(read.data.auditLog.nodes.map((n: Entry) => n.action)).toEqual(['order.delete', 'order.create']);
  });

  it('catalog, discount codes, brand settings, API keys and sessions', async () => {
    const token = brand.tokens.ADMIN;
    const created = await t.gql(`mutation { createProduct(input: { sku: "AUD-1", name: "Audited", price: 1200, stock: 3 }) { id } }`, {}, token);
    const productId = created.data.createProduct.id;
    await t.gql(`mutation($id: ID!) { updateProduct(id: $id, input: { price: 1500 }) { id } }`, { id: productId }, token);
    await t.gql(`mutation($id: ID!) { adjustStock(id: $id, delta: 4, reason: "Recount") { id } }`, { id: productId }, token);
    const code = await t.gql(`mutation { createDiscountCode(input: { code: "AUDIT10", percentOff: 10 }) { id } }`, {}, token);
    const codeId = code.data.createDiscountCode.id;
    await t.gql(`mutation($id: ID!) { setDiscountCodeActive(id: $id, active: false) { id } }`, { id: codeId }, token);
    await t.gql(`mutation { updateBrandSettings(input: { taxRateBps: 550 }) { id } }`, {}, token);
    const key = await t.gql(`mutation { createApiKey(input: { name: "ERP", scopes: ["orders:read"] }) { apiKey { id } } }`, {}, token);
    const keyId = key.data.createApiKey.apiKey.id;
    await t.gql(`mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, { id: keyId }, token);
    const login = await t.gql(`mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }`, {
      e: `viewer@${brand.slug}.test`,
      p: PASSWORD,
    });
    await t.gql(`mutation { logout }`, {}, login.data.login.token);

    const byTarget = async (id: string) => (await entriesOf(brand.id, 'and target_id = ?', [id])).map((e) => [e.action, e.changes]);
    expect(await byTarget(productId)).toEqual([
      ['product.create', { before: null, after: { sku: 'AUD-1', name: 'Audited', price: 1200, stock: 3, active: true } }],
      ['product.update', { before: { price: 1200 }, after: { price: 1500 } }],
      ['product.adjustStock', { before: { stock: 3 }, after: { stock: 7 } }],
    ]);
    expect((await byTarget(codeId)).map(([action]) => action)).toEqual(['discountCode.create', 'discountCode.setActive']);
    expect((await byTarget(codeId))[1][1]).toEqual({ before: { active: true }, after: { active: false } });
    expect((await byTarget(brand.id)).slice(1)).toEqual([['brand.updateSettings', { before: { taxRateBps: 0 }, after: { taxRateBps: 550 } }]]);
    expect((await byTarget(keyId)).map(([action]) => action)).toEqual(['apiKey.create', 'apiKey.revoke']);
    const sessions = await entriesOf(brand.id, "and target_type = 'SESSION' and actor_id = ?", [brand.userIds.VIEWER]);
    expect(sessions.map((e) => e.action).slice(-2)).toEqual(['session.login', 'session.logout']);
    expect(sessions[sessions.length - 2].clientAddress).toMatch(/127\.0\.0\.1/);
  });
});

describe('every actor type', () => {
  it('an API key is the actor of what it does, named by the key', async () => {
    const product = await createTestProduct(brand);
    const { apiKey, secret } = await createApiKeyForBrand(t.orm.em.fork() as any, {
      brandSlug: brand.slug,
      name: 'Marketplace sync',
      scopes: ['orders:write'],
    });
    const order = await createOrder(secret, product.id);
    const [entry] = await entriesOf(brand.id, 'and target_id = ?', [order.id]);
    expect(entry.actor).toEqual({ type: 'API_KEY', id: apiKey.id, label: 'Marketplace sync' });
    // The key itself was made by the operator's CLI: a SYSTEM actor.
    const [minted] = await entriesOf(brand.id, 'and target_id = ?', [apiKey.id]);
    expect(minted).toMatchObject({ action: 'apiKey.create', actor: { type: 'SYSTEM', id: null, label: 'Operator CLI' } });
  });

  it('the CLI creating a brand is a SYSTEM entry of that brand', async () => {
    const created = await createBrand(t.orm.em.fork() as any, { slug: `audit-cli-${Date.now()}`, name: 'CLI Brand', currency: 'USD' });
    const entries = await entriesOf(created.id);
    expect(entries).toEqual([expect.objectContaining({ action: 'brand.create', actor: { type: 'SYSTEM', id: null, label: 'Operator CLI' } })]);
  });

  it('Stripe is the actor of a checkout that creates and pays an order, in the delivery', async () => {
    const product = await createTestProduct(brand, { price: 2500 });
    const orderRef = `ref-${stripeId('x')}`;
    const session = checkoutSession({
      brandId: brand.id,
      orderRef,
      items: [{ productId: product.id, quantity: 2, unitPrice: 2500 }],
      paymentIntent: stripeId('pi'),
    });
    const event = stripeEvent('checkout.session.completed', session);
    const res = await deliver(t.url, event);
    expect(res.body).toMatchObject({ outcome: 'PROCESSED' });
    const [order] = await t.sql('select id from orders where brand_id = ? and checkout_ref = ?', [brand.id, orderRef]);
    const entries = await entriesOf(brand.id, 'and target_id = ?', [order.id]);
    expect(entries.map((e) => e.action)).toEqual(['order.create', 'order.paymentSucceeded']);
    for (const entry of entries) expect(entry.actor).toEqual({ type: 'STRIPE', id: event.id, label: expect.stringMatching(/Stripe/) });
  });
});

describe('same transaction', () => {
  it('a mutation that rolls back after reserving stock leaves no entry', async () => {
    const plenty = await createTestProduct(brand, { stock: 10 });
    const scarce = await createTestProduct(brand, { stock: 1 });
    const before = await t.sql('select count(*)::int as n from audit_log');
    const res = await t.gql(
      CREATE_ORDER,
      { input: orderInput([{ productId: plenty.id, quantity: 2 }, { productId: scarce.id, quantity: 5 }]) },
      brand.tokens.STAFF,
    );
    expect(codes(res)).toEqual(['INSUFFICIENT_STOCK']);
    expect(await t.sql('select count(*)::int as n from audit_log')).toEqual(before);
    expect((await t.sql('select stock from products where id = ?', [plenty.id]))[0].stock).toBe(10);
  });

  it('a use case whose surrounding transaction fails after the change leaves neither the change nor its entry', async () => {
    const product = await createTestProduct(brand);
    const order = await createOrder(brand.tokens.STAFF, product.id);
    const count = (await entriesOf(brand.id, 'and target_id = ?', [order.id])).length;
    await expect(
      brand.ctx.transaction(async (tx) => {
        const paid = await markOrderPaid(tx, order.id);
        expect(paid.paymentStatus).toBe('PAID');
        throw new Error('forced failure after the change');
      }),
    ).rejects.toThrow('forced failure');
    expect((await t.sql('select payment_status from orders where id = ?', [order.id]))[0].payment_status).toBe('AWAITING_PAYMENT');
    expect(await entriesOf(brand.id, 'and target_id = ?', [order.id])).toHaveLength(count);
  });
});

describe('nothing edits or deletes the log', () => {
  it('the database refuses UPDATE, DELETE and TRUNCATE', async () => {
    const [row] = await t.sql('select id from audit_log where brand_id = ? limit 1', [brand.id]);
    await expect(t.sql(`update audit_log set action = 'x' where id = ?`, [row.id])).rejects.toThrow(/append-only/);
    await expect(t.sql('delete from audit_log where id = ?', [row.id])).rejects.toThrow(/append-only/);
    await expect(t.sql('truncate audit_log')).rejects.toThrow(/append-only/);
  });
});

describe('reading the log', () => {
  it('ADMINs page through their own brand, filtered; others are refused', async () => {
    for (const role of ['STAFF', 'VIEWER'] as const) {
      expect(codes(await t.gql(AUDIT_LOG, {}, brand.tokens[role]))).toEqual(['FORBIDDEN']);
    }
    const { secret } = await createApiKeyForBrand(t.orm.em.fork() as any, { brandSlug: brand.slug, name: 'Reader', scopes: ['orders:read'] });
    expect(codes(await t.gql(AUDIT_LOG, {}, secret))).toEqual(['FORBIDDEN']);

    const mine = await t.gql(AUDIT_LOG, { first: 100 }, brand.tokens.ADMIN);
    expect(mine.errors).toBeUndefined();
    const total = (await entriesOf(brand.id)).length;
    expect(mine.data.auditLog.totalCount).toBe(total);
    const otherTargets = (await entriesOf(other.id)).map((e) => e.targetId);
    for (const node of mine.data.auditLog.nodes) expect(otherTargets).not.toContain(node.targetId);

    let after: string | null = null;
    const seen: string[] = [];
    do {
      const page: any = await t.gql(AUDIT_LOG, { first: 7, after }, brand.tokens.ADMIN);
      seen.push(...page.data.auditLog.nodes.map((n: { id: string }) => n.id));
      after = page.data.auditLog.pageInfo.hasNextPage ? page.data.auditLog.pageInfo.endCursor : null;
    } while (after);
    expect(seen).toEqual(mine.data.auditLog.nodes.map((n: { id: string }) => n.id).slice(0, seen.length));
    expect(new Set(seen).size).toBe(total);

    const byActor = await t.gql(AUDIT_LOG, { first: 100, filter: { actorType: 'API_KEY' } }, brand.tokens.ADMIN);
    expect(byActor.data.auditLog.nodes.length).toBeGreaterThan(0);
    expect(byActor.data.auditLog.nodes.every((n: Entry) => n.actor.type === 'API_KEY')).toBe(true);
    const byAction = await t.gql(AUDIT_LOG, { first: 100, filter: { action: 'product' } }, brand.tokens.ADMIN);
    expect(new Set(byAction.data.auditLog.nodes.map((n: Entry) => n.action))).toEqual(
      new Set(['product.create', 'product.update', 'product.adjustStock']),
    );
    const future = await t.gql(AUDIT_LOG, { filter: { from: new Date(Date.now() + 86_400_000).toISOString() } }, brand.tokens.ADMIN);
    expect(future.data.auditLog.nodes).toEqual([]);
    expect(codes(await t.gql(AUDIT_LOG, { after: 'garbage' }, brand.tokens.ADMIN))).toEqual(['BAD_USER_INPUT']);
  });
});
