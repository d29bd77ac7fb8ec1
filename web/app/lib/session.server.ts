import { createCookieSessionStorage, redirect } from '@remix-run/node';
import { env } from './env.server';

/**
 * What the session cookie holds: the API token itself, signed but not encrypted. httpOnly keeps it from page scripts,
 * but whoever holds the cookie holds the token.
 */
interface SessionData {
  token: string;
  expiresAt: string;
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

export async function getToken(request: Request): Promise<string | null> {
  const session = await getSession(request);
  const token = session.get('token');
  const expiresAt = session.get('expiresAt');
  if (!token) return null;
  if (expiresAt && Date.parse(expiresAt) <= Date.now()) return null;
  return token;
}

/** Where to send someone after signing in: only same-site paths, never `//evil.example`. */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback = '/orders'): string {
  if (typeof to !== 'string' || !to.startsWith('/') || to.startsWith('//') || to.startsWith('/\\')) return fallback;
  if (to.startsWith('/login') || to.startsWith('/logout')) return fallback;
  return to;
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
  session.set('token', token);
  session.set('expiresAt', expiresAt);
  const maxAge = Math.max(60, Math.floor((Date.parse(expiresAt) - Date.now()) / 1000));
  return redirect(redirectTo, {
    headers: { 'Set-Cookie': await storage.commitSession(session, { maxAge: Number.isFinite(maxAge) ? maxAge : undefined }) },
  });
}

export async function destroySessionHeader(request: Request): Promise<string> {
  return storage.destroySession(await getSession(request));
}
