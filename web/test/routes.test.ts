import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { buildSchema, graphqlSync, GraphQLError } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

/**
 * Route tests: the GraphQL forwarding route and sign-in, against a fake API on a local port
 * (the only faked thing is the third-party HTTP the routes call).
 */
type Seen = { headers: IncomingMessage['headers']; body: string };
let api: Server;
let seen: Seen[] = [];
let reply: (body: string) => { status: number; body: unknown } = () => ({ status: 200, body: { data: { ok: true } } });

type Routes = {
  proxy: typeof import('~/routes/api.graphql');
  login: typeof import('~/routes/login/route');
  session: typeof import('~/lib/session.server');
  settings: typeof import('~/routes/_app.settings/route');
  shell: typeof import('~/routes/_app/route');
  orders: typeof import('~/routes/_app.orders._index/route');
};
let routes: Routes;

beforeAll(async () => {
  api = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ headers: req.headers, body });
      const r = reply(body);
      res.writeHead(r.status, { 'content-type': 'application/graphql-response+json; charset=utf-8' });
      res.end(JSON.stringify(r.body));
    });
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  process.env.API_URL = `http://127.0.0.1:${(api.address() as AddressInfo).port}/graphql`;
  process.env.SESSION_SECRET = 'test-secret-at-least-16-chars';
  routes = {
    proxy: await import('~/routes/api.graphql'),
    login: await import('~/routes/login/route'),
    session: await import('~/lib/session.server'),
    settings: await import('~/routes/_app.settings/route'),
    shell: await import('~/routes/_app/route'),
    orders: await import('~/routes/_app.orders._index/route'),
  };
});

afterAll(() => new Promise<void>((resolve) => api.close(() => resolve())));

beforeEach(() => {
  seen = [];
  reply = () => ({ status: 200, body: { data: { ok: true } } });
});

const ORIGIN = 'http://dash.test';

const schema = buildSchema(readFileSync(new URL('../../schema/schema.graphql', import.meta.url), 'utf8'));

/** A reply that executes the request against the real schema with these root fields. */
function executing(rootValue: Record<string, (args: never) => unknown>) {
  return (body: string) => {
    const { query, variables } = JSON.parse(body);
    return { status: 200, body: graphqlSync({ schema, source: query, variableValues: variables, rootValue }) };
  };
}

async function sessionCookie(token = 'tok_123'): Promise<string> {
  const res = await routes.session.createUserSession(new Request(`${ORIGIN}/login`), token, new Date(Date.now() + 3600_000).toISOString(), '/orders');
  return res.headers.get('set-cookie')!.split(';')[0];
}

