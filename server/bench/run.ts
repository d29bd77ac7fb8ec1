import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { MikroORM } from '@mikro-orm/postgresql';
import { Pool } from 'pg';
import { ormConfig } from '../src/db/orm-config';
import { WEBHOOK_SECRET } from '../test/support/stripe';
import { LIST_PAGE_SQL } from './ceiling';
import { openBenchDatabase, StatementCounter, type BenchDatabase } from './database';
import { BENCH_PASSWORD, ensureDataset, type Dataset } from './dataset';
import { measureFlood } from './flood';
import { compareInstances } from './instances';
import { cpuSeconds, freePort, SERVER_DIR, startServer, stopAllServers, treeCpuSeconds, WEB_DIR, withPeakRss, type ServerProcess } from './processes';
import { readCpuTicks, stealPercent, waitForQuietHost } from './host';
import { burst, total, turns, type Burst } from './paired';
import { describeMachine, printTable, writeMarkdown, type Row } from './report';
import { dropSnapshot, restoreSnapshot, takeSnapshot } from './snapshot';
import { soak } from './soak';
import { checkBurst, deliverBurst, percentile, prepareWebhookBurst, waitUntilApplied } from './webhooks';

const USAGE = `pnpm bench [options]
  --orders <n>        orders in the big brand (default 200000; 49 small brands share 4× as many)
  --duration <s>      measured seconds per scenario (default 10; the list and single-order scenarios spend as long
                      again on their ceiling, in turns with it)
  --warmup <s>        warm-up seconds before each (default: the duration, at most 5)
  --connections <n>   autocannon connections (default 10; stripe-events always 50 concurrent deliveries)
  --rebuild           rebuild the benchmark database even if it matches
  --json <file>       also write { machine, scenarios } as JSON
  --output <file>     the markdown report (default docs/performance.md; --no-write skips it)
  --instances <n>     also run a mixed scenario through n API instances on one database and compare their answers
  --data-dir <dir>    the embedded PostgreSQL's folder (default .data/bench/pg; ignored with DATABASE_URL)
  --pg-port <n>       its port (default 54393)
  --only <names>      run only these scenarios (comma-separated, e.g. list-first,stats-30d) and the ceilings they use;
                      prints the table without writing docs/performance.md
  --flood-duration <s> seconds of each flood phase, quiet then flooded (default 3 × --duration: 30 s)
  --cpu-prof <dir>    write a V8 CPU profile of each API, ceiling and dashboard process into <dir> (open in Chrome DevTools or speedscope)
  --soak <minutes>    also run the scenarios' requests mixed for that long: per minute req/s, p50, p99 and the API's
                      RSS, then RSS growth and p99 drift (with --only soak, nothing else)
  --fresh-writes      start from the database as built: restore it from its snapshot (taken at the first such run),
                      so that orders, brands and sessions earlier runs created do not pile up`;

/**
 * `pnpm bench`: the reference benchmark of issue 11. Builds (or reuses) the benchmark database, starts the API as
 * `pnpm start` starts it (src/ compiled to dist/, then the node arguments of the server's `start` script;
 * NODE_ENV=production) and the ceilings beside it, loads each scenario with autocannon after a warm-up, and reports
 * requests/s, p50, p99, SQL statements per request (pg_stat_statements), the serving process's peak RSS, and each
 * scenario's ratio to its ceiling, measured in the same run. Never asserts a timing: machines differ, ratios carry over.
 * The scenarios whose ceiling is `ceiling-apollo-sql` take turns with it (four turns of duration/4 each side, ABBA),
 * so each ratio compares the two in the same minute; the host's steal during each scenario is reported beside it.
 */
