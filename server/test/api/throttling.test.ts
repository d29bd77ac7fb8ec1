import { createApp, type App } from '../../src/app';
import { loadEnv } from '../../src/env';
import { createLogger } from '../../src/logger';
import { createOrder } from '../../src/orders/order.service';
import { codes, createTestBrand, createTestProduct, orderInput, startTestApp, type TestApp, type TestBrand } from '../support/harness';

/**
 * Leaky buckets of query cost per API key and per session, in PostgreSQL. Time is never waited for: "later" is made by
 * moving the bucket's last update back, exactly as the passing of that many seconds would.
 */
const CAPACITY = 100;
const RESTORE_RATE = 2;
const ORDERS = 40;
let t: TestApp;
let brand: TestBrand;
/** A second API instance on the same database, as behind a load balancer. */
let other: App;

function secondInstance() {
  return createApp({
    orm: t.orm,
    env: loadEnv({ NODE_ENV: 'test', PORT: '0', LOG_LEVEL: 'silent', THROTTLE_CAPACITY: String(CAPACITY), THROTTLE_RESTORE_RATE: String(RESTORE_RATE) }),
    log: createLogger('silent'),
    port: 0,
  });
}

beforeAll(async () => {
  t = await startTestApp({ THROTTLE_CAPACITY: String(CAPACITY), THROTTLE_RESTORE_RATE: String(RESTORE_RATE) });
  brand = await createTestBrand(t);
  other = await secondInstance();
  // Enough orders that every page below comes back full, so it is charged what it asked for.
  const product = await createTestProduct(brand, { stock: 1000 });
  for (let i = 0; i < ORDERS; i++) await createOrder(brand.ctx, orderInput([{ productId: product.id, quantity: 1 }]) as any, null);
});
afterAll(async () => {
  await other.stop();
  await t.close();
});

/** `orders(first: n - 2) { nodes { id } }` costs exactly n points. */
const costing = (n: number) => `{ orders(first: ${n - 2}) { nodes { id } } }`;

const post = (query: string, token: string, url?: string) => t.post(query, token, url);

async function newKey(name: string) {
  const res = await t.gql(
    `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id } } }`,
    { input: { name, scopes: ['orders:read'] } },
    brand.tokens.ADMIN,
  );
  return res.data.createApiKey as { secret: string; apiKey: { id: string } };
}

/** As if `seconds` had passed since the bucket was last touched. */
async function letTimePass(bucket: string, seconds: number) {
  await t.sql(`update rate_limit_buckets set updated_at = updated_at - make_interval(secs => ?) where key = ?`, [seconds, bucket]);
}

