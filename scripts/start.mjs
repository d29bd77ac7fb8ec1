// `pnpm start`: builds the dashboard, starts the API (embedded PostgreSQL unless DATABASE_URL) and the dashboard,
// prints where both answer, and on Ctrl-C stops both — the API stops its embedded database before exiting.
//
// NODE_ENV says which mode the product runs in: `production` is production; anything else (unset, development,
// test) is a developer's machine. The dashboard is always served from its production build by web/server.mjs (Remix's
// development mode only works behind Vite's dev server, `pnpm --filter @luneo/web dev`); on a developer's machine this
// script hands it the settings of a plain-HTTP local server: a session secret kept in DATA_DIR, non-Secure cookies.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const apiPort = process.env.PORT ?? '4000';
const webPort = process.env.WEB_PORT ?? '3000';
const host = process.env.HOST ?? '127.0.0.1';
const production = process.env.NODE_ENV === 'production';

/** A random session secret made once per data folder, so that dashboard sessions survive a restart. */
function localSessionSecret() {
  const dataDir = path.resolve(repoRoot, process.env.DATA_DIR ?? '.data');
  const file = path.join(dataDir, 'dashboard-session-secret');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  }
  return fs.readFileSync(file, 'utf8').trim();
}

const dashboardEnv = production
  ? process.env
  : {
      ...process.env,
      SESSION_SECRET: process.env.SESSION_SECRET ?? localSessionSecret(),
      COOKIE_SECURE: process.env.COOKIE_SECURE ?? 'false',
    };

// A development NODE_ENV would make Vite bundle React's development build.
const build = spawnSync('pnpm', ['--silent', '--filter', '@luneo/web', 'build'], {
  stdio: ['ignore', 'ignore', 'inherit'],
  env: { ...process.env, NODE_ENV: 'production' },
});
if (build.status !== 0) {
  console.error('The dashboard did not build; see the errors above.');
  process.exit(1);
}

// Each child gets its own process group, so that a stop reaches pnpm's shell and the node process behind it.
const children = [
  spawn('pnpm', ['--silent', '--filter', '@luneo/server', 'start'], { stdio: 'inherit', detached: true }),
  spawn('pnpm', ['--silent', '--filter', '@luneo/web', 'start'], { stdio: ['ignore', 'ignore', 'inherit'], detached: true, env: dashboardEnv }),
];
const signalGroup = (child, signal) => {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is already gone
  }
};

let stopping = false;
function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) signalGroup(child, 'SIGINT');
  const force = setTimeout(() => {
    for (const child of children) signalGroup(child, 'SIGKILL');
    process.exit(code || 1);
  }, 40_000);
  Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null))).then(() => {
    clearTimeout(force);
    process.exit(code);
  });
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
for (const child of children) child.on('exit', (code) => stop(code ?? 1));

// Say where the dashboard is once both answer (the API prints its own banner with the demo logins).
const deadline = Date.now() + 120_000;
async function answers(url) {
  try {
    return (await fetch(url)).status < 500;
  } catch {
    return false;
  }
}
(async () => {
  while (!stopping && Date.now() < deadline) {
    if ((await answers(`http://${host}:${apiPort}/readyz`)) && (await answers(`http://${host}:${webPort}/login`))) {
      console.log(`  Dashboard          http://${host}:${webPort}   (Ctrl-C stops everything)\n`);
      return;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
})();
