import * as orderService from '../../src/orders/order.service';
import { RequestContext } from '../../src/shared/request-context';
import {
  codes,
  createTestBrand,
  createTestProduct,
  ORDER_FIELDS,
  orderInput,
  startTestApp,
  type GraphQLResponse,
  type TestApp,
  type TestBrand,
} from '../support/harness';

/**
 * The order lifecycle over HTTP: every allowed move, every forbidden one, payments, cancellation and its restocking,
 * notes, edits, deletion and the frozen item snapshot. The expected rules below are written out by hand from the issue
 * (not imported from order-lifecycle.ts), so that they are an independent oracle.
 */

let t: TestApp;
let brand: TestBrand;
let product: { id: string; sku: string; name: string };

type Status = 'PENDING' | 'PROCESSING' | 'SHIPPED' | 'DELIVERED' | 'CANCELLED';
const STATUSES: Status[] = ['PENDING', 'PROCESSING', 'SHIPPED', 'DELIVERED', 'CANCELLED'];

/** Arrangeable states: a status plus, for PENDING, the payment status that decides whether it may be processed. */
type State = 'PENDING_AWAITING' | 'PENDING_PAID' | 'PENDING_FAILED' | 'PROCESSING' | 'SHIPPED' | 'DELIVERED' | 'CANCELLED';
const STATES: State[] = [
  'PENDING_AWAITING',
  'PENDING_PAID',
  'PENDING_FAILED',
  'PROCESSING',
  'SHIPPED',
  'DELIVERED',
  'CANCELLED',
];

/** The rules: PENDING → PROCESSING (only when PAID) → SHIPPED → DELIVERED; PENDING/PROCESSING → CANCELLED. */
const RULES: Record<State, Status[]> = {
  PENDING_AWAITING: ['CANCELLED'],
  PENDING_PAID: ['PROCESSING', 'CANCELLED'],
  PENDING_FAILED: ['CANCELLED'],
  PROCESSING: ['SHIPPED', 'CANCELLED'],
  SHIPPED: ['DELIVERED'],
  DELIVERED: [],
  CANCELLED: [],
};

const STATUS_OF: Record<State, Status> = {
  PENDING_AWAITING: 'PENDING',
  PENDING_PAID: 'PENDING',
  PENDING_FAILED: 'PENDING',
  PROCESSING: 'PROCESSING',
  SHIPPED: 'SHIPPED',
  DELIVERED: 'DELIVERED',
  CANCELLED: 'CANCELLED',
};

const UPDATE_STATUS = `mutation($id: ID!, $status: OrderStatus!, $note: String, $tracking: String) {
  updateOrderStatus(id: $id, status: $status, note: $note, trackingNumber: $tracking) { ${ORDER_FIELDS} } }`;
const CANCEL = `mutation($id: ID!, $reason: String!, $restock: Boolean) {
  cancelOrder(id: $id, reason: $reason, restock: $restock) { ${ORDER_FIELDS} } }`;
const MARK_PAID = `mutation($id: ID!, $note: String) { markOrderPaid(id: $id, note: $note) { ${ORDER_FIELDS} } }`;
const ORDER = `query($id: ID!) { order(id: $id) { ${ORDER_FIELDS} } }`;

/** A fresh request context per arrangement, so that no identity map outlives one use case. */
const ctxOf = (b: TestBrand) => RequestContext.create(t.orm.em as any, b.ctx.principal);

async function newOrder(items: { productId: string; quantity: number }[] = [{ productId: product.id, quantity: 1 }]) {
  return orderService.createOrder(ctxOf(brand), orderInput(items));
}

