import type http from 'node:http';
import type express from 'express';

export interface DirectRoute {
  method: string;
  /** The request's whole URL, as sent (no query string, no trailing slash): any other spelling goes through Express. */
  url: string;
  /** Every middleware Express would run for this route, in its order: the app-wide ones, then the route's own. */
  handlers: express.RequestHandler[];
  /** The app's error middleware, for an error any handler passes on. */
  onError: express.ErrorRequestHandler;
}

/**
 * The HTTP server's listener: `route`'s requests run its handlers without Express's router, every other request goes
 * to `app`. For a hot route whose chain is known (Stripe's deliveries): walking the router's layers, matching each
 * path, cost a measurable share of the API's CPU per delivery (docs/performance.md, Write path, Stripe deliveries,
 * round 5). The handlers themselves are Express's, on Express's request and response (app.handle's set-up), so what
 * the route answers — statuses, headers, body limit, errors, request log, metrics — is what Express would answer.
 */
export function withDirectRoute(app: express.Express, route: DirectRoute): http.RequestListener {
  return (req, res) => {
    if (req.method !== route.method || req.url !== route.url) {
      app(req, res);
      return;
    }
    const request = req as express.Request;
    const response = res as express.Response;
    // What app.handle and the router set before the first layer (x-powered-by is disabled).
    request.res = response;
    response.req = request;
    Object.setPrototypeOf(req, app.request);
    Object.setPrototypeOf(res, app.response);
    if (!response.locals) response.locals = Object.create(null);
    request.baseUrl = '';
    request.originalUrl = req.url!;
    request.params = {};
    let index = 0;
    let failed = false;
    const next = (error?: unknown): void => {
      if (error !== undefined && error !== null) return fail(error);
      const handler = route.handlers[index++];
      if (!handler) return fail(new Error(`${route.method} ${route.url}: no handler answered`));
      try {
        const result = handler(request, response, next) as unknown;
        // Express 5 passes a rejected promise of a handler on as its error.
        if (result instanceof Promise) result.then(undefined, (rejected) => next(rejected ?? new Error('Rejected promise')));
      } catch (thrown) {
        next(thrown);
      }
    };
    const fail = (error: unknown): void => {
      if (failed) return;
      failed = true;
      try {
        // The error middleware answers; one that passes it on again leaves it to the last resort below.
        route.onError(error, request, response, (unanswered?: unknown) => lastResort(request, response, unanswered));
      } catch (thrown) {
        lastResort(request, response, thrown);
      }
    };
    next();
  };
}

/** What Express's final handler does with an error nobody answered: a bare 500, or the socket closed once headers went. */
function lastResort(req: express.Request, res: express.Response, _error: unknown) {
  if (res.headersSent) {
    req.socket.destroy();
    return;
  }
  res.statusCode = 500;
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.end('Internal Server Error');
}
