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
  let app;
  try {
    if (env.SEED_DEMO && (await isEmpty(db.orm))) {
      say('Empty database: seeding the demo brand (a few seconds)…');
      await seedDemo(db.orm);
      seeded = true;
    }
    app = await createApp({ orm: db.orm, env, log });
  } catch (error) {
    // A failed start (a port in use, a broken seed) must not leave the embedded PostgreSQL running behind it.
    await db.close().catch(() => undefined);
    throw error;
  }

  say('');
  say(`  Luneo Orders API   ${app.url}/graphql`);
  say(`  Health             ${app.url}/healthz  ·  ${app.url}/readyz`);
  say(`  Database           ${db.embedded ? `embedded PostgreSQL (${env.DATA_DIR}/pg, port ${env.EMBEDDED_PG_PORT})` : 'DATABASE_URL'}`);
  if (env.SEED_DEMO) {
    say(`  Demo logins        ${DEMO_USERS.map((u) => `${u.email} (${u.role})`).join(', ')}`);
    say(`  Demo password      ${DEMO_PASSWORD}${seeded ? '' : '  (demo data from an earlier start)'}`);
  } else if (await isEmpty(db.orm)) {
    say('  No brand yet       pnpm cli brands create … and pnpm cli users create … (or SEED_DEMO=true for demo data)');
  }
  say('');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`\n${signal}: stopping…`);
    // Requests in flight get the app's drain period; closing the pool and the embedded database gets the rest.
    const force = setTimeout(() => {
      log.error('shutdown did not finish in time; exiting anyway');
      process.exit(1);
    }, 30_000);
    let code = 0;
    try {
      await app.stop();
      log.info('requests in flight finished; no longer accepting connections');
    } catch (error) {
      log.error('stopping the API failed', { error: String((error as Error)?.stack ?? error) });
      code = 1;
    }
    try {
      await db.close();
      log.info(db.embedded ? 'database pool closed; embedded PostgreSQL stopped' : 'database pool closed');
    } catch (error) {
      log.error('closing the database failed', { error: String((error as Error)?.stack ?? error) });
      code = 1;
    }
    clearTimeout(force);
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
