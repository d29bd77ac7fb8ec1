import type { EntityManager } from '@mikro-orm/postgresql';
import type Stripe from 'stripe';
import { v7 as uuidv7 } from 'uuid';
import { DomainError } from '../errors';
import { RequestContext, type Principal } from '../shared/request-context';
import { advisoryLocksSql, scopedStatement } from '../shared/sql';
import { unscopedSql } from '../shared/unscoped-sql';
import { commitWithNextStatement } from '../db/pipelined-transaction';
import { openOrderChangeLog, ORDER_NOT_PLACED, ORDER_NUMBER_MARK, pendingOrderChangesSql } from '../orders/order-change-log';
import { brandSql } from './brand-resolution';
import { BrandResolvedLate, ignored, paymentLockKeys, stripeActor, type Handled, type ReadAhead } from './events/handler';
import { EVENT_HANDLERS } from './events/registry';
import type { WebhookEventOutcome } from './stripe-event.entity';

/**
 * Turns verified Stripe events into orders, payments, refunds and subscriptions — exactly once. This module is the
 * delivery plumbing; what each event type does is in events/ (registry.ts lists them).
 *
 * Each delivery runs in one transaction that first claims the event's id in `stripe_events` (a unique constraint:
 * `INSERT … ON CONFLICT DO UPDATE … WHERE processed_at IS NULL`), then applies its effects through the order services,
 * then marks it processed. A concurrent duplicate waits on the claimed row and, once the first commits, finds it
 * processed and changes nothing; if the first rolled back, the duplicate processes it (a redelivery of an event already
 * processed is answered before any transaction, by firstLook). Events that touch one payment are serialized by
 * transaction-scoped advisory locks (order reference first, then PaymentIntent), taken by the claim statement itself once
 * it claimed, so out-of-order
 * deliveries cannot interleave: a payment or refund that arrives before its order is kept in `stripe_pending_payments`
 * and applied when the checkout creates the order.
 *
 * `stripe_events` holds events before their brand is known (and events of no brand at all), so its statements are
 * unscoped; the handlers run as the resolved brand.
 */
export interface EventResult {
  eventId: string;
  outcome: WebhookEventOutcome;
  reason: string | null;
  /** True when this delivery found the event already handled and changed nothing. */
  duplicate: boolean;
}

function stripePrincipal(eventId: string, brandId: string): Principal {
  return { actor: stripeActor(eventId), brandId, role: null, scopes: [] };
}

/**
 * What an operator may read about a failure (`stripe_events.error`, shown by `webhookEvents`): our rules' own message
 * for a rejection, never the text of an unexpected error, which can carry SQL, constraint names or values. The route
 * logs that one with the event id.
 */
function storedMessage(error: unknown): string {
  if (error instanceof DomainError) return error.message.slice(0, 1000);
  return 'Our side failed while processing this event; the server log has the details under its event id';
}

/**
 * Handles one verified delivery. Resolves with the outcome; rejects only when our side failed (answer 5xx).
 * `mayHoldNul`: false when the raw body has no `\u0000` escape, the only way JSON carries a NUL, so none is scrubbed.
 */
export function receiveEvent(rootEm: EntityManager, event: Stripe.Event, mayHoldNul = true): Promise<EventResult> {
  return run(rootEm, mayHoldNul ? withoutNulCharacters(event) : event, 'deliver');
}

/**
 * PostgreSQL stores no NUL character, in text or in jsonb: a signed event carrying one (say, in a customer's name)
 * would fail on every retry and could not even be recorded. Each becomes U+FFFD, the mark for an unreadable character.
 */
function withoutNulCharacters<T>(value: T): T {
  if (typeof value === 'string') return (value.includes('\0') ? value.replaceAll('\0', '\uFFFD') : value) as T;
  if (Array.isArray(value)) return value.map(withoutNulCharacters) as T;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, child]) => [withoutNulCharacters(key), withoutNulCharacters(child)]),
  ) as T;
}

/** Runs a stored event again (operator replay), whatever its outcome; effects stay exactly-once. */
export async function replayEvent(rootEm: EntityManager, eventId: string): Promise<EventResult> {
  // Unscoped: an operator replays an event by Stripe's id, whatever its brand.
  const [row] = await unscopedSql<{ payload: Stripe.Event }>(rootEm, 'select payload from stripe_events where event_id = ?', [eventId]);
  if (!row) throw new DomainError('NOT_FOUND', `No stored Stripe event ${eventId}`);
  const payload = typeof row.payload === 'string' ? (JSON.parse(row.payload) as Stripe.Event) : row.payload;
  return run(rootEm, payload, 'replay');
}

