import 'reflect-metadata';
import { createApp } from './app';
import { openDatabase } from './db/database';
import { DEMO_PASSWORD, DEMO_USERS, isEmpty, seedDemo } from './db/seed';
import { EnvError, loadEnv } from './env';
import { createLogger } from './logger';

/** `pnpm start`: database (embedded unless DATABASE_URL), migrations, demo data into an empty database, then the API. */
async function main() {
  let env;
  try {
    env = loadEnv();
  } catch (error) {
    if (error instanceof EnvError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const log = createLogger(env.LOG_LEVEL);
  const say = (line: string) => env.LOG_LEVEL !== 'silent' && console.log(line);

  const db = await openDatabase(env, { log: say });
  let seeded = false;
  if (env.SEED_DEMO && (await isEmpty(db.orm))) {
    say('Empty database: seeding the demo brand (a few seconds)…');
    await seedDemo(db.orm);
    seeded = true;
  }
  const app = await createApp({ orm: db.orm, env, log });

  say('');
  say(`  Luneo Orders API   ${app.url}/graphql`);
  say(`  Health             ${app.url}/healthz  ·  ${app.url}/readyz`);
  say(`  Database           ${db.embedded ? `embedded PostgreSQL (${env.DATA_DIR}/pg, port ${env.EMBEDDED_PG_PORT})` : 'DATABASE_URL'}`);
  if (env.SEED_DEMO) {
    say(`  Demo logins        ${DEMO_USERS.map((u) => `${u.email} (${u.role})`).join(', ')}`);
    say(`  Demo password      ${DEMO_PASSWORD}${seeded ? '' : '  (demo data from an earlier start)'}`);
  }
  say('');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`\n${signal}: stopping…`);
    const force = setTimeout(() => process.exit(1), 10_000);
    try {
      await app.stop();
      await db.close();
    } finally {
      clearTimeout(force);
      process.exit(0);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
