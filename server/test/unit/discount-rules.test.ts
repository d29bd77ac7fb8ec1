import { Client } from 'pg';
import { DiscountCode } from '../../src/discounts/discount-code.entity';
import {
  consumeDiscount,
  createDiscountCode,
  deleteDiscountCode,
  findApplicableDiscount,
  listDiscountCodes,
  normalizeCode,
  setDiscountCodeActive,
  updateDiscountCode,
} from '../../src/discounts/discount.service';
import { DomainError } from '../../src/errors';
import type { RequestContext } from '../../src/shared/request-context';
import { startRuleDatabase, type RuleDatabase } from '../support/rule-database';

/**
 * The discount rules (discounts/discount.service.ts) called directly on the real database: when a code applies, what a
 * code may be, and what may be done to it once used. catalog.test.ts and discount-edits.test.ts check them through the
 * API.
 */
let db: RuleDatabase;
let ctx: RequestContext;

beforeAll(async () => {
  db = await startRuleDatabase();
  ctx = await db.brand();
});
afterAll(() => db.close());

async function failure(work: Promise<unknown>): Promise<DomainError> {
  const error = await work.then(
    () => null,
    (e) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

const create = (input: Record<string, unknown>) => createDiscountCode(db.again(ctx), input);
const applicable = (code: string, subtotal: number, now?: Date) => findApplicableDiscount(db.again(ctx), code, subtotal, now);
const row = async (id: string) =>
  (
    await db.sql(
      `select code, percent_off, amount_off::int, minimum_subtotal::int, valid_from, valid_until, usage_limit, times_used, active
         from discount_codes where id = ?`,
      [id],
    )
  )[0];
/** Resolves once a statement of this database waits for a row lock (another transaction holds it). */
async function waitForLockWaiter() {
  const waiting = async () =>
    (await db.sql<{ n: number }>(`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`))[0].n;
  while ((await waiting()) === 0) await new Promise((resolve) => setTimeout(resolve, 10));
}
const audited = async (id: string) => (await db.sql<{ action: string }>('select action from audit_log where target_id = ? order by created_at, id', [id])).map((r) => r.action);

test('normalizeCode trims and upper-cases', () => {
  expect(normalizeCode('  summer-10 \n')).toBe('SUMMER-10');
});

describe('findApplicableDiscount', () => {
  const from = new Date('2026-06-01T00:00:00Z');
  const until = new Date('2026-07-01T00:00:00Z');
  let limited: DiscountCode;

  beforeAll(async () => {
    await create({ code: 'WINDOW', percentOff: 10, validFrom: from, validUntil: until, minimumSubtotal: 5_000 });
    await create({ code: 'OPEN', amountOff: 500 });
    limited = await create({ code: 'LIMITED', amountOff: 100, usageLimit: 2 });
    const off = await create({ code: 'OFF', percentOff: 5 });
    await setDiscountCodeActive(db.again(ctx), off.id, false);
  });

  async function invalid(code: string, subtotal: number, now: Date | undefined, reason: string) {
    const error = await failure(applicable(code, subtotal, now));
    expect(error.code).toBe('DISCOUNT_INVALID');
    expect(error.details).toEqual({ discountCode: normalizeCode(code), reason });
    expect(error.message).toBe(`Discount code ${normalizeCode(code)} ${reason}`);
  }

  test('applies from the first instant of its window to the last before its end, with the minimum reached exactly', async () => {
    expect((await applicable(' window ', 5_000, from)).code).toBe('WINDOW');
    expect((await applicable('WINDOW', 9_999, new Date(until.getTime() - 1))).code).toBe('WINDOW');
  });

  test('a code without window, minimum or limit applies any time to any subtotal', async () => {
    expect((await applicable('open', 0)).code).toBe('OPEN');
    expect((await applicable('OPEN', 1, new Date('1990-01-01T00:00:00Z'))).code).toBe('OPEN');
  });

  test('says why a code does not apply', async () => {
    await invalid('nope', 10_000, undefined, 'does not exist');
    await invalid('off', 10_000, undefined, 'is no longer active');
    await invalid('WINDOW', 10_000, new Date(from.getTime() - 1), 'is not valid yet');
    await invalid('WINDOW', 10_000, until, 'has expired');
    await invalid('WINDOW', 4_999, from, 'needs a subtotal of at least 5000 (minor units)');
  });

  test('counts uses up to its limit, atomically, and refuses it once used up', async () => {
    await consumeDiscount(db.again(ctx), await applicable('LIMITED', 1));
    expect((await row(limited.id)).times_used).toBe(1);
    await consumeDiscount(db.again(ctx), await applicable('LIMITED', 1));
    expect((await row(limited.id)).times_used).toBe(2);
    await invalid('LIMITED', 1, undefined, 'has been used up');
    // An order that read the code before the last use was counted.
    const error = await failure(consumeDiscount(db.again(ctx), limited));
    expect(error.details).toEqual({ discountCode: 'LIMITED', reason: 'has been used up' });
    expect((await row(limited.id)).times_used).toBe(2);
  });

  test('a code without a limit is counted every time', async () => {
    const open = await applicable('OPEN', 1);
    for (let i = 0; i < 3; i++) await consumeDiscount(db.again(ctx), open);
    expect((await row(open.id)).times_used).toBe(3);
  });
});

describe('what a code may be', () => {
  test('stores exactly what was given, the code normalized, and audits the creation', async () => {
    const validFrom = new Date('2026-01-01T00:00:00Z');
    const validUntil = new Date('2026-02-01T00:00:00Z');
    const code = await create({ code: ' full_set-1 ', percentOff: 100, minimumSubtotal: 0, validFrom, validUntil, usageLimit: 1 });
    expect(await row(code.id)).toEqual({
      code: 'FULL_SET-1', percent_off: 100, amount_off: null, minimum_subtotal: 0, valid_from: '2026-01-01 00:00:00+00', valid_until: '2026-02-01 00:00:00+00',
      usage_limit: 1, times_used: 0, active: true,
    });
    const bare = await create({ code: 'BARE', amountOff: 1 });
    expect(await row(bare.id)).toEqual({
      code: 'BARE', percent_off: null, amount_off: 1, minimum_subtotal: null, valid_from: null, valid_until: null,
      usage_limit: null, times_used: 0, active: true,
    });
    expect(await audited(code.id)).toEqual(['discountCode.create']);
  });

  test.each([
    ['ABC', 'three characters'],
    ['A'.repeat(32), 'thirty-two characters'],
    ['0_9-Z', 'digits, dashes and underscores'],
  ])('accepts %s (%s)', async (code) => {
    expect((await create({ code, percentOff: 1 })).code).toBe(code);
  });

  test.each([
    [{ code: 'AB', percentOff: 10 }, 'input.code', 'must be 3 to 32 letters, digits, dashes or underscores'],
    [{ code: 'B'.repeat(33), percentOff: 10 }, 'input.code', 'must be 3 to 32 letters, digits, dashes or underscores'],
    [{ code: '!ABC', percentOff: 10 }, 'input.code', 'must be 3 to 32 letters, digits, dashes or underscores'],
    [{ code: 'ABC!', percentOff: 10 }, 'input.code', 'must be 3 to 32 letters, digits, dashes or underscores'],
    [{ code: 'AB CD', percentOff: 10 }, 'input.code', 'must be 3 to 32 letters, digits, dashes or underscores'],
    [{ code: 'PCT0', percentOff: 0 }, 'input.percentOff', 'must be at least 1'],
    [{ code: 'PCT101', percentOff: 101 }, 'input.percentOff', 'must be at most 100'],
    [{ code: 'AMT0', amountOff: 0 }, 'input.amountOff', 'must be at least 1'],
    [{ code: 'MIN', amountOff: 1, minimumSubtotal: -1 }, 'input.minimumSubtotal', null],
    [{ code: 'LIM', amountOff: 1, usageLimit: 0 }, 'input.usageLimit', 'must be at least 1'],
    [{ code: 'BOTH', percentOff: 10, amountOff: 100 }, 'input.percentOff', 'give exactly one of percentOff or amountOff'],
    [{ code: 'NEITHER' }, 'input.percentOff', 'give exactly one of percentOff or amountOff'],
    [{ code: 'SAME', amountOff: 1, validFrom: new Date(1000), validUntil: new Date(1000) }, 'input.validUntil', 'must be after validFrom'],
    [{ code: 'BACK', amountOff: 1, validFrom: new Date(2000), validUntil: new Date(1000) }, 'input.validUntil', 'must be after validFrom'],
  ])('refuses %o', async (input, field, message) => {
    const error = await failure(create(input));
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.details).toEqual({ field });
    if (message) expect(error.message).toBe(`${field}: ${message}`);
  });

  test('a window open at either end is accepted', async () => {
    await create({ code: 'FROM-ONLY', amountOff: 1, validFrom: new Date(2000) });
    await create({ code: 'UNTIL-ONLY', amountOff: 1, validUntil: new Date(1000) });
  });

  test('a code that exists already is refused as bad input', async () => {
    await create({ code: 'TAKEN', amountOff: 1 });
    const error = await failure(create({ code: 'taken', percentOff: 5 }));
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.details).toEqual({ field: 'input.code' });
  });

  test('the same code created concurrently is a CONFLICT, not an internal error', async () => {
    const other = new Client({ connectionString: db.orm.config.get('clientUrl') as string });
    await other.connect();
    try {
      await other.query('begin');
      await other.query(
        `insert into discount_codes (id, created_at, updated_at, brand_id, code, amount_off) values (gen_random_uuid(), now(), now(), $1, 'RACE', 1)`,
        [ctx.brandId],
      );
      // The service's existence check does not see the uncommitted row; its insert then waits on the unique index.
      const creating = create({ code: 'RACE', amountOff: 2 }).then(
        () => null,
        (e) => e,
      );
      while ((await other.query(`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()`)).rows[0].n === 0) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await other.query('commit');
      const error = await creating;
      expect(error).toBeInstanceOf(DomainError);
      expect(error.code).toBe('CONFLICT');
      expect(error.details).toEqual({ field: 'input.code' });
    } finally {
      await other.end();
    }
  });
});

