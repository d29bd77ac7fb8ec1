import { randomBytes } from 'node:crypto';
import { CREATE_ORDER, createTestBrand, createTestProduct, orderInput, startTestApp, type TestApp, type TestBrand } from '../support/harness';
import {
  charge,
  checkoutSession,
  deliver,
  paymentIntent,
  STRIPE_ENV,
  stripeEvent,
  stripeId,
  type StripeEventPayload,
} from '../support/stripe';

/**
 * Payments never silently disagree with Stripe: what Stripe reports is recorded first (a cancelled order can be paid
 * and refunded), people cannot quietly override it, orders Stripe knows about are never deleted, a deleted manual
 * order's history stays readable by ADMINs, and anything that does not add up is flagged in `attention` and the
 * timeline. Every event is signed with the real SDK and delivered over HTTP.
 */
let t: TestApp;
let brand: TestBrand;

beforeAll(async () => {
  t = await startTestApp(STRIPE_ENV);
  brand = await createTestBrand(t, { prefix: 'PD' });
});
afterAll(() => t.close());

const ORDER = `id number status paymentStatus source attention total { amount currency } refundedTotal { amount }
  statusHistory { kind from to note actor { type id } }`;

async function orderById(id: string) {
  const res = await t.gql(`query($id: ID!) { order(id: $id) { ${ORDER} } }`, { id }, brand.tokens.VIEWER);
  expect(res.errors).toBeUndefined();
  return res.data.order;
}

async function ok(event: StripeEventPayload, outcome = 'PROCESSED') {
  const res = await deliver(t.url, event);
  expect({ type: event.type, status: res.status, outcome: res.body.outcome, reason: res.body.reason }).toEqual({
    type: event.type,
    status: 200,
    outcome,
    reason: expect.anything(),
  });
  return res.body;
}

/** A Checkout Session for 2 × 4,500 + 500 shipping: paid by card, or still awaiting a SEPA debit. */
async function newSession(paymentStatus: 'paid' | 'unpaid') {
  const product = await createTestProduct(brand, { price: 4_500, stock: 10 });
  const ref = `ref_${randomBytes(6).toString('hex')}`;
  const pi = stripeId('pi');
  const session = checkoutSession({
    brandId: brand.id,
    orderRef: ref,
    paymentIntent: pi,
    paymentStatus,
    items: [{ productId: product.id, quantity: 2, unitPrice: 4_500 }],
    shipping: 500,
  });
  return { ref, pi, session, total: session.amount_total as number };
}

const orderIdByRef = async (ref: string) =>
  (await t.sql<{ id: string }>('select id from orders where brand_id = ? and checkout_ref = ?', [brand.id, ref]))[0].id;

/** The order of a completed session (see newSession). */
async function checkout(paymentStatus: 'paid' | 'unpaid') {
  const built = await newSession(paymentStatus);
  await ok(stripeEvent('checkout.session.completed', built.session));
  return { ...built, id: await orderIdByRef(built.ref) };
}

const history = (order: any) => order.statusHistory.map((h: any) => [h.kind, h.from, h.to, h.actor.type]);

describe('a paid order that was cancelled', () => {
  it('records the payment Stripe reports after the cancellation, flags it, and records its refund', async () => {
    const sepa = await checkout('unpaid');
    const cancel = await t.gql(
      `mutation($id: ID!) { cancelOrder(id: $id, reason: "Customer called to cancel") { status } }`,
      { id: sepa.id },
      brand.tokens.STAFF,
    );
    expect(cancel.errors).toBeUndefined();

    await ok(stripeEvent('checkout.session.async_payment_succeeded', { ...sepa.session, payment_status: 'paid' }));
    const paid = await orderById(sepa.id);
    expect(paid).toMatchObject({ status: 'CANCELLED', paymentStatus: 'PAID' });
    expect(paid.attention).toMatch(/Payment received for a cancelled order/);

    await ok(stripeEvent('charge.refunded', charge({ paymentIntent: sepa.pi, amount: sepa.total, amountRefunded: sepa.total })));
    const refunded = await orderById(sepa.id);
    expect(refunded).toMatchObject({ status: 'CANCELLED', paymentStatus: 'REFUNDED', refundedTotal: { amount: sepa.total } });
    expect(history(refunded)).toEqual(
      expect.arrayContaining([
        ['STATUS', 'PENDING', 'CANCELLED', 'USER'],
        ['PAYMENT', 'AWAITING_PAYMENT', 'PAID', 'STRIPE'],
        ['PAYMENT', 'PAID', 'REFUNDED', 'STRIPE'],
      ]),
    );
    expect(refunded.statusHistory.some((h: any) => /after the order was cancelled/.test(h.note ?? ''))).toBe(true);
  });

  it('records a refund that is the first news of the payment (its success event never came)', async () => {
    const sepa = await checkout('unpaid');
    await t.gql(`mutation($id: ID!) { cancelOrder(id: $id, reason: "Out of stock") { status } }`, { id: sepa.id }, brand.tokens.STAFF);
    await ok(stripeEvent('charge.refunded', charge({ paymentIntent: sepa.pi, amount: sepa.total, amountRefunded: 2_000 })));
    const order = await orderById(sepa.id);
    expect(order).toMatchObject({ status: 'CANCELLED', paymentStatus: 'PARTIALLY_REFUNDED', refundedTotal: { amount: 2_000 } });
    expect(order.attention).toMatch(/cancelled order/);
  });
});