async function main() {
  const { values } = parseArgs({
    options: {
      orders: { type: 'string', default: '200000' },
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string' },
      connections: { type: 'string', default: '10' },
      rebuild: { type: 'boolean', default: false },
      json: { type: 'string' },
      output: { type: 'string', default: path.resolve(SERVER_DIR, '../docs/performance.md') },
      'no-write': { type: 'boolean', default: false },
      instances: { type: 'string', default: '1' },
      'data-dir': { type: 'string', default: path.resolve(SERVER_DIR, '../.data/bench/pg') },
      'pg-port': { type: 'string', default: '54393' },
      only: { type: 'string' },
      'flood-duration': { type: 'string' },
      'cpu-prof': { type: 'string' },
      soak: { type: 'string', default: '0' },
      'fresh-writes': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const options = {
    orders: Number(values.orders),
    duration: Number(values.duration),
    warmup: values.warmup === undefined ? Math.min(5, Number(values.duration)) : Number(values.warmup),
    connections: Number(values.connections),
    instances: Number(values.instances),
    only: values.only ? new Set(values.only.split(',').map((name) => name.trim()).filter(Boolean)) : null,
    floodDuration: values['flood-duration'] === undefined ? 3 * Number(values.duration) : Number(values['flood-duration']),
    soakMinutes: Number(values.soak),
  };
  const log = (line: string) => console.log(line);
  // pnpm runs this in server/; paths on the command line are meant from where `pnpm bench` was typed.
  const fromCaller = (file: string) => path.resolve(process.env.INIT_CWD ?? process.cwd(), file);
  const output = fromCaller(values.output!);
  const cpuProfDir = values['cpu-prof'] === undefined ? null : fromCaller(values['cpu-prof']);
  const jsonFile = values.json === undefined ? undefined : fromCaller(values.json);

  let database: BenchDatabase | null = null;
  let orm: MikroORM | null = null;
  let counter: StatementCounter | null = null;
  const stopEverything = async () => {
    await stopAllServers();
    await counter?.close();
    await orm?.close(true);
    await database?.stop();
  };
  // Ctrl-C must not leave a postmaster or an API behind.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stopEverything().finally(() => process.exit(130));
    });
  }
  try {
    database = await openBenchDatabase({ dataDir: fromCaller(values['data-dir']!), port: Number(values['pg-port']), log });
    const fresh = values['fresh-writes']!;
    if (fresh && values.rebuild) await dropSnapshot(database.url);
    const restored = fresh && !values.rebuild ? await restoreSnapshot(database.url, log) : false;
    const dataset = await ensureDataset(database.url, { orders: options.orders, rebuild: values.rebuild!, ownsDatabase: database.embedded, log });
    if (fresh && !restored) await takeSnapshot(database.url, log);
    orm = await MikroORM.init(ormConfig(database.url, { pool: { min: 0, max: 4 } }));
    // A restore, a snapshot or a build has just written the whole database: on a virtual machine the host writes it
    // back to its disks for a minute, taking CPU from the first scenarios (bench/host.ts). Small databases do not show it.
    if (fresh || dataset.builtNow) {
      const [{ bytes }] = await orm.em.getConnection().execute('select pg_database_size(current_database())::float8 as bytes');
      if (bytes >= LARGE_WRITE_BYTES) await waitForQuietHost(log);
    }
    counter = await StatementCounter.open(database);
    if (!fresh) await warnAboutLeftovers(orm, dataset, log);
    const rows = await runScenarios({ database, dataset, orm, counter, ...options, cpuProfDir, log });
    const machine = describeMachine(database.postgresVersion);
    const settings = { orders: options.orders, duration: options.duration, warmup: options.warmup, connections: options.connections };
    printTable(rows, machine, settings);
    if (!values['no-write'] && !options.only) {
      writeMarkdown(output, rows, machine, settings);
      log(`Wrote ${output}`);
    }
    if (jsonFile) {
      fs.writeFileSync(jsonFile, JSON.stringify({ machine, scenarios: rows }, null, 2));
      log(`Wrote ${jsonFile}`);
    }
  } finally {
    await stopEverything();
  }
}

interface Context {
  database: BenchDatabase;
  dataset: Dataset;
  orm: MikroORM;
  counter: StatementCounter;
  duration: number;
  warmup: number;
  connections: number;
  instances: number;
  /** Scenario names to run (null: all). */
  only: Set<string> | null;
  floodDuration: number;
  /** Minutes of the mixed soak (0: none). */
  soakMinutes: number;
  /** Where the API processes write their CPU profiles (--cpu-prof), or null. */
  cpuProfDir: string | null;
  log: (line: string) => void;
}

/** Failed answers of a scenario, and the first one's status and body (printed, to say why). */
interface Failures {
  count: number;
  first?: string;
}

/** What a scenario sends: autocannon requests, each of which counts a failed answer (non-2xx or GraphQL errors). */
interface Scenario {
  name: string;
  ceiling: string | null;
  url: string;
  /** The process whose peak RSS is reported. */
  server: ServerProcess | null;
  /** Processes whose CPU per request is logged (busy time read from /proc, steadier than req/s on a shared machine). */
  cpuOf?: ServerProcess[];
  requests: (failures: Failures) => autocannon.Request[];
  /** Concurrency when the target is stated at one (a person's dashboard); otherwise --connections. */
  connections?: number;
  /** The ceiling measured in turns with this scenario (bench/paired.ts), whose req/s in those turns gives the ratio. */
  pairedWith?: PairedCeiling;
}

interface PairedCeiling {
  name: string;
  url: string;
  server: ServerProcess;
  requests: (failures: Failures) => autocannon.Request[];
  /** Warmed up once, before its first turn. */
  warm: boolean;
}

function graphql(token: string | null, query: string, variables: Record<string, unknown> = {}) {
  return (failures: Failures): autocannon.Request => ({
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
    onResponse: (status: number, body: string) => {
      if (status >= 300 || body.includes('"errors"')) {
        failures.count++;
        failures.first ??= `${status} ${body.slice(0, 300)}`;
      }
    },
  });
}

async function post(url: string, token: string | null, query: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const json = (await res.json()) as any;
  if (json.errors) throw new Error(`${query.slice(0, 60)}…: ${JSON.stringify(json.errors)}`);
  return json.data;
}

/** The dashboard's orders document: 20 orders with items, history, formatted money and the allowed next statuses. */
export const LIST_DOCUMENT = `query($after: String) { orders(first: 20, after: $after) { totalCount pageInfo { endCursor hasNextPage }
  nodes { id number status paymentStatus nextStatuses createdAt total { amount formatted } customer { email name }
  items { sku quantity total { amount formatted } } statusHistory { kind to actor { label } createdAt } } } }`;

