import fc from 'fast-check';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
} from 'graphql';
import { getSchema } from '../../src/graphql/schema';
import { createTestBrand, createTestProduct, CREATE_ORDER, orderInput, PASSWORD, startTestApp, type TestApp, type TestBrand } from '../support/harness';

/**
 * Property: for every mutation, any input — valid-shaped with hostile edges, well-typed garbage, or not even
 * well-typed — gets an answer that is not a 500, carries no internals (stack traces, SQL, table or library names),
 * and when it is refused, has written nothing (every data table's rows, hashed, are the same before and after).
 *
 * Most generated inputs are valid-shaped (shapedArb): real ids of both brands for the kind of thing the mutation
 * takes, quantities around the stock, money and percentages around their limits, strings around their length limits
 * and in any script, dates around now and the ends of time. So they pass GraphQL's and zod's checks and reach the
 * rules behind them (stock, transitions, tenancy, payment truth…). The share each mutation accepts is printed and
 * held above a floor, so the fuzzing cannot silently fall back to exercising only the validators.
 */
let t: TestApp;
let brand: TestBrand;
let other: TestBrand;
const ids: string[] = [];
type Kind = 'orders' | 'products' | 'discounts' | 'apiKeys';
const kinds = () => ({ orders: [] as string[], products: [] as string[], discounts: [] as string[], apiKeys: [] as string[] });
/** Real ids by kind: the fuzzing brand's own, and the other brand's (which must answer NOT_FOUND). */
const mine = kinds();
const theirs = kinds();
/** Emails of real sign-ins. */
const emails: string[] = [];
const STOCK = 50;

/** Tables whose rows only requests' bookkeeping changes (buckets, sign-in counters), so they are not compared. */
const DATA_TABLES = [
  'brands', 'users', 'sessions', 'products', 'stock_movements', 'discount_codes', 'orders', 'order_items',
  'order_status_changes', 'idempotency_keys', 'deleted_orders', 'api_keys', 'audit_log', 'brand_subscriptions',
  'stripe_events', 'stripe_pending_payments',
];

async function checksum(): Promise<Record<string, string>> {
  const rows = await t.sql(
    DATA_TABLES.map((table) => `select '${table}' as t, count(*)::text || ':' || coalesce(md5(string_agg(x::text, '|' order by x::text)), '') as sum from ${table} x`).join(' union all '),
  );
  return Object.fromEntries(rows.map((r: { t: string; sum: string }) => [r.t, r.sum]));
}

const LEAKS = /\n\s+at |node_modules|\.ts:\d+|\bselect\b[^"]*\bfrom\b|insert into|violates|constraint|relation "|syntax error at|order_status_changes|audit_log|stock_movements|order_items|idempotency_keys|deleted_orders|discount_codes|mikro-?orm|knex|postgres|TypeError|ReferenceError|Cannot read prop/i;

const HOSTILE_STRINGS = [
  '', ' ', "'; drop table orders; --", '%', '_', '\\', '\u0000', '\uFFFF', '😀', 'a'.repeat(5000), '=cmd|calc', '<script>x</script>',
  '00000000-0000-0000-0000-000000000000', '../../etc/passwd', 'NaN', '-1', '1e309', 'null', 'true', '{"$gt":""}',
  'client@example.com', 'PAID', 'orders:read', 'https://example.com/t/1', 'javascript:alert(1)', '2026-13-45T99:99:99Z',
];

function stringArb(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(...HOSTILE_STRINGS),
    fc.constantFrom(...ids),
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 20 }),
  );
}

const INT_EDGES = [0, -1, 1, 2 ** 31 - 1, -(2 ** 31), 100, 101, 10_000, 10_001];
const SAFE_EDGES = [...INT_EDGES, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER];

function scalarArb(name: string): fc.Arbitrary<unknown> {
  switch (name) {
    case 'Int':
      return fc.oneof(fc.constantFrom(...INT_EDGES), fc.integer());
    case 'SafeInt':
      return fc.oneof(fc.constantFrom(...SAFE_EDGES), fc.maxSafeInteger());
    case 'Float':
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    case 'Boolean':
      return fc.boolean();
    case 'ID':
      return fc.oneof(fc.constantFrom(...ids), stringArb());
    case 'DateTime':
      return fc.oneof(
        fc.date({ min: new Date('0001-01-01'), max: new Date('9999-12-31'), noInvalidDate: true }).map((d) => d.toISOString()),
        stringArb(),
      );
    case 'JSON':
      return fc.jsonValue({ maxDepth: 3 });
    default:
      return stringArb();
  }
}

