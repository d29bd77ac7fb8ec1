import path from 'node:path';
import { MikroORM } from '@mikro-orm/postgresql';
import type { Env } from '../env';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './embedded-postgres';
import { ormConfig } from './orm-config';

export interface Database {
  orm: MikroORM;
  url: string;
  embedded: EmbeddedDatabase | null;
  close(): Promise<void>;
}

const EMBEDDED_DB_NAME = 'luneo';

/** A relative DATA_DIR is relative to the repository root, wherever pnpm runs the server from. */
const REPO_ROOT = path.resolve(__dirname, '../../..');

/** Connects to DATABASE_URL, or starts the embedded PostgreSQL under DATA_DIR when it is unset, and applies migrations. */
export async function openDatabase(
  env: Env,
  options: { log?: (line: string) => void; whenRunning?: 'take-over' | 'share' } = {},
): Promise<Database> {
  const log = options.log ?? (() => undefined);
  let embedded: EmbeddedDatabase | null = null;
  let url = env.DATABASE_URL;
  if (!url) {
    log(`Starting embedded PostgreSQL on 127.0.0.1:${env.EMBEDDED_PG_PORT} (data in ${env.DATA_DIR}/pg)`);
    embedded = await startEmbeddedPostgres({
      dataDir: path.resolve(REPO_ROOT, env.DATA_DIR, 'pg'),
      port: env.EMBEDDED_PG_PORT,
      whenRunning: options.whenRunning ?? 'take-over',
    });
    await embedded.createDatabase(EMBEDDED_DB_NAME);
    url = embedded.url(EMBEDDED_DB_NAME);
  }
  let orm: MikroORM;
  try {
    orm = await MikroORM.init(ormConfig(url));
    await migrate(orm);
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
  return {
    orm,
    url,
    embedded,
    async close() {
      await orm.close(true);
      await embedded?.stop();
    },
  };
}

export async function migrate(orm: MikroORM): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  return applied.map((m) => m.name);
}
