import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError } from '../errors';
import type { RequestContext } from '../shared/request-context';

/**
 * Group commit for one brand's new orders on this API instance. Creating an order locks the brand's numbering row from
 * its insert through its commit, and the commit's WAL flush is most of that time, so one brand's creates top out at one
 * flush each. Here the creates of a brand that arrive while one is being written wait and are then written together,
 * in ONE transaction that takes the numbering lock once and flushes once. An order refused (for stock, say) wrote
 * nothing, took no number (numbers stay gap-free) and gets its own error while the others commit. A lone create
 * (nothing in flight for its brand) is written at once and on its own, exactly as without batching. Each order keeps
 * its own request context (actor, request id, client address), so its audit entry and timeline are its own. When the
 * shared transaction fails (a lost connection, a deadlock), it wrote nothing and each of its orders is written again
 * on its own, so none is lost or doubled. Other API instances still queue on the row lock as before.
 *
 * `work` must be one all-or-nothing write (insertOrder) that writes nothing when it throws a DomainError.
 */
type Work = (tx: RequestContext) => Promise<unknown>;

interface Waiting {
  ctx: RequestContext;
  work: Work;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Orders per shared transaction: enough to amortise a flush, few enough that one batch holds the lock briefly. */
const MAX_BATCH = 32;

/** Per brand with a write in flight: the creates waiting for it. A brand is absent when none is in flight. */
const waitingByBrand = new Map<string, Waiting[]>();

/** Runs `work` (one order's insert) for the request's brand, batched with that brand's concurrent creates. */
export function writeInBatch<T>(ctx: RequestContext, work: (tx: RequestContext) => Promise<T>): Promise<T> {
  const brandId = ctx.brandId;
  const waiting = waitingByBrand.get(brandId);
  if (waiting) {
    return new Promise<T>((resolve, reject) => {
      waiting.push({ ctx, work, resolve: resolve as (value: unknown) => void, reject });
    });
  }
  waitingByBrand.set(brandId, []);
  return work(ctx).finally(() => writeNext(brandId));
}

function writeNext(brandId: string): void {
  const waiting = waitingByBrand.get(brandId)!;
  if (waiting.length === 0) {
    waitingByBrand.delete(brandId);
    return;
  }
  const batch = waiting.splice(0, MAX_BATCH);
  void writeBatch(batch).finally(() => writeNext(brandId));
}

async function writeBatch(batch: Waiting[]): Promise<void> {
  if (batch.length > 1) {
    const outcomes = await writeTogether(batch);
    if (outcomes) {
      batch.forEach((order, i) => {
        const outcome = outcomes[i];
        if (outcome.ok) order.resolve(outcome.value);
        else order.reject(outcome.error);
      });
      return;
    }
  }
  // Alone, or after the shared transaction failed (it wrote nothing): each order on its own, as without batching.
  for (const order of batch) await order.work(order.ctx).then(order.resolve, order.reject);
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: DomainError };

/**
 * The batch in one transaction, or null when that transaction failed and was rolled back. An order refused with a
 * DomainError wrote nothing (its insert is one all-or-nothing statement: numbering and stock are gated on each other),
 * so the transaction goes on without it; any other error leaves the transaction unusable and fails the whole batch.
 * No savepoints, then: they would cost two round trips per order while the numbering row is locked.
 */
async function writeTogether(batch: Waiting[]): Promise<Outcome[] | null> {
  try {
    return await batch[0].ctx.em.transactional(async (em) => {
      const outcomes: Outcome[] = [];
      for (const order of batch) {
        try {
          outcomes.push({ ok: true, value: await order.work(order.ctx.withEm(em as EntityManager)) });
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          outcomes.push({ ok: false, error });
        }
      }
      return outcomes;
    });
  } catch {
    return null;
  }
}
