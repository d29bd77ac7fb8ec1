import { env } from './env.server';

/** Where people reach the dashboard: DASHBOARD_ORIGIN behind a proxy that terminates HTTPS, otherwise the request's own. */
export function dashboardOrigin(request: Request): string {
  return env.dashboardOrigin ?? new URL(request.url).origin;
}

/**
 * True when the browser says another site started this request — the one check for every state-changing endpoint
 * (sign-in, the GraphQL proxy). Browsers send `Sec-Fetch-Site` and `Origin` with every POST; a request with neither
 * comes from a non-browser client, which has no victim's cookie to ride on.
 */
export function isCrossSiteRequest(request: Request): boolean {
  const site = request.headers.get('sec-fetch-site');
  const origin = request.headers.get('origin');
  return (site !== null && site !== 'same-origin') || (origin !== null && origin !== dashboardOrigin(request));
}

/**
 * Where to send someone after signing in: the target resolved by the URL parser against the dashboard's origin, kept
 * only when it stays on that origin, as path and query. Prefix checks on the raw text miss what browsers normalise
 * (`/%09/evil.example` loses its tab and becomes `//evil.example`); the parser applies the same rules they do.
 */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, origin: string, fallback = '/orders'): string {
  if (typeof to !== 'string' || to === '') return fallback;
  let target: URL;
  try {
    target = new URL(to, origin);
  } catch {
    return fallback;
  }
  if (target.origin !== origin) return fallback;
  if (target.pathname.startsWith('/login') || target.pathname.startsWith('/logout')) return fallback;
  return `${target.pathname}${target.search}`;
}
