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
import { createTestBrand, createTestProduct, CREATE_ORDER, orderInput, startTestApp, type TestApp, type TestBrand } from '../support/harness';

/**
 * Property: for every mutation, any input — well-typed with hostile values, or not even well-typed — gets an answer
 * that is not a 500, carries no internals (stack traces, SQL, table or library names), and when it is refused, has
 * written nothing (every data table's rows, hashed, are the same before and after).
 */
let t: TestApp;
let brand: TestBrand;
let other: TestBrand;
const ids: string[] = [];

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

/** Anything at all in a variable's place: GraphQL must refuse it cleanly when it does not fit. */
const junkArb = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined));

function argsArb(args: readonly GraphQLArgument[]): fc.Arbitrary<Record<string, unknown>> {
  const typed = fc.record(Object.fromEntries(args.map((a) => [a.name, valueArb(a.type)])));
  const junk = fc.record(Object.fromEntries(args.map((a) => [a.name, junkArb])));
  return fc.oneof({ weight: 4, arbitrary: typed }, { weight: 1, arbitrary: junk });
}

function documentFor(field: GraphQLField<unknown, unknown>): string {
  const variables = field.args.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ');
  const args = field.args.map((a) => `${a.name}: $${a.name}`).join(', ');
  const selection = isLeafType(getNamedType(field.type)) ? '' : ' { __typename }';
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
    const product = await createTestProduct(b, { stock: 1_000 });
    const order = await t.gql(CREATE_ORDER, { input: orderInput([{ productId: product.id, quantity: 1 }]) }, b.tokens.STAFF);
    ids.push(product.id, order.data.createOrder.id, b.id, b.userIds.ADMIN);
  }
  const code = await t.gql(`mutation { createDiscountCode(input: { code: "FUZZ10", percentOff: 10 }) { id } }`, {}, brand.tokens.ADMIN);
  ids.push(code.data.createDiscountCode.id);
});
afterAll(() => t.close());

describe('every mutation, fuzzed over HTTP', () => {
  // logout takes no input and always succeeds: it would only end the session the fuzzing runs on.
  const SKIPPED = new Set(['logout']);

  it('never answers 500 or leaks internals, and writes nothing when it refuses', async () => {
    const schema = await getSchema();
    const mutations = Object.values(schema.getMutationType()!.getFields()).filter((f) => !SKIPPED.has(f.name));
    expect(mutations.length).toBeGreaterThan(15);
    const seen: Record<string, { accepted: number; refused: number }> = {};
    for (const field of mutations) {
      const query = documentFor(field);
      seen[field.name] = { accepted: 0, refused: 0 };
      await fc.assert(
        fc.asyncProperty(argsArb(field.args), async (variables) => {
          const before = await checksum();
          const res = await fetch(`${t.url}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${brand.tokens.ADMIN}` },
            body: JSON.stringify({ query, variables }),
          });
          const text = await res.text();
          expect(res.status).toBeLessThan(500);
          const body = JSON.parse(text);
          const errorCodes = (body.errors ?? []).map((e: { extensions?: { code?: string } }) => e.extensions?.code);
          expect(errorCodes).not.toContain('INTERNAL_SERVER_ERROR');
          expect(withoutEcho(JSON.stringify(body.errors ?? []), variables)).not.toMatch(LEAKS);
          const refused = body.data?.[field.name] == null;
          seen[field.name][refused ? 'refused' : 'accepted']++;
          if (refused) expect(await checksum()).toEqual(before);
        }),
        { numRuns: 25, seed: 8, endOnFailure: true },
      );
    }
    // The fuzzing reached the rules, not only GraphQL's type checks: most mutations accepted some input.
    const accepting = Object.values(seen).filter((s) => s.accepted > 0).length;
    console.log('mutation fuzz (accepted/refused):', JSON.stringify(seen));
    expect(accepting).toBeGreaterThan(5);
  }, 600_000);
});
