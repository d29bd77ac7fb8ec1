import { env } from './env.server';
import { destroySessionHeader, getToken } from './session.server';

/**
 * The dashboard's CSV downloads: same-origin GETs (a link with `download`) that the server forwards to the API's
 * /exports/… with the session's token, streaming the body through untouched — the token never reaches the browser and
 * the dashboard never holds the whole file.
 */
export async function proxyExport(request: Request, path: string, params: URLSearchParams): Promise<Response> {
  const token = await getToken(request);
  if (!token) return new Response('Sign in first.\n', { status: 401, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' } });
  const url = new URL(path, env.apiUrl);
  url.search = params.toString();
  let upstream: Response;
  try {
    upstream = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: request.signal });
  } catch (error) {
    console.error('[luneo-web] API unreachable:', (error as Error).message);
    return new Response('The Luneo API is not reachable right now.\n', { status: 503, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  }
  const headers: Record<string, string> = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
  for (const name of ['content-type', 'content-disposition', 'retry-after']) {
    const value = upstream.headers.get(name);
    if (value) headers[name] = value;
  }
  if (upstream.status === 401) headers['set-cookie'] = await destroySessionHeader(request);
  return new Response(upstream.body, { status: upstream.status, headers });
}
