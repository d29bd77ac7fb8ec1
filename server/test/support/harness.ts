import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import { createApp, type App } from '../../src/app';
import { principalForUser } from '../../src/auth/auth.service';
import { createBrand } from '../../src/brands/brand.service';
import { ormConfig } from '../../src/db/orm-config';
import { loadEnv } from '../../src/env';
import { createLogger } from '../../src/logger';
import { createProduct } from '../../src/products/product.service';
import { RequestContext } from '../../src/shared/request-context';
import { createUser } from '../../src/users/user.service';
import type { Role } from '../../src/users/user.entity';
import { recordAtTheDriver, type SentStatement } from './driver-recorder';
import { scratchDatabase } from './scratch-database';

export type { SentStatement };

export const TEST_STATEMENT_TIMEOUT_MS = 60_000;
export const PASSWORD = 'correct horse battery';

export interface GraphQLResponse<T = any> {
  status: number;
  data?: T;
  errors?: { message: string; extensions?: Record<string, any>; path?: (string | number)[] }[];
}

export interface TestApp {
  url: string;
  /** This test file's own database, for tools that connect themselves (the CLI). */
  databaseUrl: string;
  orm: MikroORM;
  app: App;
  /** POSTs a GraphQL operation over real HTTP. */
  gql<T = any>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<GraphQLResponse<T>>;
  /** POSTs an operation with a bearer token (to this app, or to another instance at `url`); the whole body and Retry-After. */
  post(query: string, token: string, url?: string): Promise<{ status: number; retryAfter: string | null; body: any }>;
  /**
   * The SQL statements that `work` causes, as the pg driver received them: their text and bound values (statements run
   * through MikroORM's `execute` carry their values inlined in the text and none bound).
   */
  countQueries<T>(work: () => Promise<T>): Promise<{ result: T; statements: SentStatement[] }>;
  /** Direct SQL for assertions that must not trust the API. */
  sql<T = any>(query: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/** A fresh database cloned from the migrated template, and the real app on it, listening on a free port. */
export async function startTestApp(envOverrides: Record<string, string> = {}): Promise<TestApp> {
  const db = await scratchDatabase();
  // Production cancels statements after 10 s; a test machine shared by many runs can queue dozens of deliberately
  // concurrent writes on one row for longer than that, so tests allow a minute (the limit itself is tested at 10 s).
  const orm = await MikroORM.init(ormConfig(db.url, { pool: { min: 0, max: 20 } }, { statementTimeoutMs: TEST_STATEMENT_TIMEOUT_MS }));
  // Throttling and sign-in limits have their own test files (which pass their own numbers); elsewhere a test's burst
  // of requests from one session and one address must not wait for a bucket to refill.
  const relaxedLimits = { THROTTLE_RESTORE_RATE: '1000000', SIGN_IN_LIMIT_PER_ADDRESS: '1000000', SIGN_IN_LIMIT_PER_ACCOUNT: '1000' };
  const env = loadEnv({ NODE_ENV: 'test', PORT: '0', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', ...relaxedLimits, ...envOverrides });
  const app = await createApp({ orm, env, log: createLogger(env.LOG_LEVEL), port: 0 });

  let recording: SentStatement[] | null = null;
  recordAtTheDriver(orm, (statement) => recording?.push(statement));

  return {
    url: app.url,
    databaseUrl: db.url,
    orm,
    app,
    async gql(query, variables = {}, token = null) {
      const res = await fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as any;
      return { status: res.status, data: body.data, errors: body.errors };
    },
    async post(query, token, url = app.url) {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query }),
      });
      return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as any };
    },
    async countQueries(work) {
      recording = [];
      try {
        const result = await work();
        return { result, statements: recording };
      } finally {
        recording = null;
      }
    },
    sql: (query, params = []) => orm.em.getConnection().execute(query, params as any[]),
    async close() {
      await app.stop();
      await orm.close(true);
      await db.drop();
    },
  };
}

/**
 * True when a statement sent on the driver is scoped to `brandId` as `scopedSql` scopes it: its first value compares
 * `brand_id` to the brand, or passes the brand as a function's `brand_id` argument — a bound `$1` whose value is the
 * brand, or the brand inlined (MikroORM's `execute` formats values into the text).
 */
