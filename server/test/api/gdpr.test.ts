import { createApiKeyForBrand } from '../../src/api-keys/api-key.service';
import { pseudonymFor } from '../../src/customers/customer-data';
import { codes, CREATE_ORDER, createTestBrand, createTestProduct, startTestApp, type TestApp, type TestBrand } from '../support/harness';
import { checkoutSession, deliver, paymentIntent, stripeEvent, stripeId, STRIPE_ENV } from '../support/stripe';

let t: TestApp;
let brand: TestBrand;
let other: TestBrand;

const EMAIL = 'camille.martin@example.com';
const NAME = 'Camille Martin';
const PHONE = '+33 6 12 34 56 78';
const ADDRESS = { name: 'Camille M.', line1: '12 rue de la République', city: 'Lyon', postalCode: '69002', country: 'FR' };

const EXPORT = `query($email: String!) { exportCustomerData(email: $email) }`;
const ERASE = `mutation($email: String!) { eraseCustomerData(email: $email) { pseudonym orderCount timelineEntryCount deletedOrderCount itemCount stripeEventCount } }`;
const BYSTANDER_ADDRESS = { line1: '1 Park Row', line2: null, city: 'Leeds', postal_code: 'LS1 5AB', state: null, country: 'GB' };
/** What the customer typed into an item's customization: free text that names them. */
const CUSTOMIZATION = { engraving: `For ${NAME}`, giftMessage: `Happy birthday Camille! Reply to ${EMAIL} or ${PHONE}`, size: 'M' };
const STATS = `query($range: StatsRange!) { orderStats(range: $range) { byCurrency { currency orderCount paidOrderCount grossRevenue { amount } refunded { amount } netRevenue { amount } }
  byStatus { status count } byPaymentStatus { paymentStatus count } topProducts { sku quantity revenue { amount } } } }`;
const RANGE = { from: new Date(Date.now() - 86_400_000).toISOString(), to: new Date(Date.now() + 86_400_000).toISOString() };

let orderIds: string[] = [];
let deletedId: string;
let bystanderId: string;
let stripeOrderId: string;
let bystanderEventId: string;

async function createOrder(
  b: TestBrand,
  productId: string,
  customer: Record<string, unknown>,
  extra: Record<string, unknown> = {},
  customization: Record<string, unknown> | null = null,
) {
  const res = await t.gql(CREATE_ORDER, { input: { items: [{ productId, quantity: 2, customization }], customer, ...extra } }, b.tokens.STAFF);
  expect(res.errors).toBeUndefined();
  return res.data.createOrder.id as string;
}

/** Everything about an order that is not personal data, straight from the tables. */
async function impersonalState(ids: string[]) {
  return t.sql(
    `select o.id, o.number, o.status, o.payment_status, o.currency, o.subtotal, o.discount_total, o.shipping_total, o.tax_total,
            o.total, o.refunded_total, o.created_at, o.paid_at, o.cancelled_at, o.shipping_address ->> 'country' as country,
            (select json_agg(json_build_array(i.sku, i.name, i.quantity, i.unit_price, i.total, i.customization ->> 'size') order by i.position)
               from order_items i where i.order_id = o.id) as items,
            (select json_agg(json_build_array(c.kind, c.from_value, c.to_value, c.actor_type, c.created_at) order by c.created_at, c.id)
               from order_status_changes c where c.order_id = o.id) as timeline
       from orders o where o.id = any(?::uuid[]) order by o.id`,
    [`{${ids.join(',')}}`],
  );
}

/** A Stripe checkout of this customer through the signed webhook route, then a payment event that names them without the email. */
async function checkoutByStripe(b: TestBrand, productId: string, person: { email: string; name: string; phone: string; address?: Record<string, unknown> }) {
  const { email, name, phone, address } = person;
  const orderRef = `ref-${stripeId('x')}`;
  const pi = stripeId('pi');
  const session = checkoutSession({ brandId: b.id, orderRef, items: [{ productId, quantity: 1, unitPrice: 4200 }], paymentIntent: pi, email });
  session.customer_details.name = name;
  session.customer_details.phone = phone;
  session.collected_information.shipping_details.name = name;
  if (address) session.customer_details.address = session.collected_information.shipping_details.address = address;
  expect((await deliver(t.url, stripeEvent('checkout.session.completed', session))).body).toMatchObject({ outcome: 'PROCESSED' });
  const intent = {
    ...paymentIntent({ id: pi, brandId: b.id, orderRef, amount: 4200, succeeded: true }),
    shipping: { name: session.customer_details.name, phone: session.customer_details.phone, address: session.customer_details.address },
  };
  const succeeded = stripeEvent('payment_intent.succeeded', intent);
  expect((await deliver(t.url, succeeded)).status).toBe(200);
  const [order] = await t.sql('select id from orders where brand_id = ? and checkout_ref = ?', [b.id, orderRef]);
  return { orderId: order.id as string, eventIds: [succeeded.id] };
}

