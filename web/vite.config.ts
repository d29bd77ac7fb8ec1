import { vitePlugin as remix } from '@remix-run/dev';
import { defineConfig } from 'vitest/config';
import tsconfigPaths from 'vite-tsconfig-paths';

declare module '@remix-run/node' {
  interface Future {
    v3_singleFetch: true;
  }
}

const isVitest = Boolean(process.env.VITEST);

export default defineConfig({
  plugins: [
    !isVitest &&
      remix({
        ignoredRouteFiles: ['**/*.graphql', '**/*.test.*'],
        // The browser tests build elsewhere, so they never replace the build a running dashboard serves.
        buildDirectory: process.env.REMIX_BUILD_DIRECTORY || 'build',
        future: {
          v3_fetcherPersist: true,
          v3_relativeSplatPath: true,
          v3_throwAbortReason: true,
          v3_singleFetch: true,
          v3_lazyRouteDiscovery: true,
        },
      }),
    tsconfigPaths(),
  ],
  server: { host: '127.0.0.1' },
  // Pre-bundle React and the GraphQL client, otherwise the first dev load may load React twice.
  optimizeDeps: { include: ['react', 'react-dom', 'react-dom/client', 'urql', '@urql/core', 'recharts'] },
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    environment: 'node',
  },
});
