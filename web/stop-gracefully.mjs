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