export function scopedToBrand(statement: SentStatement, brandId: string): boolean {
  const scope = /\bbrand_id\s*=>?\s*$/;
  const riding = ridingRead(statement);
  if (riding && riding.guard !== brandId) return false;
  const { sql, params } = riding ?? statement;
  const bound = sql.search(/\$\d/);
  if (bound > 0) return params[0] === brandId && scope.test(sql.slice(0, bound));
  const inlined = sql.indexOf(`'${brandId}'`);
  const firstValue = sql.search(/'/);
  return inlined > 0 && inlined === firstValue && scope.test(sql.slice(0, inlined));
}

/**
 * A read that carried its credential's check at its head (auth/deferred-credential-check.ts): the read's own text, its
 * bound values (none when they were inlined), and the brand its rows were guarded by; null for any other statement.
 */
export function ridingRead(statement: SentStatement): { sql: string; params: unknown[]; guard: unknown } | null {
  const head = 'luneo_rows.* from (';
  const start = statement.sql.indexOf(head);
  const guard = statement.sql.match(/\bcredential\.brand_id = (?:\$(\d+)|'([^']*)')\) luneo_read on true$/);
  if (!statement.sql.startsWith('with credential as (') || start < 0 || !guard) return null;
  const sql = statement.sql.slice(start + head.length, guard.index);
  if (guard[2] !== undefined) return { sql, params: [], guard: guard[2] };
  const first = Number(sql.match(/\$(\d+)/)?.[1] ?? 0);
  return { sql, params: statement.params.slice(first - 1, Number(guard[1]) - 1), guard: statement.params[Number(guard[1]) - 1] };
}

export interface TestBrand {
  id: string;
  slug: string;
  tokens: Record<Role, string>;
  userIds: Record<Role, string>;
  /** Services called as this brand's OWNER, for arranging data without going through HTTP. */
  ctx: RequestContext;
}

let brandCounter = 0;

/** A brand with one user of each role, each signed in over the real login mutation. */
export async function createTestBrand(
  t: TestApp,
  options: { currency?: string; taxRateBps?: number; taxInclusive?: boolean; shippingFlatRate?: number; freeShippingThreshold?: number | null; prefix?: string } = {},
): Promise<TestBrand> {
  const slug = `brand-${process.env.JEST_WORKER_ID ?? 0}-${++brandCounter}-${randomBytes(2).toString('hex')}`;
  const em = t.orm.em.fork();
  const brand = await createBrand(em, {
    slug,
    name: `Brand ${brandCounter}`,
    currency: options.currency ?? 'EUR',
    prefix: options.prefix ?? 'TB',
    taxRateBps: options.taxRateBps ?? 0,
    taxInclusive: options.taxInclusive ?? false,
    shippingFlatRate: options.shippingFlatRate ?? 0,
    freeShippingThreshold: options.freeShippingThreshold ?? null,
  });
  const tokens = {} as Record<Role, string>;
  const userIds = {} as Record<Role, string>;
  let owner;
  for (const role of ['OWNER', 'ADMIN', 'STAFF', 'VIEWER'] as Role[]) {
    const email = `${role.toLowerCase()}@${slug}.test`;
    const user = await createUser(em, { brandSlug: slug, email, password: PASSWORD, role });
    if (role === 'OWNER') owner = user;
    userIds[role] = user.id;
    const res = await t.gql(`mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }`, {
      e: email,
      p: PASSWORD,
    });
    tokens[role] = res.data.login.token;
  }
  return { id: brand.id, slug, tokens, userIds, ctx: RequestContext.create(t.orm.em as any, principalForUser(owner!)) };
}

export async function createTestProduct(
  brand: TestBrand,
  overrides: { sku?: string; name?: string; price?: number; stock?: number; active?: boolean } = {},
) {
  return createProduct(brand.ctx, {
    sku: overrides.sku ?? `SKU-${randomBytes(3).toString('hex')}`,
    name: overrides.name ?? 'Test product',
    price: overrides.price ?? 10_000,
    stock: overrides.stock ?? 100,
    active: overrides.active ?? true,
  });
}

export const ORDER_FIELDS = `
  id number status paymentStatus nextStatuses currency source discountCode trackingNumber attention
  subtotal { amount currency formatted } discountTotal { amount } shippingTotal { amount } taxTotal { amount }
  total { amount currency formatted } refundedTotal { amount }
  customer { email name phone } shippingAddress { line1 city postalCode country }
  items { id productId sku name quantity unitPrice { amount } discount { amount } tax { amount } total { amount } customization }
  statusHistory { kind from to note actor { type id label } createdAt }
  createdAt updatedAt paidAt cancelledAt`;

export const CREATE_ORDER = `mutation($input: CreateOrderInput!, $key: String) {
  createOrder(input: $input, idempotencyKey: $key) { ${ORDER_FIELDS} } }`;

export function orderInput(items: { productId: string; quantity: number }[], extra: Record<string, unknown> = {}) {
  return { items, customer: { email: 'client@example.com', name: 'Client Name' }, ...extra };
}

export function codes(res: GraphQLResponse): string[] {
  return (res.errors ?? []).map((e) => e.extensions?.code);
}