describe('what may be done to a code', () => {
  test('an unused code can be edited, also keeping its own code, and the edit is audited', async () => {
    const code = await create({ code: 'EDIT-ME', percentOff: 10 });
    await updateDiscountCode(db.again(ctx), code.id, { code: 'EDIT-ME', amountOff: 300, usageLimit: 5 });
    expect(await row(code.id)).toMatchObject({ code: 'EDIT-ME', percent_off: null, amount_off: 300, usage_limit: 5 });
    await updateDiscountCode(db.again(ctx), code.id, { code: 'EDITED', percentOff: 20 });
    expect(await row(code.id)).toMatchObject({ code: 'EDITED', percent_off: 20, amount_off: null, usage_limit: null });
    expect(await audited(code.id)).toEqual(['discountCode.create', 'discountCode.update', 'discountCode.update']);
  });

  test('an edit to another existing code is refused', async () => {
    await create({ code: 'THERE', amountOff: 1 });
    const code = await create({ code: 'HERE', amountOff: 1 });
    const error = await failure(updateDiscountCode(db.again(ctx), code.id, { code: 'there', amountOff: 1 }));
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.details).toEqual({ field: 'input.code' });
    expect((await row(code.id)).code).toBe('HERE');
  });

  test('an edit is validated like a creation', async () => {
    const code = await create({ code: 'VALID', amountOff: 1 });
    const error = await failure(updateDiscountCode(db.again(ctx), code.id, { code: 'VALID', amountOff: 1, percentOff: 1 }));
    expect(error.details).toEqual({ field: 'input.percentOff' });
  });

  test('an unused code can be deleted, and the deletion is audited', async () => {
    const code = await create({ code: 'DELETE-ME', amountOff: 1 });
    expect(await deleteDiscountCode(db.again(ctx), code.id)).toBe(code.id);
    expect(await db.sql('select id from discount_codes where id = ?', [code.id])).toEqual([]);
    expect(await audited(code.id)).toEqual(['discountCode.create', 'discountCode.delete']);
  });

  test('a used code can be neither edited nor deleted, only deactivated and reactivated', async () => {
    const once = await create({ code: 'USED-ONCE', amountOff: 1 });
    await consumeDiscount(db.again(ctx), once);
    const edit = await failure(updateDiscountCode(db.again(ctx), once.id, { code: 'USED-ONCE', amountOff: 2 }));
    expect(edit.code).toBe('INVALID_TRANSITION');
    expect(edit.message).toBe('Discount code USED-ONCE was used 1 time, so it cannot be edited; deactivate it instead');
    expect(edit.details).toEqual({ timesUsed: 1 });
    await consumeDiscount(db.again(ctx), once);
    const removal = await failure(deleteDiscountCode(db.again(ctx), once.id));
    expect(removal.message).toBe('Discount code USED-ONCE was used 2 times, so it cannot be deleted; deactivate it instead');
    expect((await row(once.id)).amount_off).toBe(1);

    expect((await setDiscountCodeActive(db.again(ctx), once.id, false)).active).toBe(false);
    expect((await row(once.id)).active).toBe(false);
    expect((await setDiscountCodeActive(db.again(ctx), once.id, true)).active).toBe(true);
    expect((await row(once.id)).active).toBe(true);
    expect(await audited(once.id)).toEqual(['discountCode.create', 'discountCode.setActive', 'discountCode.setActive']);
  });

  test('an edit that meets an order consuming the code waits for it, then sees the use and is refused', async () => {
    const code = await create({ code: 'RACED', amountOff: 1 });
    let finishOrder!: () => void;
    const orderMayFinish = new Promise<void>((resolve) => (finishOrder = resolve));
    let consumed!: () => void;
    const useCounted = new Promise<void>((resolve) => (consumed = resolve));
    // The order's transaction counts the use, then stays open until the edit is waiting behind it.
    const order = db.again(ctx).transaction(async (tx) => {
      await consumeDiscount(tx, code);
      consumed();
      await orderMayFinish;
    });
    await useCounted;
    const edit = failure(updateDiscountCode(db.again(ctx), code.id, { code: 'RACED', amountOff: 2 }));
    await waitForLockWaiter();
    finishOrder();
    await order;
    const error = await edit;
    expect(error.code).toBe('INVALID_TRANSITION');
    expect(error.details).toEqual({ timesUsed: 1 });
    expect(await row(code.id)).toMatchObject({ amount_off: 1, times_used: 1 });
  });

  test('an unknown or another brand’s code is NOT_FOUND', async () => {
    const theirs = await createDiscountCode(await db.brand(), { code: 'THEIRS', amountOff: 1 });
    for (const id of [theirs.id, '00000000-0000-4000-8000-000000000000']) {
      for (const work of [
        updateDiscountCode(db.again(ctx), id, { code: 'THEIRS', amountOff: 2 }),
        deleteDiscountCode(db.again(ctx), id),
        setDiscountCodeActive(db.again(ctx), id, false),
      ]) {
        const error = await failure(work);
        expect(error.code).toBe('NOT_FOUND');
        expect(error.message).toBe('Discount code not found');
      }
    }
    expect((await row(theirs.id)).active).toBe(true);
  });
});

test('lists the brand’s codes newest first, a page at a time', async () => {
  const listing = await startRuleDatabase();
  try {
    const own = await listing.brand();
    const made = [];
    for (const code of ['FIRST', 'SECOND', 'THIRD']) made.push(await createDiscountCode(listing.again(own), { code, amountOff: 1 }));
    await createDiscountCode(await listing.brand(), { code: 'ELSEWHERE', amountOff: 1 });
    const codes = (page: DiscountCode[]) => page.map((d) => d.code);
    expect(codes(await listDiscountCodes(listing.again(own), 2))).toEqual(['THIRD', 'SECOND']);
    expect(codes(await listDiscountCodes(listing.again(own), 2, made[1].id))).toEqual(['FIRST']);
    expect(codes(await listDiscountCodes(listing.again(own), 10, null))).toEqual(['THIRD', 'SECOND', 'FIRST']);
    const error = await failure(listDiscountCodes(listing.again(own), 2, 'not-an-id'));
    expect(error.details).toEqual({ field: 'after' });
  } finally {
    await listing.close();
  }
});
