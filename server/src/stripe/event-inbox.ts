import type { EntityManager } from '@mikro-orm/postgresql';
import type Stripe from 'stripe';
import type { Logger } from '../logger';
import { processStored, storeDeliveries, takeLeftUnprocessed, withoutNulCharacters, type EventResult, type Receipt } from './event-delivery';

/**
 * Stripe's deliveries as an inbox, the way Stripe asks for them (a 2xx quickly, the work after): a delivery is stored,
 * committed, then processed by a few workers of this process, and answered with its outcome if processing ends within
 * `answerWithinMs` and it is not part of a burst (see `answer`), else as queued — a burst of deliveries is acknowledged
 * at the rate PostgreSQL stores them while processing catches up behind it. Nothing is lost: a stored event that is not
 * processed (queued when the process stopped, or failed on our side) is found by the sweep, here or on another
 * instance, and processed with growing pauses for three days, as Stripe would retry it. Exactly-once stays the
 * processing's claim (event-delivery.ts).
 */
export type DeliveryAnswer =
  | { state: 'done'; result: EventResult }
  /** Our side failed within the budget: answered 5xx, so that Stripe retries too. */
  | { state: 'failed' }
  /** `duplicate`: a redelivery of an event this process was already applying, or had queued. */
  | { state: 'queued'; eventId: string; duplicate: boolean };

export interface InboxOptions {
  em: EntityManager;
  log: Logger;
  /** How long a delivery waits for its processing before it is answered as queued. */
  answerWithinMs: number;
  /** How many events this process applies at once (each holds a pooled connection while it does). */
  workers: number;
  /** The sweep's period, and the first pause before a failed or left event is tried again (doubling, at most an hour). */
  retryAfterMs: number;
}

type Settled = { state: 'done'; result: EventResult } | { state: 'failed' } | { state: 'left' };

/** Events waiting for a worker beyond this many bytes of payload stay in the table only, for the sweep. */
const MOST_QUEUED_BYTES = 64 * 2 ** 20;
/** What the sweep counts for each event it queues (their bodies are not measured again). */
const SWEPT_EVENT_BYTES = 16 * 2 ** 10;
/** The most deliveries, and payload bytes, one statement stores. */
const MOST_PER_STATEMENT = 100;
const MOST_BYTES_PER_STATEMENT = 8 * 2 ** 20;

interface ToStore {
  event: Stripe.Event;
  bytes: number;
  resolve: (receipt: Receipt) => void;
  reject: (error: unknown) => void;
}

