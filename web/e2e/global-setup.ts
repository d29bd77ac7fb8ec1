import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Starts what the tests need and returns the teardown:
 *   1. the API, one of:
 *      - E2E_START_API=1: the server's start command (`node -r @swc-node/register src/main.ts`) on free ports with a throwaway embedded database
 *        (demo seed), removed afterwards — what `pnpm test` at the root uses;
 *      - E2E_API_COMMAND="…": any command that starts an API answering at API_URL, stopped afterwards;
 *      - otherwise an API already running at API_URL (default http://127.0.0.1:4000/graphql);
 *   2. the dashboard: E2E_BASE_URL when set, otherwise `remix vite:build` into a folder of this run's own
 *      (.cache/e2e-build-…, removed afterwards; or E2E_BUILD_DIR, kept, which E2E_SKIP_BUILD=1 then reuses) and
 *      web/server.mjs (the dashboard's production server, as `pnpm start` runs it) on a free port, pointed at API_URL.
 *      Never web/build: a running `pnpm start` serves that one.
 * Workers read E2E_BASE_URL from the environment set here.
 */
const webDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs: number, child?: ChildProcess) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode} before it was ready`);
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} was not ready after ${Math.round(timeoutMs / 1000)} s`);
}

async function apiAnswers(apiUrl: string): Promise<boolean> {
  const res = await fetch(apiUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ __typename }' }),
    signal: AbortSignal.timeout(2_000),
  });
  return res.ok;
}

function stop(child: ChildProcess | undefined) {
  if (!child || child.exitCode !== null || child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGTERM'); // the process group: pnpm and its children
  } catch {
    child.kill('SIGTERM');
  }
}

function exited(child: ChildProcess | undefined, timeoutMs: number): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveExit) => {
    const timer = setTimeout(resolveExit, timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolveExit();
    });
  });
}

export default async function globalSetup() {
  let api: ChildProcess | undefined;
  let web: ChildProcess | undefined;
  let dataDir: string | undefined;
  let runBuildDir: string | undefined;

  const cleanup = async () => {
    stop(web);
    stop(api);
    await Promise.all([exited(web, 10_000), exited(api, 20_000)]);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    if (runBuildDir) rmSync(runBuildDir, { recursive: true, force: true });
  };

  try {
    if (process.env.E2E_START_API === '1') {
      const [apiPort, pgPort] = [await freePort(), await freePort()];
      // The embedded PostgreSQL runs as its own user when we are root: the directory must be readable by it.
      dataDir = mkdtempSync(resolve(tmpdir(), 'luneo-e2e-'));
      chmodSync(dataDir, 0o755);
      process.env.API_URL = `http://127.0.0.1:${apiPort}/graphql`;
      // Lets e2e/stripe-order.spec.ts deliver a signed Checkout event, as Stripe would (the secret exists only for this run).
      process.env.E2E_STRIPE_WEBHOOK_SECRET ??= `whsec_e2e_${randomBytes(16).toString('hex')}`;
      // The server's own start command, without pnpm around it: stopping it then prints no wrapper error.
      api = spawn(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], {
        cwd: resolve(webDir, '../server'),
        stdio: ['ignore', 'inherit', 'inherit'],
        detached: true,
        env: {
          ...process.env,
          PORT: String(apiPort),
          HOST: '127.0.0.1',
          EMBEDDED_PG_PORT: String(pgPort),
          DATA_DIR: dataDir,
          SEED_DEMO: 'true',
          STRIPE_WEBHOOK_SECRET: process.env.E2E_STRIPE_WEBHOOK_SECRET,
          LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
        },
      });
    }
    const apiUrl = process.env.API_URL ?? `http://127.0.0.1:${process.env.PORT ?? 4000}/graphql`;
    process.env.API_URL = apiUrl;

    if (api) {
      await waitFor('The API', () => apiAnswers(apiUrl), 180_000, api);
    } else if (process.env.E2E_API_COMMAND) {
      api = spawn(process.env.E2E_API_COMMAND, { shell: true, stdio: 'inherit', detached: true, env: process.env });
      await waitFor('The API', () => apiAnswers(apiUrl), 120_000, api);
    } else if (!(await apiAnswers(apiUrl).catch(() => false))) {
      throw new Error(
        `No API answers at ${apiUrl}. Start it first (pnpm start at the repository root, with the demo seed), ` +
          'set API_URL, or set E2E_API_COMMAND to a command that starts it.',
      );
    }

    if (!process.env.E2E_BASE_URL) {
      const bin = (name: string) => resolve(webDir, 'node_modules/.bin', name);
      // Inside web/ (so the server bundle resolves web/node_modules) and ignored by git; one folder per run, so
      // concurrent runs never serve each other's half-written assets.
      let buildDir: string;
      if (process.env.E2E_BUILD_DIR) {
        buildDir = resolve(webDir, process.env.E2E_BUILD_DIR);
      } else {
        mkdirSync(resolve(webDir, '.cache'), { recursive: true });
        buildDir = runBuildDir = mkdtempSync(resolve(webDir, '.cache/e2e-build-'));
      }
      process.env.E2E_BUILD_PATH = buildDir;
      if (buildDir === resolve(webDir, 'build')) throw new Error('E2E_BUILD_DIR must not be build/: a running dashboard serves it');
      if (process.env.E2E_SKIP_BUILD !== '1' || !existsSync(resolve(buildDir, 'server/index.js'))) {
        const build = spawnSync(bin('remix'), ['vite:build'], {
          cwd: webDir,
          stdio: 'inherit',
          env: { ...process.env, REMIX_BUILD_DIRECTORY: buildDir },
        });
        if (build.status !== 0) throw new Error('The dashboard build failed');
      }
      const port = await freePort();
      const baseUrl = `http://127.0.0.1:${port}`;
      mkdirSync(resolve(webDir, 'test-artifacts'), { recursive: true });
      const log = openSync(resolve(webDir, 'test-artifacts/dashboard.log'), 'w');
      web = spawn(process.execPath, [resolve(webDir, 'server.mjs'), resolve(buildDir, 'server/index.js')], {
        cwd: webDir,
        stdio: ['ignore', log, log],
        detached: true,
        env: {
          ...process.env,
          NODE_ENV: 'production',
          API_URL: apiUrl,
          PORT: String(port),
          HOST: '127.0.0.1',
          SESSION_SECRET: process.env.SESSION_SECRET ?? randomBytes(24).toString('hex'),
        },
      });
      await waitFor('The dashboard', async () => (await fetch(`${baseUrl}/login`, { signal: AbortSignal.timeout(2_000) })).ok, 30_000, web);
      process.env.E2E_BASE_URL = baseUrl;
    }
  } catch (error) {
    await cleanup();
    throw error;
  }

  return cleanup;
}
