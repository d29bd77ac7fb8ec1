import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded-postgres';
import { migrate } from '../../src/db/database';
import { ormConfig } from '../../src/db/orm-config';
import { freePort } from './free-port';

export const TEMPLATE_DB = 'luneo_test_template';

/**
 * Starts one real PostgreSQL for the run (the embedded one, or the server behind DATABASE_URL), migrates a template
 * database once, and tells the workers where it is: each test file then clones the template into its own database.
 */
export default async function globalSetup() {
  let adminUrl: string;
  if (process.env.DATABASE_URL) {
    adminUrl = process.env.DATABASE_URL;
  } else {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'luneo-test-pg-'));
    // As root, PostgreSQL runs as a separate user that must be able to enter this directory.
    fs.chmodSync(dataDir, 0o755);
    const db = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'pg'), port: await freePort(), durable: false });
    (globalThis as any).__LUNEO_TEST_DB__ = { db, dataDir };
    adminUrl = db.url('postgres');
  }
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${TEMPLATE_DB}`);
  await admin.query(`create database ${TEMPLATE_DB}`);
  await admin.end();

  const templateUrl = new URL(adminUrl);
  templateUrl.pathname = `/${TEMPLATE_DB}`;
  const orm = await MikroORM.init(ormConfig(templateUrl.toString()));
  await migrate(orm);
  await orm.close(true);
  // MikroORM keeps entity metadata on globalThis; jest exposes this process's globals to in-band test files, whose
  // realm would then trip over this realm's Maps. Each test file discovers its own metadata.
  for (const key of Object.keys(globalThis)) if (key.startsWith('mikro-orm-')) delete (globalThis as any)[key];

  process.env.LUNEO_TEST_ADMIN_URL = adminUrl;
}