export class StripeEventInbox {
  /** Events this process has queued or is processing, by Stripe's id. */
  private readonly pending = new Map<string, Promise<Settled>>();
  private readonly waiting: ((go: boolean) => void)[] = [];
  /** The payload bytes of the events in `waiting`. */
  private waitingBytes = 0;
  private busy = 0;
  /** Deliveries between their receipt and their answer. */
  private receiving = 0;
  private readonly toStore: ToStore[] = [];
  private storing = false;
  private storeScheduled = false;
  private stopped = false;
  private sweeping: Promise<void> | null = null;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly options: InboxOptions) {
    this.timer = setInterval(() => void this.sweep(), options.retryAfterMs);
    this.timer.unref();
  }

  /**
   * Stores a verified delivery, then answers its outcome, or that it is queued; rejects when it could not be stored.
   * `bytes`: the size of its body.
   */
  async receive(verified: Stripe.Event, mayHoldNul: boolean, bytes: number): Promise<DeliveryAnswer> {
    this.receiving++;
    try {
      return await this.answer(mayHoldNul ? withoutNulCharacters(verified) : verified, bytes);
    } finally {
      this.receiving--;
    }
  }

  private async answer(event: Stripe.Event, bytes: number): Promise<DeliveryAnswer> {
    let receipt = await this.store(event, bytes);
    // Held by a processing that this process no longer waits for: it may be this process's own, committed since the
    // statement read the row (its pending entry goes only after its commit). Asked once more, the row then says so.
    if (receipt.elsewhere && !this.pending.has(event.id)) receipt = await this.store(event, bytes);
    if (receipt.done) return { state: 'done', result: { eventId: event.id, ...receipt.done, duplicate: true } };
    // Held by a processing of another process (or one this process no longer waits for): that one applies it, or,
    // if it fails, the sweep.
    if (receipt.elsewhere && !this.pending.has(event.id)) return { state: 'queued', eventId: event.id, duplicate: false };
    const { settled, joined, waits } = this.enqueue(event, receipt.brandId, bytes);
    // Behind other events, its outcome would not come in time. In a burst — other deliveries wait to be stored, or more
    // are in progress than workers apply at once — it would often not come in time either, and the wait would only hold
    // this answer back (the slowest answers of a 5,000-delivery burst were those that waited, found a worker free, and
    // were still answered queued 50 ms later): either way the answer says queued at once.
    const burst = this.toStore.length > 0 || this.receiving > this.options.workers;
    const outcome = waits || burst ? undefined : await within(settled, this.options.answerWithinMs);
    if (!outcome || outcome.state === 'left') return { state: 'queued', eventId: event.id, duplicate: joined };
    if (outcome.state === 'failed') return outcome;
    // A redelivery that arrived while this process applied the first: the first's work, not this one's.
    return { state: 'done', result: joined ? { ...outcome.result, duplicate: true } : outcome.result };
  }

  /**
   * Stores the event with the others received in the same turn of the event loop, in one statement, one statement at a
   * time: the deliveries that arrive while one is stored go together in the next, so a burst shares round trips and
   * commits (measured: one statement at a time answered more deliveries, sooner, than two, four or eight). A failed
   * statement fails each of its deliveries (answered 5xx, so that Stripe retries them).
   */
  private store(event: Stripe.Event, bytes: number): Promise<Receipt> {
    return new Promise((resolve, reject) => {
      this.toStore.push({ event, bytes, resolve, reject });
      this.scheduleStore();
    });
  }

  private scheduleStore() {
    if (this.storeScheduled || this.storing || !this.toStore.length) return;
    this.storeScheduled = true;
    setImmediate(() => {
      this.storeScheduled = false;
      void this.storeBatch();
    });
  }

  private async storeBatch() {
    let count = 0;
    let bytes = 0;
    while (count < this.toStore.length && count < MOST_PER_STATEMENT && (count === 0 || bytes + this.toStore[count].bytes <= MOST_BYTES_PER_STATEMENT)) {
      bytes += this.toStore[count++].bytes;
    }
    const batch = this.toStore.splice(0, count);
    this.storing = true;
    try {
      const receipts = await storeDeliveries(this.options.em, batch.map((item) => item.event));
      for (const item of batch) item.resolve(receipts.get(item.event.id)!);
    } catch (error) {
      for (const item of batch) item.reject(error);
    } finally {
      this.storing = false;
      this.scheduleStore();
    }
  }

  /** Looks for stored events left unprocessed (the sweep runs by itself too); resolves when they are queued. */
  sweep(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.sweeping ??= this.queueLeftovers()
      .catch((error) => this.options.log.warn('stripe inbox sweep failed', { error: String((error as Error)?.message ?? error) }))
      .finally(() => {
        this.sweeping = null;
      });
    return this.sweeping;
  }

  /** Stops taking work: what waits for a worker stays stored for the sweep; resolves once the events in progress end. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    for (const go of this.waiting.splice(0)) go(false);
    await this.sweeping;
    await Promise.all(this.pending.values());
  }

  private async queueLeftovers(): Promise<void> {
    const room = this.options.workers * 4 - this.pending.size;
    if (room <= 0) return;
    const events = await takeLeftUnprocessed(this.options.em, { firstPauseMs: this.options.retryAfterMs, limit: room });
    for (const event of events) {
      // Its brand is resolved when it is applied: its receipt may have found none yet.
      if (!this.stopped && !this.pending.has(event.id)) this.enqueue(event, undefined, SWEPT_EVENT_BYTES);
    }
  }

  /** `waits`: no worker was free, so the event waits behind others (or, past MOST_QUEUED_BYTES, only in the table). */
  private enqueue(event: Stripe.Event, brandId: string | null | undefined, bytes: number): { settled: Promise<Settled>; joined: boolean; waits: boolean } {
    const known = this.pending.get(event.id);
    if (known) return { settled: known, joined: true, waits: false };
    const waits = this.stopped || this.busy >= this.options.workers;
    if (waits && this.waitingBytes + bytes > MOST_QUEUED_BYTES) return { settled: Promise.resolve({ state: 'left' }), joined: false, waits };
    if (waits) this.waitingBytes += bytes;
    const settled = this.worker().then(async (go): Promise<Settled> => {
      if (waits) this.waitingBytes -= bytes;
      if (!go) return { state: 'left' };
      try {
        return { state: 'done', result: await processStored(this.options.em, event, brandId) };
      } catch (error) {
        this.options.log.error('stripe event failed', { eventId: event.id, type: event.type, error: String((error as Error)?.stack ?? error) });
        return { state: 'failed' };
      } finally {
        this.release();
      }
    });
    this.pending.set(event.id, settled);
    void settled.then(() => this.pending.delete(event.id));
    return { settled, joined: false, waits };
  }

  /** Resolves true when a worker is free for the caller, false when the inbox stopped first. */
  private worker(): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    if (this.busy < this.options.workers) {
      this.busy++;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release() {
    const next = this.waiting.shift();
    if (next) next(true);
    else this.busy--;
  }
}

/** The promise's value if it settles within `ms`, else undefined. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
