import autocannon from 'autocannon';
import { rssMb, type ServerProcess } from './processes';
import type { Row } from './report';

/**
 * `--soak <minutes>`: the scenarios' requests mixed (reads, stats, quotes and order creation, in turn on every
 * connection) for that long, one autocannon minute after another, so leaks show as a trend rather than a peak: each
 * minute's requests/s, p50, p99 and the API's RSS at its end. Reports the RSS growth from the first minute to the
 * last and the p99 drift (last minute's p99 over the first's). Issue 11 asks for RSS flat over a 5-minute soak.
 */
export interface SoakMinute {
  minute: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  rssMb: number | null;
  failures: number;
}

export async function soak(options: {
  url: string;
  server: ServerProcess;
  requests: autocannon.Request[];
  minutes: number;
  connections: number;
  log: (line: string) => void;
}): Promise<Row[]> {
  const { url, server, requests, minutes, connections, log } = options;
  log(`soak: ${minutes} min of ${requests.length} mixed requests at ${connections} connections…`);
  const series: SoakMinute[] = [];
  for (let minute = 1; minute <= minutes; minute++) {
    const result = await autocannon({ url, method: 'POST', connections, duration: 60, requests });
    const entry: SoakMinute = {
      minute,
      rps: Math.round((result.requests.total / result.duration) * 10) / 10,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      rssMb: roundMb(rssMb(server.pid)),
      failures: result.non2xx + result.errors + result.timeouts,
    };
    series.push(entry);
    log(`  minute ${minute}: ${entry.rps} req/s, p50 ${entry.p50Ms} ms, p99 ${entry.p99Ms} ms, RSS ${entry.rssMb ?? '?'} MB, ${entry.failures} failed`);
  }
  const first = series[0];
  const last = series[series.length - 1];
  const growth = first.rssMb !== null && last.rssMb !== null ? Math.round(last.rssMb - first.rssMb) : null;
  const drift = Math.round((last.p99Ms / Math.max(1, first.p99Ms)) * 100) / 100;
  log(`  RSS ${first.rssMb ?? '?'} → ${last.rssMb ?? '?'} MB (${growth === null ? '?' : `${growth >= 0 ? '+' : ''}${growth}`} MB); p99 drift ${drift}× (last minute over the first)`);
  return [
    {
      name: 'soak',
      rps: Math.round((series.reduce((n, m) => n + m.rps, 0) / series.length) * 10) / 10,
      p50Ms: last.p50Ms,
      p99Ms: last.p99Ms,
      sqlPerRequest: null,
      rssMb: last.rssMb === null ? null : Math.round(last.rssMb),
      ceiling: null,
      // The p99 drift: the last minute's p99 over the first's (≈ 1 when nothing accumulates).
      ratio: drift,
      connections,
      requests: series.reduce((n, m) => n + Math.round(m.rps * 60), 0),
      failures: series.reduce((n, m) => n + m.failures, 0),
    },
  ];
}

function roundMb(mb: number | null) {
  return mb === null ? null : Math.round(mb);
}
