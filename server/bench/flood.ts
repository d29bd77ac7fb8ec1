import autocannon from 'autocannon';
import type { MikroORM } from '@mikro-orm/postgresql';
import { createApiKeyForBrand } from '../src/api-keys/api-key.service';
import type { StatementCounter } from './database';
import { BENCH_PASSWORD, type Dataset } from './dataset';
import { withPeakRss, type ServerProcess } from './processes';
import type { Row } from './report';
import { percentile } from './webhooks';

/**
 * Issue 8's flood scenario: one partner key of the big brand sends expensive operations as fast as it can while
 * another brand's dashboard users do their usual reads, against an API that runs with the production limits (default
 * capacity and restore rate). The flood is throttled, so the other brand's p99 should stay within 2× of its quiet
 * p99. A figure, never an assertion.
 *
 * The other brand is DASHBOARD_SESSIONS people signed in, each reading at a person's pace (DASHBOARD_RATE requests/s,
 * under what their session's bucket restores, so their figures measure answers, not their own refusals). Requests
 * leave on a fixed schedule whatever the answers' speed (an open loop: a slow answer does not delay the next request,
 * so slowness is not hidden), and every latency is kept, so p50 and p99 come from all samples — 720 per phase at
 * 30 s, so a p99 is the slowest seven of them (with 6 sessions it was the slowest two, and the ratio swung 1.3–3.1×
 * for the same code; a 2 req/s × 10 s run had 20 and its "p99" was its maximum).
 *
 * Quiet and flooded time alternate in windows of WINDOW_SECONDS (quiet, flooded, then COOLDOWN_SECONDS not counted,
 * so the flood's last served operations do not spill into the next quiet window): on a machine others share, load
 * that comes and goes then falls on both phases alike instead of on whichever ran at the wrong time. Each request
 * counts in the phase it was sent in.
 */
const DASHBOARD_SESSIONS = 24;
/** Requests per second of each session: its orders page every 2 s costs less than its bucket restores. */
const DASHBOARD_RATE = 1;
/** Connections of the flooding key: a partner's worker pool. */
const FLOOD_CONNECTIONS = 20;
const WINDOW_SECONDS = 5;
const COOLDOWN_SECONDS = 3;

export interface FloodContext {
  orm: MikroORM;
  dataset: Dataset;
  counter: StatementCounter;
  /** Seconds of each phase (quiet, then flooded). */
  seconds: number;
  log: (line: string) => void;
}

/** What the other brand's dashboards got in one phase. */
interface DashboardPhase {
  latencies: number[];
  /** 429s: refused by their own session's bucket (they should not be). */
  throttled: number;
  /** Other failures: non-2xx, GraphQL errors, network errors. */
  failed: number;
  seconds: number;
}

export async function measureFlood(ctx: FloodContext, startApi: (name: string, env: Record<string, string>) => Promise<ServerProcess>): Promise<Row[]> {
  ctx.log(`flood (${ctx.seconds} s quiet and ${ctx.seconds} s flooded, alternating every ${Math.min(WINDOW_SECONDS, ctx.seconds)} s)…`);
  const { secret } = await createApiKeyForBrand(ctx.orm.em.fork(), {
    brandSlug: ctx.dataset.bigBrand.slug,
    name: `flood ${new Date().toISOString()}`,
    scopes: ['orders:read', 'stats:read'],
  });
  const limited = await startApi('API with production limits', {});
  try {
    const url = `${limited.url}/graphql`;
    const tokens: string[] = [];
    for (let i = 0; i < DASHBOARD_SESSIONS; i++) tokens.push(await signIn(url, ctx.dataset.quietBrand.adminEmail));
    // A short warm-up of the dashboard path, so the quiet phase does not measure the first compilations.
    const warmUntil = performance.now() + Math.min(3, ctx.seconds) * 1000;
    await dashboards(url, tokens, () => performance.now() >= warmUntil);
    await ctx.counter.reset();
    const { result, peakRssMb } = await withPeakRss(limited.pid, () => alternate(url, tokens, secret, ctx.seconds));
    const { quiet, flooded, flood } = result;
    await settle();
    const statements = await ctx.counter.count();
    ctx.log(`  flooding key (${FLOOD_CONNECTIONS} connections): ${flood.requests} requests, ${flood.requests - flood.refused} served, ${flood.refused} refused (429)`);
    ctx.log(`  SQL statements in both phases: ${statements ?? 'not counted'}`);
    ctx.log(`  other brand's dashboards refused by their own buckets: ${quiet.throttled} quiet, ${flooded.throttled} flooded`);
    const row = (name: string, phase: DashboardPhase, ratio: number | null): Row => ({
      name,
      rps: round(phase.latencies.length / phase.seconds, 1),
      p50Ms: round(percentile(phase.latencies, 50), 1),
      p99Ms: round(percentile(phase.latencies, 99), 1),
      sqlPerRequest: null,
      rssMb: peakRssMb === null ? null : Math.round(peakRssMb),
      ceiling: ratio === null ? null : 'flood-quiet',
      ratio,
      connections: DASHBOARD_SESSIONS,
      requests: phase.latencies.length,
      failures: phase.failed + phase.throttled,
    });
    const quietP99 = Math.max(1, percentile(quiet.latencies, 99));
    ctx.log(`  p50 ${round(percentile(quiet.latencies, 50), 1)} → ${round(percentile(flooded.latencies, 50), 1)} ms; p99 ${round(quietP99, 1)} → ${round(percentile(flooded.latencies, 99), 1)} ms`);
    return [row('flood-quiet', quiet, null), row('flood', flooded, round(percentile(flooded.latencies, 99) / quietP99, 2))];
  } finally {
    await limited.stop();
  }
}

