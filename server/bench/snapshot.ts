import { withClient } from './database';

/**
 * `--fresh-writes`: every run starts from the benchmark database as it was built, not as the previous runs' created
 * orders, Stripe brands, keys and sessions left it. A snapshot is a template database (`<name>_snapshot`) taken right
 * after the dataset is built or first reused with this flag; a run with the flag drops the benchmark database and
 * copies it back from the snapshot (CREATE DATABASE … TEMPLATE … STRATEGY FILE_COPY: files copied whole, whatever the
 * schema holds).
 *
 * Why not delete what runs created, in set-based SQL? That needs to know every table a write touches and to undo
 * what it changed elsewhere: the audit log refuses deletes by trigger, stock levels and movements, brand order
 * counters and numbering, and any rollup of stats maintained in the same transactions would all need recomputing —
 * a cleanup to keep in step with every schema change. The copy restores everything, and on this machine takes
 * seconds for the 200,000-order database (the run prints how many).
 */
export async function restoreSnapshot(url: string, log: (line: string) => void): Promise<boolean> {
  const { admin, name } = adminUrl(url);
  return withClient(admin, async (client) => {
    const exists = await client.query('select 1 from pg_database where datname = $1', [snapshotName(name)]);
    if (exists.rowCount === 0) return false;
    const started = performance.now();
    await client.query(`drop database if exists ${quote(name)} with (force)`);
    await client.query(`create database ${quote(name)} template ${quote(snapshotName(name))} strategy file_copy`);
    log(`Restored the benchmark database from its snapshot (--fresh-writes) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return true;
  });
}

/** Takes the snapshot (replacing an older one): call it when the database holds only the built dataset. */
export async function takeSnapshot(url: string, log: (line: string) => void): Promise<void> {
  const { admin, name } = adminUrl(url);
  await withClient(admin, async (client) => {
    const started = performance.now();
    await client.query(`drop database if exists ${quote(snapshotName(name))}`);
    // A template is copied only while nobody is connected to it.
    await client.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [name]);
    await client.query(`create database ${quote(snapshotName(name))} template ${quote(name)} strategy file_copy`);
    log(`Took a snapshot of the benchmark database for --fresh-writes in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  });
}

export async function dropSnapshot(url: string): Promise<void> {
  const { admin, name } = adminUrl(url);
  await withClient(admin, (client) => client.query(`drop database if exists ${quote(snapshotName(name))}`));
}

function snapshotName(name: string) {
  return `${name}_snapshot`;
}

/** The same server's `postgres` database, from which the benchmark database can be dropped and copied. */
function adminUrl(url: string): { admin: string; name: string } {
  const parsed = new URL(url);
  const name = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  parsed.pathname = '/postgres';
  return { admin: parsed.toString(), name };
}

function quote(identifier: string) {
  return `"${identifier.replace(/"/g, '""')}"`;
}

