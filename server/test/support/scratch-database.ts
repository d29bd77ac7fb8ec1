import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

const TEMPLATE_DB = 'luneo_test_template';

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A migrated, empty database of its own, cloned from the run's template (global-setup made it). */
export async function scratchDatabase(): Promise<ScratchDatabase> {
  const adminUrl = process.env.LUNEO_TEST_ADMIN_URL;
  if (!adminUrl) throw new Error('LUNEO_TEST_ADMIN_URL missing: run through jest (global-setup starts PostgreSQL)');
  const name = `luneo_test_${process.env.JEST_WORKER_ID ?? 0}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name} template ${TEMPLATE_DB}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const cleanup = new Client({ connectionString: adminUrl });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}
