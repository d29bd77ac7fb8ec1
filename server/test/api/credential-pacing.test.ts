import { MAX_WAITING } from '../../src/graphql/credential-pacing';
import { createTestBrand, createTestProduct, orderInput, startTestApp, type TestApp, type TestBrand } from '../support/harness';
import { createOrder } from '../../src/orders/order.service';

/**
 * Pacing per credential (graphql/credential-pacing.ts): a credential that keeps knocking before its Retry-After waits
 * before it is answered, and only so many of its requests wait; the excess is refused at once. The answers themselves
 * stay the bucket's. No timing is asserted: only who is answered what.
 */
const CAPACITY = 100;
const RESTORE_RATE = 1;
let t: TestApp;
let brand: TestBrand;

beforeAll(async () => {
  t = await startTestApp({ THROTTLE_CAPACITY: String(CAPACITY), THROTTLE_RESTORE_RATE: String(RESTORE_RATE) });
  brand = await createTestBrand(t);
  const product = await createTestProduct(brand, { stock: 1000 });
  for (let i = 0; i < 60; i++) await createOrder(brand.ctx, orderInput([{ productId: product.id, quantity: 1 }]) as any, null);
});
afterAll(() => t.close());

/** `orders(first: n - 2) { nodes { id } }` costs exactly n points. */
const costing = (n: number) => `{ orders(first: ${n - 2}) { nodes { id } } }`;

const post = (query: string, token: string) => t.post(query, token);

async function newKey(name: string) {
  const res = await t.gql(
    `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }`,
    { input: { name, scopes: ['orders:read'] } },
    brand.tokens.ADMIN,
  );
  return res.data.createApiKey.secret as string;
}

const PACING_REFUSAL = /Too many requests of this credential at once/;

describe('a credential that ignores Retry-After', () => {
  it('waits for its answers, and beyond the waiting line it is refused at once; other credentials are answered', async () => {
    const key = await newKey('impatient');
    expect((await post(costing(60), key)).status).toBe(200);
    const throttled = await post(costing(60), key);
    expect(throttled.status).toBe(429);
    expect(Number(throttled.retryAfter)).toBeGreaterThan(1);

    // Knocking again with many requests at once, long before the retry time: all but MAX_WAITING are refused at once.
    const extra = 7;
    const knocking = Array.from({ length: MAX_WAITING + extra }, () => post(costing(60), key));
    const other = await post(costing(10), await newKey('patient'));
    expect(other.status).toBe(200);
    const answers = await Promise.all(knocking);
    const refusedAtOnce = answers.filter((a) => a.body.errors?.[0]?.message.match(PACING_REFUSAL));
    expect(refusedAtOnce).toHaveLength(extra);
    for (const a of refusedAtOnce) {
      expect(a.status).toBe(429);
      expect(a.retryAfter).toBe('1');
      expect(a.body.errors[0].extensions).toEqual({ code: 'THROTTLED', retryAfterSeconds: 1 });
    }
    // Those that waited got the bucket's own answer: still throttled, with its cost report.
    const waited = answers.filter((a) => !refusedAtOnce.includes(a));
    expect(waited).toHaveLength(MAX_WAITING);
    for (const a of waited) {
      expect(a.status).toBe(429);
      expect(a.body.errors[0].extensions.code).toBe('THROTTLED');
      expect(a.body.extensions.cost.requestedQueryCost).toBe(60);
    }
  });

  it('a session is paced on its own too, and requests without a credential are not paced', async () => {
    while ((await post(costing(60), brand.tokens.VIEWER)).status !== 429);
    const answers = await Promise.all(Array.from({ length: MAX_WAITING + 3 }, () => post(costing(60), brand.tokens.VIEWER)));
    expect(answers.filter((a) => PACING_REFUSAL.test(a.body.errors?.[0]?.message ?? ''))).toHaveLength(3);
    const anonymous = await Promise.all(
      Array.from({ length: MAX_WAITING + 3 }, () =>
        fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) }),
      ),
    );
    expect(anonymous.map((r) => r.status).filter((s) => s !== 200)).toEqual([]);
  });
});
