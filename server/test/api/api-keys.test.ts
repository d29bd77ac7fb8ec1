import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { getMetadataStorage } from 'type-graphql';
import { createApp } from '../../src/app';
import { ANY_API_KEY } from '../../src/graphql/auth-checker';
import { getSchema } from '../../src/graphql/schema';
import { loadEnv } from '../../src/env';
import { createLogger } from '../../src/logger';
import { createOrder, markOrderPaid } from '../../src/orders/order.service';
import {
  codes,
  createTestBrand,
  createTestProduct,
  orderInput,
  startTestApp,
  type GraphQLResponse,
  type TestApp,
  type TestBrand,
} from '../support/harness';

/**
 * Partner API keys over real HTTP: created by ADMINs (GraphQL) and operators (CLI), stored only as a hash, scoped,
 * revocable at once on every instance, and walled into their brand exactly like sessions.
 */
let t: TestApp;
let A: TestBrand;
let B: TestBrand;

const ALL_SCOPES = ['orders:read', 'orders:write', 'products:read', 'products:write', 'stats:read'];

const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) {
  secret apiKey { id name prefix scopes createdAt lastUsedAt revokedAt createdBy { type id label } } } }`;

async function createKey(brand: TestBrand, scopes: string[], name = `key ${scopes.join(' ')}`) {
  const res = await t.gql(CREATE_KEY, { input: { name, scopes } }, brand.tokens.ADMIN);
  expect(res.errors).toBeUndefined();
  return res.data.createApiKey as { secret: string; apiKey: { id: string; name: string; prefix: string; scopes: string[] } };
}

interface Fixture {
  productId: string;
  sku: string;
  pendingOrderId: string;
  paidOrderId: string;
  pendingNumber: string;
  email: string;
  discountCodeId: string;
  keyId: string;
}

async function arrange(brand: TestBrand, tag: string): Promise<Fixture> {
  const product = await createTestProduct(brand, { sku: `SKU-${tag}`, name: `Product ${tag}` });
  const email = `customer-${tag}@example.com`;
  const input = (n: number) => orderInput([{ productId: product.id, quantity: n }], { customer: { email, name: `Customer ${tag}` } });
  const pending = await createOrder(brand.ctx, input(1) as any, null);
  const paid = await createOrder(brand.ctx, input(2) as any, null);
  await markOrderPaid(brand.ctx, paid.id, null);
  const code = await t.gql(
    `mutation($input: CreateDiscountCodeInput!) { createDiscountCode(input: $input) { id } }`,
    { input: { code: `CODE${tag}`, percentOff: 10 } },
    brand.tokens.ADMIN,
  );
  const key = await createKey(brand, ['orders:read'], `Key of ${tag}`);
  return {
    productId: product.id,
    sku: product.sku,
    pendingOrderId: pending.id,
    paidOrderId: paid.id,
    pendingNumber: pending.number,
    email,
    discountCodeId: code.data.createDiscountCode.id,
    keyId: key.apiKey.id,
  };
}

let a: Fixture;
let b: Fixture;

beforeAll(async () => {
  t = await startTestApp();
  A = await createTestBrand(t, { prefix: 'AA' });
  B = await createTestBrand(t, { prefix: 'BB' });
  a = await arrange(A, 'alpha');
  b = await arrange(B, 'bravo');
});
afterAll(() => t.close());

describe('creating and listing keys', () => {
  it('an ADMIN gets the secret once; only its SHA-256 and public prefix are stored', async () => {
    const created = await createKey(A, ['orders:read', 'stats:read'], 'ERP sync');
    expect(created.secret).toMatch(/^lno_[A-Za-z0-9_-]{43}$/);
    expect(created.apiKey).toMatchObject({
      name: 'ERP sync',
      prefix: created.secret.slice(0, 12),
      scopes: ['orders:read', 'stats:read'],
      lastUsedAt: null,
      revokedAt: null,
      createdBy: { type: 'USER', id: A.userIds.ADMIN },
    });
    const rows = await t.sql('select * from api_keys where id = ?', [created.apiKey.id]);
    expect(JSON.stringify(rows)).not.toContain(created.secret);
    expect(JSON.stringify(rows)).not.toContain(created.secret.slice(12));

    const listed = await t.gql(`{ apiKeys { id name prefix scopes lastUsedAt } }`, {}, A.tokens.OWNER);
    expect(JSON.stringify(listed.data)).not.toContain(created.secret);
    expect(listed.data.apiKeys[0]).toMatchObject({ id: created.apiKey.id, name: 'ERP sync', lastUsedAt: null });

    await t.gql(`{ viewer { scopes } }`, {}, created.secret);
    const used = await t.gql(`{ apiKeys { id lastUsedAt } }`, {}, A.tokens.ADMIN);
    expect(used.data.apiKeys.find((k: any) => k.id === created.apiKey.id).lastUsedAt).not.toBeNull();
  });

  it('STAFF and VIEWER sessions and every API key are refused key management', async () => {
    const key = await createKey(A, ALL_SCOPES);
    for (const token of [A.tokens.STAFF, A.tokens.VIEWER, key.secret]) {
      expect(codes(await t.gql(`{ apiKeys { id } }`, {}, token))).toEqual(['FORBIDDEN']);
      expect(codes(await t.gql(CREATE_KEY, { input: { name: 'x', scopes: ['orders:read'] } }, token))).toEqual(['FORBIDDEN']);
      expect(codes(await t.gql(`mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, { id: a.keyId }, token))).toEqual(['FORBIDDEN']);
    }
  });

  it.each([
    [{ name: '', scopes: ['orders:read'] }, 'input.name'],
    [{ name: 'x'.repeat(101), scopes: ['orders:read'] }, 'input.name'],
    [{ name: 'ok', scopes: [] }, 'input.scopes'],
    [{ name: 'ok', scopes: ['orders:admin'] }, 'input.scopes.0'],
    [{ name: 'ok', scopes: ['ORDERS:READ'] }, 'input.scopes.0'],
  ])('refuses %j as BAD_USER_INPUT naming %s', async (input, field) => {
    const res = await t.gql(CREATE_KEY, { input }, A.tokens.ADMIN);
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors![0].extensions!.field).toBe(field);
  });

  it('a malformed or unknown bearer that looks like a key is simply unauthenticated', async () => {
    for (const token of ['lno_', 'lno_nope', `lno_${'A'.repeat(43)}`, `lno_${'x'.repeat(5000)}`]) {
      expect(codes(await t.gql(`{ viewer { scopes } }`, {}, token))).toEqual(['UNAUTHENTICATED']);
    }
  });

  it('the CLI creates a key and prints its secret as the last line', async () => {
    // Run asynchronously: a blocked event loop would let the test client's idle keep-alive sockets go stale.
    const cli = (...args: string[]) =>
      promisify(execFile)(process.execPath, ['-r', '@swc-node/register', 'src/cli.ts', ...args], {
        cwd: path.resolve(__dirname, '../..'),
        env: { ...process.env, DATABASE_URL: t.databaseUrl, LOG_LEVEL: 'silent' },
      }).then(
        ({ stdout, stderr }) => ({ status: 0, stdout, stderr }),
        (error) => ({ status: error.code as number, stdout: error.stdout as string, stderr: error.stderr as string }),
      );
    const result = await cli('api-keys', 'create', '--brand', A.slug, '--name', 'Accounting export', '--scopes', 'stats:read, orders:read');
    expect(result.status).toBe(0);
    const lines = result.stdout.trim().split('\n');
    const secret = lines[lines.length - 1];
    expect(secret).toMatch(/^lno_/);
    const viewer = await t.gql(`{ viewer { actor { type label } scopes role brand { id } } }`, {}, secret);
    expect(viewer.data.viewer).toEqual({
      actor: { type: 'API_KEY', label: 'Accounting export' },
      scopes: ['orders:read', 'stats:read'],
      role: null,
      brand: { id: A.id },
    });
    const listed = await t.gql(`{ apiKeys { name createdBy { type label } } }`, {}, A.tokens.ADMIN);
    expect(listed.data.apiKeys.find((k: any) => k.name === 'Accounting export').createdBy).toEqual({ type: 'SYSTEM', label: 'Operator CLI' });

    const wrong = await cli('api-keys', 'create', '--brand', A.slug, '--name', 'x', '--scopes', 'everything');
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/scopes\.0: must each be one of/);
  });
});

