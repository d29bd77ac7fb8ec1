import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createTestBrand, createTestProduct, startTestApp, type TestApp, type TestBrand } from '../support/harness';
import { checkoutSession, deliver, STRIPE_ENV, stripeEvent, stripeId, type StripeEventPayload } from '../support/stripe';
import { waitUntil } from '../support/wait-until';

/**
 * The inbox (src/stripe/event-inbox.ts): a delivery is stored, committed, before it is processed; it is answered
 * `queued` when its outcome does not come within STRIPE_ANSWER_WITHIN_MS; and a stored event left unprocessed — by a
 * crash, or by a failure on our side — is found by the sweep and processed, once.
 */
let t: TestApp;
let brand: TestBrand;
let locker: Client;

beforeAll(async () => {
  t = await startTestApp({ ...STRIPE_ENV, STRIPE_ANSWER_WITHIN_MS: '300', STRIPE_EVENT_RETRY_SECONDS: '0.2' });
  brand = await createTestBrand(t, { prefix: 'IB' });
  locker = new Client({ connectionString: t.databaseUrl });
  await locker.connect();
});
afterAll(async () => {
  await locker?.end();
  await t?.close();
});

async function checkout() {
  const product = await createTestProduct(brand, { price: 3_000, stock: 5 });
  const ref = `ref_${randomBytes(6).toString('hex')}`;
  const session = checkoutSession({
    brandId: brand.id,
    orderRef: ref,
    paymentIntent: stripeId('pi'),
    paymentStatus: 'paid',
    items: [{ productId: product.id, quantity: 2, unitPrice: 3_000 }],
  });
  return { product, ref, event: stripeEvent('checkout.session.completed', session) };
}

async function ordersFor(ref: string): Promise<number> {
  const [row] = await t.sql('select count(*)::int as n from orders where brand_id = ? and checkout_ref = ?', [brand.id, ref]);
  return row.n;
}

async function stored(eventId: string) {
  const [row] = await t.sql('select outcome, attempts, processed_at, error from stripe_events where event_id = ?', [eventId]);
  return row;
}

async function stockOf(productId: string): Promise<number> {
  const [row] = await t.sql('select stock from products where id = ?', [productId]);
  return row.stock;
}

/**
 * A burst, made to order: `event`'s delivery waits to be stored behind the same event inserted and not committed, then
 * `others` are delivered and wait behind that statement; once they all wait, the insert is rolled back. Answers in
 * delivery order, `event`'s first.
 */
async function deliveredBehindAHeldStore(event: StripeEventPayload, others: StripeEventPayload[]) {
  await locker.query('begin');
  let answers: Promise<Awaited<ReturnType<typeof deliver>>[]>;
  try {
    await locker.query(
      `insert into stripe_events (id, created_at, updated_at, event_id, type, livemode, stripe_created_at, payload, received_at,
          last_received_at, attempts)
       values (gen_random_uuid(), now(), now(), $1, 'checkout.session.completed', false, now(), '{}', now(), now(), 1)`,
      [event.id],
    );
    const first = deliver(t.url, event);
    const storing = `select count(*)::int as n from pg_stat_activity
      where wait_event_type = 'Lock' and datname = current_database() and pid <> ${(locker as unknown as { processID: number }).processID}`;
    await waitUntil('the delivery waits to be stored', async () => (await t.sql<{ n: number }>(storing))[0].n > 0);
    const rest = others.map((other) => deliver(t.url, other));
    await new Promise((resolve) => setTimeout(resolve, 200));
    answers = Promise.all([first, ...rest]);
  } finally {
    await locker.query('rollback');
  }
  return answers;
}

