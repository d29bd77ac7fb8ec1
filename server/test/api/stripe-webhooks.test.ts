import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { markPreparedOn, serverPrepared, serverPreparedQuery } from '../../src/db/server-prepared';
import type Stripe from 'stripe';
import { processStored, replayEvent, storeDeliveries } from '../../src/stripe/event-delivery';
import { createTestBrand, createTestProduct, startTestApp, type TestApp, type TestBrand } from '../support/harness';
import {
  charge,
  checkoutSession,
  contractMetadata,
  deliver,
  paymentIntent,
  signature,
  STRIPE_ENV,
  stripeEvent,
  stripeId,
  subscription,
  type StripeEventPayload,
} from '../support/stripe';

let t: TestApp;
let brand: TestBrand;

beforeAll(async () => {
  t = await startTestApp(STRIPE_ENV);
  brand = await createTestBrand(t, { prefix: 'ST' });
});
afterAll(() => t.close());

const ORDER = `id number status paymentStatus source checkoutRef stripeCheckoutSessionId stripePaymentIntentId attention
  subtotal { amount } discountTotal { amount } shippingTotal { amount } taxTotal { amount } total { amount currency }
  refundedTotal { amount } customer { email name phone } shippingAddress { name line1 city postalCode country }
  items { productId sku quantity unitPrice { amount } discount { amount } tax { amount } total { amount } }
  statusHistory { kind from to note actor { type id label } } paidAt`;

const newRef = () => `ref_${randomBytes(6).toString('hex')}`;

async function orderByRef(ref: string, b: TestBrand = brand) {
  const rows = await t.sql<{ id: string }>('select id from orders where brand_id = ? and checkout_ref = ?', [b.id, ref]);
  if (rows.length > 1) throw new Error(`${rows.length} orders for ${ref}`);
  if (!rows.length) return null;
  const res = await t.gql(`query($id: ID!) { order(id: $id) { ${ORDER} } }`, { id: rows[0].id }, b.tokens.VIEWER);
  expect(res.errors).toBeUndefined();
  return res.data.order;
}

async function stockOf(productId: string): Promise<number> {
  const [row] = await t.sql('select stock from products where id = ?', [productId]);
  return row.stock;
}

async function countEvents(): Promise<number> {
  const [row] = await t.sql('select count(*)::int as n from stripe_events');
  return row.n;
}

type Outcome = 'PROCESSED' | 'IGNORED' | 'REJECTED';

/** The indexes an EXPLAIN (FORMAT JSON) plan reads, all nodes down. */
const indexesOf = (node: any): string[] => [...(node['Index Name'] ? [node['Index Name']] : []), ...(node.Plans ?? []).flatMap(indexesOf)];

/**
 * EXPLAIN (ANALYZE, BUFFERS) of `sql` in a transaction rolled back, as a burst leaves the inbox: statistics taken while
 * it was empty, then 3,000 events waiting, `eventId` among them; the planner then believes the partial index of
 * unprocessed events empty.
 */
async function explainWithBacklog(sql: string, params: unknown[], eventId: string, prepare?: string): Promise<any> {
  const client = new Client({ connectionString: t.databaseUrl });
  await client.connect();
  try {
    await client.query('begin');
    await client.query('analyze stripe_events');
    await client.query(
      `insert into stripe_events (id, created_at, updated_at, event_id, type, livemode, stripe_created_at, payload, received_at,
          last_received_at, attempts)
       select gen_random_uuid(), now(), now(), 'evt_backlog_' || g, 'charge.refunded', false, now(),
              jsonb_build_object('id', 'evt_backlog_' || g, 'data', repeat('x', 1500)), now(), now(), 1
         from generate_series(1, 3000) g`,
    );
    await client.query(`update stripe_events set processed_at = null, outcome = null, reason = null where event_id = $1`, [eventId]);
    // As the API's connections run a statement they prepared: one generic plan (db/orm-config.ts).
    if (prepare) await client.query(`set local plan_cache_mode = force_generic_plan; ${prepare}`);
    const [{ 'QUERY PLAN': [explained] }] = (await client.query(`explain (analyze, buffers, format json) ${sql}`, params)).rows;
    return explained.Plan;
  } finally {
    await client.query('rollback');
    await client.end();
  }
}

/**
 * The messages that only prepare statements, which a connection sends the first time it needs one (or again after a
 * migration made its plans stale: a test below does).
 */
const PREPARING = /^(prepare luneo_x[0-9a-f]+ as|deallocate luneo_x|savepoint luneo_prepare;|rollback to savepoint luneo_prepare;)/;

/** The message with each `EXECUTE` of a statement the session prepared spelled out as that statement (`?` placeholders). */
function spelled(message: string): string {
  return message
    .split(';\n')
    .map((part) => part.replace(/^(\s*)execute (luneo_x[0-9a-f]+)\b[\s\S]*$/, (_all, space: string, name: string) => space + serverPreparedQuery(name)))
    .join(';\n');
}

/**
 * Delivers an event and expects it acknowledged with `outcome`: the route answers 200 for PROCESSED, IGNORED and
 * REJECTED alike, so the status alone would accept an event our rules refused.
 */
async function ok(event: StripeEventPayload, outcome: Outcome = 'PROCESSED') {
  const res = await deliver(t.url, event);
  expect({ status: res.status, outcome: res.body.outcome, received: res.body.received }).toEqual({ status: 200, outcome, received: true });
  return res.body;
}

/** A paid-by-card checkout for `quantity` of a fresh product. */
async function cardCheckout(options: { price?: number; stock?: number; quantity?: number; paymentStatus?: 'paid' | 'unpaid' } = {}) {
  const product = await createTestProduct(brand, { price: options.price ?? 4_500, stock: options.stock ?? 10 });
  const ref = newRef();
  const pi = stripeId('pi');
  const quantity = options.quantity ?? 2;
  const session = checkoutSession({
    brandId: brand.id,
    orderRef: ref,
    paymentIntent: pi,
    paymentStatus: options.paymentStatus ?? 'paid',
    items: [{ productId: product.id, quantity, unitPrice: options.price ?? 4_500 }],
    shipping: 500,
    tax: 1_800,
  });
  return { product, ref, pi, session, total: session.amount_total as number, quantity };
}