/** Creates an order and walks it (through the services, as the OWNER) into `state`. */
async function orderIn(state: State): Promise<string> {
  const { id } = await newOrder();
  const steps: Record<State, (() => Promise<unknown>)[]> = {
    PENDING_AWAITING: [],
    PENDING_PAID: [() => orderService.markOrderPaid(ctxOf(brand), id)],
    PENDING_FAILED: [() => t.sql(`update orders set payment_status = 'PAYMENT_FAILED' where id = ?`, [id])],
    PROCESSING: [
      () => orderService.markOrderPaid(ctxOf(brand), id),
      () => orderService.updateOrderStatus(ctxOf(brand), id, 'PROCESSING'),
    ],
    SHIPPED: [
      () => orderService.markOrderPaid(ctxOf(brand), id),
      () => orderService.updateOrderStatus(ctxOf(brand), id, 'PROCESSING'),
      () => orderService.updateOrderStatus(ctxOf(brand), id, 'SHIPPED', null, 'TRK-ORIGINAL'),
    ],
    DELIVERED: [
      () => orderService.markOrderPaid(ctxOf(brand), id),
      () => orderService.updateOrderStatus(ctxOf(brand), id, 'PROCESSING'),
      () => orderService.updateOrderStatus(ctxOf(brand), id, 'SHIPPED', null, 'TRK-ORIGINAL'),
      () => orderService.updateOrderStatus(ctxOf(brand), id, 'DELIVERED'),
    ],
    CANCELLED: [() => orderService.cancelOrder(ctxOf(brand), id, 'arranged for the test')],
  };
  for (const step of steps[state]) await step();
  const [row] = await t.sql('select status from orders where id = ?', [id]);
  expect(row.status).toBe(STATUS_OF[state]);
  return id;
}

interface Snapshot {
  status: string;
  payment_status: string;
  tracking_number: string | null;
  paid_at: Date | null;
  cancelled_at: Date | null;
  history: number;
  historyIds: string[];
}

async function snapshot(id: string): Promise<Snapshot> {
  const [row] = await t.sql('select status, payment_status, tracking_number, paid_at, cancelled_at from orders where id = ?', [
    id,
  ]);
  const history = await t.sql<{ id: string }>('select id from order_status_changes where order_id = ? order by id', [id]);
  return { ...row, history: history.length, historyIds: history.map((h) => h.id) };
}

async function statusRows(id: string) {
  return t.sql<{ id: string; kind: string; from_value: string | null; to_value: string | null; note: string | null; actor_type: string; actor_id: string | null }>(
    `select id, kind, from_value, to_value, note, actor_type, actor_id from order_status_changes
      where order_id = ? and kind = 'STATUS' order by created_at, id`,
    [id],
  );
}

async function stockOf(productId: string): Promise<number> {
  const [row] = await t.sql('select stock from products where id = ?', [productId]);
  return row.stock;
}

function expectInvalidTransition(res: GraphQLResponse, allowed: string[]) {
  expect(codes(res)).toEqual(['INVALID_TRANSITION']);
  expect(res.data).toBeNull();
  expect([...res.errors![0].extensions!.allowed].sort()).toEqual([...allowed].sort());
}

beforeAll(async () => {
  t = await startTestApp();
  brand = await createTestBrand(t, { taxRateBps: 2000, shippingFlatRate: 500, prefix: 'LC' });
  product = await createTestProduct(brand, { name: 'Lifecycle bag', price: 10_000, stock: 100_000 });
});
afterAll(() => t.close());