describe('acting with a key', () => {
  it('a change made with a key appears in the timeline as API_KEY with the key’s name', async () => {
    const key = await createKey(A, ['orders:write'], 'Marketplace bridge');
    const created = await t.gql(
      `mutation($input: CreateOrderInput!) { createOrder(input: $input) { id source statusHistory { actor { type id label } } } }`,
      { input: orderInput([{ productId: a.productId, quantity: 1 }]) },
      key.secret,
    );
    expect(created.errors).toBeUndefined();
    expect(created.data.createOrder.statusHistory[0].actor).toEqual({ type: 'API_KEY', id: key.apiKey.id, label: 'Marketplace bridge' });
    const noted = await t.gql(
      `mutation($id: ID!) { addOrderNote(id: $id, note: "picked") { statusHistory { kind actor { type label } } } }`,
      { id: created.data.createOrder.id },
      key.secret,
    );
    expect(noted.data.addOrderNote.statusHistory.at(-1)).toEqual({ kind: 'NOTE', actor: { type: 'API_KEY', label: 'Marketplace bridge' } });
  });

  it('a revoked key is refused at once, on this instance and on another one', async () => {
    const key = await createKey(A, ['orders:read']);
    const other = await createApp({ orm: t.orm, env: loadEnv({ NODE_ENV: 'test', PORT: '0', LOG_LEVEL: 'silent' }), log: createLogger('silent'), port: 0 });
    const onOther = async () => {
      const res = await fetch(`${other.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key.secret}` },
        body: JSON.stringify({ query: '{ orders(first: 1) { nodes { id } } }' }),
      });
      return (await res.json()) as GraphQLResponse;
    };
    try {
      expect((await t.gql(`{ orders(first: 1) { nodes { id } } }`, {}, key.secret)).errors).toBeUndefined();
      expect((await onOther()).errors).toBeUndefined();

      const revoked = await t.gql(`mutation($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }`, { id: key.apiKey.id }, A.tokens.ADMIN);
      expect(revoked.data.revokeApiKey.revokedAt).not.toBeNull();

      expect(codes(await t.gql(`{ orders(first: 1) { nodes { id } } }`, {}, key.secret))).toEqual(['UNAUTHENTICATED']);
      expect(codes(await onOther())).toEqual(['UNAUTHENTICATED']);
      const again = await t.gql(`mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }`, { id: key.apiKey.id }, A.tokens.ADMIN);
      expect(again.data.revokeApiKey.revokedAt).toBe(revoked.data.revokeApiKey.revokedAt);
    } finally {
      await other.stop();
    }
  });
});