describe('checkout.session.completed', () => {
  it('creates the paid order with what Stripe charged, decrements stock once, and logs the event for ADMINs', async () => {
    const { product, ref, pi, session } = await cardCheckout({ price: 4_500, stock: 10, quantity: 2 });
    const event = stripeEvent('checkout.session.completed', session);
    const body = await ok(event);
    expect(body).toMatchObject({ received: true, outcome: 'PROCESSED', duplicate: false });

    const order = await orderByRef(ref);
    expect(order).toMatchObject({
      status: 'PENDING',
      paymentStatus: 'PAID',
      source: 'STRIPE_CHECKOUT',
      checkoutRef: ref,
      stripeCheckoutSessionId: session.id,
      stripePaymentIntentId: pi,
      attention: null,
      subtotal: { amount: 9_000 },
      discountTotal: { amount: 0 },
      shippingTotal: { amount: 500 },
      taxTotal: { amount: 1_800 },
      total: { amount: 11_300, currency: 'EUR' },
      customer: { email: 'camille@example.com', name: 'Camille Martin', phone: '+33 6 12 34 56 78' },
      shippingAddress: { name: 'Camille Martin', line1: '12 rue de la République', city: 'Lyon', postalCode: '69002', country: 'FR' },
    });
    expect(order.number).toMatch(/^ST-\d{6}$/);
    expect(order.paidAt).not.toBeNull();
    expect(order.items).toEqual([
      expect.objectContaining({ productId: product.id, sku: product.sku, quantity: 2, unitPrice: { amount: 4_500 }, tax: { amount: 1_800 }, total: { amount: 10_800 } }),
    ]);
    expect(order.statusHistory.map((h: any) => [h.kind, h.to, h.actor])).toEqual([
      ['STATUS', 'PENDING', { type: 'STRIPE', id: event.id, label: 'Stripe' }],
      ['PAYMENT', 'PAID', { type: 'STRIPE', id: event.id, label: 'Stripe' }],
    ]);
    expect(await stockOf(product.id)).toBe(8);

    const list = await t.gql(
      `{ webhookEvents(first: 5) { totalCount nodes { eventId type outcome reason attempts processedAt payload } } }`,
      {},
      brand.tokens.ADMIN,
    );
    expect(list.errors).toBeUndefined();
    const logged = list.data.webhookEvents.nodes.find((n: any) => n.eventId === event.id);
    expect(logged).toMatchObject({ type: 'checkout.session.completed', outcome: 'PROCESSED', attempts: 1 });
    expect(logged.reason).toContain(order.number);
    expect(logged.processedAt).not.toBeNull();
    expect(logged.payload.data.object.id).toBe(session.id);

    const staff = await t.gql(`{ webhookEvents { totalCount } }`, {}, brand.tokens.STAFF);
    expect(staff.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('lists only the brand\'s own events, filtered and paginated', async () => {
    const other = await createTestBrand(t, { prefix: 'OT' });
    const { session } = await cardCheckout();
    await ok(stripeEvent('checkout.session.completed', session));
    const mine = await t.gql(
      `{ webhookEvents(first: 100, filter: { type: ["checkout.session.completed"], outcome: [PROCESSED] }) { totalCount nodes { type } } }`,
      {},
      brand.tokens.ADMIN,
    );
    expect(mine.data.webhookEvents.totalCount).toBeGreaterThanOrEqual(2);
    expect(mine.data.webhookEvents.nodes.every((n: any) => n.type === 'checkout.session.completed')).toBe(true);
    const theirs = await t.gql(`{ webhookEvents { totalCount nodes { eventId } } }`, {}, other.tokens.OWNER);
    expect(theirs.data.webhookEvents).toEqual({ totalCount: 0, nodes: [] });

    const first = await t.gql(`{ webhookEvents(first: 1) { nodes { eventId } pageInfo { hasNextPage endCursor } } }`, {}, brand.tokens.ADMIN);
    const next = await t.gql(
      `query($after: String) { webhookEvents(first: 1, after: $after) { nodes { eventId } } }`,
      { after: first.data.webhookEvents.pageInfo.endCursor },
      brand.tokens.ADMIN,
    );
    expect(first.data.webhookEvents.pageInfo.hasNextPage).toBe(true);
    expect(next.data.webhookEvents.nodes[0].eventId).not.toBe(first.data.webhookEvents.nodes[0].eventId);
  });

  it('never rejects a paid order for stock: it oversells, flags attention and notes it', async () => {
    const { product, ref, session } = await cardCheckout({ stock: 1, quantity: 3 });
    await ok(stripeEvent('checkout.session.completed', session));
    const order = await orderByRef(ref);
    expect(order.paymentStatus).toBe('PAID');
    expect(order.attention).toMatch(/Oversold/);
    expect(order.attention).toContain(product.sku);
    expect(order.statusHistory.some((h: any) => h.kind === 'NOTE' && /oversold/i.test(h.note) && h.actor.type === 'STRIPE')).toBe(true);
    expect(await stockOf(product.id)).toBe(-2);
  });
});

describe('exactly once', () => {
  it('every event delivered twice in a row has one effect', async () => {
    const { product, ref, pi, session, total } = await cardCheckout({ stock: 10, quantity: 2 });
    const events = [
      stripeEvent('checkout.session.completed', session),
      stripeEvent('payment_intent.succeeded', paymentIntent({ id: pi, brandId: brand.id, orderRef: ref, amount: total, succeeded: true })),
      stripeEvent('charge.refunded', charge({ paymentIntent: pi, amount: total, amountRefunded: 1_000 })),
    ];
    for (const event of events) {
      const first = await ok(event);
      const second = await ok(event);
      expect(first.duplicate).toBe(false);
      expect(second).toMatchObject({ duplicate: true, outcome: first.outcome });
    }
    const order = await orderByRef(ref);
    expect(order.paymentStatus).toBe('PARTIALLY_REFUNDED');
    expect(order.refundedTotal.amount).toBe(1_000);
    expect(order.statusHistory.filter((h: any) => h.kind === 'PAYMENT').map((h: any) => h.to)).toEqual(['PAID', 'PARTIALLY_REFUNDED']);
    expect(await stockOf(product.id)).toBe(8);
    const rows = await t.sql('select attempts from stripe_events where event_id = any(?::text[])', [`{${events.map((e) => e.id).join(',')}}`]);
    expect(rows.map((r) => r.attempts)).toEqual([1, 1, 1]);
  });

  it('concurrent duplicate deliveries produce one order, one stock decrement, one payment change', async () => {
    const { product, ref, pi, session, total } = await cardCheckout({ stock: 20, quantity: 3, paymentStatus: 'unpaid' });
    const completed = stripeEvent('checkout.session.completed', session);
    const succeeded = stripeEvent('payment_intent.succeeded', paymentIntent({ id: pi, brandId: brand.id, orderRef: ref, amount: total, succeeded: true }));
    const deliveries = await Promise.all(
      [completed, succeeded, completed, succeeded, completed, succeeded, completed, succeeded].map((e) => deliver(t.url, e)),
    );
    expect(deliveries.map((d) => d.status)).toEqual(Array(8).fill(200));
    expect(deliveries.filter((d) => !d.body.duplicate)).toHaveLength(2);
    const [{ n }] = await t.sql('select count(*)::int as n from orders where checkout_ref = ?', [ref]);
    expect(n).toBe(1);
    const order = await orderByRef(ref);
    expect(order.paymentStatus).toBe('PAID');
    expect(order.statusHistory.filter((h: any) => h.kind === 'PAYMENT')).toHaveLength(1);
    expect(await stockOf(product.id)).toBe(17);
    const [{ movements }] = await t.sql('select count(*)::int as movements from stock_movements where product_id = ? and reason = ?', [product.id, 'SALE']);
    expect(movements).toBe(1);
  });
});

describe('exactly once, for every other event type', () => {
  /** Two concurrent deliveries, then one more in sequence: exactly one is not a duplicate. */
  async function thrice(event: StripeEventPayload) {
    const concurrent = await Promise.all([deliver(t.url, event), deliver(t.url, event)]);
    const sequential = await deliver(t.url, event);
    const all = [...concurrent, sequential];
    expect(all.map((d) => d.status)).toEqual([200, 200, 200]);
    expect(all.filter((d) => !d.body.duplicate)).toHaveLength(1);
    return all.find((d) => !d.body.duplicate)!.body;
  }

  it('async payment succeeded, async payment failed and PaymentIntent failed each take effect once', async () => {
    const sepa = await cardCheckout({ paymentStatus: 'unpaid' });
    await ok(stripeEvent('checkout.session.completed', sepa.session));
    await thrice(stripeEvent('checkout.session.async_payment_succeeded', { ...sepa.session, payment_status: 'paid' }));
    const paid = await orderByRef(sepa.ref);
    expect(paid.statusHistory.filter((h: any) => h.kind === 'PAYMENT').map((h: any) => h.to)).toEqual(['PAID']);

    const declined = await cardCheckout({ paymentStatus: 'unpaid' });
    await ok(stripeEvent('checkout.session.completed', declined.session));
    await thrice(
      stripeEvent('payment_intent.payment_failed', paymentIntent({ id: declined.pi, brandId: brand.id, orderRef: declined.ref, amount: declined.total, succeeded: false })),
    );
    await thrice(stripeEvent('checkout.session.async_payment_failed', declined.session));
    const failed = await orderByRef(declined.ref);
    expect(failed.paymentStatus).toBe('PAYMENT_FAILED');
    expect(failed.statusHistory.filter((h: any) => h.kind === 'PAYMENT').map((h: any) => h.to)).toEqual(['PAYMENT_FAILED']);
  });

  it('subscription events and ignored types are applied or listed once', async () => {
    const b = await createTestBrand(t, { prefix: 'SX' });
    const id = stripeId('sub');
    const base = Math.floor(Date.now() / 1000) - 50_000;
    const periodEnd = base + 30 * 86_400;
    const events = [
      stripeEvent('customer.subscription.created', subscription({ id, brandId: b.id, status: 'active', lookupKey: 'starter', periodEnd }), { created: base }),
      stripeEvent('customer.subscription.updated', subscription({ id, brandId: b.id, status: 'active', lookupKey: 'pro', periodEnd }), { created: base + 5 }),
      stripeEvent('customer.subscription.deleted', subscription({ id, brandId: b.id, status: 'canceled', lookupKey: 'pro', periodEnd, endedAt: periodEnd }), { created: base + 9 }),
    ];
    for (const event of events) expect((await thrice(event)).outcome).toBe('PROCESSED');
    const ignored = stripeEvent('invoice.paid', { id: stripeId('in'), object: 'invoice', metadata: { brand_id: b.id } });
    expect((await thrice(ignored)).outcome).toBe('IGNORED');

    const sub = (await t.gql(`{ viewer { brand { subscription { status plan } } } }`, {}, b.tokens.VIEWER)).data.viewer.brand.subscription;
    expect(sub).toEqual({ status: 'canceled', plan: 'pro' });
    const rows = await t.sql('select attempts from stripe_events where event_id = any(?::text[]) order by stripe_created_at', [
      `{${[...events, ignored].map((e) => e.id).join(',')}}`,
    ]);
    expect(rows).toHaveLength(4);
  });
});

describe('payments', () => {
  it('a payment that arrives before its checkout is kept and applied when the order is created', async () => {
    const { ref, pi, session, total } = await cardCheckout({ paymentStatus: 'unpaid' });
    const succeeded = stripeEvent('payment_intent.succeeded', paymentIntent({ id: pi, brandId: brand.id, orderRef: ref, amount: total, succeeded: true }));
    const early = await ok(succeeded);
    expect(early.reason).toMatch(/kept/);
    expect(await orderByRef(ref)).toBeNull();

    const completed = stripeEvent('checkout.session.completed', session);
    await ok(completed);
    const order = await orderByRef(ref);
    expect(order.paymentStatus).toBe('PAID');
    const paid = order.statusHistory.find((h: any) => h.kind === 'PAYMENT');
    expect(paid.actor).toEqual({ type: 'STRIPE', id: succeeded.id, label: 'Stripe' });
    const [{ n }] = await t.sql('select count(*)::int as n from stripe_pending_payments where payment_intent_id = ?', [pi]);
    expect(n).toBe(0);
  });

  it('payment and checkout delivered at the same moment still end PAID', async () => {
    for (let i = 0; i < 3; i++) {
      const { ref, pi, session, total } = await cardCheckout({ paymentStatus: 'unpaid' });
      await Promise.all([
        ok(stripeEvent('payment_intent.succeeded', paymentIntent({ id: pi, brandId: brand.id, orderRef: ref, amount: total, succeeded: true }))),
        ok(stripeEvent('checkout.session.completed', session)),
      ]);
      expect((await orderByRef(ref)).paymentStatus).toBe('PAID');
    }
  });

  it('SEPA: unpaid at checkout, then the delayed payment succeeds (once, even with its PaymentIntent event)', async () => {
    const { ref, pi, session, total } = await cardCheckout({ paymentStatus: 'unpaid' });
    await ok(stripeEvent('checkout.session.completed', session));
    expect((await orderByRef(ref)).paymentStatus).toBe('AWAITING_PAYMENT');

    const asyncSucceeded = stripeEvent('checkout.session.async_payment_succeeded', { ...session, payment_status: 'paid' });
    await ok(asyncSucceeded);
    await ok(stripeEvent('payment_intent.succeeded', paymentIntent({ id: pi, brandId: brand.id, orderRef: ref, amount: total, succeeded: true })));
    const order = await orderByRef(ref);
    expect(order.paymentStatus).toBe('PAID');
    const payments = order.statusHistory.filter((h: any) => h.kind === 'PAYMENT');
    expect(payments).toHaveLength(1);
    expect(payments[0]).toMatchObject({ from: 'AWAITING_PAYMENT', to: 'PAID', actor: { type: 'STRIPE', id: asyncSucceeded.id } });
  });

  it('SEPA: unpaid at checkout, then the delayed payment fails', async () => {
    const { ref, session } = await cardCheckout({ paymentStatus: 'unpaid' });
    await ok(stripeEvent('checkout.session.completed', session));
    const failed = stripeEvent('checkout.session.async_payment_failed', session);
    expect((await ok(failed)).reason).toMatch(/→ PAYMENT_FAILED$/);
    const order = await orderByRef(ref);
    expect(order.paymentStatus).toBe('PAYMENT_FAILED');
    expect(order.statusHistory.find((h: any) => h.to === 'PAYMENT_FAILED').actor.id).toBe(failed.id);
  });

  it('a late failure never undoes a success: processed, the order stays PAID, nothing is added to its timeline', async () => {
    const card = await cardCheckout({ paymentStatus: 'paid' });
    await ok(stripeEvent('checkout.session.completed', card.session));
    const sepa = await cardCheckout({ paymentStatus: 'unpaid' });
    await ok(stripeEvent('checkout.session.completed', sepa.session));
    await ok(stripeEvent('checkout.session.async_payment_failed', sepa.session));
    await ok(stripeEvent('checkout.session.async_payment_succeeded', { ...sepa.session, payment_status: 'paid' }));

    for (const paid of [card, sepa]) {
      const before = await orderByRef(paid.ref);
      expect(before.paymentStatus).toBe('PAID');
      const late = await ok(
        stripeEvent('payment_intent.payment_failed', paymentIntent({ id: paid.pi, brandId: brand.id, orderRef: paid.ref, amount: paid.total, succeeded: false })),
      );
      expect(late.reason).toBe(`Order ${before.number} stays PAID`);
      const after = await orderByRef(paid.ref);
      expect(after.paymentStatus).toBe('PAID');
      expect(after.statusHistory).toEqual(before.statusHistory);
    }
  });

  it('a declined card with no completed checkout creates no order', async () => {
    const ref = newRef();
    const [{ before }] = await t.sql('select count(*)::int as before from orders where brand_id = ?', [brand.id]);
    const declined = await ok(
      stripeEvent('payment_intent.payment_failed', paymentIntent({ id: stripeId('pi'), brandId: brand.id, orderRef: ref, amount: 5_000, succeeded: false })),
    );
    expect(declined.outcome).toBe('PROCESSED');
    const [{ after }] = await t.sql('select count(*)::int as after from orders where brand_id = ?', [brand.id]);
    expect(after).toBe(before);
    expect(await orderByRef(ref)).toBeNull();
  });
});

describe('charge.refunded', () => {
  it.each([
    ['partial then full', [1_300, 11_300], ['PARTIALLY_REFUNDED', 'REFUNDED']],
    ['full then partial (out of order)', [11_300, 1_300], ['REFUNDED']],
  ])('%s ends REFUNDED with the cumulative maximum', async (_name, amounts, transitions) => {
    const { ref, pi, session, total } = await cardCheckout({ quantity: 2, price: 4_500 });
    expect(total).toBe(11_300);
    await ok(stripeEvent('checkout.session.completed', session));
    for (const amount of amounts) await ok(stripeEvent('charge.refunded', charge({ paymentIntent: pi, amount: total, amountRefunded: amount })));
    const order = await orderByRef(ref);
    expect(order.paymentStatus).toBe('REFUNDED');
    expect(order.refundedTotal.amount).toBe(11_300);
    expect(order.statusHistory.filter((h: any) => h.kind === 'PAYMENT').map((h: any) => h.to)).toEqual(['PAID', ...transitions]);
  });

  it('a refund is written whole by the statement that records its outcome: every changed order column, timeline, audit', async () => {
    const { ref, pi, session, total } = await cardCheckout({ quantity: 2, price: 4_500 });
    await ok(stripeEvent('checkout.session.completed', session));
    const refund = stripeEvent('charge.refunded', charge({ paymentIntent: pi, amount: total, amountRefunded: 1_300 }));
    await ok(refund);
    const [order] = await t.sql('select id, updated_at, refunded_total, payment_status from orders where brand_id = ? and checkout_ref = ?', [brand.id, ref]);
    expect({ status: order.payment_status, refunded: Number(order.refunded_total) }).toEqual({ status: 'PARTIALLY_REFUNDED', refunded: 1_300 });
    const [change] = await t.sql(
      `select brand_id, kind, from_value, to_value, actor_type, actor_id, created_at from order_status_changes
        where order_id = ? and to_value = 'PARTIALLY_REFUNDED'`,
      [order.id],
    );
    expect(change).toMatchObject({ brand_id: brand.id, kind: 'PAYMENT', from_value: 'PAID', actor_type: 'STRIPE', actor_id: refund.id });
    // The order's updated_at moves with the change (it would still be the checkout's otherwise).
    expect(new Date(order.updated_at).getTime()).toBeGreaterThanOrEqual(new Date(change.created_at).getTime());
    const [entry] = await t.sql(`select brand_id, actor_id, request_id, changes from audit_log where target_id = ? and action = 'order.refund'`, [order.id]);
    expect(entry).toMatchObject({
      brand_id: brand.id,
      actor_id: refund.id,
      request_id: expect.any(String),
      changes: { before: { paymentStatus: 'PAID', refundedTotal: 0 }, after: { paymentStatus: 'PARTIALLY_REFUNDED', refundedTotal: 1_300 } },
    });
  });

  it('a refund is three round trips: the first look; BEGIN, the claim and the read of the order; the write, the outcome and COMMIT', async () => {
    const { pi, session, total } = await cardCheckout({ quantity: 2, price: 4_500 });
    await ok(stripeEvent('checkout.session.completed', session));
    const refund = stripeEvent('charge.refunded', charge({ paymentIntent: pi, amount: total, amountRefunded: 1_300 }));
    const { statements } = await t.countQueries(() => ok(refund));
    const texts = statements.map((s) => s.sql.trim()).filter((text) => !PREPARING.test(text));
    expect(texts).toHaveLength(3);
    // Each statement of the transaction runs one its connection prepared: parsed and planned once, not per delivery.
    expect(texts[1]).toMatch(/^BEGIN;\s+execute luneo_x[0-9a-f]+\('evt_[^;]*\);\s+execute luneo_x[0-9a-f]+\([^;]*\)$/);
    expect(spelled(texts[1])).toMatch(/^BEGIN;\s+with target as materialized \([\s\S]*claimed as \([\s\S]*;\s+select \* from orders where brand_id = \? and [\s\S]* for update$/);
    expect(spelled(texts[2])).toMatch(/update stripe_events set processed_at[\s\S]*;\s+COMMIT$/);
    expect(texts.filter((text) => /^(BEGIN|COMMIT|ROLLBACK)\b/i.test(text))).toEqual([texts[1]]);
  });

  it('a kept statement that a migration made stale costs the delivery one more run, not a failure', async () => {
    const first = await cardCheckout({ quantity: 1 });
    await ok(stripeEvent('checkout.session.completed', first.session));
    const { statements } = await t.countQueries(() => ok(stripeEvent('charge.refunded', charge({ paymentIntent: first.pi, amount: first.total, amountRefunded: 100 }))));
    const names = [...new Set(statements.flatMap((s) => [...s.sql.matchAll(/execute (luneo_x[0-9a-f]+)/g)].map((m) => m[1])))];
    expect(names.length).toBeGreaterThan(1);
    // Every idle connection of the API's pool keeps them, whichever the next delivery gets.
    const pool = (t.orm.em.getConnection().getKnex().client as any).pool as { free: { resource: Client }[] };
    for (const { resource } of pool.free) {
      for (const name of names) {
        const statement = serverPrepared(serverPreparedQuery(name)!)!;
        await resource.query(`deallocate ${name}`).catch(() => undefined);
        await resource.query(statement.prepare);
        markPreparedOn(resource, statement);
      }
    }
    const { pi, session, total } = await cardCheckout({ quantity: 1 });
    await ok(stripeEvent('checkout.session.completed', session));
    await t.sql('alter table orders add column stale_probe text');
    try {
      // The claim's message reads the order with `select *`: its kept plan no longer answers what it was prepared for.
      const refund = await t.countQueries(() => ok(stripeEvent('charge.refunded', charge({ paymentIntent: pi, amount: total, amountRefunded: 200 }))));
      expect(refund.result.reason).toMatch(/→ PARTIALLY_REFUNDED/);
      expect(refund.statements.map((s) => s.sql.trim())).toContain('ROLLBACK');
    } finally {
      await t.sql('alter table orders drop column stale_probe');
    }
  });

  it('a delivery is stored, and its event claimed, through the unique index, however long the backlog of unprocessed events', async () => {
    const { pi, session, total } = await cardCheckout({ quantity: 1 });
    await ok(stripeEvent('checkout.session.completed', session));
    const refund = stripeEvent('charge.refunded', charge({ paymentIntent: pi, amount: total, amountRefunded: 100 }));
    const { statements } = await t.countQueries(() => ok(refund));
    const store = statements.find((s) => /^with input as materialized/.test(s.sql.trim()));
    const claim = statements
      .flatMap((s) => s.sql.split(';\n'))
      .map((part) => part.trim())
      .find((part) => /^with target as materialized[\s\S]*from claimed/.test(spelled(part)));
    expect(store?.params.flat()).toContain(refund.id);
    expect(claim).toContain(refund.id);
    // The refund as a redelivery of an event still in the inbox: the store statement then counts its delivery.
    const storing = await explainWithBacklog(store!.sql, store!.params, refund.id);
    const claiming = await explainWithBacklog(claim!, [], refund.id, serverPrepared(spelled(claim!))!.prepare);
    for (const plan of [storing, claiming]) {
      expect(indexesOf(plan)).not.toContain('stripe_events_unprocessed_index');
      // ≈ 15–60 buffers through the unique index on event_id; through the partial index, a read of the whole backlog.
      expect(plan['Shared Hit Blocks'] + plan['Shared Read Blocks']).toBeLessThan(150);
    }
  });

  it('a new checkout is three: the first look; BEGIN, the claim, its order and products, its parked payments; the insert, its check, the rest and COMMIT', async () => {
    const { ref, session } = await cardCheckout({ quantity: 2, price: 4_500 });
    const { statements } = await t.countQueries(() => ok(stripeEvent('checkout.session.completed', session)));
    const texts = statements.map((s) => s.sql.trim()).filter((text) => !PREPARING.test(text));
    expect(texts).toHaveLength(3);
    expect(spelled(texts[1])).toMatch(/^BEGIN;\s+with target as materialized \([\s\S]*claimed as \([\s\S]*;\s+with existing as \([\s\S]*;\s+delete from stripe_pending_payments\b[\s\S]*returning [^;]*$/);
    // The insert takes the brand's numbering row: it travels with the COMMIT, so no round trip to the API holds that row.
    expect(spelled(texts[2])).toMatch(
      /^select \(placed\)\.\*, stock_taken from insert_order\(brand_id => [\s\S]*;\s+select \* from order_placed\(brand_id => [^;]*;\s+with target as [\s\S]*update stripe_events set processed_at[\s\S]*;\s+COMMIT$/,
    );
    expect((await orderByRef(ref)).paymentStatus).toBe('PAID');
  });

  it('an order inserted with its COMMIT has its number in the answer, the stored reason and its creation\'s audit entry', async () => {
    const { ref, session } = await cardCheckout({ quantity: 1 });
    const event = stripeEvent('checkout.session.completed', session);
    const answer = await ok(event);
    const order = await orderByRef(ref);
    expect(order.number).toMatch(/^ST-\d{6}$/);
    expect(answer.reason).toBe(`Created order ${order.number} (PAID)`);
    const [stored] = await t.sql('select reason from stripe_events where event_id = ?', [event.id]);
    expect(stored.reason).toBe(answer.reason);
    const [entry] = await t.sql(`select changes from audit_log where target_id = ? and action = 'order.create'`, [order.id]);
    expect(entry.changes.after).toMatchObject({ number: order.number, status: 'PENDING', paymentStatus: 'AWAITING_PAYMENT', source: 'STRIPE_CHECKOUT' });
  });

  it('a checkout whose stock goes between its read and its insert runs again and records the oversell, numbers without a gap', async () => {
    const { product, ref, session } = await cardCheckout({ stock: 3, quantity: 2 });
    const [{ seq: lastSeq }] = await t.sql<{ seq: number }>('select last_order_seq as seq from brands where id = ?', [brand.id]);
    const other = new Client({ connectionString: t.databaseUrl });
    await other.connect();
    try {
      // Holds the product, so the delivery reads 3 in stock (a plain read) and its insert then waits for the row; the
      // stock is sold meanwhile, and the insert, which may not oversell, places nothing.
      await other.query('begin');
      await other.query('select id from products where id = $1 for update', [product.id]);
      const delivering = ok(stripeEvent('checkout.session.completed', session));
      // The insert is the statement of the delivery that waits for a lock (sent as an EXECUTE of a prepared statement).
      const waiting = `select count(*)::int as n from pg_stat_activity
        where wait_event_type = 'Lock' and datname = current_database() and pid <> ${(other as unknown as { processID: number }).processID}`;
      // Asked on another connection: a transaction sees pg_stat_activity as it was at its first look.
      while ((await t.sql<{ n: number }>(waiting))[0].n === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      await other.query('update products set stock = 0 where id = $1', [product.id]);
      await other.query('commit');
      const answer = await delivering;
      const order = await orderByRef(ref);
      expect(answer.reason).toBe(`Created order ${order.number} (PAID)`);
      expect(order).toMatchObject({ paymentStatus: 'PAID', attention: 'Oversold: ' + product.sku + ': 2 sold, 0 in stock' });
      expect(order.statusHistory.some((h: any) => h.kind === 'NOTE' && /oversold/i.test(h.note))).toBe(true);
      expect(await stockOf(product.id)).toBe(-2);
      expect(order.number).toBe(`ST-${String(lastSeq + 1).padStart(6, '0')}`);
    } finally {
      await other.end();
    }
  });

  it('two partial refunds (1,300 then 5,000 cumulative) end PARTIALLY_REFUNDED with 5,000, not their sum', async () => {
    const { ref, pi, session, total } = await cardCheckout({ quantity: 2, price: 4_500 });
    await ok(stripeEvent('checkout.session.completed', session));
    for (const cumulative of [1_300, 5_000]) {
      await ok(stripeEvent('charge.refunded', charge({ paymentIntent: pi, amount: total, amountRefunded: cumulative })));
    }
    // A stale delivery of the first refund, as a separate event, changes nothing either.
    const stale = await ok(stripeEvent('charge.refunded', charge({ paymentIntent: pi, amount: total, amountRefunded: 1_300 })));
    expect(stale.reason).toMatch(/already recorded \(5000 in total\)/);
    const order = await orderByRef(ref);
    expect(order).toMatchObject({ paymentStatus: 'PARTIALLY_REFUNDED', refundedTotal: { amount: 5_000 } });
    expect(order.statusHistory.filter((h: any) => h.kind === 'PAYMENT').map((h: any) => h.to)).toEqual(['PAID', 'PARTIALLY_REFUNDED']);
  });

  it('a refund that arrives before its checkout is applied when the order is created', async () => {
    const { ref, pi, session, total } = await cardCheckout({ paymentStatus: 'unpaid' });
    await ok(stripeEvent('charge.refunded', charge({ paymentIntent: pi, amount: total, amountRefunded: 2_000, metadata: contractMetadata(brand.id, ref) })));
    await ok(stripeEvent('checkout.session.completed', session));
    const order = await orderByRef(ref);
    expect(order).toMatchObject({ paymentStatus: 'PARTIALLY_REFUNDED', refundedTotal: { amount: 2_000 } });
  });

  it('a refund stored before its order existed, applied after its checkout, finds its brand before its transaction, not inside it', async () => {
    const { ref, pi, session, total } = await cardCheckout({ quantity: 1 });
    // No brand in its metadata: only its PaymentIntent's order tells the brand, and when it is stored there is none yet.
    const refund = stripeEvent('charge.refunded', charge({ paymentIntent: pi, amount: total, amountRefunded: 1_000 }));
    const receipt = (await storeDeliveries(t.orm.em, [refund as unknown as Stripe.Event])).get(refund.id as string)!;
    expect(receipt.brandId).toBeNull();
    await ok(stripeEvent('checkout.session.completed', session));
    const { result, statements } = await t.countQueries(() => processStored(t.orm.em, refund as unknown as Stripe.Event, receipt.brandId));
    expect(result.reason).toMatch(/→ PARTIALLY_REFUNDED/);
    // Found inside, the transaction would roll back and run again.
    expect(statements.filter((s) => /\bROLLBACK\b/i.test(s.sql))).toEqual([]);
    expect((await orderByRef(ref)).refundedTotal.amount).toBe(1_000);
  });

  it('early refunds (1,000, 2,000, then 1,000 again, all before the checkout) are kept as their maximum, 2,000', async () => {
    const { ref, pi, session, total } = await cardCheckout({ paymentStatus: 'unpaid' });
    for (const cumulative of [1_000, 2_000, 1_000]) {
      const early = await ok(
        stripeEvent('charge.refunded', charge({ paymentIntent: pi, amount: total, amountRefunded: cumulative, metadata: contractMetadata(brand.id, ref) })),
      );
      expect(early.reason).toMatch(/refund kept/);
    }
    const [parked] = await t.sql('select refunded_amount::int from stripe_pending_payments where payment_intent_id = ?', [pi]);
    expect(parked.refunded_amount).toBe(2_000);
    await ok(stripeEvent('checkout.session.completed', session));
    const order = await orderByRef(ref);
    expect(order).toMatchObject({ paymentStatus: 'PARTIALLY_REFUNDED', refundedTotal: { amount: 2_000 } });
  });
});

describe('customer.subscription.*', () => {
  const SUBSCRIPTION = `{ viewer { brand { subscription { status plan currentPeriodEnd cancelAtPeriodEnd canceledAt endedAt } } } }`;
  const day = 86_400;

  function lifecycle(brandId: string, base: number) {
    const id = stripeId('sub');
    const periodEnd = base + 30 * day;
    return {
      created: stripeEvent('customer.subscription.created', subscription({ id, brandId, status: 'active', lookupKey: 'starter_monthly', periodEnd }), { created: base }),
      planChange: stripeEvent('customer.subscription.updated', subscription({ id, brandId, status: 'active', lookupKey: 'pro_monthly', periodEnd }), { created: base + 10 }),
      cancelAtEnd: stripeEvent(
        'customer.subscription.updated',
        subscription({ id, brandId, status: 'active', lookupKey: 'pro_monthly', periodEnd, cancelAtPeriodEnd: true, canceledAt: base + 20 }),
        { created: base + 20 },
      ),
      deleted: stripeEvent(
        'customer.subscription.deleted',
        subscription({ id, brandId, status: 'canceled', lookupKey: 'pro_monthly', periodEnd, cancelAtPeriodEnd: true, canceledAt: base + 20, endedAt: periodEnd }),
        { created: periodEnd },
      ),
      periodEnd,
    };
  }

  it('follows created → plan change → cancel at period end → deleted on Brand.subscription', async () => {
    const b = await createTestBrand(t, { prefix: 'SU' });
    expect((await t.gql(SUBSCRIPTION, {}, b.tokens.VIEWER)).data.viewer.brand.subscription).toBeNull();
    const s = lifecycle(b.id, Math.floor(Date.now() / 1000) - 100_000);
    const read = async () => (await t.gql(SUBSCRIPTION, {}, b.tokens.VIEWER)).data.viewer.brand.subscription;

    await ok(s.created);
    expect(await read()).toMatchObject({ status: 'active', plan: 'starter_monthly', cancelAtPeriodEnd: false, endedAt: null });
    expect(new Date((await read()).currentPeriodEnd).getTime()).toBe(s.periodEnd * 1000);
    await ok(s.planChange);
    expect(await read()).toMatchObject({ status: 'active', plan: 'pro_monthly' });
    await ok(s.cancelAtEnd);
    expect(await read()).toMatchObject({ status: 'active', cancelAtPeriodEnd: true, endedAt: null });
    expect((await read()).canceledAt).not.toBeNull();
    await ok(s.deleted);
    const ended = await read();
    expect(ended).toMatchObject({ status: 'canceled', plan: 'pro_monthly', cancelAtPeriodEnd: true });
    expect(new Date(ended.endedAt).getTime()).toBe(s.periodEnd * 1000);
  });

  it('ends in the same state when the events arrive out of order', async () => {
    const inOrder = await createTestBrand(t, { prefix: 'SA' });
    const shuffled = await createTestBrand(t, { prefix: 'SB' });
    const base = Math.floor(Date.now() / 1000) - 200_000;
    const a = lifecycle(inOrder.id, base);
    const b = lifecycle(shuffled.id, base);
    for (const e of [a.created, a.planChange, a.cancelAtEnd, a.deleted]) await ok(e);
    // Older than what is already applied: acknowledged and ignored.
    await ok(b.cancelAtEnd);
    await ok(b.created, 'IGNORED');
    await ok(b.deleted);
    await ok(b.planChange, 'IGNORED');
    const read = async (x: TestBrand) => (await t.gql(SUBSCRIPTION, {}, x.tokens.VIEWER)).data.viewer.brand.subscription;
    expect(await read(shuffled)).toEqual(await read(inOrder));
    expect((await read(shuffled)).status).toBe('canceled');
  });
});

describe('ignored events', () => {
  it('acknowledges a type we do not handle and shows it as IGNORED', async () => {
    const event = stripeEvent('customer.created', { id: stripeId('cus'), object: 'customer', email: 'x@example.com', metadata: { brand_id: brand.id } });
    const res = await ok(event, 'IGNORED');
    expect(res.duplicate).toBe(false);
    const list = await t.gql(`{ webhookEvents(first: 100, filter: { outcome: [IGNORED] }) { nodes { eventId reason } } }`, {}, brand.tokens.ADMIN);
    expect(list.data.webhookEvents.nodes).toContainEqual({ eventId: event.id, reason: 'customer.created is not handled' });
  });

  it('acknowledges and ignores another app\'s checkout', async () => {
    const { ref, session } = await cardCheckout();
    session.metadata = { ...session.metadata, app: 'newsletter' };
    await ok(stripeEvent('checkout.session.completed', session), 'IGNORED');
    expect(await orderByRef(ref)).toBeNull();
  });
});

describe('bad deliveries are 400 and record nothing', () => {
  it.each([
    ['a missing Stripe-Signature', (body: string) => ({ body, header: null }), /missing Stripe-Signature/],
    ['a malformed Stripe-Signature', (body: string) => ({ body, header: 'garbage' }), /malformed/],
    ['a wrong secret', (body: string) => ({ body, header: signature(body, { secret: 'whsec_wrong' }) }), /does not match/],
    ['a stale timestamp', (body: string) => ({ body, header: signature(body, { timestamp: Math.floor(Date.now() / 1000) - 301 }) }), /tolerance/],
    ['a body changed after signing', (body: string) => ({ body: body.replace('"paid"', '"unpaid"'), header: signature(body) }), /does not match/],
  ])('%s', async (_name, tamper, reason) => {
    const { ref, session } = await cardCheckout();
    const event = stripeEvent('checkout.session.completed', session);
    const body = JSON.stringify(event);
    const before = await countEvents();
    const bad = tamper(body);
    const res = await deliver(t.url, bad.body, { header: bad.header });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(reason);
    expect(await countEvents()).toBe(before);
    expect(await orderByRef(ref)).toBeNull();

    // A later valid delivery of the same event is still processed.
    const good = await deliver(t.url, body);
    expect(good.status).toBe(200);
    expect(good.body).toMatchObject({ outcome: 'PROCESSED', duplicate: false });
    expect((await orderByRef(ref)).paymentStatus).toBe('PAID');
  });

  it.each([
    ['not JSON', 'this is not json {', /not JSON/],
    ['JSON but not an object', '[1, 2, 3]', /not a Stripe event/],
    ['JSON but not an event', JSON.stringify({ id: 'evt_x', object: 'charge' }), /not a Stripe event/],
    ['an event without data.object', JSON.stringify({ id: 'evt_x', object: 'event', type: 'charge.refunded', created: 1, data: {} }), /data.object/],
  ])('a validly signed body that is %s', async (_name, body, reason) => {
    const before = await countEvents();
    const res = await deliver(t.url, body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(reason);
    expect(await countEvents()).toBe(before);
  });
});

describe('rejections and replay', () => {
  it('acknowledges a checkout whose items break the contract as REJECTED, and replays without doubling', async () => {
    const { session, ref } = await cardCheckout();
    const broken = { ...session, metadata: { ...session.metadata, items: 'not-a-product:two' } };
    const rejected = await ok(stripeEvent('checkout.session.completed', broken), 'REJECTED');
    expect(rejected.reason).toMatch(/metadata.items/);
    expect(await orderByRef(ref)).toBeNull();

    const event = stripeEvent('checkout.session.completed', session);
    await ok(event);
    const order = await orderByRef(ref);
    const stockBefore = await stockOf(order.items[0].productId);
    const replay = await replayEvent(t.orm.em.fork() as any, event.id);
    expect(replay).toMatchObject({ outcome: 'PROCESSED', duplicate: false });
    expect(replay.reason).toMatch(/already existed/);
    expect(await stockOf(order.items[0].productId)).toBe(stockBefore);
    const [{ attempts }] = await t.sql('select attempts from stripe_events where event_id = ?', [event.id]);
    expect(attempts).toBe(2);
    await expect(replayEvent(t.orm.em.fork() as any, 'evt_unknown')).rejects.toThrow(/No stored Stripe event/);
  });

  it('answers 500 when our database fails, keeps nothing half-done, and the retry processes the event', async () => {
    const { ref, session } = await cardCheckout();
    const event = stripeEvent('checkout.session.completed', session);
    await t.sql('alter table order_status_changes rename to order_status_changes_away');
    let failed;
    try {
      failed = await deliver(t.url, event);
    } finally {
      await t.sql('alter table order_status_changes_away rename to order_status_changes');
    }
    expect(failed.status).toBe(500);
    expect(await orderByRef(ref)).toBeNull();
    const [stored] = await t.sql('select outcome, processed_at, error from stripe_events where event_id = ?', [event.id]);
    expect(stored).toMatchObject({ outcome: 'FAILED', processed_at: null });
    // What operators read names no table or SQL: the details are in the server log under the event id.
    expect(stored.error).toMatch(/^Our side failed/);
    expect(stored.error).not.toMatch(/order_status_changes/);

    const retry = await deliver(t.url, event);
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ outcome: 'PROCESSED', duplicate: false });
    expect((await orderByRef(ref)).paymentStatus).toBe('PAID');
    const [{ attempts, error }] = await t.sql('select attempts, error from stripe_events where event_id = ?', [event.id]);
    expect([attempts, error]).toEqual([2, null]);
  });

  it('answers 500 (and Stripe retries) when the webhook secret is not configured', async () => {
    const bare = await startTestApp();
    try {
      const res = await deliver(bare.url, stripeEvent('customer.created', { id: 'cus_1', object: 'customer' }));
      expect(res.status).toBe(500);
    } finally {
      await bare.close();
    }
  });
});
