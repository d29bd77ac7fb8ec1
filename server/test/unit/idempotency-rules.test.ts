import { createHash } from 'node:crypto';
import { Client } from 'pg';
import { DomainError } from '../../src/errors';
import { claimIdempotencyKey, requestHash } from '../../src/orders/idempotency';
import type { RequestContext } from '../../src/shared/request-context';
import { startRuleDatabase, type RuleDatabase } from '../support/rule-database';

/**
 * claimIdempotencyKey (orders/idempotency.ts) called directly on the real database: a first claim runs, the same input
 * replays, other input conflicts, and keys are per brand and per operation. idempotency.test.ts checks the same through
 * createOrder over HTTP, concurrently.
 */
let db: RuleDatabase;
let ctx: RequestContext;

const RESULT_1 = '00000000-0000-4000-8000-000000000001';
const RESULT_2 = '00000000-0000-4000-8000-000000000002';

beforeAll(async () => {
  db = await startRuleDatabase();
  ctx = await db.brand();
});
afterAll(() => db.close());

const claim = (who: RequestContext, operation: string, key: string, input: unknown, resultId: string) =>
  db.again(who).transaction((tx) => claimIdempotencyKey(tx, operation, key, input, resultId));

test('the first claim runs; the same input again replays the first result, whatever its key order', async () => {
  expect(await claim(ctx, 'createOrder', 'key-1', { a: 1, b: [1, 2] }, RESULT_1)).toEqual({ replayOf: null });
  expect(await claim(ctx, 'createOrder', 'key-1', { b: [1, 2], a: 1 }, RESULT_2)).toEqual({ replayOf: RESULT_1 });
  const rows = await db.sql('select brand_id, operation, key, result_id from idempotency_keys where key = ?', ['key-1']);
  expect(rows).toEqual([{ brand_id: ctx.brandId, operation: 'createOrder', key: 'key-1', result_id: RESULT_1 }]);
});

test('the same key with other input is an IDEMPOTENCY_CONFLICT naming the key', async () => {
  await claim(ctx, 'createOrder', 'key-2', { a: 1 }, RESULT_1);
  const error = await claim(ctx, 'createOrder', 'key-2', { a: 2 }, RESULT_2).then(
    () => null,
    (e) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  expect(error.code).toBe('IDEMPOTENCY_CONFLICT');
  expect(error.details).toEqual({ idempotencyKey: 'key-2' });
});

test('keys are per operation and per brand', async () => {
  await claim(ctx, 'createOrder', 'key-3', { a: 1 }, RESULT_1);
  expect(await claim(ctx, 'otherOperation', 'key-3', { a: 2 }, RESULT_2)).toEqual({ replayOf: null });
  expect(await claim(await db.brand(), 'createOrder', 'key-3', { a: 2 }, RESULT_2)).toEqual({ replayOf: null });
});

test('a claim rolled back frees the key; a concurrent claim waits for the first to commit, then replays it', async () => {
  await expect(
    db.again(ctx).transaction(async (tx) => {
      await claimIdempotencyKey(tx, 'createOrder', 'key-4', { a: 1 }, RESULT_1);
      throw new Error('the effect failed');
    }),
  ).rejects.toThrow('the effect failed');
  expect(await claim(ctx, 'createOrder', 'key-4', { a: 1 }, RESULT_2)).toEqual({ replayOf: null });

  const other = new Client({ connectionString: db.orm.config.get('clientUrl') as string });
  await other.connect();
  try {
    await other.query('begin');
    await other.query(
      `insert into idempotency_keys (brand_id, id, operation, key, request_hash, result_id, created_at, updated_at)
       select brand_id, gen_random_uuid(), operation, 'key-5', request_hash, $1, now(), now() from idempotency_keys where key = 'key-4'`,
      [RESULT_1],
    );
    const waiting = claim(ctx, 'createOrder', 'key-5', { a: 1 }, RESULT_2);
    while ((await other.query(`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()`)).rows[0].n === 0) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await other.query('commit');
    expect(await waiting).toEqual({ replayOf: RESULT_1 });
  } finally {
    await other.end();
  }
});

test('the hash is of the documented canonical form, so keys stored by an earlier version still match', () => {
  const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
  expect(requestHash({ b: [2, { d: 1, c: null }], a: 'x', skipped: undefined })).toBe(sha256('{"a":"x","b":[2,{"c":null,"d":1}]}'));
});
