import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { createCookieSessionStorage, redirect } from '@remix-run/node';
import { env } from './env.server';

/**
 * The session lives in the cookie, so the dashboard keeps no session store to run, share or clean up. The cookie holds
 * no usable API credential: the token and its expiry are sealed with AES-256-GCM under a key derived from
 * SESSION_SECRET, so a cookie value seen in a log, a proxy or a backup reveals nothing, and a changed byte makes it
 * unreadable. Someone who steals the whole cookie can still replay it here until it expires — httpOnly, `Secure`
 * (production) and SameSite=Lax guard against that, and signing out revokes the token at the API.
 */
interface SessionData {
  sealed: string;
}

interface SealedSession {
  token: string;
  expiresAt: string;
}

const SEAL_KEY = Buffer.from(hkdfSync('sha256', env.sessionSecret, 'luneo-dashboard', 'session token AES-256-GCM v1', 32));
/** Binds a sealed value to its purpose: the same key could never open a value sealed for something else. */
const SEAL_CONTEXT = Buffer.from('luneo-session-v1');
const IV_BYTES = 12;
const TAG_BYTES = 16;

export function sealSession(session: SealedSession): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', SEAL_KEY, iv).setAAD(SEAL_CONTEXT);
  const body = Buffer.concat([cipher.update(JSON.stringify(session), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
}

/** The sealed session, or null for anything forged, altered, sealed under another secret, or malformed. */
export function openSession(sealed: unknown): SealedSession | null {
  if (typeof sealed !== 'string') return null;
  const bytes = Buffer.from(sealed, 'base64url');
  if (bytes.length <= IV_BYTES + TAG_BYTES) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', SEAL_KEY, bytes.subarray(0, IV_BYTES)).setAAD(SEAL_CONTEXT);
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    const plain = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
    const value = JSON.parse(plain.toString('utf8')) as Partial<SealedSession>;
    if (typeof value.token !== 'string' || typeof value.expiresAt !== 'string') return null;
    return { token: value.token, expiresAt: value.expiresAt };
  } catch {
    return null;
  }
}

const storage = createCookieSessionStorage<SessionData>({
  cookie: {
    name: '__luneo_session',
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: env.cookieSecure,
    secrets: [env.sessionSecret],
    maxAge: 60 * 60 * 24 * 7,
  },
});

export function getSession(request: Request) {
  return storage.getSession(request.headers.get('Cookie'));
}

/**
 * Sessions already opened, by the exact Cookie header they came in: checking the cookie's signature and opening the seal
 * cost ≈ 2% of a page's CPU, and a browser sends the same header page after page. Only a session that opened is kept
 * (anything forged or altered is checked again every time, and the same header always opens the same way); its expiry
 * is checked on every request. Bounded, since the headers come from clients.
 */
const openedByCookie = new Map<string, SealedSession>();
const MAX_OPENED = 1_000;

async function openedSession(request: Request): Promise<SealedSession | null> {
  const cookie = request.headers.get('Cookie');
  const known = cookie ? openedByCookie.get(cookie) : undefined;
  if (known) return known;
  const session = openSession((await getSession(request)).get('sealed'));
  if (session && cookie) {
    if (openedByCookie.size >= MAX_OPENED) openedByCookie.clear();
    openedByCookie.set(cookie, session);
  }
  return session;
}

export async function getToken(request: Request): Promise<string | null> {
  const session = await openedSession(request);
  if (!session) return null;
  if (Date.parse(session.expiresAt) <= Date.now()) return null;
  return session.token;
}

export function loginRedirect(request: Request, headers?: HeadersInit): never {
  const url = new URL(request.url);
  const here = `${url.pathname}${url.search}`;
  const params = new URLSearchParams();
  if (here !== '/' && !here.startsWith('/login')) params.set('redirectTo', here);
  const qs = params.toString();
  throw redirect(`/login${qs ? `?${qs}` : ''}`, { headers });
}

export async function createUserSession(request: Request, token: string, expiresAt: string, redirectTo: string) {
  const session = await getSession(request);
  session.set('sealed', sealSession({ token, expiresAt }));
  const maxAge = Math.max(60, Math.floor((Date.parse(expiresAt) - Date.now()) / 1000));
  return redirect(redirectTo, {
    headers: { 'Set-Cookie': await storage.commitSession(session, { maxAge: Number.isFinite(maxAge) ? maxAge : undefined }) },
  });
}

export async function destroySessionHeader(request: Request): Promise<string> {
  return storage.destroySession(await getSession(request));
}