beforeAll(async () => {
  t = await startTestApp(STRIPE_ENV);
  brand = await createTestBrand(t);
  other = await createTestBrand(t);
  const product = await createTestProduct(brand, { price: 4200, stock: 100 });
  const customer = { email: EMAIL, name: NAME, phone: PHONE };
  orderIds.push(await createOrder(brand, product.id, customer, { shippingAddress: ADDRESS, note: `Gift wrap, call ${NAME} on ${PHONE}` }, CUSTOMIZATION));
  orderIds.push(await createOrder(brand, product.id, { ...customer, email: EMAIL.toUpperCase() }));
  await t.gql(`mutation($id: ID!) { markOrderPaid(id: $id) { id } }`, { id: orderIds[1] }, brand.tokens.STAFF);
  await t.gql(`mutation($id: ID!, $note: String!) { addOrderNote(id: $id, note: $note) { id } }`, { id: orderIds[1], note: `Wrote to ${EMAIL} about the delay` }, brand.tokens.STAFF);
  deletedId = await createOrder(brand, product.id, customer);
  expect((await t.gql(`mutation($id: ID!) { deleteOrder(id: $id) }`, { id: deletedId }, brand.tokens.ADMIN)).errors).toBeUndefined();
  stripeOrderId = (await checkoutByStripe(brand, product.id, { email: EMAIL, name: NAME, phone: PHONE })).orderId;
  orderIds.push(stripeOrderId);
  bystanderId = await createOrder(brand, product.id, { email: 'someone.else@example.com', name: 'Someone Else' }, { note: 'Nothing about Camille here' }, { engraving: 'For Camille' });
  bystanderEventId = (await checkoutByStripe(brand, product.id, {
    email: 'someone.else@example.com',
    name: 'Someone Else',
    phone: '+44 20 7946 0000',
    address: BYSTANDER_ADDRESS,
  })).eventIds[0];
  const otherProduct = await createTestProduct(other);
  await createOrder(other, otherProduct.id, customer);
});
afterAll(() => t.close());

describe('exportCustomerData', () => {
  it("returns every order, timeline entry and deleted order of that customer in this brand, and nothing else", async () => {
    const res = await t.gql(EXPORT, { email: ` ${EMAIL.toUpperCase()} ` }, brand.tokens.ADMIN);
    expect(res.errors).toBeUndefined();
    const data = res.data.exportCustomerData;
    expect(data.email).toBe(EMAIL);
    expect(data.orders.map((o: { id: string }) => o.id).sort()).toEqual([...orderIds].sort());
    const first = data.orders.find((o: { id: string }) => o.id === orderIds[0]);
    expect(first).toMatchObject({ customer: { email: EMAIL, name: NAME, phone: PHONE }, shippingAddress: { line1: ADDRESS.line1 } });
    expect(first.items).toHaveLength(1);
    expect(first.timeline.map((e: { note: string }) => e.note)).toContain(`Gift wrap, call ${NAME} on ${PHONE}`);
    const second = data.orders.find((o: { id: string }) => o.id === orderIds[1]);
    expect(second.timeline.map((e: { kind: string }) => e.kind)).toEqual(['STATUS', 'PAYMENT', 'NOTE']);
    expect(data.deletedOrders).toEqual([expect.objectContaining({ orderId: deletedId, order: expect.objectContaining({ customer: expect.objectContaining({ email: EMAIL }) }) })]);
    expect(first.items[0].customization).toEqual(CUSTOMIZATION);
    // The stored Stripe events about them: the checkout (found by email) and the payment (found by its order).
    expect(data.stripeEvents.map((e: { type: string }) => e.type)).toEqual(['checkout.session.completed', 'payment_intent.succeeded']);
    expect(data.stripeEvents[0].payload.data.object.customer_details).toMatchObject({ email: EMAIL, name: NAME, phone: PHONE });
    expect(JSON.stringify(data)).not.toMatch(/Someone Else|someone\.else/);
    const elsewhere = await t.gql(EXPORT, { email: EMAIL }, other.tokens.ADMIN);
    expect(elsewhere.data.exportCustomerData.orders).toHaveLength(1);
    expect(elsewhere.data.exportCustomerData.orders[0].id).not.toBe(orderIds[0]);
  });

  it('is for ADMINs only, and refuses what is not an email', async () => {
    expect(codes(await t.gql(EXPORT, { email: EMAIL }, brand.tokens.STAFF))).toEqual(['FORBIDDEN']);
    expect(codes(await t.gql(ERASE, { email: EMAIL }, brand.tokens.STAFF))).toEqual(['FORBIDDEN']);
    const { secret } = await createApiKeyForBrand(t.orm.em.fork() as any, { brandSlug: brand.slug, name: 'All', scopes: ['orders:read', 'orders:write'] });
    expect(codes(await t.gql(EXPORT, { email: EMAIL }, secret))).toEqual(['FORBIDDEN']);
    expect(codes(await t.gql(ERASE, { email: EMAIL }, secret))).toEqual(['FORBIDDEN']);
    expect(codes(await t.gql(ERASE, { email: 'not an email' }, brand.tokens.ADMIN))).toEqual(['BAD_USER_INPUT']);
  });
});

