import type { EntityManager } from '@mikro-orm/postgresql';
import type Stripe from 'stripe';
import { v7 as uuidv7 } from 'uuid';
import { DomainError } from '../errors';
import { RequestContext, type Principal } from '../shared/request-context';
import { advisoryLocksSql, scopedStatement } from '../shared/sql';
import { unscopedSql, unscopedStatements } from '../shared/unscoped-sql';
import { commitWithNextStatement } from '../db/pipelined-transaction';
import { preparedStatementLost } from '../db/server-prepared';
import { openOrderChangeLog, ORDER_NOT_PLACED, ORDER_NUMBER_MARK, pendingOrderChangesSql } from '../orders/order-change-log';
import { brandKeys, brandSql, BRAND_OF_KEYS_SQL } from './brand-resolution';
import { BrandResolvedLate, ignored, paymentLockKeys, stripeActor, type Handled, type ReadAhead } from './events/handler';
import { EVENT_HANDLERS } from './events/registry';
import type { WebhookEventOutcome } from './stripe-event.entity';

/**
 * Turns verified Stripe events into orders, payments, refunds and subscriptions — exactly once. This module is the
 * delivery plumbing; what each event type does is in events/ (registry.ts lists them).
 *
 * A delivery is first stored, committed, in `stripe_events` (storeDeliveries: a unique constraint on Stripe's id, and a
 * redelivery of an event already processed is answered there as a duplicate); the inbox (event-inbox.ts) then has it
 * processed. Processing runs in one transaction that claims the stored event (`UPDATE … WHERE processed_at IS NULL`),
 * applies its effects through the order services, then marks it processed. A concurrent processing of the same event
 * waits on the claimed row and, once the first commits, finds it processed and changes nothing; if the first rolled
 * back, the second processes it. Events that touch one payment are serialized by transaction-scoped advisory locks
 * (order reference first, then PaymentIntent), taken by the claim statement itself once it claimed, so out-of-order
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
 * for a rejection, never the text of an unexpected error, which can carry SQL, constraint names or values. The inbox
 * logs that one with the event id.
 */
function storedMessage(error: unknown): string {
  if (error instanceof DomainError) return error.message.slice(0, 1000);
  return 'Our side failed while processing this event; the server log has the details under its event id';
}

/**
 * What storing a delivery found: the event's brand (brand-resolution.ts); its outcome when it was processed already
 * (then nothing was stored); or, `elsewhere`, that it is being processed right now by a transaction that holds its row.
 */
export interface Receipt {
  brandId: string | null;
  done: { outcome: WebhookEventOutcome; reason: string | null } | null;
  elsewhere: boolean;
}

/**
 * Stores verified deliveries — committed, before any of their effects — in one statement outside any transaction
 * (the inbox gathers the deliveries that arrive together, event-inbox.ts): inserts each new event, or counts one more
 * delivery of a stored event not processed yet, and answers its brand, or its outcome when it was processed already
 * (a redelivery, which changes nothing). From here on an event cannot be lost: the inbox processes it, now or, after a
 * crash or a failure, later. The statement never waits for a row a processing holds (SKIP LOCKED), so one slow event
 * cannot hold up the receipt of others; such a redelivery is not counted (`elsewhere`). New rows go in Stripe's id
 * order. Answers by Stripe's id. The rows to count are found by their ids only, and whether they are still unprocessed
 * is asked of the locked rows: a WHERE holding `processed_at is null` let the planner read the inbox's whole backlog
 * through its partial index (as the claim below did).
 */