describe('the answer', () => {
  it('says queued once the event is stored, when its outcome does not come in time; the event is then processed once', async () => {
    const { product, ref, event } = await checkout();
    // A checkout's order takes its brand's numbering row: held here as a number is (not as a delete would be, which
    // would hold up the event's insert too, by its foreign key), the processing waits.
    await locker.query('begin');
    let redelivery: ReturnType<typeof deliver> | undefined;
    try {
      await locker.query('select 1 from brands where id = $1 for no key update', [brand.id]);
      const first = await deliver(t.url, event);
      expect(first).toEqual({ status: 200, body: { received: true, eventId: event.id, queued: true, duplicate: false } });
      // Stored and committed before any effect.
      expect(await stored(event.id)).toMatchObject({ processed_at: null, attempts: 1 });
      expect(await ordersFor(ref)).toBe(0);
      // A redelivery meanwhile joins the processing under way; its receipt does not wait for the row that holds.
      redelivery = deliver(t.url, event);
      await new Promise((resolve) => setTimeout(resolve, 100));
      // Nor does any other delivery's, which one statement stores after the redelivery's.
      const other = stripeEvent('invoice.paid', { id: stripeId('in'), object: 'invoice', metadata: { brand_id: brand.id } });
      const unanswered = new Promise((resolve) => setTimeout(() => resolve('no answer within 5 s'), 5_000));
      expect(await Promise.race([deliver(t.url, other).then((answer) => answer.body), unanswered])).toMatchObject({ received: true, outcome: 'IGNORED' });
    } finally {
      await locker.query('commit');
    }
    expect(await redelivery).toMatchObject({ status: 200, body: { received: true, outcome: 'PROCESSED', duplicate: true } });
    await waitUntil('the event is processed', async () => (await stored(event.id)).processed_at !== null);
    expect(await ordersFor(ref)).toBe(1);
    expect(await stockOf(product.id)).toBe(3);
    expect(await stored(event.id)).toMatchObject({ outcome: 'PROCESSED', error: null });

    const later = await deliver(t.url, event);
    expect(later.body).toMatchObject({ received: true, outcome: 'PROCESSED', duplicate: true });
    expect(await ordersFor(ref)).toBe(1);
  });

  it('in a burst, says queued as soon as the event is stored, without waiting for its outcome: others wait to be stored', async () => {
    const { ref, event } = await checkout();
    const other = stripeEvent('invoice.paid', { id: stripeId('in'), object: 'invoice', metadata: { brand_id: brand.id } });
    // The statement that stores the checkout's delivery waits for an uncommitted insert of the same event; the other
    // delivery waits behind that statement to be stored, as in a burst.
    const [firstAnswer, secondAnswer] = await deliveredBehindAHeldStore(event, [other]);
    // With a worker free, the first would have waited for its outcome (the test allows 300 ms) and said PROCESSED.
    expect(firstAnswer).toEqual({ status: 200, body: { received: true, eventId: event.id, queued: true, duplicate: false } });
    // The last of the burst waits for its outcome as before: nothing is left to store behind it.
    expect(secondAnswer.body).toMatchObject({ received: true, outcome: 'IGNORED' });
    await waitUntil('the event is processed', async () => (await stored(event.id)).processed_at !== null);
    expect(await ordersFor(ref)).toBe(1);
  });

  it('in a burst, says queued at once when more deliveries are in progress than workers, even to one that found a worker free', async () => {
    const { event } = await checkout();
    const ignored = Array.from({ length: 5 }, () => stripeEvent('invoice.paid', { id: stripeId('in'), object: 'invoice', metadata: { brand_id: brand.id } }));
    // The checkout's delivery waits to be stored; five more wait behind it, then one statement stores the five together:
    // nothing is left to store behind them, three find one of the four workers free, and five are in progress.
    const answers = await deliveredBehindAHeldStore(event, ignored);
    // Before, the three with a free worker waited for their outcome (IGNORED, well within the 300 ms allowed).
    for (const [i, answer] of answers.entries()) {
      const eventId = i === 0 ? event.id : ignored[i - 1].id;
      expect(answer).toEqual({ status: 200, body: { received: true, eventId, queued: true, duplicate: false } });
    }
    for (const other of ignored) await waitUntil('the event is processed', async () => (await stored(other.id)).processed_at !== null);
    expect((await stored(ignored[0].id)).outcome).toBe('IGNORED');
  });

  it('applies events that waited for a worker as they were delivered', async () => {
    const checkouts = await Promise.all(Array.from({ length: 8 }, () => checkout()));
    // The brand's numbering row held: the four workers each wait in a checkout, and the other four checkouts wait for them.
    await locker.query('begin');
    try {
      await locker.query('select 1 from brands where id = $1 for no key update', [brand.id]);
      const answers = await Promise.all(checkouts.map(({ event }) => deliver(t.url, event)));
      expect(answers.map((answer) => answer.body.queued)).toEqual(Array(8).fill(true));
    } finally {
      await locker.query('commit');
    }
    for (const { ref, event, product } of checkouts) {
      await waitUntil('the event is processed', async () => (await stored(event.id)).processed_at !== null);
      expect(await stored(event.id)).toMatchObject({ outcome: 'PROCESSED', error: null });
      expect(await ordersFor(ref)).toBe(1);
      expect(await stockOf(product.id)).toBe(3);
    }
  });

  it('stores deliveries that arrive together in one statement, and a burst of duplicates still takes effect once', async () => {
    const checkouts = await Promise.all([checkout(), checkout(), checkout()]);
    const events = checkouts.flatMap(({ event }) => [event, event, event, event]);
    const { result: answers, statements } = await t.countQueries(() => Promise.all(events.map((event) => deliver(t.url, event))));
    expect(answers.map((answer) => answer.status)).toEqual(Array(12).fill(200));
    const stores = statements.filter((statement) => /insert into stripe_events/.test(statement.sql));
    expect(stores.length).toBeLessThan(events.length);
    for (const { ref, event, product } of checkouts) {
      await waitUntil('the event is processed', async () => (await stored(event.id)).processed_at !== null);
      expect(await ordersFor(ref)).toBe(1);
      expect(await stockOf(product.id)).toBe(3);
    }
  });
});

