import {
  CREATE_ORDER,
  codes,
  createTestBrand,
  createTestProduct,
  orderInput,
  startTestApp,
  type TestApp,
  type TestBrand,
} from '../support/harness';

/** One tracking place (number, carrier, link) on the order and in its timeline; marking paid says how the money came in. */

let t: TestApp;
let brand: TestBrand;
let productId: string;

const FIELDS = `id status paymentStatus trackingNumber trackingCarrier trackingUrl paymentMethod paymentReference
  statusHistory { kind from to note tracking { number carrier url } }`;

beforeAll(async () => {
  t = await startTestApp();
  brand = await createTestBrand(t);
  productId = (await createTestProduct(brand, { stock: 50 })).id;
});
afterAll(() => t.close());

async function newOrder(): Promise<string> {
  const res = await t.gql(CREATE_ORDER, { input: orderInput([{ productId, quantity: 1 }]) }, brand.tokens.STAFF);
  expect(res.errors).toBeUndefined();
  return res.data.createOrder.id;
}

const MARK_PAID = `mutation($id: ID!, $method: PaymentMethod, $reference: String, $note: String) {
  markOrderPaid(id: $id, paymentMethod: $method, paymentReference: $reference, note: $note) { ${FIELDS} } }`;
const MOVE = `mutation($id: ID!, $status: OrderStatus!, $number: String, $carrier: String, $url: String) {
  updateOrderStatus(id: $id, status: $status, trackingNumber: $number, trackingCarrier: $carrier, trackingUrl: $url) { ${FIELDS} } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateOrderInput!) { updateOrder(id: $id, input: $input) { ${FIELDS} } }`;

describe('marking an order paid by hand', () => {
  it('records the payment method and reference on the order and in the timeline', async () => {
    const id = await newOrder();
    const res = await t.gql(MARK_PAID, { id, method: 'BANK_TRANSFER', reference: 'VIR-2026-118' }, brand.tokens.STAFF);
    expect(res.errors).toBeUndefined();
    const order = res.data.markOrderPaid;
    expect(order).toMatchObject({ paymentStatus: 'PAID', paymentMethod: 'BANK_TRANSFER', paymentReference: 'VIR-2026-118' });
    const payment = order.statusHistory.find((c: any) => c.kind === 'PAYMENT');
    expect(payment).toMatchObject({ from: 'AWAITING_PAYMENT', to: 'PAID', note: 'Bank transfer · reference VIR-2026-118' });
  });

  it('refuses a method that is not one of the list, naming the field', async () => {
    const id = await newOrder();
    const res = await t.gql(MARK_PAID, { id, method: 'BITCOIN' }, brand.tokens.STAFF);
    expect(res.errors?.length).toBeGreaterThan(0);
    const after = await t.gql(`query($id: ID!) { order(id: $id) { paymentStatus paymentMethod } }`, { id }, brand.tokens.STAFF);
    expect(after.data.order).toEqual({ paymentStatus: 'AWAITING_PAYMENT', paymentMethod: null });
  });

  it('keeps a reference within 100 characters', async () => {
    const id = await newOrder();
    const res = await t.gql(MARK_PAID, { id, method: 'CASH', reference: 'x'.repeat(101) }, brand.tokens.STAFF);
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors![0].extensions!.field).toBe('paymentReference');
  });
});