export async function storeDeliveries(rootEm: EntityManager, events: Stripe.Event[]): Promise<Map<string, Receipt>> {
  const distinct = [...new Map(events.map((event) => [event.id, event])).values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const columns: unknown[][] = [[], [], [], [], [], [], [], [], []];
  for (const event of distinct) {
    const keys = brandKeys(event);
    const values = [uuidv7(), event.id, event.type, keys.brandId, keys.paymentIntentId, event.api_version ?? null, Boolean(event.livemode), new Date(event.created * 1000), JSON.stringify(event)];
    values.forEach((value, i) => columns[i].push(value));
  }
  // Unscoped: events are stored before their brand is known, and this is where it is first resolved.
  const rows = await unscopedSql<{
    event_id: string;
    brand_id: string | null;
    stored: boolean;
    counted: boolean;
    outcome: WebhookEventOutcome | null;
    reason: string | null;
  }>(
    rootEm,
    `with input as materialized (
       select i.*, ${BRAND_OF_KEYS_SQL} as brand_id
         from unnest(?::uuid[], ?::text[], ?::text[], ?::uuid[], ?::text[], ?::text[], ?::boolean[], ?::timestamptz[], ?::text[])
           as i(id, event_id, type, brand_key, payment_intent_key, api_version, livemode, stripe_created_at, payload)),
     known as materialized (
       select e.id, e.event_id, e.processed_at is not null as processed, e.outcome, e.reason
         from stripe_events e where e.event_id in (select event_id from input)),
     stored as (
       insert into stripe_events (id, created_at, updated_at, event_id, type, brand_id, api_version, livemode,
          stripe_created_at, payload, received_at, last_received_at, attempts)
       select id, now(), now(), event_id, type, brand_id, api_version, livemode, stripe_created_at, payload::jsonb, now(), now(), 1
         from input where event_id not in (select event_id from known) order by event_id
       on conflict (event_id) do nothing
       returning event_id),
     unlocked as materialized (
       select x.id, x.processed_at from stripe_events x
        where x.id in (select id from known where not processed)
        for update skip locked),
     counted as (
       update stripe_events e set attempts = e.attempts + 1, last_received_at = now(), updated_at = now()
         from unlocked where e.id = unlocked.id and unlocked.processed_at is null
       returning e.event_id)
     select i.event_id, i.brand_id,
            exists (select 1 from stored s where s.event_id = i.event_id) as stored,
            exists (select 1 from counted c where c.event_id = i.event_id) as counted,
            k.outcome, k.reason
       from input i left join known k on k.event_id = i.event_id and k.processed`,
    columns,
    { prepared: true },
  );
  return new Map(
    rows.map((row) => [
      row.event_id,
      {
        brandId: row.brand_id,
        done: row.outcome ? { outcome: row.outcome, reason: row.reason } : null,
        elsewhere: !row.outcome && !row.stored && !row.counted,
      },
    ]),
  );
}

/**
 * PostgreSQL stores no NUL character, in text or in jsonb: a signed event carrying one (say, in a customer's name)
 * would fail on every retry and could not even be recorded. Each becomes U+FFFD, the mark for an unreadable character.
 */
export function withoutNulCharacters<T>(value: T): T {
  if (typeof value === 'string') return (value.includes('\0') ? value.replaceAll('\0', '\uFFFD') : value) as T;
  if (Array.isArray(value)) return value.map(withoutNulCharacters) as T;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, child]) => [withoutNulCharacters(key), withoutNulCharacters(child)]),
  ) as T;
}

/**
 * Applies a stored event not processed yet (storeDeliveries stored it): resolves with the outcome, a duplicate when it was
 * processed meanwhile; rejects only when our side failed (the event stays unprocessed, FAILED, for a retry).
 * `brandId`: as its receipt resolved it, or undefined to resolve it here (an event the sweep took).
 */
export function processStored(rootEm: EntityManager, event: Stripe.Event, brandId: string | null | undefined): Promise<EventResult> {
  return run(rootEm, event, 'process', brandId);
}

/** Stripe retries an event for three days; so does the inbox's sweep. */
const RETRY_FOR_HOURS = 72;

/**
 * Takes stored events not processed yet and due for another try, oldest first — received in the last three days, and
 * not touched (received again, tried, failed) for a pause that doubles with each attempt, from `firstPauseMs` to an
 * hour — and counts the try as an attempt, so that the next pause is longer and another instance's sweep leaves them
 * alone meanwhile. Rows being applied right now are skipped.
 */
export async function takeLeftUnprocessed(rootEm: EntityManager, options: { firstPauseMs: number; limit: number }): Promise<Stripe.Event[]> {
  // Unscoped: the inbox holds every brand's events, and events of no known brand (stripe_events_unprocessed_index).
  const rows = await unscopedSql<{ payload: Stripe.Event | string }>(
    rootEm,
    `update stripe_events set attempts = attempts + 1, updated_at = now()
      where id in (select id from stripe_events
                    where processed_at is null and received_at > now() - make_interval(hours => ?)
                      and updated_at < now() - make_interval(secs => least(3600, ? * power(2, least(attempts - 1, 12))))
                    order by received_at
                    limit ?
                    for update skip locked)
      returning payload`,
    [RETRY_FOR_HOURS, options.firstPauseMs / 1000, options.limit],
  );
  return rows.map((row) => (typeof row.payload === 'string' ? (JSON.parse(row.payload) as Stripe.Event) : row.payload));
}

/** Runs a stored event again (operator replay), whatever its outcome; effects stay exactly-once. */
export async function replayEvent(rootEm: EntityManager, eventId: string): Promise<EventResult> {
  // Unscoped: an operator replays an event by Stripe's id, whatever its brand.
  const [row] = await unscopedSql<{ payload: Stripe.Event | string }>(rootEm, 'select payload from stripe_events where event_id = ?', [eventId]);
  if (!row) throw new DomainError('NOT_FOUND', `No stored Stripe event ${eventId}`);
  const payload = typeof row.payload === 'string' ? (JSON.parse(row.payload) as Stripe.Event) : row.payload;
  return run(rootEm, payload, 'replay', undefined);
}

