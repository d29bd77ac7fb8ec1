import { isIP } from 'node:net';
import { createBatchingExecutor } from '@graphql-tools/batch-execute';
import { data, redirect } from '@remix-run/node';
import { Client, CombinedError, fetchExchange, type AnyVariables, type DocumentInput } from '@urql/core';
import { print, type DocumentNode, type ExecutionResult } from 'graphql';
import { request as sendRequest } from 'undici';
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

interface ExecutionRequest {
  document: DocumentNode;
  variables: Record<string, unknown>;
  /** Set on a merged request: the documents it was merged from, in order (see `mergedFrom`). */
  extensions?: { documents?: DocumentNode[] };
}
type Executor = (request: ExecutionRequest) => Promise<ExecutionResult>;

/**
 * One POST of one document with the session's token; a reply without a GraphQL body is a network error. Through
 * undici's request API rather than fetch: the same keep-alive connections to the API, without building a WHATWG
 * Request, Response and body stream for every call (fetch was about 7% of the dashboard's CPU per page).
 */
function createExecutor(token: string): Executor {
  return async (request: ExecutionRequest): Promise<ExecutionResult> => {
    const response = await sendRequest(env.apiUrl, {
      method: 'POST',
      headers: {
        accept: 'application/graphql-response+json, application/json',
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
      },
      body: JSON.stringify({ query: printedQuery(request), variables: request.variables }),
      signal: AbortSignal.timeout(15_000),
    });
    const body = (await response.body.json().catch(() => null)) as ExecutionResult | null;
    if (body && (body.data !== undefined || body.errors !== undefined)) return body;
    throw new Error(`the API answered ${response.statusCode} without a GraphQL body`);
  };
}

/**
 * The query text of a request, printed once per document or per list of merged documents: the generated documents are
 * module constants, and merging the same ones in the same order always gives the same text (only the variables differ).
 */
const printedDocuments = new WeakMap<DocumentNode, string>();
const printedMerges = new Map<string, string>();
const documentIds = new WeakMap<DocumentNode, number>();
/** Far above the page's combinations of generated documents; a caller building documents on the fly is not cached. */
const MAX_PRINTED_MERGES = 200;

function printedQuery(request: ExecutionRequest): string {
  const sources = request.extensions?.documents;
  if (!sources) {
    let text = printedDocuments.get(request.document);
    if (text === undefined) printedDocuments.set(request.document, (text = print(request.document)));
    return text;
  }
  const key = sources.map(documentId).join(',');
  let text = printedMerges.get(key);
  if (text === undefined) {
    text = print(request.document);
    if (printedMerges.size < MAX_PRINTED_MERGES) printedMerges.set(key, text);
  }
  return text;
}

let nextDocumentId = 0;
function documentId(document: DocumentNode): number {
  let id = documentIds.get(document);
  if (id === undefined) documentIds.set(document, (id = nextDocumentId++));
  return id;
}

/** batch-execute's extensions reducer, used to record which documents a merged request came from. */
function mergedFrom(extensions: Record<string, unknown>, request: ExecutionRequest): Record<string, unknown> {
  return { documents: [...((extensions.documents as DocumentNode[] | undefined) ?? []), request.document] };
}

interface RequestExecutor {
  token: string;
  /** Queries asked in the same turn of the event loop go to the API as one document (the shell's viewer and the page's data). */
  batched: Executor;
  alone: Executor;
  /** The requests `alone` was called with: a request missing here went out merged with others. */
  sentAlone: WeakSet<ExecutionRequest>;
}

/**
 * One executor per page request. Remix hands every loader of a request the same load context object (a fresh `{}` per
 * request under remix-serve), so it identifies the request across the layout's and the page's loaders.
 */
const executors = new WeakMap<object, RequestExecutor>();

function executorFor(token: string, context: object | undefined): RequestExecutor {
  const known = context ? executors.get(context) : undefined;
  if (known && known.token === token) return known;
  const sentAlone = new WeakSet<ExecutionRequest>();
  const execute = createExecutor(token);
  const alone: Executor = (request) => {
    sentAlone.add(request);
    return execute(request);
  };
  const executor: RequestExecutor = {
    token,
    alone,
    sentAlone,
    batched: createBatchingExecutor(alone as Parameters<typeof createBatchingExecutor>[0], {
      cache: false,
      batchScheduleFn: (dispatch) => setImmediate(dispatch),
    }, mergedFrom as Parameters<typeof createBatchingExecutor>[2]) as Executor,
  };
  if (context) executors.set(context, executor);
  return executor;
}

/**
 * A merged document can fail as a whole where this query alone would not: another query's non-null root field failed
 * (emptying `data`), or the document as a whole was refused (its price, its size). Such a query is asked again alone, so
 * each keeps the answer and the error it would have had on its own. Not when its own field failed (an error with a
 * path), nor for a session the API no longer accepts: alone, those fail the same way.
 */
function emptiedByOthers(result: ExecutionResult | null): boolean {
  if (!result || result.data) return false;
  return !(result.errors ?? []).some((error) => error.path?.length || error.extensions?.code === 'UNAUTHENTICATED');
}

/** A query's answer or its failure, as urql's CombinedError (the shape `problemFrom` reads). */
async function runQuery(executor: RequestExecutor, document: DocumentNode, variables: AnyVariables): Promise<{ data: unknown; error: CombinedError | null }> {
  const request: ExecutionRequest = { document, variables: (variables ?? {}) as Record<string, unknown> };
  const ask = async (how: Executor) => {
    try {
      return { result: await how(request), networkError: null };
    } catch (error) {
      return { result: null, networkError: error as Error };
    }
  };
  let answer = await ask(executor.batched);
  if (!executor.sentAlone.has(request) && emptiedByOthers(answer.result)) answer = await ask(executor.alone);
  const { result, networkError } = answer;
  if (networkError) return { data: undefined, error: new CombinedError({ networkError }) };
  const errors = result?.errors ?? [];
  return { data: result?.data, error: errors.length ? new CombinedError({ graphQLErrors: [...errors] }) : null };
}

/** The session's token, opened once per page request rather than once per loader (the same cookie each time). */
const tokens = new WeakMap<object, Promise<string | null>>();

function tokenOf(request: Request, context: object | undefined): Promise<string | null> {
  if (!context) return getToken(request);
  let token = tokens.get(context);
  if (!token) {
    token = getToken(request);
    tokens.set(context, token);
  }
  return token;
}

/**
 * Loader entry point: no session → redirect to /login?redirectTo=<here>. Pass the loader's `context` so that the
 * queries of one page request share one API request.
 */
export async function requireApi(request: Request, context?: object): Promise<Api> {
  const token = await tokenOf(request, context);
  if (!token) loginRedirect(request);
  const executor = executorFor(token, context);
  // Only mutations use urql here; most page requests never need the client.
  let client: Client | null = null;

  return {
    token,
    async query(document, variables) {
      const result = await runQuery(executor, document as DocumentNode, variables);
      if (result.error) await throwForError(request, result.error);
      if (result.data === undefined || result.data === null) {
        throw data({ message: 'The API returned no data.' }, { status: 502 });
      }
      return result.data as never;
    },
    async mutate(document, variables) {
      client ??= createApiClient(token);
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
