import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './free-port';

/**
 * A PostgreSQL of a test's own (not the run's shared one), on its own port and data folder, that the test can crash
 * and start again.
 */
export interface RestartablePostgres {
  url: string;
  /** `pg_ctl stop -m immediate`: SIGQUIT to the postmaster, which drops every connection at once; waits until it is gone. */
  crash(): Promise<void>;
  /** Starts it again on the same data (after crash recovery). */
  restart(): Promise<void>;
  /** Stops it and removes its data folder. */
  destroy(): Promise<void>;
}

const SERVER_DIR = path.resolve(__dirname, '../..');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts test/support/postgres-process.ts and resolves with the process and the URL it prints once ready. */
function startProcess(dataDir: string, port: number, database: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'test/support/postgres-process.ts', dataDir, String(port), database], {
    cwd: SERVER_DIR,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stderr!.on('data', (chunk) => (output += chunk));
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      const url = output.split('\n').find((line) => line.startsWith('postgresql://'));
      if (url) resolve({ child, url });
    });
    child.once('exit', (code) => reject(new Error(`PostgreSQL helper exited with ${code}:\n${output}`)));
  });
}

export async function restartablePostgres(database: string): Promise<RestartablePostgres> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'luneo-restart-pg-'));
  // As root, PostgreSQL runs as a separate user that must be able to enter this directory.
  fs.chmodSync(root, 0o755);
  const dataDir = path.join(root, 'pg');
  const port = await freePort();
  let current: { child: ChildProcess; url: string };
  try {
    current = await startProcess(dataDir, port, database);
  } catch (error) {
    fs.rmSync(root, { recursive: true, force: true });
    throw error;
  }

  const postmasterPid = () => {
    const file = path.join(dataDir, 'postmaster.pid');
    return fs.existsSync(file) ? Number(fs.readFileSync(file, 'utf8').split('\n')[0]) : null;
  };
  const helperExited = (child: ChildProcess) =>
    child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => child.once('exit', () => resolve()));

  return {
    url: current.url,
    async crash() {
      const pid = postmasterPid();
      if (pid === null) throw new Error('no postmaster.pid: PostgreSQL is not running');
      process.kill(pid, 'SIGQUIT');
      for (let i = 0; i < 200 && alive(pid); i++) await sleep(50);
      if (alive(pid)) throw new Error(`postmaster ${pid} still running after SIGQUIT`);
      // The helper only watched that postmaster: end it, the next start makes a new one.
      current.child.kill('SIGKILL');
      await helperExited(current.child);
    },
    async restart() {
      current = await startProcess(dataDir, port, database);
    },
    async destroy() {
      if (current.child.exitCode === null && current.child.signalCode === null) {
        current.child.kill('SIGTERM');
        const gaveUp = setTimeout(() => current.child.kill('SIGKILL'), 15_000);
        await helperExited(current.child);
        clearTimeout(gaveUp);
      }
      const pid = postmasterPid();
      if (pid !== null && alive(pid)) process.kill(pid, 'SIGQUIT');
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
