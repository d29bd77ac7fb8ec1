import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import autocannon from 'autocannon';
import { MikroORM } from '@mikro-orm/postgresql';
import { createApp } from '../src/app';
import { benchFlood } from './flood';
import { principalForUser } from '../src/auth/auth.service';
import { createBrand } from '../src/brands/brand.service';
import { migrate } from '../src/db/database';
import { startEmbeddedPostgres } from '../src/db/embedded-postgres';
import { ormConfig } from '../src/db/orm-config';
import { loadEnv } from '../src/env';
import { createLogger } from '../src/logger';
import { createProduct } from '../src/products/product.service';
import { RequestContext } from '../src/shared/request-context';
import { createUser } from '../src/users/user.service';

/**
 * `pnpm bench`: measures the API on a real PostgreSQL (embedded, or DATABASE_URL) with a brand of BENCH_ORDERS orders
 * (default 100,000, three items each, generated in SQL). Prints requests/s and latency percentiles; asserts nothing.
 */
const ORDERS = Number(process.env.BENCH_ORDERS ?? 100_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);

async function run(title: string, opts: autocannon.Options) {
  const result = await autocannon({ connections: CONNECTIONS, duration: SECONDS, ...opts });
  // autocannon drops its sockets at the deadline; let the server finish what it was doing before the next step.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const non2xx = result.non2xx + result.errors;
  console.log(
    `${title.padEnd(44)} ${result.requests.average.toFixed(0).padStart(6)} req/s   p50 ${result.latency.p50} ms   p99 ${result.latency.p99} ms${non2xx ? `   (${non2xx} failed)` : ''}`,
  );
}

async function main() {
  let url = process.env.DATABASE_URL;
  let stop = async () => undefined as void;
  if (!url) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'luneo-bench-'));
    fs.chmodSync(dir, 0o755);
    const db = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port: 54391, durable: false });
    await db.createDatabase('bench');
    url = db.url('bench');
    stop = async () => {
      await db.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    };
  }
  const orm = await MikroORM.init(ormConfig(url));
  await migrate(orm);
  const em = orm.em.fork();
  const slug = `bench-${Date.now()}`;
  const brand = await createBrand(em, { slug, name: 'Bench', currency: 'EUR', prefix: 'BN' });
  const user = await createUser(em, { brandSlug: slug, email: `owner@${slug}.test`, password: 'bench-password', role: 'OWNER' });
  const ctx = RequestContext.create(orm.em as any, principalForUser(user));
  const product = await createProduct(ctx, { sku: 'BENCH-1', name: 'Bench bag', price: 12_345, stock: 1_000_000 });

  const started = Date.now();
  await generateOrders(orm, { brandId: brand.id, productId: product.id, prefix: 'BN', count: ORDERS });
  console.log(`Generated ${ORDERS.toLocaleString('en')} orders (3 items each) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);

  // These scenarios measure throughput from one session; its bucket would throttle them (the flood scenario keeps it).
  const env = loadEnv({ PORT: '0', LOG_LEVEL: 'error', THROTTLE_RESTORE_RATE: '1000000' });
  const app = await createApp({ orm, env, log: createLogger('error'), port: 0 });
  const login = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: `mutation { login(email: "owner@${slug}.test", password: "bench-password") { token } }` }),
  }).then((r) => r.json() as any);
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${login.data.login.token}` };
  const post = (query: string, variables: object = {}) => ({
    url: `${app.url}/graphql`,
    method: 'POST' as const,
    headers,
    body: JSON.stringify({ query, variables }),
  });

  const page = `query($after: String) { orders(first: 20, after: $after) { totalCount pageInfo { endCursor hasNextPage }
      nodes { id number status paymentStatus nextStatuses createdAt total { amount formatted } customer { email name }
      items { sku quantity total { amount formatted } } statusHistory { kind to actor { label } createdAt } } } }`;
  const deep = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query: `{ orders(first: 100, sort: CREATED_AT_DESC) { pageInfo { endCursor } } }` }),
  }).then((r) => r.json() as any);

  console.log(`API on ${ORDERS.toLocaleString('en')} orders, ${CONNECTIONS} connections, ${SECONDS} s each:`);
  await run('orders first page (20, items + history)', post(page));
  await run('orders page after 100 (keyset)', post(page, { after: deep.data.orders.pageInfo.endCursor }));
  await run('orders search, rare term "customer42@"', post(`{ orders(first: 20, filter: { search: "customer42@" }) { nodes { id number } } }`));
  await run('orders search, common term "bench bag"', post(`{ orders(first: 20, filter: { search: "bench bag" }) { nodes { id number } } }`));
  await run('orderStats (90 days, DAY)', post(`{ orderStats(range: { from: "${new Date(Date.now() - 90 * 86400_000).toISOString()}", to: "${new Date().toISOString()}" }) {
      byCurrency { orderCount netRevenue { amount } } series { periodStart orderCount } topProducts { sku quantity } } }`));
  let n = 0;
  await run('createOrder (1 line, stock reserved)', {
    ...post(''),
    setupClient: undefined,
    requests: [
      {
        method: 'POST',
        setupRequest: (req: any) => ({
          ...req,
          body: JSON.stringify({
            query: `mutation($i: CreateOrderInput!) { createOrder(input: $i) { number } }`,
            variables: { i: { items: [{ productId: product.id, quantity: 1 }], customer: { email: `b${n++}@example.com` } } },
          }),
        }),
      },
    ],
  });

  await benchDashboard(app.url, `owner@${slug}.test`);
  await benchFlood({ orm, heavyBrandSlug: slug, seconds: SECONDS, generateOrders });

  await app.stop();
  await orm.close(true);
  await stop();
}

