import type { EntityManager } from '@mikro-orm/postgresql';
import { sendInPipelinedTransaction, type SqlText } from '../db/pipelined-transaction';
import { numberedPlaceholders } from '../db/server-prepared';

/**
 * SQL that no brand scopes. Only `shared/sql.ts` (the wall itself) and the few modules that must cross brands may
 * import this — Stripe's brand resolution, the records of deliveries that arrive before their brand is known, and the
 * credential lookup — and each call says why. `test/unit/sql-wall.test.ts` fails when any other module imports it.
 *
 * With `prepared`, the statement is sent as a named prepared statement (see `preparedStatement`) instead of through
 * MikroORM's `execute`, which formats the values into the text and has PostgreSQL plan it again on every call.
 */
export function unscopedSql<T = Record<string, any>>(
  em: EntityManager,
  query: string,
  params: unknown[] = [],
  { prepared = false }: { prepared?: boolean } = {},
): Promise<T[]> {
  const transaction = em.getTransactionContext();
  // A transaction's statements run on its own connection, which only the ORM's path knows (or a pipelined one's).
  if (prepared && !transaction) return preparedSql<T>(em, query, params);
  const pipelined = transaction ? sendInPipelinedTransaction(em, [{ sql: query, params }], prepared) : null;
  if (pipelined) return pipelined.then((results) => (results.length === 1 ? results[0] : results) as T[]);
  return em.getConnection().execute<T[]>(query, params, 'all', transaction);
}

/**
 * Several unscoped statements in one message, run one after the other (each with a snapshot of its own); answers one
 * array of rows per statement. With `prepared`, in a pipelined transaction, each is sent as `EXECUTE` of a statement the
 * session prepared (db/server-prepared.ts), under the same condition as `unscopedSql`'s: its generic plan was checked.
 */
export async function unscopedStatements(
  em: EntityManager,
  statements: SqlText[],
  { prepared = false }: { prepared?: boolean } = {},
): Promise<Record<string, any>[][]> {
  const transaction = em.getTransactionContext();
  const pipelined = transaction ? sendInPipelinedTransaction(em, statements, prepared) : null;
  if (pipelined) return pipelined;
  const sql = statements.map((statement) => statement.sql).join(';\n');
  const results = await em.getConnection().execute(sql, statements.flatMap((statement) => statement.params), 'all', transaction);
  // One statement answers its rows; several, one array of rows each.
  return statements.length === 1 ? [results as Record<string, any>[]] : (results as unknown as Record<string, any>[][]);
}

/** The few methods of knex's client and of a pg connection that a prepared statement needs. */
interface DriverConnection {
  query(config: { name?: string; text: string; values: unknown[] }, callback: (error: Error | null, result: { rows: any[] }) => void): void;
}
interface PoolClient {
  acquireConnection(): Promise<DriverConnection>;
  releaseConnection(connection: DriverConnection): Promise<unknown>;
}

/**
 * How many statement texts get a name. PostgreSQL keeps each named statement (and its plan) on every pooled connection
 * that ran it until the connection closes, so the names must be few: the callers' texts come from a fixed set of shapes
 * (the credential's, a page's, which follows a cached document's selection, Stripe's first look and a new order's
 * insert). Texts past the limit still go bound, unnamed (parsed and planned on each call, as before).
 */
export const MAX_NAMED_STATEMENTS = 200;

interface Statement {
  /** The text with `$1`, `$2`, … for the `?` placeholders. */
  text: string;
  placeholders: number;
  name: string | undefined;
}

const statements = new Map<string, Statement>();

/** The named statement for `query` (`?` placeholders), made once per text. */
export function preparedStatement(query: string): Statement {
  let statement = statements.get(query);
  if (!statement) {
    const { text, placeholders } = numberedPlaceholders(query);
    const name = statements.size < MAX_NAMED_STATEMENTS ? `luneo_${statements.size + 1}` : undefined;
    statement = { text, placeholders, name };
    if (name) statements.set(query, statement);
  }
  return statement;
}

/**
 * Sends `query` with bound values as a named prepared statement of the pg driver, on a connection of the ORM's own pool:
 * each connection parses it at its first use and keeps its plan (one generic plan: `plan_cache_mode` in
 * db/orm-config.ts), so later calls skip PostgreSQL's parsing and planning — for the credential's and a page's
 * statements, planning took as long as running them (docs/performance.md, Read path, round 5). A caller must check that
 * the generic plan of its statement is as good as a custom one for any values. Errors are the driver's, as `execute`
 * throws them.
 */
async function preparedSql<T>(em: EntityManager, query: string, params: unknown[]): Promise<T[]> {
  const { text, placeholders, name } = preparedStatement(query);
  if (placeholders !== params.length) throw new Error(`preparedSql: ${placeholders} placeholders for ${params.length} values`);
  const client = em.getConnection().getKnex().client as PoolClient;
  const driver = await client.acquireConnection();
  try {
    // With a callback, not the promise the driver returns without one: through that promise (and the `.catch` pg
    // chains to it), a page's rows outlived their request through a scavenge and were promoted to the old generation
    // (docs/performance.md, Read path, round 9).
    return await new Promise<T[]>((resolve, reject) =>
      driver.query({ name, text, values: params }, (error, result) => (error ? reject(error) : resolve(result.rows as T[]))),
    );
  } finally {
    await client.releaseConnection(driver);
  }
}
