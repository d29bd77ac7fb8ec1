import type { EntityManager } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import { unauthenticated } from '../errors';
import { orderChangeLogOf } from '../orders/order-change-log';
import type { Actor } from '../shared/actor';
import type { RequestContext } from '../shared/request-context';
import { AuditEntry, type AuditChanges } from './audit-entry.entity';

/**
 * The one writer of the audit log. Every use case that changes something calls `audit(tx, …)` with the transaction's
 * request context, so the entry is flushed and committed — or rolled back — with the change itself. The actor, request
 * id and client address come from that context; the call only says what happened.
 *
 * The log is kept forever and nothing can edit it, so it never holds personal data: customer fields (PERSONAL_FIELDS)
 * are recorded as changed, with their values replaced by REDACTED, and free-text notes are referred to by their
 * timeline entry (which the GDPR erasure can pseudonymize) rather than copied.
 */
export const REDACTED = '[personal data]';

/** What each kind of target records of itself; anything else of it stays out of the log. */
export const AUDITED_FIELDS = {
  ORDER: [
    'number', 'status', 'paymentStatus', 'currency', 'total', 'refundedTotal', 'discountCode', 'customerEmail',
    'customerName', 'customerPhone', 'shippingAddress', 'trackingNumber', 'trackingCarrier', 'trackingUrl',
    'paymentMethod', 'paymentReference', 'attention', 'source',
  ],
  PRODUCT: ['sku', 'name', 'price', 'stock', 'active'],
  DISCOUNT_CODE: ['code', 'percentOff', 'amountOff', 'minimumSubtotal', 'validFrom', 'validUntil', 'usageLimit', 'active'],
  BRAND: [
    'name', 'orderNumberPrefix', 'taxRateBps', 'taxInclusive', 'shippingFlatRate', 'freeShippingThreshold', 'locale',
  ],
  API_KEY: ['name', 'prefix', 'scopes', 'revokedAt'],
} as const;

export type AuditedTarget = keyof typeof AUDITED_FIELDS;
export const AUDIT_TARGET_TYPES = [
  'ORDER', 'PRODUCT', 'DISCOUNT_CODE', 'BRAND', 'API_KEY', 'CUSTOMER', 'SESSION', 'SUBSCRIPTION', 'USER',
] as const;
export type AuditTargetType = (typeof AUDIT_TARGET_TYPES)[number];

const PERSONAL_FIELDS = new Set(['customerEmail', 'customerName', 'customerPhone', 'shippingAddress', 'email']);

export interface AuditRecord {
  /** `<target>.<verb>`, e.g. `order.cancel`, `product.adjustStock` (see AUDIT_ACTIONS in the README). */
  action: string;
  targetType: AuditTargetType;
  targetId: string | null;
  /** The target before the change (null when it is created), e.g. `auditState('ORDER', order)`. */
  before?: Record<string, unknown> | null;
  /** The target after the change (null when it is deleted). */
  after?: Record<string, unknown> | null;
}

/** Who acted, and from where: what every entry carries beside the change. */
export interface AuditActor {
  brandId: string;
  actor: Actor;
  requestId: string | null;
  clientAddress: string | null;
}

/** The audited fields of an entity (or a plain record shaped like one), as JSON values. */
export function auditState(targetType: AuditedTarget, target: object): Record<string, unknown> {
  const state: Record<string, unknown> = {};
  for (const field of AUDITED_FIELDS[targetType]) {
    const value = (target as Record<string, unknown>)[field];
    if (value !== undefined) state[field] = toJsonValue(value);
  }
  return state;
}

function toJsonValue(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return [...value];
  return value;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Keeps only the fields that differ; personal values become REDACTED (the entry still says they changed). */
export function compactChanges(
  before: Record<string, unknown> | null | undefined,
  after: Record<string, unknown> | null | undefined,
): AuditChanges {
  const redact = (state: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(state).map(([k, v]) => [k, PERSONAL_FIELDS.has(k) && v != null ? REDACTED : v]));
  if (!before || !after) return { before: before ? redact(before) : null, after: after ? redact(after) : null };
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => !same(before[k], after[k]));
  const pick = (state: Record<string, unknown>) => Object.fromEntries(keys.map((k) => [k, state[k] ?? null]));
  return { before: redact(pick(before)), after: redact(pick(after)) };
}

/**
 * Records a change made in `tx`'s transaction, as `tx`'s actor. Synchronous: the entry joins the transaction's unit of
 * work and is inserted when it flushes, so callers inside synchronous rules (payment results) can audit too.
 */
export function audit(tx: RequestContext, record: AuditRecord): AuditEntry {
  return auditAs(tx.em, auditActorOf(tx), record);
}

/** The actor, request id and client address of a request context. */
export function auditActorOf(ctx: RequestContext): AuditActor {
  const principal = ctx.principal;
  if (!principal) throw unauthenticated();
  return { brandId: principal.brandId, actor: principal.actor, requestId: ctx.requestId, clientAddress: principal.clientAddress ?? null };
}

/** The same, for the few writers that run without a request context (operator CLI commands). */
export function auditAs(em: EntityManager, who: AuditActor, record: AuditRecord): AuditEntry {
  // Beside an order of the transaction's change log, the entry is written with the order's changes (order-change-log.ts).
  const log = orderChangeLogOf(em);
  return log?.order ? log.insert<AuditEntry>('AuditEntry', auditValues(who, record)) : em.create(AuditEntry, auditValues(who, record));
}

/**
 * The entry as audit_log's columns (`changes` as an object), for a hot path that writes its change and its entry in one
 * statement (a new order: the database function insert_order, order-writes.ts) rather than through the unit of work;
 * the same transaction either way.
 */
export function auditRow(tx: RequestContext, record: AuditRecord) {
  const values = auditValues(auditActorOf(tx), record);
  return {
    id: uuidv7(),
    brand_id: values.brandId,
    actor_type: values.actorType,
    actor_id: values.actorId,
    actor_label: values.actorLabel,
    action: values.action,
    target_type: values.targetType,
    target_id: values.targetId,
    changes: values.changes,
    request_id: values.requestId,
    client_address: values.clientAddress,
  };
}

function auditValues(who: AuditActor, record: AuditRecord) {
  return {
    brandId: who.brandId,
    actorType: who.actor.type,
    actorId: who.actor.id,
    actorLabel: who.actor.label,
    action: record.action,
    targetType: record.targetType,
    targetId: record.targetId,
    changes: compactChanges(record.before, record.after),
    requestId: who.requestId,
    clientAddress: who.clientAddress,
  };
}
