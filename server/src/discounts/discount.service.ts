import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import { z } from 'zod';
import { audit, auditState } from '../audit/audit';
import { DomainError, notFound } from '../errors';
import { pageRequest } from '../shared/pagination';
import type { RequestContext } from '../shared/request-context';
import { parseId } from '../shared/ids';
import { scopedSql } from '../shared/sql';
import { parseInput } from '../shared/validation';
import { DiscountCode } from './discount-code.entity';

export function normalizeCode(code: string): string {
  return code.trim().toUpperCase();
}

const invalid = (code: string, reason: string) =>
  new DomainError('DISCOUNT_INVALID', `Discount code ${code} ${reason}`, { discountCode: code, reason });

/**
 * Finds an applicable code for a subtotal or throws DISCOUNT_INVALID saying why (unknown, inactive, not yet valid,
 * expired, minimum not met, used up). Quoting and ordering share this check.
 */
export async function findApplicableDiscount(ctx: RequestContext, rawCode: string, subtotal: number, now = new Date()) {
  const code = normalizeCode(rawCode);
  const discount = await ctx.em.findOne(DiscountCode, { code });
  if (!discount) throw invalid(code, 'does not exist');
  if (!discount.active) throw invalid(code, 'is no longer active');
  if (discount.validFrom && now < discount.validFrom) throw invalid(code, 'is not valid yet');
  if (discount.validUntil && now >= discount.validUntil) throw invalid(code, 'has expired');
  if (discount.minimumSubtotal != null && subtotal < discount.minimumSubtotal) {
    throw invalid(code, `needs a subtotal of at least ${discount.minimumSubtotal} (minor units)`);
  }
  if (discount.usageLimit != null && discount.timesUsed >= discount.usageLimit) throw invalid(code, 'has been used up');
  return discount;
}

/** Counts one use atomically in the order's transaction; a code used up meanwhile is refused. */
export async function consumeDiscount(ctx: RequestContext, discount: DiscountCode) {
  const rows = await scopedSql(
    ctx,
    `update discount_codes set times_used = times_used + 1, updated_at = now()
      where brand_id = ? and id = ? and (usage_limit is null or times_used < usage_limit) returning id`,
    [discount.id],
  );
  if (rows.length === 0) throw invalid(discount.code, 'has been used up');
}

const CreateDiscountSchema = z
  .object({
    code: z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^[A-Z0-9_-]{3,32}$/, 'must be 3 to 32 letters, digits, dashes or underscores'),
    percentOff: z.number().int().min(1, 'must be at least 1').max(100, 'must be at most 100').nullish(),
    amountOff: z.number().int().min(1, 'must be at least 1').nullish(),
    minimumSubtotal: z.number().int().min(0).nullish(),
    validFrom: z.date().nullish(),
    validUntil: z.date().nullish(),
    usageLimit: z.number().int().min(1, 'must be at least 1').nullish(),
  })
  .refine((d) => (d.percentOff == null) !== (d.amountOff == null), {
    message: 'give exactly one of percentOff or amountOff',
    path: ['percentOff'],
  })
  .refine((d) => !d.validFrom || !d.validUntil || d.validFrom < d.validUntil, {
    message: 'must be after validFrom',
    path: ['validUntil'],
  });

/** The columns a code's input sets, on creation and on an edit alike. */
function codeFields(input: z.output<typeof CreateDiscountSchema>) {
  return {
    code: input.code,
    percentOff: input.percentOff ?? null,
    amountOff: input.amountOff ?? null,
    minimumSubtotal: input.minimumSubtotal ?? null,
    validFrom: input.validFrom ?? null,
    validUntil: input.validUntil ?? null,
    usageLimit: input.usageLimit ?? null,
  };
}

/**
 * The same code written concurrently: the unique index refuses the second write after the existence check passed, and
 * that is a CONFLICT, not an internal error. Anything else is returned unchanged, to be thrown.
 */
function concurrentDuplicate(error: unknown, code: string): unknown {
  return error instanceof UniqueConstraintViolationException
    ? new DomainError('CONFLICT', `${code} was just created by someone else`, { field: 'input.code' })
    : error;
}

