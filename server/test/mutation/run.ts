import { spawn } from 'node:child_process';
import path from 'node:path';
import globalSetup from '../support/global-setup';
import globalTeardown from '../support/global-teardown';
import { writeMutationReport } from './report';

/**
 * `pnpm test:mutation [group…] [stryker options]`: StrykerJS over the rule modules, on a real PostgreSQL, one Stryker run
 * per group of stryker.config.mjs (all of them unless some are named), then docs/mutation.md from the recorded results.
 *
 * Stryker calls jest once per mutant, and jest's global setup would start and migrate a database each time; instead this
 * runs that setup once for the whole run (one embedded PostgreSQL, or DATABASE_URL) from this checkout — so Stryker's
 * sandbox, a copy of server/ without the top-level migrations/ folder, never migrates — and the sandboxed tests clone
 * the template as usual.
 * Stryker options pass through, e.g. `--force` for a full run instead of an incremental one.
 */
const SERVER_DIR = path.resolve(__dirname, '../..');

// The config is an ES module; a real dynamic import (not one the transpiler rewrites into require) loads it.
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

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
  // Ctrl-C reaches Stryker too (same process group); wait for it to stop, then stop the database.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => undefined);

  const failed: string[] = [];
  try {
    // jest's own setup, run once: the embedded PostgreSQL (unless DATABASE_URL is set) and the migrated template.
    await globalSetup();
    for (const group of groups) {
      console.log(`\n=== mutation group ${group} ===`);
      if ((await runStryker(group, strykerArgs)) !== 0) failed.push(group);
    }
  } finally {
    await globalTeardown();
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