describe('allowed status transitions', () => {
  type Via = 'updateOrderStatus' | 'cancelOrder';
  const allowed: [State, Status, Via][] = [];
  for (const state of STATES) {
    for (const to of RULES[state]) {
      allowed.push([state, to, 'updateOrderStatus']);
      if (to === 'CANCELLED') allowed.push([state, to, 'cancelOrder']);
    }
  }

  it('covers every allowed pair of the rules', () => {
    expect(allowed.map(([s, to, via]) => `${s}>${to}:${via}`).sort()).toEqual(
      [
        'PENDING_AWAITING>CANCELLED:cancelOrder',
        'PENDING_AWAITING>CANCELLED:updateOrderStatus',
        'PENDING_FAILED>CANCELLED:cancelOrder',
        'PENDING_FAILED>CANCELLED:updateOrderStatus',
        'PENDING_PAID>CANCELLED:cancelOrder',
        'PENDING_PAID>CANCELLED:updateOrderStatus',
        'PENDING_PAID>PROCESSING:updateOrderStatus',
        'PROCESSING>CANCELLED:cancelOrder',
        'PROCESSING>CANCELLED:updateOrderStatus',
        'PROCESSING>SHIPPED:updateOrderStatus',
        'SHIPPED>DELIVERED:updateOrderStatus',
      ].sort(),
    );
  });

  it.each(allowed)('%s → %s via %s succeeds and writes exactly one STATUS row by the USER', async (state, to, via) => {
    const id = await orderIn(state);
    const before = await snapshot(id);
    const statusBefore = await statusRows(id);
    const stockBefore = await stockOf(product.id);
    const note = `note for ${state} to ${to}`;
    const tracking = to === 'SHIPPED' ? `TRK-${state}` : null;
    const res =
      via === 'cancelOrder'
        ? await t.gql(CANCEL, { id, reason: note }, brand.tokens.STAFF)
        : await t.gql(UPDATE_STATUS, { id, status: to, note, tracking }, brand.tokens.STAFF);
    expect(res.errors).toBeUndefined();
    const order = via === 'cancelOrder' ? res.data.cancelOrder : res.data.updateOrderStatus;
    expect(order.status).toBe(to);
    expect(order.paymentStatus).toBe(before.payment_status);

    const statusAfter = await statusRows(id);
    expect(statusAfter).toHaveLength(statusBefore.length + 1);
    const known = new Set(statusBefore.map((r) => r.id));
    const added = statusAfter.filter((r) => !known.has(r.id));
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({
      kind: 'STATUS',
      from_value: STATUS_OF[state],
      to_value: to,
      note,
      actor_type: 'USER',
      actor_id: brand.userIds.STAFF,
    });

    const after = await snapshot(id);
    expect(after.status).toBe(to);
    expect(after.payment_status).toBe(before.payment_status);
    const lastStatus = order.statusHistory.filter((h: any) => h.kind === 'STATUS').at(-1);
    expect(lastStatus).toMatchObject({ from: STATUS_OF[state], to, note, actor: { type: 'USER', id: brand.userIds.STAFF } });
    if (to === 'SHIPPED') {
      expect(order.trackingNumber).toBe(tracking);
      expect(after.tracking_number).toBe(tracking);
    }
    if (to === 'CANCELLED') {
      expect(order.cancelledAt).not.toBeNull();
      expect(after.cancelled_at).not.toBeNull();
      // Either way of cancelling restocks the one unit the order took.
      expect(await stockOf(product.id)).toBe(stockBefore + 1);
    } else {
      expect(after.cancelled_at).toBeNull();
      expect(await stockOf(product.id)).toBe(stockBefore);
    }
  });

  it('updateOrderStatus(CANCELLED) without a reason is BAD_USER_INPUT and changes nothing', async () => {
    const id = await orderIn('PENDING_AWAITING');
    const before = await snapshot(id);
    const stock = await stockOf(product.id);
    const res = await t.gql(UPDATE_STATUS, { id, status: 'CANCELLED' }, brand.tokens.STAFF);
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors![0].extensions!.field).toBe('note');
    expect(await snapshot(id)).toEqual(before);
    expect(await stockOf(product.id)).toBe(stock);
  });
});

