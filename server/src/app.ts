import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import type { MikroORM } from '@mikro-orm/postgresql';
import express from 'express';
import { principalForToken } from './auth/auth.service';
import type { Env } from './env';
import { GraphQLContext } from './graphql/context';
import { formatError, isUnexpected } from './graphql/errors';
import { getSchema } from './graphql/schema';
import type { Logger } from './logger';
import { RequestContext } from './shared/request-context';
import { createStripeClient } from './stripe/stripe-client';
import { stripeWebhookHandler } from './stripe/stripe-webhook.route';

export interface App {
  server: http.Server;
  apollo: ApolloServer<GraphQLContext>;
  url: string;
  stop(): Promise<void>;
}

/** Logs unexpected errors once, with the request id, and hands that id to the client so support can find the log line. */
function errorLoggingPlugin(log: Logger): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
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
  const server = http.createServer(app);

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    try {
      await orm.em.getConnection().execute('select 1');
      res.json({ status: 'ready' });
    } catch {
      res.status(503).json({ status: 'database unavailable' });
    }
  });

  // Stripe verifies signatures over the exact bytes: this route reads the raw body and comes before any JSON parser.
  app.post('/webhooks/stripe', ...stripeWebhookHandler({ orm, env, log }));
  const stripe = createStripeClient(env);

  const apollo = new ApolloServer<GraphQLContext>({
    schema: await getSchema(),
    formatError: formatError(),
    includeStacktraceInErrorResponses: false,
    introspection: true,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer: server }),
      ApolloServerPluginCacheControlDisabled(),
      errorLoggingPlugin(log),
    ],
  });
  await apollo.start();

  app.use(
    '/graphql',
    express.json({ limit: '1mb' }),
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        const requestId = (req.headers['x-request-id'] as string | undefined)?.slice(0, 100) || randomUUID();
        const token = bearerToken(req.headers.authorization);
        const principal = token ? await principalForToken(orm.em.fork(), token) : null;
        return new GraphQLContext(RequestContext.create(orm.em as any, principal, requestId), env.SESSION_TTL_HOURS, stripe);
      },
    }),
  );

  // Malformed JSON bodies and the like: a clear 400, never a stack trace.
  app.use((error: any, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (res.headersSent) return next(error);
    const status = typeof error?.status === 'number' && error.status < 500 ? error.status : 500;
    if (status === 500) log.error('unhandled http error', { error: String(error?.stack ?? error) });
    res.status(status).json({
      errors: [{ message: status === 500 ? 'Internal server error' : 'Malformed request', extensions: { code: status === 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST' } }],
    });
  });

  await new Promise<void>((resolve) => server.listen(options.port ?? env.PORT, env.HOST, resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : env.PORT;
  return {
    server,
    apollo,
    url: `http://${env.HOST}:${port}`,
    async stop() {
      await apollo.stop();
    },
  };
}
