import { v7 as uuidv7 } from 'uuid';
import { Order } from '../../src/orders/order.entity';
import { cancelOrder, createOrder } from '../../src/orders/order.service';
import {
  applyPaymentResult,
  applyRefund,
  completeCheckout,
  findOrderForPayment,
  type CheckoutCompletion,
} from '../../src/orders/order-payments';
import { insertOrder, plannedOrderRow, type NewOrder } from '../../src/orders/order-writes';
import { RequestContext } from '../../src/shared/request-context';
import { createTestBrand, createTestProduct, startTestApp, type TestApp, type TestBrand } from '../support/harness';

/** The payment rules (orders/order-payments.ts) called directly, each in its own transaction on the real database. */
let t: TestApp;
let brand: TestBrand;
let productId: string;

beforeAll(async () => {
  t = await startTestApp();
  brand = await createTestBrand(t);
  productId = (await createTestProduct(brand, { price: 10_000, stock: 1_000 })).id;
});
afterAll(() => t.close());

/** Runs `work` in a fresh transaction as the brand's owner, like one delivery or one request. */
function inTransaction<T>(work: (tx: RequestContext) => Promise<T>): Promise<T> {
  return RequestContext.create(t.orm.em as any, brand.ctx.principal).transaction(work);
}

async function manualOrder(): Promise<string> {
  const order = await createOrder(brand.ctx, { items: [{ productId, quantity: 1 }], customer: { email: 'pay@example.com' } });
  return order.id;
}

const lockedOrder = (tx: RequestContext, id: string) => tx.em.findOneOrFail(Order, id);

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

describe('completeCheckout', () => {
  it("plans a new order's row as insert_order answers it: every column, all but the number, seq and search text", async () => {
    const at = new Date(Date.now() - 1_000);
    const data: NewOrder = {
      id: uuidv7(),
      currency: 'EUR',
      totals: { subtotal: 20_000, discountTotal: 1_000, shippingTotal: 500, taxTotal: 300, total: 19_800 },
      discountCode: null,
      customer: { email: 'planned@example.com', name: 'Planned', phone: '+33 1 23 45 67 89' },
      shippingAddress: { name: 'Planned', line1: '1 rue X', line2: null, city: 'Paris', postalCode: '75001', region: null, country: 'FR' },
      source: 'STRIPE_CHECKOUT',
      checkoutRef: 'ref-planned',
      stripeCheckoutSessionId: 'cs_planned',
      stripePaymentIntentId: 'pi_planned',
      lines: [{ product: { id: productId, sku: 'P', name: 'P' }, unitPrice: 10_000, quantity: 2, discount: 1_000, tax: 300, total: 19_300 }],
    };
    const { planned, inserted } = await inTransaction(async (tx) => ({
      planned: plannedOrderRow(tx, data, at, 'MARK'),
      inserted: (await insertOrder(tx, data, { at })).row,
    }));
    // As the change log compares them: times by instant, JSON by content, numbers whether bigint text or not.
    const comparable = (column: string, value: unknown) => {
      if (value === null || typeof value === 'object') return value instanceof Date ? value.toISOString() : value;
      return column.endsWith('_at') ? new Date(String(value)).toISOString() : String(value);
    };
    const unknownBeforehand = ['seq', 'number', 'search_text'];
    expect(Object.keys(planned).sort()).toEqual(Object.keys(inserted).sort());
    const columns = Object.keys(inserted).filter((column) => !unknownBeforehand.includes(column));
    expect(Object.fromEntries(columns.map((c) => [c, comparable(c, planned[c])]))).toEqual(Object.fromEntries(columns.map((c) => [c, comparable(c, inserted[c])])));
  });

  it('creates exactly one order per reference, paid, with lines that sum to what was charged', async () => {
    const first = await inTransaction((tx) => completeCheckout(tx, checkout('ref-once')));
    const again = await inTransaction((tx) => completeCheckout(tx, checkout('ref-once')));
    expect(first.created).toBe(true);
    expect(again).toMatchObject({ created: false });
    expect(again.order.id).toBe(first.order.id);
    const [row] = await t.sql(
      `select o.payment_status, o.total::int, o.source, (select sum(total)::int from order_items where order_id = o.id) as lines
         from orders o where o.brand_id = ? and o.checkout_ref = ?`,
      [brand.id, 'ref-once'],
    );
    expect(row).toEqual({ payment_status: 'PAID', total: 20_000, source: 'STRIPE_CHECKOUT', lines: 20_000 });
  });

  it('never refuses a paid checkout for stock: the oversell is flagged for a person', async () => {
    const scarce = await createTestProduct(brand, { sku: 'SCARCE', price: 10_000, stock: 1 });
    const { order } = await inTransaction((tx) =>
      completeCheckout(tx, checkout('ref-oversell', { items: [{ productId: scarce.id, quantity: 2 }] })),
    );
    expect(order.attention).toBe('Oversold: SCARCE: 2 sold, 1 in stock');
    const [product] = await t.sql('select stock from products where brand_id = ? and id = ?', [brand.id, scarce.id]);
    expect(product.stock).toBe(-1);
  });
});

