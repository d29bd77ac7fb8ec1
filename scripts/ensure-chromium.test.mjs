import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import test from 'node:test';
import { INSTALL_HINT, plan } from './ensure-chromium.mjs';

const script = fileURLToPath(new URL('./ensure-chromium.mjs', import.meta.url));
const machine = (overrides) => ({ chromiumPath: undefined, exists: () => false, isRoot: false, hasApt: true, ...overrides });

test('uses the Chromium the browser tests will launch', () => {
  assert.deepEqual(plan(machine({ exists: (p) => p === '/usr/bin/chromium' })), { action: 'ready', path: '/usr/bin/chromium' });
  assert.deepEqual(plan(machine({ chromiumPath: '/opt/chromium/chrome', exists: (p) => p === '/opt/chromium/chrome' })), {
    action: 'ready',
    path: '/opt/chromium/chrome',
  });
});

test('installs Debian\'s chromium when it is missing and this user may (root with apt-get)', () => {
  assert.deepEqual(plan(machine({ isRoot: true, hasApt: true })), { action: 'install' });
});

test('otherwise stops with one line that says what to install', () => {
  for (const decision of [plan(machine({ isRoot: false })), plan(machine({ isRoot: true, hasApt: false }))]) {
    assert.equal(decision.action, 'fail');
    assert.equal(decision.message, INSTALL_HINT);
    assert.match(decision.message, /apt-get install chromium/);
    assert.doesNotMatch(decision.message, /\n/);
  }
  const wrongPath = plan(machine({ isRoot: true, chromiumPath: '/nowhere/chromium' }));
  assert.equal(wrongPath.action, 'fail');
  assert.match(wrongPath.message, /CHROMIUM_PATH is \/nowhere\/chromium/);
});

test('the script itself: one line and exit code 1 for a CHROMIUM_PATH that does not exist', () => {
  const result = spawnSync(process.execPath, [script], { env: { ...process.env, CHROMIUM_PATH: '/nowhere/chromium' }, encoding: 'utf8' });
  assert.equal(result.status, 1);
  assert.equal(result.stdout, '');
  assert.equal(result.stderr.trim().split('\n').length, 1);
  assert.match(result.stderr, /CHROMIUM_PATH is \/nowhere\/chromium/);
});
