import os from 'node:os';
import { recordThrottled, registry } from '../../src/ops/metrics';
import { startApiProcess, type ApiProcess } from '../support/api-process';
import { createTestBrand, startTestApp, type TestApp, type TestBrand } from '../support/harness';
import { deliver, STRIPE_ENV, stripeEvent, stripeId } from '../support/stripe';

const METRICS_TOKEN = 'metrics-token-for-tests-0123456789';

let t: TestApp;
let brand: TestBrand;
let api: ApiProcess;

beforeAll(async () => {
  // The in-process app arranges the brand and its sessions; the API under test is a real process on the same database.
  t = await startTestApp(STRIPE_ENV);
  brand = await createTestBrand(t);
  api = await startApiProcess({ DATABASE_URL: t.databaseUrl, HOST: '0.0.0.0', METRICS_TOKEN, ...STRIPE_ENV });
});
afterAll(async () => {
  await api?.stop();
  await t?.close();
});

async function gql(query: string, options: { token?: string; requestId?: string } = {}) {
  return fetch(`${api.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.requestId ? { 'x-request-id': options.requestId } : {}),
    },
    body: JSON.stringify({ query }),
  });
}

async function scrape(base = api.url, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}/metrics`, { headers });
  return { status: res.status, contentType: res.headers.get('content-type'), text: await res.text() };
}

/** The value of one series in Prometheus' text format, or undefined when it is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** An address of this machine that is not loopback, to reach the API as another host would. */
function externalAddress(): string | undefined {
  return Object.values(os.networkInterfaces())
    .flat()
    .find((info) => info && info.family === 'IPv4' && !info.internal)?.address;
}

describe('GET /metrics', () => {
  it('counts requests by operation and outcome, with latency histograms, pool usage and webhook outcomes by type', async () => {
    expect((await gql('query WhoAmI { viewer { role } }', { token: brand.tokens.VIEWER })).status).toBe(200);
    expect((await gql('query WhoAmI { viewer { role } }', { token: brand.tokens.STAFF })).status).toBe(200);
    expect((await gql('query HugePage { orders(first: 500) { totalCount } }', { token: brand.tokens.VIEWER })).status).toBe(200);
    expect((await gql('{ viewer { role } }')).status).toBe(200);

    const event = stripeEvent('customer.created', { id: stripeId('cus'), object: 'customer' });
    expect((await deliver(api.url, event)).status).toBe(200);
    expect((await deliver(api.url, event)).status).toBe(200);
    expect((await deliver(api.url, event, { header: 't=1,v1=forged' })).status).toBe(400);

    const { status, contentType, text } = await scrape();
    expect(status).toBe(200);
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(sample(text, 'luneo_graphql_requests_total{operation="WhoAmI",outcome="ok"}')).toBe(2);
    expect(sample(text, 'luneo_graphql_requests_total{operation="HugePage",outcome="BAD_USER_INPUT"}')).toBe(1);
    expect(sample(text, 'luneo_graphql_requests_total{operation="anonymous",outcome="UNAUTHENTICATED"}')).toBe(1);
    expect(sample(text, 'luneo_graphql_request_duration_seconds_count{operation="WhoAmI"}')).toBe(2);
    expect(sample(text, 'luneo_graphql_request_duration_seconds_bucket{le="+Inf",operation="WhoAmI"}')).toBe(2);
    expect(sample(text, 'luneo_http_requests_total{route="/graphql",status="200"}')).toBe(4);

    expect(sample(text, 'luneo_stripe_webhooks_total{type="customer.created",outcome="IGNORED"}')).toBe(1);
    expect(sample(text, 'luneo_stripe_webhooks_total{type="customer.created",outcome="DUPLICATE"}')).toBe(1);
    expect(sample(text, 'luneo_stripe_webhooks_total{type="unverified",outcome="INVALID"}')).toBe(1);

    expect(sample(text, 'luneo_db_pool_max_connections')).toBe(10);
    expect(sample(text, 'luneo_db_pool_connections{state="used"}')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'luneo_db_pool_connections{state="free"}')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'luneo_db_pool_waiting_requests')).toBe(0);
    expect(sample(text, 'luneo_db_pool_acquire_wait_seconds_count')).toBeGreaterThan(0);
    expect(text).toContain('# TYPE luneo_throttled_requests_total counter');
    expect(text).toContain('luneo_process_resident_memory_bytes');
  });

  it('counts throttled requests reported by a rate limiter', async () => {
    recordThrottled('login');
    recordThrottled('login');
    const text = await registry.metrics();
    expect(sample(text, 'luneo_throttled_requests_total{limiter="login"}')).toBe(2);
  });

  it('answers other hosts only with the METRICS_TOKEN bearer; a proxy on this host counts as another host', async () => {
    const forwarded = { 'x-forwarded-for': '203.0.113.7' };
    expect((await scrape(api.url, forwarded)).status).toBe(401);
    expect((await scrape(api.url, { ...forwarded, authorization: 'Bearer wrong-token-wrong-token' })).status).toBe(401);
    const allowed = await scrape(api.url, { ...forwarded, authorization: `Bearer ${METRICS_TOKEN}` });
    expect(allowed.status).toBe(200);
    expect(allowed.text).toContain('luneo_graphql_requests_total');

    const address = externalAddress();
    if (address) {
      const remote = `http://${address}:${new URL(api.url).port}`;
      const refused = await scrape(remote);
      expect(refused.status).toBe(401);
      expect(refused.text).not.toContain('luneo_');
      expect((await scrape(remote, { authorization: `Bearer ${METRICS_TOKEN}` })).status).toBe(200);
    }
  });
});

describe('request log', () => {
  it('writes one JSON line per request with its id (also answered as x-request-id), operation, actor, brand, duration and outcome', async () => {
    const res = await gql('query WhoAmI { viewer { role } }', { token: brand.tokens.ADMIN, requestId: 'trace-abc.123' });
    expect(res.headers.get('x-request-id')).toBe('trace-abc.123');
    const generated = await gql('query WhoAmI { viewer { role } }', { token: brand.tokens.ADMIN, requestId: 'not a valid id {}' });
    const generatedId = generated.headers.get('x-request-id')!;
    expect(generatedId).toMatch(/^[0-9a-f-]{36}$/);

    const deadline = Date.now() + 10_000;
    const linesFor = (id: string) => api.logLines().filter((line) => line.msg === 'request' && line.requestId === id);
    while (linesFor(generatedId).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const lines = linesFor('trace-abc.123');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'info',
      route: '/graphql',
      status: 200,
      operation: 'WhoAmI',
      actor: `USER:${brand.userIds.ADMIN}`,
      brand: brand.id,
      outcome: 'ok',
    });
    expect(typeof lines[0].durationMs).toBe('number');
    expect(linesFor(generatedId)).toHaveLength(1);
  });
});