describe('forbidden status transitions', () => {
  type Via = 'updateOrderStatus' | 'cancelOrder';
  const forbidden: [State, Status, Via][] = [];
  for (const state of STATES) {
    for (const to of STATUSES) {
      if (RULES[state].includes(to)) continue;
      forbidden.push([state, to, 'updateOrderStatus']);
      if (to === 'CANCELLED') forbidden.push([state, to, 'cancelOrder']);
    }
  }

  it('includes same-state moves, PENDING → PROCESSING unpaid and everything out of DELIVERED / CANCELLED', () => {
    const keys = new Set(forbidden.map(([s, to]) => `${s}>${to}`));
    for (const state of STATES) expect(keys.has(`${state}>${STATUS_OF[state]}`)).toBe(true);
    expect(keys.has('PENDING_AWAITING>PROCESSING')).toBe(true);
    expect(keys.has('PENDING_FAILED>PROCESSING')).toBe(true);
    for (const to of STATUSES) {
      expect(keys.has(`DELIVERED>${to}`)).toBe(true);
      expect(keys.has(`CANCELLED>${to}`)).toBe(true);
    }
    // 7 states × 5 targets, minus the 7 allowed pairs.
    expect(keys.size).toBe(7 * 5 - 7);
  });

  it.each(forbidden)('%s → %s via %s is INVALID_TRANSITION naming the allowed states, and changes nothing', async (state, to, via) => {
    const id = await orderIn(state);
    const before = await snapshot(id);
    const stock = await stockOf(product.id);
    const res =
      via === 'cancelOrder'
        ? await t.gql(CANCEL, { id, reason: 'not allowed' }, brand.tokens.STAFF)
        : await t.gql(UPDATE_STATUS, { id, status: to, note: 'not allowed', tracking: 'TRK-FORBIDDEN' }, brand.tokens.STAFF);
    expectInvalidTransition(res, RULES[state]);
    const after = await snapshot(id);
    expect(after).toEqual(before);
    expect(await stockOf(product.id)).toBe(stock);
  });
});

describe('nextStatuses', () => {
  it.each(STATES)('for a %s order matches the rules for STAFF and is empty for a VIEWER', async (state) => {
    const id = await orderIn(state);
    const staff = await t.gql(`query($id: ID!) { order(id: $id) { nextStatuses } }`, { id }, brand.tokens.STAFF);
    expect(staff.errors).toBeUndefined();
    expect([...staff.data.order.nextStatuses].sort()).toEqual([...RULES[state]].sort());
    const viewer = await t.gql(`query($id: ID!) { order(id: $id) { nextStatuses } }`, { id }, brand.tokens.VIEWER);
    expect(viewer.data.order.nextStatuses).toEqual([]);
  });
});

describe('payment', () => {
  it('markOrderPaid from AWAITING_PAYMENT sets PAID, paidAt and one PAYMENT row', async () => {
    const id = await orderIn('PENDING_AWAITING');
    const before = await snapshot(id);
    const res = await t.gql(MARK_PAID, { id, note: 'Bank transfer received' }, brand.tokens.STAFF);
    expect(res.errors).toBeUndefined();
    const order = res.data.markOrderPaid;
    expect(order).toMatchObject({ status: 'PENDING', paymentStatus: 'PAID' });
    expect(order.paidAt).not.toBeNull();
    expect([...order.nextStatuses].sort()).toEqual(['CANCELLED', 'PROCESSING']);
    const payments = await t.sql(
      `select from_value, to_value, note, actor_type, actor_id from order_status_changes where order_id = ? and kind = 'PAYMENT'`,
      [id],
    );
    expect(payments).toEqual([
      { from_value: 'AWAITING_PAYMENT', to_value: 'PAID', note: 'Bank transfer received', actor_type: 'USER', actor_id: brand.userIds.STAFF },
    ]);
    const after = await snapshot(id);
    expect(after.payment_status).toBe('PAID');
    expect(after.paid_at).not.toBeNull();
    expect(after.history).toBe(before.history + 1);
    expect(after.status).toBe('PENDING');
  });

  it('markOrderPaid from PAYMENT_FAILED sets PAID with paidAt and a PAYMENT row', async () => {
    const id = await orderIn('PENDING_FAILED');
    const res = await t.gql(MARK_PAID, { id }, brand.tokens.STAFF);
    expect(res.errors).toBeUndefined();
    expect(res.data.markOrderPaid.paymentStatus).toBe('PAID');
    expect(res.data.markOrderPaid.paidAt).not.toBeNull();
    const payments = await t.sql(
      `select from_value, to_value from order_status_changes where order_id = ? and kind = 'PAYMENT'`,
      [id],
    );
    expect(payments).toEqual([{ from_value: 'PAYMENT_FAILED', to_value: 'PAID' }]);
    // Now paid, the order may be processed.
    const processed = await t.gql(UPDATE_STATUS, { id, status: 'PROCESSING' }, brand.tokens.STAFF);
    expect(processed.errors).toBeUndefined();
    expect(processed.data.updateOrderStatus.status).toBe('PROCESSING');
  });

  it('markOrderPaid twice is INVALID_TRANSITION and keeps the first paidAt', async () => {
    const id = await orderIn('PENDING_AWAITING');
    const first = await t.gql(MARK_PAID, { id }, brand.tokens.STAFF);
    expect(first.errors).toBeUndefined();
    const before = await snapshot(id);
    const second = await t.gql(MARK_PAID, { id }, brand.tokens.STAFF);
    expect(codes(second)).toEqual(['INVALID_TRANSITION']);
    expect([...second.errors![0].extensions!.allowed].sort()).toEqual(['PARTIALLY_REFUNDED', 'REFUNDED']);
    expect(await snapshot(id)).toEqual(before);
  });

  it('a cancelled order cannot be marked paid', async () => {
    const id = await orderIn('CANCELLED');
    const before = await snapshot(id);
    const res = await t.gql(MARK_PAID, { id }, brand.tokens.STAFF);
    expect(codes(res)).toEqual(['INVALID_TRANSITION']);
    expect(res.data).toBeNull();
    const after = await snapshot(id);
    expect(after).toEqual(before);
    expect(after.payment_status).toBe('AWAITING_PAYMENT');
    expect(after.paid_at).toBeNull();
  });
});

