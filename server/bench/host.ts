import fs from 'node:fs';

/**
 * The hypervisor's share of this machine's CPU. On a virtual machine, "steal" (in /proc/stat) is the time a virtual CPU
 * wanted to run and the host gave its core to someone else. A scenario measured while the host takes 20 % of the time
 * reads 20 % slower whatever the code does, so each measured window reports it.
 *
 * Measured on the 2-core reference machine (3 Dec 2026): restoring the 3.9 GB benchmark database from its snapshot
 * (`--fresh-writes`) is followed, 15–20 s after the copy returns, by 30–60 s in which the host writes those files back
 * to its own disks and steals 5–43 % of a busy CPU; idle, the host steals ≈ 1 %. The first scenarios after a restore
 * used to run inside that window.
 */
export interface CpuTicks {
  busy: number;
  steal: number;
}

/** The machine's CPU ticks so far (all CPUs), or null where /proc/stat does not exist. */
export function readCpuTicks(): CpuTicks | null {
  try {
    const [user, nice, system, , , irq, softirq, steal] = fs
      .readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    return { busy: user + nice + system + irq + softirq + steal, steal };
  } catch {
    return null;
  }
}

/** Steal as a percentage of the CPU time the machine wanted (busy or stolen) between two readings. */
export function stealPercent(before: CpuTicks | null, after: CpuTicks | null): number | null {
  if (!before || !after || after.busy <= before.busy) return null;
  return Math.round(((after.steal - before.steal) / (after.busy - before.busy)) * 1000) / 10;
}

/** Keeps one CPU busy for `ms` (steal only shows while a CPU wants to run) and returns the steal meanwhile. */
function probe(ms: number): number | null {
  const before = readCpuTicks();
  const until = performance.now() + ms;
  let spin = 0;
  while (performance.now() < until) spin += Math.sqrt(spin + 1);
  return stealPercent(before, readCpuTicks());
}

const QUIET_PERCENT = 3;
const QUIET_PROBES = 10;
/** The write-back starts 15–20 s after the writes: a quiet first few seconds prove nothing. */
const MIN_WAIT_SECONDS = 30;
const MAX_WAIT_SECONDS = 180;

/**
 * After writing a large database (a restore or a build), waits until the host has written it back: at least
 * MIN_WAIT_SECONDS, then until QUIET_PROBES one-second probes in a row see ≤ QUIET_PERCENT steal, at most
 * MAX_WAIT_SECONDS. Logs what it waited and saw, so a run that could not settle says so.
 */
export async function waitForQuietHost(log: (line: string) => void) {
  if (!readCpuTicks()) return;
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  let quiet = 0;
  let worst = 0;
  let last: number | null = null;
  while (elapsed() < MAX_WAIT_SECONDS) {
    last = probe(1000);
    if (last === null) return;
    worst = Math.max(worst, last);
    quiet = last <= QUIET_PERCENT ? quiet + 1 : 0;
    if (quiet >= QUIET_PROBES && elapsed() >= MIN_WAIT_SECONDS) break;
    // Let the event loop breathe between probes (timers, the database client's keep-alives).
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const settled = quiet >= QUIET_PROBES;
  log(
    `${settled ? 'Host settled' : 'Host still busy'} after ${elapsed().toFixed(0)} s (steal of a busy CPU: at most ${worst} %, last ${last} %)` +
      (settled ? '' : '; the first scenarios may read slow, see their steal %'),
  );
}
