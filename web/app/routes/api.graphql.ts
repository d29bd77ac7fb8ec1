import type { ActionFunctionArgs } from '@remix-run/node';
import { env } from '~/lib/env.server';
import { isCrossSiteRequest } from '~/lib/origin.server';
import { destroySessionHeader, getToken } from '~/lib/session.server';

/**
 * The browser's GraphQL endpoint. It forwards the request to the API with the session's token, so the
 * token never reaches the browser. Only same-origin JSON POSTs are accepted: the session cookie is
 * SameSite=Lax and a cross-site page can neither send JSON without a preflight nor read the answer.
 */
const MAX_BODY_BYTES = 256 * 1024;

function graphQLError(status: number, code: string, message: string, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify({ errors: [{ message, extensions: { code } }] }), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers },
  });
}

export async function loader() {
  return graphQLError(405, 'METHOD_NOT_ALLOWED', 'Use POST.', { allow: 'POST' });
}

export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== 'POST') return graphQLError(405, 'METHOD_NOT_ALLOWED', 'Use POST.', { allow: 'POST' });
  if (isCrossSiteRequest(request)) return graphQLError(403, 'FORBIDDEN', 'Cross-site requests are not allowed.');
  if (!(request.headers.get('content-type') ?? '').toLowerCase().includes('application/json')) {
    return graphQLError(415, 'BAD_REQUEST', 'Send application/json.');
  }
  const token = await getToken(request);
  if (!token) return graphQLError(401, 'UNAUTHENTICATED', 'Sign in first.');

  const body = await request.text();
  if (body.length > MAX_BODY_BYTES) return graphQLError(413, 'BAD_REQUEST', 'The request is too large.');

  let upstream: Response;
  try {
    upstream = await fetch(env.apiUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: request.headers.get('accept') ?? 'application/graphql-response+json, application/json',
        authorization: `Bearer ${token}`,
      },
      body,
      signal: AbortSignal.timeout(20_000),
    });
  } catch (error) {
    console.error('[luneo-web] API unreachable:', (error as Error).message);
    return graphQLError(503, 'NETWORK', 'The Luneo API is not reachable right now.');
  }

  const text = await upstream.text();
  const headers: Record<string, string> = {
    'content-type': upstream.headers.get('content-type') ?? 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  };
  // An expired or revoked token: drop the cookie so the next page load goes to sign-in cleanly.
  if (saysSessionEnded(text)) headers['set-cookie'] = await destroySessionHeader(request);
  return new Response(text, { status: upstream.status, headers });
}

/**
 * Whether the API's answer says the session is over: an error whose `extensions.code` is UNAUTHENTICATED. Only the
 * code counts — the word can appear anywhere in the data (an order note, a customer's name) without meaning anything.
 */
function saysSessionEnded(body: string): boolean {
  let answer: unknown;
  try {
    answer = JSON.parse(body);
  } catch {
    return false;
  }
  const errors = (answer as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors)) return false;
  return errors.some((error) => (error as { extensions?: { code?: unknown } } | null)?.extensions?.code === 'UNAUTHENTICATED');
}
