import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { audit, auditAs, auditState } from '../audit/audit';
import { DomainError, notFound } from '../errors';
import { CURRENCIES } from '../shared/money';
import type { RequestContext } from '../shared/request-context';
import { scopedSql } from '../shared/sql';
import { parseInput } from '../shared/validation';
import { Brand } from './brand.entity';
import { OPERATOR_ACTOR } from '../shared/actor';

const prefix = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z0-9]{1,8}$/, 'must be 1 to 8 letters or digits');

const CreateBrandSchema = z.object({
  slug: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9][a-z0-9-]{1,48}$/, 'must be 2 to 49 lowercase letters, digits or dashes'),
  name: z.string().trim().min(1, 'is required').max(200),
  currency: z.string().trim().toUpperCase().pipe(z.enum(CURRENCIES, { message: `must be one of ${CURRENCIES.join(', ')}` })),
  prefix: prefix.nullish(),
  taxRateBps: z.number().int().min(0).max(10_000).nullish(),
  taxInclusive: z.boolean().nullish(),
  shippingFlatRate: z.number().int().min(0).nullish(),
  freeShippingThreshold: z.number().int().min(0).nullish(),
});

const BrandSettingsSchema = z.object({
  name: z.string().trim().min(1, 'is required').max(200).nullish(),
  orderNumberPrefix: prefix.nullish(),
  taxRateBps: z.number().int('must be whole basis points').min(0).max(10_000, 'must be at most 10000 (100%)').nullish(),
  taxInclusive: z.boolean().nullish(),
  shippingFlatRate: z.number().int('must be whole minor units').min(0, 'must not be negative').nullish(),
  freeShippingThreshold: z.number().int('must be whole minor units').min(0, 'must not be negative').nullish(),
});

/** Default order-number prefix: the initials of the name's words, e.g. "Luneo Leather" → "LL". */
function defaultPrefix(name: string): string {
  const initials = name
    .split(/\s+/)
    .map((w) => w.replace(/[^A-Za-z0-9]/g, '')[0] ?? '')
    .join('')
    .toUpperCase();
  return (initials || 'ORD').slice(0, 8);
}

/** Operator use case (CLI, seed). */
export async function createBrand(em: EntityManager, data: z.input<typeof CreateBrandSchema>): Promise<Brand> {
  const input = parseInput(CreateBrandSchema, data);
  if (await em.count(Brand, { slug: input.slug })) {
    throw new DomainError('BAD_USER_INPUT', `slug: a brand with slug ${input.slug} already exists`, { field: 'slug' });
  }
  const brand = em.create(Brand, {
    slug: input.slug,
    name: input.name,
    currency: input.currency,
    orderNumberPrefix: input.prefix ?? defaultPrefix(input.name),
    taxRateBps: input.taxRateBps ?? 0,
    taxInclusive: input.taxInclusive ?? false,
    shippingFlatRate: input.shippingFlatRate ?? 0,
    freeShippingThreshold: input.freeShippingThreshold ?? null,
  });
  auditAs(em, { brandId: brand.id, actor: OPERATOR_ACTOR, requestId: null, clientAddress: null }, {
    action: 'brand.create', targetType: 'BRAND', targetId: brand.id, before: null, after: auditState('BRAND', brand),
  });
  await em.flush();
  return brand;
}

export async function getBrand(ctx: RequestContext): Promise<Brand> {
  const brand = await ctx.em.findOne(Brand, ctx.brandId);
  if (!brand) throw notFound('Brand');
  return brand;
}

export async function updateBrandSettings(ctx: RequestContext, data: unknown): Promise<Brand> {
  const input = parseInput(BrandSettingsSchema, data, 'input');
  return ctx.transaction(async (tx) => {
    const brand = await tx.em.findOne(Brand, tx.brandId);
    if (!brand) throw notFound('Brand');
    const before = auditState('BRAND', brand);
    if (input.name != null) brand.name = input.name;
    if (input.orderNumberPrefix != null) brand.orderNumberPrefix = input.orderNumberPrefix;
    if (input.taxRateBps != null) brand.taxRateBps = input.taxRateBps;
    if (input.taxInclusive != null) brand.taxInclusive = input.taxInclusive;
    if (input.shippingFlatRate != null) brand.shippingFlatRate = input.shippingFlatRate;
    // An explicit null removes free shipping; an absent field leaves it alone.
    if (input.freeShippingThreshold !== undefined) brand.freeShippingThreshold = input.freeShippingThreshold;
    audit(tx, { action: 'brand.updateSettings', targetType: 'BRAND', targetId: brand.id, before, after: auditState('BRAND', brand) });
    return brand;
  });
}

export interface SubscriptionRecord {
  status: string;
  plan: string | null;
  currentPeriodEnd: Date | null;
  cancelAtPeriodEnd: boolean;
  canceledAt: Date | null;
  endedAt: Date | null;
}

/** The brand's current Luneo subscription (kept in sync by Stripe events): a live one before an ended one, newest first. */
export async function getBrandSubscription(ctx: RequestContext): Promise<SubscriptionRecord | null> {
  const [row] = await scopedSql(
    ctx,
    `select status, plan, current_period_end, cancel_at_period_end, canceled_at, ended_at from brand_subscriptions
      where brand_id = ? order by (ended_at is null) desc, last_event_created desc, id desc limit 1`,
  );
  if (!row) return null;
  return {
    status: row.status,
    plan: row.plan,
    currentPeriodEnd: row.current_period_end ? new Date(row.current_period_end) : null,
    cancelAtPeriodEnd: row.cancel_at_period_end,
    canceledAt: row.canceled_at ? new Date(row.canceled_at) : null,
    endedAt: row.ended_at ? new Date(row.ended_at) : null,
  };
}
