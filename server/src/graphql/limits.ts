import { isIP } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import {
  getOperationAST,
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValidationRule,
} from 'graphql';
import type { RequestHandler } from 'express';
import { checkCredential, credentialStatement } from '../auth/credentials';
import { CredentialHints, DeferredCredentialCheck } from '../auth/deferred-credential-check';
import { SignInLimits } from '../auth/sign-in-limits';
import type { Env } from '../env';
import type { Principal } from '../shared/request-context';
import type { GraphQLContext } from './context';
import { CostBuckets, type BucketDecision, type ThrottleStatus } from './cost-buckets';
import { KnownEmptyBuckets } from './known-empty-buckets';
import { actualCost, operationCost, type OperationCost } from './query-cost';
import { documentSelects } from './selection';

/**
 * The limits that protect the server, in the order a request meets them:
 * 1. the HTTP gate, before Apollo and before the credentials are looked up, so that nothing it refuses has run any SQL:
 *    one JSON operation per request (no batches, no persisted-query hashes), at most `maxTokens` tokens, GraphQL
 *    Armor's depth, alias and directive rules, then the price from `operationCost`: over `maxCost` it is refused with
 *    QUERY_TOO_COSTLY;
 * 2. Apollo validates the rest of the document (its own cache makes that once per document);
 * 3. the credential's bucket pays the cost — in the statement that looks the credential up (`authenticateAndCharge`)
 *    when the gate knows Apollo will execute the document, else in the plugin once Apollo has resolved the operation —
 *    or the plugin refuses the request as THROTTLED (HTTP 429, Retry-After);
 *    every response says what it cost in `extensions.cost`, as Shopify's Admin API does. A credential this instance
 *    has just seen throttled is refused again by the gate itself while its bucket cannot have refilled enough
 *    (KnownEmptyBuckets), so a throttled flood costs no SQL.
 */

export interface RequestFacts {
  price: OperationCost;
  /** The bearer credential's digest (see KnownEmptyBuckets), when there is one. */
  credential: string | null;
  /** The person's address: the dashboard's forwarded one when the forwarding secret matches, else the socket's. */
  clientAddress: string;
  /** Whether Apollo will execute this operation: the whole document is valid and names an operation it holds. */
  executable: boolean;
  /** Whether the document asks for the viewer's brand, which the credential's statement then reads along. */
  readsViewerBrand: boolean;
  /** The bucket's decision when the credential lookup already charged the cost (see authenticateAndCharge). */
  prepaid?: { key: string; decision: BucketDecision };
  /** Whether the credential's check may ride with the operation's first read (DEFERRABLE_ROOTS). */
  deferrable: boolean;
  /** That check, when this attempt defers it: until it confirms, the answer is withheld and nothing is refunded. */
  deferred?: DeferredCredentialCheck;
}

/**
 * Root fields whose resolvers only read, and read first through a brand-scoped statement (order.resolver.ts):
 * an operation made of these alone may run before its credential's check has come back (deferred-credential-check.ts).
 */
const DEFERRABLE_ROOTS = new Set(['orders', 'order', 'orderByNumber']);

function deferrable(operation: OperationDefinitionNode | null, readsViewerBrand: boolean): boolean {
  return (
    operation?.operation === 'query' &&
    !readsViewerBrand &&
    operation.selectionSet.selections.every((selection) => selection.kind === 'Field' && DEFERRABLE_ROOTS.has(selection.name.value))
  );
}

/** Header names of the dashboard's forwarding contract (see the README): both or neither. */
export const FORWARDED_ADDRESS_HEADER = 'x-luneo-client-address';
export const FORWARDING_SECRET_HEADER = 'x-luneo-forwarding-secret';

/**
 * The gate computes facts from the raw request; Apollo's plugin and the resolvers read them. Apollo hands plugins the
 * very `req.body` object the gate saw, so that object is the key, and the entry goes with the request.
 */
const factsByBody = new WeakMap<object, RequestFacts>();
const signInByContext = new WeakMap<GraphQLContext, SignInFacts>();

export interface SignInFacts {
  clientAddress: string;
  limits: SignInLimits;
}

