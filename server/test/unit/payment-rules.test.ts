import { DomainError } from '../../src/errors';
import {
  applyPaymentResult,
  applyRefund,
  applyReportedRefund,
  completeCheckout,
  findOrderForPayment,
  flagAttention,
  markPaidManually,
  recordRefund,
  type CheckoutCompletion,
} from '../../src/orders/order-payments';
import { lockOrder } from '../../src/orders/order-writes';
import type { Order } from '../../src/orders/order.entity';
import { cancelOrder, createOrder } from '../../src/orders/order.service';
import { createProduct } from '../../src/products/product.service';
import { formatMoney } from '../../src/shared/money';
import { RequestContext } from '../../src/shared/request-context';
import { startRuleDatabase, type RuleDatabase } from '../support/rule-database';

/**
 * The payment rules (orders/order-payments.ts) called directly on the real database, without the HTTP app: what each
 * provider report and each refund does to an order, its timeline, its audit trail and its `attention` flag.
 * order-payments.test.ts and stripe-webhooks.test.ts check the same rules through their callers.
 */
let db: RuleDatabase;
let ctx: RequestContext;
let productId: string;
let cheapId: string;

beforeAll(async () => {
  db = await startRuleDatabase();
  ctx = await db.brand();
  productId = (await createProduct(ctx, { sku: 'P', name: 'Product', price: 10_000, stock: 1_000, active: true })).id;
  cheapId = (await createProduct(ctx, { sku: 'C', name: 'Cheap', price: 333, stock: 1_000, active: true })).id;
});
afterAll(() => db.close());

function as(role: 'STAFF' | 'ADMIN' | 'OWNER'): RequestContext {
  return RequestContext.create(db.orm.em as any, { ...ctx.principal!, role });
}

/** Runs `work` on the locked order in a transaction of its own, like one delivery or one request. */
function onOrder<T>(id: string, work: (tx: RequestContext, order: Order) => T | Promise<T>, who = db.again(ctx)): Promise<T> {
  return who.transaction(async (tx) => work(tx, await lockOrder(tx, id)));
}

async function manualOrder(): Promise<string> {
  return (await createOrder(db.again(ctx), { items: [{ productId, quantity: 1 }], customer: { email: 'pay@example.com' } })).id;
}

const stateOf = async (id: string) =>
  (
    await db.sql(
      'select status, payment_status, refunded_total::int, attention, provider_paid_at is not null as provider_paid from orders where id = ?',
      [id],
    )
  )[0];
const timeline = (id: string) =>
  db.sql<{ kind: string; to_value: string | null; note: string | null }>(
    "select kind, to_value, note from order_status_changes where order_id = ? and kind <> 'STATUS' order by created_at, id",
    [id],
  );
const audited = async (id: string) =>
  (await db.sql<{ action: string }>('select action from audit_log where target_id = ? order by created_at, id', [id])).map((r) => r.action);

