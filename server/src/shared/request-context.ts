import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Brand } from '../brands/brand.entity';
import { pipelinedTransaction } from '../db/pipelined-transaction';
import { unauthenticated } from '../errors';
import { roleAtLeast, type Role } from '../users/user.entity';
import { BRAND_FILTER, type BrandFilterArgs } from './entity-base';
import type { Actor } from './actor';
import type { ReadRider } from './sql';

export interface Principal {
  actor: Actor;
  brandId: string;
  role: Role | null;
  scopes: string[];
  sessionId?: string;
  apiKeyId?: string;
  /** Where the request came from (the dashboard's forwarded address when trusted), for the audit log. */
  clientAddress?: string;
  /** The brand as read with the credential, in its statement, when the operation asks for the viewer's brand. */
  brand?: BrandRecord;
}

/** What the GraphQL `Brand` type shows of a brand: the entity, or these columns read without the ORM. */
export type BrandRecord = Pick<
  Brand,
  'id' | 'slug' | 'name' | 'currency' | 'orderNumberPrefix' | 'taxRateBps' | 'taxInclusive' | 'shippingFlatRate' | 'freeShippingThreshold'
>;

const TRANSACTION_ATTEMPTS = 3;
/** deadlock_detected and serialization_failure: PostgreSQL rolled the whole transaction back, so it may run again. */
const RETRYABLE_SQLSTATES = new Set(['40P01', '40001']);

function isRetryableAbort(error: unknown): boolean {
  for (let e: any = error, depth = 0; e && depth < 4; e = e.cause ?? e.previous, depth++) {
    if (RETRYABLE_SQLSTATES.has(e.code)) return true;
  }
  return false;
}

async function retryAborted<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= TRANSACTION_ATTEMPTS || !isRetryableAbort(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
    }
  }
}

/**
 * Everything a service needs to act for one request: the acting principal, its brand and an EntityManager forked for
 * this request whose brand filter is bound to that brand. Every service method takes it first, so tenancy is part of
 * the signature. Without a principal, `brandId` throws UNAUTHENTICATED and brand-scoped ORM queries throw too.
 */
export class RequestContext {
  readonly requestId: string;

  private constructor(
    /** The ORM's root EntityManager; `em` forks it. */
    private readonly root: EntityManager,
    private forked: EntityManager | null,
    readonly principal: Principal | null,
    requestId?: string,
    /** What rides with the request's first read (shared/sql.ts): the credential's deferred check, if any. */
    readonly rider: ReadRider | null = null,
  ) {
    this.requestId = requestId ?? randomUUID();
  }

  static create(rootEm: EntityManager, principal: Principal | null, requestId?: string, rider: ReadRider | null = null): RequestContext {
    return new RequestContext(rootEm, null, principal, requestId, rider);
  }

  /** Whether this request's answer must be thrown away: its credential's deferred check did not confirm it. */
  get answerWithheld(): boolean {
    return this.rider?.withholdsAnswer ?? false;
  }

  /**
   * The request's EntityManager, its brand filter bound to the principal's brand. It is forked on first use: the read
   * path runs raw SQL (order pages, the credential check) and never needs one, and a fork per request costs measurably.
   */
  get em(): EntityManager {
    if (!this.forked) {
      this.forked = this.root.fork({ clear: true, useContext: false });
      if (this.principal) this.forked.setFilterParams(BRAND_FILTER, { brandId: this.principal.brandId } satisfies BrandFilterArgs);
    }
    return this.forked;
  }

  /**
   * The EntityManager raw SQL runs on (`shared/sql.ts`): the request's own once it has one — a transaction's, so the
   * statement joins it — else the root one, whose connection is the same pool. Raw SQL uses neither the identity map nor
   * the filters, so it need not fork.
   */
  get sqlEm(): EntityManager {
    return this.forked ?? this.root;
  }

  /** The same principal on another EntityManager (a transaction's fork). */
  withEm(em: EntityManager): RequestContext {
    return new RequestContext(this.root, em, this.principal, this.requestId);
  }

  /** The same brand and transaction acting as another actor (e.g. the Stripe event that caused a deferred change). */
  withActor(actor: Actor): RequestContext {
    if (!this.principal) throw unauthenticated();
    return new RequestContext(this.root, this.em, { ...this.principal, actor }, this.requestId);
  }

  /**
   * Runs `work` in one database transaction; it commits when `work` resolves and rolls back when it throws. When
   * PostgreSQL aborts it as a deadlock's victim or a serialization failure (two writers of the same rollup or counter
   * rows in opposite orders), nothing of it was written and the whole of `work` runs again, at most
   * TRANSACTION_ATTEMPTS times; a transaction nested in another is retried by the outer one only. `pipelined` sends
   * its BEGIN with its first statement and lets its last carry the COMMIT (db/pipelined-transaction.ts).
   */
  async transaction<T>(work: (tx: RequestContext) => Promise<T>, options: { pipelined?: boolean } = {}): Promise<T> {
    if (options.pipelined && !this.em.isInTransaction()) {
      return retryAborted(() => pipelinedTransaction(this.em, (em) => work(this.withEm(em))));
    }
    const once = () => this.em.transactional((em) => work(this.withEm(em as EntityManager)));
    return this.em.isInTransaction() ? once() : retryAborted(once);
  }

  /**
   * Runs `work`, one statement atomic on its own (no transaction around it), again when PostgreSQL aborted it as a
   * deadlock's victim: its commit runs the deferred rollup triggers, which can deadlock like a transaction's. Inside a
   * transaction the outer one retries instead, since the abort rolled all of it back.
   */
  async atomicStatement<T>(work: () => Promise<T>): Promise<T> {
    // sqlEm: a request that has not forked its EntityManager is in no transaction, and need not fork to say so.
    return this.sqlEm.isInTransaction() ? work() : retryAborted(work);
  }

  get isAuthenticated(): boolean {
    return this.principal !== null;
  }

  get brandId(): string {
    if (!this.principal) throw unauthenticated();
    return this.principal.brandId;
  }

  get actor(): Actor {
    if (!this.principal) throw unauthenticated();
    return this.principal.actor;
  }

  get role(): Role | null {
    return this.principal?.role ?? null;
  }

  hasRole(required: Role): boolean {
    return roleAtLeast(this.role, required);
  }
}