/** What `login` needs beyond its arguments: who is asking from where, and the shared counters. */
export function signInFacts(context: GraphQLContext): SignInFacts {
  const facts = signInByContext.get(context);
  if (!facts) throw new Error('Sign-in limits are not installed (limitsPlugin)');
  return facts;
}

/** A limit refused the request; `details` go to `extensions` beside the code (see formatError). */
export class LimitError extends GraphQLError {
  constructor(
    readonly code: 'QUERY_TOO_COSTLY' | 'THROTTLED' | 'BAD_USER_INPUT' | 'BAD_REQUEST' | 'GRAPHQL_PARSE_FAILED',
    message: string,
    readonly details: Record<string, unknown> = {},
    http: { status: number; headers?: Map<string, string> } = { status: 400 },
  ) {
    super(message, { extensions: { code, http } });
  }
}

function sameSecret(given: string | undefined, expected: string | undefined): boolean {
  if (!given || !expected) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function clientAddressOf(
  headers: Record<string, string | string[] | undefined>,
  socketAddress: string | undefined,
  forwardingSecret: string | undefined,
): string {
  const forwarded = headers[FORWARDED_ADDRESS_HEADER];
  const secret = headers[FORWARDING_SECRET_HEADER];
  if (typeof forwarded === 'string' && isIP(forwarded) && typeof secret === 'string' && sameSecret(secret, forwardingSecret)) {
    return forwarded;
  }
  return socketAddress ?? 'unknown';
}

/**
 * What the gate knows of a document by its source text — parsed, and checked against the document limits — cached
 * because clients send the same few documents over and over.
 */
type Checked =
  | {
      document: DocumentNode;
      /** Prices by operation name and variables (documents without variables have one price per operation). */
      prices: Map<string, OperationCost>;
      /** Whether the whole document passes GraphQL's validation as Apollo will run it. */
      valid: boolean;
      readsViewerBrand: boolean;
    }
  | { refusal: LimitError };

const MAX_CACHED_SOURCE = 16 * 1024;
/** Prices kept per document: a list walked page by page repeats its cursors; a few hundred cover a busy client. */
const MAX_PRICES_PER_DOCUMENT = 256;
/** Only small variables are remembered: what a cached price holds stays bounded (500 documents × 256 × 1 KB). */
const MAX_CACHED_PRICE_KEY = 1024;

class DocumentCache {
  private readonly entries = new Map<string, Checked>();
  constructor(
    private readonly size: number,
    private readonly check: (source: string) => Checked,
  ) {}

  get(source: string): Checked {
    let checked = this.entries.get(source);
    if (!checked) {
      checked = this.check(source);
      // Real documents are a few kilobytes; caching only those keeps a stream of unique large ones from holding memory.
      if (source.length <= MAX_CACHED_SOURCE) {
        if (this.entries.size >= this.size) this.entries.delete(this.entries.keys().next().value!);
        this.entries.set(source, checked);
      }
    }
    return checked;
  }
}

function refuse(
  res: Parameters<RequestHandler>[1],
  error: LimitError,
  cost?: { requestedQueryCost: number; throttleStatus?: ThrottleStatus },
) {
  res.status((error.extensions.http as { status: number }).status).json({
    errors: [{ message: error.message, extensions: { ...error.details, code: error.code } }],
    ...(cost ? { extensions: { cost: { requestedQueryCost: cost.requestedQueryCost, actualQueryCost: 0, throttleStatus: cost.throttleStatus ?? null } } } : {}),
  });
}

function throttled(cost: number, status: ThrottleStatus, retryAfterSeconds: number): LimitError {
  return new LimitError(
    'THROTTLED',
    `Throttled: this operation costs ${cost} points and ${status.currentlyAvailable} are available; retry in ${retryAfterSeconds} seconds`,
    { retryAfterSeconds, requestedQueryCost: cost },
    { status: 429, headers: new Map([['retry-after', String(retryAfterSeconds)]]) },
  );
}

export function queryCostGate(options: {
  schema: GraphQLSchema;
  maxCost: number;
  maxTokens: number;
  /** GraphQL Armor's depth, alias and directive rules. */
  documentRules: ValidationRule[];
  /** Whether Apollo serves introspection (when it does not, its validation refuses `__schema` and `__type`). */
  introspection: boolean;
  forwardingSecret: string | undefined;
  knownEmpty: KnownEmptyBuckets;
  onThrottled?: (limiter: string) => void;
}): RequestHandler {
  const documents = new DocumentCache(500, (source) => {
    let document: DocumentNode;
    try {
      document = parse(source, { maxTokens: options.maxTokens });
    } catch (error) {
      return { refusal: new LimitError('GRAPHQL_PARSE_FAILED', (error as Error).message) };
    }
    const [broken] = validate(options.schema, document, options.documentRules);
    if (broken) return { refusal: new LimitError('BAD_USER_INPUT', broken.message) };
    // Apollo answers invalid documents itself (GRAPHQL_VALIDATION_FAILED); this only tells whether it will execute.
    const valid = validate(options.schema, document, apolloRules).length === 0;
    return { document, prices: new Map(), valid, readsViewerBrand: documentSelects(document, ['viewer', 'brand']) };
  });
  const apolloRules = options.introspection ? specifiedRules : [...specifiedRules, NoSchemaIntrospectionCustomRule];
  return (req, res, next) => {
    const body = req.body;
    if (req.method !== 'POST') {
      // Apollo serves its landing page on GET; an operation in a query string would pass this gate unpriced.
      if (req.query && Object.keys(req.query).length > 0) {
        return refuse(res, new LimitError('BAD_REQUEST', 'Send operations with POST and a JSON body', {}, { status: 405 }));
      }
      return next();
    }
    if (Array.isArray(body)) return refuse(res, new LimitError('BAD_REQUEST', 'Batched operations are not accepted; send one per request'));
    if (!body || typeof body !== 'object' || typeof body.query !== 'string') {
      return refuse(res, new LimitError('BAD_REQUEST', 'The body must be JSON with a `query` string (persisted-query hashes are not accepted)'));
    }
    const checked = documents.get(body.query);
    if ('refusal' in checked) return refuse(res, checked.refusal);
    const operationName = typeof body.operationName === 'string' ? body.operationName : undefined;
    const variables = body.variables && typeof body.variables === 'object' ? body.variables : undefined;
    // The price depends on the document, the operation and the variables only: the same request is priced once.
    const priceKey = `${operationName ?? ''}\n${variables ? JSON.stringify(variables) : ''}`;
    let price = checked.prices.get(priceKey);
    if (!price) {
      try {
        price = operationCost(options.schema, checked.document, variables, operationName);
      } catch (error) {
        return refuse(res, new LimitError('BAD_USER_INPUT', (error as Error).message));
      }
      if (priceKey.length <= MAX_CACHED_PRICE_KEY) {
        if (checked.prices.size >= MAX_PRICES_PER_DOCUMENT) checked.prices.delete(checked.prices.keys().next().value!);
        checked.prices.set(priceKey, price);
      }
    }
    const { cost } = price;
    if (cost > options.maxCost) {
      return refuse(
        res,
        new LimitError('QUERY_TOO_COSTLY', `This operation costs ${cost} points; the maximum is ${options.maxCost}. Ask for smaller pages or fewer fields.`, {
          cost,
          maximumCost: options.maxCost,
        }),
        { requestedQueryCost: cost },
      );
    }
    const credential = KnownEmptyBuckets.credentialOf(req);
    const known = credential ? options.knownEmpty.refusal(credential, cost) : null;
    if (known) {
      options.onThrottled?.('query-cost');
      res.setHeader('retry-after', String(known.retryAfterSeconds));
      return refuse(res, throttled(cost, known.status, known.retryAfterSeconds), { requestedQueryCost: cost, throttleStatus: known.status });
    }
    const operation = (checked.valid && getOperationAST(checked.document, operationName)) || null;
    factsByBody.set(body, {
      price,
      credential,
      clientAddress: clientAddressOf(req.headers, req.socket.remoteAddress, options.forwardingSecret),
      executable: operation !== null,
      readsViewerBrand: checked.readsViewerBrand,
      deferrable: deferrable(operation, checked.readsViewerBrand),
    });
    next();
  };
}

/** The bucket of a credential; auth/credentials.ts names the same key in SQL. */
function bucketKey(principal: Principal): string | null {
  if (principal.apiKeyId) return `api-key:${principal.apiKeyId}`;
  if (principal.sessionId) return `session:${principal.sessionId}`;
  return null;
}

interface CostReport {
  requestedQueryCost: number;
  actualQueryCost: number;
  throttleStatus: ThrottleStatus | null;
}

export function limitsPlugin(options: {
  buckets: CostBuckets;
  knownEmpty: KnownEmptyBuckets;
  signInLimits: SignInLimits;
  onThrottled?: (limiter: string) => void;
}): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart({ request, contextValue }) {
      const body = request.http?.body;
      const facts = body && typeof body === 'object' ? factsByBody.get(body) : undefined;
      if (facts) signInByContext.set(contextValue, { clientAddress: facts.clientAddress, limits: options.signInLimits });
      const report: CostReport = { requestedQueryCost: facts?.price.cost ?? 0, actualQueryCost: 0, throttleStatus: null };
      let bucket: string | null = null;
      return {
        async didResolveOperation({ contextValue: context }) {
          if (!facts) throw new LimitError('BAD_REQUEST', 'Operations are accepted over HTTP only');
          const principal = context.ctx.principal;
          const key = principal ? bucketKey(principal) : null;
          if (!key) return;
          const cost = facts.price.cost;
          const decision = facts.prepaid?.key === key ? facts.prepaid.decision : await options.buckets.take(key, cost);
          report.throttleStatus = decision.status;
          if (!decision.granted) {
            options.onThrottled?.('query-cost');
            if (facts.credential) options.knownEmpty.remember(facts.credential, decision.status);
            throw throttled(cost, decision.status, decision.retryAfterSeconds);
          }
          report.actualQueryCost = cost;
          bucket = key;
        },
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          if (bucket && facts && report.throttleStatus && (!facts.deferred || facts.deferred.confirmed)) {
            // Pages that came back short are charged for what they held; the rest goes back into the bucket.
            const actual = actualCost(facts.price, result.data);
            const refund = report.actualQueryCost - actual;
            if (refund > 0) {
              report.actualQueryCost = actual;
              report.throttleStatus = {
                ...report.throttleStatus,
                currentlyAvailable: Math.min(report.throttleStatus.maximumAvailable, report.throttleStatus.currentlyAvailable + refund),
              };
              options.buckets.refund(bucket, refund);
            }
          }
          result.extensions = { ...result.extensions, cost: report };
          // A throttled sign-in comes from its resolver as a domain error: it is a 429 too.
          const throttled = result.errors?.find((e) => e.extensions?.code === 'THROTTLED');
          if (throttled && response.http.status !== 429) {
            options.onThrottled?.('sign-in');
            response.http.status = 429;
            response.http.headers.set('retry-after', String(throttled.extensions?.retryAfterSeconds ?? 1));
          }
        },
      };
    },
  };
}

