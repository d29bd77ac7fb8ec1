import cluster from 'node:cluster';
import os from 'node:os';

const MAX_WORKERS = 64;

/**
 * Each worker's old-generation limit in MB, unless the command line or NODE_OPTIONS sets one. Without it V8 sizes the
 * heap from the machine's memory and lets it grow before collecting hard: on 24 GB each worker grew to ≈ 400 MB under
 * sustained load. With it each holds ≈ 160 MB, for ≈ 8 % fewer pages a second (docs/performance.md, Memory); the
 * limit leaves room above that for an unusually heavy render. A single process (WEB_CONCURRENCY=1) is not started
 * here, so its limit is NODE_OPTIONS's: a running process cannot change its own.
 */
export const WORKER_HEAP_MB = 256;

/** The flags a worker starts with: this process's, plus the heap limit when neither they nor NODE_OPTIONS set one. */
export function workerExecArgv(execArgv = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? '') {
  const limited = [...execArgv, ...nodeOptions.split(/\s+/)].some((flag) => /^--max[-_]old[-_]space[-_]size(=|$)/.test(flag));
  return limited ? execArgv : [...execArgv, `--max-old-space-size=${WORKER_HEAP_MB}`];
}

/**
 * How many processes serve the dashboard: WEB_CONCURRENCY when set, otherwise two where the machine has two cores or
 * more. One process renders pages on one core only; a second renders on another, and keeps the dashboard up while a
 * crashed process is replaced. More than two is a deployment's choice: each process holds its own ≈ 160 MB.
 */
export function workerCount(value = process.env.WEB_CONCURRENCY) {
  if (value === undefined || value.trim() === '') return Math.min(2, os.availableParallelism());
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > MAX_WORKERS) {
    throw new Error(`WEB_CONCURRENCY must be a whole number from 1 to ${MAX_WORKERS}, not "${value}"`);
  }
  return count;
}

/**
 * Runs `count` copies of the running script as cluster workers that share its listening port, connections handed
 * round-robin by this primary process.
 * - A worker that exits after it listened (a crash, an out-of-memory kill, a signal sent to it alone) is replaced.
 * - A worker that exits before it ever listened means the setup is wrong (the port taken, the build missing): every
 *   worker is stopped and this process exits with that worker's code, rather than restarting it in a loop.
 * - SIGTERM and SIGINT are passed on to the workers, which answer the requests in flight and exit; this process exits
 *   once they all have.
 * - Each worker's heap is limited (`workerExecArgv`).
 * `onListening` is called once, with the address, when the first worker listens.
 */
export function superviseWorkers(count, { log = console.error, onListening = () => {} } = {}) {
  const listened = new Set();
  let announced = false;
  let stopping = false;

  const stop = (signal) => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
  };

  cluster.on('listening', (worker, address) => {
    listened.add(worker.id);
    if (!announced) onListening(address);
    announced = true;
  });
  cluster.on('exit', (worker, code, signal) => {
    const how = signal ?? `code ${code}`;
    const hadListened = listened.delete(worker.id);
    if (stopping) return;
    if (!hadListened) {
      log(`[luneo-web] a dashboard process exited before it listened (${how}); stopping the others`);
      process.exitCode = code || 1;
      stop('SIGTERM');
      return;
    }
    log(`[luneo-web] dashboard process ${worker.process.pid} exited (${how}); starting another`);
    cluster.fork();
  });
  for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => stop(signal));

  cluster.setupPrimary({ execArgv: workerExecArgv() });
  for (let i = 0; i < count; i++) cluster.fork();
}
