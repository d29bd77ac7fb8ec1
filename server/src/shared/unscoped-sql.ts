import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * SQL that no brand scopes. Only `shared/sql.ts` (the wall itself) and the few modules that must cross brands may
 * import this — Stripe's brand resolution and the records of deliveries that arrive before their brand is known — and
 * each call says why. `test/unit/sql-wall.test.ts` fails when any other module imports it.
 */
export function unscopedSql<T = Record<string, any>>(em: EntityManager, query: string, params: unknown[] = []): Promise<T[]> {
  return em.getConnection().execute<T[]>(query, params, 'all', em.getTransactionContext());
}