/** A value of the GraphQL input type (so the document validates and the resolvers run), with hostile contents. */
function valueArb(type: GraphQLInputType, depth = 0): fc.Arbitrary<unknown> {
  if (isNonNullType(type)) return presentArb(type.ofType as GraphQLInputType, depth);
  return fc.oneof({ weight: 1, arbitrary: fc.constant(null) }, { weight: 3, arbitrary: presentArb(type, depth) });
}

function presentArb(type: GraphQLInputType, depth: number): fc.Arbitrary<unknown> {
  if (isListType(type)) return fc.array(valueArb(type.ofType as GraphQLInputType, depth + 1), { maxLength: depth > 1 ? 1 : 3 });
  if (isEnumType(type)) return fc.constantFrom(...type.getValues().map((v) => v.value));
  if (isScalarType(type)) return scalarArb(type.name);
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields());
    return fc.record(Object.fromEntries(fields.map((f) => [f.name, valueArb(f.type, depth + 1)])), {
      requiredKeys: fields.filter((f) => isNonNullType(f.type)).map((f) => f.name),
    });
  }
  return fc.constant(null);
}

/** Text a person could type (any script, emoji), never blank. */
const typed = (max: number) =>
  fc
    .oneof(fc.string({ unit: 'grapheme', minLength: 1, maxLength: max }), fc.string({ minLength: 1, maxLength: max }))
    .filter((v) => v.trim().length > 0 && !v.includes('\u0000'));

/** A string whose length sits on either side of the usual limits (20, 40, 64, 100, 200, 2000 characters). */
const nearLimit = fc
  .constantFrom(19, 20, 21, 39, 40, 41, 63, 64, 65, 99, 100, 101, 199, 200, 201, 1999, 2000, 2001)
  .chain((length) => fc.constantFrom('x', 'é', '😀', ' ').map((unit) => unit.repeat(length)));

const day = 86_400_000;
const SCOPES = ['orders:read', 'orders:write', 'products:read', 'products:write', 'stats:read'];

/** Each name's values in two flavours: what a careful client sends, and its hostile edges (limits, ranges, formats). */
interface Flavours {
  valid: fc.Arbitrary<unknown>;
  edge: fc.Arbitrary<unknown>;
}

