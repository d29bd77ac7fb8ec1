import cluster from 'node:cluster';

/**
 * Stops an HTTP server on SIGTERM/SIGINT without dropping a request and without waiting on clients: it stops accepting
 * connections, answers the requests in flight, and closes each keep-alive connection as soon as it is idle — at once
 * for those idle already, and within a few milliseconds of its last response for the others. `server.close()` alone
 * leaves a connection that was busy when it was called open until the client's keep-alive timeout ends it.
 */
export function stopGracefully(server, onClosed = () => {}) {
  server.close(onClosed);
  server.closeIdleConnections();
  // Unreferenced: it never keeps the process alive by itself, only while connections still do.
  setInterval(() => server.closeIdleConnections(), 25).unref();
}

/**
 * `stopGracefully` on the first SIGTERM or SIGINT; the process then exits once its connections have closed. A repeated
 * signal changes nothing: a cluster worker gets one from its primary and another when the whole process group is
 * signalled (`pnpm start`'s stop), and the default action of the second would drop the requests still in flight.
 */
export function stopOnSignals(server) {
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    stopGracefully(server, (error) => {
      if (error) console.error(error);
      // A cluster worker's channel to its primary would keep it alive once its server has closed.
      if (cluster.isWorker) process.disconnect();
    });
  };
  for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, stop);
}
