import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module of the production server, without types.
import { WORKER_HEAP_MB, workerCount, workerExecArgv } from '../workers.mjs';

const app = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/supervised-app.mjs');

interface Cluster {
  primary: ChildProcess;
  port: number;
  output: () => string;
  exited: Promise<number | null>;
}

const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) kill(-child.pid!, 'SIGKILL');
});

function kill(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** The fixture's primary in a process group of its own (so that the whole group can be signalled, as `pnpm start` does). */
function startCluster(env: Record<string, string> = {}): Cluster {
  const primary = spawn(process.execPath, [app], { detached: true, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(primary);
  let text = '';
  primary.stdout!.on('data', (chunk) => (text += chunk));
  primary.stderr!.on('data', (chunk) => (text += chunk));
  const exited = new Promise<number | null>((resolve) => primary.on('exit', (code) => resolve(code)));
  return { primary, port: 0, output: () => text, exited };
}

async function listening(cluster: Cluster): Promise<Cluster> {
  await until(() => /listening (\d+)/.test(cluster.output()), () => cluster.output());
  return { ...cluster, port: Number(/listening (\d+)/.exec(cluster.output())![1]) };
}

async function until(condition: () => boolean | Promise<boolean>, explain: () => string, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${explain()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** One request on a connection of its own, so that the primary hands each to the next worker. */
function get(port: number, urlPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ port, host: '127.0.0.1', path: urlPath, agent: false, timeout: 3000 }, (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('timeout', function (this: http.ClientRequest) {
        this.destroy(new Error(`no answer to ${urlPath} in 3 s`));
      })
      .on('error', reject);
  });
}

async function workerPids(port: number): Promise<Set<number>> {
  const pids = new Set<number>();
  for (let i = 0; i < 6; i++) pids.add(Number((await get(port, '/pid')).body));
  return pids;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('the dashboard as several processes (workers.mjs)', { timeout: 20_000 }, () => {
  it('shares one port between the workers and replaces one that dies', async () => {
    const cluster = await listening(startCluster({ WORKERS: '2' }));
    // "listening" is printed when the first worker listens; the second may still be starting.
    let before = new Set<number>();
    await until(async () => (before = await workerPids(cluster.port)).size === 2, () => `answered by ${[...before]}\n${cluster.output()}`);

    const [victim, survivor] = [...before];
    process.kill(victim, 'SIGKILL');
    // A connection the primary handed to the worker as it died is lost with it (no answer): asked again.
    await until(async () => {
      const now = await workerPids(cluster.port).catch(() => new Set<number>());
      return now.size === 2 && !now.has(victim) && now.has(survivor);
    }, cluster.output);
    expect(cluster.output()).toContain(`dashboard process ${victim} exited (SIGKILL); starting another`);
  });

  it('on SIGTERM answers the request in flight, then every process exits', async () => {
    const cluster = await listening(startCluster({ WORKERS: '2', SLOW_MS: '500' }));
    const workers = await workerPids(cluster.port);
    const slow = get(cluster.port, '/slow');
    await until(() => cluster.output().includes('slow request received'), cluster.output);

    process.kill(cluster.primary.pid!, 'SIGTERM');
    expect((await slow).status).toBe(200);
    expect(await cluster.exited).toBe(0);
    for (const pid of workers) await until(() => !alive(pid), () => `worker ${pid} still runs`);
  });

  it('answers the request in flight when the whole process group is signalled, each worker signalled twice', async () => {
    const cluster = await listening(startCluster({ WORKERS: '2', SLOW_MS: '500' }));
    const slow = get(cluster.port, '/slow');
    await until(() => cluster.output().includes('slow request received'), cluster.output);

    process.kill(-cluster.primary.pid!, 'SIGTERM');
    const answer = await slow;
    expect(answer.status).toBe(200);
    expect(answer.body).toMatch(/^slow \d+$/);
    expect(await cluster.exited).toBe(0);
  });

  it('stops with an error, instead of restarting in a loop, when a worker cannot listen', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = (taken.address() as net.AddressInfo).port;
      const cluster = startCluster({ WORKERS: '2', PORT: String(port) });
      expect(await cluster.exited).toBe(1);
      expect(cluster.output()).toContain('exited before it listened');
      expect(cluster.output().match(/exited before it listened/g)).toHaveLength(1);
      expect(cluster.output()).not.toContain('starting another');
    } finally {
      taken.close();
    }
  });
});

describe("each worker's heap limit", () => {
  it('is WORKER_HEAP_MB, not one sized from the machine, unless NODE_OPTIONS sets one', async () => {
    // The limit V8 reports adds the young generation (≈ 50 MB) to the old one.
    const limited = await listening(startCluster({ WORKERS: '1', NODE_OPTIONS: '' }));
    const heap = Number((await get(limited.port, '/heap')).body);
    expect(heap).toBeGreaterThanOrEqual(WORKER_HEAP_MB);
    expect(heap).toBeLessThan(WORKER_HEAP_MB + 100);
    kill(-limited.primary.pid!, 'SIGKILL');

    const chosen = await listening(startCluster({ WORKERS: '1', NODE_OPTIONS: '--max-old-space-size=600' }));
    const chosenHeap = Number((await get(chosen.port, '/heap')).body);
    expect(chosenHeap).toBeGreaterThanOrEqual(600);
    expect(chosenHeap).toBeLessThan(700);
  });

  it('is added only when neither the command line nor NODE_OPTIONS sets one', () => {
    expect(workerExecArgv([], '')).toEqual([`--max-old-space-size=${WORKER_HEAP_MB}`]);
    expect(workerExecArgv(['--enable-source-maps'], '--no-warnings')).toEqual(['--enable-source-maps', `--max-old-space-size=${WORKER_HEAP_MB}`]);
    expect(workerExecArgv(['--max-old-space-size=512'], '')).toEqual(['--max-old-space-size=512']);
    expect(workerExecArgv([], '--no-warnings --max_old_space_size=300')).toEqual([]);
  });
});

describe('workerCount (WEB_CONCURRENCY)', () => {
  it('defaults to two processes, one where the machine has one core', () => {
    expect(workerCount(undefined)).toBe(Math.min(2, os.availableParallelism()));
    expect(workerCount(' ')).toBe(Math.min(2, os.availableParallelism()));
  });

  it('takes a whole number from 1 to 64 and refuses anything else with the variable named', () => {
    expect(workerCount('1')).toBe(1);
    expect(workerCount('4')).toBe(4);
    for (const bad of ['0', '-1', '1.5', 'two', '65']) expect(() => workerCount(bad)).toThrow(/WEB_CONCURRENCY must be a whole number from 1 to 64/);
  });
});
