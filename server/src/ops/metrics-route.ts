import { createHash, timingSafeEqual } from 'node:crypto';
import type express from 'express';
import { registry } from './metrics';

/**
 * A request that reached us over the loopback interface and not through a proxy (a proxy on this host would make
 * every visitor look local, so a forwarding header counts as remote).
 */
function fromLoopback(req: express.Request): boolean {
  const address = req.socket.remoteAddress ?? '';
  const local = address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
  return local && !req.headers.forwarded && !req.headers['x-forwarded-for'] && !req.headers['x-real-ip'];
}

const digest = (value: string) => createHash('sha256').update(value).digest();

function carriesToken(req: express.Request, token: string | undefined): boolean {
  const presented = req.headers.authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
  return Boolean(token && presented && timingSafeEqual(digest(presented), digest(token)));
}

/** `GET /metrics` in Prometheus' text format: open to the loopback interface, to others with the METRICS_TOKEN bearer. */
export function metricsRoute(token: string | undefined): express.RequestHandler {
  return async (req, res) => {
    if (!fromLoopback(req) && !carriesToken(req, token)) {
      if (token) res.setHeader('www-authenticate', 'Bearer');
      res.status(token ? 401 : 403).json({ error: token ? 'a valid METRICS_TOKEN bearer is required' : 'metrics are served on the loopback interface only' });
      return;
    }
    res.setHeader('content-type', registry.contentType);
    res.setHeader('cache-control', 'no-store');
    res.send(await registry.metrics());
  };
}