/**
 * The API's node arguments (V8 flags and entry point), read from the server's `start` script (`node scripts/build.mjs
 * && node … dist/main.js`), so the benchmark cannot drift from what `pnpm start` runs.
 */
function apiStartArgs(): string[] {
  const start: string = JSON.parse(fs.readFileSync(path.join(SERVER_DIR, 'package.json'), 'utf8')).scripts.start;
  const run = /&& node ((?:--\S+ )*dist\/main\.js)$/.exec(start);
  if (!run) throw new Error(`the server's start script changed shape; bench/run.ts reads its node arguments: ${start}`);
  return run[1].split(' ');
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 500));
/**
 * Orders that earlier runs created (one line, one or two timeline entries) are the newest, so they fill the list
 * scenarios' pages instead of the dataset's orders (three lines and three entries): a cheaper page, for the API and
 * for the ceiling alike but not in the same proportion (3 Dec 2026: 0.81–0.94× on such pages, 1.0–1.1× on the
 * dataset's). Said before the figures, so that no one compares the two.
 */
async function warnAboutLeftovers(orm: MikroORM, dataset: Dataset, log: (line: string) => void) {
  const [{ created }] = await orm.em
    .getConnection()
    .execute('select count(*)::int as created from orders where brand_id = ? and created_at > (select built_at from bench_dataset)', [
      dataset.bigBrand.id,
    ]);
  if (created > 0) {
    log(
      `Note: ${created.toLocaleString('en')} orders created by earlier runs are the newest of the big brand, so the list pages show them ` +
        '(one line each), not the dataset\'s orders: the list and search figures are not comparable with a --fresh-writes run.',
    );
  }
}

/** A database this large, just written, is worth waiting for the host's write-back (≈ 1 minute for 3.9 GB). */
const LARGE_WRITE_BYTES = 256 * 2 ** 20;