describe('a burst drains the bucket, is throttled with a correct retry time, then recovers', () => {
  it('with an API key', async () => {
    const key = await newKey('burst');
    const bucket = `api-key:${key.apiKey.id}`;
    const granted: number[] = [];
    let throttled: Awaited<ReturnType<typeof post>> | null = null;
    for (let i = 0; i < 10 && !throttled; i++) {
      const res = await post(costing(30), key.secret);
      if (res.status === 429) throttled = res;
      else {
        expect(res.body.errors).toBeUndefined();
        granted.push(res.body.extensions.cost.throttleStatus.currentlyAvailable);
      }
    }
    // 100 points pay for three operations of 30 (plus whatever trickled back meanwhile, far less than 30).
    expect(granted).toHaveLength(3);
    expect(granted[0]).toBeGreaterThanOrEqual(CAPACITY - 30 - 1);
    expect(granted[0]).toBeLessThanOrEqual(CAPACITY - 30);

    const error = throttled!.body.errors[0];
    expect(throttled!.status).toBe(429);
    expect(error.extensions.code).toBe('THROTTLED');
    expect(throttled!.body.data).toBeUndefined();
    const retry = error.extensions.retryAfterSeconds;
    expect(throttled!.retryAfter).toBe(String(retry));
    const { currentlyAvailable, maximumAvailable, restoreRate } = throttled!.body.extensions.cost.throttleStatus;
    expect({ maximumAvailable, restoreRate }).toEqual({ maximumAvailable: CAPACITY, restoreRate: RESTORE_RATE });
    expect(throttled!.body.extensions.cost).toMatchObject({ requestedQueryCost: 30, actualQueryCost: 0 });
    // The retry time is the first whole second at which the bucket holds 30 points again.
    expect(currentlyAvailable + 1 + retry * RESTORE_RATE).toBeGreaterThan(30);
    expect(currentlyAvailable + (retry - 1) * RESTORE_RATE).toBeLessThan(30);
    expect(error.message).toContain(`${retry} seconds`);

    // Knocking again at once is refused by this instance without a statement: it knows the bucket cannot have refilled.
    const again = await t.countQueries(() => post(costing(30), key.secret));
    expect(again.result.status).toBe(429);
    expect(again.result.body.errors[0].extensions.code).toBe('THROTTLED');
    expect(again.statements).toEqual([]);

    // Once that many seconds have passed, the bucket in PostgreSQL pays again. (Time passes here only in the database,
    // so another instance, which has not seen this key throttled, asks it.)
    await letTimePass(bucket, retry);
    const recovered = await post(costing(30), key.secret, other.url);
    expect(recovered.status).toBe(200);
    expect(recovered.body.errors).toBeUndefined();

    // Left alone long enough, the bucket is full again, never fuller.
    await letTimePass(bucket, 3600);
    const full = await post(costing(3), key.secret, other.url);
    expect(full.body.extensions.cost.throttleStatus.currentlyAvailable).toBe(CAPACITY - 3);
  });

  it('with a session, whose bucket is its own: another session and another key are not slowed', async () => {
    while ((await post(costing(40), brand.tokens.VIEWER)).status !== 429);
    const throttled = await post(costing(40), brand.tokens.VIEWER);
    expect(throttled.status).toBe(429);
    expect(codes(throttled.body)).toEqual(['THROTTLED']);

    const other = await post(costing(40), brand.tokens.STAFF);
    expect(other.status).toBe(200);
    const key = await newKey('bystander');
    expect((await post(costing(40), key.secret)).status).toBe(200);
  });

  it('concurrent requests cannot overdraw the bucket', async () => {
    const key = await newKey('concurrent');
    const answers = await Promise.all(Array.from({ length: 10 }, () => post(costing(40), key.secret)));
    const statuses = answers.map((a) => a.status).sort();
    // 100 points: two operations of 40; the restore of the few seconds this takes cannot pay for a third.
    expect(statuses).toEqual([200, 200, 429, 429, 429, 429, 429, 429, 429, 429]);
  });

  it('the bucket is shared by every API instance (it lives in PostgreSQL)', async () => {
    const key = await newKey('two instances');
    expect((await post(costing(40), key.secret)).status).toBe(200);
    expect((await post(costing(40), key.secret, other.url)).status).toBe(200);
    expect((await post(costing(40), key.secret, other.url)).status).toBe(429);
    expect((await post(costing(40), key.secret)).status).toBe(429);
  });

  it('the buckets are an unlogged table: a charge commits without waiting for a WAL flush', async () => {
    // A credential's concurrent requests queue on its bucket's row; logged, each would hold it through a disk flush.
    const [table] = await t.sql(`select relpersistence from pg_class where oid = 'rate_limit_buckets'::regclass`);
    expect(table.relpersistence).toBe('u');
  });

  it('a page that comes back short is charged for what it held; the rest returns to the bucket', async () => {
    const key = await newKey('short page');
    const res = await post(costing(100), key.secret);
    expect(res.status).toBe(200);
    expect(res.body.data.orders.nodes).toHaveLength(ORDERS);
    const unfilled = 98 - ORDERS;
    expect(res.body.extensions.cost).toMatchObject({ requestedQueryCost: 100, actualQueryCost: 100 - unfilled });
    expect(res.body.extensions.cost.throttleStatus.currentlyAvailable).toBeGreaterThanOrEqual(unfilled);
    // The refund is written after the answer; the next answer's level shows it (less this one's cost of 3).
    let level = 0;
    for (let i = 0; i < 50 && level < unfilled - 3; i++) level = (await post(costing(3), key.secret)).body.extensions.cost.throttleStatus.currentlyAvailable;
    expect(level).toBeGreaterThanOrEqual(unfilled - 3 * 2);
  });

  it('an operation above the capacity is refused as too costly, not throttled forever', async () => {
    const res = await post(costing(101), brand.tokens.OWNER);
    expect(res.status).toBe(400);
    expect(codes(res.body)).toEqual(['QUERY_TOO_COSTLY']);
    expect(res.body.errors[0].extensions.maximumCost).toBe(CAPACITY);
  });
});