describe('tracking', () => {
  async function processingOrder(): Promise<string> {
    const id = await newOrder();
    expect((await t.gql(MARK_PAID, { id, method: 'CARD' }, brand.tokens.STAFF)).errors).toBeUndefined();
    expect((await t.gql(MOVE, { id, status: 'PROCESSING' }, brand.tokens.STAFF)).errors).toBeUndefined();
    return id;
  }

  it('shipping with a carrier, number and link stores them and the SHIPPED entry carries them', async () => {
    const id = await processingOrder();
    const res = await t.gql(
      MOVE,
      { id, status: 'SHIPPED', number: '6A12345678901', carrier: 'Colissimo', url: 'https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901' },
      brand.tokens.STAFF,
    );
    expect(res.errors).toBeUndefined();
    const order = res.data.updateOrderStatus;
    expect(order).toMatchObject({
      status: 'SHIPPED',
      trackingNumber: '6A12345678901',
      trackingCarrier: 'Colissimo',
      trackingUrl: 'https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901',
    });
    const shipped = order.statusHistory.find((c: any) => c.to === 'SHIPPED');
    expect(shipped.tracking).toEqual({
      number: '6A12345678901',
      carrier: 'Colissimo',
      url: 'https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901',
    });
    // Entries that set no tracking say so with null.
    expect(order.statusHistory.find((c: any) => c.to === 'PROCESSING').tracking).toBeNull();
  });

  it('updating one part keeps the others, and the timeline entry shows the whole tracking after the change', async () => {
    const id = await processingOrder();
    await t.gql(UPDATE, { id, input: { trackingNumber: 'JD0002', trackingCarrier: 'DHL' } }, brand.tokens.STAFF);
    const res = await t.gql(UPDATE, { id, input: { trackingUrl: 'https://www.dhl.com/track?id=JD0002' } }, brand.tokens.STAFF);
    expect(res.errors).toBeUndefined();
    const order = res.data.updateOrder;
    expect(order).toMatchObject({ trackingNumber: 'JD0002', trackingCarrier: 'DHL', trackingUrl: 'https://www.dhl.com/track?id=JD0002' });
    const last = order.statusHistory[order.statusHistory.length - 1];
    expect(last).toMatchObject({
      kind: 'NOTE',
      note: 'Updated tracking',
      tracking: { number: 'JD0002', carrier: 'DHL', url: 'https://www.dhl.com/track?id=JD0002' },
    });
  });

  it('null or an empty string clears a part, a part left out stays, and the timeline says what was removed', async () => {
    const id = await processingOrder();
    const set = { trackingNumber: 'JD0003', trackingCarrier: 'DHL', trackingUrl: 'https://www.dhl.com/track?id=JD0003' };
    expect((await t.gql(UPDATE, { id, input: set }, brand.tokens.STAFF)).errors).toBeUndefined();
    const res = await t.gql(UPDATE, { id, input: { trackingCarrier: '', trackingUrl: null } }, brand.tokens.STAFF);
    expect(res.errors).toBeUndefined();
    const order = res.data.updateOrder;
    expect(order).toMatchObject({ trackingNumber: 'JD0003', trackingCarrier: null, trackingUrl: null });
    expect(order.statusHistory[order.statusHistory.length - 1]).toMatchObject({
      kind: 'NOTE',
      note: 'Updated tracking (removed carrier, link)',
      tracking: { number: 'JD0003', carrier: null, url: null },
    });

    const cleared = await t.gql(MOVE, { id, status: 'SHIPPED', number: null }, brand.tokens.STAFF);
    expect(cleared.errors).toBeUndefined();
    expect(cleared.data.updateOrderStatus).toMatchObject({ status: 'SHIPPED', trackingNumber: null, trackingCarrier: null });
    const [row] = await t.sql('select tracking_number, tracking_carrier, tracking_url from orders where id = ?', [id]);
    expect(row).toEqual({ tracking_number: null, tracking_carrier: null, tracking_url: null });
  });

  it.each([['javascript:alert(1)'], ['ftp://example.com/x'], ['not a url']])('refuses %s as a tracking link', async (url) => {
    const id = await processingOrder();
    const res = await t.gql(UPDATE, { id, input: { trackingUrl: url } }, brand.tokens.STAFF);
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors![0].extensions!.field).toBe('input.trackingUrl');
    const moved = await t.gql(MOVE, { id, status: 'SHIPPED', url }, brand.tokens.STAFF);
    expect(codes(moved)).toEqual(['BAD_USER_INPUT']);
    expect(moved.errors![0].extensions!.field).toBe('trackingUrl');
    const [row] = await t.sql('select status, tracking_url from orders where id = ?', [id]);
    expect(row).toEqual({ status: 'PROCESSING', tracking_url: null });
  });

  it('a VIEWER cannot set tracking', async () => {
    const id = await processingOrder();
    const res = await t.gql(UPDATE, { id, input: { trackingCarrier: 'UPS' } }, brand.tokens.VIEWER);
    expect(codes(res)).toEqual(['FORBIDDEN']);
  });
});
