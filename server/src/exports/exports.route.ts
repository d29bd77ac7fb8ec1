import { once } from 'node:events';
import type { MikroORM } from '@mikro-orm/postgresql';
import { Router, type Request, type Response } from 'express';
import { principalForToken } from '../auth/auth.service';
import { isDatabaseUnavailable } from '../db/database-unavailable';
import type { Env } from '../env';
import { DomainError } from '../errors';
import { AuthChecker, type Requirement } from '../graphql/auth-checker';
import type { GraphQLContext } from '../graphql/context';
import { CostBuckets } from '../graphql/cost-buckets';
import { clientAddressOf } from '../graphql/limits';
import type { Logger } from '../logger';
import { observation } from '../ops/request-log';
import { RequestContext, type Principal } from '../shared/request-context';
import { auditCsvBatches, auditHeader, parseAuditExportQuery } from './audit-export';
import { ordersCsvBatches, ordersHeader, parseOrdersExportQuery } from './orders-export';

/**
 * GET /exports/orders.csv and /exports/audit.csv: the same credentials as /graphql (a session's or an API key's bearer
 * token), the same authorization check (orders:read / VIEWER for orders; ADMIN sessions only for the audit log), and
 * the same bucket of points: an export costs EXPORT_COST, taken before anything is read.
 *
 * Errors before the first byte are JSON in /graphql's shape (`errors[0].extensions.code`) with a 4xx status. The body
 * is streamed batch by batch, each written only when the previous one has drained to the client; a client that goes
 * away stops the export. A failure after the first byte can only cut the response short: the last line of a complete
 * export ends with CRLF, so a truncated file is recognisable.
 */
export const EXPORT_COST = 100;

const STATUS_OF: Record<string, number> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, BAD_USER_INPUT: 400, THROTTLED: 429, NOT_FOUND: 404 };

function refuse(res: Response, error: DomainError) {
  if (error.code === 'THROTTLED') res.setHeader('retry-after', String(error.details.retryAfterSeconds ?? 1));
  res.status(STATUS_OF[error.code] ?? 400).json({ errors: [{ message: error.message, extensions: { ...error.details, code: error.code } }] });
}

function bucketKey(principal: Principal): string | null {
  if (principal.apiKeyId) return `api-key:${principal.apiKeyId}`;
  if (principal.sessionId) return `session:${principal.sessionId}`;
  return null;
}

/** Writes a chunk, waiting for the socket to drain first when it is full; false once the client has gone. */
async function write(res: Response, chunk: string): Promise<boolean> {
  if (res.destroyed || res.writableEnded) return false;
  if (res.write(chunk)) return true;
  const closed = once(res, 'close').then(() => false);
  const drained = once(res, 'drain').then(() => true);
  return Promise.race([drained, closed]);
}

export function exportsRouter(options: { orm: MikroORM; env: Env; log: Logger }): Router {
  const { orm, env, log } = options;
  const buckets = new CostBuckets(orm.em as any, env.THROTTLE_CAPACITY, env.THROTTLE_RESTORE_RATE);
  const authChecker = new AuthChecker();

  /** The request's context once its credential passed the check and paid for the export; otherwise answers and returns null. */
  async function authorize(req: Request, res: Response, requirements: Requirement[]): Promise<RequestContext | null> {
    const match = req.headers.authorization?.match(/^Bearer\s+(\S+)$/i);
    const principal = match ? await principalForToken(orm.em.fork() as any, match[1]) : null;
    if (!principal) {
      refuse(res, new DomainError('UNAUTHENTICATED', 'Send a session token or an API key as `Authorization: Bearer …`'));
      return null;
    }
    principal.clientAddress = clientAddressOf(req.headers, req.socket.remoteAddress, env.DASHBOARD_FORWARDING_SECRET);
    const ctx = RequestContext.create(orm.em as any, principal, observation(res).requestId);
    try {
      authChecker.check({ context: { ctx } as GraphQLContext } as any, requirements);
    } catch (error) {
      if (error instanceof DomainError) {
        refuse(res, error);
        return null;
      }
      throw error;
    }
    const key = bucketKey(principal);
    if (key) {
      const decision = await buckets.take(key, EXPORT_COST);
      if (!decision.granted) {
        refuse(res, new DomainError('THROTTLED', `Throttled: an export costs ${EXPORT_COST} points and ${decision.status.currentlyAvailable} are available; retry in ${decision.retryAfterSeconds} seconds`, {
          retryAfterSeconds: decision.retryAfterSeconds,
          requestedQueryCost: EXPORT_COST,
        }));
        return null;
      }
    }
    return ctx;
  }

  async function stream(req: Request, res: Response, filename: string, header: string, batches: AsyncGenerator<string>) {
    res.status(200);
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    res.setHeader('content-disposition', `attachment; filename="${filename}"`);
    res.setHeader('cache-control', 'no-store');
    // The byte-order mark tells spreadsheet programs the file is UTF-8 (accents in names, € in nothing: amounts are plain).
    if (!(await write(res, `\ufeff${header}`))) return;
    try {
      for await (const chunk of batches) {
        if (!(await write(res, chunk))) {
          await batches.return(undefined);
          return;
        }
      }
      res.end();
    } catch (error) {
      log.error('export failed', { requestId: observation(res).requestId, route: req.path, error: String((error as Error)?.stack ?? error) });
      res.destroy();
    }
  }

  function handler(requirements: Requirement[], run: (ctx: RequestContext, req: Request, res: Response) => Promise<void>) {
    return async (req: Request, res: Response) => {
      res.setHeader('cache-control', 'no-store');
      try {
        const ctx = await authorize(req, res, requirements);
        if (ctx) await run(ctx, req, res);
      } catch (error) {
        if (error instanceof DomainError && !res.headersSent) return refuse(res, error);
        if (res.headersSent) return void res.destroy();
        if (isDatabaseUnavailable(error)) {
          res.setHeader('retry-after', '5');
          return void res.status(503).json({ errors: [{ message: 'The database is briefly unavailable; retry shortly', extensions: { code: 'SERVICE_UNAVAILABLE' } }] });
        }
        log.error('export failed', { requestId: observation(res).requestId, error: String((error as Error)?.stack ?? error) });
        res.status(500).json({ errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: observation(res).requestId } }] });
      }
    };
  }

  const day = () => new Date().toISOString().slice(0, 10);
  const router = Router();
  router.get(
    '/exports/orders.csv',
    handler(['VIEWER', 'orders:read'], async (ctx, req, res) => {
      const request = parseOrdersExportQuery(req.query as Record<string, unknown>);
      const name = `orders${request.lines ? '-lines' : ''}-${day()}.csv`;
      await stream(req, res, name, ordersHeader(request), ordersCsvBatches(ctx, request));
    }),
  );
  router.get(
    '/exports/audit.csv',
    handler(['ADMIN'], async (ctx, req, res) => {
      const filter = parseAuditExportQuery(req.query as Record<string, unknown>);
      await stream(req, res, `audit-log-${day()}.csv`, auditHeader(), auditCsvBatches(ctx, filter));
    }),
  );
  return router;
}
