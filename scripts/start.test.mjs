// `pnpm start` itself (scripts/start.mjs), whatever NODE_ENV the shell exports: on free ports, with a throwaway data
// folder and a dashboard build of its own, until the API and the dashboard both answer; then Ctrl-C stops everything,
// the embedded PostgreSQL included.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const STARTED_WITHIN_MS = 240_000;
const STOPPED_WITHIN_MS = 60_000;

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

const folders = [];
const running = [];
after(() => {
  for (const child of running) if (child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
  for (const folder of folders) fs.rmSync(folder, { recursive: true, force: true });
});

async function startProduct(env) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'luneo-start-'));
  // As root, the embedded PostgreSQL runs as its own user, which must be able to enter this folder.
  fs.chmodSync(dataDir, 0o755);
  fs.mkdirSync(path.join(repoRoot, 'web/.cache'), { recursive: true });
  // Never web/build: a dashboard that someone is running serves that one.
  const buildDir = path.join(repoRoot, `web/.cache/start-test-${randomBytes(4).toString('hex')}`);
  folders.push(dataDir, buildDir);
  const ports = { PORT: await freePort(), WEB_PORT: await freePort(), EMBEDDED_PG_PORT: await freePort() };
  let output = '';
  const child = spawn(process.execPath, ['scripts/start.mjs'], {
    cwd: repoRoot,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      DATABASE_URL: '',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      REMIX_BUILD_DIRECTORY: buildDir,
      LOG_LEVEL: 'warn',
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
      ...env,
    },
  });
  running.push(child);
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  const api = `http://127.0.0.1:${ports.PORT}`;
  const web = `http://127.0.0.1:${ports.WEB_PORT}`;

  const answers = (url) => fetch(url, { signal: AbortSignal.timeout(5_000) }).then((res) => res.status === 200, () => false);
  const deadline = Date.now() + STARTED_WITHIN_MS;
  while (!((await answers(`${api}/readyz`)) && (await answers(`${web}/login`)))) {
    assert.equal(child.exitCode, null, `pnpm start exited early:\n${output}`);
    assert.ok(Date.now() < deadline, `pnpm start did not answer within ${STARTED_WITHIN_MS / 1000} s:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }

  return {
    api,
    web,
    dataDir,
    output: () => output,
    /** Ctrl-C: resolves with the exit code. */
    async interrupt() {
      child.kill('SIGINT');
      let timer;
      const timeout = new Promise((resolve) => {
        timer = setTimeout(() => resolve('still running'), STOPPED_WITHIN_MS);
      });
      return Promise.race([exited, timeout]).finally(() => clearTimeout(timer));
    },
  };
}

async function introspects(api) {
  const res = await fetch(`${api}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ __schema { queryType { name } } }' }),
  });
  return Boolean(((await res.json()).data ?? null)?.__schema);
}

test('NODE_ENV=development pnpm start serves the API (development mode) and the dashboard; Ctrl-C stops both and the database', async () => {
  const product = await startProduct({ NODE_ENV: 'development', SEED_DEMO: 'false' });
  assert.equal(await introspects(product.api), true);
  const login = await fetch(`${product.web}/login`);
  assert.equal(login.status, 200);
  assert.match(await login.text(), /<form/);
  assert.equal(await product.interrupt(), 0, product.output());
  assert.equal(fs.existsSync(path.join(product.dataDir, 'pg/postmaster.pid')), false, 'the embedded PostgreSQL is still running');
  assert.doesNotMatch(product.output(), /Dev server origin not set/);
});

test('NODE_ENV=production pnpm start runs production mode: no demo data, no introspection', async () => {
  const product = await startProduct({ NODE_ENV: 'production', SESSION_SECRET: randomBytes(32).toString('hex'), COOKIE_SECURE: 'false' });
  assert.equal(await introspects(product.api), false);
  assert.doesNotMatch(product.output(), /Demo password/);
  assert.equal((await fetch(`${product.web}/login`)).status, 200);
  assert.equal(await product.interrupt(), 0, product.output());
  assert.equal(fs.existsSync(path.join(product.dataDir, 'pg/postmaster.pid')), false, 'the embedded PostgreSQL is still running');
});