async function runScenarios(ctx: Context): Promise<Row[]> {
  const { dataset, database, log } = ctx;
  const apiEnv = (overrides: Record<string, string>) => ({
    NODE_ENV: 'production',
    DATABASE_URL: database.url,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'error',
    SEED_DEMO: 'false',
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    ...overrides,
  });
  // As the server's `start` script does: compile src/ to dist/ (kept when unchanged), then run the JavaScript.
  const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: SERVER_DIR, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('the API did not build');
  const startApi = async (name: string, overrides: Record<string, string>) => {
    const port = await freePort();
    return startServer({
      name,
      cwd: SERVER_DIR,
      args: [...(ctx.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${ctx.cpuProfDir}`] : []), ...apiStartArgs()],
      env: apiEnv({ PORT: String(port), ...overrides }),
      port,
      readyPath: '/readyz',
    });
  };
  // Throughput scenarios measure what the API can serve, not what one credential may: the bucket refills faster than
  // any scenario spends (the flood scenario below runs a second instance with the production limits).
  log('Starting the API (NODE_ENV=production, throttle lifted) and the ceiling server…');
  const api = await startApi('API', { THROTTLE_RESTORE_RATE: '1000000000', THROTTLE_CAPACITY: '1000000000' });
  const ceilingPort = await freePort();
  const ceiling = await startServer({
    name: 'ceiling',
    cwd: SERVER_DIR,
    args: [...(ctx.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${ctx.cpuProfDir}`] : []), '-r', '@swc-node/register', 'bench/ceiling.ts'],
    env: { DATABASE_URL: database.url, BRAND_ID: dataset.bigBrand.id, PORT: String(ceilingPort), NODE_ENV: 'production' },
    port: ceilingPort,
    readyPath: '/graphql?query=%7B__typename%7D',
  });

  const gql = `${api.url}/graphql`;
  const login = await post(gql, null, `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }`, {
    e: dataset.bigBrand.ownerEmail,
    p: BENCH_PASSWORD,
  });
  const token: string = login.login.token;

  // Inputs the scenarios rotate through, read from the API itself.
  const cursors: string[] = [];
  let after: string | null = null;
  for (let page = 0; page < 50; page++) {
    const data: any = await post(gql, token, `query($after: String) { orders(first: 20, after: $after) { pageInfo { endCursor hasNextPage } } }`, { after });
    if (!data.orders.pageInfo.hasNextPage) break;
    after = data.orders.pageInfo.endCursor;
    if (page % 5 === 0) cursors.push(after!);
  }
  const sample: any = await post(gql, token, `{ orders(first: 50) { nodes { id number customer { email } } } }`);
  const nodes: { id: string; number: string; customer: { email: string } }[] = sample.orders.nodes.filter((_: unknown, i: number) => i % 5 === 0);
  const now = Date.now();
  const day = 86_400_000;
  const iso = (t: number) => new Date(t).toISOString();
  const productId = dataset.bigBrand.productIds[0];
  let created = 0;

  const scenarios: Scenario[] = [
    { name: 'list-first', ceiling: 'ceiling-apollo-sql', url: gql, server: api, cpuOf: [api], requests: (f) => [graphql(token, LIST_DOCUMENT)(f)] },
    {
      name: 'list-next',
      ceiling: 'ceiling-apollo-sql',
      url: gql,
      server: api,
      cpuOf: [api],
      requests: (f) => cursors.map((cursor) => graphql(token, LIST_DOCUMENT, { after: cursor })(f)),
    },
    {
      name: 'list-filtered',
      ceiling: 'ceiling-apollo-sql',
      url: gql,
      server: api,
      requests: (f) => [
        graphql(token, LIST_DOCUMENT.replace('after: $after', 'after: $after, filter: $filter').replace('$after: String', '$after: String, $filter: OrderFilter'), {
          filter: { status: ['SHIPPED', 'PROCESSING'], createdAfter: iso(now - 90 * day), createdBefore: iso(now - 30 * day) },
        })(f),
      ],
    },
    {
      name: 'search',
      ceiling: 'ceiling-apollo-sql',
      url: gql,
      server: api,
      requests: (f) =>
        nodes.map((n) =>
          graphql(token, `query($s: String!) { orders(first: 20, filter: { search: $s }) { nodes { id number status total { amount formatted } customer { email } } } }`, {
            s: n.customer.email,
          })(f),
        ),
    },
    {
      name: 'order-by-id',
      ceiling: 'ceiling-apollo-sql',
      url: gql,
      server: api,
      cpuOf: [api],
      requests: (f) => nodes.map((n) => graphql(token, `query($id: ID!) { order(id: $id) { ${ORDER_FIELDS} } }`, { id: n.id })(f)),
    },
    {
      name: 'order-by-number',
      ceiling: 'ceiling-apollo-sql',
      url: gql,
      server: api,
      cpuOf: [api],
      requests: (f) =>
        nodes.map((n) => graphql(token, `query($n: String!) { orderByNumber(number: $n) { ${ORDER_FIELDS} } }`, { n: n.number })(f)),
    },
    {
      name: 'stats-30d',
      ceiling: 'ceiling-apollo-trivial',
      url: gql,
      server: api,
      connections: 1,
      requests: (f) => [graphql(token, STATS_DOCUMENT, { range: { from: iso(now - 30 * day), to: iso(now), interval: 'DAY' } })(f)],
    },
    {
      name: 'stats-year',
      ceiling: 'ceiling-apollo-trivial',
      url: gql,
      server: api,
      connections: 1,
      requests: (f) => [graphql(token, STATS_DOCUMENT, { range: { from: iso(now - 365 * day), to: iso(now), interval: 'MONTH' } })(f)],
    },
    {
      name: 'quote',
      ceiling: 'ceiling-apollo-trivial',
      url: gql,
      server: api,
      requests: (f) => [
        graphql(token, `query($i: CreateOrderInput!) { quoteOrder(input: $i) { subtotal { amount } shippingTotal { amount } taxTotal { amount } total { amount formatted } } }`, {
          i: { customer: { email: 'quote@example.com' }, items: [{ productId, quantity: 2 }, { productId: dataset.bigBrand.productIds[1], quantity: 1 }] },
        })(f),
      ],
    },
    {
      name: 'create-order',
      ceiling: 'ceiling-apollo-trivial',
      url: gql,
      server: api,
      cpuOf: [api],
      requests: (f) => [
        {
          ...graphql(token, '')(f),
          setupRequest: (req: any) => ({
            ...req,
            body: JSON.stringify({
              query: `mutation($i: CreateOrderInput!) { createOrder(input: $i) { id number } }`,
              variables: { i: { items: [{ productId, quantity: 1 }], customer: { email: `bench${created++}@example.com` } } },
            }),
          }),
        },
      ],
    },
  ];

  // The list and single-order scenarios take turns with the list ceiling, so that their ratios compare one machine.
  const listCeiling: PairedCeiling = {
    name: 'ceiling-apollo-sql',
    url: `${ceiling.url}/graphql`,
    server: ceiling,
    requests: (f) => [graphql(null, LIST_DOCUMENT)(f)],
    warm: false,
  };
  for (const scenario of scenarios) if (scenario.ceiling === listCeiling.name) scenario.pairedWith = listCeiling;

  // --only: the named scenarios, and the ceilings their ratios need (all of them when nothing is named).
  const wanted = (name: string) => ctx.only === null || ctx.only.has(name);
  const ceilingOf = new Map<string, string>([
    ...scenarios.map((s) => [s.name, s.ceiling ?? ''] as [string, string]),
    ['stripe-events', 'ceiling-apollo-trivial'],
    ['web-orders-page', 'ceiling-apollo-trivial'],
    ['ceiling-apollo-sql', 'ceiling-sql'],
  ]);
  const ceilingWanted = (name: string) => wanted(name) || [...ceilingOf].some(([scenario, ceil]) => ceil === name && ctx.only?.has(scenario));

  const rows: Row[] = [];
  for (const scenario of scenarios) if (wanted(scenario.name)) rows.push(await measure(ctx, scenario, scenario.connections));

  // stripe-events: a fixed burst rather than a duration (each delivery is a distinct or duplicate event, once).
  if (wanted('stripe-events')) rows.push(...(await measureStripe(ctx, api)));

  if (wanted('web-orders-page')) rows.push(...(await measureDashboard(ctx, api)));

  log('Ceilings…');
  if (ceilingWanted('ceiling-apollo-sql')) {
    rows.push(
      await measure(ctx, {
        name: 'ceiling-apollo-sql',
        ceiling: 'ceiling-sql',
        url: `${ceiling.url}/graphql`,
        server: ceiling,
        cpuOf: [ceiling],
        requests: (f) => [graphql(null, LIST_DOCUMENT)(f)],
      }),
    );
  }
  if (ceilingWanted('ceiling-apollo-trivial')) {
    rows.push(
      await measure(ctx, {
        name: 'ceiling-apollo-trivial',
        ceiling: null,
        url: `${ceiling.url}/graphql`,
        server: ceiling,
        requests: (f) => [graphql(null, '{ __typename }')(f)],
      }),
    );
  }
  if (ceilingWanted('ceiling-sql')) rows.push(await measureRawSql(ctx));

  if (wanted('flood')) rows.push(...(await measureFlood({ ...ctx, seconds: ctx.floodDuration }, startApi)));
  if (ctx.soakMinutes > 0) {
    const mix = scenarios.filter((s) => SOAK_MIX.has(s.name)).flatMap((s) => s.requests({ count: 0 }));
    rows.push(...(await soak({ url: gql, server: api, requests: mix, minutes: ctx.soakMinutes, connections: ctx.connections, log })));
  }
  if (ctx.instances > 1) rows.push(...(await compareInstances(ctx, startApi, token, LIST_DOCUMENT)));
  await api.stop();
  await ceiling.stop();

  // Each scenario's ratio to its ceiling, both from this run.
  for (const row of rows) {
    const ceilingRow = rows.find((r) => r.name === row.ceiling);
    if (row.ratio === null && ceilingRow && ceilingRow.rps > 0) row.ratio = round(row.rps / ceilingRow.rps, 2);
  }
  return rows;
}