describe('cancellation and stock', () => {
  async function twoProductOrder() {
    const a = await createTestProduct(brand, { name: 'Restock A', stock: 20 });
    const b = await createTestProduct(brand, { name: 'Restock B', stock: 7 });
    // Two lines of A (summed per product) and one of B.
    const order = await newOrder([
      { productId: a.id, quantity: 2 },
      { productId: b.id, quantity: 3 },
      { productId: a.id, quantity: 1 },
    ]);
    expect(await stockOf(a.id)).toBe(17);
    expect(await stockOf(b.id)).toBe(4);
    return { a, b, id: order.id };
  }

  async function cancellations(orderId: string) {
    return t.sql<{ product_id: string; delta: number }>(
      `select product_id, delta from stock_movements where order_id = ? and reason = 'CANCELLATION' order by product_id`,
      [orderId],
    );
  }

  it('restocks each line exactly once, with one CANCELLATION movement per product', async () => {
    const { a, b, id } = await twoProductOrder();
    const res = await t.gql(CANCEL, { id, reason: 'Customer changed their mind' }, brand.tokens.STAFF);
    expect(res.errors).toBeUndefined();
    expect(res.data.cancelOrder.status).toBe('CANCELLED');
    expect(await stockOf(a.id)).toBe(20);
    expect(await stockOf(b.id)).toBe(7);
    const moves = await cancellations(id);
    expect(moves).toEqual(
      [
        { product_id: a.id, delta: 3 },
        { product_id: b.id, delta: 3 },
      ].sort((x, y) => (x.product_id < y.product_id ? -1 : 1)),
    );
  });

  it('restock:false leaves the stock where it is', async () => {
    const { a, b, id } = await twoProductOrder();
    const res = await t.gql(CANCEL, { id, reason: 'Keep the goods aside', restock: false }, brand.tokens.STAFF);
    expect(res.errors).toBeUndefined();
    expect(res.data.cancelOrder.status).toBe('CANCELLED');
    expect(await stockOf(a.id)).toBe(17);
    expect(await stockOf(b.id)).toBe(4);
    expect(await cancellations(id)).toEqual([]);
  });

  it('a second cancel is INVALID_TRANSITION and does not restock again', async () => {
    const { a, b, id } = await twoProductOrder();
    expect((await t.gql(CANCEL, { id, reason: 'first' }, brand.tokens.STAFF)).errors).toBeUndefined();
    const before = await snapshot(id);
    const second = await t.gql(CANCEL, { id, reason: 'second' }, brand.tokens.STAFF);
    expectInvalidTransition(second, []);
    expect(await stockOf(a.id)).toBe(20);
    expect(await stockOf(b.id)).toBe(7);
    expect(await cancellations(id)).toHaveLength(2);
    expect(await snapshot(id)).toEqual(before);
  });

  it('two concurrent cancels: exactly one succeeds and the stock comes back once', async () => {
    // Eight orders, each raced by two cancels, all sixteen requests in flight at once (to widen the race window).
    const arranged = [];
    for (let i = 0; i < 8; i++) arranged.push(await twoProductOrder());
    const races = await Promise.all(
      arranged.map(({ id }) =>
        Promise.all([
          t.gql(CANCEL, { id, reason: 'racer one' }, brand.tokens.STAFF),
          t.gql(CANCEL, { id, reason: 'racer two' }, brand.tokens.ADMIN),
        ]),
      ),
    );
    for (const [i, results] of races.entries()) {
      const { a, b, id } = arranged[i];
      const ok = results.filter((r) => !r.errors);
      const failed = results.filter((r) => r.errors);
      expect(ok).toHaveLength(1);
      expect(failed).toHaveLength(1);
      expect(codes(failed[0])).toEqual(['INVALID_TRANSITION']);
      expect(ok[0].data.cancelOrder.status).toBe('CANCELLED');
      expect(await stockOf(a.id)).toBe(20);
      expect(await stockOf(b.id)).toBe(7);
      expect(await cancellations(id)).toHaveLength(2);
      const rows = await statusRows(id);
      expect(rows.filter((r) => r.to_value === 'CANCELLED')).toHaveLength(1);
    }
  });
});