async function run(
  rootEm: EntityManager,
  event: Stripe.Event,
  mode: 'process' | 'replay',
  knownBrandId: string | null | undefined,
): Promise<EventResult> {
  let placesOrders = true;
  let brandId = knownBrandId;
  // A charge whose PaymentIntent had no order yet when it was stored may have one now that it is applied (in a burst,
  // its checkout is often applied in between): asked again here, rather than found inside the transaction, which would
  // then roll back and run again (BrandResolvedLate).
  if (brandId === null && brandKeys(event).paymentIntentId) brandId = undefined;
  for (let attempt = 0; ; attempt++) {
    if (brandId === undefined || attempt > 0) brandId = await brandNow(rootEm, event);
    try {
      return await runOnce(rootEm, event, brandId, mode, placesOrders);
    } catch (error) {
      if ((error instanceof BrandResolvedLate || preparedStatementLost(error)) && attempt < 2) continue;
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
 * The event's brand (brand-resolution.ts), when its receipt did not resolve it (a replay, an event the sweep took) or
 * a handler found it resolved late.
 */
async function brandNow(rootEm: EntityManager, event: Stripe.Event): Promise<string | null> {
  const brand = brandSql(event);
  const [row] = await unscopedSql<{ brand_id: string | null }>(rootEm, `select ${brand.sql} as brand_id`, brand.params, { prepared: true });
  return row.brand_id;
}

async function runOnce(
  rootEm: EntityManager,
  event: Stripe.Event,
  brandId: string | null,
  mode: 'process' | 'replay',
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
        mode === 'process' ? await claim(tx.em, event.id, locks, firstReads) : await claimForReplay(tx.em, event.id, locks, firstReads);
      if (!claimed) {
        const [row] = await unscopedSql<{ outcome: WebhookEventOutcome; reason: string | null }>(
          tx.em,
          'select outcome, reason from stripe_events where event_id = ?',
          [event.id],
        );
        // Rolled back rather than committed: the first reads sent with the claim may have written (a checkout takes
        // the payments parked for it). No row: the event was erased meanwhile, and there is nothing left to do.
        throw new AlreadyProcessed({ eventId: event.id, outcome: row?.outcome ?? 'IGNORED', reason: row?.reason ?? null, duplicate: true });
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
    await unscopedSql(tx.em, `${ctes.length ? `with ${ctes.join(', ')}\n` : ''}${outcome}`, [...params, ...values], { prepared: true });
    return handled.reason;
  }
  const last = scopedStatement(tx, `with ${[changes.ctes, ...ctes].join(',\n')}\n${outcome}`, [...changes.params, ...params, ...values]);
  // One array of rows per statement: the insert's, its check's, this one's.
  const results = await unscopedStatements(tx.em, [...changes.before, last], { prepared: true });
  changes.written();
  if (!placing) return handled.reason;
  const [placed] = results[changes.before.length - 1];
  return handled.reason.replaceAll(ORDER_NUMBER_MARK, placed.number);
}

/**
 * Claims a stored event that is not processed yet; once claimed, the same statement waits for the locks of the payment
 * it is about (handler.ts), so a processing takes them in one round trip. A concurrent processing of the same event (the
 * sweep of another instance, say) waits on the claimed row and, once the first commits, finds it processed. The
 * handler's first reads, if any, follow in the same message, each a statement of its own.
 */
function claim(em: EntityManager, eventId: string, locks: string[], firstReads: ReadAhead[]): Promise<Claim> {
  return claimWith(em, CLAIM_CTES, [eventId], locks, firstReads);
}

/**
 * The event's row is found by Stripe's id alone, locked as the update would lock it (waiting for a processing that holds
 * it, then reading what that one committed), and updated by its id when it is still unprocessed. Asked in one WHERE
 * (`event_id = ? and processed_at is null`), the planner could take the inbox's partial index of unprocessed events
 * instead of the unique one, and read the whole backlog for each claim — what it did in a burst, once the backlog had
 * outgrown the table's statistics: ≈ 950 buffers a claim (docs/performance.md, Write path, Stripe deliveries, round 9).
 */
const CLAIM_CTES = `with target as materialized (select id, processed_at from stripe_events where event_id = ? for no key update),
     claimed as (update stripe_events e set updated_at = now() from target where e.id = target.id and target.processed_at is null
                 returning e.id)`;

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
  const [rows, ...reads] = await unscopedStatements(em, [{ sql: claimSql, params: [...params, ...locks] }, ...firstReads], { prepared: true });
  return { claimed: rows.length === 1, reads };
}

/**
 * Keeps why the event failed. REJECTED (our rules refused it) is acknowledged: marked processed so that redeliveries are
 * duplicates; an operator replays it after fixing the cause. FAILED stays unprocessed, for the inbox's retry and
 * Stripe's.
 */
async function recordFailure(
  rootEm: EntityManager,
  event: Stripe.Event,
  brandId: string | null,
  rejected: boolean,
  error: string,
  mode: 'process' | 'replay',
) {
  await unscopedSql(
    rootEm.fork(),
    `update stripe_events
        set outcome = ?, error = ?, processed_at = ${rejected ? 'now()' : 'null'}, reason = null,
            brand_id = coalesce(?, brand_id), updated_at = now()
      where event_id = ? and (processed_at is null or ?)`,
    [rejected ? 'REJECTED' : 'FAILED', error, brandId, event.id, mode === 'replay'],
  );
}