/** What the soak mixes: the dashboard's reads, stats, quotes and order creation. */
const SOAK_MIX = new Set(['list-first', 'list-next', 'search', 'order-by-id', 'stats-30d', 'quote', 'create-order']);

const ORDER_FIELDS = `id number status paymentStatus nextStatuses createdAt subtotal { amount formatted } total { amount formatted }
  customer { email name } items { sku name quantity unitPrice { amount formatted } total { amount formatted } }
  statusHistory { kind from to note actor { type label } createdAt }`;

const STATS_DOCUMENT = `query($range: StatsRange!) { orderStats(range: $range) {
  byCurrency { currency orderCount netRevenue { amount formatted } } byStatus { status count }
  byPaymentStatus { paymentStatus count } series { periodStart currency orderCount netRevenue { amount } } topProducts { sku quantity } } }`;

function round(value: number, digits: number) {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** The server's postmaster (the parent of this connection's backend), whose process tree is PostgreSQL's CPU. */
async function postmasterPid(ctx: Context): Promise<number> {
  const [{ pid: backend }] = await ctx.orm.em.getConnection().execute('select pg_backend_pid() as pid');
  return Number(fs.readFileSync(`/proc/${backend}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
}

async function measure(ctx: Context, scenario: Scenario, connections = ctx.connections): Promise<Row> {
  ctx.log(`${scenario.name}…`);
  const failures: Failures = { count: 0 };
  const requests = scenario.requests(failures);
  const options = (duration: number): autocannon.Options => ({ url: scenario.url, method: 'POST', connections, duration, requests });
  // Every distinct request once, answered correctly, before any load: a scenario that cannot answer stops the run
  // here with the answer it got, whatever the machine's speed.
  for (const request of requests) {
    const sent = request.setupRequest ? (request.setupRequest as (r: autocannon.Request, c: object) => autocannon.Request)({ ...request }, {}) : request;
    const res = await fetch(`${scenario.url}${sent.path ?? ''}`, { method: sent.method ?? 'POST', headers: sent.headers as Record<string, string>, body: sent.body as string | undefined });
    const before = failures.count;
    (request.onResponse as (status: number, body: string) => void)(res.status, await res.text());
    if (failures.count > before) throw new Error(`${scenario.name} answered: ${failures.first}`);
  }
  const paired = scenario.pairedWith ?? null;
  const ceilingOptions = (duration: number): autocannon.Options | null =>
    paired && { url: paired.url, method: 'POST', connections, duration, requests: paired.requests({ count: 0 }) };
  if (ctx.warmup > 0) {
    await autocannon(options(ctx.warmup));
    if (paired && !paired.warm) await autocannon(ceilingOptions(ctx.warmup)!);
  }
  if (paired) paired.warm = true;
  await settle();
  await ctx.counter.reset();
  const postmaster = scenario.cpuOf?.length ? await postmasterPid(ctx) : null;
  // CPU and statements are summed over the scenario's own turns; the ceiling's CPU over its turns.
  const cpu = new Array<number>((scenario.cpuOf ?? []).length).fill(0);
  let pgCpu = 0;
  let ceilingCpu = 0;
  let statements: number | null = 0;
  const scenarioBursts: Burst[] = [];
  const ceilingBursts: Burst[] = [];
  const rounds = paired ? (ctx.duration >= 4 ? 4 : 1) : 1;
  const length = paired ? ctx.duration / rounds : ctx.duration;
  const ticksBefore = readCpuTicks();
  const { peakRssMb, largestProcessMb } = await withPeakRss(scenario.server?.pid ?? null, async () => {
    for (const side of paired ? turns(rounds) : (['scenario'] as const)) {
      const servers = side === 'scenario' ? (scenario.cpuOf ?? []) : [paired!.server];
      // A server's own CPU and its children's: the dashboard runs as a primary and its workers.
      const cpuBefore = servers.map((server) => treeCpuSeconds(server.pid));
      const pgBefore = postmaster === null ? null : treeCpuSeconds(postmaster);
      const countBefore = side === 'scenario' ? await ctx.counter.count() : null;
      const done = await burst(side === 'scenario' ? options(length) : ceilingOptions(length)!);
      // Requests in flight at the deadline still finish on the server: counted once they have.
      await settle();
      const spent = servers.map((server, i) => {
        const after = treeCpuSeconds(server.pid);
        return after === null || cpuBefore[i] === null ? NaN : after - cpuBefore[i]!;
      });
      const pgAfter = postmaster === null ? null : treeCpuSeconds(postmaster);
      const pgSpent = pgBefore === null || pgAfter === null ? 0 : pgAfter - pgBefore;
      if (side === 'scenario') {
        spent.forEach((seconds, i) => (cpu[i] += seconds));
        pgCpu += pgSpent;
        const countAfter = await ctx.counter.count();
        statements = statements === null || countBefore === null || countAfter === null ? null : statements + countAfter - countBefore;
        scenarioBursts.push(done);
      } else {
        ceilingCpu += spent[0];
        ceilingBursts.push(done);
      }
    }
  });
  const stealPct = stealPercent(ticksBefore, readCpuTicks());
  const result = total(scenarioBursts);
  const perRequest = (seconds: number, n: number) => ((seconds * 1000) / n).toFixed(2);
  if (result.requests) {
    (scenario.cpuOf ?? []).forEach((server, i) => {
      if (!Number.isNaN(cpu[i])) ctx.log(`  ${server.name} CPU ${perRequest(cpu[i], result.requests)} ms per request`);
    });
    if (postmaster !== null) ctx.log(`  PostgreSQL CPU ${perRequest(pgCpu, result.requests)} ms per request`);
  }
  let ratio: number | null = null;
  if (paired) {
    const ceiling = total(ceilingBursts);
    const ceilingRps = ceiling.requests / ceiling.seconds;
    ratio = ceilingRps > 0 ? round(result.requests / result.seconds / ceilingRps, 2) : null;
    ctx.log(
      `  ${paired.name} in turns with it (${rounds} × ${length} s each): ${ceilingRps.toFixed(1)} req/s` +
        (ceiling.requests && !Number.isNaN(ceilingCpu) ? `, its server's CPU ${perRequest(ceilingCpu, ceiling.requests)} ms per request` : ''),
    );
  }
  // The dashboard's row reads its processes together; the largest alone is what one process's memory limit sees.
  if (peakRssMb !== null && largestProcessMb !== null && largestProcessMb < peakRssMb) {
    ctx.log(`  peak RSS ${Math.round(peakRssMb)} MB over its processes, the largest ${Math.round(largestProcessMb)} MB`);
  }
  if (failures.first) ctx.log(`  ${failures.count} failed answers; the first: ${failures.first}`);
  const sent = Math.max(result.sent, result.requests);
  const latencies = result.latencies.sort((a, b) => a - b);
  return {
    name: scenario.name,
    rps: round(result.requests / result.seconds, 1),
    p50Ms: latencies.length ? Math.round(percentile(latencies, 50)) : 0,
    p99Ms: latencies.length ? Math.round(percentile(latencies, 99)) : 0,
    sqlPerRequest: statements === null || sent === 0 ? null : round(statements / sent, 2),
    rssMb: peakRssMb === null ? null : Math.round(peakRssMb),
    ceiling: scenario.ceiling,
    ratio,
    connections,
    requests: result.requests,
    failures: failures.count + result.errors + result.timeouts,
    stealPct,
  };
}

