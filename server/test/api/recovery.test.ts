import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/postgresql';
import { principalForUser } from '../../src/auth/auth.service';
import { createBrand } from '../../src/brands/brand.service';
import { migrate } from '../../src/db/database';
import { ormConfig } from '../../src/db/orm-config';
import { createProduct } from '../../src/products/product.service';
import { RequestContext } from '../../src/shared/request-context';
import { createUser } from '../../src/users/user.service';
import { startApiProcess, type ApiProcess } from '../support/api-process';
import { restartablePostgres, type RestartablePostgres } from '../support/restartable-postgres';
import { checkoutSession, deliver, STRIPE_ENV, stripeEvent, stripeId } from '../support/stripe';

/**
 * The API against a PostgreSQL that crashes (`pg_ctl stop -m immediate`) and comes back: every answer during the outage
 * is quick and says SERVICE_UNAVAILABLE, readiness follows the database, the API heals by itself, and a Stripe delivery
 * refused during the outage takes effect exactly once when Stripe retries.
 */
const PASSWORD = 'correct horse battery';
/** No answer may take longer than this during the outage: a hanging request fails the test instead of the suite. */
const ANSWER_WITHIN_MS = 15_000;

let pg: RestartablePostgres;
let api: ApiProcess;
let token: string;
let brandId: string;
let productId: string;

async function gql(query: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(`${api.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(ANSWER_WITHIN_MS),
  });
  return { status: res.status, requestId: res.headers.get('x-request-id'), text: await res.text() };
}

const readyStatus = () => fetch(`${api.url}/readyz`, { signal: AbortSignal.timeout(ANSWER_WITHIN_MS) }).then((res) => res.status);

async function sql<T = any>(query: string, params: unknown[] = []): Promise<T[]> {
  const orm = await MikroORM.init(ormConfig(pg.url, { pool: { min: 0, max: 1 } }));
  try {
    return await orm.em.getConnection().execute(query, params as any[]);
  } finally {
    await orm.close(true);
  }
}

beforeAll(async () => {
  pg = await restartablePostgres('luneo');
  const orm = await MikroORM.init(ormConfig(pg.url));
  try {
    await migrate(orm);
    const em = orm.em.fork();
    const brand = await createBrand(em, { slug: 'outage', name: 'Outage', currency: 'EUR', prefix: 'OU', taxRateBps: 0, taxInclusive: false, shippingFlatRate: 0, freeShippingThreshold: null });
    const owner = await createUser(em, { brandSlug: 'outage', email: 'owner@outage.test', password: PASSWORD, role: 'OWNER' });
    brandId = brand.id;
    const product = await createProduct(RequestContext.create(orm.em as any, principalForUser(owner)), { sku: 'OUT-1', name: 'Lamp', price: 5_000, stock: 10, active: true });
    productId = product.id;
  } finally {
    await orm.close(true);
  }
  api = await startApiProcess({ DATABASE_URL: pg.url, ...STRIPE_ENV });
  const login = await fetch(`${api.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: `mutation { login(email: "owner@outage.test", password: "${PASSWORD}") { token } }` }),
  });
  token = ((await login.json()) as any).data.login.token;
});

afterAll(async () => {
  await api?.stop();
  await pg?.destroy();
});

describe('the database restarting under load', () => {
  it('fails fast with SERVICE_UNAVAILABLE, answers 503 on /readyz, recovers by itself, and loses or doubles no Stripe event', async () => {
    const ORDERS = '{ orders(first: 5) { totalCount } }';
    expect((await gql(ORDERS)).status).toBe(200);
    expect(await readyStatus()).toBe(200);

    const ref = `ref_${stripeId('o')}`;
    const event = stripeEvent(
      'checkout.session.completed',
      checkoutSession({ brandId, orderRef: ref, paymentIntent: stripeId('pi'), items: [{ productId, quantity: 2, unitPrice: 5_000 }] }),
    );

    await pg.crash();

    // Under load: every request answers, none hangs, and none shows the driver's text.
    const answers = await Promise.all(Array.from({ length: 12 }, () => gql(ORDERS)));
    for (const answer of answers) {
      expect(answer.status).toBe(503);
      const body = JSON.parse(answer.text);
      expect(body.errors).toEqual([expect.objectContaining({ extensions: { code: 'SERVICE_UNAVAILABLE' } })]);
      expect(answer.text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|connect|knex|at .*\.ts/i);
    }
    const mutation = await gql('mutation { logout }');
    expect(mutation.status).toBe(503);
    expect(JSON.parse(mutation.text).errors[0].extensions.code).toBe('SERVICE_UNAVAILABLE');
    expect(await readyStatus()).toBe(503);

    // Stripe must retry: a 500, and nothing recorded.
    const refused = await deliver(api.url, event);
    expect(refused.status).toBe(500);

    // Each failure is logged once, with its stack, under the request's id.
    const failedId = answers[0].requestId;
    const errorLines = api.logLines().filter((line) => line.level === 'error' && line.requestId === failedId);
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0].error).toMatch(/\n\s+at /);

    await pg.restart();
    const deadline = Date.now() + 30_000;
    while ((await readyStatus()) !== 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(await readyStatus()).toBe(200);
    const healed = await gql(ORDERS);
    expect(healed.text).not.toContain('errors');
    expect(healed.status).toBe(200);
    expect(JSON.parse(healed.text).data.orders.totalCount).toBe(0);

    // Stripe's retries: the first applies the event, the next changes nothing.
    const retried = await deliver(api.url, event);
    expect(retried).toMatchObject({ status: 200, body: { outcome: 'PROCESSED', duplicate: false } });
    const again = await deliver(api.url, event);
    expect(again).toMatchObject({ status: 200, body: { duplicate: true } });
    expect(await sql('select count(*)::int as n from stripe_events where event_id = ?', [event.id])).toEqual([{ n: 1 }]);
    expect(await sql('select count(*)::int as n from orders where checkout_ref = ?', [ref])).toEqual([{ n: 1 }]);
    expect(await sql('select stock from products where id = ?', [productId])).toEqual([{ stock: 8 }]);
  });
});
