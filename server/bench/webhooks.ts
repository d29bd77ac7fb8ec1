import 'reflect-metadata';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { MikroORM } from '@mikro-orm/postgresql';
import { createApp } from '../src/app';
import { principalForUser } from '../src/auth/auth.service';
import { createBrand } from '../src/brands/brand.service';
import { migrate } from '../src/db/database';
import { startEmbeddedPostgres } from '../src/db/embedded-postgres';
import { ormConfig } from '../src/db/orm-config';
import { loadEnv } from '../src/env';
import { createLogger } from '../src/logger';
import { createProduct } from '../src/products/product.service';
import { RequestContext } from '../src/shared/request-context';
import { createUser } from '../src/users/user.service';
import {
  charge,
  checkoutSession,
  paymentIntent,
  signature,
  stripeEvent,
  stripeId,
  WEBHOOK_SECRET,
  type StripeEventPayload,
} from '../test/support/stripe';
import type { SentBurst } from './webhook-sender';

const execFileAsync = promisify(execFile);

/**
 * Webhook burst: BENCH_WEBHOOK_ORDERS checkouts (default 300), each as four signed events — checkout.session.completed,
 * payment_intent.succeeded, a partial and a full charge.refunded — plus BENCH_WEBHOOK_DUPLICATES (default 25%)
 * redeliveries, all shuffled (so many arrive out of order) and POSTed 50 at a time to /webhooks/stripe on a real
 * PostgreSQL. Prints events/s and latency percentiles of the answers, then when the last event was applied (answers may
 * say `queued`) and how long each waited, then checks that nothing was lost or doubled. Asserts nothing.
 */
const ORDERS = Number(process.env.BENCH_WEBHOOK_ORDERS ?? 300);
const DUPLICATE_SHARE = Number(process.env.BENCH_WEBHOOK_DUPLICATES ?? 0.25);
const CONCURRENCY = Number(process.env.BENCH_WEBHOOK_CONCURRENCY ?? 50);
const PRICE = 4_200;
const STOCK = 1_000_000;

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export interface WebhookBurst {
  brandId: string;
  checkouts: number;
  units: number;
  unique: number;
  eventIds: string[];
  paymentIntentIds: string[];
  duplicates: number;
  deliveries: { body: string; header: string }[];
}

/**
 * A brand of its own with 30 products, and the burst for it: four events per checkout, duplicates mixed in, shuffled;
 * signed before the clock starts.
 */
export async function prepareWebhookBurst(orm: MikroORM, checkouts: number, duplicateShare = DUPLICATE_SHARE): Promise<WebhookBurst> {
  const em = orm.em.fork();
  const slug = `bench-webhooks-${Date.now()}`;
  const brand = await createBrand(em, { slug, name: 'Bench Webhooks', currency: 'EUR', prefix: 'BW' });
  const user = await createUser(em, { brandSlug: slug, email: `owner@${slug}.test`, password: 'bench-password', role: 'OWNER' });
  const ctx = RequestContext.create(orm.em as any, principalForUser(user));
  const products = await Promise.all(
    Array.from({ length: 30 }, (_, i) => i + 1).map((i) => createProduct(ctx, { sku: `BW-${i}`, name: `Bench item ${i}`, price: PRICE, stock: STOCK })),
  );

  const unique: StripeEventPayload[] = [];
  const paymentIntentIds: string[] = [];
  let units = 0;
  for (let i = 0; i < checkouts; i++) {
    const product = products[i % products.length];
    const quantity = 1 + (i % 3);
    units += quantity;
    const orderRef = `bench_${i}`;
    const pi = stripeId('pi');
    paymentIntentIds.push(pi);
    const session = checkoutSession({
      brandId: brand.id,
      orderRef,
      paymentIntent: pi,
      paymentStatus: i % 2 ? 'paid' : 'unpaid',
      items: [{ productId: product.id, quantity, unitPrice: PRICE }],
    });
    const total = session.amount_total as number;
    unique.push(
      stripeEvent('checkout.session.completed', session),
      stripeEvent('payment_intent.succeeded', paymentIntent({ id: pi, brandId: brand.id, orderRef, amount: total, succeeded: true })),
      stripeEvent('charge.refunded', charge({ paymentIntent: pi, amount: total, amountRefunded: Math.floor(total / 3) })),
      stripeEvent('charge.refunded', charge({ paymentIntent: pi, amount: total, amountRefunded: total })),
    );
  }
  const duplicates = shuffle([...unique]).slice(0, Math.round(unique.length * duplicateShare));
  const deliveries = shuffle([...unique, ...duplicates]).map((event) => {
    const body = JSON.stringify(event);
    return { body, header: signature(body) };
  });
  return { brandId: brand.id, checkouts, units, unique: unique.length, eventIds: unique.map((e) => e.id as string), paymentIntentIds, duplicates: duplicates.length, deliveries };
}

