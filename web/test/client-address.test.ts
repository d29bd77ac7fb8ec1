import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Sign-in forwards the person's address (the last X-Forwarded-For entry, the one the proxy in front appended) with the
 * shared secret, so that the API limits failed sign-ins per person, not per dashboard. Against a fake API on a port.
 */
const SECRET = 's'.repeat(40);
let api: Server;
let seen: IncomingMessage['headers'][] = [];
let login: typeof import('~/routes/login/route');

beforeAll(async () => {
  api = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push(req.headers);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ message: 'Email or password is incorrect', extensions: { code: 'UNAUTHENTICATED' } }] }));
    });
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  process.env.API_URL = `http://127.0.0.1:${(api.address() as AddressInfo).port}/graphql`;
  process.env.SESSION_SECRET = 'test-secret-at-least-16-chars';
  process.env.DASHBOARD_FORWARDING_SECRET = SECRET;
  login = await import('~/routes/login/route');
});

afterAll(() => new Promise<void>((resolve) => api.close(() => resolve())));

async function signIn(headers: Record<string, string>) {
  seen = [];
  const request = new Request('http://dash.test/login', {
    method: 'POST',
    headers,
    body: new URLSearchParams({ email: 'someone@example.com', password: 'wrong' }),
  });
  await login.action({ request, params: {}, context: {} });
  expect(seen).toHaveLength(1);
  return seen[0];
}

describe('sign-in forwards the client address', () => {
  it('the address the proxy appended, with the shared secret', async () => {
    const headers = await signIn({ 'x-forwarded-for': '10.9.9.9, 203.0.113.7' });
    expect(headers['x-luneo-client-address']).toBe('203.0.113.7');
    expect(headers['x-luneo-forwarding-secret']).toBe(SECRET);
  });

  it('nothing when there is no proxy header, or its last entry is not an address', async () => {
    for (const extra of [{}, { 'x-forwarded-for': '203.0.113.7, not-an-ip' }] as Record<string, string>[]) {
      const headers = await signIn(extra);
      expect(headers['x-luneo-client-address']).toBeUndefined();
      expect(headers['x-luneo-forwarding-secret']).toBeUndefined();
    }
  });
});
