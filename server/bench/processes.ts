import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const SERVER_DIR = path.resolve(__dirname, '..');
export const WEB_DIR = path.resolve(__dirname, '../../web');

/** A server the benchmark started: its URL, its pid (for RSS) and how to stop it. Every one is stopped at exit. */
export interface ServerProcess {
  name: string;
  url: string;
  pid: number;
  output(): string;
  stop(): Promise<void>;
}

const started = new Set<ServerProcess>();

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Starts `node <args>` in `cwd` and resolves once `readyUrl` answers below 500. */
export async function startServer(options: {
  name: string;
  cwd: string;
  args: string[];
  env: Record<string, string>;
  port: number;
  readyPath: string;
}): Promise<ServerProcess> {
  const child: ChildProcess = spawn(process.execPath, options.args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output = (output + chunk).slice(-20_000)));
  child.stderr!.on('data', (chunk) => (output = (output + chunk).slice(-20_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${options.port}`;
  const server: ServerProcess = {
    name: options.name,
    url,
    pid: child.pid!,
    output: () => output,
    async stop() {
      started.delete(server);
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(force);
    },
  };
  started.add(server);
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${options.name} exited with code ${child.exitCode}:\n${output}`);
    if (await fetch(`${url}${options.readyPath}`).then((r) => r.status < 500, () => false)) return server;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await server.stop();
  throw new Error(`${options.name} did not answer within 120 s:\n${output}`);
}

export async function stopAllServers() {
  await Promise.all([...started].map((server) => server.stop()));
}

/** Resident set size of a process in MB (Linux /proc), or null where it cannot be read. */
export function rssMb(pid: number): number | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
    return Number.isFinite(kb) ? kb / 1024 : null;
  } catch {
    return null;
  }
}

/** The fields of /proc/<pid>/stat after the command name (which is in parentheses and may hold spaces), or null. */
function statFields(pid: number | string): string[] | null {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  } catch {
    return null;
  }
}

/** Seconds of the ticks in `fields` at these indexes (utime and stime are the 12th and 13th after the name). */
const seconds = (fields: string[], ...indexes: number[]) => indexes.reduce((sum, i) => sum + Number(fields[i]), 0) / CLOCK_TICKS_PER_SECOND;

/** CPU seconds (user + system) a process has used so far (Linux /proc), or null where it cannot be read. */
export function cpuSeconds(pid: number): number | null {
  const fields = statFields(pid);
  return fields && seconds(fields, 11, 12);
}

/** CPU seconds of a process and its children (a PostgreSQL postmaster and its backends), or null where unreadable. */
export function treeCpuSeconds(pid: number): number | null {
  const own = statFields(pid);
  if (!own) return null;
  // Its own time and its exited children's (cutime, cstime: the 14th and 15th), so that a backend closing between two
  // readings moves its time from the live children to these fields instead of taking it out of the sum.
  let total = seconds(own, 11, 12, 13, 14);
  for (const child of childPids(pid)) {
    // A child gone meanwhile reads null: its time moves to the parent's cutime and cstime once it is reaped.
    const fields = statFields(child);
    if (fields) total += seconds(fields, 11, 12);
  }
  return total;
}

/** USER_HZ, 100 on every Linux this runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

/** The pids of a process's children (a postmaster's backends, the dashboard primary's workers). */
function childPids(pid: number): number[] {
  // The parent's pid is the 2nd field after the command name; a process gone meanwhile reads null.
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && Number(statFields(entry)?.[1]) === pid)
    .map(Number);
}

/**
 * Samples the RSS of a process and its children (the dashboard's primary and its workers) every 50 ms while `work`
 * runs; returns the work's result, the peak of their sum and the largest peak of any one of them. The children are
 * looked up once a second: reading every process's stat each 50 ms would cost the load generator's core more than the
 * sampling is worth.
 */
export async function withPeakRss<T>(
  pid: number | null,
  work: () => Promise<T>,
): Promise<{ result: T; peakRssMb: number | null; largestProcessMb: number | null }> {
  if (pid === null) return { result: await work(), peakRssMb: null, largestProcessMb: null };
  let children = childPids(pid);
  let peak: number | null = null;
  let largest: number | null = null;
  const sample = () => {
    const own = rssMb(pid);
    if (own === null) return;
    const each = [own, ...children.map((child) => rssMb(child) ?? 0)];
    const sum = each.reduce((total, mb) => total + mb, 0);
    if (peak === null || sum > peak) peak = sum;
    largest = Math.max(largest ?? 0, ...each);
  };
  sample();
  let samples = 0;
  const timer = setInterval(() => {
    if (++samples % 20 === 0) children = childPids(pid);
    sample();
  }, 50);
  try {
    const result = await work();
    return { result, peakRssMb: peak, largestProcessMb: largest };
  } finally {
    clearInterval(timer);
  }
}