async function failure(work: Promise<unknown>): Promise<DomainError> {
  const error = await work.then(
    () => null,
    (e) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

function checkout(ref: string, overrides: Partial<CheckoutCompletion> = {}): CheckoutCompletion {
  return {
    checkoutRef: ref,
    checkoutSessionId: `cs_${ref}`,
    paymentIntentId: `pi_${ref}`,
    currency: 'eur',
    amounts: { subtotal: 20_000, discount: 0, shipping: 0, tax: 0, total: 20_000 },
    customer: { email: 'buyer@example.com', name: 'Buyer', phone: null },
    shippingAddress: null,
    items: [{ productId, quantity: 2 }],
    paid: true,
    ...overrides,
  };
}
const complete = (data: CheckoutCompletion) => db.again(ctx).transaction((tx) => completeCheckout(tx, data));

describe('refunds', () => {
  test('recordRefund: partial then full, each a payment change on the timeline, audited', async () => {
    const id = await manualOrder();
    await onOrder(id, (tx, order) => markPaidManually(tx, order, null));
    const partial = await recordRefund(db.again(ctx), id, 1_300, 'first part');
    expect(partial.refundedTotal.amount).toBe(1_300);
    expect(partial.paymentStatus).toBe('PARTIALLY_REFUNDED');
    await recordRefund(db.again(ctx), id, 2_000);
    await recordRefund(db.again(ctx), id, 2_500, 'more');
    await recordRefund(db.again(ctx), id, 2_500);
    await recordRefund(db.again(ctx), id, 1_000);
    expect(await stateOf(id)).toMatchObject({ payment_status: 'PARTIALLY_REFUNDED', refunded_total: 2_500 });
    await recordRefund(db.again(ctx), id, 10_000);
    expect(await stateOf(id)).toMatchObject({ payment_status: 'REFUNDED', refunded_total: 10_000 });
    expect(await timeline(id)).toEqual([
      { kind: 'PAYMENT', to_value: 'PAID', note: 'Marked paid manually' },
      { kind: 'PAYMENT', to_value: 'PARTIALLY_REFUNDED', note: 'first part' },
      { kind: 'NOTE', to_value: null, note: 'Refunded 2000 in total' },
      { kind: 'NOTE', to_value: null, note: 'more' },
      { kind: 'PAYMENT', to_value: 'REFUNDED', note: null },
    ]);
    expect((await audited(id)).filter((a) => a === 'order.refund')).toHaveLength(4);
  });

  test('refuses amounts that are negative, not whole, or beyond the total; the total itself is allowed', async () => {
    const id = await manualOrder();
    await onOrder(id, (tx, order) => markPaidManually(tx, order, 'cash'));
    for (const amount of [-1, 1.5, Number.MAX_SAFE_INTEGER + 2]) {
      const error = await failure(onOrder(id, (tx, order) => applyRefund(tx, order, amount)));
      expect(error.message).toBe('amount: must be a non-negative whole amount');
    }
    const over = await failure(onOrder(id, (tx, order) => applyRefund(tx, order, 10_001)));
    expect(over.message).toBe('amount: cannot exceed the order total');
    await onOrder(id, (tx, order) => applyRefund(tx, order, 0));
    expect(await stateOf(id)).toMatchObject({ payment_status: 'PAID', refunded_total: 0 });
    await onOrder(id, (tx, order) => applyRefund(tx, order, 10_000));
    expect(await stateOf(id)).toMatchObject({ payment_status: 'REFUNDED', refunded_total: 10_000 });
  });

  test('a reported refund beyond the total is recorded as the total and flagged once', async () => {
    const { order } = await complete(checkout('ref-over-refund'));
    await onOrder(order.id, (tx, o) => applyReportedRefund(tx, o, 5_000, 'charge.refunded'));
    expect(await stateOf(order.id)).toMatchObject({ payment_status: 'PARTIALLY_REFUNDED', refunded_total: 5_000, attention: null });
    await onOrder(order.id, (tx, o) => applyReportedRefund(tx, o, 20_000, 'charge.refunded'));
    expect(await stateOf(order.id)).toMatchObject({ payment_status: 'REFUNDED', refunded_total: 20_000, attention: null });
    await onOrder(order.id, (tx, o) => applyReportedRefund(tx, o, 25_000, 'charge.refunded'));
    await onOrder(order.id, (tx, o) => applyReportedRefund(tx, o, 25_000, 'charge.refunded'));
    const flag = `Stripe refunded ${formatMoney(25_000, 'EUR')}, more than the order total of ${formatMoney(20_000, 'EUR')}`;
    expect(await stateOf(order.id)).toMatchObject({ payment_status: 'REFUNDED', refunded_total: 20_000, attention: flag });
    expect((await timeline(order.id)).filter((c) => c.note === flag)).toHaveLength(1);
  });
});

test('flagAttention appends each new reason once, writes it to the timeline and audits it', async () => {
  const id = await manualOrder();
  expect(await onOrder(id, (tx, order) => flagAttention(tx, order, 'first'))).toBe(true);
  expect(await onOrder(id, (tx, order) => flagAttention(tx, order, 'second', 'the second, in words'))).toBe(true);
  expect(await onOrder(id, (tx, order) => flagAttention(tx, order, 'first'))).toBe(false);
  expect((await stateOf(id)).attention).toBe('first · second');
  expect(await timeline(id)).toEqual([
    { kind: 'NOTE', to_value: null, note: 'first' },
    { kind: 'NOTE', to_value: null, note: 'the second, in words' },
  ]);
  expect((await audited(id)).filter((a) => a === 'order.flag')).toHaveLength(2);
});

describe('markPaidManually', () => {
  test('staff may mark a dashboard order paid', async () => {
    const id = await manualOrder();
    await onOrder(id, (tx, order) => markPaidManually(tx, order, 'bank transfer'), as('STAFF'));
    expect(await timeline(id)).toEqual([{ kind: 'PAYMENT', to_value: 'PAID', note: 'bank transfer' }]);
  });

  test('only an ADMIN may mark a Stripe order paid', async () => {
    const { order } = await complete(checkout('ref-manual', { paid: false }));
    const error = await failure(onOrder(order.id, (tx, o) => markPaidManually(tx, o, null), as('STAFF')));
    expect(error.code).toBe('FORBIDDEN');
    expect((await stateOf(order.id)).payment_status).toBe('AWAITING_PAYMENT');
    await onOrder(order.id, (tx, o) => markPaidManually(tx, o, null), as('ADMIN'));
    expect((await stateOf(order.id)).payment_status).toBe('PAID');
  });
});

describe('applyPaymentResult', () => {
  const succeed = (id: string, reported: { amount: number | null; currency: string | null } | null = null) =>
    onOrder(id, (tx, order) => applyPaymentResult(tx, order, 'SUCCEEDED', 'paid', reported));
  const fail = (id: string, note: string | null = 'declined') => onOrder(id, (tx, order) => applyPaymentResult(tx, order, 'FAILED', note));

  test('a failure, then a success: each moves the payment once, and is audited', async () => {
    const id = await manualOrder();
    expect(await fail(id)).toBe(true);
    expect(await fail(id)).toBe(false);
    expect(await succeed(id)).toBe(true);
    expect(await succeed(id)).toBe(false);
    expect(await fail(id)).toBe(false);
    expect(await stateOf(id)).toMatchObject({ payment_status: 'PAID', provider_paid: true, attention: null });
    expect(await timeline(id)).toEqual([
      { kind: 'PAYMENT', to_value: 'PAYMENT_FAILED', note: 'declined' },
      { kind: 'PAYMENT', to_value: 'PAID', note: 'paid' },
    ]);
    expect(await audited(id)).toEqual(['order.create', 'order.paymentFailed', 'order.paymentSucceeded']);
  });

  test('the provider confirming a manual payment is noted once; its late failure is flagged once', async () => {
    const id = await manualOrder();
    await onOrder(id, (tx, order) => markPaidManually(tx, order, null));
    expect(await fail(id, null)).toBe(true);
    expect(await fail(id, null)).toBe(false);
    const flag = 'Stripe reports a failed payment for an order marked paid manually: check that the money arrived';
    expect(await stateOf(id)).toMatchObject({ payment_status: 'PAID', provider_paid: false, attention: flag });
    expect(await succeed(id)).toBe(true);
    expect(await succeed(id)).toBe(false);
    expect(await fail(id)).toBe(false);
    expect(await stateOf(id)).toMatchObject({ payment_status: 'PAID', provider_paid: true, attention: flag });
    expect(await timeline(id)).toEqual([
      { kind: 'PAYMENT', to_value: 'PAID', note: 'Marked paid manually' },
      { kind: 'NOTE', to_value: null, note: 'Stripe disagrees with the manual payment mark: payment failed' },
      { kind: 'NOTE', to_value: null, note: 'Stripe confirmed the payment that was marked paid manually' },
    ]);
  });

  test('money received for a cancelled order is recorded as paid and flagged once', async () => {
    const id = await manualOrder();
    await cancelOrder(db.again(ctx), id, 'Customer changed their mind');
    expect(await succeed(id)).toBe(true);
    expect(await succeed(id)).toBe(false);
    expect(await stateOf(id)).toMatchObject({
      status: 'CANCELLED',
      payment_status: 'PAID',
      attention: 'Payment received for a cancelled order: refund or reinstate it',
    });
    expect((await timeline(id)).map((c) => c.note).slice(-2)).toEqual(['paid', 'Payment received after the order was cancelled']);
  });

  test('an amount or currency other than the total is flagged, once; a missing one is not', async () => {
    const flagOf = (paid: string) => `Stripe received ${paid} but the order total is ${formatMoney(10_000, 'EUR')}`;
    const exact = await manualOrder();
    expect(await succeed(exact, { amount: 10_000, currency: 'eur' })).toBe(true);
    expect((await stateOf(exact)).attention).toBeNull();
    const unknown = await manualOrder();
    await succeed(unknown, { amount: null, currency: 'eur' });
    // Stripe already confirmed it: a report without amount or currency is no new flag, so nothing changed.
    expect(await succeed(unknown, { amount: 1, currency: null })).toBe(false);
    expect(await succeed(unknown, { amount: null, currency: 'eur' })).toBe(false);
    expect((await stateOf(unknown)).attention).toBeNull();

    const short = await manualOrder();
    expect(await succeed(short, { amount: 9_999, currency: 'eur' })).toBe(true);
    expect(await succeed(short, { amount: 9_999, currency: 'EUR' })).toBe(false);
    expect((await stateOf(short)).attention).toBe(flagOf(formatMoney(9_999, 'EUR')));
    // Already paid: a new disagreement is still flagged and reported as a change.
    expect(await succeed(short, { amount: 10_000, currency: 'usd' })).toBe(true);
    expect((await stateOf(short)).attention).toBe(`${flagOf(formatMoney(9_999, 'EUR'))} · ${flagOf(formatMoney(10_000, 'USD'))}`);

    const odd = await manualOrder();
    await succeed(odd, { amount: 10_000, currency: 'xyz' });
    expect((await stateOf(odd)).attention).toBe(flagOf('10000 XYZ'));
    expect((await timeline(odd)).map((c) => c.note)).toContain(
      `Payment amount disagrees with the order: Stripe received 10000 XYZ, the order total is ${formatMoney(10_000, 'EUR')}`,
    );
  });
});

describe('findOrderForPayment', () => {
  test('finds an order by its reference or its payment intent, and nothing without either', async () => {
    const { order } = await complete(checkout('ref-find'));
    const find = (keys: { checkoutRef?: string | null; paymentIntentId?: string | null }) =>
      db.again(ctx).transaction(async (tx) => (await findOrderForPayment(tx, keys))?.id ?? null);
    expect(await find({ checkoutRef: 'ref-find' })).toBe(order.id);
    expect(await find({ paymentIntentId: 'pi_ref-find' })).toBe(order.id);
    expect(await find({ checkoutRef: 'nope', paymentIntentId: 'pi_ref-find' })).toBe(order.id);
    expect(await find({ checkoutRef: 'ref-find', paymentIntentId: 'nope' })).toBe(order.id);
    expect(await find({ checkoutRef: 'nope' })).toBeNull();
    expect(await find({})).toBeNull();
    expect(await find({ checkoutRef: null, paymentIntentId: null })).toBeNull();
  });

  test('when the reference and the payment intent name two orders, the earlier order wins', async () => {
    // The later order is written first, then the other is dated before it: stored first is not created first.
    await complete(checkout('ref-pair-later'));
    const earlier = (await complete(checkout('ref-pair-earlier'))).order;
    await db.sql(`update orders set created_at = created_at - interval '1 hour' where id = ?`, [earlier.id]);
    // On a table this small PostgreSQL reads the brand's orders by creation date anyway; a large one is read through
    // the reference and payment intent indexes, in storage order. That plan is forced here, so only the rule decides.
    const find = (keys: { checkoutRef: string; paymentIntentId: string }) =>
      db.again(ctx).transaction(async (tx) => {
        await tx.em.execute('set local enable_indexscan = off');
        return (await findOrderForPayment(tx, keys))?.id;
      });
    expect(await find({ checkoutRef: 'ref-pair-later', paymentIntentId: 'pi_ref-pair-earlier' })).toBe(earlier.id);
    expect(await find({ checkoutRef: 'ref-pair-earlier', paymentIntentId: 'pi_ref-pair-later' })).toBe(earlier.id);
  });
});

describe('completeCheckout', () => {
  test('creates one paid order with what was charged, its lines summing to it, stock taken and audited', async () => {
    const first = await complete(checkout('ref-once'));
    expect(first.created).toBe(true);
    const again = await complete(checkout('ref-once'));
    expect(again).toMatchObject({ created: false });
    expect(again.order.id).toBe(first.order.id);
    const [row] = await db.sql(
      `select payment_status, total::int, currency, source, customer_email, stripe_checkout_session_id, stripe_payment_intent_id,
              attention, (select sum(total)::int from order_items where order_id = o.id) as lines
         from orders o where o.checkout_ref = 'ref-once'`,
    );
    expect(row).toEqual({
      payment_status: 'PAID', total: 20_000, currency: 'EUR', source: 'STRIPE_CHECKOUT', customer_email: 'buyer@example.com',
      stripe_checkout_session_id: 'cs_ref-once', stripe_payment_intent_id: 'pi_ref-once', attention: null, lines: 20_000,
    });
    expect(await audited(first.order.id)).toEqual(['order.create', 'order.paymentSucceeded']);
  });

  test('an unpaid completion awaits payment, and its later paid completion pays it with the amount checked', async () => {
    const { order } = await complete(checkout('ref-later', { paid: false, paymentIntentId: null }));
    expect((await stateOf(order.id)).payment_status).toBe('AWAITING_PAYMENT');
    const later = await complete(checkout('ref-later', { amounts: { subtotal: 20_000, discount: 0, shipping: 0, tax: 0, total: 19_000 } }));
    expect(later.created).toBe(false);
    const [row] = await db.sql('select payment_status, attention, stripe_payment_intent_id from orders where id = ?', [order.id]);
    expect(row).toEqual({
      payment_status: 'PAID',
      attention: `Stripe received ${formatMoney(19_000, 'EUR')} but the order total is ${formatMoney(20_000, 'EUR')}`,
      stripe_payment_intent_id: 'pi_ref-later',
    });
  });

  test('a repeated unpaid completion of an existing order leaves it awaiting payment', async () => {
    const { order } = await complete(checkout('ref-unpaid-twice', { paid: false, paymentIntentId: null }));
    const again = await complete(checkout('ref-unpaid-twice', { paid: false, paymentIntentId: null }));
    expect(again.created).toBe(false);
    expect((await stateOf(order.id)).payment_status).toBe('AWAITING_PAYMENT');
  });

  test('taking exactly the last unit is no oversell, and a lone reason is the whole attention text', async () => {
    const lastId = (await createProduct(ctx, { sku: 'LAST', name: 'Last one', price: 10_000, stock: 2, active: true })).id;
    const { order } = await complete(
      checkout('ref-last-unit', { items: [{ productId: lastId, quantity: 2 }], customer: { email: null, name: null, phone: null } }),
    );
    const [row] = await db.sql('select attention, (select stock from products where id = ?) as stock from orders where id = ?', [lastId, order.id]);
    expect(row).toEqual({ attention: 'Stripe sent no customer email', stock: 0 });
  });

  test('a second Checkout Session for the same reference is flagged, and keeps the first session', async () => {
    const { order } = await complete(checkout('ref-twice'));
    await complete(checkout('ref-twice', { checkoutSessionId: 'cs_other', paymentIntentId: 'pi_other', paid: false }));
    const [row] = await db.sql('select attention, stripe_checkout_session_id, stripe_payment_intent_id from orders where id = ?', [order.id]);
    expect(row).toEqual({
      attention: 'A second Checkout Session (cs_other) completed for reference ref-twice: check for a double payment',
      stripe_checkout_session_id: 'cs_ref-twice',
      stripe_payment_intent_id: 'pi_ref-twice',
    });
  });

  test('refuses a currency it does not know and amounts that are not whole and non-negative', async () => {
    expect((await failure(complete(checkout('ref-bad-1', { currency: 'xyz' })))).details).toEqual({ field: 'currency' });
    for (const field of ['subtotal', 'discount', 'shipping', 'tax', 'total'] as const) {
      const amounts = { subtotal: 20_000, discount: 0, shipping: 0, tax: 0, total: 20_000, [field]: -1 };
      expect((await failure(complete(checkout(`ref-bad-${field}`, { amounts })))).details).toEqual({ field: `amounts.${field}` });
      const fraction = { subtotal: 20_000, discount: 0, shipping: 0, tax: 0, total: 20_000, [field]: 0.5 };
      expect((await failure(complete(checkout(`ref-frac-${field}`, { amounts: fraction })))).details).toEqual({ field: `amounts.${field}` });
    }
    const discount = await failure(complete(checkout('ref-bad-d', { amounts: { subtotal: 100, discount: 101, shipping: 0, tax: 0, total: 0 } })));
    expect(discount.details).toEqual({ field: 'amounts.discount' });
    expect(await db.sql("select id from orders where checkout_ref like 'ref-bad%' or checkout_ref like 'ref-frac%'")).toEqual([]);
  });

  test('a discount equal to the subtotal is accepted', async () => {
    const { created } = await complete(checkout('ref-free', { amounts: { subtotal: 20_000, discount: 20_000, shipping: 0, tax: 0, total: 0 } }));
    expect(created).toBe(true);
  });

  test('lines carry the charged discount and tax; exclusive tax is added to each line, inclusive tax is not', async () => {
    const lines = (ref: string) =>
      db.sql(
        `select i.sku, i.quantity, i.unit_price::int, i.discount::int, i.tax::int, i.total::int
           from order_items i join orders o on o.id = i.order_id where o.checkout_ref = ? order by i.position`,
        [ref],
      );
    const items = [{ productId, quantity: 1 }, { productId: cheapId, quantity: 3 }];
    // 10,000 + 999 = 10,999; 1,100 off; 10 % exclusive tax on 9,899 = 990.
    await complete(checkout('ref-excl', { items, amounts: { subtotal: 10_999, discount: 1_100, shipping: 500, tax: 990, total: 11_389 } }));
    expect(await lines('ref-excl')).toEqual([
      { sku: 'P', quantity: 1, unit_price: 10_000, discount: 1_000, tax: 900, total: 9_900 },
      { sku: 'C', quantity: 3, unit_price: 333, discount: 100, tax: 90, total: 989 },
    ]);
    // Inclusive: the same goods contain 900 of tax; the total is the goods less the discount plus shipping.
    await complete(checkout('ref-incl', { items, amounts: { subtotal: 10_999, discount: 1_100, shipping: 500, tax: 900, total: 10_399 } }));
    expect(await lines('ref-incl')).toEqual([
      { sku: 'P', quantity: 1, unit_price: 10_000, discount: 1_000, tax: 818, total: 9_000 },
      { sku: 'C', quantity: 3, unit_price: 333, discount: 100, tax: 82, total: 899 },
    ]);
  });

  test('what does not add up is flagged for a person: unknown products, catalog prices, no email, oversold stock', async () => {
    const missing = '00000000-0000-4000-8000-000000000001';
    const scarceId = (await createProduct(ctx, { sku: 'S', name: 'Scarce', price: 333, stock: 1, active: true })).id;
    const { order } = await complete(
      checkout('ref-odd', {
        items: [{ productId: scarceId, quantity: 2 }, { productId: missing, quantity: 4 }],
        amounts: { subtotal: 700, discount: 0, shipping: 0, tax: 0, total: 700 },
        customer: { email: null, name: null, phone: null },
      }),
    );
    const notes = [
      `Product ${missing} (4×) is not in the catalog; its line is missing`,
      'Stripe charged a subtotal of 700; the catalog prices these lines at 666',
      'Stripe sent no customer email',
    ];
    const [row] = await db.sql('select attention, customer_email, (select stock from products where id = ?) as stock from orders where id = ?', [
      scarceId,
      order.id,
    ]);
    expect(row).toEqual({
      attention: ['Oversold: S: 2 sold, 1 in stock', ...notes].join(' · '),
      customer_email: 'unknown@checkout.invalid',
      stock: -1,
    });
    expect((await timeline(order.id)).filter((c) => c.kind === 'NOTE').map((c) => c.note)).toEqual([
      'Paid order oversold stock (S: 2 sold, 1 in stock)',
      ...notes,
    ]);
  });
});