describe('applyPaymentResult', () => {
  it('a success is final: a late failure of an earlier attempt changes nothing', async () => {
    const id = await manualOrder();
    expect(await inTransaction(async (tx) => applyPaymentResult(tx, await lockedOrder(tx, id), 'FAILED'))).toBe(true);
    expect(await inTransaction(async (tx) => applyPaymentResult(tx, await lockedOrder(tx, id), 'SUCCEEDED'))).toBe(true);
    expect(await inTransaction(async (tx) => applyPaymentResult(tx, await lockedOrder(tx, id), 'FAILED'))).toBe(false);
    expect(await inTransaction(async (tx) => applyPaymentResult(tx, await lockedOrder(tx, id), 'SUCCEEDED'))).toBe(false);
    const history = await t.sql(
      "select to_value from order_status_changes where brand_id = ? and order_id = ? and kind = 'PAYMENT' order by created_at, id",
      [brand.id, id],
    );
    expect(history.map((h) => h.to_value)).toEqual(['PAYMENT_FAILED', 'PAID']);
  });

  it('money received for a cancelled order is flagged once, not lost', async () => {
    const id = await manualOrder();
    await cancelOrder(brand.ctx, id, 'Customer changed their mind');
    expect(await inTransaction(async (tx) => applyPaymentResult(tx, await lockedOrder(tx, id), 'SUCCEEDED'))).toBe(true);
    expect(await inTransaction(async (tx) => applyPaymentResult(tx, await lockedOrder(tx, id), 'SUCCEEDED'))).toBe(false);
    const [row] = await t.sql('select attention from orders where brand_id = ? and id = ?', [brand.id, id]);
    expect(row.attention).toBe('Payment received for a cancelled order: refund or reinstate it');
  });
});

describe('applyRefund', () => {
  it('stores the cumulative maximum: partial refunds add up, replays and stale deliveries change nothing', async () => {
    const { order } = await inTransaction((tx) => completeCheckout(tx, checkout('ref-refunds')));
    const refund = (cumulative: number) =>
      inTransaction(async (tx) => {
        const locked = await findOrderForPayment(tx, { paymentIntentId: 'pi_ref-refunds' });
        applyRefund(tx, locked!, cumulative);
        return { status: locked!.paymentStatus, refunded: locked!.refundedTotal };
      });
    expect(await refund(1_300)).toEqual({ status: 'PARTIALLY_REFUNDED', refunded: 1_300 });
    expect(await refund(5_000)).toEqual({ status: 'PARTIALLY_REFUNDED', refunded: 5_000 });
    expect(await refund(1_300)).toEqual({ status: 'PARTIALLY_REFUNDED', refunded: 5_000 });
    expect(await refund(5_000)).toEqual({ status: 'PARTIALLY_REFUNDED', refunded: 5_000 });
    expect(await refund(20_000)).toEqual({ status: 'REFUNDED', refunded: 20_000 });
    await expect(refund(20_001)).rejects.toMatchObject({ code: 'BAD_USER_INPUT', details: { field: 'amount' } });
    const [row] = await t.sql('select refunded_total::int from orders where brand_id = ? and id = ?', [brand.id, order.id]);
    expect(row.refunded_total).toBe(20_000);
  });
});