function flavoursOf(mutation: string, name: string): Flavours | null {
  const both = (valid: fc.Arbitrary<unknown>, edge: fc.Arbitrary<unknown>): Flavours => ({ valid, edge });
  const text = (max: number) => both(typed(Math.min(max, 40)), fc.oneof(nearLimit, typed(max)));
  switch (name) {
    case 'id':
    case 'productId': {
      const kind: Kind | null = name === 'productId' ? 'products' : /Order/.test(mutation) ? 'orders' : /Product|Stock/.test(mutation) ? 'products' : /Discount/.test(mutation) ? 'discounts' : /ApiKey/.test(mutation) ? 'apiKeys' : null;
      if (!kind) return null;
      // Read when the run starts, so ids the fuzzing created are targets too.
      return both(
        fc.constant(null).chain(() => fc.constantFrom(...mine[kind])),
        fc.oneof(fc.constant(null).chain(() => fc.constantFrom(...theirs[kind], ...ids)), fc.uuid()),
      );
    }
    case 'quantity':
      return both(fc.integer({ min: 1, max: 3 }), fc.constantFrom(STOCK - 1, STOCK, STOCK + 1, 10_000, 10_001, 0));
    case 'delta':
      return both(fc.integer({ min: -2, max: 10 }), fc.constantFrom(-STOCK - 1, -STOCK, 0, 1_000_000, 2 ** 31 - 1));
    case 'stock':
      return both(fc.integer({ min: 0, max: 100 }), fc.constantFrom(1_000_000, 2 ** 31 - 1, -1));
    case 'email':
    case 'customerEmail': {
      const valid = mutation === 'login' ? fc.constantFrom(...emails) : fc.stringMatching(/^[a-z][a-z0-9.]{0,20}@[a-z]{1,10}\.(com|fr|test)$/);
      return both(valid, fc.constantFrom(' Client@Example.COM ', 'ünïcode@exämple.com', `${'a'.repeat(64)}@example.com`, `a@${'b'.repeat(320)}.com`, 'a@b', '@x.com'));
    }
    case 'password':
      return both(fc.constant(PASSWORD), fc.constantFrom('wrong password', '', 'x'.repeat(1025)));
    case 'price':
    case 'amountOff':
    case 'minimumSubtotal':
    case 'freeShippingThreshold':
    case 'shippingFlatRate':
      return both(fc.integer({ min: 1, max: 100_000 }), fc.constantFrom(0, 2 ** 31, 2 ** 53 - 1, -1));
    case 'percentOff':
      return both(fc.integer({ min: 1, max: 100 }), fc.constantFrom(0, 101, -5));
    case 'taxRateBps':
      return both(fc.integer({ min: 0, max: 3_000 }), fc.constantFrom(10_000, 10_001, -1));
    case 'usageLimit':
      return both(fc.integer({ min: 1, max: 100 }), fc.constantFrom(0, -1, 2 ** 31 - 1));
    case 'validFrom':
    case 'validUntil':
      return both(
        fc.integer({ min: -30, max: 30 }).map((days) => new Date(Date.now() + days * day).toISOString()),
        fc.constantFrom('1970-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z', '2026-02-29T00:00:00Z', '2026-03-29T01:30:00+01:00'),
      );
    case 'country':
      return both(fc.constantFrom('FR', 'GB', 'US', 'de'), fc.constantFrom('XX', 'F', 'FRA', '12'));
    case 'phone':
      return both(fc.constantFrom('+33 6 12 34 56 78', '0612345678', '+1 (555) 010-9999'), fc.constantFrom('٠١٢٣٤٥٦٧٨٩', 'x'.repeat(41)));
    case 'trackingUrl':
    case 'successUrl':
    case 'cancelUrl':
      return both(
        fc.constantFrom('https://example.com/t/1', 'https://tracking.example.org/parcel?id=42'),
        fc.constantFrom('http://localhost/x', 'javascript:alert(1)', 'not a url', `https://example.com/${'a'.repeat(2100)}`),
      );
    case 'scopes':
      return both(fc.subarray(SCOPES, { minLength: 1 }), fc.constantFrom(['orders:read', 'admin'], [], ['ORDERS:READ']));
    case 'code':
      return both(fc.stringMatching(/^[A-Z0-9]{3,20}$/), fc.oneof(fc.constantFrom('fuzz10', 'FUZZ10', 'with space', ''), nearLimit));
    case 'discountCode':
      return both(fc.constantFrom(null, null, 'FUZZ10'), fc.constantFrom('NOPE', 'fuzz10', 'x'.repeat(65)));
    case 'sku':
      return both(fc.stringMatching(/^[A-Z0-9-]{3,30}$/), fc.oneof(nearLimit, typed(70)));
    case 'customization':
      return both(
        fc.oneof(fc.constant(null), fc.record({ engraving: typed(40) })),
        fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constant({ note: 'x'.repeat(10_001) })),
      );
    case 'idempotencyKey':
      return both(fc.oneof(fc.constant(null), fc.uuid()), fc.constantFrom('k1', 'x'.repeat(300), ''));
    case 'orderNumberPrefix':
      return both(fc.constantFrom('FZ', 'ORD'), fc.oneof(nearLimit, typed(20)));
    case 'note':
    case 'reason':
      return text(2_001);
    case 'name':
    case 'line1':
    case 'line2':
    case 'city':
    case 'postalCode':
    case 'region':
    case 'trackingNumber':
    case 'trackingCarrier':
    case 'paymentReference':
    case 'orderRef':
    case 'customerRef':
      return text(name === 'postalCode' ? 21 : 201);
    default:
      return null;
  }
}

/**
 * A value of the input type that fits GraphQL: with `edges` false, what a careful client sends (so the rules behind
 * validation run); with `edges` true, each field is now and then one of its hostile edges.
 */