async function run(rootEm: EntityManager, event: Stripe.Event, mode: 'deliver' | 'replay'): Promise<EventResult> {
  let placesOrders = true;
  for (let attempt = 0; ; attempt++) {
    const { brandId, done } = await firstLook(rootEm, event);
    if (done && mode === 'deliver') return { eventId: event.id, ...done, duplicate: true };
    try {
      return await runOnce(rootEm, event, brandId, mode, placesOrders);
    } catch (error) {
      if (error instanceof BrandResolvedLate && attempt < 2) continue;
      // A checkout's order, inserted by its last message without oversell, found its stock gone since it was read:
      // nothing was written, and this time it is inserted first, the way that records an oversell.
      if (placesOrders && (error as { code?: unknown })?.code === ORDER_NOT_PLACED) {
        placesOrders = false;
        continue;
      }
      const rejected = error instanceof DomainError;
      await recordFailure(rootEm, event, brandId, rejected, storedMessage(error), mode).catch(() => undefined);
      if (rejected) return { eventId: event.id, outcome: 'REJECTED', reason: storedMessage(error), duplicate: false };
      throw error;
    }
  }
}

/**
 * One statement outside any transaction: the event's brand (brand-resolution.ts), and its outcome when it was already
 * processed. A processed event stays processed, so a redelivery found here is answered as a duplicate without opening
 * a transaction; one that races its first delivery is still caught by the claim. A named prepared statement: its text
 * takes one of brandSql's three shapes, each a lookup by a unique or indexed key, so a generic plan is the custom one,
 * and each connection keeps it instead of planning it on every delivery.
 */
async function firstLook(
  rootEm: EntityManager,
  event: Stripe.Event,
): Promise<{ brandId: string | null; done: { outcome: WebhookEventOutcome; reason: string | null } | null }> {
  const brand = brandSql(event);
  const [row] = await unscopedSql<{ brand_id: string | null; outcome: WebhookEventOutcome | null; reason: string | null }>(
    rootEm,
    `select ${brand.sql} as brand_id, e.outcome, e.reason
       from (values (1)) as one left join stripe_events e on e.event_id = ? and e.processed_at is not null`,
    [...brand.params, event.id],
    { prepared: true },
  );
  return { brandId: row.brand_id, done: row.outcome ? { outcome: row.outcome, reason: row.reason } : null };
}

async function runOnce(
  rootEm: EntityManager,
  event: Stripe.Event,
  brandId: string | null,
  mode: 'deliver' | 'replay',
  placesOrders: boolean,
): Promise<EventResult> {
  const ctx = RequestContext.create(rootEm, brandId ? stripePrincipal(event.id, brandId) : null);
  const handler = EVENT_HANDLERS[event.type];
  const locks = paymentLockKeys(handler?.payment?.(event, brandId) ?? null);
  const firstReads = brandId ? (handler?.firstReads?.({ brandId }, event) ?? []) : [];
  try {
    return await ctx.transaction(async (tx) => {
      openOrderChangeLog(tx, placesOrders);
      const { claimed, reads } =
        mode === 'deliver' ? await claim(tx.em, event, brandId, locks, firstReads) : await claimForReplay(tx.em, event.id, locks, firstReads);
      if (!claimed) {
        const [row] = await unscopedSql<{ outcome: WebhookEventOutcome; reason: string | null }>(
          tx.em,
          'select outcome, reason from stripe_events where event_id = ?',
          [event.id],
        );
        // Rolled back rather than committed: the first reads sent with the claim may have written (a checkout takes
        // the payments parked for it).
        throw new AlreadyProcessed({ eventId: event.id, outcome: row.outcome, reason: row.reason, duplicate: true });
      }
      const handled = handler ? await handler(tx, event, brandId, firstReads.length ? reads : undefined) : ignored(`${event.type} is not handled`);
      const reason = await recordOutcome(tx, event.id, brandId, handled);
      return { eventId: event.id, outcome: handled.outcome, reason, duplicate: false };
    }, { pipelined: true });
  } catch (error) {
    if (error instanceof AlreadyProcessed) return error.result;
    throw error;
  }
}

/** A delivery whose event another one processed meanwhile: its answer, thrown to roll its transaction back. */
class AlreadyProcessed extends Error {
  constructor(readonly result: EventResult) {
    super('the event was processed meanwhile');
  }
}

/**
 * Marks the event processed with its outcome, in the statement that also makes the handler's last write (a parked
 * payment) and writes the order changes of the payment rules (the transaction's order change log) — after a new order's
 * insert, when the log holds one, in the same message; anything in the unit of work is flushed at commit as usual.
 * Answers the reason as stored: a new order's number in place of ORDER_NUMBER_MARK.
 */
