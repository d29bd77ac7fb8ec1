import type { EntityManager } from '@mikro-orm/postgresql';
import { afterExecuteFailed, executeText, isPreparedOn, markPreparedOn, refuseServerPrepared, serverPrepared, type ServerPrepared } from './server-prepared';

/**
 * A transaction whose BEGIN travels with its first statement, and whose COMMIT can travel with its last: one message
 * each instead of a round trip of its own (a socket write, a wake-up of the backend, a wait for its answer), for a hot
 * path of short transactions (Stripe deliveries; docs/performance.md, Write path).
 *
 * It relies on how statements reach PostgreSQL here: MikroORM formats every value into the text and the pg driver sends
 * a statement without bound values as a simple query, in which PostgreSQL runs statements separated by `;` one after
 * the other — each with a snapshot of its own, as if sent apart — and stops at the first error. The driver then answers
 * one result per statement; the caller gets those of its own statements. A statement with bound values (none today) is sent
 * after a BEGIN of its own, as before.
 *
 * Otherwise it is MikroORM's transaction: the knex transaction it would open, only without sending BEGIN, the request's
 * fork bound to it, flushed before the commit. Knex's own BEGIN and COMMIT are replaced on that one transaction object
 * (knex 3.2's `begin`/`commit` hooks and the `_completed`/`_resolver` state `commit` would set; versions are pinned).
 */

type QueryCallback = (error: Error | null, result?: unknown) => void;
interface PgConnection {
  query: (config: unknown, ...rest: unknown[]) => unknown;
}
interface KnexTransaction {
  begin(connection: PgConnection): Promise<unknown>;
  commit(connection: PgConnection, value?: unknown): Promise<unknown>;
  rollback(connection: PgConnection, error?: unknown): Promise<unknown>;
  catch(onRejected: (error: unknown) => unknown): Promise<unknown>;
  _completed: boolean;
  _resolver(value?: unknown): void;
}
interface Transactor {
  commit(value?: unknown): Promise<unknown>;
  rollback(error?: unknown): Promise<unknown>;
  executionPromise: Promise<unknown>;
}

interface State {
  connection: PgConnection | null;
  /** The connection's own `query`, put back before the transaction ends (the pool may hand the connection out). */
  send: PgConnection['query'] | null;
  beginPending: boolean;
  commitNext: boolean;
  commitSent: boolean;
  committed: boolean;
  /** Knex committed or rolled the transaction back: its connection may be another's now. */
  ended: boolean;
}

const states = new WeakMap<object, State>();

/** Runs `work` on a fork of `em` in one such transaction; commits when it resolves, rolls back when it throws. */
export async function pipelinedTransaction<T>(em: EntityManager, work: (em: EntityManager) => Promise<T>): Promise<T> {
  const state: State = { connection: null, send: null, beginPending: true, commitNext: false, commitSent: false, committed: false, ended: false };
  const restore = () => {
    state.ended = true;
    if (state.connection && state.send) state.connection.query = state.send;
  };
  const knex = em.getConnection().getKnex();
  const transactor = await new Promise<Transactor>((resolve, reject) => {
    const trx = (knex.client as any).transaction(resolve, { doNotRejectOnRollback: true, userParams: {} }) as KnexTransaction;
    trx.begin = async (connection) => {
      state.connection = connection;
      state.send = connection.query;
      connection.query = (config, ...rest) => sendThrough(state, config, rest);
    };
    const { commit, rollback } = trx;
    // Ends knex's transaction without a round trip: committed by its last statement, or nothing was ever sent.
    const endSilently = (value?: unknown) => {
      trx._completed = true;
      trx._resolver(value);
      return Promise.resolve(value);
    };
    trx.commit = (connection, value) => {
      restore();
      return state.committed || state.beginPending ? endSilently(value) : commit.call(trx, connection, value);
    };
    trx.rollback = (connection, error) => {
      restore();
      return state.committed || state.beginPending ? endSilently() : rollback.call(trx, connection, error);
    };
    trx.catch(reject);
  });
  states.set(transactor, state);
  const fork = em.fork({ clear: true, useContext: false });
  fork.setTransactionContext(transactor);
  let result: T;
  try {
    result = await work(fork);
    await fork.flush();
  } catch (error) {
    await transactor.rollback().catch(() => undefined);
    throw error;
  }
  await transactor.commit();
  await transactor.executionPromise;
  return result;
}

/**
 * Makes the next statement of `em`'s transaction its last: COMMIT is sent with it, in the same message. Only in a
 * pipelined transaction, and only when nothing is left for the flush before the commit to write — or `writesUnitOfWork`:
 * the caller's statement writes all of it; returns whether it will. Anything sent on
 * the transaction after that statement fails.
 */
export function commitWithNextStatement(em: EntityManager, writesUnitOfWork = false): boolean {
  const ctx = em.getTransactionContext();
  const state = ctx ? states.get(ctx) : undefined;
  if (!state || state.commitSent) return false;
  const uow = em.getUnitOfWork();
  if (!writesUnitOfWork) {
    uow.computeChangeSets();
    if (uow.getChangeSets().length > 0 || uow.getCollectionUpdates().length > 0 || uow.getExtraUpdates().size > 0) return false;
  }
  state.commitNext = true;
  return true;
}

/** A statement with `?` placeholders and its values. */
export interface SqlText {
  sql: string;
  params: unknown[];
}

