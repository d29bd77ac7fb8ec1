import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { disableIdleAsyncStorages } from '../../src/db/idle-async-storages';

disableIdleAsyncStorages();

/** Node 20 keeps whether a storage (and so the promise hooks) is on in `enabled`; later implementations may not. */
const enabledOf = (storage: AsyncLocalStorage<unknown>): boolean | undefined => (storage as unknown as { enabled?: boolean }).enabled;

describe('AsyncLocalStorage storages that only run() enabled', () => {
  it('are disabled once their last run has settled, and work again on the next run', async () => {
    const storage = new AsyncLocalStorage<string>();
    const seen = await storage.run('first', async () => {
      await sleep(1);
      return storage.getStore();
    });
    expect(seen).toBe('first');
    if (enabledOf(storage) !== undefined) expect(enabledOf(storage)).toBe(false);
    expect(storage.getStore()).toBeUndefined();

    const again = await storage.run('second', async () => {
      await sleep(1);
      await Promise.resolve();
      return storage.getStore();
    });
    expect(again).toBe('second');
  });

  it('keep every run its own store while runs overlap, whichever settles first', async () => {
    const storage = new AsyncLocalStorage<string>();
    const seen: string[] = [];
    let releaseLong!: () => void;
    const long = storage.run('long', async () => {
      await new Promise<void>((resolve) => (releaseLong = resolve));
      await sleep(1);
      seen.push(`long:${storage.getStore()}`);
    });
    await storage.run('short', async () => {
      await sleep(1);
      seen.push(`short:${storage.getStore()}`);
    });
    // The short run has settled; the long one is still in progress, so its storage must still carry its store.
    if (enabledOf(storage) !== undefined) expect(enabledOf(storage)).toBe(true);
    releaseLong();
    await long;
    expect(seen).toEqual(['short:short', 'long:long']);
    if (enabledOf(storage) !== undefined) expect(enabledOf(storage)).toBe(false);
  });

  it('settle a run whose promise rejects, and hand the caller the same failure', async () => {
    const storage = new AsyncLocalStorage<string>();
    await expect(
      storage.run('async', async () => {
        await sleep(1);
        throw new Error('rejected');
      }),
    ).rejects.toThrow('rejected');
    if (enabledOf(storage) !== undefined) expect(enabledOf(storage)).toBe(false);
  });

  it('leave a storage enabled whose run returned no promise (an Express next) or threw: its async work has no known end', async () => {
    const middleware = new AsyncLocalStorage<string>();
    const seen = await new Promise<string | undefined>((resolve) => {
      middleware.run('request', () => {
        // The request goes on after run() has returned, as Express's next() does.
        setImmediate(async () => {
          await sleep(1);
          resolve(middleware.getStore());
        });
      });
    });
    expect(seen).toBe('request');

    const throwing = new AsyncLocalStorage<string>();
    let later: Promise<string | undefined> = Promise.resolve(undefined);
    expect(() =>
      throwing.run('thrown', () => {
        later = sleep(1).then(() => throwing.getStore());
        throw new Error('thrown');
      }),
    ).toThrow('thrown');
    expect(await later).toBe('thrown');
  });

  it('leave a storage entered with enterWith enabled', async () => {
    const storage = new AsyncLocalStorage<string>();
    // enterWith sets the store of the current execution context: a fresh one, so the test's own is left alone.
    const seen = await new Promise<string | undefined>((resolve) => {
      setImmediate(async () => {
        storage.enterWith('entered');
        await storage.run('inner', async () => sleep(1));
        await sleep(1);
        resolve(storage.getStore());
      });
    });
    expect(seen).toBe('entered');
  });
});