export async function createDiscountCode(ctx: RequestContext, data: unknown): Promise<DiscountCode> {
  const input = parseInput(CreateDiscountSchema, data, 'input');
  try {
    return await ctx.transaction(async (tx) => {
      if (await tx.em.count(DiscountCode, { code: input.code })) {
        throw new DomainError('BAD_USER_INPUT', `input.code: ${input.code} already exists`, { field: 'input.code' });
      }
      const discount = tx.em.create(DiscountCode, { brand: tx.brandId, ...codeFields(input) });
      audit(tx, { action: 'discountCode.create', targetType: 'DISCOUNT_CODE', targetId: discount.id, before: null, after: auditState('DISCOUNT_CODE', discount) });
      return discount;
    });
  } catch (error) {
    throw concurrentDuplicate(error, input.code);
  }
}

/**
 * A code nobody has used yet can be corrected or removed entirely; once used, orders name it, so it can only be
 * deactivated. The row is locked first, so an order consuming the code concurrently either comes before (and the edit is
 * refused) or waits for the edit.
 */
async function lockUnusedCode(tx: RequestContext, id: string, doing: string): Promise<DiscountCode> {
  const discount = await tx.em.findOne(DiscountCode, parseId(id), { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (!discount) throw notFound('Discount code');
  if (discount.timesUsed > 0) {
    throw new DomainError(
      'INVALID_TRANSITION',
      `Discount code ${discount.code} was used ${discount.timesUsed} time${discount.timesUsed === 1 ? '' : 's'}, so it cannot be ${doing}; deactivate it instead`,
      { timesUsed: discount.timesUsed },
    );
  }
  return discount;
}

export async function updateDiscountCode(ctx: RequestContext, id: string, data: unknown): Promise<DiscountCode> {
  const input = parseInput(CreateDiscountSchema, data, 'input');
  try {
    return await ctx.transaction(async (tx) => {
      const discount = await lockUnusedCode(tx, id, 'edited');
      const before = auditState('DISCOUNT_CODE', discount);
      if (input.code !== discount.code && (await tx.em.count(DiscountCode, { code: input.code }))) {
        throw new DomainError('BAD_USER_INPUT', `input.code: ${input.code} already exists`, { field: 'input.code' });
      }
      Object.assign(discount, codeFields(input));
      audit(tx, { action: 'discountCode.update', targetType: 'DISCOUNT_CODE', targetId: discount.id, before, after: auditState('DISCOUNT_CODE', discount) });
      return discount;
    });
  } catch (error) {
    throw concurrentDuplicate(error, input.code);
  }
}

export async function deleteDiscountCode(ctx: RequestContext, id: string): Promise<string> {
  return ctx.transaction(async (tx) => {
    const discount = await lockUnusedCode(tx, id, 'deleted');
    tx.em.remove(discount);
    audit(tx, { action: 'discountCode.delete', targetType: 'DISCOUNT_CODE', targetId: discount.id, before: auditState('DISCOUNT_CODE', discount), after: null });
    return discount.id;
  });
}

export async function setDiscountCodeActive(ctx: RequestContext, id: string, active: boolean): Promise<DiscountCode> {
  return ctx.transaction(async (tx) => {
    const discount = await tx.em.findOne(DiscountCode, parseId(id));
    if (!discount) throw notFound('Discount code');
    const before = auditState('DISCOUNT_CODE', discount);
    discount.active = active;
    audit(tx, { action: 'discountCode.setActive', targetType: 'DISCOUNT_CODE', targetId: discount.id, before, after: auditState('DISCOUNT_CODE', discount) });
    return discount;
  });
}

export async function listDiscountCodes(ctx: RequestContext, first: number, after?: string | null) {
  const { size } = pageRequest({ first, after });
  return ctx.em.find(
    DiscountCode,
    after ? { id: { $lt: parseId(after, 'after') } } : {},
    { orderBy: { id: 'desc' }, limit: size },
  );
}
