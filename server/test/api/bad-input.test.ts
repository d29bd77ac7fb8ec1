import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { createDiscountCode, setDiscountCodeActive } from '../../src/discounts/discount.service';
import { createOrder } from '../../src/orders/order.service';
import { RequestContext } from '../../src/shared/request-context';
import {
  CREATE_ORDER,
  createTestBrand,
  createTestProduct,
  orderInput,
  startTestApp,
  type TestApp,
  type TestBrand,
} from '../support/harness';
import { checkoutSession, deliver, STRIPE_ENV, stripeEvent } from '../support/stripe';

/**
 * Bad input: each is answered with its code (and the field, for BAD_USER_INPUT), never a 500 or a stack trace, and
 * nothing is written.
 */
let t: TestApp;
let brand: TestBrand;
let product: { id: string; sku: string; name: string };
let lowStock: { id: string; sku: string; name: string };
let inactive: { id: string };
let order: { id: string; number: string };

const fresh = () => RequestContext.create(t.orm.em as any, brand.ctx.principal);

beforeAll(async () => {
  t = await startTestApp(STRIPE_ENV);
  brand = await createTestBrand(t, { prefix: 'BI', taxRateBps: 2000, shippingFlatRate: 500 });
  product = await createTestProduct(brand, { name: 'Tote', price: 10_000, stock: 20 });
  // Created after `product`, so its id sorts later: a cart [product, lowStock] reserves `product` first, then fails.
  lowStock = await createTestProduct(brand, { name: 'Rare clutch', price: 50_000, stock: 2 });
  inactive = await createTestProduct(brand, { name: 'Retired belt', active: false });
  const created = await createOrder(fresh(), {
    items: [{ productId: product.id, quantity: 1 }],
    customer: { email: 'first@example.com' },
  });
  order = { id: created.id, number: created.number };
  const day = 86_400_000;
  await createDiscountCode(fresh(), { code: 'EXPIRED', percentOff: 10, validUntil: new Date(Date.now() - day) });
  await createDiscountCode(fresh(), { code: 'NOTYET', percentOff: 10, validFrom: new Date(Date.now() + day) });
  await createDiscountCode(fresh(), { code: 'BIGSPENDER', amountOff: 1_000, minimumSubtotal: 1_000_000 });
  await createDiscountCode(fresh(), { code: 'ONCE', percentOff: 10, usageLimit: 1 });
  const off = await createDiscountCode(fresh(), { code: 'PAUSED', percentOff: 10 });
  await setDiscountCodeActive(fresh(), off.id, false);
  await createOrder(fresh(), {
    items: [{ productId: product.id, quantity: 1 }],
    customer: { email: 'second@example.com' },
    discountCode: 'once',
  });
});
afterAll(() => t.close());

/** Row counts of everything an order writes, plus the brand's products, codes and order counter, read directly. */
async function state() {
  const [counts] = await t.sql(`select
      (select count(*) from orders)::int as orders,
      (select count(*) from order_items)::int as order_items,
      (select count(*) from order_status_changes)::int as order_status_changes,
      (select count(*) from stock_movements)::int as stock_movements,
      (select count(*) from idempotency_keys)::int as idempotency_keys,
      (select count(*) from discount_codes)::int as discount_codes`);
  return {
    counts,
    products: await t.sql('select * from products where brand_id = ? order by id', [brand.id]),
    discounts: await t.sql('select id, code, times_used, active from discount_codes where brand_id = ? order by id', [
      brand.id,
    ]),
    brand: await t.sql('select * from brands where id = ?', [brand.id]),
    orders: await t.sql('select * from orders where brand_id = ? order by id', [brand.id]),
  };
}

interface Answer {
  status: number;
  text: string;
  body: any;
}

/** POSTs a raw body (a string is sent as is) with the OWNER token unless told otherwise, so no role check intervenes. */
async function post(body: unknown, token: string | null = brand.tokens.OWNER): Promise<Answer> {
  const res = await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: any = null;
  try {
    parsed = JSON.parse(text);
  } catch {
    // asserted below: every answer is JSON
  }
  return { status: res.status, text, body: parsed };
}