async function signIn(url: string, email: string): Promise<string> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }`, variables: { e: email, p: BENCH_PASSWORD } }),
  });
  const json = (await res.json()) as { data?: { login: { token: string } }; errors?: unknown };
  if (!json.data) throw new Error(`flood: sign-in failed: ${JSON.stringify(json.errors)}`);
  return json.data.login.token;
}

/** What the orders page of the dashboard asks for: who am I, then the first page of orders. */
const DASHBOARD_QUERIES = [
  `{ viewer { role brand { id name currency } } }`,
  `{ orders(first: 20) { totalCount pageInfo { endCursor hasNextPage } nodes { id number status paymentStatus createdAt
      total { amount formatted } customer { email name } items { sku quantity } } } }`,
];

/** Quiet and flooded windows in turn until each phase has lasted `seconds`, the dashboards reading throughout. */
async function alternate(url: string, tokens: string[], key: string, seconds: number) {
  const window = Math.min(WINDOW_SECONDS, seconds);
  const windows = Math.max(1, Math.round(seconds / window));
  const quiet = newPhase(window * windows);
  const flooded = newPhase(window * windows);
  let current: DashboardPhase | null = quiet;
  let done = false;
  const reading = dashboards(url, tokens, () => done, () => current);
  const flood = { requests: 0, refused: 0 };
  for (let i = 0; i < windows; i++) {
    current = quiet;
    await sleep(window * 1000);
    current = flooded;
    const result = await floodWith(url, key, window);
    flood.requests += result.requests.total;
    flood.refused += result.non2xx;
    current = null;
    await sleep(COOLDOWN_SECONDS * 1000);
  }
  done = true;
  await reading;
  for (const phase of [quiet, flooded]) phase.latencies.sort((a, b) => a - b);
  return { quiet, flooded, flood };
}

function newPhase(seconds: number): DashboardPhase {
  return { latencies: [], throttled: 0, failed: 0, seconds };
}

/**
 * Each session sends DASHBOARD_RATE requests a second on a fixed schedule until `stop()`; every latency is kept in the
 * phase that was current when its request left (none: not counted).
 */
async function dashboards(url: string, tokens: string[], stop: () => boolean, phaseNow: () => DashboardPhase | null = () => null): Promise<void> {
  const interval = 1000 / DASHBOARD_RATE;
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  const send = async (token: string, query: string) => {
    const phase = phaseNow();
    const t0 = performance.now();
    try {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query }) });
      const body = await res.text();
      if (!phase) return;
      phase.latencies.push(performance.now() - t0);
      if (res.status === 429) phase.throttled++;
      else if (res.status >= 300 || body.includes('"errors"')) phase.failed++;
    } catch {
      if (phase) phase.failed++;
    }
  };
  for (let tick = 0; !stop(); tick++) {
    // Sessions start spread over the interval, as people do not click in step.
    tokens.forEach((token, i) => {
      const at = started + tick * interval + (i * interval) / tokens.length;
      inFlight.push(sleepUntil(at).then(() => send(token, DASHBOARD_QUERIES[tick % DASHBOARD_QUERIES.length])));
    });
    await sleepUntil(started + (tick + 1) * interval);
  }
  await Promise.all(inFlight);
}

/** The flooding key: two-year stats and 100-order search pages, as fast as FLOOD_CONNECTIONS connections allow. */
function floodWith(apiUrl: string, key: string, seconds: number) {
  const year = 365 * 86_400_000;
  const stats = `{ orderStats(range: { from: "${new Date(Date.now() - 2 * year).toISOString()}", to: "${new Date().toISOString()}" }) {
      byCurrency { orderCount netRevenue { amount } } series { periodStart orderCount } topProducts(limit: 20) { sku quantity } } }`;
  const bigPage = `{ orders(first: 100, filter: { search: "product 1" }) { nodes { id items { sku } statusHistory { kind } } } }`;
  const body = (query: string) => ({
    method: 'POST' as const,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query }),
  });
  return autocannon({ url: apiUrl, connections: FLOOD_CONNECTIONS, duration: seconds, requests: [body(stats), body(bigPage)] });
}

function sleepUntil(at: number) {
  return new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, at - performance.now())));
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function settle() {
  return new Promise((resolve) => setTimeout(resolve, 500));
}

function round(value: number, digits: number) {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
