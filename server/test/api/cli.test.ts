import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { startTestApp, type TestApp } from '../support/harness';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

/** Runs `pnpm cli …` as an operator would (the same entry point), against this file's database. */
function cli(...args: string[]) {
  const result = spawnSync(process.execPath, ['-r', '@swc-node/register', 'src/cli.ts', ...args], {
    cwd: path.resolve(__dirname, '../..'),
    env: { ...process.env, DATABASE_URL: t.databaseUrl, LOG_LEVEL: 'silent' },
    encoding: 'utf8',
  });
  const stderr = result.stderr.split('\n').filter((l) => l && !l.includes('[migrator]'));
  return { status: result.status, stdout: result.stdout.trim().split('\n'), stderr };
}

describe('operator CLI', () => {
  it('creates a brand (printing its id last) and a user who can sign in', async () => {
    const brand = cli('brands', 'create', '--slug', 'atelier-nord', '--name', 'Atelier Nord', '--currency', 'usd');
    expect(brand.status).toBe(0);
    const id = brand.stdout[brand.stdout.length - 1];
    const [row] = await t.sql('select id, currency, order_number_prefix from brands where slug = ?', ['atelier-nord']);
    expect(row).toEqual({ id, currency: 'USD', order_number_prefix: 'AN' });

    const user = cli('users', 'create', '--brand', 'atelier-nord', '--email', 'Ops@Nord.test', '--password', 'long enough pw', '--role', 'ADMIN');
    expect(user.status).toBe(0);
    const login = await t.gql(`mutation { login(email: "ops@nord.test", password: "long enough pw") { viewer { role brand { id } } } }`);
    expect(login.data.login.viewer).toEqual({ role: 'ADMIN', brand: { id } });
  });

  it.each([
    [['brands', 'create', '--slug', 'atelier-nord', '--name', 'Again', '--currency', 'USD'], /already exists/],
    [['brands', 'create', '--slug', 'zz-top', '--name', 'Z', '--currency', 'XYZ'], /currency: must be one of/],
    [['brands', 'create', '--name', 'No slug', '--currency', 'EUR'], /--slug/],
    [['users', 'create', '--brand', 'nope', '--email', 'a@b.test', '--password', 'long enough', '--role', 'STAFF'], /No brand with slug nope/],
    [['users', 'create', '--brand', 'atelier-nord', '--email', 'a@b.test', '--password', 'short', '--role', 'STAFF'], /at least 8/],
    [['users', 'create', '--brand', 'atelier-nord', '--email', 'a@b.test', '--password', 'long enough', '--role', 'BOSS'], /role: must be one of/],
    [['frobnicate'], /unknown command/],
  ])('answers %j with one clear line and exit code 1', (args, message) => {
    const result = cli(...(args as string[]));
    expect(result.status).toBe(1);
    expect(result.stderr).toHaveLength(1);
    expect(result.stderr[0]).toMatch(message);
  });
});
