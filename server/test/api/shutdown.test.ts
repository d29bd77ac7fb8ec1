import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { startApiProcess, type ApiProcess } from '../support/api-process';
import { freePort } from '../support/free-port';
import { CREATE_ORDER, createTestBrand, createTestProduct, orderInput, startTestApp, type TestApp, type TestBrand } from '../support/harness';
import { deliver, STRIPE_ENV, stripeEvent, stripeId } from '../support/stripe';
import { waitUntil } from '../support/wait-until';

/**
 * SIGTERM to a real API process while a GraphQL mutation and a Stripe delivery are in flight (each held up by a lock
 * the test owns): the process stops accepting connections, lets both finish, closes its pool and exits 0.
 */
let t: TestApp;
let brand: TestBrand;
let api: ApiProcess;
let locker: Client;

beforeAll(async () => {
  t = await startTestApp(STRIPE_ENV);
  brand = await createTestBrand(t);
  api = await startApiProcess({ DATABASE_URL: t.databaseUrl, ...STRIPE_ENV });
  locker = new Client({ connectionString: t.databaseUrl });
  await locker.connect();
});
afterAll(async () => {
  await locker?.end();
  await api?.stop('SIGKILL');
  await t?.close();
});

const refusesConnections = () => fetch(`${api.url}/healthz`).then(() => false, () => true);

describe('SIGTERM', () => {
  it('finishes the request and the webhook delivery in flight, then exits 0', async () => {
    const product = await createTestProduct(brand, { stock: 5 });
    const event = stripeEvent('invoice.paid', { id: stripeId('in'), object: 'invoice', metadata: { brand_id: brand.id } });

    // Hold the brand's numbering row (every createOrder takes it) and block inserts of Stripe events.
    await locker.query('begin');
    await locker.query('select 1 from brands where id = $1 for update', [brand.id]);
    await locker.query('lock table stripe_events in share mode');

    const order = fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${brand.tokens.STAFF}` },
      body: JSON.stringify({ query: CREATE_ORDER, variables: { input: orderInput([{ productId: product.id, quantity: 2 }]) } }),
    }).then(async (res) => ({ status: res.status, body: (await res.json()) as any }));
    const delivery = deliver(api.url, event);

    // Asked on another connection: inside the locking transaction, pg_stat_activity is a snapshot.
    await waitUntil('both requests wait on the test\'s locks', async () => {
      const [row] = await t.sql(
        "select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'",
      );
      return row.n >= 2;
    });

    api.child.kill('SIGTERM');
    await waitUntil('the API stops accepting connections', refusesConnections);
    expect(api.child.exitCode).toBeNull();

    await locker.query('commit');

    const [created, delivered] = await Promise.all([order, delivery]);
    expect(created.status).toBe(200);
    expect(created.body.errors).toBeUndefined();
    expect(created.body.data.createOrder.items[0].quantity).toBe(2);
    expect(delivered.status).toBe(200);
    expect(delivered.body).toMatchObject({ received: true, duplicate: false });

    const code = await api.exited;
    if (code !== 0) console.error(api.output().slice(-4000));
    expect(code).toBe(0);
    expect(await t.sql('select stock from products where id = ?', [product.id])).toEqual([{ stock: 3 }]);
    expect(await t.sql('select count(*)::int as n from stripe_events where event_id = ?', [event.id])).toEqual([{ n: 1 }]);
  });
});

describe('a start that fails', () => {
  it('stops the embedded PostgreSQL it started and says why in one line', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'luneo-failed-start-'));
    // As root, PostgreSQL runs as a separate user that must be able to enter this directory.
    fs.chmodSync(dataDir, 0o755);
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const result = spawnSync(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], {
        cwd: path.resolve(__dirname, '../..'),
        env: {
          ...process.env,
          DATABASE_URL: '',
          DATA_DIR: dataDir,
          EMBEDDED_PG_PORT: String(await freePort()),
          PORT: String((taken.address() as net.AddressInfo).port),
          SEED_DEMO: 'false',
          LOG_LEVEL: 'silent',
        },
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(result.status).toBe(1);
      expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/EADDRINUSE/)]);
      expect(fs.existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
    } finally {
      taken.close();
      const pidFile = path.join(dataDir, 'pg', 'postmaster.pid');
      if (fs.existsSync(pidFile)) process.kill(Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]), 'SIGQUIT');
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