/**
 * Two rows: `stripe-events`, the deliveries as Stripe sees them (answered once stored, with the outcome when it came in
 * time), and `stripe-events-applied`, the same deliveries until the last event's effects committed, with how long each
 * event waited in the inbox. CPU and statements count everything up to then.
 */
async function measureStripe(ctx: Context, api: ServerProcess): Promise<Row[]> {
  ctx.log('stripe-events…');
  // 1,000 checkouts × 4 events + 25% duplicates at the default duration (5,000 deliveries, ≈ 4 s of answers on 2 cores);
  // fewer in short runs. At 1,500 the burst lasted ≈ 1.2 s once deliveries were answered from the inbox, and its p99
  // (the 15th slowest) was the 50 connections opening at its start, not the steady state the other scenarios measure.
  const checkouts = Math.max(10, Math.min(1000, Math.round(ctx.duration * 100)));
  const warm = await prepareWebhookBurst(ctx.orm, Math.max(5, Math.round(checkouts / 10)));
  const warmed = await deliverBurst(api.url, warm);
  await waitUntilApplied(ctx.orm, warm, warmed.startedAt);
  const burst = await prepareWebhookBurst(ctx.orm, checkouts);
  await settle();
  await ctx.counter.reset();
  const postmaster = await postmasterPid(ctx);
  const cpuBefore = cpuSeconds(api.pid);
  const pgBefore = treeCpuSeconds(postmaster);
  const ticksBefore = readCpuTicks();
  const { result: { result, applied }, peakRssMb } = await withPeakRss(api.pid, async () => {
    const answered = await deliverBurst(api.url, burst);
    return { result: answered, applied: await waitUntilApplied(ctx.orm, burst, answered.startedAt) };
  });
  const stealPct = stealPercent(ticksBefore, readCpuTicks());
  await settle();
  const cpuAfter = cpuSeconds(api.pid);
  const pgAfter = treeCpuSeconds(postmaster);
  const statements = await ctx.counter.count();
  const check = await checkBurst(ctx.orm, burst);
  ctx.log(`  ${burst.deliveries.length} deliveries (${burst.unique} distinct + ${burst.duplicates} duplicates), 50 concurrent: ${check.summary}`);
  if (cpuBefore !== null && cpuAfter !== null) {
    ctx.log(`  ${api.name} CPU ${(((cpuAfter - cpuBefore) * 1000) / burst.deliveries.length).toFixed(2)} ms per delivery`);
  }
  if (pgBefore !== null && pgAfter !== null) {
    ctx.log(`  PostgreSQL CPU ${(((pgAfter - pgBefore) * 1000) / burst.deliveries.length).toFixed(2)} ms per delivery`);
  }
  const failed = [...result.statuses.entries()].filter(([status]) => status < 200 || status >= 300).reduce((n, [, count]) => n + count, 0);
  const queued = result.queued;
  ctx.log(`  ${queued} of ${burst.deliveries.length} answers said queued`);
  if (applied) {
    ctx.log(`  the last event applied ${applied.seconds.toFixed(2)} s after the first delivery (answers took ${result.seconds.toFixed(2)} s)`);
  }
  const answers: Row = {
    name: 'stripe-events',
    rps: round(burst.deliveries.length / result.seconds, 1),
    p50Ms: round(percentile(result.latencies, 50), 1),
    p99Ms: round(percentile(result.latencies, 99), 1),
    sqlPerRequest: statements === null ? null : round(statements / burst.deliveries.length, 2),
    rssMb: peakRssMb === null ? null : Math.round(peakRssMb),
    ceiling: 'ceiling-apollo-trivial',
    ratio: null,
    connections: 50,
    requests: burst.deliveries.length,
    failures: failed + (check.fine ? 0 : 1),
    stealPct,
  };
  const appliedRow: Row = {
    ...answers,
    name: 'stripe-events-applied',
    rps: applied ? round(burst.deliveries.length / applied.seconds, 1) : 0,
    p50Ms: applied ? round(percentile(applied.waits, 50), 1) : 0,
    p99Ms: applied ? round(percentile(applied.waits, 99), 1) : 0,
    failures: applied ? answers.failures : answers.failures + 1,
  };
  return [answers, appliedRow];
}

