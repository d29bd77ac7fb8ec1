import { randomUUID } from 'node:crypto';
import type express from 'express';
import type { Logger } from '../logger';
import { recordHttpRequest, recordWebhook } from './metrics';

/** What one request's log line says beyond HTTP: filled in by whichever handler learns it (GraphQL, Stripe). */
export interface RequestObservation {
  requestId: string;
  startedAt: bigint;
  operation?: string;
  actor?: string;
  brand?: string;
  /** `ok`, an error code, or a webhook outcome. */
  outcome?: string;
}

const ROUTES = new Set(['/graphql', '/webhooks/stripe', '/healthz', '/readyz', '/metrics']);
/** Probes and scrapes come every few seconds: their lines are debug, so that the info log is about real traffic. */
const QUIET_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

/** A client's own request id is kept when it is a plain token; anything else is replaced by a fresh one. */
function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && /^[\w.:-]{1,100}$/.test(header) ? header : randomUUID();
}

export const secondsSince = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

export function observation(res: express.Response): RequestObservation {
  return res.locals.observation as RequestObservation;
}

/**
 * First middleware of the app: gives every request an id (answered as `x-request-id`), and when the response is done
 * counts it and writes one JSON line with the id, route, status, duration, operation, actor, brand and outcome.
 */
export function requestLog(log: Logger): express.RequestHandler {
  return (req, res, next) => {
    const seen: RequestObservation = { requestId: requestIdFrom(req.headers['x-request-id']), startedAt: process.hrtime.bigint() };
    res.locals.observation = seen;
    res.setHeader('x-request-id', seen.requestId);
    const route = ROUTES.has(req.path) ? req.path : 'other';
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      const seconds = secondsSince(seen.startedAt);
      const status = res.writableFinished ? res.statusCode : 499;
      recordHttpRequest(route, status, seconds);
      const write = QUIET_ROUTES.has(route) ? log.debug : log.info;
      write('request', {
        requestId: seen.requestId,
        method: req.method,
        route,
        status,
        durationMs: Math.round(seconds * 10_000) / 10,
        operation: seen.operation,
        actor: seen.actor,
        brand: seen.brand,
        outcome: seen.outcome ?? (status < 400 ? 'ok' : status === 499 ? 'aborted' : `http_${status}`),
      });
    };
    res.on('finish', finish);
    res.on('close', finish);
    next();
  };
}

/**
 * Placed before the Stripe route: reads the outcome from its answer (the route stays unaware of metrics). The event
 * type is taken from the body only once the route has verified its signature, so unsigned requests cannot invent
 * label values.
 */
export function webhookOutcomes(options: { signatureChecked: boolean }): express.RequestHandler {
  return (req, res, next) => {
    // The route answers once, with res.json, after setting the status: that is where its outcome is known (and before
    // the request's log line is written).
    const json = res.json.bind(res);
    res.json = (answer: any) => {
      const verified = options.signatureChecked && (res.statusCode === 200 || res.statusCode >= 500);
      const type = verified ? eventType(res.locals.stripeEventType ?? req.body) : 'unverified';
      const outcome =
        res.statusCode === 200 ? (answer?.duplicate ? 'DUPLICATE' : answer?.queued ? 'QUEUED' : String(answer?.outcome ?? 'PROCESSED')) : res.statusCode >= 500 ? 'FAILED' : 'INVALID';
      recordWebhook(type, outcome);
      const seen = observation(res);
      seen.operation = `stripe:${type}`;
      seen.actor = 'STRIPE';
      seen.outcome = outcome;
      return json(answer);
    };
    next();
  };
}

/** The event's type as the route verified it, or read from the raw body (a failure before the route parsed it). */
function eventType(typeOrBody: unknown): string {
  if (typeof typeOrBody === 'string') return /^[a-z_.]{1,100}$/.test(typeOrBody) ? typeOrBody : 'unknown';
  if (!Buffer.isBuffer(typeOrBody)) return 'unknown';
  try {
    const type = JSON.parse(typeOrBody.toString('utf8'))?.type;
    return typeof type === 'string' && /^[a-z_.]{1,100}$/.test(type) ? type : 'unknown';
  } catch {
    return 'unknown';
  }
}