/** Every root field, the least a session needs, and the scope a key needs (null: no key may use it). */
const FIELDS: { name: string; doc: string; vars: (f: Fixture) => Record<string, unknown>; role: string; scope: string | null }[] = [
  { name: 'viewer', doc: `{ viewer { actor { type } brand { id } } }`, vars: () => ({}), role: 'VIEWER', scope: 'ANY' },
  { name: 'orders', doc: `{ orders(first: 5) { nodes { id customer { email } } } }`, vars: () => ({}), role: 'VIEWER', scope: 'orders:read' },
  { name: 'order', doc: `query($id: ID!) { order(id: $id) { id customer { email } } }`, vars: (f) => ({ id: f.pendingOrderId }), role: 'VIEWER', scope: 'orders:read' },
  { name: 'orderByNumber', doc: `query($n: String!) { orderByNumber(number: $n) { id } }`, vars: (f) => ({ n: f.pendingNumber }), role: 'VIEWER', scope: 'orders:read' },
  { name: 'orderStats', doc: `{ orderStats(range: { from: "2020-01-01T00:00:00Z", to: "2020-02-01T00:00:00Z" }) { byStatus { status count } } }`, vars: () => ({}), role: 'VIEWER', scope: 'stats:read' },
  { name: 'products', doc: `{ products(first: 5) { nodes { id sku } } }`, vars: () => ({}), role: 'VIEWER', scope: 'products:read' },
  { name: 'product', doc: `query($id: ID!) { product(id: $id) { id sku } }`, vars: (f) => ({ id: f.productId }), role: 'VIEWER', scope: 'products:read' },
  { name: 'stockMovements', doc: `query($id: ID!) { stockMovements(productId: $id, first: 5) { nodes { id } } }`, vars: (f) => ({ id: f.productId }), role: 'VIEWER', scope: 'products:read' },
  { name: 'quoteOrder', doc: `query($p: ID!) { quoteOrder(input: { items: [{ productId: $p, quantity: 1 }], customer: { email: "q@example.com" } }) { total { amount } } }`, vars: (f) => ({ p: f.productId }), role: 'VIEWER', scope: 'orders:write' },
  { name: 'discountCodes', doc: `{ discountCodes(first: 5) { id code } }`, vars: () => ({}), role: 'VIEWER', scope: null },
  { name: 'webhookEvents', doc: `{ webhookEvents(first: 5) { nodes { id } } }`, vars: () => ({}), role: 'ADMIN', scope: null },
  { name: 'apiKeys', doc: `{ apiKeys { id } }`, vars: () => ({}), role: 'ADMIN', scope: null },
  { name: 'createOrder', doc: `mutation($p: ID!) { createOrder(input: { items: [{ productId: $p, quantity: 1 }], customer: { email: "n@example.com" } }) { id } }`, vars: (f) => ({ p: f.productId }), role: 'STAFF', scope: 'orders:write' },
  { name: 'updateOrder', doc: `mutation($id: ID!) { updateOrder(id: $id, input: { trackingNumber: "T1" }) { id } }`, vars: (f) => ({ id: f.pendingOrderId }), role: 'STAFF', scope: 'orders:write' },
  { name: 'updateOrderStatus', doc: `mutation($id: ID!) { updateOrderStatus(id: $id, status: PROCESSING) { id } }`, vars: (f) => ({ id: f.paidOrderId }), role: 'STAFF', scope: 'orders:write' },
  { name: 'markOrderPaid', doc: `mutation($id: ID!) { markOrderPaid(id: $id) { id } }`, vars: (f) => ({ id: f.pendingOrderId }), role: 'STAFF', scope: 'orders:write' },
  { name: 'addOrderNote', doc: `mutation($id: ID!) { addOrderNote(id: $id, note: "n") { id } }`, vars: (f) => ({ id: f.pendingOrderId }), role: 'STAFF', scope: 'orders:write' },
  { name: 'cancelOrder', doc: `mutation($id: ID!) { cancelOrder(id: $id, reason: "r") { id } }`, vars: (f) => ({ id: f.pendingOrderId }), role: 'STAFF', scope: 'orders:write' },
  { name: 'deleteOrder', doc: `mutation($id: ID!) { deleteOrder(id: $id) }`, vars: (f) => ({ id: f.pendingOrderId }), role: 'STAFF', scope: 'orders:write' },
  { name: 'createCheckoutSession', doc: `mutation($p: ID!) { createCheckoutSession(input: { items: [{ productId: $p, quantity: 1 }], successUrl: "https://shop.example/ok", cancelUrl: "https://shop.example/no" }) { url } }`, vars: (f) => ({ p: f.productId }), role: 'STAFF', scope: 'orders:write' },
  { name: 'createProduct', doc: `mutation { createProduct(input: { sku: "NEW-1", name: "New", price: 100, stock: 1 }) { id } }`, vars: () => ({}), role: 'ADMIN', scope: 'products:write' },
  { name: 'updateProduct', doc: `mutation($id: ID!) { updateProduct(id: $id, input: { name: "Renamed" }) { id } }`, vars: (f) => ({ id: f.productId }), role: 'ADMIN', scope: 'products:write' },
  { name: 'adjustStock', doc: `mutation($id: ID!) { adjustStock(id: $id, delta: 1, reason: "count") { id } }`, vars: (f) => ({ id: f.productId }), role: 'ADMIN', scope: 'products:write' },
  { name: 'createDiscountCode', doc: `mutation { createDiscountCode(input: { code: "KEYCODE", percentOff: 5 }) { id } }`, vars: () => ({}), role: 'ADMIN', scope: null },
  { name: 'setDiscountCodeActive', doc: `mutation($id: ID!) { setDiscountCodeActive(id: $id, active: false) { id } }`, vars: (f) => ({ id: f.discountCodeId }), role: 'ADMIN', scope: null },
  { name: 'updateBrandSettings', doc: `mutation { updateBrandSettings(input: { name: "Renamed brand" }) { id } }`, vars: () => ({}), role: 'ADMIN', scope: null },
  { name: 'revokeApiKey', doc: `mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, vars: (f) => ({ id: f.keyId }), role: 'ADMIN', scope: null },
  { name: 'logout', doc: `mutation { logout }`, vars: () => ({}), role: 'VIEWER', scope: null },
];

describe('scopes: every root field, with a key holding each single scope', () => {
  const KEYS: Record<string, string> = {};
  beforeAll(async () => {
    for (const scope of ALL_SCOPES) KEYS[scope] = (await createKey(A, [scope])).secret;
  });

  it('every root field but login needs a credential; every field open to keys is in this matrix', async () => {
    const schema = await getSchema();
    const roots = [...Object.values(schema.getQueryType()!.getFields()), ...Object.values(schema.getMutationType()!.getFields())].map((f) => f.name);
    const requirements = new Map(getMetadataStorage().authorizedFields.map((a) => [a.fieldName, a.roles as string[]]));
    for (const name of roots) {
      if (name === 'login') continue;
      expect([name, requirements.has(name)]).toEqual([name, true]);
      const scopes = requirements.get(name)!.filter((r) => r.includes(':') || r === ANY_API_KEY);
      // A field that names no scope is refused to every key (the auth checker's default); one that does must be tested here.
      if (scopes.length > 0) expect([name, FIELDS.find((f) => f.name === name)?.scope]).toEqual([name, scopes[0] === ANY_API_KEY ? 'ANY' : scopes[0]]);
    }
  });

  for (const field of FIELDS) {
    it(`${field.name}: ${field.scope === null ? 'no key' : field.scope === 'ANY' ? 'any key' : field.scope}`, async () => {
      for (const scope of ALL_SCOPES) {
        const res = await t.gql(field.doc, field.vars(a), KEYS[scope]);
        const granted =
          field.scope === 'ANY' || field.scope === scope || (field.scope?.endsWith(':read') && scope === field.scope.replace(':read', ':write'));
        if (granted) {
          expect(codes(res).filter((c) => c === 'FORBIDDEN' || c === 'UNAUTHENTICATED')).toEqual([]);
        } else {
          expect(codes(res)).toEqual(['FORBIDDEN']);
          expect(res.data?.[field.name] ?? null).toBeNull();
          if (field.scope) {
            expect(res.errors![0].message).toContain(field.scope);
            expect(res.errors![0].extensions!.missingScope).toBe(field.scope);
          }
        }
      }
    });
  }

  it('a stats:read key reads stats and no customer data anywhere', async () => {
    const statsKey = KEYS['stats:read'];
    const stats = await t.gql(
      `{ orderStats(range: { from: "2000-01-01T00:00:00Z", to: "2100-01-01T00:00:00Z", interval: MONTH }) {
          byCurrency { orderCount } byStatus { status count } topProducts { sku quantity } } }`,
      {},
      statsKey,
    );
    // 100 years by month is priced above the maximum: the key gets a clear refusal, not a scan.
    expect(codes(stats)).toEqual(['QUERY_TOO_COSTLY']);
    const year = new Date().getUTCFullYear();
    const recent = await t.gql(
      `{ orderStats(range: { from: "${year - 1}-01-01T00:00:00Z", to: "${year + 1}-01-01T00:00:00Z", interval: MONTH }) {
          byCurrency { orderCount paidOrderCount } topProducts { sku quantity } } }`,
      {},
      statsKey,
    );
    expect(recent.errors).toBeUndefined();
    expect(recent.data.orderStats.byCurrency[0].orderCount).toBeGreaterThan(0);
    for (const doc of [
      `{ orders { nodes { customer { email } } } }`,
      `{ order(id: "${a.pendingOrderId}") { customer { email } } }`,
      `{ orderByNumber(number: "${a.pendingNumber}") { customer { email } } }`,
    ]) {
      const res = await t.gql(doc, {}, statsKey);
      expect(codes(res)).toEqual(['FORBIDDEN']);
      expect(JSON.stringify(res)).not.toContain(a.email);
    }
  });
});

describe('two brands × every field × session and key: another brand’s ids are NOT_FOUND and its data never shows', () => {
  let credentials: [string, string][];
  beforeAll(async () => {
    credentials = [
      ['OWNER session', A.tokens.OWNER],
      ['all-scope key', (await createKey(A, ALL_SCOPES, 'matrix')).secret],
    ];
  });

  const bMarkers = () => [B.id, b.productId, b.sku, b.pendingOrderId, b.paidOrderId, b.pendingNumber, b.email, b.discountCodeId, b.keyId, 'CODEbravo', 'Key of bravo'];

  function expectNoneOf(res: GraphQLResponse, markers: string[]) {
    const text = JSON.stringify({ data: res.data, errors: res.errors });
    for (const marker of markers) expect(text).not.toContain(marker);
  }

  for (const field of FIELDS) {
    it(field.name, async () => {
      for (const [, token] of credentials) {
        const isKey = token.startsWith('lno_');
        if (isKey && field.scope === null) continue; // refused above, for every scope
        const res = await t.gql(field.doc, field.vars(b), token);
        const takesId = Object.keys(field.vars(b)).length > 0;
        if (takesId) {
          if (field.name !== 'stockMovements') expect(res.data?.[field.name] ?? null).toBeNull();
          // Nullable lookups answer null, like an id that does not exist; a list of another brand's product's history
          // is an empty page; Checkout answers NOT_CONFIGURED here (no Stripe key) before it looks; everything else NOT_FOUND.
          if (field.name === 'stockMovements') expect(res.data?.stockMovements?.nodes ?? []).toEqual([]);
          else if (field.name === 'createCheckoutSession') expect(codes(res)).toHaveLength(1);
          else if (!['order', 'orderByNumber', 'product'].includes(field.name)) expect(codes(res)).toEqual(['NOT_FOUND']);
        }
        // An error may echo the id the caller sent (it is the caller's own input, not B's data); nothing else of B.
        const sent = new Set(Object.values(field.vars(b)).map(String));
        expectNoneOf(res, bMarkers().filter((marker) => !sent.has(marker)));
      }
    });
  }

  it('nothing of B changed', async () => {
    const [order] = await t.sql('select status, payment_status, tracking_number from orders where id = ?', [b.pendingOrderId]);
    expect(order).toEqual({ status: 'PENDING', payment_status: 'AWAITING_PAYMENT', tracking_number: null });
    const [product] = await t.sql('select name, stock from products where id = ?', [b.productId]);
    expect(product.name).toBe('Product bravo');
    const [key] = await t.sql('select revoked_at from api_keys where id = ?', [b.keyId]);
    expect(key.revoked_at).toBeNull();
    const [brand] = await t.sql('select name from brands where id = ?', [B.id]);
    expect(brand.name).not.toBe('Renamed brand');
  });
});
