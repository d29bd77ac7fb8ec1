import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { API_KEY_SCOPES } from './api-keys/api-key-scopes';
import { createApiKeyForBrand } from './api-keys/api-key.service';
import { createBrand } from './brands/brand.service';
import { openDatabase, type Database } from './db/database';
import { DEMO_PASSWORD, isEmpty, seedDemo } from './db/seed';
import { loadEnv } from './env';
import { DomainError } from './errors';
import { printSchemaSdl } from './graphql/schema';
import { replayEvent } from './stripe/event-delivery';
import { createUser } from './users/user.service';

import { SCHEMA_FILE } from './graphql/schema-file';

/** Operator CLI: `pnpm cli <command>`. Every failure is one line on stderr and exit code 1. */
async function withDatabase<T>(work: (db: Database) => Promise<T>): Promise<T> {
  const db = await openDatabase(loadEnv(), { whenRunning: 'share' });
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

const program = new Command('pnpm cli').exitOverride();
program.configureOutput({ writeErr: (line) => process.stderr.write(line) });

const brands = program.command('brands').description('manage brands (tenants)');
brands
  .command('create')
  .requiredOption('--slug <slug>')
  .requiredOption('--name <name>')
  .requiredOption('--currency <CUR>')
  .option('--prefix <PFX>', 'order number prefix (default: initials of the name)')
  .action((opts) =>
    withDatabase(async (db) => {
      const brand = await createBrand(db.orm.em.fork(), opts);
      console.log(`Created brand ${brand.name} (${brand.slug}), orders numbered ${brand.orderNumberPrefix}-000001…`);
      console.log(brand.id);
    }),
  );

const users = program.command('users').description('manage dashboard users');
users
  .command('create')
  .requiredOption('--brand <slug>')
  .requiredOption('--email <email>')
  .requiredOption('--password <pw>')
  .requiredOption('--role <OWNER|ADMIN|STAFF|VIEWER>')
  .option('--name <name>')
  .action((opts) =>
    withDatabase(async (db) => {
      const user = await createUser(db.orm.em.fork(), {
        brandSlug: opts.brand,
        email: opts.email,
        password: opts.password,
        role: String(opts.role).toUpperCase() as any,
        name: opts.name,
      });
      console.log(`Created ${user.role} ${user.email}`);
      console.log(user.id);
    }),
  );

const apiKeys = program.command('api-keys').description('manage partner API keys');
apiKeys
  .command('create')
  .requiredOption('--brand <slug>')
  .requiredOption('--name <name>', 'what the key is for, e.g. "ERP sync"')
  .requiredOption('--scopes <list>', `comma-separated: ${API_KEY_SCOPES.join(',')}`)
  .action((opts) =>
    withDatabase(async (db) => {
      const scopes = String(opts.scopes).split(',').map((s) => s.trim()).filter(Boolean);
      const { apiKey, secret } = await createApiKeyForBrand(db.orm.em.fork(), { brandSlug: opts.brand, name: opts.name, scopes });
      console.log(`Created API key "${apiKey.name}" (${apiKey.prefix}…) with ${apiKey.scopes.join(', ')}; store the secret below now, it is shown only once:`);
      // The last line is the secret alone, so scripts can take it with `tail -n 1`.
      console.log(secret);
    }),
  );

program
  .command('db:migrate')
  .description('apply pending migrations')
  .action(() =>
    withDatabase(async () => {
      console.log('Migrations are up to date.');
    }),
  );

program
  .command('db:migration:create')
  .description('(developers) write a migration for the entity changes not yet migrated')
  .option('--initial', 'the first migration of an empty history')
  .action((opts) =>
    withDatabase(async (db) => {
      const result = await db.orm.getMigrator().createMigration(undefined, false, Boolean(opts.initial));
      console.log(result.fileName ? `Wrote migrations/${result.fileName}` : 'No entity changes to migrate.');
    }),
  );

program
  .command('db:seed')
  .description('write the demo brand into an empty database')
  .action(() =>
    withDatabase(async (db) => {
      if (!(await isEmpty(db.orm))) {
        console.log('The database already has data; the demo seed only writes into an empty database.');
        return;
      }
      await seedDemo(db.orm);
      console.log(`Seeded the demo brand; sign in as owner@demo.luneo.test / ${DEMO_PASSWORD}`);
    }),
  );

program
  .command('stripe:replay')
  .argument('<eventId>', 'a stored Stripe event id (evt_…), as listed by the webhookEvents query')
  .description('process a received Stripe event again (effects stay exactly-once)')
  .action((eventId: string) =>
    withDatabase(async (db) => {
      const result = await replayEvent(db.orm.em as any, eventId);
      console.log(`${result.eventId}: ${result.outcome}${result.reason ? ` — ${result.reason}` : ''}`);
      if (result.outcome === 'REJECTED') process.exitCode = 1;
    }),
  );

program
  .command('schema:print')
  .description('write the GraphQL SDL to schema/schema.graphql')
  .action(async () => {
    fs.writeFileSync(SCHEMA_FILE, await printSchemaSdl());
    console.log(`Wrote ${path.relative(process.cwd(), SCHEMA_FILE)}`);
  });

program.parseAsync(process.argv).catch((error) => {
  if (error?.code === 'commander.helpDisplayed' || error?.code === 'commander.version') process.exit(0);
  if (error?.code?.startsWith?.('commander.')) process.exit(1);
  const message = error instanceof DomainError || error?.name === 'EnvError' ? error.message : String(error?.message ?? error);
  process.stderr.write(`Error: ${message.split('\n').join(' ')}\n`);
  process.exit(1);
});
