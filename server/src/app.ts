import http from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import type { MikroORM } from '@mikro-orm/postgresql';
import express from 'express';
import { isDatabaseUnavailable } from './db/database-unavailable';
import { compiledExecution } from './graphql/compiled-execution';
import type { Env } from './env';
import { GraphQLContext } from './graphql/context';
import { formatError, isUnexpected } from './graphql/errors';
import { graphqlHandler } from './graphql/http-handler';
import { credentialPacing } from './graphql/credential-pacing';
import { clientAddressOf, MAX_BODY_BYTES, serverLimits } from './graphql/limits';
import { getSchema } from './graphql/schema';
import { serviceUnavailable, serviceUnavailableStatus, withServiceUnavailable } from './graphql/service-unavailable';
import type { Logger } from './logger';
import { graphqlObserver, observeContext } from './ops/graphql-observer';
import { observePool, operationLabel, recordGraphQLRequest, recordThrottled, type ObservedPool } from './ops/metrics';
import { metricsRoute } from './ops/metrics-route';
import { exportsRouter } from './exports/exports.route';
import { observation, requestLog, secondsSince, webhookOutcomes } from './ops/request-log';
import { securityHeaders } from './ops/security-headers';
import { directRoutes, expressMessages } from './ops/direct-route';
import { RequestContext } from './shared/request-context';
import { createStripeClient } from './stripe/stripe-client';
import { StripeEventInbox } from './stripe/event-inbox';
import { stripeWebhookHandler } from './stripe/stripe-webhook.route';

export interface App {
  server: http.Server;
  apollo: ApolloServer<GraphQLContext>;
  url: string;
  /**
   * Stops accepting connections and waits for the requests in flight (GraphQL operations and webhook deliveries alike),
   * up to `drainMs`, closing the rest after that. /readyz answers 503 from the first moment.
   */
  stop(): Promise<void>;
}

/** How long a stop waits for requests in flight before closing their connections. */
const DRAIN_MS = 10_000;
/** /readyz answers within this bound even when the database does not. */
const READINESS_TIMEOUT_MS = 2_000;

/** Logs unexpected errors once, with the request id, and hands that id to the client so support can find the log line. */
function errorLoggingPlugin(log: Logger): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          // An answer thrown away (graphql/http-handler.ts) is made again; its errors are logged then.
          if (contextValue.ctx.answerWithheld) return;
          for (const error of errors) {
            if (isUnexpected(error)) {
              log.error('unhandled error', {
                requestId: contextValue.ctx.requestId,
                error: String((error.originalError ?? error).stack ?? error),
              });
            }
          }
        },
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single') return;
          for (const error of response.body.singleResult.errors ?? []) {
            if (error.extensions?.code === 'INTERNAL_SERVER_ERROR') {
              (error.extensions as Record<string, unknown>).requestId = contextValue.ctx.requestId;
            }
          }
        },
      };
    },
  };
}

function bearerToken(header: string | undefined): string | null {
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  return match ? match[1] : null;
}

/**
 * Builds the HTTP server: /graphql, /healthz, /readyz (and, beside them, the Stripe webhook route). Tests start this
 * same app on port 0.
 */