/**
 * Issue 4's budgets: server render of the orders page (p50 ≤ 50 ms on a 100,000-order brand) and the JavaScript it ships
 * (≤ 200 KB gzipped). Serves the built dashboard against this API, signs in through the real form, then renders /orders.
 */
async function benchDashboard(apiUrl: string, email: string) {
  const webDir = path.resolve(__dirname, '../../web');
  if (!fs.existsSync(path.join(webDir, 'build/server/index.js'))) {
    spawnSync('pnpm', ['--silent', 'build'], { cwd: webDir, stdio: 'inherit' });
  }
  const port = 3900 + Math.floor(Math.random() * 90);
  const web = spawn(path.join(webDir, 'node_modules/.bin/remix-serve'), ['./build/server/index.js'], {
    cwd: webDir,
    env: { ...process.env, API_URL: `${apiUrl}/graphql`, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production', SESSION_SECRET: 'bench-session-secret-0123456789' },
    stdio: 'ignore',
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; i < 100; i++) {
      if (await fetch(`${base}/login`).then((r) => r.ok, () => false)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const login = await fetch(`${base}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email, password: 'bench-password', redirectTo: '/orders' }),
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
    if (!cookie) throw new Error(`dashboard sign-in failed (${login.status})`);
    console.log('\nDashboard (remix-serve, production build):');
    await run('server render of /orders (budget p50 ≤ 50 ms)', { url: `${base}/orders`, headers: { cookie } });
    const size = spawnSync('node', ['scripts/bundle-size.mjs'], { cwd: webDir, encoding: 'utf8' });
    console.log(`${size.stdout.trim()} (budget ≤ 200 KB gzipped)`);
  } finally {
    web.kill('SIGTERM');
  }
}

/**
 * Writes `count` orders (three items and one timeline entry each, one per minute back from now) straight in SQL, with
 * the search text order-search.ts would build, and the brand's counters to match.
 */
export async function generateOrders(orm: MikroORM, o: { brandId: string; productId: string; prefix: string; count: number }) {
  // Bulk generation outlives the pool's statement timeout, which is meant for requests: lifted for this transaction.
  await orm.em.getConnection().getKnex().transaction(async (trx) => {
    await trx.raw('set local statement_timeout = 0');
    await trx.raw(
      `insert into orders (id, created_at, updated_at, brand_id, seq, number, status, payment_status, currency, subtotal,
          discount_total, shipping_total, tax_total, total, customer_email, customer_name, source, search_text)
       select gen_random_uuid(), now() - (g || ' minutes')::interval, now(), ?, g, ? || '-' || lpad(g::text, 6, '0'),
          (array['PENDING','PROCESSING','SHIPPED','DELIVERED','CANCELLED'])[1 + g % 5],
          (array['AWAITING_PAYMENT','PAID','PAID','PAID','PAID'])[1 + g % 5], 'EUR', 37035, 0, 0, 0, 37035,
          'customer' || (g % 5000) || '@example.com', 'Customer ' || (g % 5000), 'DASHBOARD', ''
         from generate_series(1, ?) g`,
      [o.brandId, o.prefix, o.count],
    );
    await trx.raw(
      `insert into order_items (id, created_at, updated_at, brand_id, order_id, product_id, position, sku, name, unit_price, quantity, discount, tax, total)
       select gen_random_uuid(), o.created_at, o.created_at, o.brand_id, o.id, ?, p, 'BENCH-1', 'Bench bag', 12345, 1, 0, 0, 12345
         from orders o cross join generate_series(0, 2) p where o.brand_id = ?`,
      [o.productId, o.brandId],
    );
    await trx.raw(
      `insert into order_status_changes (id, created_at, updated_at, brand_id, order_id, kind, to_value, actor_type, actor_label)
       select gen_random_uuid(), o.created_at, o.created_at, o.brand_id, o.id, 'STATUS', 'PENDING', 'SYSTEM', 'Bench'
         from orders o where o.brand_id = ?`,
      [o.brandId],
    );
    // The same text order-search.ts builds: number, customer, lines.
    await trx.raw(
      `update orders o set search_text = lower(concat_ws(E'\\n', o.number, o.customer_email, o.customer_name,
          'bench-1', 'bench bag', 'bench-1', 'bench bag', 'bench-1', 'bench bag')) where o.brand_id = ?`,
      [o.brandId],
    );
    await trx.raw(`update brands set last_order_seq = ?, order_count = ? where id = ?`, [o.count, o.count, o.brandId]);
  });
  const conn = orm.em.getConnection();
  await conn.execute('vacuum analyze orders');
  await conn.execute('analyze');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
