import type { MikroORM } from '@mikro-orm/postgresql';

/** A statement as the pg driver received it: its text and its bound values. */
export interface SentStatement {
  sql: string;
  params: unknown[];
  /** The prepared statement's name, when it was sent as one (shared/unscoped-sql.ts). */
  name?: string;
}

type PgQuery = (config: string | { text: string; values?: unknown[]; name?: string }, values?: unknown, ...rest: unknown[]) => unknown;
interface PgConnection {
  query: PgQuery;
}

/**
 * Reports every statement sent on a connection of this ORM's pool, whoever sends it (knex for the ORM's statements and
 * transactions, or code that takes a connection from the pool itself): each connection's `query` is wrapped as the
 * pool hands it out. Connections are this app's own, so another app on the same database is not recorded.
 */
export function recordAtTheDriver(orm: MikroORM, record: (statement: SentStatement) => void) {
  const client = orm.em.getConnection().getKnex().client as { acquireConnection(): Promise<PgConnection> };
  const acquire = client.acquireConnection;
  const wrapped = new WeakSet<PgConnection>();
  client.acquireConnection = async function (this: unknown) {
    const connection = await acquire.call(this);
    if (!wrapped.has(connection)) {
      wrapped.add(connection);
      const query = connection.query;
      connection.query = function (this: unknown, config, values, ...rest) {
        const sql = typeof config === 'string' ? config : config.text;
        const params = typeof config === 'string' ? (Array.isArray(values) ? values : []) : (config.values ?? (Array.isArray(values) ? values : []));
        record({ sql, params, ...(typeof config === 'object' && config.name ? { name: config.name } : {}) });
        return query.call(this, config, values, ...rest);
      };
    }
    return connection;
  };
}