/**
 * Sends raw statements of `em`'s pipelined transaction straight to its connection, in one message, and answers one array
 * of rows per statement — without MikroORM's and knex's per-statement runner, which cost about a tenth of the API's CPU
 * per Stripe delivery (docs/performance.md, Write path, Stripe deliveries, round 5). Each statement is formatted as
 * MikroORM's `execute` formats it (every value inlined), or, `prepared`, sent as `EXECUTE` of a statement the session
 * prepared (server-prepared.ts; its PREPARE goes first, on its own, the first time a connection needs it). Null when
 * `em` is not in such a transaction, or its connection is not taken yet: the caller then goes through `execute`.
 */
export function sendInPipelinedTransaction(em: EntityManager, statements: SqlText[], prepared = false): Promise<Record<string, any>[][]> | null {
  const ctx = em.getTransactionContext();
  const state = ctx ? states.get(ctx) : undefined;
  // Once ended, knex's own path refuses the statement, as it did before.
  if (!state?.connection || state.ended || state.committed) return null;
  const connection = state.connection;
  const named = statements.map((statement) => (prepared ? serverPrepared(statement.sql) : null));
  const unprepared = [...new Set(named.filter((statement): statement is ServerPrepared => !!statement && !isPreparedOn(connection, statement)))];
  const send = () => {
    if (state.ended || state.committed || state.connection !== connection) throw new Error('pipelinedTransaction: the transaction ended');
    const platform = em.getPlatform();
    let executes = false;
    const texts = statements.map(({ sql, params }, i) => {
      const statement = named[i];
      const execute = statement && isPreparedOn(connection, statement) && executeText(platform, statement, params);
      executes ||= !!execute;
      return execute || platform.formatQuery(sql, params);
    });
    return new Promise<Record<string, any>[][]>((resolve, reject) => {
      const answer: QueryCallback = (error, result) => {
        if (error && executes) afterExecuteFailed(connection, error);
        if (error) return reject(error);
        const rows = (one: unknown) => (one as { rows: Record<string, any>[] }).rows;
        resolve(Array.isArray(result) ? result.map(rows) : [rows(result)]);
      };
      try {
        sendThrough(state, { text: texts.join(';\n') }, [answer]);
      } catch (error) {
        reject(error);
      }
    });
  };
  return unprepared.length ? prepareOn(state, unprepared).then(send) : Promise.resolve().then(send);
}

/**
 * Prepares `unprepared` on the transaction's connection, one message each. Before the transaction's BEGIN went out, the
 * PREPARE runs on its own; after it, inside a savepoint, so that a statement PostgreSQL cannot prepare (a value whose
 * type it cannot tell) does not abort the transaction: that text is then sent formatted, here and from now on.
 */
async function prepareOn(state: State, unprepared: ServerPrepared[]): Promise<void> {
  const connection = state.connection!;
  const run = (text: string) =>
    new Promise<void>((resolve, reject) => state.send!.call(connection, { text }, (error: Error | null) => (error ? reject(error) : resolve())));
  const inTransaction = !state.beginPending;
  const attempt = async (text: string) => {
    try {
      await run(inTransaction ? `savepoint luneo_prepare;\n${text};\nrelease savepoint luneo_prepare` : text);
      return null;
    } catch (error) {
      const code = String((error as { code?: unknown }).code ?? '');
      // Anything but PostgreSQL refusing the text (SQLSTATE class 42) fails the statements that follow as well.
      if (!code.startsWith('42')) throw error;
      if (inTransaction) await run('rollback to savepoint luneo_prepare;\nrelease savepoint luneo_prepare');
      return code;
    }
  };
  for (const statement of unprepared) {
    let refused = await attempt(statement.prepare);
    // Already there: prepared by this connection before it forgot its names (a stale plan), or, behind a pooler, by
    // another client of the same server session — the same text, since the name is its hash. Prepared afresh.
    if (refused === '42P05') refused = await attempt(`deallocate ${statement.name};\n${statement.prepare}`);
    if (refused) refuseServerPrepared(statement.query);
    else markPreparedOn(connection, statement);
  }
}

function sendThrough(state: State, config: unknown, rest: unknown[]): unknown {
  const send = state.send!;
  const connection = state.connection!;
  if (state.commitSent) throw new Error('pipelinedTransaction: a statement after the one that carried the COMMIT');
  // Knex sends (config, callback); values given apart from the config, (config, values, callback), leave no callback here.
  const callback = rest[0];
  const text = (config as { text?: unknown } | null)?.text;
  const values = (config as { values?: unknown[] } | null)?.values;
  if (typeof text !== 'string' || (values && values.length) || typeof callback !== 'function') {
    if (state.beginPending) {
      state.beginPending = false;
      (send.call(connection, 'BEGIN') as Promise<unknown>).catch(() => undefined);
    }
    return send.call(connection, config, ...rest);
  }
  const before = state.beginPending ? 'BEGIN;\n' : '';
  const after = state.commitNext ? ';\nCOMMIT' : '';
  state.beginPending = false;
  state.commitSent = state.commitNext;
  state.commitNext = false;
  if (!before && !after) return send.call(connection, config, ...rest);
  const done = callback as QueryCallback;
  const onResult = (error: Error | null, result?: unknown) => {
    if (error) return done(error);
    if (after) state.committed = true;
    // The driver answers one result per statement: the caller gets those of its own (one, or several as it sent them).
    const results = Array.isArray(result) ? result : [result];
    const own = results.slice(before ? 1 : 0, after ? results.length - 1 : results.length);
    return done(null, own.length === 1 ? own[0] : own);
  };
  return send.call(connection, { ...(config as object), text: `${before}${text}${after}` }, onResult);
}