function shapedArb(mutation: string, name: string, type: GraphQLInputType, edges: boolean, depth = 0): fc.Arbitrary<unknown> {
  const nonNull = isNonNullType(type);
  const inner = (nonNull ? type.ofType : type) as GraphQLInputType;
  let present: fc.Arbitrary<unknown>;
  if (isListType(inner) && name !== 'scopes') {
    const item = shapedArb(mutation, name, inner.ofType as GraphQLInputType, edges, depth + 1);
    present = fc.array(item, { minLength: 1, maxLength: depth > 1 ? 1 : 3 });
  } else if (isInputObjectType(inner)) {
    const fields = Object.values(inner.getFields());
    present = fc.record(Object.fromEntries(fields.map((f) => [f.name, shapedArb(mutation, f.name, f.type, edges, depth + 1)])), {
      requiredKeys: fields.filter((f) => isNonNullType(f.type)).map((f) => f.name),
    });
  } else {
    const flavours = flavoursOf(mutation, name);
    present = !flavours ? presentArb(inner, depth) : edges ? fc.oneof({ weight: 3, arbitrary: flavours.valid }, { weight: 1, arbitrary: flavours.edge }) : flavours.valid;
  }
  return nonNull ? present : fc.oneof({ weight: 1, arbitrary: fc.constant(null) }, { weight: 2, arbitrary: present });
}

/** Anything at all in a variable's place: GraphQL must refuse it cleanly when it does not fit. */
const junkArb = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined));

/** Mostly valid-shaped inputs, some with hostile edges, then well-typed hostile values, then junk. */
function argsArb(mutation: string, args: readonly GraphQLArgument[]): fc.Arbitrary<Record<string, unknown>> {
  const shaped = (edges: boolean) => fc.record(Object.fromEntries(args.map((a) => [a.name, shapedArb(mutation, a.name, a.type, edges)])));
  const hostile = fc.record(Object.fromEntries(args.map((a) => [a.name, valueArb(a.type)])));
  const junk = fc.record(Object.fromEntries(args.map((a) => [a.name, junkArb])));
  return fc.oneof(
    { weight: 5, arbitrary: shaped(false) },
    { weight: 3, arbitrary: shaped(true) },
    { weight: 1, arbitrary: hostile },
    { weight: 1, arbitrary: junk },
  );
}

function documentFor(field: GraphQLField<unknown, unknown>): string {
  const variables = field.args.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ');
  const args = field.args.map((a) => `${a.name}: $${a.name}`).join(', ');
  const type = getNamedType(field.type);
  const selection = isLeafType(type) ? '' : 'id' in (type as { getFields(): object }).getFields() ? ' { __typename id }' : ' { __typename }';
  return `mutation${variables ? `(${variables})` : ''} { ${field.name}${args ? `(${args})` : ''}${selection} }`;
}

/** The response text with the input's own strings taken out, so an error that quotes the input is not a leak. */
function withoutEcho(text: string, variables: unknown): string {
  const strings: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string' && v.length > 0) strings.push(v, v.trim(), v.toUpperCase(), v.toLowerCase(), v.trim().toUpperCase(), v.trim().toLowerCase());
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(variables);
  let result = text;
  for (const s of strings.filter(Boolean).sort((a, b) => b.length - a.length)) {
    const escaped = JSON.stringify(s).slice(1, -1);
    result = result.split(escaped).join('').split(s).join('');
  }
  return result;
}

beforeAll(async () => {
  t = await startTestApp();
  brand = await createTestBrand(t);
  other = await createTestBrand(t);
  for (const b of [brand, other]) {
    ids.push(b.id, b.userIds.ADMIN);
    const own = b === brand ? mine : theirs;
    emails.push(`admin@${b.slug}.test`, `viewer@${b.slug}.test`);
    for (let p = 0; p < 3; p++) own.products.push((await createTestProduct(b, { stock: STOCK, price: 1_000 * (p + 1) })).id);
    // Orders in several states, so transitions, payments and deletions meet their rules.
    for (let o = 0; o < 4; o++) {
      const order = await t.gql(CREATE_ORDER, { input: orderInput([{ productId: own.products[0], quantity: 1 }]) }, b.tokens.STAFF);
      const id = order.data.createOrder.id as string;
      own.orders.push(id);
      if (o >= 1) await t.gql(`mutation($id: ID!) { markOrderPaid(id: $id) { id } }`, { id }, b.tokens.ADMIN);
      if (o >= 2) await t.gql(`mutation($id: ID!) { updateOrderStatus(id: $id, status: PROCESSING) { id } }`, { id }, b.tokens.ADMIN);
    }
    const code = await t.gql(`mutation { createDiscountCode(input: { code: "FUZZ10", percentOff: 10 }) { id } }`, {}, b.tokens.ADMIN);
    own.discounts.push(code.data.createDiscountCode.id);
    const key = await t.gql(`mutation { createApiKey(input: { name: "fuzz", scopes: ["orders:read"] }) { apiKey { id } } }`, {}, b.tokens.ADMIN);
    own.apiKeys.push(key.data.createApiKey.apiKey.id);
    ids.push(...Object.values(own).flat());
  }
});
afterAll(() => t.close());