/** No 500, a JSON body, no stack trace or SQL, no masked internal error. `label` names the case when this fails. */
function expectNoLeak(answer: Answer, label: unknown = null) {
  const leak = /stacktrace|\n\s+at |\bat [\w.<>]+ \(|\.[jt]s:\d+|node_modules|\bselect\b.*\bfrom\b|INTERNAL_SERVER_ERROR/i;
  expect({ label, status: answer.status < 500, json: answer.body !== null, leak: answer.text.match(leak)?.[0] ?? null }).toEqual({
    label,
    status: true,
    json: true,
    leak: null,
  });
}

/**
 * Sends the operation and asserts: exactly one error with `code` (and `field` when given), no data for the failing
 * root field, no 500, no stack trace, and the database exactly as it was.
 */
async function expectRefused(
  query: string,
  variables: Record<string, unknown>,
  code: string,
  field?: string,
  token?: string,
) {
  const before = await state();
  const answer = await post({ query, variables }, token);
  expectNoLeak(answer, variables);
  const errors = answer.body.errors ?? [];
  // The variables ride along so that a failure names the case.
  expect({ variables, codes: errors.map((e: any) => e.extensions?.code) }).toEqual({ variables, codes: [code] });
  if (field !== undefined) expect({ variables, field: errors[0].extensions.field }).toEqual({ variables, field });
  const data = answer.body.data;
  if (data) for (const value of Object.values(data)) expect(value).toBeNull();
  expect(await state()).toEqual(before);
  return errors[0];
}

const QUOTE = `query($input: CreateOrderInput!) { quoteOrder(input: $input) { total { amount } } }`;

/** Both ways into pricing (quote and create, the latter with an idempotency key so a leaked claim would show). */
async function expectCartRefused(input: Record<string, unknown>, code: string, field?: string) {
  const created = await expectRefused(CREATE_ORDER, { input, key: `bad-${randomUUID()}` }, code, field);
  const quoted = await expectRefused(QUOTE, { input }, code, field);
  expect(quoted.message).toBe(created.message);
  return created;
}

describe('createOrder and quoteOrder', () => {
  it('sanity: a good cart is accepted (so the refusals below are about the input)', async () => {
    const res = await t.gql(QUOTE, { input: orderInput([{ productId: product.id, quantity: 1 }]) }, brand.tokens.STAFF);
    expect(res.errors).toBeUndefined();
    expect(res.data.quoteOrder.total.amount).toBe(10_000 + 500 + 2_000);
  });

  it('negative quantity', async () => {
    await expectCartRefused(orderInput([{ productId: product.id, quantity: -1 }]), 'BAD_USER_INPUT', 'input.items.0.quantity');
  });

  it('zero quantity (on the second line)', async () => {
    await expectCartRefused(
      orderInput([
        { productId: product.id, quantity: 1 },
        { productId: lowStock.id, quantity: 0 },
      ]),
      'BAD_USER_INPUT',
      'input.items.1.quantity',
    );
  });

  it('an absurd quantity', async () => {
    await expectCartRefused(orderInput([{ productId: product.id, quantity: 10_001 }]), 'BAD_USER_INPUT', 'input.items.0.quantity');
  });

  it('fractional quantity and a string quantity are wrong types (Apollo’s BAD_USER_INPUT, HTTP 400)', async () => {
    for (const quantity of [1.5, '2']) {
      const before = await state();
      const answer = await post({ query: CREATE_ORDER, variables: { input: orderInput([{ productId: product.id, quantity: quantity as number }]) } });
      expectNoLeak(answer);
      expect(answer.status).toBe(400);
      expect(answer.body.errors.map((e: any) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
      expect(answer.body.errors[0].message).toMatch(/quantity/);
      expect(await state()).toEqual(before);
    }
  });

  it('unknown product → NOT_FOUND naming the line', async () => {
    const error = await expectCartRefused(
      orderInput([
        { productId: product.id, quantity: 1 },
        { productId: randomUUID(), quantity: 1 },
      ]),
      'NOT_FOUND',
    );
    expect(error.extensions.field).toBe('input.items.1.productId');
  });

  it('inactive product', async () => {
    await expectCartRefused(orderInput([{ productId: inactive.id, quantity: 1 }]), 'BAD_USER_INPUT', 'input.items.0.productId');
  });

  it('empty cart', async () => {
    await expectCartRefused(orderInput([]), 'BAD_USER_INPUT', 'input.items');
  });

  it('invalid email', async () => {
    for (const email of ['not-an-email', '', 'a@b']) {
      await expectCartRefused(
        { items: [{ productId: product.id, quantity: 1 }], customer: { email } },
        'BAD_USER_INPUT',
        'input.customer.email',
      );
    }
  });

  it('invalid shipping country', async () => {
    await expectCartRefused(
      orderInput([{ productId: product.id, quantity: 1 }], {
        shippingAddress: { line1: '1 Main St', city: 'Paris', postalCode: '75001', country: 'France' },
      }),
      'BAD_USER_INPUT',
      'input.shippingAddress.country',
    );
  });

  it('malformed product ids', async () => {
    for (const id of ['abc', '1', '', `${randomUUID()}x`]) {
      await expectCartRefused(orderInput([{ productId: id, quantity: 1 }]), 'BAD_USER_INPUT', 'input.items.0.productId');
    }
  });

  it('discount codes: unknown, expired, not yet valid, inactive, below the minimum subtotal, used up', async () => {
    const cases: [string, RegExp][] = [
      ['NOSUCH', /does not exist/],
      ['expired', /expired/],
      ['NotYet', /not valid yet/],
      ['paused', /no longer active/],
      ['BIGSPENDER', /at least/],
      ['ONCE', /used up/],
    ];
    for (const [code, reason] of cases) {
      const error = await expectCartRefused(orderInput([{ productId: product.id, quantity: 1 }], { discountCode: code }), 'DISCOUNT_INVALID');
      expect(error.extensions.reason).toMatch(reason);
      expect(error.message).toContain(code.toUpperCase());
    }
  });

  it('INSUFFICIENT_STOCK names the product and what is available, and writes nothing', async () => {
    // Only createOrder reserves stock (quoteOrder just prices), so this is createOrder's refusal. Stock is reserved in
    // id order, so `product` is reserved first and must be given back when `lowStock` fails (the state check).
    expect(product.id < lowStock.id).toBe(true);
    const created = await expectRefused(
      CREATE_ORDER,
      {
        input: orderInput([
          { productId: product.id, quantity: 1 },
          { productId: lowStock.id, quantity: 3 },
        ]),
        key: `stock-${randomUUID()}`,
      },
      'INSUFFICIENT_STOCK',
    );
    expect(created.extensions).toMatchObject({ sku: lowStock.sku, available: 2, requested: 3, productId: lowStock.id });
    expect(created.message).toContain(lowStock.sku);
    expect(created.message).toContain(lowStock.name);
    // Without a key the order is written by one statement and no transaction: it too must take nothing from `product`.
    await expectRefused(
      CREATE_ORDER,
      { input: orderInput([{ productId: product.id, quantity: 1 }, { productId: lowStock.id, quantity: 3 }]) },
      'INSUFFICIENT_STOCK',
    );

    // Two lines of the same product add up: 2 + 1 > 2.
    const summed = await expectRefused(
      CREATE_ORDER,
      {
        input: orderInput([
          { productId: lowStock.id, quantity: 2 },
          { productId: lowStock.id, quantity: 1 },
        ]),
      },
      'INSUFFICIENT_STOCK',
    );
    expect(summed.extensions).toMatchObject({ sku: lowStock.sku, available: 2, requested: 3 });

    // Sanity: exactly the available quantity is accepted.
    const ok = await t.gql(CREATE_ORDER, { input: orderInput([{ productId: lowStock.id, quantity: 2 }]) }, brand.tokens.STAFF);
    expect(ok.errors).toBeUndefined();
    const [{ stock }] = await t.sql('select stock from products where id = ?', [lowStock.id]);
    expect(stock).toBe(0);
  });
});

describe('pagination arguments', () => {
  const ORDERS = `query($first: Int, $last: Int, $after: String, $before: String, $sort: OrderSort) {
    orders(first: $first, last: $last, after: $after, before: $before, sort: $sort) { nodes { id } } }`;
  const PRODUCTS = `query($first: Int, $after: String) { products(first: $first, after: $after) { nodes { id } } }`;
  const CODES = `query($first: Int, $after: String) { discountCodes(first: $first, after: $after) { id } }`;

  it('sanity: 100 is the largest page', async () => {
    for (const [query, vars] of [
      [ORDERS, { first: 100 }],
      [ORDERS, { last: 100 }],
      [PRODUCTS, { first: 100 }],
      [CODES, { first: 100 }],
    ] as const) {
      const res = await t.gql(query, vars, brand.tokens.VIEWER);
      expect(res.errors).toBeUndefined();
    }
  });

  it('oversized pages: first: 101 and last: 101', async () => {
    await expectRefused(ORDERS, { first: 101 }, 'BAD_USER_INPUT', 'first');
    await expectRefused(ORDERS, { last: 101 }, 'BAD_USER_INPUT', 'last');
    // A million rows costs more than any request may: the query cost refuses it before the page rule does.
    await expectRefused(ORDERS, { first: 1_000_000 }, 'QUERY_TOO_COSTLY');
    await expectRefused(PRODUCTS, { first: 101 }, 'BAD_USER_INPUT', 'first');
    await expectRefused(CODES, { first: 101 }, 'BAD_USER_INPUT', 'first');
  });

  it('negative first and last', async () => {
    await expectRefused(ORDERS, { first: -1 }, 'BAD_USER_INPUT', 'first');
    await expectRefused(ORDERS, { last: -5 }, 'BAD_USER_INPUT', 'last');
    await expectRefused(PRODUCTS, { first: -1 }, 'BAD_USER_INPUT', 'first');
    await expectRefused(CODES, { first: -1 }, 'BAD_USER_INPUT', 'first');
  });

  it('malformed cursors', async () => {
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const page = await t.gql(ORDERS, { first: 1 }, brand.tokens.VIEWER);
    const realCursor = (
      await t.gql(`query { orders(first: 1) { pageInfo { endCursor } } }`, {}, brand.tokens.VIEWER)
    ).data.orders.pageInfo.endCursor as string;
    expect(page.errors).toBeUndefined();
    const id = randomUUID();
    const bad: [Record<string, unknown>, string][] = [
      [{ after: 'garbage!!' }, 'after'],
      [{ after: b64({ not: 'an array' }) }, 'after'],
      [{ before: 'x' }, 'before'],
      [{ after: realCursor, sort: 'TOTAL_DESC' }, 'after'], // a cursor of another sort
      [{ after: b64(['CREATED_AT_DESC', '2026-01-01T00:00:00.000Z', 'abc']) }, 'after'],
      [{ after: b64(['CREATED_AT_DESC', 'not a date', id]) }, 'after'],
      [{ after: b64(['CREATED_AT_DESC', 12, id]) }, 'after'],
      [{ after: b64(['TOTAL_DESC', 'lots', id]), sort: 'TOTAL_DESC' }, 'after'],
      [{ after: b64(['TOTAL_DESC', 1.5, id]), sort: 'TOTAL_DESC' }, 'after'],
      [{ after: b64(['NUMBER_DESC', 'seven', id]), sort: 'NUMBER_DESC' }, 'after'],
      [{ before: b64(['CREATED_AT_DESC', 'yesterday', id]) }, 'before'],
    ];
    for (const [vars, field] of bad) {
      await expectRefused(ORDERS, { first: vars.before ? null : 5, ...vars }, 'BAD_USER_INPUT', field);
    }
    for (const after of ['garbage!!', b64(['not a date', id]), b64(['2026-01-01T00:00:00.000Z', 'abc']), b64([1, id])]) {
      await expectRefused(PRODUCTS, { first: 5, after }, 'BAD_USER_INPUT', 'after');
    }
    await expectRefused(CODES, { first: 5, after: 'abc' }, 'BAD_USER_INPUT', 'after');
  });
});

describe('malformed ids', () => {
  const operations: [string, string, Record<string, unknown>][] = [
    ['order', `query($id: ID!) { order(id: $id) { id } }`, {}],
    ['product', `query($id: ID!) { product(id: $id) { id } }`, {}],
    ['updateOrder', `mutation($id: ID!) { updateOrder(id: $id, input: { trackingNumber: "T" }) { id } }`, {}],
    ['updateOrderStatus', `mutation($id: ID!) { updateOrderStatus(id: $id, status: PROCESSING) { id } }`, {}],
    ['updateOrderStatus→cancel', `mutation($id: ID!) { updateOrderStatus(id: $id, status: CANCELLED, note: "x") { id } }`, {}],
    ['markOrderPaid', `mutation($id: ID!) { markOrderPaid(id: $id) { id } }`, {}],
    ['cancelOrder', `mutation($id: ID!) { cancelOrder(id: $id, reason: "x", idempotencyKey: "k-malformed") { id } }`, {}],
    ['addOrderNote', `mutation($id: ID!) { addOrderNote(id: $id, note: "x") { id } }`, {}],
    ['deleteOrder', `mutation($id: ID!) { deleteOrder(id: $id) }`, {}],
    ['updateProduct', `mutation($id: ID!) { updateProduct(id: $id, input: { name: "x" }) { id } }`, {}],
    ['adjustStock', `mutation($id: ID!) { adjustStock(id: $id, delta: 1, reason: "x") { id } }`, {}],
    ['setDiscountCodeActive', `mutation($id: ID!) { setDiscountCodeActive(id: $id, active: false) { id } }`, {}],
  ];

  it.each(operations)('%s("abc" | "1" | " ") → BAD_USER_INPUT on id', async (_name, query, extra) => {
    for (const id of ['abc', '1', ' ', "1' or '1'='1"]) {
      await expectRefused(query, { id, ...extra }, 'BAD_USER_INPUT', 'id');
    }
  });

  it('orders(filter: { productId: "abc" }) → BAD_USER_INPUT on filter.productId', async () => {
    await expectRefused(
      `query($p: ID) { orders(filter: { productId: $p }) { nodes { id } } }`,
      { p: 'abc' },
      'BAD_USER_INPUT',
      'filter.productId',
    );
  });

  it('orderByNumber with junk is simply not found', async () => {
    const res = await post({ query: `query($n: String!) { orderByNumber(number: $n) { id } }`, variables: { n: "'; drop table orders; --" } });
    expectNoLeak(res);
    expect({ data: res.body.data, errors: res.body.errors }).toEqual({ data: { orderByNumber: null }, errors: undefined });
    const [{ n }] = await t.sql('select count(*)::int as n from orders');
    expect(n).toBeGreaterThan(0);
  });
});

describe('other mutation arguments', () => {
  it('createDiscountCode racing another insert of the same code is CONFLICT naming the field, never a 500', async () => {
    // Another transaction inserts the same code and holds it uncommitted: the mutation's existence check passes, its
    // insert waits on the unique index, and fails once the other commits — the race, made deterministic.
    const other = new Client({ connectionString: t.databaseUrl });
    await other.connect();
    try {
      await other.query('begin');
      await other.query(
        `insert into discount_codes (id, created_at, updated_at, brand_id, code, percent_off) values ($1, now(), now(), $2, 'RACE2026', 5)`,
        [randomUUID(), brand.id],
      );
      const pending = t.gql(
        `mutation($input: CreateDiscountCodeInput!) { createDiscountCode(input: $input) { id } }`,
        { input: { code: 'race2026', percentOff: 10 } },
        brand.tokens.ADMIN,
      );
      // Commit only once the mutation's insert is queued behind ours (a backend of this database waiting on a lock).
      for (let waiting = 0; waiting === 0; ) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        const { rows } = await other.query(
          "select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'",
        );
        waiting = rows[0].n;
      }
      await other.query('commit');
      const res = await pending;
      expect(res.errors?.[0].extensions).toEqual({ code: 'CONFLICT', field: 'input.code' });
    } finally {
      await other.end();
    }
    const rows = await t.sql("select percent_off from discount_codes where brand_id = ? and code = 'RACE2026'", [brand.id]);
    expect(rows).toEqual([{ percent_off: 5 }]);
  });

  it('cancelOrder with an empty reason or an oversized idempotency key', async () => {
    await expectRefused(
      `mutation($id: ID!) { cancelOrder(id: $id, reason: "   ") { id } }`,
      { id: order.id },
      'BAD_USER_INPUT',
      'reason',
    );
    await expectRefused(
      `mutation($id: ID!, $k: String) { cancelOrder(id: $id, reason: "r", idempotencyKey: $k) { id } }`,
      { id: order.id, k: 'k'.repeat(201) },
      'BAD_USER_INPUT',
      'idempotencyKey',
    );
  });

  it('adjustStock below zero → INSUFFICIENT_STOCK naming the product; a zero delta → BAD_USER_INPUT', async () => {
    const error = await expectRefused(
      `mutation($id: ID!) { adjustStock(id: $id, delta: -1000, reason: "shrinkage") { id stock } }`,
      { id: product.id },
      'INSUFFICIENT_STOCK',
    );
    const [{ stock }] = await t.sql('select stock from products where id = ?', [product.id]);
    expect(error.extensions).toMatchObject({ sku: product.sku, available: stock });
    await expectRefused(
      `mutation($id: ID!) { adjustStock(id: $id, delta: 0, reason: "nothing") { id } }`,
      { id: product.id },
      'BAD_USER_INPUT',
      'delta',
    );
  });

  it('createProduct with a negative price or stock, or a duplicate SKU', async () => {
    const CREATE = `mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }`;
    await expectRefused(CREATE, { input: { sku: 'NEW-1', name: 'N', price: -1, stock: 1 } }, 'BAD_USER_INPUT', 'input.price');
    await expectRefused(CREATE, { input: { sku: 'NEW-1', name: 'N', price: 1, stock: -1 } }, 'BAD_USER_INPUT', 'input.stock');
    await expectRefused(CREATE, { input: { sku: product.sku, name: 'N', price: 1, stock: 1 } }, 'BAD_USER_INPUT', 'input.sku');
  });

  it('updateOrder with nothing to update', async () => {
    await expectRefused(
      `mutation($id: ID!) { updateOrder(id: $id, input: {}) { id } }`,
      { id: order.id },
      'BAD_USER_INPUT',
      'input',
    );
  });
});

describe('wrong types and malformed requests', () => {
  it('a string for an Int variable → BAD_USER_INPUT, HTTP 400', async () => {
    for (const [query, variables] of [
      [`query($f: Int) { orders(first: $f) { nodes { id } } }`, { f: '10' }],
      [`mutation($id: ID!, $d: Int!) { adjustStock(id: $id, delta: $d, reason: "x") { id } }`, { id: product.id, d: '5' }],
      [`query($f: Int) { products(first: $f) { nodes { id } } }`, { f: 2 ** 31 }],
      [`query($id: ID!) { order(id: $id) { id } }`, { id: { nested: true } }],
    ] as const) {
      const before = await state();
      const answer = await post({ query, variables });
      expectNoLeak(answer);
      expect(answer.status).toBe(400);
      expect(answer.body.errors.map((e: any) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
      expect(answer.body.data).toBeUndefined();
      expect(await state()).toEqual(before);
    }
  });

  it('a wrong literal type is a validation error, not a 500', async () => {
    const answer = await post({ query: `{ orders(first: "ten") { nodes { id } } }` });
    expectNoLeak(answer);
    expect(answer.status).toBe(400);
    // The request limits (graphql/limits.ts) validate the document before Apollo does and answer BAD_USER_INPUT.
    expect(['GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT']).toContain(answer.body.errors[0].extensions.code);
  });

  it('a malformed JSON body → 400', async () => {
    const before = await state();
    for (const body of ['{"query": "{ viewer { role } }"', '{bad json', 'null']) {
      const answer = await post(body);
      expect(answer.status).toBe(400);
      expectNoLeak(answer);
      expect(answer.body.errors.length).toBeGreaterThan(0);
    }
    expect(await state()).toEqual(before);
  });

  it('a syntax error in the query → GRAPHQL_PARSE_FAILED, 400', async () => {
    const answer = await post({ query: `mutation { createOrder(input: { items: [ }) { id } }` });
    expectNoLeak(answer);
    expect(answer.status).toBe(400);
    expect(answer.body.errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
  });
});

describe('orderStats ranges', () => {
  const STATS = `query($r: StatsRange!) { orderStats(range: $r) { byCurrency { orderCount } series { periodStart } } }`;
  const from = '2026-01-01T00:00:00.000Z';
  const to = '2026-02-01T00:00:00.000Z';

  it('sanity: a good range answers', async () => {
    const res = await t.gql(STATS, { r: { from, to, timeZone: 'Europe/Paris' } }, brand.tokens.VIEWER);
    expect(res.errors).toBeUndefined();
  });

  it('from ≥ to', async () => {
    await expectRefused(STATS, { r: { from: to, to: from } }, 'BAD_USER_INPUT', 'range.to');
    await expectRefused(STATS, { r: { from, to: from } }, 'BAD_USER_INPUT', 'range.to');
  });

  it('an unknown time zone', async () => {
    for (const timeZone of ['Mars/Olympus', 'UTC+25', "UTC'; select 1; --"]) {
      await expectRefused(STATS, { r: { from, to, timeZone } }, 'BAD_USER_INPUT', 'range.timeZone');
    }
  });

  it('too many buckets: refused by the query cost before the range rule (every range of over 1,000 buckets costs more)', async () => {
    await expectRefused(
      STATS,
      { r: { from: '1990-01-01T00:00:00Z', to: '2030-01-01T00:00:00Z', interval: 'DAY' } },
      'QUERY_TOO_COSTLY',
    );
  });

  it('a date that is not a date, and an unknown interval → Apollo’s BAD_USER_INPUT, 400', async () => {
    for (const r of [
      { from: 'yesterday', to },
      { from, to: '2026-13-45T00:00:00Z' },
      { from, to, interval: 'FORTNIGHT' },
    ]) {
      const answer = await post({ query: STATS, variables: { r } });
      expectNoLeak(answer);
      expect(answer.status).toBe(400);
      expect(answer.body.errors.map((e: any) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    }
  });

  it('topProducts with an out-of-range limit', async () => {
    const answer = await post({
      query: `query($r: StatsRange!) { orderStats(range: $r) { topProducts(limit: 0) { sku } } }`,
      variables: { r: { from, to } },
    });
    expectNoLeak(answer);
    expect(answer.body.errors.map((e: any) => [e.extensions?.code, e.extensions?.field])).toEqual([['BAD_USER_INPUT', 'limit']]);
  });
});

describe('strings: NUL bytes and length limits, one rule for every argument', () => {
  const NUL = 'a\u0000b';

  it('a NUL byte anywhere is BAD_USER_INPUT naming the field: login, search, notes, names, customization', async () => {
    const login = await post({ query: `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }`, variables: { e: `x${NUL}@example.com`, p: 'pw' } }, null);
    expectNoLeak(login);
    expect(login.body.errors.map((e: any) => [e.extensions.code, e.extensions.field])).toEqual([['BAD_USER_INPUT', 'email']]);

    await expectRefused(`query($s: String) { orders(filter: { search: $s }) { nodes { id } } }`, { s: NUL }, 'BAD_USER_INPUT', 'filter.search');
    await expectRefused(`query($s: String) { products(search: $s) { nodes { id } } }`, { s: NUL }, 'BAD_USER_INPUT', 'search');
    await expectRefused(`mutation($id: ID!, $n: String!) { addOrderNote(id: $id, note: $n) { id } }`, { id: order.id, n: NUL }, 'BAD_USER_INPUT', 'note');
    await expectRefused(
      `mutation($id: ID!, $t: String) { updateOrder(id: $id, input: { trackingNumber: $t }) { id } }`,
      { id: order.id, t: NUL },
      'BAD_USER_INPUT',
      'input.trackingNumber',
    );
    await expectCartRefused(
      { items: [{ productId: product.id, quantity: 1 }], customer: { email: 'nul@example.com', name: NUL } },
      'BAD_USER_INPUT',
      'input.customer.name',
    );
    await expectCartRefused(
      { items: [{ productId: product.id, quantity: 1, customization: { engraving: NUL } }], customer: { email: 'nul@example.com' } },
      'BAD_USER_INPUT',
      'input.items.0.customization.engraving',
    );
    await expectRefused(
      `mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }`,
      { input: { sku: 'NUL-1', name: NUL, price: 1, stock: 1 } },
      'BAD_USER_INPUT',
      'input.name',
    );
  });

  it('every free-text input has a length limit: notes, tracking numbers, searches, names, anything else', async () => {
    const long = (n: number) => 'x'.repeat(n);
    await expectRefused(`mutation($id: ID!, $n: String!) { addOrderNote(id: $id, note: $n) { id } }`, { id: order.id, n: long(2001) }, 'BAD_USER_INPUT', 'note');
    await expectRefused(
      `mutation($id: ID!, $t: String) { updateOrder(id: $id, input: { trackingNumber: $t }) { id } }`,
      { id: order.id, t: long(101) },
      'BAD_USER_INPUT',
      'input.trackingNumber',
    );
    await expectRefused(`query($s: String) { orders(filter: { search: $s }) { nodes { id } } }`, { s: long(201) }, 'BAD_USER_INPUT', 'filter.search');
    await expectRefused(`query($s: String) { products(search: $s) { nodes { id } } }`, { s: long(201) }, 'BAD_USER_INPUT', 'search');
    await expectRefused(
      `mutation($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { id } }`,
      { id: product.id, input: { name: long(201) } },
      'BAD_USER_INPUT',
      'input.name',
    );
    await expectCartRefused(
      { items: [{ productId: product.id, quantity: 1 }], customer: { email: 'long@example.com', name: long(201) } },
      'BAD_USER_INPUT',
      'input.customer.name',
    );
    await expectRefused(`query($n: String!) { orderByNumber(number: $n) { id } }`, { n: long(10_001) }, 'BAD_USER_INPUT', 'number');
    await expectRefused(
      `query($t: [String!]) { webhookEvents(filter: { type: $t }) { nodes { id } } }`,
      { t: ['charge.refunded', long(101)] },
      'BAD_USER_INPUT',
      'filter.type.1',
    );
  });
});

describe('numbers past what a column or a JavaScript number holds', () => {
  it('a stock adjustment past the stock column\'s range is BAD_USER_INPUT on delta, and nothing changes', async () => {
    const big = await createTestProduct(brand, { name: 'Warehouse of buttons', stock: 1 });
    await t.sql('update products set stock = 2147483000 where id = ?', [big.id]);
    await expectRefused(
      `mutation($id: ID!, $d: Int!) { adjustStock(id: $id, delta: $d, reason: "found more") { stock } }`,
      { id: big.id, d: 10_000 },
      'BAD_USER_INPUT',
      'delta',
    );
    const ok = await t.gql(`mutation($id: ID!) { adjustStock(id: $id, delta: 647, reason: "to the brim") { stock } }`, { id: big.id }, brand.tokens.ADMIN);
    expect(ok.data.adjustStock.stock).toBe(2_147_483_647);
  });

  it('price × quantity past 2^53 minor units is BAD_USER_INPUT on input.items', async () => {
    const dear = await createTestProduct(brand, { name: 'Private island', price: 100_000_000_000, stock: 10_000_000 });
    const lines = Array.from({ length: 10 }, () => ({ productId: dear.id, quantity: 10_000 }));
    await expectCartRefused(orderInput(lines), 'BAD_USER_INPUT', 'input.items');
  });
});

describe('forged cursors and page sizes on every connection', () => {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const EVENTS = `query($first: Int, $after: String) { webhookEvents(first: $first, after: $after) { nodes { id } } }`;
  const ORDERS = `query($first: Int, $last: Int, $after: String, $before: String) {
    orders(first: $first, last: $last, after: $after, before: $before) { nodes { id } } }`;

  it('a forged webhookEvents cursor is BAD_USER_INPUT on after', async () => {
    const ok = await t.gql(EVENTS, { first: 5, after: b64(['2026-01-01T00:00:00.000Z', randomUUID()]) }, brand.tokens.ADMIN);
    expect(ok.errors).toBeUndefined();
    for (const after of [
      'garbage!!',
      b64({ not: 'an array' }),
      b64(['2026-01-01T00:00:00.000Z', 'abc']),
      b64(['2026-01-01T00:00:00.000Z', "1' or '1'='1"]),
      b64(['not a date', randomUUID()]),
      b64(['-100000-01-01T00:00:00.000Z', randomUUID()]),
      b64([12, randomUUID()]),
    ]) {
      await expectRefused(EVENTS, { first: 5, after }, 'BAD_USER_INPUT', 'after', brand.tokens.ADMIN);
    }
    await expectRefused(
      ORDERS,
      { first: 5, after: b64(['CREATED_AT_DESC', '-100000-01-01T00:00:00.000Z', randomUUID()]) },
      'BAD_USER_INPUT',
      'after',
    );
    await expectRefused(`query($a: String) { products(first: 5, after: $a) { nodes { id } } }`, { a: b64(['+275000-01-01T00:00:00.000Z', randomUUID()]) }, 'BAD_USER_INPUT', 'after');
  });

  it('orders: an oversized page is refused whatever it is combined with, and the directions never mix', async () => {
    const cursor = (await t.gql(`{ orders(first: 1) { pageInfo { endCursor } } }`, {}, brand.tokens.VIEWER)).data.orders.pageInfo.endCursor;
    for (const vars of [{ last: 5, before: cursor }, { first: 5, after: cursor }, {}, { last: 100 }]) {
      const res = await t.gql(ORDERS, vars, brand.tokens.VIEWER);
      expect({ vars, errors: res.errors }).toEqual({ vars, errors: undefined });
    }
    const refused: [Record<string, unknown>, string][] = [
      [{ first: 500, before: cursor }, 'first'],
      [{ first: 101, after: cursor }, 'first'],
      [{ last: 500, after: cursor }, 'last'],
      [{ last: 101, before: cursor }, 'last'],
      [{ first: 500, last: 5 }, 'first'],
      [{ first: 5, last: 500 }, 'last'],
      [{ first: 5, before: cursor }, 'before'],
      [{ last: 5, after: cursor }, 'after'],
      [{ first: 5, last: 5 }, 'first'],
      [{ after: cursor, before: cursor }, 'after'],
      [{ first: -1, before: cursor }, 'first'],
    ];
    for (const [vars, field] of refused) await expectRefused(ORDERS, vars, 'BAD_USER_INPUT', field);
  });

  it('the other connections refuse pages over 100 too', async () => {
    await expectRefused(EVENTS, { first: 101 }, 'BAD_USER_INPUT', 'first', brand.tokens.ADMIN);
    await expectRefused(`query($f: Int) { deletedOrders(first: $f) { id } }`, { f: 101 }, 'BAD_USER_INPUT', 'first', brand.tokens.ADMIN);
    await expectRefused(`query($a: ID) { deletedOrders(after: $a) { id } }`, { a: 'abc' }, 'BAD_USER_INPUT', 'after', brand.tokens.ADMIN);
  });
});

describe('createCheckoutSession when Stripe cannot help', () => {
  const CREATE = `mutation($input: CreateCheckoutSessionInput!) { createCheckoutSession(input: $input) { id url } }`;
  const input = (shippingCountries?: string[]) => ({
    items: [{ productId: product.id, quantity: 1 }],
    successUrl: 'https://shop.example/ok',
    cancelUrl: 'https://shop.example/cancel',
    shippingCountries,
  });

  it('without STRIPE_SECRET_KEY it is NOT_CONFIGURED', async () => {
    await expectRefused(CREATE, { input: input() }, 'NOT_CONFIGURED', undefined, brand.tokens.STAFF);
  });

  it('a country Stripe refuses is BAD_USER_INPUT naming it; any other Stripe refusal is PAYMENT_PROVIDER_ERROR', async () => {
    // A stand-in for Stripe's API that refuses North Korea as a shipping country, as Stripe does, and refuses the key
    // for a session to Antarctica.
    const standIn = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        const form = new URLSearchParams(body);
        const countries = [...form.entries()].filter(([key]) => key.startsWith('shipping_address_collection')).map(([, v]) => v);
        res.setHeader('content-type', 'application/json');
        if (req.url === '/v1/tax_rates') {
          res.end(JSON.stringify({ id: 'txr_test_1', object: 'tax_rate' }));
        } else if (countries.includes('KP')) {
          res.statusCode = 400;
          res.end(
            JSON.stringify({
              error: {
                type: 'invalid_request_error',
                param: `shipping_address_collection[allowed_countries][${countries.indexOf('KP')}]`,
                message: 'Invalid shipping_address_collection[allowed_countries][1]: must be one of AC, AD, AE, …',
              },
            }),
          );
        } else {
          res.statusCode = 401;
          res.end(JSON.stringify({ error: { type: 'invalid_request_error', message: 'Invalid API Key provided: sk_test_****' } }));
        }
      });
    });
    await new Promise<void>((resolve) => standIn.listen(0, '127.0.0.1', resolve));
    const { port } = standIn.address() as AddressInfo;
    const withStripe = await startTestApp({
      STRIPE_SECRET_KEY: 'sk_test_standin',
      STRIPE_API_HOST: '127.0.0.1',
      STRIPE_API_PORT: String(port),
      STRIPE_API_PROTOCOL: 'http',
    });
    try {
      const shop = await createTestBrand(withStripe, { prefix: 'SC', taxRateBps: 2000 });
      const bag = await createTestProduct(shop, { name: 'Bag', price: 12_000, stock: 5 });
      const ask = (countries: string[]) =>
        withStripe.gql(CREATE, { input: { ...input(countries), items: [{ productId: bag.id, quantity: 1 }] } }, shop.tokens.STAFF);
      const refused = await ask(['FR', 'KP']);
      expect(refused.errors?.map((e) => [e.extensions?.code, e.extensions?.field])).toEqual([['BAD_USER_INPUT', 'input.shippingCountries.1']]);
      expect(refused.errors?.[0].message).toMatch(/Stripe refused it/);
      const failed = await ask(['AQ']);
      expect(failed.errors?.map((e) => e.extensions?.code)).toEqual(['PAYMENT_PROVIDER_ERROR']);
      expect(failed.errors?.[0].message).not.toMatch(/sk_test/);
    } finally {
      await withStripe.close();
      await new Promise((resolve) => standIn.close(resolve));
    }
  });
});

describe('a NUL character from Stripe', () => {
  it('is stored and applied as U+FFFD instead of failing the event on every retry', async () => {
    const ref = `ref_${randomUUID()}`;
    const session = checkoutSession({ brandId: brand.id, orderRef: ref, items: [{ productId: product.id, quantity: 1, unitPrice: 10_000 }] });
    session.customer_details.name = 'Camille\u0000Martin';
    const event = stripeEvent('checkout.session.completed', session);
    const delivery = await deliver(t.url, event);
    expect({ status: delivery.status, outcome: delivery.body.outcome }).toEqual({ status: 200, outcome: 'PROCESSED' });
    const [row] = await t.sql('select customer_name from orders where brand_id = ? and checkout_ref = ?', [brand.id, ref]);
    expect(row.customer_name).toBe('Camille\uFFFDMartin');
    const [stored] = await t.sql(`select payload->'data'->'object'->'customer_details'->>'name' as name from stripe_events where event_id = ?`, [event.id]);
    expect(stored.name).toBe('Camille\uFFFDMartin');
  });
});

describe('raw database errors never reach a client', () => {
  it('a Stripe event that fails on a database error is stored and listed with a safe message, and answered 500', async () => {
    // A real PostgreSQL refusal, for one customer email only: the order insert of this checkout violates it.
    await t.sql(`alter table orders add constraint bad_input_refuses_this_email check (customer_email <> 'db-refusal@example.com') not valid`);
    try {
      const session = checkoutSession({
        brandId: brand.id,
        orderRef: `ref_${randomUUID()}`,
        items: [{ productId: product.id, quantity: 1, unitPrice: 10_000 }],
        email: 'db-refusal@example.com',
      });
      const event = stripeEvent('checkout.session.completed', session);
      const delivery = await deliver(t.url, event);
      expect(delivery.status).toBe(500);
      expect(JSON.stringify(delivery.body)).not.toMatch(/constraint|violates|orders|insert/i);
      const [stored] = await t.sql('select outcome, error from stripe_events where event_id = ?', [event.id]);
      expect(stored.outcome).toBe('FAILED');
      const listed = await post({ query: `{ webhookEvents(first: 100, filter: { outcome: [FAILED] }) { nodes { eventId error reason } } }` }, brand.tokens.ADMIN);
      expectNoLeak(listed);
      const node = listed.body.data.webhookEvents.nodes.find((n: any) => n.eventId === event.id);
      expect(node.error).toMatch(/server log/);
      for (const text of [stored.error, node.error, listed.text]) {
        expect(text).not.toMatch(/constraint|violates|bad_input_refuses|relation|insert into|select /i);
      }
    } finally {
      await t.sql('alter table orders drop constraint bad_input_refuses_this_email');
    }
  });
});