describe('notes, edits and deletion', () => {
  it('the timeline is append-only: the database refuses to change a recorded entry', async () => {
    const id = await orderIn('PROCESSING');
    const before = await t.sql('select id, note, created_at from order_status_changes where brand_id = ? and order_id = ? order by id', [brand.id, id]);
    await expect(
      t.sql("update order_status_changes set note = 'rewritten' where brand_id = ? and order_id = ?", [brand.id, id]),
    ).rejects.toThrow(/append-only/);
    await expect(
      t.sql("update order_status_changes set created_at = now() - interval '1 day' where order_id = ?", [id]),
    ).rejects.toThrow(/append-only/);
    expect(await t.sql('select id, note, created_at from order_status_changes where brand_id = ? and order_id = ? order by id', [brand.id, id])).toEqual(before);
  });

  it('addOrderNote appends a NOTE by the USER and leaves the status alone', async () => {
    const id = await orderIn('PROCESSING');
    const before = await snapshot(id);
    const res = await t.gql(
      `mutation($id: ID!, $note: String!) { addOrderNote(id: $id, note: $note) { ${ORDER_FIELDS} } }`,
      { id, note: '  Called the customer  ' },
      brand.tokens.STAFF,
    );
    expect(res.errors).toBeUndefined();
    const history = res.data.addOrderNote.statusHistory;
    expect(history).toHaveLength(before.history + 1);
    expect(history.at(-1)).toMatchObject({
      kind: 'NOTE',
      from: null,
      to: null,
      note: 'Called the customer',
      actor: { type: 'USER', id: brand.userIds.STAFF },
    });
    const after = await snapshot(id);
    expect(after.status).toBe(before.status);
    expect(after.history).toBe(before.history + 1);

    const empty = await t.gql(`mutation($id: ID!) { addOrderNote(id: $id, note: "   ") { id } }`, { id }, brand.tokens.STAFF);
    expect(codes(empty)).toEqual(['BAD_USER_INPUT']);
    expect((await snapshot(id)).history).toBe(after.history);
  });

  it('updateOrder changes customer, address and tracking number and records a NOTE', async () => {
    const id = await orderIn('PROCESSING');
    const before = await snapshot(id);
    const res = await t.gql(
      `mutation($id: ID!, $input: UpdateOrderInput!) { updateOrder(id: $id, input: $input) { ${ORDER_FIELDS} } }`,
      {
        id,
        input: {
          customer: { email: 'New.Person@Example.com', name: 'New Person', phone: '+33 1 23 45 67 89' },
          shippingAddress: { line1: '5 avenue Montaigne', city: 'Paris', postalCode: '75008', country: 'fr' },
          trackingNumber: 'TRK-UPDATED',
        },
      },
      brand.tokens.STAFF,
    );
    expect(res.errors).toBeUndefined();
    const order = res.data.updateOrder;
    expect(order.customer).toEqual({ email: 'new.person@example.com', name: 'New Person', phone: '+33 1 23 45 67 89' });
    expect(order.shippingAddress).toEqual({ line1: '5 avenue Montaigne', city: 'Paris', postalCode: '75008', country: 'FR' });
    expect(order.trackingNumber).toBe('TRK-UPDATED');
    expect(order.status).toBe('PROCESSING');
    const [row] = await t.sql(
      'select customer_email, customer_name, customer_phone, shipping_address, tracking_number from orders where id = ?',
      [id],
    );
    expect(row).toMatchObject({
      customer_email: 'new.person@example.com',
      customer_name: 'New Person',
      tracking_number: 'TRK-UPDATED',
    });
    expect(row.shipping_address).toMatchObject({ line1: '5 avenue Montaigne', country: 'FR' });
    const after = await snapshot(id);
    expect(after.history).toBe(before.history + 1);
    const [note] = await t.sql(
      `select kind, note, actor_id from order_status_changes where order_id = ? and id <> all(?::uuid[])`,
      [id, `{${before.historyIds.join(',')}}`],
    );
    expect(note.kind).toBe('NOTE');
    expect(note.note).toMatch(/customer/);
    expect(note.note).toMatch(/address/);
    expect(note.note).toMatch(/tracking/);
    expect(note.actor_id).toBe(brand.userIds.STAFF);
  });

  it('deleteOrder removes a never-paid order and its lines, releases its stock and keeps its timeline', async () => {
    const p = await createTestProduct(brand, { name: 'Deletable', stock: 10 });
    const { id } = await newOrder([{ productId: p.id, quantity: 4 }]);
    expect(await stockOf(p.id)).toBe(6);
    const res = await t.gql(`mutation($id: ID!) { deleteOrder(id: $id) }`, { id }, brand.tokens.STAFF);
    expect(res.errors).toBeUndefined();
    expect(res.data.deleteOrder).toBe(id);
    expect(await t.sql('select id from orders where id = ?', [id])).toEqual([]);
    expect(await t.sql('select id from order_items where order_id = ?', [id])).toEqual([]);
    const history = await t.sql('select kind, note from order_status_changes where order_id = ? order by created_at, id', [id]);
    expect(history[history.length - 1]).toEqual({ kind: 'NOTE', note: expect.stringMatching(/deleted/) });
    expect(await t.sql('select order_id from deleted_orders where order_id = ?', [id])).toEqual([{ order_id: id }]);
    expect(await stockOf(p.id)).toBe(10);
    const gone = await t.gql(ORDER, { id }, brand.tokens.STAFF);
    expect(gone.data?.order ?? null).toBeNull();
  });

  it('deleteOrder of a cancelled (already restocked) order does not release stock a second time', async () => {
    const p = await createTestProduct(brand, { name: 'Deletable cancelled', stock: 10 });
    const { id } = await newOrder([{ productId: p.id, quantity: 4 }]);
    await orderService.cancelOrder(ctxOf(brand), id, 'mistake');
    expect(await stockOf(p.id)).toBe(10);
    const res = await t.gql(`mutation($id: ID!) { deleteOrder(id: $id) }`, { id }, brand.tokens.STAFF);
    expect(res.errors).toBeUndefined();
    expect(await t.sql('select id from orders where id = ?', [id])).toEqual([]);
    expect(await stockOf(p.id)).toBe(10);
  });

  it('deleteOrder of a paid order is INVALID_TRANSITION and deletes nothing', async () => {
    const p = await createTestProduct(brand, { name: 'Paid, kept', stock: 10 });
    const { id } = await newOrder([{ productId: p.id, quantity: 2 }]);
    await orderService.markOrderPaid(ctxOf(brand), id);
    const before = await snapshot(id);
    const res = await t.gql(`mutation($id: ID!) { deleteOrder(id: $id) }`, { id }, brand.tokens.STAFF);
    expect(codes(res)).toEqual(['INVALID_TRANSITION']);
    expect(await snapshot(id)).toEqual(before);
    expect(await t.sql('select id from order_items where order_id = ?', [id])).toHaveLength(1);
    expect(await stockOf(p.id)).toBe(8);
  });
});