function graphqlRequest(init: { cookie?: string; headers?: Record<string, string>; body?: string } = {}) {
  return new Request(`${ORIGIN}/api/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      origin: ORIGIN,
      'sec-fetch-site': 'same-origin',
      ...(init.cookie ? { cookie: init.cookie } : {}),
      ...init.headers,
    },
    body: init.body ?? JSON.stringify({ query: '{ viewer { role } }' }),
  });
}

const call = (request: Request) => routes.proxy.action({ request, params: {}, context: {} });

describe('/api/graphql', () => {
  it('forwards the query with the session token and hands back the answer', async () => {
    const res = await call(graphqlRequest({ cookie: await sessionCookie('tok_abc') }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { ok: true } });
    expect(seen).toHaveLength(1);
    expect(seen[0].headers.authorization).toBe('Bearer tok_abc');
    expect(seen[0].headers['content-type']).toBe('application/json');
    expect(JSON.parse(seen[0].body)).toEqual({ query: '{ viewer { role } }' });
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('refuses without a session, cross-site, or without JSON — and never calls the API then', async () => {
    expect((await call(graphqlRequest())).status).toBe(401);
    const cookie = await sessionCookie();
    expect((await call(graphqlRequest({ cookie, headers: { 'sec-fetch-site': 'cross-site' } }))).status).toBe(403);
    expect((await call(graphqlRequest({ cookie, headers: { origin: 'http://evil.test' } }))).status).toBe(403);
    expect((await call(graphqlRequest({ cookie, headers: { 'content-type': 'text/plain' } }))).status).toBe(415);
    expect((await call(graphqlRequest({ cookie: `${cookie.split('=')[0]}=forged` }))).status).toBe(401);
    expect(seen).toHaveLength(0);
    const get = await routes.proxy.loader();
    expect(get.status).toBe(405);
  });

  it('passes API errors through and drops the cookie when the API says the session ended', async () => {
    reply = () => ({ status: 200, body: { errors: [{ message: 'Session expired', extensions: { code: 'UNAUTHENTICATED' } }] } });
    const res = await call(graphqlRequest({ cookie: await sessionCookie() }));
    expect((await res.json()).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(res.headers.get('set-cookie')).toMatch(/__luneo_session=;.*Max-Age=0|Expires=Thu, 01 Jan 1970/);
  });

  it('keeps the session when the word UNAUTHENTICATED is only data, say an order note', async () => {
    reply = () => ({ status: 200, body: { data: { order: { notes: [{ body: 'Customer said "UNAUTHENTICATED" on the phone' }] } } } });
    const res = await call(graphqlRequest({ cookie: await sessionCookie() }));
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toBeNull();
    reply = () => ({ status: 200, body: { data: null, errors: [{ message: 'UNAUTHENTICATED', extensions: { code: 'FORBIDDEN' } }] } });
    expect((await call(graphqlRequest({ cookie: await sessionCookie() }))).headers.get('set-cookie')).toBeNull();
  });

  it('answers 503 when the API is down', async () => {
    const saved = process.env.API_URL;
    const { env } = await import('~/lib/env.server');
    const original = env.apiUrl;
    (env as { apiUrl: string }).apiUrl = 'http://127.0.0.1:1/graphql';
    try {
      const res = await call(graphqlRequest({ cookie: await sessionCookie() }));
      expect(res.status).toBe(503);
      expect((await res.json()).errors[0].extensions.code).toBe('NETWORK');
    } finally {
      (env as { apiUrl: string }).apiUrl = original;
      process.env.API_URL = saved;
    }
  });
});

describe('sign-in action', () => {
  const form = (fields: Record<string, string>) =>
    new Request(`${ORIGIN}/login`, { method: 'POST', body: new URLSearchParams(fields) });
  const login = (request: Request) => routes.login.action({ request, params: {}, context: {} });
  const acceptLogin = () => ({
    status: 200,
    body: { data: { login: { token: 'tok_new', expiresAt: new Date(Date.now() + 86400_000).toISOString(), viewer: null } } },
  });

  it('stores the token in an httpOnly, SameSite=Lax cookie and goes back where the person was', async () => {
    reply = (body) => {
      expect(JSON.parse(body).variables).toEqual({ email: 'owner@demo.luneo.test', password: 'pw' });
      return {
        status: 200,
        body: { data: { login: { token: 'tok_new', expiresAt: new Date(Date.now() + 86400_000).toISOString(), viewer: null } } },
      };
    };
    const res = (await login(form({ email: 'owner@demo.luneo.test', password: 'pw', redirectTo: '/orders?status=PENDING' }))) as Response;
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/orders?status=PENDING');
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    const token = await routes.session.getToken(new Request(ORIGIN, { headers: { cookie: cookie.split(';')[0] } }));
    expect(token).toBe('tok_new');
  });

  it('explains wrong credentials without saying which part was wrong', async () => {
    reply = () => ({ status: 200, body: { errors: [{ message: 'Invalid email or password', extensions: { code: 'UNAUTHENTICATED' } }] } });
    const res = (await login(form({ email: 'owner@demo.luneo.test', password: 'nope' }))) as unknown as { data: { formError: string }; init: { status: number } };
    expect(res.init.status).toBe(401);
    expect(res.data.formError).toMatch(/do not match an account/);
  });

  it('validates the form before calling the API', async () => {
    const res = (await login(form({ email: 'not-an-email', password: '' }))) as unknown as { data: { fieldErrors: Record<string, string> } };
    expect(res.data.fieldErrors).toEqual({ email: 'This does not look like an email address.', password: 'Enter your password.' });
    expect(seen).toHaveLength(0);
  });

  it('never redirects off-site after sign-in, however the target is spelled', async () => {
    reply = acceptLogin;
    for (const redirectTo of ['/\t/evil.example', '//evil.example', 'https://evil.example/orders']) {
      const res = (await login(form({ email: 'owner@demo.luneo.test', password: 'pw', redirectTo }))) as Response;
      expect(res.headers.get('location'), JSON.stringify(redirectTo)).toBe('/orders');
    }
  });

  it('refuses a sign-in posted by another site (login CSRF) without calling the API', async () => {
    const fields = new URLSearchParams({ email: 'attacker@evil.example', password: 'pw' });
    for (const headers of [{ origin: 'http://evil.example' }, { 'sec-fetch-site': 'cross-site' }, { origin: 'null' }] as Record<string, string>[]) {
      const res = (await login(new Request(`${ORIGIN}/login`, { method: 'POST', headers, body: fields }))) as unknown as {
        init: { status: number };
      };
      expect(res.init.status, JSON.stringify(headers)).toBe(403);
    }
    expect(seen).toHaveLength(0);
  });

  it('accepts a sign-in posted from the dashboard itself', async () => {
    reply = acceptLogin;
    const headers = { origin: ORIGIN, 'sec-fetch-site': 'same-origin' };
    const res = (await login(new Request(`${ORIGIN}/login`, { method: 'POST', headers, body: new URLSearchParams({ email: 'owner@demo.luneo.test', password: 'pw' }) }))) as Response;
    expect(res.status).toBe(302);
  });
});

describe('settings loader', () => {
  const brand = {
    id: 'b1', name: 'Demo', slug: 'demo', currency: 'EUR', orderNumberPrefix: 'LL', taxRateBps: 2000, taxInclusive: true,
    shippingFlatRate: { amount: 500, currency: 'EUR', formatted: '€5.00' }, freeShippingThreshold: null, subscription: null,
  };
  const event = {
    id: 'e1', eventId: 'evt_1', type: 'charge.refunded', outcome: 'FAILED', reason: null, error: 'boom', attempts: 2, livemode: false,
    receivedAt: '2026-11-01T10:00:00.000Z', lastReceivedAt: '2026-11-01T10:05:00.000Z', processedAt: null,
  };
  /**
   * The fake API executes what it is sent against the real schema, as that role would get it: the loader's two queries
   * arrive merged into one document (aliased root fields, prefixed variables), or alone.
   */
  const answerAs = (role: string) =>
    executing({
      viewer: () => ({ role, brand }),
      discountCodes: () => [],
      webhookEvents: (args: unknown) => {
        if (role !== 'ADMIN' && role !== 'OWNER') throw new GraphQLError('Forbidden: needs ADMIN', { extensions: { code: 'FORBIDDEN' } });
        expect(args).toEqual({ first: 20, filter: { outcome: ['FAILED'] } });
        return { nodes: [event], pageInfo: { hasNextPage: true, endCursor: 'c1' } };
      },
    });
  const load = async (url: string) =>
    routes.settings.loader({ request: new Request(url, { headers: { cookie: await sessionCookie() } }), params: {}, context: {} });

  it('loads the first page of Stripe events for the outcome in the URL, beside the settings', async () => {
    reply = answerAs('ADMIN');
    const result = await load(`${ORIGIN}/settings?events=failed`);
    // Asked in the same turn, the settings and the events go to the API as one request.
    expect(seen).toHaveLength(1);
    expect(result.stripeEvents.variables).toEqual({ first: 20, filter: { outcome: ['FAILED'] } });
    expect(result.stripeEvents.data.webhookEvents.nodes[0].eventId).toBe('evt_1');
    expect(result.viewer.brand.subscription).toBeNull();
  });

  it('answers a VIEWER with the settings page’s own 403, not the events query’s', async () => {
    reply = answerAs('VIEWER');
    const thrown = await load(`${ORIGIN}/settings?events=failed`).then(
      () => null,
      (e: unknown) => e as { data: { message: string }; init: { status: number } },
    );
    expect(thrown?.init.status).toBe(403);
    expect(thrown?.data.message).toMatch(/Only owners and admins/);
    // The events' error emptied the merged answer, so the settings were asked again alone.
    expect(seen).toHaveLength(2);
  });
});

describe('environment', () => {
  it('defaults the API URL from PORT and names what is wrong', async () => {
    const { parseEnv } = await import('~/lib/env.server');
    expect(parseEnv({}).apiUrl).toBe('http://127.0.0.1:4000/graphql');
    expect(parseEnv({ PORT: '4100' }).apiUrl).toBe('http://127.0.0.1:4100/graphql');
    expect(parseEnv({ API_URL: 'http://api.internal/graphql', PORT: '1' }).apiUrl).toBe('http://api.internal/graphql');
    expect(parseEnv({}).sessionSecretIsDefault).toBe(true);
    expect(() => parseEnv({ API_URL: 'not a url', SESSION_SECRET: 'short' })).toThrow(/API_URL[\s\S]*SESSION_SECRET/);
  });
});

describe('a page inside the shell', () => {
  const viewer = {
    role: 'OWNER', scopes: [], actor: { id: 'u1', label: 'Ada', type: 'USER' },
    brand: { id: 'b1', name: 'Demo', slug: 'demo', currency: 'EUR', locale: 'fr-FR' },
  };
  const noOrders = { totalCount: 0, pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null }, nodes: [] };
  /** Remix runs the shell's and the page's loaders of one request at once, with one load context. */
  const loadOrdersPage = async (url: string, pageFirst = false) => {
    const context = {};
    const cookie = await sessionCookie();
    const args = () => ({ request: new Request(url, { headers: { cookie } }), params: {}, context });
    // The loader called first has its query first in the merged document.
    const early = pageFirst ? routes.orders.loader(args()) : null;
    const shell = routes.shell.loader(args());
    return Promise.allSettled([shell, early ?? routes.orders.loader(args())]);
  };

  /** The orders page sends its loader data as one JSON text (see json-text.ts). */
  const ordersSeed = (value: { seed: string }) => JSON.parse(value.seed) as { variables: unknown; data: { orders: { totalCount: number } } };

  it('asks the API once for the viewer and the orders', async () => {
    reply = executing({ viewer: () => viewer, orders: () => noOrders });
    const [shell, page] = await loadOrdersPage(`${ORIGIN}/orders?status=SHIPPED`);
    expect(seen).toHaveLength(1);
    expect(shell.status === 'fulfilled' && shell.value.viewer.actor.label).toBe('Ada');
    expect(page.status === 'fulfilled' && ordersSeed(page.value).data.orders.totalCount).toBe(0);
  });

  it('reuses a merged document’s text only for the same queries merged in the same order', async () => {
    reply = executing({ viewer: () => viewer, orders: () => noOrders });
    for (const pageFirst of [false, true, false, true]) {
      const [shell, page] = await loadOrdersPage(`${ORIGIN}/orders?status=SHIPPED`, pageFirst);
      expect(shell.status === 'fulfilled' && shell.value.viewer.actor.label).toBe('Ada');
      expect(page.status === 'fulfilled' && ordersSeed(page.value).data.orders.totalCount).toBe(0);
    }
    const [shellFirst, pageFirst, shellFirstAgain, pageFirstAgain] = seen.map((request) => JSON.parse(request.body).query);
    expect(shellFirstAgain).toBe(shellFirst);
    expect(pageFirstAgain).toBe(pageFirst);
    expect(pageFirst).not.toBe(shellFirst);
  });

  it('sends each request’s own variables when the same queries are merged again', async () => {
    const statuses: unknown[] = [];
    reply = executing({
      viewer: () => viewer,
      orders: (args: unknown) => {
        statuses.push((args as { filter?: { status?: string[] } }).filter?.status);
        return noOrders;
      },
    });
    for (const status of ['SHIPPED', 'PENDING', 'SHIPPED']) await loadOrdersPage(`${ORIGIN}/orders?status=${status}`);
    expect(seen).toHaveLength(3);
    expect(statuses).toEqual([['SHIPPED'], ['PENDING'], ['SHIPPED']]);
  });

  it('keeps the shell when the page’s own query fails: each loader gets the answer it would have had alone', async () => {
    reply = executing({
      viewer: () => viewer,
      orders: () => {
        throw new GraphQLError('filter.from: not a date', { extensions: { code: 'BAD_USER_INPUT', field: 'filter.from' } });
      },
    });
    const [shell, page] = await loadOrdersPage(`${ORIGIN}/orders`);
    expect(shell.status === 'fulfilled' && shell.value.viewer.brand.name).toBe('Demo');
    expect(page.status === 'rejected' && (page.reason as { init: { status: number } }).init.status).toBe(400);
  });
});
