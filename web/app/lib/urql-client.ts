import { Client, cacheExchange, fetchExchange, mapExchange } from 'urql';

/**
 * The browser's GraphQL client. It talks only to the dashboard's own `/api/graphql` route, which adds the
 * session's token server-side. When the session has ended, it sends the person to sign-in and back.
 */
export function createBrowserClient(): Client {
  return new Client({
    url: '/api/graphql',
    preferGetMethod: false,
    requestPolicy: 'cache-first',
    fetchOptions: { credentials: 'same-origin', headers: { 'x-requested-with': 'luneo-dashboard' } },
    exchanges: [
      cacheExchange,
      mapExchange({
        onError(error) {
          const unauthenticated =
            error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED') ||
            (error.response as Response | undefined)?.status === 401;
          if (unauthenticated && typeof window !== 'undefined') {
            const here = `${window.location.pathname}${window.location.search}`;
            window.location.assign(`/login?redirectTo=${encodeURIComponent(here)}`);
          }
        },
      }),
      fetchExchange,
    ],
  });
}

/** During server rendering the hooks must not fetch (loaders already did): this client never sends anything. */
export function createInertClient(): Client {
  return new Client({ url: '/api/graphql', exchanges: [] });
}