/** Whether web/build is newer than every source it is built from (a stale build would measure old code). */
function dashboardBuildIsCurrent(): boolean {
  const built = path.join(WEB_DIR, 'build/server/index.js');
  if (!fs.existsSync(built)) return false;
  const builtAt = fs.statSync(built).mtimeMs;
  const newest = (entry: string): number => {
    const stat = fs.statSync(entry);
    if (!stat.isDirectory()) return stat.mtimeMs;
    return Math.max(stat.mtimeMs, ...fs.readdirSync(entry).map((name) => newest(path.join(entry, name))));
  };
  const sources = ['app', 'package.json', 'vite.config.ts'].map((name) => path.join(WEB_DIR, name)).filter((entry) => fs.existsSync(entry));
  return sources.every((entry) => newest(entry) <= builtAt);
}

/** Server render of /orders by the dashboard's production build (web/server.mjs, as `pnpm start` runs it) against this API, signed in through its form. */
async function measureDashboard(ctx: Context, api: ServerProcess): Promise<Row[]> {
  if (!dashboardBuildIsCurrent()) {
    ctx.log('Building the dashboard…');
    const build = spawnSync('pnpm', ['--silent', 'build'], { cwd: WEB_DIR, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
    if (build.status !== 0) throw new Error('the dashboard did not build');
  }
  const port = await freePort();
  const web = await startServer({
    name: 'dashboard',
    cwd: WEB_DIR,
    args: [
      ...(ctx.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${ctx.cpuProfDir}`] : []),
      path.join(WEB_DIR, 'server.mjs'),
      './build/server/index.js',
    ],
    env: {
      API_URL: `${api.url}/graphql`,
      PORT: String(port),
      HOST: '127.0.0.1',
      NODE_ENV: 'production',
      // Production refuses a secret shorter than 32 characters.
      SESSION_SECRET: 'bench-session-secret-0123456789abcdef0123456789abcdef',
    },
    port,
    readyPath: '/login',
  });
  try {
    const login = await fetch(`${web.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: ctx.dataset.bigBrand.ownerEmail, password: BENCH_PASSWORD, redirectTo: '/orders' }),
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
    if (!cookie) throw new Error(`dashboard sign-in failed (${login.status}):\n${web.output()}`);
    const t0 = performance.now();
    const probe = await fetch(`${web.url}/orders`, { headers: { cookie }, redirect: 'manual' });
    const html = await probe.text();
    ctx.log(`  one render: ${probe.status}, ${html.length} bytes, ${(performance.now() - t0).toFixed(0)} ms`);
    if (probe.status !== 200) throw new Error(`the dashboard answered /orders with ${probe.status}:\n${html.slice(0, 500)}`);
    await warmUntilSettled(ctx, web, `${web.url}/orders`, { cookie });
    const row = await measure(ctx, {
      name: 'web-orders-page',
      ceiling: 'ceiling-apollo-trivial',
      url: `${web.url}/orders`,
      server: web,
      cpuOf: [web, api],
      requests: (failures) => [
        {
          method: 'GET',
          headers: { cookie },
          onResponse: (status: number) => {
            if (status !== 200) {
              failures.count++;
              failures.first ??= String(status);
            }
          },
        },
      ],
    });
    const size = spawnSync('node', ['scripts/bundle-size.mjs'], { cwd: WEB_DIR, encoding: 'utf8' });
    if (size.status === 0) ctx.log(`  ${size.stdout.trim()} (budget ≤ 200 KB gzipped)`);
    return [row];
  } finally {
    await web.stop();
  }
}

/**
 * A dashboard just started renders its first thousands of pages with code V8 has not optimised yet: 9–12 ms of CPU a
 * page in its first seconds, 5–7 ms once settled (3 Dec 2026), and each of its processes warms up on its own. Every
 * other server is warm when it is measured (the API has served the scenarios before), so the dashboard is loaded in
 * bursts of 3 s until two bursts in a row are no longer 5 % below the cheapest before them (single bursts swing by a
 * third on this machine), at least 6 (≈ 2,000 pages) and at most 12, then measured as the others are, after the
 * usual warm-up (none with `--warmup 0`).
 */
async function warmUntilSettled(ctx: Context, web: ServerProcess, url: string, headers: Record<string, string>) {
  if (ctx.warmup === 0) return;
  const perPage: number[] = [];
  let cheapest = Infinity;
  let flat = 0;
  for (let i = 0; i < 12 && (i < 6 || flat < 2); i++) {
    const before = treeCpuSeconds(web.pid);
    const done = await burst({ url, method: 'GET', headers, connections: ctx.connections, duration: 3 });
    const after = treeCpuSeconds(web.pid);
    if (before === null || after === null || done.requests === 0) return;
    const ms = ((after - before) * 1000) / done.requests;
    perPage.push(ms);
    flat = ms < cheapest * 0.95 ? 0 : flat + 1;
    cheapest = Math.min(cheapest, ms);
  }
  ctx.log(`  warmed until settled: ${perPage.map((ms) => ms.toFixed(2)).join(' → ')} ms of the dashboard's CPU a page`);
}

/** The list statement alone through pg, `connections` clients in a loop: what PostgreSQL and the driver can do. */
async function measureRawSql(ctx: Context): Promise<Row> {
  ctx.log('ceiling-sql…');
  const pool = new Pool({ connectionString: ctx.database.url, max: ctx.connections });
  const params = [ctx.dataset.bigBrand.id, null, null];
  let failures = 0;
  const loop = async (seconds: number, latencies: number[] | null) => {
    const deadline = performance.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: ctx.connections }, async () => {
        while (performance.now() < deadline) {
          const t0 = performance.now();
          try {
            await pool.query(LIST_PAGE_SQL, params);
          } catch {
            failures++;
          }
          latencies?.push(performance.now() - t0);
        }
      }),
    );
  };
  try {
    if (ctx.warmup > 0) await loop(ctx.warmup, null);
    await ctx.counter.reset();
    const latencies: number[] = [];
    const started = performance.now();
    const ticksBefore = readCpuTicks();
    await loop(ctx.duration, latencies);
    const stealPct = stealPercent(ticksBefore, readCpuTicks());
    const seconds = (performance.now() - started) / 1000;
    const statements = await ctx.counter.count();
    latencies.sort((a, b) => a - b);
    return {
      name: 'ceiling-sql',
      rps: round(latencies.length / seconds, 1),
      p50Ms: round(percentile(latencies, 50), 1),
      p99Ms: round(percentile(latencies, 99), 1),
      sqlPerRequest: statements === null ? null : round(statements / latencies.length, 2),
      rssMb: null,
      ceiling: null,
      ratio: null,
      connections: ctx.connections,
      requests: latencies.length,
      failures,
      stealPct,
    };
  } finally {
    await pool.end();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
