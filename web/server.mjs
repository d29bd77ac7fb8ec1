// The dashboard's production server: `node server.mjs [build/server/index.js]` (what `pnpm start`, the benchmark and the
// browser tests run). With one process (WEB_CONCURRENCY=1) it is the HTTP server of dashboard-server.mjs; with more,
// this process only supervises that many copies of it sharing the port (workers.mjs), so it loads neither Remix nor
// the build.
import cluster from 'node:cluster';
import { superviseWorkers, workerCount } from './workers.mjs';

let workers;
try {
  workers = cluster.isPrimary ? workerCount() : 1;
} catch (error) {
  console.error(`[luneo-web] ${error.message}`);
  process.exit(1);
}

if (workers > 1) {
  superviseWorkers(workers, {
    onListening: ({ port }) =>
      console.log(`[luneo-web] http://${process.env.HOST ?? 'localhost'}:${port} (${workers} processes)`),
  });
} else {
  await import('./dashboard-server.mjs');
}
