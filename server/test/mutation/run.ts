import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../../src/db/embedded-postgres';
import globalSetup from '../support/global-setup';
import { writeMutationReport } from './report';

/**
 * `pnpm test:mutation [group…] [stryker options]`: StrykerJS over the rule modules, on a real PostgreSQL, one Stryker run
 * per group of stryker.config.mjs (all of them unless some are named), then docs/mutation.md from their JSON reports.
 *
 * Stryker calls jest once per mutant, and jest's global setup would start and migrate a database each time; instead this
 * starts one for the whole run (or uses DATABASE_URL) and migrates the template from this checkout — so Stryker's
 * sandbox, a copy of server/ without the top-level migrations/ folder, never migrates — and the sandboxed tests clone it.
 * Stryker options pass through, e.g. `--force` for a full run instead of an incremental one.
 */
const SERVER_DIR = path.resolve(__dirname, '../..');

// The config is an ES module; a real dynamic import (not one the transpiler rewrites into require) loads it.
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

function runStryker(group: string, args: string[]): Promise<number> {
  const cli = path.join(SERVER_DIR, 'node_modules/.bin/stryker');
  return new Promise((resolve, reject) => {
    const child = spawn(cli, ['run', 'stryker.config.mjs', ...args], {
      cwd: SERVER_DIR,
      env: { ...process.env, LUNEO_MUTATION_GROUP: group },
      stdio: 'inherit',
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function main() {
  const { GROUPS } = (await importEsm(path.join(SERVER_DIR, 'stryker.config.mjs'))) as { GROUPS: Record<string, unknown> };
  const named = process.argv.slice(2).filter((arg) => arg in GROUPS);
  const strykerArgs = process.argv.slice(2).filter((arg) => !(arg in GROUPS));
  const groups = named.length ? named : Object.keys(GROUPS);

  const started = Date.now();
  let stopDatabase = async () => undefined;
  if (!process.env.DATABASE_URL) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'luneo-mutation-pg-'));
    // As root, PostgreSQL runs as a separate user that must be able to enter this directory.
    fs.chmodSync(dataDir, 0o755);
    const db = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'pg'), port: await freePort(), durable: false });
    process.env.DATABASE_URL = db.url('postgres');
    stopDatabase = async () => {
      await db.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    };
  }
  // Ctrl-C reaches Stryker too (same process group); wait for it, then stop the database.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => undefined);

  const failed: string[] = [];
  try {
    await globalSetup();
    for (const group of groups) {
      console.log(`\n=== mutation group ${group} ===`);
      if ((await runStryker(group, strykerArgs)) !== 0) failed.push(group);
    }
  } finally {
    await stopDatabase();
  }
  const minutes = (Date.now() - started) / 60_000;
  const out = writeMutationReport(Object.keys(GROUPS), groups, minutes);
  console.log(`\nMutation report written to ${path.relative(process.cwd(), out)} (${minutes.toFixed(1)} min)`);
  if (failed.length) {
    console.error(`Stryker failed for: ${failed.join(', ')}`);
    process.exit(1);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