async function recordOutcome(tx: RequestContext, eventId: string, brandId: string | null, handled: Handled): Promise<string> {
  // Always asked, so that no change of the log can be left behind by a statement that commits.
  const changes = pendingOrderChangesSql(tx);
  const placing = (changes?.before.length ?? 0) > 0;
  const outcome = `update stripe_events set processed_at = now(), outcome = ?,
          reason = ${placing ? 'replace(?, ?, (select number from target))' : '?'}, error = null,
          brand_id = coalesce(?, brand_id), updated_at = now()
        where event_id = ?`;
  const values = [handled.outcome, handled.reason, ...(placing ? [ORDER_NUMBER_MARK] : []), brandId, eventId];
  const ctes = handled.write ? [`handler_write as (${handled.write.sql})`] : [];
  const params = handled.write?.params ?? [];
  // The last statement of the delivery when nothing is left to flush: it carries the COMMIT.
  commitWithNextStatement(tx.em);
  if (!changes) {
    await unscopedSql(tx.em, `${ctes.length ? `with ${ctes.join(', ')}\n` : ''}${outcome}`, [...params, ...values]);
    return handled.reason;
  }
  const last = scopedStatement(tx, `with ${[changes.ctes, ...ctes].join(',\n')}\n${outcome}`, [...changes.params, ...params, ...values]);
  const statements = [...changes.before, last];
  // One statement answers its rows; several, one array of rows each (the insert's, its check's, this one's).
  const results = await unscopedSql(tx.em, statements.map((statement) => statement.sql).join(';\n'), statements.flatMap((statement) => statement.params));
  changes.written();
  if (!placing) return handled.reason;
  const [placed] = (results as unknown as Record<string, any>[][])[changes.before.length - 1];
  return handled.reason.replaceAll(ORDER_NUMBER_MARK, placed.number);
}

/** The values of a stored event's identity and payload columns, in the order both inserts below list them. */
function storedEvent(event: Stripe.Event, brandId: string | null): unknown[] {
  return [
    uuidv7(),
    event.id,
    event.type,
    brandId,
    event.api_version ?? null,
    Boolean(event.livemode),
    new Date(event.created * 1000),
    JSON.stringify(event),
  ];
}

/**
 * Inserts the event, or re-claims a stored one that was never processed (an earlier attempt failed); once claimed, the
 * same statement waits for the locks of the payment it is about (handler.ts), so a delivery takes them in one round trip.
 * The handler's first reads, if any, follow in the same message, each a statement of its own.
 */
async function claim(
  em: EntityManager,
  event: Stripe.Event,
  brandId: string | null,
  locks: string[],
  firstReads: ReadAhead[],
): Promise<Claim> {
  return claimWith(
    em,
    `with claimed as (
     insert into stripe_events (id, created_at, updated_at, event_id, type, brand_id, api_version, livemode,
        stripe_created_at, payload, received_at, last_received_at, attempts)
     values (?, now(), now(), ?, ?, ?, ?, ?, ?, ?::jsonb, now(), now(), 1)
     on conflict (event_id) do update
        set attempts = stripe_events.attempts + 1, last_received_at = now(), updated_at = now()
      where stripe_events.processed_at is null
     returning id)`,
    storedEvent(event, brandId),
    locks,
    firstReads,
  );
}

function claimForReplay(em: EntityManager, eventId: string, locks: string[], firstReads: ReadAhead[]): Promise<Claim> {
  return claimWith(
    em,
    'with claimed as (update stripe_events set attempts = attempts + 1, updated_at = now() where event_id = ? returning id)',
    [eventId],
    locks,
    firstReads,
  );
}

interface Claim {
  claimed: boolean;
  /** The rows of each of the handler's first reads. */
  reads: Record<string, any>[][];
}

async function claimWith(em: EntityManager, claimedCte: string, params: unknown[], locks: string[], firstReads: ReadAhead[]): Promise<Claim> {
  const claimSql = `${claimedCte}\n     select id${locks.length ? `, ${advisoryLocksSql(locks)}` : ''} from claimed`;
  const sql = [claimSql, ...firstReads.map((read) => read.sql)].join(';\n');
  const results = await unscopedSql(em, sql, [...params, ...locks, ...firstReads.flatMap((read) => read.params)]);
  // One statement answers its rows; several, one array of rows each.
  const [rows, ...reads] = (firstReads.length ? results : [results]) as Record<string, any>[][];
  return { claimed: rows.length === 1, reads };
}

/**
 * Keeps the event and why it failed. REJECTED (our rules refused it) is acknowledged: marked processed so that
 * redeliveries are duplicates; an operator replays it after fixing the cause. FAILED stays unprocessed for Stripe's retry.
 */
async function recordFailure(
  rootEm: EntityManager,
  event: Stripe.Event,
  brandId: string | null,
  rejected: boolean,
  error: string,
  mode: 'deliver' | 'replay',
) {
  await unscopedSql(
    rootEm.fork(),
    `insert into stripe_events (id, created_at, updated_at, event_id, type, brand_id, api_version, livemode,
        stripe_created_at, payload, received_at, last_received_at, attempts, outcome, error, processed_at)
     values (?, now(), now(), ?, ?, ?, ?, ?, ?, ?::jsonb, now(), now(), 1, ?, ?, ${rejected ? 'now()' : 'null'})
     on conflict (event_id) do update
        set outcome = excluded.outcome, error = excluded.error, processed_at = excluded.processed_at,
            reason = null, attempts = stripe_events.attempts + 1, last_received_at = now(), updated_at = now()
      where stripe_events.processed_at is null or ?`,
    [...storedEvent(event, brandId), rejected ? 'REJECTED' : 'FAILED', error, mode === 'replay'],
  );
}
