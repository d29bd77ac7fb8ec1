import { HeaderMap, type ApolloServer, type BaseContext, type HTTPGraphQLResponse } from '@apollo/server';
import type express from 'express';

/**
 * /graphql's handler: Apollo's `executeHTTPGraphQLRequest`, as `@as-integrations/express5` calls it, without what that
 * costs on every request (a `url.parse`, and Express's `res.send`, which copies the answer into a Buffer to measure
 * it — `res.end` measures a string itself), and with one more step: an answer made while the credential's check rode
 * with the first read is thrown away unless that check confirmed it, and the operation runs again the usual way
 * (auth/deferred-credential-check.ts). Nothing of the first attempt went out; the second answers as if it were alone.
 */
export function graphqlHandler<TContext extends BaseContext & { ctx: { answerWithheld: boolean } }>(
  apollo: ApolloServer<TContext>,
  contextFor: (req: express.Request, res: express.Response, options: { mayDefer: boolean }) => Promise<TContext>,
): express.RequestHandler {
  apollo.assertStarted('graphqlHandler()');
  return async (req, res, next) => {
    try {
      if (!('body' in req)) {
        res.status(500).send('`req.body` is not set: the JSON body parser must run before the GraphQL handler.');
        return;
      }
      const headers = new HeaderMap();
      for (const [key, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
      }
      const httpGraphQLRequest = { method: req.method.toUpperCase(), headers, search: searchOf(req.url), body: req.body };
      let made: TContext | undefined;
      const attempt = (mayDefer: boolean) =>
        apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest, context: async () => (made = await contextFor(req, res, { mayDefer })) });
      let response = await attempt(true);
      if (made?.ctx.answerWithheld) response = await attempt(false);
      await send(res, response);
    } catch (error) {
      next(error);
    }
  };
}

/** The query string of a request target, `?` included (what `url.parse(target).search` gives, or ''). */
export function searchOf(target: string): string {
  const start = target.indexOf('?');
  if (start < 0) return '';
  const end = target.indexOf('#', start);
  return end < 0 ? target.slice(start) : target.slice(start, end);
}

async function send(res: express.Response, response: HTTPGraphQLResponse): Promise<void> {
  for (const [key, value] of response.headers) res.setHeader(key, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    // Node sets Content-Length from a string given to `end` and writes the headers and the body in one go.
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}
