// Run by `pnpm test` before the browser tests, which drive Debian's Chromium (never a downloaded browser): when it is
// missing, installs it with apt-get if this user may (root on a machine with apt), and otherwise stops with one line
// that says what to install.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';

/** Where the browser tests look for Chromium (web/playwright.config.ts), in the same order. */
export const CHROMIUM_PATHS = ['/usr/lib/chromium/chromium', '/usr/bin/chromium'];

export const INSTALL_HINT =
  "The browser tests need Debian's Chromium: install it with `sudo apt-get install chromium` (or set CHROMIUM_PATH to a Chromium binary), then run pnpm test again.";

/**
 * Decides what to do. `machine` describes this machine: { chromiumPath (CHROMIUM_PATH or undefined), exists(path),
 * isRoot, hasApt }. Returns { action: 'ready', path } | { action: 'install' } | { action: 'fail', message }.
 */
export function plan(machine) {
  if (machine.chromiumPath) {
    return machine.exists(machine.chromiumPath)
      ? { action: 'ready', path: machine.chromiumPath }
      : { action: 'fail', message: `CHROMIUM_PATH is ${machine.chromiumPath}, which does not exist. ${INSTALL_HINT}` };
  }
  const found = CHROMIUM_PATHS.find((candidate) => machine.exists(candidate));
  if (found) return { action: 'ready', path: found };
  if (machine.isRoot && machine.hasApt) return { action: 'install' };
  return { action: 'fail', message: INSTALL_HINT };
}

function thisMachine() {
  const onPath = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
  return {
    chromiumPath: process.env.CHROMIUM_PATH || undefined,
    exists: (path) => fs.existsSync(path),
    isRoot: typeof process.getuid === 'function' && process.getuid() === 0,
    hasApt: onPath('apt-get'),
  };
}

function main() {
  const decision = plan(thisMachine());
  if (decision.action === 'ready') return;
  if (decision.action === 'fail') {
    console.error(decision.message);
    process.exit(1);
  }
  console.log("Installing Debian's Chromium for the browser tests (apt-get install chromium)…");
  const apt = (args) => spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (apt(['update', '-qq']).status !== 0 || apt(['install', '-y', '-qq', 'chromium']).status !== 0) {
    console.error(`apt-get could not install chromium. ${INSTALL_HINT}`);
    process.exit(1);
  }
  const after = plan(thisMachine());
  if (after.action !== 'ready') {
    console.error(`chromium was installed but is not at ${CHROMIUM_PATHS.join(' or ')}. ${INSTALL_HINT}`);
    process.exit(1);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) main();