/** Document limits: GraphQL Armor's validation rules and token limit; its own cost rule is off (priced above). */
export const DOCUMENT_LIMITS = { maxDepth: 10, maxAliases: 15, maxTokens: 2000, maxDirectives: 20 } as const;
/** The largest JSON body /graphql reads; a legitimate operation with its variables is a few kilobytes. */
export const MAX_BODY_BYTES = 100 * 1024;

/** Everything app.ts installs: the HTTP gate and Apollo's plugins. */
export function serverLimits(options: {
  orm: MikroORM;
  env: Env;
  schema: GraphQLSchema;
  onThrottled?: (limiter: string) => void;
}): {
  gate: RequestHandler;
  plugins: ApolloServerPlugin<GraphQLContext>[];
  authenticateAndCharge: (
    body: unknown,
    token: string,
    options?: { mayDefer?: boolean },
  ) => Promise<{ principal: Principal; check: DeferredCredentialCheck | null } | null>;
} {
  const { orm, env, schema } = options;
  const armor = new ApolloArmor({
    costLimit: { enabled: false },
    maxDepth: { n: DOCUMENT_LIMITS.maxDepth },
    maxAliases: { n: DOCUMENT_LIMITS.maxAliases },
    maxTokens: { n: DOCUMENT_LIMITS.maxTokens },
    maxDirectives: { n: DOCUMENT_LIMITS.maxDirectives },
    blockFieldSuggestion: { enabled: true },
  }).protect();
  const knownEmpty = new KnownEmptyBuckets();
  const hints = new CredentialHints();
  const gate = queryCostGate({
    schema,
    knownEmpty,
    onThrottled: options.onThrottled,
    documentRules: armor.validationRules as ValidationRule[],
    introspection: env.GRAPHQL_INTROSPECTION,
    // A cost above the bucket's capacity could never be paid: it is refused as too costly instead of throttled forever.
    maxCost: Math.min(env.QUERY_COST_LIMIT, env.THROTTLE_CAPACITY),
    maxTokens: DOCUMENT_LIMITS.maxTokens,
    forwardingSecret: env.DASHBOARD_FORWARDING_SECRET,
  });
  const buckets = new CostBuckets(orm.em as unknown as EntityManager, env.THROTTLE_CAPACITY, env.THROTTLE_RESTORE_RATE);
  const plugin = limitsPlugin({
    knownEmpty,
    buckets,
    signInLimits: new SignInLimits(orm, {
      perAccount: env.SIGN_IN_LIMIT_PER_ACCOUNT,
      perAddress: env.SIGN_IN_LIMIT_PER_ADDRESS,
      windowSeconds: env.SIGN_IN_WINDOW_SECONDS,
    }),
    onThrottled: options.onThrottled,
  });
  // Armor's plugins: the token limit inside Apollo's parser, and no "Did you mean …?" field suggestions to map the schema.
  return {
    gate,
    plugins: [...(armor.plugins as ApolloServerPlugin<GraphQLContext>[]), plugin],
    /**
     * The request's principal from its bearer token. When the gate knows Apollo will execute the operation, the
     * credential's bucket is charged in the same statement (one round trip instead of two); the plugin then reads that
     * decision instead of asking the bucket again. With `mayDefer`, a deferrable operation whose credential this
     * instance has checked before runs with the principal it had then, and the statement rides with its first read:
     * `check` must then confirm it before the answer goes out (deferred-credential-check.ts).
     */
    async authenticateAndCharge(body, token, { mayDefer = false } = {}) {
      const facts = body && typeof body === 'object' ? factsByBody.get(body) : undefined;
      if (facts) facts.prepaid = facts.deferred = undefined;
      const cost = facts?.executable ? facts.price.cost : null;
      if (cost !== null) buckets.sweepNowAndThen();
      const statement = credentialStatement(token, cost === null ? null : (source) => buckets.takeFrom(source, cost), {
        withBrand: facts?.readsViewerBrand ?? false,
      });
      if (!statement) return null;
      const hint = mayDefer && facts?.deferrable && cost !== null ? hints.get(statement.digest) : null;
      if (facts && cost !== null && hint) {
        // Granted until the check says otherwise; the plugin reports this very status, brought up to date then.
        const decision = buckets.decision({ available: 0, granted: true }, cost);
        facts.prepaid = { key: bucketKey(hint)!, decision };
        facts.deferred = new DeferredCredentialCheck(hint, statement, (verdict, confirmed) => {
          if (confirmed) Object.assign(decision.status, buckets.decision(verdict.charged!, cost).status);
          else hints.forget(statement.digest);
        });
        return { principal: hint, check: facts.deferred };
      }
      const found = await checkCredential(orm.em as unknown as EntityManager, statement);
      if (!found) {
        hints.forget(statement.digest);
        return null;
      }
      hints.remember(found.digest, found.principal);
      const key = bucketKey(found.principal);
      if (facts && cost !== null && found.charged && key) facts.prepaid = { key, decision: buckets.decision(found.charged, cost) };
      return { principal: found.principal, check: null };
    },
  };
}
