import fs from 'node:fs';
import http from 'node:http';

/**
 * The webhook burst's load generator, in a process of its own that holds nothing else: the deliveries, signed
 * beforehand, and the answers' timings. Run in the benchmark's own process, which holds the ORM, the dataset's
 * bookkeeping and the burst's preparation, its garbage collector paused the sender for up to 45 ms at a time (13 pauses,
 * 271 ms in a 3.3 s burst, measured with a `gc` PerformanceObserver on 4 Dec 2026): every answer in flight then waited
 * in the sender, and its p99 measured the sender as much as the API.
 *
 * `node --expose-gc -r @swc-node/register bench/webhook-sender.ts <api url> <deliveries.json> <concurrency>` prints a
 * SentBurst as JSON.
 */

export interface Delivery {
  body: string;
  header: string;
}

export interface SentBurst {
  /** When the first delivery was sent (ms since the epoch). */
  startedAt: number;
  seconds: number;
  /** Sorted, in ms. */
  latencies: number[];
  /** [HTTP status or -1 for a network error, count] */
  statuses: [number, number][];
  /** Answers that said the event was stored and queued rather than giving its outcome. */
  queued: number;
}

/**
 * POSTs every delivery to /webhooks/stripe, `concurrency` at a time, each once. Through node:http with a keep-alive
 * agent, not fetch: the load runs on the same cores as the API and PostgreSQL, and fetch (undici) cost about 2 ms of
 * CPU per delivery here — more than PostgreSQL's share — against ≈ 0.3 ms.
 */
export async function sendBurst(apiUrl: string, deliveries: Delivery[], concurrency: number): Promise<SentBurst> {
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  let queued = 0;
  const target = new URL(`${apiUrl}/webhooks/stripe`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const post = (delivery: Delivery) =>
    new Promise<number>((resolve) => {
      const req = http.request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(delivery.body),
            'stripe-signature': delivery.header,
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            text += chunk;
          });
          res.on('end', () => {
            if (text.includes('"queued":true')) queued++;
            resolve(res.statusCode ?? -1);
          });
          res.on('error', () => resolve(-1));
        },
      );
      req.on('error', () => resolve(-1));
      req.end(delivery.body);
    });
  let next = 0;
  const startedAt = Date.now();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < deliveries.length) {
        const delivery = deliveries[next++];
        const t0 = performance.now();
        const status = await post(delivery);
        latencies.push(performance.now() - t0);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    }),
  );
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { startedAt, seconds: (performance.now() - started) / 1000, latencies, statuses: [...statuses.entries()], queued };
}

async function main() {
  const [apiUrl, file, concurrency] = process.argv.slice(2);
  const deliveries = JSON.parse(fs.readFileSync(file, 'utf8')) as Delivery[];
  // The bodies, read just now, are moved out of the young generation before the clock starts: scavenges during the
  // burst then copy only the answers in flight.
  (globalThis as { gc?: () => void }).gc?.();
  (globalThis as { gc?: () => void }).gc?.();
  const sent = await sendBurst(apiUrl, deliveries, Number(concurrency));
  process.stdout.write(JSON.stringify(sent));
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
