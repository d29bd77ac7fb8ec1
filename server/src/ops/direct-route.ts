import type http from 'node:http';
import type express from 'express';

/**
 * Serves one exact path (with or without a query string) by running its Express middleware chain directly, without
 * Express's router: `/graphql` is nearly all the traffic, and for each request the router matched every layer's path,
 * cut the mount prefix off the URL and put it back, and walked the chain through its own bookkeeping (≈ 5 % of a
 * request's CPU). The handlers are the same functions, on the same request and response: they get Express's prototypes
 * as `app.handle` gives them, an error thrown or rejected goes to `onError` as the router would send it, and one that
 * `onError` passes on closes the connection when the answer has started (as Express's final handler does). Any other
 * path, `/graphql/` and other spellings included, still goes to the app.
 */
export function directRoute(
  app: express.Express,
  path: string,
  handlers: express.RequestHandler[],
  onError: express.ErrorRequestHandler,
): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  const serves = (url: string | undefined) => url !== undefined && url.startsWith(path) && (url.length === path.length || url[path.length] === '?');
  return (incoming, outgoing) => {
    if (!serves(incoming.url)) {
      app(incoming, outgoing);
      return;
    }
    const req = incoming as express.Request;
    const res = outgoing as express.Response;
    req.res = res;
    res.req = req;
    Object.setPrototypeOf(req, app.request);
    Object.setPrototypeOf(res, app.response);
    if (!res.locals) res.locals = Object.create(null);

    let index = 0;
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) {
        // onError passed it on: Express's final handler answers 500, or closes a connection whose answer has started.
        if (res.headersSent) req.socket.destroy();
        else {
          res.statusCode = 500;
          res.end();
        }
        return;
      }
      failed = true;
      try {
        onError(error, req, res, fail);
      } catch (thrown) {
        fail(thrown);
      }
    };
    const next = (error?: unknown) => {
      if (error) return fail(error);
      const handler = handlers[index++];
      // Past the last handler (none of /graphql's gets there: Apollo answers every request): the app's own 404.
      if (!handler) return app(req, res);
      try {
        const returned = handler(req, res, next) as unknown;
        if (returned instanceof Promise) returned.then(undefined, (rejection) => next(rejection ?? new Error('Rejected promise')));
      } catch (thrown) {
        next(thrown);
      }
    };
    next();
  };
}
