import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../src/db/embedded-postgres';

/**
 * The benchmark's PostgreSQL: DATABASE_URL when set, else an embedded server of its own (its own data folder and port,
 * never the product's `.data/pg`) with pg_stat_statements preloaded, so that SQL statements per request are counted by
 * the database itself rather than estimated.
 */
export interface BenchDatabase {
  url: string;
  /** True for the embedded server the benchmark started: its data is the benchmark's own. */
  embedded: boolean;
  /** True when pg_stat_statements answers: statements per request are then counted. */
  countsStatements: boolean;
  postgresVersion: string;
  stop(): Promise<void>;
}

const DATABASE = 'luneo_bench';

export async function openBenchDatabase(options: { dataDir: string; port: number; log: (line: string) => void }): Promise<BenchDatabase> {
  const external = process.env.DATABASE_URL;
  let url: string;
  let stop = async () => undefined as void;
  if (external) {
    url = external;
  } else {
    const dataDir = path.resolve(options.dataDir);
    // As root, PostgreSQL runs as a separate user that must be able to enter the parent folder.
    fs.mkdirSync(path.dirname(dataDir), { recursive: true });
    fs.chmodSync(path.dirname(dataDir), 0o755);
    // Durable like the product's own database: create-order and the Stripe events commit as they would in production.
    let embedded = await startEmbeddedPostgres({ dataDir, port: options.port });
    if (!(await preloadsStatements(embedded.url('postgres')))) {
      // A library is preloaded only at server start: set it once in this data folder, then restart.
      await withClient(embedded.url('postgres'), (c) => c.query(`alter system set shared_preload_libraries = 'pg_stat_statements'`));
      await embedded.stop();
      embedded = await startEmbeddedPostgres({ dataDir, port: options.port });
    }
    await embedded.createDatabase(DATABASE);
    stop = () => embedded.stop();
    url = embedded.url(DATABASE);
  }

  return withClient(url, async (client) => {
    const postgresVersion: string = (await client.query('show server_version')).rows[0].server_version;
    let countsStatements = false;
    try {
      await client.query('create extension if not exists pg_stat_statements');
      await client.query('select count(*) from pg_stat_statements');
      countsStatements = true;
    } catch {
      options.log('pg_stat_statements is not loaded on this server: SQL statements per request are not reported.');
    }
    return { url, embedded: !external, countsStatements, postgresVersion, stop };
  });
}

async function preloadsStatements(url: string): Promise<boolean> {
  return withClient(url, async (c) => ((await c.query('show shared_preload_libraries')).rows[0].shared_preload_libraries as string).includes('pg_stat_statements'));
}

/** A `pg` client connected to `url` for `work`, always closed after it. */
export async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Counts what the database executed between `reset()` and `count()`: pg_stat_statements' calls in this database,
 * top-level statements only (statements inside functions and triggers are not round trips), transaction control
 * (BEGIN, COMMIT, SET) included because each is one. The counter's own queries are left out.
 */
export class StatementCounter {
  private constructor(private readonly client: Client | null) {}

  static async open(database: BenchDatabase): Promise<StatementCounter> {
    if (!database.countsStatements) return new StatementCounter(null);
    const client = new Client({ connectionString: database.url });
    // A connection ended by the server (another run restoring the snapshot drops this database) must fail the next
    // count, which stops the run and its servers, not crash this process with an unhandled 'error' event.
    client.on('error', () => undefined);
    await client.connect();
    return new StatementCounter(client);
  }

  async reset(): Promise<void> {
    await this.client?.query('select pg_stat_statements_reset()');
  }

  /** Statements executed since the last reset, or null when the server cannot count them. */
  async count(): Promise<number | null> {
    if (!this.client) return null;
    const { rows } = await this.client.query(
      `select coalesce(sum(calls), 0)::bigint as calls from pg_stat_statements
        where dbid = (select oid from pg_database where datname = current_database())
          and query not ilike '%pg_stat_statements%'`,
    );
    return Number(rows[0].calls);
  }

  async close(): Promise<void> {
    await this.client?.end();
  }
}
