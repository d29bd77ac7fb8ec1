import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * SQL that no brand scopes. Only `shared/sql.ts` (the wall itself) and the few modules that must cross brands may
 * import this — Stripe's brand resolution and the records of deliveries that arrive before their brand is known — and
 * each call says why. `test/unit/sql-wall.test.ts` fails when any other module imports it.
 */
export function unscopedSql<T = Record<string, any>>(em: EntityManager, query: string, params: unknown[] = []): Promise<T[]> {
  return em.getConnection().execute<T[]>(query, params, 'all', em.getTransactionContext());
}

/** The few methods of knex's client and of a pg connection that a bound statement needs. */
interface DriverConnection {
  query(config: { text: string; values: unknown[] }): Promise<{ rows: any[] }>;
}
interface PoolClient {
  acquireConnection(): Promise<DriverConnection>;
  releaseConnection(connection: DriverConnection): Promise<unknown>;
}

/**
 * Like `unscopedSql`, but the values travel as bound parameters of the pg driver, on a connection of the ORM's own
 * pool: MikroORM's `execute` formats every value into the SQL text and knex then runs that text, which cost ≈ 10 % of
 * the busy CPU of a page of orders. For the hot reads (a request's credential, a page or one order). Inside a
 * transaction the statement runs on the transaction's connection, through the ORM as `unscopedSql` does. Errors are
 * converted as the ORM converts them. Placeholders are `?` as everywhere else (`\?` is a literal question mark).
 */
export async function unscopedBoundSql<T = Record<string, any>>(em: EntityManager, query: string, params: unknown[] = []): Promise<T[]> {
  if (em.getTransactionContext()) return unscopedSql<T>(em, query, params);
  const connection = em.getConnection();
  const text = numberedPlaceholders(query, params.length);
  const client = connection.getKnex().client as PoolClient;
  const driver = await client.acquireConnection();
  try {
    return (await driver.query({ text, values: params })).rows as T[];
  } catch (error) {
    throw connection.getPlatform().getExceptionConverter().convertException(error as Error);
  } finally {
    await client.releaseConnection(driver);
  }
}

/** `?` → `$1`, `$2`, …; refuses a statement whose placeholders and values differ in number. */
function numberedPlaceholders(query: string, count: number): string {
  let n = 0;
  const text = query.replace(/\\\?|\?/g, (match) => (match === '?' ? `$${++n}` : '?'));
  if (n !== count) throw new Error(`unscopedBoundSql: ${n} placeholders for ${count} values`);
  return text;
}