describe('the item snapshot survives catalog changes', () => {
  const ITEM_SNAPSHOT = `query($id: ID!) { order(id: $id) {
    subtotal { amount } total { amount }
    items { id productId sku name quantity unitPrice { amount } discount { amount } tax { amount } total { amount } } } }`;

  it('renaming and repricing a product does not change an existing order', async () => {
    const p = await createTestProduct(brand, { sku: 'SNAP-RENAME', name: 'Original name', price: 12_345, stock: 10 });
    const { id } = await newOrder([{ productId: p.id, quantity: 2 }]);
    const before = await t.gql(ITEM_SNAPSHOT, { id }, brand.tokens.STAFF);
    expect(before.data.order.items[0]).toMatchObject({ sku: 'SNAP-RENAME', name: 'Original name', unitPrice: { amount: 12_345 } });
    const update = await t.gql(
      `mutation($id: ID!, $input: UpdateProductInput!) { updateProduct(id: $id, input: $input) { name price { amount } } }`,
      { id: p.id, input: { name: 'Renamed', price: 99_999 } },
      brand.tokens.ADMIN,
    );
    expect(update.errors).toBeUndefined();
    expect(update.data.updateProduct).toEqual({ name: 'Renamed', price: { amount: 99_999 } });
    const after = await t.gql(ITEM_SNAPSHOT, { id }, brand.tokens.STAFF);
    expect(after.data).toEqual(before.data);
    const [item] = await t.sql('select sku, name, unit_price from order_items where order_id = ?', [id]);
    expect(item).toEqual({ sku: 'SNAP-RENAME', name: 'Original name', unit_price: '12345' });
  });

  it('deleting the product leaves the item with productId null and its snapshot intact; the order still cancels', async () => {
    const p = await createTestProduct(brand, { sku: 'SNAP-DELETE', name: 'Discontinued', price: 4_321, stock: 10 });
    const { id } = await newOrder([{ productId: p.id, quantity: 3 }]);
    const before = await t.gql(ITEM_SNAPSHOT, { id }, brand.tokens.STAFF);
    expect(before.data.order.items[0].productId).toBe(p.id);
    await t.sql('delete from products where id = ?', [p.id]);

    const after = await t.gql(ITEM_SNAPSHOT, { id }, brand.tokens.STAFF);
    expect(after.errors).toBeUndefined();
    const expected = structuredClone(before.data);
    expected.order.items[0].productId = null;
    expect(after.data).toEqual(expected);
    expect(after.data.order.items[0]).toMatchObject({ sku: 'SNAP-DELETE', name: 'Discontinued', quantity: 3, unitPrice: { amount: 4_321 } });

    const cancelled = await t.gql(CANCEL, { id, reason: 'Product discontinued' }, brand.tokens.STAFF);
    expect(cancelled.errors).toBeUndefined();
    expect(cancelled.data.cancelOrder.status).toBe('CANCELLED');
    expect(cancelled.data.cancelOrder.items[0]).toMatchObject({ productId: null, sku: 'SNAP-DELETE' });
  });
});
