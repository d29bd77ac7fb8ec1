import { createRequire } from 'node:module';
import { matchPath, matchRoutes } from '@remix-run/react';
import { describe, expect, it } from 'vitest';

// The router Remix and React Router use, as they resolve it (the dashboard does not depend on it directly).
const require = createRequire(createRequire(import.meta.url).resolve('@remix-run/react'));
const routerPath = require.resolve('@remix-run/router');
interface TestRouter {
  initialize(): TestRouter;
  navigate(to: string): Promise<void>;
  dispose(): void;
  state: { matches: { route: { id: string } }[]; errors: unknown };
}
type RouteObject = { id: string; path?: string; index?: boolean; children?: RouteObject[] };
const { createMemoryHistory, createRouter } = require('@remix-run/router') as {
  createMemoryHistory(options: { initialEntries: string[] }): unknown;
  createRouter(init: {
    history: unknown;
    routes: RouteObject[];
    patchRoutesOnNavigation(args: { path: string; patch(routeId: string, children: RouteObject[]): void }): void;
  }): TestRouter;
};

/**
 * patches/@remix-run__router@1.23.3.patch keeps each route tree's ranked branches and each path's compiled pattern
 * instead of rebuilding them on every match (four times per server-rendered page).
 */
describe('route matching with the patched router', () => {
  it('is the patched copy', () => {
    expect(require('node:fs').readFileSync(routerPath, 'utf8')).toContain('rankedBranchesByRoutes');
  });

  const routes = [
    {
      id: 'root',
      path: '/',
      children: [
        { id: 'orders', path: 'orders', children: [{ id: 'orders-index', index: true }, { id: 'order', path: ':id' }, { id: 'new', path: 'new' }] },
        { id: 'splat', path: '*' },
      ],
    },
  ];
  const ids = (pathname: string) => matchRoutes(routes, pathname)?.map((match) => [match.route.id, match.pathname, match.params]);

  it('answers the same, ranked, on every call over the same tree', () => {
    for (let i = 0; i < 3; i++) {
      expect(ids('/orders/new')).toEqual([['root', '/', {}], ['orders', '/orders', {}], ['new', '/orders/new', {}]]);
      expect(ids('/orders/42')).toEqual([['root', '/', { id: '42' }], ['orders', '/orders', { id: '42' }], ['order', '/orders/42', { id: '42' }]]);
      expect(ids('/orders')).toEqual([['root', '/', {}], ['orders', '/orders', {}], ['orders-index', '/orders/', {}]]);
      expect(ids('/elsewhere/x')).toEqual([['root', '/', { '*': 'elsewhere/x' }], ['splat', '/elsewhere/x', { '*': 'elsewhere/x' }]]);
    }
  });

  it('keeps a compiled pattern apart for each case sensitivity and end', () => {
    for (let i = 0; i < 2; i++) {
      expect(matchPath({ path: '/orders/:id', caseSensitive: false, end: true }, '/ORDERS/7')?.params).toEqual({ id: '7' });
      expect(matchPath({ path: '/orders/:id', caseSensitive: true, end: true }, '/ORDERS/7')).toBeNull();
      expect(matchPath({ path: '/orders', caseSensitive: false, end: false }, '/orders/7')?.pathnameBase).toBe('/orders');
      expect(matchPath({ path: '/orders', caseSensitive: false, end: true }, '/orders/7')).toBeNull();
    }
  });

  it('matches routes discovered during navigation after the tree was matched once (lazy route discovery)', async () => {
    const router = createRouter({
      history: createMemoryHistory({ initialEntries: ['/a'] }),
      routes: [{ id: 'root', path: '/', children: [{ id: 'a', path: 'a' }] }],
      patchRoutesOnNavigation: ({ path, patch }) => {
        if (path === '/b') patch('root', [{ id: 'b', path: 'b' }]);
      },
    }).initialize();
    expect(router.state.matches.map((match) => match.route.id)).toEqual(['root', 'a']);
    await router.navigate('/b');
    expect(router.state.errors).toBeNull();
    expect(router.state.matches.map((match) => match.route.id)).toEqual(['root', 'b']);
    await router.navigate('/a');
    expect(router.state.matches.map((match) => match.route.id)).toEqual(['root', 'a']);
    router.dispose();
  });
});
