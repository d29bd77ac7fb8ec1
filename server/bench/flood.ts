import autocannon from 'autocannon';
import type { MikroORM } from '@mikro-orm/postgresql';
import { createApiKeyForBrand } from '../src/api-keys/api-key.service';
import { createApp } from '../src/app';
import { principalForUser } from '../src/auth/auth.service';
import { createBrand } from '../src/brands/brand.service';
import { loadEnv } from '../src/env';
import { createLogger } from '../src/logger';
import { createProduct } from '../src/products/product.service';
import { RequestContext } from '../src/shared/request-context';
import { createUser } from '../src/users/user.service';

/**
 * Issue 8's flood scenario: one partner key of the big brand sends expensive operations as fast as it can while
 * another brand's dashboard does its usual reads. With the limits (default capacity and restore rate) the flood is
 * throttled, so the other brand's p99 should stay within 2× of its quiet p99. A figure, never an assertion.
 */
export async function benchFlood(options: {
  orm: MikroORM;
  heavyBrandSlug: string;
  seconds: number;
  generateOrders: (orm: MikroORM, o: { brandId: string; productId: string; prefix: string; count: number }) => Promise<void>;
}) {
  const { orm, heavyBrandSlug, seconds } = options;
  const em = orm.em.fork();
  const { secret } = await createApiKeyForBrand(em, { brandSlug: heavyBrandSlug, name: 'flood', scopes: ['orders:read', 'stats:read'] });

  const slug = `quiet-${Date.now()}`;
  const quiet = await createBrand(em, { slug, name: 'Quiet brand', currency: 'EUR', prefix: 'QB' });
  const user = await createUser(em, { brandSlug: slug, email: `admin@${slug}.test`, password: 'bench-password', role: 'ADMIN' });
  const product = await createProduct(RequestContext.create(orm.em as any, principalForUser(user)), {
    sku: 'BENCH-1',
    name: 'Bench bag',
    price: 12_345,
    stock: 1_000,
  });
  await options.generateOrders(orm, { brandId: quiet.id, productId: product.id, prefix: 'QB', count: 2_000 });

  // The production defaults: the point is to see them hold.
  const app = await createApp({ orm, env: loadEnv({ PORT: '0', LOG_LEVEL: 'error' }), log: createLogger('error'), port: 0 });
  try {
    const login = (await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `mutation { login(email: "admin@${slug}.test", password: "bench-password") { token } }` }),
    }).then((r) => r.json())) as any;
    const dashboard = dashboardRequests(login.data.login.token);
    const url = `${app.url}/graphql`;

    const quietRun = await autocannon({ url, connections: 2, duration: seconds, requests: dashboard });
    await settle();

    const year = 365 * 86_400_000;
    const stats = `{ orderStats(range: { from: "${new Date(Date.now() - 2 * year).toISOString()}", to: "${new Date().toISOString()}" }) {
        byCurrency { orderCount netRevenue { amount } } series { periodStart orderCount } topProducts(limit: 20) { sku quantity } } }`;
    const bigPage = `{ orders(first: 100, filter: { search: "bench bag" }) { nodes { id items { sku } statusHistory { kind } } } }`;
    const floodBody = (query: string) => ({
      method: 'POST' as const,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
      body: JSON.stringify({ query }),
    });
    const [floodedRun, flood] = await Promise.all([
      autocannon({ url, connections: 2, duration: seconds, requests: dashboard }),
      autocannon({ url, connections: 20, duration: seconds, requests: [floodBody(stats), floodBody(bigPage)] }),
    ]);
    await settle();

    const granted = flood.requests.total - flood.non2xx;
    console.log('\nFlood: one key of the big brand floods 2-year stats and 100-order pages (20 connections) while another brand’s dashboard reads (2 connections):');
    console.log(`  other brand, quiet     p50 ${quietRun.latency.p50} ms   p99 ${quietRun.latency.p99} ms   ${quietRun.requests.average.toFixed(0)} req/s`);
    console.log(`  other brand, flooded   p50 ${floodedRun.latency.p50} ms   p99 ${floodedRun.latency.p99} ms   ${floodedRun.requests.average.toFixed(0)} req/s   (p99 ×${(floodedRun.latency.p99 / Math.max(1, quietRun.latency.p99)).toFixed(2)}; target ≤ ×2)`);
    console.log(`  flooding key           ${flood.requests.total} requests: ${granted} served, ${flood.non2xx} throttled (429), p99 ${flood.latency.p99} ms`);
  } finally {
    await app.stop();
  }
}

/** What the orders page of the dashboard asks for: who am I, then the first page of orders. */
function dashboardRequests(token: string): autocannon.Request[] {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
  const request = (query: string): autocannon.Request => ({ method: 'POST', headers, body: JSON.stringify({ query }) });
  return [
    request(`{ viewer { role brand { id name currency } } }`),
    request(`{ orders(first: 20) { totalCount pageInfo { endCursor hasNextPage } nodes { id number status paymentStatus createdAt
        total { amount formatted } customer { email name } items { sku quantity } } } }`),
  ];
}

function settle() {
  return new Promise((resolve) => setTimeout(resolve, 1500));
}
