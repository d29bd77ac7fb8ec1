import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestBrand, createTestProduct, startTestApp, type TestApp, type TestBrand } from '../support/harness';
import { checkoutSession, deliver, STRIPE_ENV, stripeEvent } from '../support/stripe';

/**
 * createCheckoutSession goes through the real Stripe SDK to a local stand-in for the two endpoints it uses
 * (POST /v1/tax_rates, POST /v1/checkout/sessions); the session the stand-in received is then completed through the
 * signed webhook route, closing the loop: what our storefront builds is what the route consumes.
 */
interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  form: URLSearchParams;
}

let t: TestApp;
let brand: TestBrand;
let standIn: http.Server;
const received: Received[] = [];

beforeAll(async () => {
  standIn = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const form = new URLSearchParams(body);
      received.push({ path: req.url ?? '', headers: req.headers, form });
      res.setHeader('content-type', 'application/json');
      res.setHeader('request-id', `req_${received.length}`);
      if (req.method === 'POST' && req.url === '/v1/tax_rates') {
        res.end(JSON.stringify({ id: 'txr_test_1', object: 'tax_rate', percentage: Number(form.get('percentage')), inclusive: form.get('inclusive') === 'true' }));
      } else if (req.method === 'POST' && req.url === '/v1/checkout/sessions') {
        res.end(
          JSON.stringify({
            id: `cs_test_${received.length}`,
            object: 'checkout.session',
            url: `https://checkout.stripe.com/c/pay/cs_test_${received.length}`,
            expires_at: Math.floor(Date.now() / 1000) + 86_400,
            mode: form.get('mode'),
            metadata: {},
          }),
        );
      } else {
        res.statusCode = 404;
        res.end(JSON.stringify({ error: { type: 'invalid_request_error', message: `Unrecognized request URL (${req.method}: ${req.url})` } }));
      }
    });
  });
  await new Promise<void>((resolve) => standIn.listen(0, '127.0.0.1', resolve));
  const { port } = standIn.address() as AddressInfo;
  t = await startTestApp({
    ...STRIPE_ENV,
    STRIPE_SECRET_KEY: 'sk_test_standin',
    STRIPE_API_HOST: '127.0.0.1',
    STRIPE_API_PORT: String(port),
    STRIPE_API_PROTOCOL: 'http',
  });
  brand = await createTestBrand(t, { prefix: 'CK', taxRateBps: 2000, shippingFlatRate: 700, freeShippingThreshold: 100_000 });
});
afterAll(async () => {
  await t.close();
  await new Promise((resolve) => standIn.close(resolve));
});

const CREATE = `mutation($input: CreateCheckoutSessionInput!) {
  createCheckoutSession(input: $input) { id url orderRef expiresAt } }`;