describe('eraseCustomerData', () => {
  it('replaces the personal data with a stable pseudonym and keeps every amount, item, status and stat', async () => {
    const before = await impersonalState([...orderIds, bystanderId]);
    const statsBefore = await t.gql(STATS, { range: RANGE }, brand.tokens.ADMIN);
    const bystanderBefore = await t.sql('select customer_email, customer_name, search_text from orders where id = ?', [bystanderId]);
    const auditBefore = await t.sql('select count(*)::int as n from audit_log where brand_id = ?', [brand.id]);

    const res = await t.gql(ERASE, { email: EMAIL }, brand.tokens.ADMIN);
    expect(res.errors).toBeUndefined();
    const pseudonym = pseudonymFor(brand.id, EMAIL);
    expect(res.data.eraseCustomerData).toEqual({ pseudonym, orderCount: 3, timelineEntryCount: 2, deletedOrderCount: 1, itemCount: 1, stripeEventCount: 2 });
    expect(pseudonym).toMatch(/^erased-[0-9a-f]{20}@erased\.invalid$/);

    expect(await impersonalState([...orderIds, bystanderId])).toEqual(before);
    expect(await t.gql(STATS, { range: RANGE }, brand.tokens.ADMIN)).toEqual(statsBefore);
    expect(await t.sql('select customer_email, customer_name, search_text from orders where id = ?', [bystanderId])).toEqual(bystanderBefore);

    const orders = await t.sql('select customer_email, customer_name, customer_phone, shipping_address, search_text from orders where id = any(?::uuid[])', [`{${orderIds.join(',')}}`]);
    for (const o of orders) {
      expect(o).toMatchObject({ customer_email: pseudonym, customer_name: 'Erased customer', customer_phone: null });
      expect(o.search_text).toContain(pseudonym);
    }
    const withAddress = orders.find((o: any) => o.shipping_address);
    expect(withAddress.shipping_address).toEqual({ name: null, line1: '[erased]', line2: null, city: '[erased]', postalCode: '[erased]', region: null, country: 'FR' });
    const notes = await t.sql(`select note from order_status_changes where order_id = any(?::uuid[]) and note is not null`, [`{${[...orderIds, deletedId].join(',')}}`]);
    const archived = await t.sql('select snapshot from deleted_orders where order_id = ?', [deletedId]);
    const everything = JSON.stringify([orders, notes, archived]);
    for (const personal of [EMAIL, NAME, PHONE, ADDRESS.line1, ADDRESS.name, 'Camille']) expect(everything.toLowerCase()).not.toContain(personal.toLowerCase());
    const [item] = await t.sql(`select customization from order_items where order_id = ?`, [orderIds[0]]);
    expect(item.customization).toEqual({ engraving: 'For [erased]', giftMessage: `Happy birthday [erased]! Reply to ${pseudonym} or [erased]`, size: 'M' });

    // Stripe's stored payloads: the person's fields replaced, amounts and ids kept; the bystander's checkout untouched.
    const events = await t.sql(`select event_id, payload from stripe_events where brand_id = ? order by received_at, id`, [brand.id]);
    const checkout = events.find((e: any) => e.payload.data.object.customer_details?.email === pseudonym).payload.data.object;
    expect(checkout.customer_details).toMatchObject({ email: pseudonym, name: '[erased]', phone: '[erased]', address: { line1: '[erased]', city: '[erased]', country: 'FR' } });
    expect(checkout.amount_total).toBe(4200);
    expect(checkout.metadata.brand_id).toBe(brand.id);
    const bystanderEvent = events.find((e: any) => e.event_id === bystanderEventId).payload.data.object;
    expect(bystanderEvent.shipping).toMatchObject({ name: 'Someone Else', address: BYSTANDER_ADDRESS });
    expect(notes.map((n: { note: string }) => n.note)).toEqual(expect.arrayContaining([`Wrote to ${pseudonym} about the delay`, 'Gift wrap, call [erased] on [erased]']));
    // The bystander's note only mentions a first name that is not the customer's full name: untouched.
    expect((await t.sql('select note from order_status_changes where order_id = ? and kind = ?', [bystanderId, 'NOTE']))[0].note).toBe('Nothing about Camille here');

    const search = async (text: string) =>
      (await t.gql(`query($s: String!) { orders(first: 10, filter: { search: $s }) { nodes { id } } }`, { s: text }, brand.tokens.ADMIN)).data.orders.nodes;
    expect(await search('camille')).toEqual([]);
    expect((await search(pseudonym)).map((n: { id: string }) => n.id).sort()).toEqual([...orderIds].sort());
    expect((await t.gql(EXPORT, { email: EMAIL }, brand.tokens.ADMIN)).data.exportCustomerData).toMatchObject({ orders: [], deletedOrders: [] });

    const entries = await t.sql('select action, target_type, target_id, changes, actor_type from audit_log where brand_id = ? order by created_at, id', [brand.id]);
    expect(entries).toHaveLength(auditBefore[0].n + 1);
    expect(entries[entries.length - 1]).toMatchObject({
      action: 'customer.erase',
      target_type: 'CUSTOMER',
      target_id: pseudonym,
      actor_type: 'USER',
      changes: {
        before: { orders: null, timelineEntries: null, deletedOrders: null, items: null, stripeEvents: null },
        after: { orders: 3, timelineEntries: 2, deletedOrders: 1, items: 1, stripeEvents: 2 },
      },
    });
    expect(JSON.stringify(entries).toLowerCase()).not.toContain('camille');
  });

  it('leaves nothing personal of that customer in any text or JSON column of any table, outside the other brand', async () => {
    const columns = await t.sql(
      `select c.table_name, c.column_name,
              exists (select 1 from information_schema.columns b where b.table_schema = 'public' and b.table_name = c.table_name and b.column_name = 'brand_id') as branded
         from information_schema.columns c join information_schema.tables t using (table_schema, table_name)
        where c.table_schema = 'public' and t.table_type = 'BASE TABLE' and c.data_type in ('text', 'character varying', 'json', 'jsonb', 'ARRAY')`,
    );
    expect(columns.length).toBeGreaterThan(30);
    const found: string[] = [];
    for (const { table_name: table, column_name: column, branded } of columns) {
      for (const personal of [EMAIL, NAME, PHONE, ADDRESS.line1, ADDRESS.name]) {
        const [{ n }] = await t.sql(
          `select count(*)::int as n from "${table}" where position(lower(?) in lower("${column}"::text)) > 0 ${branded ? 'and brand_id is distinct from ?' : ''}`,
          branded ? [personal, other.id] : [personal],
        );
        if (n > 0) found.push(`${table}.${column}: ${personal} (${n})`);
      }
    }
    expect(found).toEqual([]);
  });

  it("leaves the same email in another brand alone, and a second erasure finds nothing", async () => {
    const [elsewhere] = await t.sql('select customer_email from orders where brand_id = ?', [other.id]);
    expect(elsewhere.customer_email).toBe(EMAIL);
    const again = await t.gql(ERASE, { email: EMAIL }, brand.tokens.ADMIN);
    expect(again.data.eraseCustomerData).toMatchObject({ pseudonym: pseudonymFor(brand.id, EMAIL), orderCount: 0, timelineEntryCount: 0 });
  });

  it('the timeline stays append-only outside an erasure, and an erasure may change notes only', async () => {
    const [entry] = await t.sql('select id from order_status_changes where order_id = ? limit 1', [bystanderId]);
    await expect(t.sql(`update order_status_changes set note = 'x' where id = ?`, [entry.id])).rejects.toThrow(/append-only/);
    const knex = t.orm.em.getConnection().getKnex();
    await expect(
      knex.transaction(async (trx) => {
        await trx.raw(`select set_config('luneo.customer_erasure', 'on', true)`);
        await trx.raw(`update order_status_changes set to_value = 'DELIVERED' where id = ?`, [entry.id]);
      }),
    ).rejects.toThrow(/append-only/);
  });
});
