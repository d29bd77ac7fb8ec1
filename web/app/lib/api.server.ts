import { isIP } from 'node:net';
import { data, redirect } from '@remix-run/node';
import { Client, fetchExchange, type AnyVariables, type CombinedError, type DocumentInput } from '@urql/core';
import { env } from './env.server';
import { problemFrom } from './errors';
import { destroySessionHeader, getToken, loginRedirect } from './session.server';

/**
 * The API as seen from loaders and actions: the same generated documents the browser hooks use,
 * executed server-side through @urql/core with the session's token.
 * Always POST with JSON (Apollo's CSRF prevention rejects simple GETs).
 */
export function createApiClient(token: string | null, clientAddress: string | null = null): Client {
  return new Client({
    url: env.apiUrl,
    exchanges: [fetchExchange],
    preferGetMethod: false,
    requestPolicy: 'network-only',
    fetchOptions: (): RequestInit => {
      const headers: Record<string, string> = {};
      if (token) headers.authorization = `Bearer ${token}`;
      if (clientAddress && env.forwardingSecret) {
        // The API believes the address only together with the shared secret.
        headers['x-luneo-client-address'] = clientAddress;
        headers['x-luneo-forwarding-secret'] = env.forwardingSecret;
      }
      return { headers, signal: AbortSignal.timeout(15_000) };
    },
  });
}

/**
 * The person's address as the proxy in front of the dashboard saw it: the last X-Forwarded-For entry, the one that proxy
 * appended (remix-serve does not expose its socket's address). None without such a proxy.
 */
export function clientAddressOf(request: Request): string | null {
  const last = request.headers.get('x-forwarded-for')?.split(',').at(-1)?.trim();
  return last && isIP(last) ? last : null;
}

export type ApiResult<D> = { data: D; error: null } | { data: D | undefined; error: CombinedError };

export interface Api {
  token: string;
  /** Runs a query; failures become thrown Responses (redirect to sign-in, 403, 404, 503) for the route's ErrorBoundary. */
  query<D, V extends AnyVariables>(document: DocumentInput<D, V>, variables: V): Promise<D>;
  /** Runs a mutation and hands back its error, for actions that show it next to a field. */
  mutate<D, V extends AnyVariables>(document: DocumentInput<D, V>, variables: V): Promise<ApiResult<D>>;
}

/** Loader entry point: no session → redirect to /login?redirectTo=<here>. */
export async function requireApi(request: Request): Promise<Api> {
  const token = await getToken(request);
  if (!token) loginRedirect(request);
  const client = createApiClient(token);

  return {
    token,
    async query(document, variables) {
      const result = await client.query(document, variables).toPromise();
      if (result.error) await throwForError(request, result.error);
      if (result.data === undefined || result.data === null) {
        throw data({ message: 'The API returned no data.' }, { status: 502 });
      }
      return result.data;
    },
    async mutate(document, variables) {
      const result = await client.mutation(document, variables).toPromise();
      if (result.error) {
        if (problemFrom(result.error)?.code === 'UNAUTHENTICATED') await throwForError(request, result.error);
        return { data: result.data, error: result.error };
      }
      return { data: result.data as NonNullable<typeof result.data>, error: null };
    },
  };
}

async function throwForError(request: Request, error: CombinedError): Promise<never> {
  const problem = problemFrom(error)!;
  switch (problem.code) {
    case 'UNAUTHENTICATED':
      loginRedirect(request, { 'Set-Cookie': await destroySessionHeader(request) });
      break;
    case 'FORBIDDEN':
      throw data({ message: problem.message }, { status: 403 });
    case 'NOT_FOUND':
      throw data({ message: problem.message }, { status: 404 });
    case 'BAD_USER_INPUT':
      // A malformed id or filter in the URL: nothing can be found there.
      throw data({ message: problem.field === 'id' ? 'This page does not exist.' : problem.message }, { status: problem.field === 'id' ? 404 : 400 });
    case 'NETWORK':
      console.error('[luneo-web] API unreachable:', error.networkError?.message);
      throw data({ message: 'The Luneo API is not reachable right now. Please try again in a moment.' }, { status: 503 });
    default:
      throw data({ message: problem.message }, { status: 500 });
  }
  throw redirect('/login');
}