describe('createCheckoutSession', () => {
  it('builds the metadata contract, prices lines from the catalog and completes into one order', async () => {
    const bag = await createTestProduct(brand, { name: 'Bag', price: 12_000, stock: 5 });
    const wallet = await createTestProduct(brand, { name: 'Wallet', price: 3_500, stock: 5 });
    received.length = 0;
    const res = await t.gql(
      CREATE,
      {
        input: {
          items: [
            { productId: bag.id, quantity: 2 },
            { productId: wallet.id, quantity: 1 },
          ],
          successUrl: 'https://shop.example/thanks',
          cancelUrl: 'https://shop.example/cart',
          customerEmail: 'Camille@Example.com',
          customerRef: 'user-42',
          shippingCountries: ['fr', 'BE'],
        },
      },
      brand.tokens.STAFF,
    );
    expect(res.errors).toBeUndefined();
    const created = res.data.createCheckoutSession;
    expect(created.url).toMatch(/^https:\/\/checkout\.stripe\.com\//);
    expect(created.orderRef).toMatch(/^co_[0-9a-f]{24}$/);

    expect(received.map((r) => r.path)).toEqual(['/v1/tax_rates', '/v1/checkout/sessions']);
    const taxRate = received[0].form;
    expect([taxRate.get('percentage'), taxRate.get('inclusive')]).toEqual(['20', 'false']);
    const { form, headers } = received[1];
    expect(headers.authorization).toBe('Bearer sk_test_standin');
    expect(headers['stripe-version']).toBe('2026-10-28.endive');
    expect(headers['idempotency-key']).toBe(`checkout:${brand.id}:${created.orderRef}`);
    const contract = { app: 'orders', schema_version: '1', brand_id: brand.id, order_ref: created.orderRef };
    for (const [key, value] of Object.entries(contract)) {
      expect(form.get(`metadata[${key}]`)).toBe(value);
      expect(form.get(`payment_intent_data[metadata][${key}]`)).toBe(value);
    }
    expect(form.get('metadata[items]')).toBe(`${bag.id}:2,${wallet.id}:1`);
    expect(form.get('metadata[customer_ref]')).toBe('user-42');
    expect(form.get('payment_intent_data[metadata][items]')).toBeNull();
    expect(form.get('payment_intent_data[metadata][customer_ref]')).toBeNull();
    expect(form.get('client_reference_id')).toBe(created.orderRef);
    expect(form.get('mode')).toBe('payment');
    expect(form.get('customer_email')).toBe('camille@example.com');
    expect(form.get('line_items[0][price_data][unit_amount]')).toBe('12000');
    expect(form.get('line_items[0][price_data][currency]')).toBe('eur');
    expect(form.get('line_items[0][quantity]')).toBe('2');
    expect(form.get('line_items[0][price_data][product_data][name]')).toBe('Bag');
    expect(form.get('line_items[0][tax_rates][0]')).toBe('txr_test_1');
    expect(form.get('line_items[1][price_data][unit_amount]')).toBe('3500');
    expect(form.get('shipping_options[0][shipping_rate_data][fixed_amount][amount]')).toBe('700');
    expect([form.get('shipping_address_collection[allowed_countries][0]'), form.get('shipping_address_collection[allowed_countries][1]')]).toEqual(['FR', 'BE']);
    expect(form.get('success_url')).toBe('https://shop.example/thanks');

    // Stripe completes the session: the metadata our mutation sent is what the webhook reads.
    const metadata = Object.fromEntries([...form.entries()].filter(([k]) => /^metadata\[/.test(k)).map(([k, v]) => [k.slice(9, -1), v]));
    const session = checkoutSession({
      brandId: brand.id,
      orderRef: created.orderRef,
      items: [
        { productId: bag.id, quantity: 2, unitPrice: 12_000 },
        { productId: wallet.id, quantity: 1, unitPrice: 3_500 },
      ],
      shipping: 700,
      tax: 5_500,
      metadata,
    });
    session.id = created.id;
    const done = await deliver(t.url, stripeEvent('checkout.session.completed', session));
    expect(done.body).toMatchObject({ outcome: 'PROCESSED' });
    const order = await t.gql(
      `{ orders(first: 1) { nodes { checkoutRef stripeCheckoutSessionId paymentStatus total { amount } items { sku quantity tax { amount } } } } }`,
      {},
      brand.tokens.VIEWER,
    );
    expect(order.data.orders.nodes[0]).toMatchObject({
      checkoutRef: created.orderRef,
      stripeCheckoutSessionId: created.id,
      paymentStatus: 'PAID',
      total: { amount: 27_500 + 700 + 5_500 },
    });
    // Tax is allocated to lines by their share (24,000 : 3,500), and lines keep the catalog snapshot.
    expect(order.data.orders.nodes[0].items.map((i: any) => [i.sku, i.quantity, i.tax.amount])).toEqual([
      [bag.sku, 2, 4_800],
      [wallet.sku, 1, 700],
    ]);
  });

  it('checks stock and input before calling Stripe, and needs STAFF', async () => {
    const scarce = await createTestProduct(brand, { stock: 1 });
    received.length = 0;
    const input = { items: [{ productId: scarce.id, quantity: 2 }], successUrl: 'https://shop.example/ok', cancelUrl: 'https://shop.example/no' };
    const short = await t.gql(CREATE, { input }, brand.tokens.STAFF);
    expect(short.errors?.[0].extensions).toMatchObject({ code: 'INSUFFICIENT_STOCK', requested: 2, available: 1 });
    const badUrl = await t.gql(CREATE, { input: { ...input, items: [{ productId: scarce.id, quantity: 1 }], successUrl: 'not a url' } }, brand.tokens.STAFF);
    expect(badUrl.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.successUrl' });
    const viewer = await t.gql(CREATE, { input }, brand.tokens.VIEWER);
    expect(viewer.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(received).toHaveLength(0);
  });

  it('refuses an order reference that already has an order', async () => {
    const product = await createTestProduct(brand, { price: 1_000, stock: 10 });
    const session = checkoutSession({ brandId: brand.id, orderRef: 'taken-ref', items: [{ productId: product.id, quantity: 1, unitPrice: 1_000 }] });
    await deliver(t.url, stripeEvent('checkout.session.completed', session));
    const res = await t.gql(
      CREATE,
      { input: { items: [{ productId: product.id, quantity: 1 }], successUrl: 'https://a.example/', cancelUrl: 'https://a.example/', orderRef: 'taken-ref' } },
      brand.tokens.STAFF,
    );
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.orderRef' });
  });
});
