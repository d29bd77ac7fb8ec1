import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import { createBrand } from '../../src/brands/brand.service';
import { ormConfig } from '../../src/db/orm-config';
import { RequestContext, type Principal } from '../../src/shared/request-context';
import type { Role } from '../../src/users/user.entity';
import { scratchDatabase } from './scratch-database';

/**
 * A database of its own and the ORM on it, without the HTTP app or signed-in users: for tests that call a module's rules
 * directly. Mutation testing runs such a file once per mutant, so its set-up is kept to the database and the ORM.
 */
export interface RuleDatabase {
  orm: MikroORM;
  /** Direct SQL for assertions that must not trust the code under test. */
  sql<T = any>(query: string, params?: unknown[]): Promise<T[]>;
  /** A new brand (EUR, no tax or shipping) and a context acting for it as `role`. */
  brand(role?: Role): Promise<RequestContext>;
  /** A fresh context (its own EntityManager) for the same principal, like a new request. */
  again(ctx: RequestContext): RequestContext;
  close(): Promise<void>;
}

/** As in harness.ts, which this file does not import: it would load the whole app. */
const TEST_STATEMENT_TIMEOUT_MS = 60_000;

export async function startRuleDatabase(): Promise<RuleDatabase> {
  const db = await scratchDatabase();
  const orm = await MikroORM.init(ormConfig(db.url, { pool: { min: 0, max: 5 } }, { statementTimeoutMs: TEST_STATEMENT_TIMEOUT_MS }));
  let brands = 0;
  return {
    orm,
    sql: (query, params = []) => orm.em.getConnection().execute(query, params as any[]),
    async brand(role = 'OWNER') {
      const em = orm.em.fork();
      const slug = `rules-${++brands}-${randomBytes(3).toString('hex')}`;
      const brand = await createBrand(em, {
        slug,
        name: `Rules ${brands}`,
        currency: 'EUR',
        prefix: 'RU',
        taxRateBps: 0,
        taxInclusive: false,
        shippingFlatRate: 0,
        freeShippingThreshold: null,
      });
      const principal: Principal = { actor: { type: 'SYSTEM', id: null, label: `rules test ${slug}` }, brandId: brand.id, role, scopes: [] };
      return RequestContext.create(orm.em as any, principal);
    },
    again: (ctx) => RequestContext.create(orm.em as any, ctx.principal),
    async close() {
      await orm.close(true);
      await db.drop();
    },
  };
}