export interface BurstResult {
  /** When the first delivery was sent (ms since the epoch). */
  startedAt: number;
  seconds: number;
  /** Sorted, in ms. */
  latencies: number[];
  statuses: Map<number, number>;
  /** Answers that said the event was stored and queued rather than giving its outcome. */
  queued: number;
}

/**
 * POSTs every delivery to /webhooks/stripe, `concurrency` at a time, from a process of its own (webhook-sender.ts):
 * this one's garbage collector would pause the sender and count in the answers' latencies.
 */
export async function deliverBurst(apiUrl: string, burst: WebhookBurst, concurrency = CONCURRENCY): Promise<BurstResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'luneo-bench-burst-'));
  const file = path.join(dir, 'deliveries.json');
  try {
    fs.writeFileSync(file, JSON.stringify(burst.deliveries));
    const sender = path.join(__dirname, 'webhook-sender.ts');
    const { stdout } = await execFileAsync(process.execPath, ['--expose-gc', '-r', '@swc-node/register', sender, apiUrl, file, String(concurrency)], {
      cwd: path.join(__dirname, '..'),
      maxBuffer: 64 * 2 ** 20,
    });
    const sent = JSON.parse(stdout) as SentBurst;
    return { ...sent, statuses: new Map(sent.statuses) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export interface Applied {
  /** From the first delivery sent to the last event's effects committed. */
  seconds: number;
  /** Sorted, in ms: for each event, from its first receipt to its effects committed (the time it waited in the inbox). */
  waits: number[];
}

/**
 * Waits until every event of the burst is processed — answers may say `queued` while the inbox catches up — and says
 * when the last one was, by PostgreSQL's clock (the same machine's). Null when they are not all processed in time.
 */
export async function waitUntilApplied(orm: MikroORM, burst: WebhookBurst, startedAt: number, timeoutMs = 120_000): Promise<Applied | null> {
  const conn = orm.em.getConnection();
  const ids = JSON.stringify(burst.eventIds);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // Cheap while the inbox works (the partial index of unprocessed events; a burst's events were all received after it
    // started, by the same machine's clock), so that the wait does not slow what it waits for.
    const [waiting] = await conn.execute(
      'select count(*)::int as left from stripe_events where processed_at is null and received_at >= to_timestamp(?::float8 / 1000)',
      [startedAt - 1000],
    );
    if (!waiting.left) {
      const [row] = await conn.execute(
        `select count(*) filter (where processed_at is not null)::int as processed,
                (extract(epoch from max(processed_at)) * 1000)::float8 as last_ms,
                array_agg((extract(epoch from processed_at - received_at) * 1000)::float8 order by processed_at - received_at) as waits
           from stripe_events where event_id in (select jsonb_array_elements_text(?::jsonb))`,
        [ids],
      );
      if (row.processed !== burst.unique) return null;
      return { seconds: (row.last_ms - startedAt) / 1000, waits: (row.waits as unknown[]).map(Number) };
    }
    if (Date.now() > deadline) return null;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Loss / duplicate check, straight from the database: every event processed once, every effect exactly once. */
export async function checkBurst(orm: MikroORM, burst: WebhookBurst): Promise<{ fine: boolean; summary: string }> {
  const conn = orm.em.getConnection();
  const [events] = await conn.execute(
    `select count(*)::int as stored, count(*) filter (where processed_at is not null)::int as processed,
            count(*) filter (where outcome = 'PROCESSED')::int as ok from stripe_events
      where event_id in (select jsonb_array_elements_text(?::jsonb))`,
    [JSON.stringify(burst.eventIds)],
  );
  const [orders] = await conn.execute(
    `select count(*)::int as orders, count(*) filter (where payment_status = 'REFUNDED' and refunded_total = total)::int as refunded
       from orders where brand_id = ?`,
    [burst.brandId],
  );
  const [stock] = await conn.execute(`select ? * 30 - sum(stock)::int as sold from products where brand_id = ?`, [STOCK, burst.brandId]);
  const [history] = await conn.execute(
    `select count(*)::int as paid_changes from order_status_changes where brand_id = ? and kind = 'PAYMENT' and to_value = 'PAID'`,
    [burst.brandId],
  );
  const [pending] = await conn.execute(`select count(*)::int as left from stripe_pending_payments where payment_intent_id in (select jsonb_array_elements_text(?::jsonb))`,
    [JSON.stringify(burst.paymentIntentIds)],);
  const fine =
    events.processed === burst.unique &&
    events.stored === burst.unique &&
    orders.orders === burst.checkouts &&
    orders.refunded === burst.checkouts &&
    stock.sold === burst.units &&
    history.paid_changes === burst.checkouts &&
    pending.left === 0;
  const summary =
    `${events.processed}/${burst.unique} events processed (${events.ok} with effects), ${orders.orders}/${burst.checkouts} orders, ` +
    `${orders.refunded} fully refunded, ${stock.sold}/${burst.units} units sold, ${history.paid_changes} PAID changes, ` +
    `${pending.left} pending left → ${fine ? 'nothing lost or doubled' : 'MISMATCH'}`;
  return { fine, summary };
}

async function main() {
  let url = process.env.DATABASE_URL;
  let stop = async () => undefined as void;
  if (!url) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'luneo-bench-webhooks-'));
    fs.chmodSync(dir, 0o755);
    const db = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port: 54392, durable: false });
    await db.createDatabase('bench');
    url = db.url('bench');
    stop = async () => {
      await db.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    };
  }
  const orm = await MikroORM.init(ormConfig(url, { pool: { min: 0, max: 20 } }));
  await migrate(orm);
  const burst = await prepareWebhookBurst(orm, ORDERS);
  const env = loadEnv({ PORT: '0', LOG_LEVEL: 'error', STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET });
  const app = await createApp({ orm, env, log: createLogger('error'), port: 0 });

  const { startedAt, seconds, latencies, statuses, queued } = await deliverBurst(app.url, burst);
  const applied = await waitUntilApplied(orm, burst, startedAt);
  console.log(
    `Stripe webhooks: ${burst.deliveries.length} deliveries (${burst.unique} distinct events + ${burst.duplicates} duplicates), ` +
      `${CONCURRENCY} concurrent, shuffled`,
  );
  console.log(
    `  ${(burst.deliveries.length / seconds).toFixed(0)} events/s   p50 ${percentile(latencies, 50).toFixed(1)} ms   ` +
      `p99 ${percentile(latencies, 99).toFixed(1)} ms   max ${latencies[latencies.length - 1].toFixed(1)} ms   (${seconds.toFixed(1)} s)`,
  );
  if (applied) {
    console.log(
      `  applied: all ${burst.unique} events ${applied.seconds.toFixed(1)} s after the first delivery ` +
        `(${(burst.deliveries.length / applied.seconds).toFixed(0)} deliveries/s); each waited p50 ` +
        `${percentile(applied.waits, 50).toFixed(1)} ms, p99 ${percentile(applied.waits, 99).toFixed(1)} ms`,
    );
  } else {
    console.log('  applied: NOT every event was processed within two minutes');
  }
  console.log(`  answers: ${[...statuses.entries()].map(([s, n]) => `${n}× ${s === -1 ? 'network error' : s}`).join(', ')}; ${queued} said queued`);
  console.log(`  check: ${(await checkBurst(orm, burst)).summary}`);

  await app.stop();
  await orm.close(true);
  await stop();
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
