import http from 'node:http';
import type express from 'express';

export interface DirectRoute {
  /** Only this method is served directly; any method when absent. */
  method?: string;
  /** The exact path, with or without a query string: any other spelling (`/graphql/`) still goes to the app. */
  path: string;
  /** Every middleware Express would run for this route, in its order: the app-wide ones, then the route's own. */
  handlers: express.RequestHandler[];
}

/**
 * The HTTP server's listener: the hot routes (`/graphql`, nearly all the traffic, and Stripe's deliveries) run their
 * Express middleware chains directly, without Express's router; every other request goes to `app`. For each request
 * the router matched every layer's path, cut the mount prefix off the URL and put it back, and walked the chain
 * through its own bookkeeping (≈ 5 % of a request's CPU; docs/performance.md, Read path round 6 and Stripe deliveries
 * round 5). The handlers are the same functions, on Express's request and response as `app.handle` sets them up, so
 * what a route answers — statuses, headers, body limits, errors, request log, metrics — is what Express would answer:
 * an error thrown, rejected or passed on goes to `onError` as the router would send it, and one that `onError` passes
 * on again gets Express's last resort (a bare 500, or the connection closed once the answer has started).
 */
export function directRoutes(app: express.Express, routes: DirectRoute[], onError: express.ErrorRequestHandler): http.RequestListener {
  const routeOf = (req: http.IncomingMessage) =>
    routes.find(({ method, path }) => {
      const url = req.url;
      if (url === undefined || !url.startsWith(path) || (url.length !== path.length && url[path.length] !== '?')) return false;
      return method === undefined || req.method === method;
    });
  return (incoming, outgoing) => {
    const route = routeOf(incoming);
    if (!route) {
      app(incoming, outgoing);
      return;
    }
    const req = incoming as express.Request;
    const res = outgoing as express.Response;
    // What app.handle and the router set before the first layer (x-powered-by is disabled). The server made the
    // messages with Express's methods already (expressMessages); changing an object's prototype is the slow way.
    req.res = res;
    res.req = req;
    if (!app.request.isPrototypeOf(req)) Object.setPrototypeOf(req, app.request);
    if (!app.response.isPrototypeOf(res)) Object.setPrototypeOf(res, app.response);
    if (!res.locals) res.locals = Object.create(null);
    req.baseUrl = '';
    req.originalUrl = req.url;
    req.params = {};

    let index = 0;
    let failed = false;
    const fail = (error: unknown): void => {
      if (failed) return;
      failed = true;
      try {
        onError(error, req, res, (unanswered?: unknown) => lastResort(req, res, unanswered));
      } catch (thrown) {
        lastResort(req, res, thrown);
      }
    };
    const next = (error?: unknown): void => {
      if (error !== undefined && error !== null) return fail(error);
      const handler = route.handlers[index++];
      // Each route's last handler answers every request (Apollo, the Stripe route): getting past it is a bug.
      if (!handler) return fail(new Error(`${req.method} ${route.path}: no handler answered`));
      try {
        const returned = handler(req, res, next) as unknown;
        // Express 5 passes a handler's rejected promise on as its error.
        if (returned instanceof Promise) returned.then(undefined, (rejected) => next(rejected ?? new Error('Rejected promise')));
      } catch (thrown) {
        next(thrown);
      }
    };
    next();
  };
}

/**
 * The request and response classes for `http.createServer`: Node's, with the app's request and response methods
 * (`app.request`, `app.response`) inherited from the start, so that neither the direct routes nor anything else has to
 * give each message Express's prototype. `Object.setPrototypeOf` on every request (what Express's `app.handle` does)
 * kept each request's objects alive through the next young-generation collection, so they were promoted and left for
 * the full collections: 3–9 MB copied per scavenge instead of ≈ 0 (docs/performance.md, Read path, round 8).
 */
export function expressMessages(app: express.Express) {
  class ExpressIncomingMessage extends http.IncomingMessage {}
  Object.setPrototypeOf(ExpressIncomingMessage.prototype, app.request);
  class ExpressServerResponse extends http.ServerResponse<ExpressIncomingMessage> {}
  Object.setPrototypeOf(ExpressServerResponse.prototype, app.response);
  return { IncomingMessage: ExpressIncomingMessage, ServerResponse: ExpressServerResponse };
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