/**
 * One POST as the brand's ADMIN. A connection reset before any answer (on this loaded machine, a kept-alive socket the
 * server had just closed) is retried once on a new connection; the property judges the answer, whichever it is.
 */
async function post(body: string): Promise<Response> {
  const send = () =>
    fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${brand.tokens.ADMIN}` }, body });
  try {
    return await send();
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code;
    if (code !== 'ECONNRESET' && code !== 'UND_ERR_SOCKET') throw error;
    return send();
  }
}

/** Runs per mutation: enough for every mutation to meet its main rules, within the test's time budget. */
const RUNS = 30;
/** Mutations that cannot accept anything here: checkout needs a Stripe account, which tests never reach. */
const NEVER_ACCEPTS = new Set(['createCheckoutSession']);
/** The floor of the share of generated inputs the mutations accept together (40 % when this was set). */
const MIN_ACCEPTED_SHARE = 0.3;

describe('every mutation, fuzzed over HTTP', () => {
  // logout takes no input and always succeeds: it would only end the session the fuzzing runs on.
  const SKIPPED = new Set(['logout']);

  it('never answers 500 or leaks internals, and writes nothing when it refuses', async () => {
    const schema = await getSchema();
    const mutations = Object.values(schema.getMutationType()!.getFields()).filter((f) => !SKIPPED.has(f.name));
    expect(mutations.length).toBeGreaterThan(15);
    const seen: Record<string, { accepted: number; refused: number; codes: Record<string, number> }> = {};
    // The data as it stands: a refused input must leave it so; an accepted one moves it on.
    let baseline = await checksum();
    for (const field of mutations) {
      const query = documentFor(field);
      const tally = (seen[field.name] = { accepted: 0, refused: 0, codes: {} as Record<string, number> });
      await fc.assert(
        fc.asyncProperty(argsArb(field.name, field.args), async (variables) => {
          const before = baseline;
          const res = await post(JSON.stringify({ query, variables }));
          const text = await res.text();
          expect(res.status).toBeLessThan(500);
          const body = JSON.parse(text);
          const errorCodes: string[] = (body.errors ?? []).map((e: { extensions?: { code?: string } }) => e.extensions?.code);
          expect(errorCodes).not.toContain('INTERNAL_SERVER_ERROR');
          expect(withoutEcho(JSON.stringify(body.errors ?? []), variables)).not.toMatch(LEAKS);
          const answer = body.data?.[field.name];
          const refused = answer == null;
          if (refused) {
            tally.refused++;
            for (const code of errorCodes) tally.codes[code] = (tally.codes[code] ?? 0) + 1;
            expect(await checksum()).toEqual(before);
          } else {
            tally.accepted++;
            baseline = await checksum();
            // What the fuzzing created becomes a target of the next mutations (a new order to ship, cancel, delete…).
            if (field.name === 'createOrder') mine.orders.push(answer.id);
            if (field.name === 'createProduct') mine.products.push(answer.id);
            if (field.name === 'createDiscountCode') mine.discounts.push(answer.id);
          }
        }),
        { numRuns: RUNS, seed: 8, endOnFailure: true },
      );
    }
    const lines = Object.entries(seen).map(
      ([name, s]) => `${name.padEnd(22)} ${String(s.accepted).padStart(3)} accepted ${String(s.refused).padStart(3)} refused  ${JSON.stringify(s.codes)}`,
    );
    const accepted = Object.values(seen).reduce((n, s) => n + s.accepted, 0);
    const total = Object.values(seen).reduce((n, s) => n + s.accepted + s.refused, 0);
    console.log(`mutation fuzz: ${accepted} of ${total} inputs accepted (${Math.round((100 * accepted) / total)} %)\n${lines.join('\n')}`);
    // The fuzzing reaches the rules, not only GraphQL's and zod's checks: every mutation that can accept input did.
    const neverAccepted = Object.entries(seen).filter(([name, s]) => s.accepted === 0 && !NEVER_ACCEPTS.has(name)).map(([name]) => name);
    expect(neverAccepted).toEqual([]);
    expect(accepted / total).toBeGreaterThanOrEqual(MIN_ACCEPTED_SHARE);
  }, 600_000);
});