export async function createApp(options: {
  orm: MikroORM;
  env: Env;
  log: Logger;
  port?: number;
}): Promise<App> {
  const { orm, env, log } = options;
  const app = express();
  app.disable('x-powered-by');
  // Every answer is `no-store`, so an ETag would only hash each response body (a whole page of orders) for nothing.
  app.set('etag', false);
  const server = http.createServer(expressMessages(app));
  let stopping = false;

  const logRequest = requestLog(log);
  // An API answers JSON, never pages: nothing may be framed, sniffed or loaded. Outside production, Apollo's landing
  // page (a page of scripts from Apollo's CDN) stays usable.
  const setSecurityHeaders = securityHeaders({
    contentSecurityPolicy:
      env.NODE_ENV === 'production' ? { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } } : false,
    frameguard: { action: 'deny' },
  });
  app.use(logRequest, setSecurityHeaders);

  const stripe = createStripeClient(env);
  const limits = serverLimits({ orm, env, schema: await getSchema(), onThrottled: recordThrottled });

  const apollo = new ApolloServer<GraphQLContext>({
    gateway: compiledExecution(await getSchema()),
    formatError: withServiceUnavailable(formatError()),
    includeStacktraceInErrorResponses: false,
    // main.ts owns SIGINT/SIGTERM: Apollo's own handlers would start a second stop, and a stop() called while another
    // is draining never resolves — the process then hangs until it is killed.
    stopOnTerminationSignals: false,
    introspection: env.GRAPHQL_INTROSPECTION,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer: server, stopGracePeriodMillis: DRAIN_MS }),
      ApolloServerPluginCacheControlDisabled(),
      ...(env.NODE_ENV === 'production' ? [ApolloServerPluginLandingPageDisabled()] : []),
      graphqlObserver(),
      errorLoggingPlugin(log),
      ...limits.plugins,
      serviceUnavailableStatus(),
    ],
  });
  await apollo.start();

  const graphqlRoute: express.RequestHandler[] = [
    (_req, res, next) => {
      // Answers carry one person's data: no cache on the way may keep them.
      res.setHeader('cache-control', 'no-store');
      next();
    },
    credentialPacing(),
    express.json({ limit: MAX_BODY_BYTES }),
    limits.gate,
    graphqlHandler(apollo, async (req, res, { mayDefer }) => {
      const seen = observation(res);
      const token = bearerToken(req.headers.authorization);
      let found = null;
      try {
        found = token ? await limits.authenticateAndCharge(req.body, token, { mayDefer }) : null;
        if (found) found.principal.clientAddress = clientAddressOf(req.headers, req.socket.remoteAddress, env.DASHBOARD_FORWARDING_SECRET);
      } catch (error) {
        if (!isDatabaseUnavailable(error)) throw error;
        log.error('database unavailable', { requestId: seen.requestId, error: String((error as Error)?.stack ?? error) });
        seen.outcome = 'SERVICE_UNAVAILABLE';
        recordGraphQLRequest(operationLabel(req.body?.operationName), seen.outcome, secondsSince(seen.startedAt));
        throw serviceUnavailable();
      }
      const ctx = RequestContext.create(orm.em as any, found?.principal ?? null, seen.requestId, found?.check ?? null);
      return observeContext(new GraphQLContext(ctx, env.SESSION_TTL_HOURS, stripe), seen);
    }),
  ];
  // Mounted first, so its other spellings (`/graphql/`) do not walk past the other routes either.
  app.use('/graphql', ...graphqlRoute);

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    if (stopping) {
      res.status(503).json({ status: 'stopping' });
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        orm.em.getConnection().execute('select 1'),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('readiness probe timed out')), READINESS_TIMEOUT_MS);
        }),
      ]);
      res.json({ status: 'ready' });
    } catch {
      res.status(503).json({ status: 'database unavailable' });
    } finally {
      clearTimeout(timer);
    }
  });
  app.get('/metrics', metricsRoute(env.METRICS_TOKEN));
  const unobservePool = observePool((orm.em.getConnection().getKnex().client as { pool?: ObservedPool }).pool);

  // Stripe verifies signatures over the exact bytes: this route reads the raw body (the JSON parser above only parses
  // /graphql).
  const stripeInbox = new StripeEventInbox({
    em: orm.em as any,
    log,
    answerWithinMs: env.STRIPE_ANSWER_WITHIN_MS,
    workers: env.STRIPE_EVENT_WORKERS,
    retryAfterMs: env.STRIPE_EVENT_RETRY_SECONDS * 1000,
  });
  const stripeWebhook = [webhookOutcomes({ signatureChecked: Boolean(env.STRIPE_WEBHOOK_SECRET) }), ...stripeWebhookHandler({ inbox: stripeInbox, env, log })];
  app.post('/webhooks/stripe', ...stripeWebhook);
  app.use(exportsRouter({ orm, env, log }));

  // Malformed JSON bodies and the like: a clear 400, never a stack trace.
  const answerError: express.ErrorRequestHandler = (error, _req, res, next) => {
    if (res.headersSent) return next(error);
    const status = typeof error?.status === 'number' && error.status < 500 ? error.status : 500;
    if (status === 500) log.error('unhandled http error', { requestId: observation(res).requestId, error: String(error?.stack ?? error) });
    res.status(status).json({
      errors: [{ message: status === 500 ? 'Internal server error' : 'Malformed request', extensions: { code: status === 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST' } }],
    });
  };
  app.use(answerError);
  // /graphql and Stripe's deliveries, nearly all the traffic, run the same handlers without Express's router
  // (ops/direct-route.ts); the routes above still serve their other spellings.
  server.on(
    'request',
    directRoutes(
      app,
      [
        { path: '/graphql', handlers: [logRequest, setSecurityHeaders, ...graphqlRoute] },
        { method: 'POST', path: '/webhooks/stripe', handlers: [logRequest, setSecurityHeaders, ...stripeWebhook] },
      ],
      answerError,
    ),
  );

  // A port already in use rejects here (instead of an uncaught 'error' event), so the caller can clean up and say why.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? env.PORT, env.HOST, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch(async (error) => {
    // Nothing was received: only the inbox's sweep would go on, against a database the caller is about to close.
    await stripeInbox.stop();
    throw error;
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : env.PORT;
  return {
    server,
    apollo,
    url: `http://${env.HOST}:${port}`,
    async stop() {
      stopping = true;
      try {
        await apollo.stop();
        // After the requests in flight, which may still queue events; what waits for a worker stays stored.
        await stripeInbox.stop();
      } finally {
        unobservePool();
      }
    },
  };
}
