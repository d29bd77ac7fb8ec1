import type { EntityManager } from '@mikro-orm/postgresql';

const SWEEP_EVERY_MS = 5 * 60_000;

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export interface BucketDecision {
  granted: boolean;
  status: ThrottleStatus;
  /** Whole seconds until the bucket holds enough for this cost again; 0 when granted. */
  retryAfterSeconds: number;
}

/**
 * Leaky buckets of query cost, one per API key or session, in PostgreSQL so every API instance draws from the same one.
 * A bucket refills continuously at `restoreRate` points per second up to `capacity`. One statement takes the cost or
 * refuses it atomically: concurrent requests of one key serialize on the bucket's row, so a burst cannot overdraw it.
 * Time is the database's clock, the same for every instance.
 *
 * rate-limiter-flexible's stores count points in fixed windows; Shopify-style continuous restore and the per-response
 * `currentlyAvailable` need the bucket's level, so this one statement is written here instead.
 */
export class CostBuckets {
  private lastSweep = Date.now();

  constructor(
    private readonly em: EntityManager,
    readonly capacity: number,
    readonly restoreRate: number,
  ) {}

  /**
   * The upsert that takes `cost` from the bucket whose key is the column `key` of the one-row relation `source` (a CTE
   * of the caller's statement), returning the bucket's `available` and whether it `granted`. It is a fragment so that
   * the credential lookup and the charge can be one statement (auth.service.ts): a request's first round trip.
   */
  takeFrom(source: string, cost: number): { sql: string; params: unknown[] } {
    const refilled = `least(?::float8, b.available + greatest(0, extract(epoch from clock_timestamp() - b.updated_at)) * ?::float8)`;
    const { capacity, restoreRate } = this;
    return {
      sql: `insert into rate_limit_buckets as b (key, available, granted, updated_at)
         select ${source}.key, ?::float8 - ?::float8, true, clock_timestamp() from ${source}
       on conflict (key) do update set
         granted = ${refilled} >= ?::float8,
         available = case when ${refilled} >= ?::float8 then ${refilled} - ?::float8 else ${refilled} end,
         updated_at = clock_timestamp()
       returning available, granted`,
      params: [capacity, cost, capacity, restoreRate, cost, capacity, restoreRate, cost, capacity, restoreRate, cost, capacity, restoreRate],
    };
  }

  /** What the bucket's answer to `takeFrom` means for an operation of `cost`. */
  decision(row: { available: number; granted: boolean }, cost: number): BucketDecision {
    const { available, granted } = row;
    const status = { maximumAvailable: this.capacity, currentlyAvailable: Math.max(0, Math.floor(available)), restoreRate: this.restoreRate };
    const retryAfterSeconds = granted ? 0 : Math.max(1, Math.ceil((cost - available) / this.restoreRate));
    return { granted, status, retryAfterSeconds };
  }

  async take(key: string, cost: number): Promise<BucketDecision> {
    this.sweepNowAndThen();
    const take = this.takeFrom('k', cost);
    // Buckets hold no brand's data (keys are credential ids), so this statement is not brand-scoped.
    const rows = await this.em
      .getConnection()
      .execute<{ available: number; granted: boolean }[]>(`with k (key) as (values (?::text)) ${take.sql}`, [key, ...take.params]);
    return this.decision(rows[0], cost);
  }

  /**
   * Gives back points an operation was charged but did not use. In the background: the answer does not wait for it, and
   * a lost refund only leaves the bucket a little emptier than it should be.
   */
  refund(key: string, points: number): void {
    this.em
      .getConnection()
      .execute(`update rate_limit_buckets set available = least(?::float8, available + ?::float8) where key = ?`, [this.capacity, points, key])
      .catch(() => undefined);
  }

  /**
   * A bucket left alone until it is full again is the same as no bucket: its row can go. Sessions come and go, so
   * without this the table would keep a row for every session ever used. At most every 5 minutes per instance, in the
   * background; a failure only postpones it.
   */
  sweepNowAndThen() {
    if (Date.now() - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = Date.now();
    const fullAfterSeconds = Math.ceil(this.capacity / this.restoreRate);
    this.em
      .getConnection()
      .execute(`delete from rate_limit_buckets where updated_at < clock_timestamp() - make_interval(secs => ?)`, [fullAfterSeconds])
      .catch(() => undefined);
  }
}
