import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Node 20 builds AsyncLocalStorage on async_hooks: while any storage is enabled, every promise the process creates
 * goes through a JavaScript hook that copies the stores onto it. MikroORM keeps three storages (its unit of work's
 * "inside a flush", the transaction context, raw query fragments), enables them on its first flush and never
 * disables them, so once the API has written anything, every promise of every request pays the hook — reads included
 * (a page of orders: its CPU fell ≈ 6 % without them, docs/performance.md).
 *
 * A store is read only by code running inside a `run` of its storage, and by the async work that call started. So a
 * storage that only `run` enabled is disabled again when its last `run` in progress has settled (Node's own
 * `disable()`; `getStore()` then answers undefined, as it does outside any `run`), and the next `run` enables it
 * again. Under a steady stream of writes the storages simply stay enabled. A storage whose async work has no end to
 * wait for — entered with `enterWith`, or run with a callback that returns no promise (an Express `next`, as in
 * MikroORM's `RequestContext.create(em, next)`) or throws — is never disabled here.
 */
let installed = false;

export function disableIdleAsyncStorages(): void {
  if (installed) return;
  installed = true;
  // Only where stores ride on async_hooks (Node 20 and 22 by default); Node 24's AsyncContextFrame has no such cost.
  if (typeof (AsyncLocalStorage.prototype as { _enable?: unknown })._enable !== 'function') return;
  const inProgress = new WeakMap<AsyncLocalStorage<unknown>, number>();
  const pinned = new WeakSet<AsyncLocalStorage<unknown>>();
  const run = AsyncLocalStorage.prototype.run;
  const enterWith = AsyncLocalStorage.prototype.enterWith;

  const settled = (storage: AsyncLocalStorage<unknown>) => {
    const left = (inProgress.get(storage) ?? 1) - 1;
    inProgress.set(storage, left);
    if (left === 0 && !pinned.has(storage)) storage.disable();
  };

  AsyncLocalStorage.prototype.enterWith = function (this: AsyncLocalStorage<unknown>, store: unknown) {
    pinned.add(this);
    return enterWith.call(this, store);
  };
  AsyncLocalStorage.prototype.run = function <R>(
    this: AsyncLocalStorage<unknown>,
    store: unknown,
    callback: (...args: unknown[]) => R,
    ...args: unknown[]
  ): R {
    inProgress.set(this, (inProgress.get(this) ?? 0) + 1);
    let result: R;
    try {
      result = (run as (this: unknown, ...a: unknown[]) => R).call(this, store, callback, ...args);
    } catch (error) {
      pinned.add(this);
      settled(this);
      throw error;
    }
    if (result && typeof (result as { then?: unknown }).then === 'function') {
      // The caller still gets `result` itself and sees its rejection; only a rejection nobody handles no longer
      // reports as unhandled (MikroORM awaits every `run` it starts).
      (result as unknown as PromiseLike<unknown>).then(
        () => settled(this),
        () => settled(this),
      );
    } else {
      pinned.add(this);
      settled(this);
    }
    return result;
  } as typeof AsyncLocalStorage.prototype.run;
}
