import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './support/free-port';

/**
 * `pnpm bench` on tiny data, every scenario for a second, so that the benchmark cannot rot: each scenario must run and
 * answer without an error, and the statement counter must count. Timings are the benchmark's business, never a test's.
 */
const SCENARIOS = [
  'list-first',
  'list-next',
  'list-filtered',
  'search',
  'order-by-id',
  'order-by-number',
  'stats-30d',
  'stats-year',
  'quote',
  'create-order',
  'stripe-events',
  'stripe-events-applied',
  'web-orders-page',
  'ceiling-apollo-sql',
  'ceiling-apollo-trivial',
  'ceiling-sql',
  'flood-quiet',
  'flood',
  'instances-2-mixed',
];

const SERVER_DIR = path.resolve(__dirname, '..');

test('pnpm bench runs every scenario end to end on 500 orders', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'luneo-bench-smoke-'));
  const jsonFile = path.join(dir, 'bench.json');
  // Two connections and no warm-up: enough to exercise every path, light on the machine the other test files share.
  const args = ['-r', '@swc-node/register', 'bench/run.ts', '--orders', '500', '--duration', '1', '--warmup', '0', '--connections', '2', '--instances', '2'];
  args.push('--data-dir', path.join(dir, 'pg'), '--pg-port', String(await freePort()), '--json', jsonFile, '--no-write');
  const env = { ...process.env };
  // The benchmark's own embedded PostgreSQL (it loads pg_stat_statements), not the test run's.
  delete env.DATABASE_URL;
  try {
    const child = spawn(process.execPath, args, { cwd: SERVER_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    if (code !== 0) throw new Error(`pnpm bench exited with ${code}:\n${output}`);

    const report = JSON.parse(fs.readFileSync(jsonFile, 'utf8'));
    expect(Object.keys(report.machine)).toEqual(expect.arrayContaining(['cpu', 'cores', 'memoryGb', 'node', 'postgres']));
    expect(report.scenarios.map((s: { name: string }) => s.name)).toEqual(SCENARIOS);
    for (const scenario of report.scenarios) {
      expect(Object.keys(scenario)).toEqual(
        expect.arrayContaining(['name', 'rps', 'p50Ms', 'p99Ms', 'sqlPerRequest', 'rssMb', 'ceiling', 'ratio']),
      );
      expect({ name: scenario.name, failures: scenario.failures }).toEqual({ name: scenario.name, failures: 0 });
    }
    // One statement per query of the raw-SQL ceiling: the counter counts what PostgreSQL executed, nothing else.
    expect(report.scenarios.find((s: { name: string }) => s.name === 'ceiling-sql').sqlPerRequest).toBe(1);
    // The list scenarios' ratios come from turns taken with their ceiling, not from its row measured minutes later.
    expect(output).toMatch(/list-first…[\s\S]*?ceiling-apollo-sql in turns with it \(1 × 1 s each\): [\d.]+ req\/s/);
    // The host's steal is read for every load-driven scenario where /proc/stat exists (it is, on Linux).
    if (fs.existsSync('/proc/stat')) {
      for (const name of ['list-first', 'stripe-events', 'web-orders-page', 'ceiling-apollo-sql', 'ceiling-sql']) {
        expect({ name, steal: typeof report.scenarios.find((s: { name: string }) => s.name === name).stealPct }).toEqual({ name, steal: 'number' });
      }
    }
    // No server of the benchmark is left behind (its postmaster removes this file when it stops).
    expect(fs.existsSync(path.join(dir, 'pg', 'postmaster.pid'))).toBe(false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 600_000);
