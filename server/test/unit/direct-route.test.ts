import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { directRoutes, expressMessages } from '../../src/ops/direct-route';

/**
 * ops/direct-route.ts runs /graphql's handlers without Express's router: the same handlers, Express's request and
 * response methods, errors routed to the same error handler, every other path left to the app. app.ts mounts the same
 * handlers on the app too, as this test does, so both ways answer alike.
 */
describe('directRoutes', () => {
  let server: http.Server;
  let url: string;
  const routedBy: string[] = [];

  beforeAll(async () => {
    const app = express();
    const handlers: express.RequestHandler[] = [
      (req, res, next) => {
        res.setHeader('x-first', 'yes');
        res.locals.seen = req.path;
        next();
      },
      express.json({ limit: 100 }),
      (req, res, next) => {
        const kind = req.query.fail;
        if (kind === 'throw') throw Object.assign(new Error('thrown'), { status: 418 });
        if (kind === 'reject') return Promise.reject(Object.assign(new Error('rejected'), { status: 409 }));
        if (kind === 'late') {
          res.status(200).write('started');
          return next(new Error('after the answer started'));
        }
        if (kind === 'unhandled') return next(new Error('unhandled'));
        routedBy.push(req.baseUrl === '/graphql' ? 'router' : 'direct');
        res.status(201).json({ body: req.body, path: res.locals.seen, query: req.query });
      },
    ];
    const onError: express.ErrorRequestHandler = (error, _req, res, next) => {
      if (res.headersSent || error.message === 'unhandled') return next(error);
      res.status(error.status ?? 500).json({ error: error.message });
    };
    app.use('/graphql', ...handlers);
    app.get('/hook', (_req, res) => {
      res.json({ via: 'app' });
    });
    app.get('/other', (_req, res) => {
      res.json({ other: true });
    });
    app.use(onError);
    server = http.createServer();
    server.on('request', directRoutes(
        app,
        [
          { path: '/graphql', handlers },
          { method: 'POST', path: '/hook', handlers: [(_req, res) => void res.json({ via: 'direct' })] },
        ],
        onError,
      ));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const post = (path: string, body: string) =>
    fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it('serves the exact path, with or without a query string, through the same handlers as the mounted route', async () => {
    routedBy.length = 0;
    const direct = await post('/graphql?a=1', '{"x":1}');
    const mounted = await post('/graphql/?a=1', '{"x":1}');
    expect(routedBy).toEqual(['direct', 'router']);
    expect(direct.status).toBe(201);
    expect(direct.headers.get('x-first')).toBe('yes');
    expect(await direct.json()).toEqual({ body: { x: 1 }, path: '/graphql', query: { a: '1' } });
    expect(mounted.status).toBe(201);
    expect(((await mounted.json()) as { body: unknown }).body).toEqual({ x: 1 });
    const other = (await post('/graphql', '{"y":2}').then((r) => r.json())) as { body: unknown };
    expect(other.body).toEqual({ y: 2 });
  });

  it('serves a route with a method only for that method', async () => {
    expect(await post('/hook', '{}').then((r) => r.json())).toEqual({ via: 'direct' });
    expect(await fetch(`${url}/hook`).then((r) => r.json())).toEqual({ via: 'app' });
  });

  it('leaves every other path to the app', async () => {
    expect(await fetch(`${url}/other`).then((r) => r.json())).toEqual({ other: true });
    expect((await fetch(`${url}/graphqlx`)).status).toBe(404);
  });

  it('sends errors — a middleware’s, a throw, a rejected promise — to the error handler', async () => {
    const tooLarge = await post('/graphql', JSON.stringify({ pad: 'x'.repeat(200) }));
    expect(tooLarge.status).toBe(413);
    expect((await post('/graphql', '{bad')).status).toBe(400);
    const thrown = await post('/graphql?fail=throw', '{}');
    expect(thrown.status).toBe(418);
    expect(await thrown.json()).toEqual({ error: 'thrown' });
    const rejected = await post('/graphql?fail=reject', '{}');
    expect(rejected.status).toBe(409);
    expect(await rejected.json()).toEqual({ error: 'rejected' });
  });

  it('answers 500 for an error the handler passes on, and closes a connection whose answer had started', async () => {
    expect((await post('/graphql?fail=unhandled', '{}')).status).toBe(500);
    await expect(post('/graphql?fail=late', '{}').then((r) => r.text())).rejects.toThrow();
  });
});

/**
 * app.ts makes its server with `expressMessages(app)`: requests and responses are born with Express's methods, so the
 * direct routes leave their prototypes alone. Setting a prototype on each request made V8 promote every request's
 * objects to the old generation (docs/performance.md, Read path, round 8).
 */
describe('directRoutes on a server made with expressMessages', () => {
  it('answers with Express’s request and response methods without changing the messages’ prototypes', async () => {
    const app = express();
    const messages = expressMessages(app);
    const keptPrototypes: boolean[] = [];
    const handler: express.RequestHandler = (req, res) => {
      keptPrototypes.push(
        Object.getPrototypeOf(req) === messages.IncomingMessage.prototype && Object.getPrototypeOf(res) === messages.ServerResponse.prototype,
      );
      res.status(202).json({ contentType: req.get('content-type'), query: req.query });
    };
    app.get('/other', (req, res) => void res.json({ via: 'app', host: req.hostname }));
    const server = http.createServer(messages);
    server.on('request', directRoutes(app, [{ path: '/graphql', handlers: [handler] }], (error, _req, _res, next) => next(error)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const answer = await fetch(`${url}/graphql?a=1`, { headers: { 'content-type': 'application/json' } });
      expect(answer.status).toBe(202);
      expect(await answer.json()).toEqual({ contentType: 'application/json', query: { a: '1' } });
      expect(keptPrototypes).toEqual([true]);
      // Every other request still goes through Express, which gives the messages its own prototypes.
      expect(await fetch(`${url}/other`).then((r) => r.json())).toEqual({ via: 'app', host: '127.0.0.1' });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
