import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The process's Prometheus metrics, served at GET /metrics. One registry per process: every app instance started in
 * it (tests start several) reports into the same series, and modules record into it without holding an app.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'luneo_' });

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const graphqlRequests = new Counter({
  name: 'luneo_graphql_requests_total',
  help: 'GraphQL requests by operation name and outcome (ok, or the first error code)',
  labelNames: ['operation', 'outcome'] as const,
  registers: [registry],
});

const graphqlDuration = new Histogram({
  name: 'luneo_graphql_request_duration_seconds',
  help: 'GraphQL request latency by operation name',
  labelNames: ['operation'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

const httpRequests = new Counter({
  name: 'luneo_http_requests_total',
  help: 'HTTP requests by route and status code',
  labelNames: ['route', 'status'] as const,
  registers: [registry],
});

const httpDuration = new Histogram({
  name: 'luneo_http_request_duration_seconds',
  help: 'HTTP request latency by route',
  labelNames: ['route'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

const webhookDeliveries = new Counter({
  name: 'luneo_stripe_webhooks_total',
  help: 'Stripe webhook deliveries by event type and outcome (PROCESSED, DUPLICATE, IGNORED, REJECTED, FAILED, INVALID)',
  labelNames: ['type', 'outcome'] as const,
  registers: [registry],
});

const throttledRequests = new Counter({
  name: 'luneo_throttled_requests_total',
  help: 'Requests refused by a rate limit, by limiter',
  labelNames: ['limiter'] as const,
  registers: [registry],
});

const poolAcquireWait = new Histogram({
  name: 'luneo_db_pool_acquire_wait_seconds',
  help: 'Time a query waited for a connection from the SQL pool',
  buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

const poolAcquireFailures = new Counter({
  name: 'luneo_db_pool_acquire_failures_total',
  help: 'Connection requests the SQL pool could not satisfy (database unreachable or acquire timeout)',
  registers: [registry],
});

/** The part of tarn's pool (knex's pool) that the gauges read and the wait histogram listens to. */
export interface ObservedPool {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
  numPendingCreates(): number;
  max: number;
  on(event: string, listener: (...args: any[]) => void): void;
  removeListener(event: string, listener: (...args: any[]) => void): void;
}

const observedPools = new Set<ObservedPool>();
const sumOver = (read: (pool: ObservedPool) => number) => [...observedPools].reduce((sum, pool) => sum + read(pool), 0);

new Gauge({
  name: 'luneo_db_pool_connections',
  help: 'SQL pool connections by state (used: lent to a query or transaction; free: idle)',
  labelNames: ['state'] as const,
  registers: [registry],
  collect() {
    this.set({ state: 'used' }, sumOver((pool) => pool.numUsed()));
    this.set({ state: 'free' }, sumOver((pool) => pool.numFree()));
  },
});

new Gauge({
  name: 'luneo_db_pool_max_connections',
  help: 'Maximum size of the SQL pool',
  registers: [registry],
  collect() {
    this.set(sumOver((pool) => pool.max));
  },
});

new Gauge({
  name: 'luneo_db_pool_waiting_requests',
  help: 'Queries waiting for a connection from the SQL pool right now',
  registers: [registry],
  collect() {
    this.set(sumOver((pool) => pool.numPendingAcquires()));
  },
});

/** Labels must stay a small set: a client-chosen operation name becomes a label only while few distinct ones exist. */
const MAX_OPERATION_LABELS = 200;
const operationLabels = new Set<string>();

export function operationLabel(name: string | null | undefined): string {
  if (!name) return 'anonymous';
  if (!/^[_A-Za-z][_0-9A-Za-z]{0,99}$/.test(name)) return 'invalid';
  if (operationLabels.has(name)) return name;
  if (operationLabels.size >= MAX_OPERATION_LABELS) return 'other';
  operationLabels.add(name);
  return name;
}

export function recordGraphQLRequest(operation: string, outcome: string, seconds: number) {
  graphqlRequests.inc({ operation, outcome });
  graphqlDuration.observe({ operation }, seconds);
}

export function recordHttpRequest(route: string, status: number, seconds: number) {
  httpRequests.inc({ route, status: String(status) });
  httpDuration.observe({ route }, seconds);
}

export function recordWebhook(type: string, outcome: string) {
  webhookDeliveries.inc({ type, outcome });
}

/** Rate limiters call this once for every request they refuse. */
export function recordThrottled(limiter = 'default') {
  throttledRequests.inc({ limiter });
}

/**
 * Reports an SQL pool — knex's, `knex.client.pool` — (size, use, waiters, time spent waiting for a connection) until
 * the returned function is called.
 */
export function observePool(pool: ObservedPool | undefined): () => void {
  if (!pool) return () => undefined;
  const waitingSince = new Map<number, bigint>();
  const waited = (id: number) => {
    const start = waitingSince.get(id);
    waitingSince.delete(id);
    return start === undefined ? null : Number(process.hrtime.bigint() - start) / 1e9;
  };
  const onRequest = (id: number) => waitingSince.set(id, process.hrtime.bigint());
  const onSuccess = (id: number) => {
    const seconds = waited(id);
    if (seconds !== null) poolAcquireWait.observe(seconds);
  };
  const onFailure = (id: number) => {
    waited(id);
    poolAcquireFailures.inc();
  };
  pool.on('acquireRequest', onRequest);
  pool.on('acquireSuccess', onSuccess);
  pool.on('acquireFail', onFailure);
  observedPools.add(pool);
  return () => {
    observedPools.delete(pool);
    pool.removeListener('acquireRequest', onRequest);
    pool.removeListener('acquireSuccess', onSuccess);
    pool.removeListener('acquireFail', onFailure);
  };
}