describe('the sweep', () => {
  /** Stores an event as a delivery would, then makes it look `secondsAgo` old, as if the process had stopped since. */
  async function leftBehind(event: Record<string, any>, options: { secondsAgo: number; outcome?: string }) {
    await t.sql(
      `insert into stripe_events (id, created_at, updated_at, event_id, type, brand_id, api_version, livemode,
          stripe_created_at, payload, received_at, last_received_at, attempts, outcome)
       values (gen_random_uuid(), now(), now() - make_interval(secs => ?), ?, ?, ?, ?, false, now(), ?::jsonb,
          now() - make_interval(secs => ?), now() - make_interval(secs => ?), 1, ?)`,
      [options.secondsAgo, event.id, event.type, brand.id, event.api_version, JSON.stringify(event), options.secondsAgo, options.secondsAgo, options.outcome ?? null],
    );
  }

  it('processes an event stored but never processed (the process stopped), and one that failed on our side', async () => {
    const crashed = await checkout();
    const failed = await checkout();
    await leftBehind(crashed.event, { secondsAgo: 30 });
    await leftBehind(failed.event, { secondsAgo: 30, outcome: 'FAILED' });
    for (const { ref, event, product } of [crashed, failed]) {
      await waitUntil('the sweep processes it', async () => (await stored(event.id)).processed_at !== null);
      // The delivery, then the sweep's try.
      expect(await stored(event.id)).toMatchObject({ outcome: 'PROCESSED', error: null, attempts: 2 });
      expect(await ordersFor(ref)).toBe(1);
      expect(await stockOf(product.id)).toBe(3);
    }
  });

  it('leaves events older than Stripe retries them (three days), and waits longer after each attempt', async () => {
    const stale = await checkout();
    await leftBehind(stale.event, { secondsAgo: 73 * 3600 });
    const retried = await checkout();
    await leftBehind(retried.event, { secondsAgo: 0.5 });
    await t.sql('update stripe_events set attempts = 8 where event_id = ?', [retried.event.id]);
    // Eight attempts: the next waits 0.2 s × 2⁷ ≈ 26 s; the sweep runs every 0.2 s meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await stored(stale.event.id)).toMatchObject({ processed_at: null });
    expect(await ordersFor(stale.ref)).toBe(0);
    expect(await stored(retried.event.id)).toMatchObject({ processed_at: null });
    expect(await ordersFor(retried.ref)).toBe(0);
  });
});
