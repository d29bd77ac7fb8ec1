import { beforeAll, describe, expect, it, vi } from 'vitest';

/** The session cookie and the settings that guard it in production. */
type Session = typeof import('~/lib/session.server');
let session: Session;

const SECRET = 'a-test-session-secret-that-is-long-enough';
const TOKEN = 'lun_live_0123456789abcdefghijklmnopqrstuv';

beforeAll(async () => {
  process.env.SESSION_SECRET = SECRET;
  session = await import('~/lib/session.server');
});

async function signIn(token = TOKEN): Promise<string> {
  const expiresAt = new Date(Date.now() + 3600_000).toISOString();
  const res = await session.createUserSession(new Request('http://dash.test/login'), token, expiresAt, '/orders');
  return res.headers.get('set-cookie')!;
}

/** Every reading someone could try on a cookie value: raw, URL-decoded, each signed part and each string inside as base64. */
function readings(value: string): string[] {
  const decoded = decodeURIComponent(value);
  const layers = [value, decoded, ...decoded.split('.').map((part) => Buffer.from(part, 'base64').toString('utf8'))];
  const strings = layers.flatMap((layer) => [...layer.matchAll(/"([^"]*)"/g)].map((m) => Buffer.from(m[1], 'base64').toString('latin1')));
  return [...layers, ...strings];
}

describe('session cookie', () => {
  it('holds no usable API credential: the token cannot be read from it in any encoding', async () => {
    const setCookie = await signIn();
    const value = setCookie.split(';')[0].split('=').slice(1).join('=');
    for (const reading of readings(value)) expect(reading).not.toContain(TOKEN);
    expect(await session.getToken(new Request('http://dash.test/', { headers: { cookie: setCookie.split(';')[0] } }))).toBe(TOKEN);
  });

  it('seals the same token differently every time', () => {
    const expiresAt = new Date(Date.now() + 3600_000).toISOString();
    expect(session.sealSession({ token: TOKEN, expiresAt })).not.toBe(session.sealSession({ token: TOKEN, expiresAt }));
  });

  it('opens nothing altered, truncated or forged', () => {
    const sealed = session.sealSession({ token: TOKEN, expiresAt: new Date(Date.now() + 3600_000).toISOString() });
    const bytes = Buffer.from(sealed, 'base64url');
    for (const index of [0, 12, bytes.length - 1]) {
      const altered = Buffer.from(bytes);
      altered[index] ^= 1;
      expect(session.openSession(altered.toString('base64url'))).toBeNull();
    }
    expect(session.openSession(sealed.slice(0, -4))).toBeNull();
    expect(session.openSession(Buffer.from(JSON.stringify({ token: TOKEN, expiresAt: '2999-01-01' })).toString('base64url'))).toBeNull();
    expect(session.openSession(undefined)).toBeNull();
    expect(session.openSession(sealed)?.token).toBe(TOKEN);
  });

  it('treats an expired session as none', async () => {
    const res = await session.createUserSession(new Request('http://dash.test/login'), TOKEN, new Date(Date.now() - 1000).toISOString(), '/orders');
    const cookie = res.headers.get('set-cookie')!.split(';')[0];
    expect(await session.getToken(new Request('http://dash.test/', { headers: { cookie } }))).toBeNull();
  });
});

describe('reading the session of a request', () => {
  const tokenOf = (cookie: string) => session.getToken(new Request('http://dash.test/orders', { headers: { cookie } }));

  it('gives the same token for the same cookie, page after page', async () => {
    const cookie = (await signIn()).split(';')[0];
    for (let i = 0; i < 3; i++) expect(await tokenOf(cookie)).toBe(TOKEN);
    expect(await tokenOf(`${cookie}; luneo_tz=Europe%2FParis`)).toBe(TOKEN);
  });

  it('still refuses an altered cookie after the genuine one was read', async () => {
    const cookie = (await signIn()).split(';')[0];
    expect(await tokenOf(cookie)).toBe(TOKEN);
    const [name, value] = cookie.split('=');
    const flipped = value.slice(0, 20) + (value[20] === 'A' ? 'B' : 'A') + value.slice(21);
    expect(await tokenOf(`${name}=${flipped}`)).toBeNull();
    expect(await tokenOf(`${name}=${value.slice(0, value.lastIndexOf('.'))}.${'x'.repeat(43)}`)).toBeNull();
  });

  it('stops giving the token once the session expires, even for a cookie read before', async () => {
    const expiresAt = new Date(Date.now() + 60_000).toISOString();
    const res = await session.createUserSession(new Request('http://dash.test/login'), TOKEN, expiresAt, '/orders');
    const cookie = res.headers.get('set-cookie')!.split(';')[0];
    expect(await tokenOf(cookie)).toBe(TOKEN);
    vi.useFakeTimers({ now: Date.now() + 61_000, toFake: ['Date'] });
    try {
      expect(await tokenOf(cookie)).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('production settings', () => {
  const strong = '3f9c0a7e5b1d2c4e6a8b0c1d2e3f4a5b';

  it('refuses to start without a strong SESSION_SECRET, in one line that says what to do', async () => {
    const { parseEnv } = await import('~/lib/env.server');
    for (const secret of [undefined, 'luneo-dev-session-secret-change-me', 'only-twenty-chars-xx']) {
      const attempt = () => parseEnv({ NODE_ENV: 'production', SESSION_SECRET: secret });
      expect(attempt).toThrow(/^Invalid environment for the dashboard: SESSION_SECRET: set it to at least 32 random characters in production/);
      expect(attempt).not.toThrow(/\n/);
    }
    expect(parseEnv({ NODE_ENV: 'production', SESSION_SECRET: strong }).sessionSecret).toBe(strong);
    expect(parseEnv({ NODE_ENV: 'development' }).sessionSecretIsDefault).toBe(true);
  });

  it('marks cookies Secure in production unless COOKIE_SECURE=false opts out', async () => {
    const { parseEnv } = await import('~/lib/env.server');
    expect(parseEnv({ NODE_ENV: 'production', SESSION_SECRET: strong }).cookieSecure).toBe(true);
    expect(parseEnv({ NODE_ENV: 'production', SESSION_SECRET: strong, COOKIE_SECURE: 'false' }).cookieSecure).toBe(false);
    expect(parseEnv({ NODE_ENV: 'development' }).cookieSecure).toBe(false);
    expect(parseEnv({ NODE_ENV: 'development', COOKIE_SECURE: 'true' }).cookieSecure).toBe(true);
  });

  it('takes DASHBOARD_ORIGIN only as an origin', async () => {
    const { parseEnv } = await import('~/lib/env.server');
    expect(parseEnv({ DASHBOARD_ORIGIN: 'https://orders.example.com/' }).dashboardOrigin).toBe('https://orders.example.com');
    expect(parseEnv({}).dashboardOrigin).toBeNull();
    expect(() => parseEnv({ DASHBOARD_ORIGIN: 'https://orders.example.com/app' })).toThrow(/DASHBOARD_ORIGIN: must be an origin only/);
  });
});
