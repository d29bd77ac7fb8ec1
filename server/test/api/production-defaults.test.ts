import { Client } from 'pg';
import { loadEnv } from '../../src/env';
import { startApiProcess, type ApiProcess } from '../support/api-process';
import { scratchDatabase, type ScratchDatabase } from '../support/scratch-database';

const INTROSPECTION = '{ __schema { queryType { name } } }';

async function post(api: ApiProcess, query: string) {
  const res = await fetch(`${api.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  return { res, body: (await res.json()) as any };
}

async function count(url: string, sql: string): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return Number((await client.query(sql)).rows[0].count);
  } finally {
    await client.end();
  }
}

describe('environment defaults', () => {
  it('seeds demo data and answers introspection on a developer machine, and in production only when asked', () => {
    expect(loadEnv({})).toMatchObject({ SEED_DEMO: true, GRAPHQL_INTROSPECTION: true });
    expect(loadEnv({ NODE_ENV: 'production' })).toMatchObject({ SEED_DEMO: false, GRAPHQL_INTROSPECTION: false });
    expect(loadEnv({ NODE_ENV: 'production', SEED_DEMO: 'true', GRAPHQL_INTROSPECTION: 'true' })).toMatchObject({
      SEED_DEMO: true,
      GRAPHQL_INTROSPECTION: true,
    });
    expect(loadEnv({ SEED_DEMO: 'false' })).toMatchObject({ SEED_DEMO: false });
  });
});

describe('the API started with NODE_ENV=production on an empty database', () => {
  let db: ScratchDatabase;
  let api: ApiProcess;
  beforeAll(async () => {
    db = await scratchDatabase();
    api = await startApiProcess({ NODE_ENV: 'production', DATABASE_URL: db.url });
  });
  afterAll(async () => {
    await api?.stop();
    await db?.drop();
  });

  it('writes no demo brand and no demo OWNER, and says how to create a brand', async () => {
    expect(await count(db.url, 'select count(*) from brands')).toBe(0);
    expect(await count(db.url, "select count(*) from users where email like '%@demo.luneo.test'")).toBe(0);
    expect(api.output()).toContain('pnpm cli brands create');
    expect(api.output()).not.toContain('luneo-demo');
  });

  it('refuses introspection', async () => {
    const { body } = await post(api, INTROSPECTION);
    expect(body.data).toBeUndefined();
    expect(body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(body.errors[0].message).toMatch(/introspection/i);
  });

  it('sends the security headers of a JSON API', async () => {
    const { res } = await post(api, '{ __typename }');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'");
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-powered-by')).toBeNull();
    // Nothing is cached, so no body is hashed for an ETag either.
    expect(res.headers.get('etag')).toBeNull();
    const health = await fetch(`${api.url}/healthz`);
    expect(health.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('the API started with NODE_ENV=production and GRAPHQL_INTROSPECTION=true', () => {
  let db: ScratchDatabase;
  let api: ApiProcess;
  beforeAll(async () => {
    db = await scratchDatabase();
    api = await startApiProcess({ NODE_ENV: 'production', DATABASE_URL: db.url, GRAPHQL_INTROSPECTION: 'true' });
  });
  afterAll(async () => {
    await api?.stop();
    await db?.drop();
  });

  it('answers introspection because it was asked to', async () => {
    const { body } = await post(api, INTROSPECTION);
    expect(body.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });
});