describe('manual payment marks on Stripe orders', () => {
  const MARK_PAID = `mutation($id: ID!) { markOrderPaid(id: $id, note: "Customer says they paid") { paymentStatus } }`;

  it('need an ADMIN; a failure Stripe reports afterwards is flagged, not swallowed', async () => {
    const sepa = await checkout('unpaid');
    const before = await orderById(sepa.id);
    const staff = await t.gql(MARK_PAID, { id: sepa.id }, brand.tokens.STAFF);
    expect(staff.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(await orderById(sepa.id)).toEqual(before);

    const admin = await t.gql(MARK_PAID, { id: sepa.id }, brand.tokens.ADMIN);
    expect(admin.errors).toBeUndefined();
    expect(admin.data.markOrderPaid.paymentStatus).toBe('PAID');

    const failed = stripeEvent(
      'payment_intent.payment_failed',
      paymentIntent({ id: sepa.pi, brandId: brand.id, orderRef: sepa.ref, amount: sepa.total, succeeded: false }),
    );
    await ok(failed);
    const order = await orderById(sepa.id);
    expect(order.paymentStatus).toBe('PAID');
    expect(order.attention).toMatch(/Stripe reports a failed payment for an order marked paid manually/);
    const flag = order.statusHistory[order.statusHistory.length - 1];
    expect(flag).toMatchObject({ kind: 'NOTE', actor: { type: 'STRIPE', id: failed.id } });
    expect(flag.note).toMatch(/declined/);

    // The same disagreement delivered again under another event id flags nothing new.
    await ok(stripeEvent('payment_intent.payment_failed', failed.data.object));
    expect((await orderById(sepa.id)).statusHistory).toHaveLength(order.statusHistory.length);
  });

  it('a manual mark that Stripe later confirms raises no flag', async () => {
    const sepa = await checkout('unpaid');
    await t.gql(MARK_PAID, { id: sepa.id }, brand.tokens.ADMIN);
    await ok(stripeEvent('checkout.session.async_payment_succeeded', { ...sepa.session, payment_status: 'paid' }));
    await ok(
      stripeEvent(
        'payment_intent.payment_failed',
        paymentIntent({ id: sepa.pi, brandId: brand.id, orderRef: sepa.ref, amount: sepa.total, succeeded: false }),
      ),
    );
    const order = await orderById(sepa.id);
    expect({ paymentStatus: order.paymentStatus, attention: order.attention }).toEqual({ paymentStatus: 'PAID', attention: null });
  });
});

describe('deleting orders', () => {
  const DELETE = `mutation($id: ID!) { deleteOrder(id: $id) }`;
  const DELETED = `query($first: Int, $after: ID) { deletedOrders(first: $first, after: $after) {
    id orderId number deletedAt deletedBy { type id label } order statusHistory { kind to note actor { type id } } } }`;

  it('an order from Stripe cannot be deleted (cancel it); its later payment still lands on it', async () => {
    const sepa = await checkout('unpaid');
    const before = await orderById(sepa.id);
    for (const role of ['STAFF', 'OWNER'] as const) {
      const res = await t.gql(DELETE, { id: sepa.id }, brand.tokens[role]);
      expect(res.errors?.map((e) => [e.extensions?.code, e.extensions?.source])).toEqual([['INVALID_TRANSITION', 'STRIPE_CHECKOUT']]);
    }
    expect(await orderById(sepa.id)).toEqual(before);
    await ok(
      stripeEvent(
        'payment_intent.succeeded',
        paymentIntent({ id: sepa.pi, brandId: brand.id, orderRef: sepa.ref, amount: sepa.total, succeeded: true }),
      ),
    );
    expect((await orderById(sepa.id)).paymentStatus).toBe('PAID');
    const [parked] = await t.sql('select count(*)::int as n from stripe_pending_payments where payment_intent_id = ?', [sepa.pi]);
    expect(parked.n).toBe(0);
  });

  it('a deleted manual order keeps its timeline and snapshot, readable by ADMINs only', async () => {
    const product = await createTestProduct(brand, { sku: `DEL-${randomBytes(2).toString('hex')}`, price: 2_500, stock: 5 });
    const created = await t.gql(CREATE_ORDER, { input: orderInput([{ productId: product.id, quantity: 2 }]) }, brand.tokens.STAFF);
    expect(created.errors).toBeUndefined();
    const { id, number } = created.data.createOrder;
    await t.gql(`mutation($id: ID!) { addOrderNote(id: $id, note: "Entered twice by mistake") { id } }`, { id }, brand.tokens.STAFF);
    const deleted = await t.gql(DELETE, { id }, brand.tokens.STAFF);
    expect(deleted.errors).toBeUndefined();
    expect((await t.gql(`query($id: ID!) { order(id: $id) { id } }`, { id }, brand.tokens.ADMIN)).data.order).toBeNull();

    const res = await t.gql(DELETED, { first: 10 }, brand.tokens.ADMIN);
    expect(res.errors).toBeUndefined();
    const [entry] = res.data.deletedOrders;
    expect(entry).toMatchObject({ orderId: id, number, deletedBy: { type: 'USER', id: brand.userIds.STAFF } });
    expect(entry.order).toMatchObject({ id, number, total: { amount: 5_000 }, items: [{ sku: product.sku, quantity: 2 }] });
    expect(entry.statusHistory.map((h: any) => [h.kind, h.to, h.note])).toEqual([
      ['STATUS', 'PENDING', 'Order created'],
      ['NOTE', null, 'Entered twice by mistake'],
      ['NOTE', null, `Order ${number} deleted`],
    ]);

    const staff = await t.gql(DELETED, {}, brand.tokens.STAFF);
    expect(staff.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    const other = await createTestBrand(t, { prefix: 'PX' });
    const foreign = await t.gql(DELETED, {}, other.tokens.ADMIN);
    expect(foreign.data.deletedOrders).toEqual([]);
    const page = await t.gql(DELETED, { first: 1, after: entry.id }, brand.tokens.ADMIN);
    expect(page.data.deletedOrders.map((d: any) => d.orderId)).not.toContain(id);
  });
});

describe('amounts and sessions that do not add up', () => {
  it('a payment of another amount or currency than the order total is recorded and flagged', async () => {
    const short = await checkout('unpaid');
    await ok(
      stripeEvent(
        'payment_intent.succeeded',
        paymentIntent({ id: short.pi, brandId: brand.id, orderRef: short.ref, amount: short.total - 100, succeeded: true }),
      ),
    );
    const order = await orderById(short.id);
    expect(order.paymentStatus).toBe('PAID');
    expect(order.attention).toMatch(/Stripe received 94,00\s€ but the order total is 95,00\s€/);
    expect(order.statusHistory.some((h: any) => /Payment amount disagrees/.test(h.note ?? ''))).toBe(true);

    const dollars = await checkout('unpaid');
    const intent = paymentIntent({ id: dollars.pi, brandId: brand.id, orderRef: dollars.ref, amount: dollars.total, succeeded: true });
    await ok(stripeEvent('payment_intent.succeeded', { ...intent, currency: 'usd' }));
    expect((await orderById(dollars.id)).attention).toMatch(/Stripe received \$95\.00 but the order total is 95,00\s€/);
  });

  it('a payment of another amount that arrives before its checkout completes is flagged once the order exists', async () => {
    const { ref, pi, session } = await newSession('unpaid');
    await ok(stripeEvent('payment_intent.succeeded', paymentIntent({ id: pi, brandId: brand.id, orderRef: ref, amount: 4_500, succeeded: true })));
    await ok(stripeEvent('checkout.session.completed', session));
    const order = await orderById(await orderIdByRef(ref));
    expect(order.paymentStatus).toBe('PAID');
    expect(order.attention).toMatch(/Stripe received 45,00\s€ but the order total is 95,00\s€/);
  });

  it('the matching payment of a card checkout raises no flag', async () => {
    const card = await checkout('paid');
    await ok(
      stripeEvent(
        'payment_intent.succeeded',
        paymentIntent({ id: card.pi, brandId: brand.id, orderRef: card.ref, amount: card.total, succeeded: true }),
      ),
    );
    expect((await orderById(card.id)).attention).toBeNull();
  });

  it('a refund of more than the order total is recorded as fully refunded and flagged, not rejected', async () => {
    const card = await checkout('paid');
    await ok(stripeEvent('charge.refunded', charge({ paymentIntent: card.pi, amount: card.total, amountRefunded: card.total + 500 })));
    const order = await orderById(card.id);
    expect(order).toMatchObject({ paymentStatus: 'REFUNDED', refundedTotal: { amount: card.total } });
    expect(order.attention).toMatch(/Stripe refunded 100,00\s€, more than the order total of 95,00\s€/);
  });

  it('a second Checkout Session completed for the same order_ref is flagged on the one order', async () => {
    const first = await checkout('paid');
    // The same session delivered again under a new event id is not a second session.
    await ok(stripeEvent('checkout.session.completed', first.session));
    expect((await orderById(first.id)).attention).toBeNull();

    const second = { ...first.session, id: stripeId('cs'), payment_intent: stripeId('pi') };
    await ok(stripeEvent('checkout.session.completed', second));
    const [{ n }] = await t.sql('select count(*)::int as n from orders where brand_id = ? and checkout_ref = ?', [brand.id, first.ref]);
    expect(n).toBe(1);
    const order = await orderById(first.id);
    expect(order.attention).toContain(`A second Checkout Session (${second.id}) completed for reference ${first.ref}`);
    expect(order.statusHistory.filter((h: any) => h.note?.includes(second.id))).toHaveLength(1);
  });
});
