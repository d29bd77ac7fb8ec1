import { createHash } from 'node:crypto';
import type { Platform } from '@mikro-orm/core';

/**
 * Statements prepared in the session with SQL's own PREPARE and run with EXECUTE, for the statements a pipelined
 * transaction sends as text (pipelined-transaction.ts): several statements travel in one simple-query message there,
 * which cannot carry the protocol's named statements (unscoped-sql.ts), so each was parsed and planned on every call.
 * In a burst of Stripe deliveries that planning was 28 % of PostgreSQL's statement time (docs/performance.md, Write
 * path, Stripe deliveries, round 10). `EXECUTE name(values)` is parsed in microseconds and runs the session's cached
 * generic plan (`plan_cache_mode` in orm-config.ts), so only statements whose generic plan was checked to be as good as
 * a custom one may come here (a caller's `prepared`).
 *
 * - A PREPARE outlives the transaction and the message it came in, even when they fail (PostgreSQL does not roll it
 *   back), so a connection's names are recorded only once their PREPARE has answered, sent on its own before the
 *   statements that use them.
 * - A name is a hash of its text, so that the same name means the same statement in every process and version that
 *   could share a server session (behind a pooler).
 * - Behind a pooler in transaction mode (PgBouncer's), a session's statements do not follow the client from one
 *   transaction to the next: the first EXECUTE that finds no statement turns them off for the process, and its caller
 *   runs the transaction again (`preparedStatementLost`). A migration that changes what a kept statement answers makes
 *   its EXECUTE fail (`cached plan must not change result type`): that connection's names are forgotten and prepared
 *   again, and the caller runs again the same way.
 */
export interface ServerPrepared {
  /** The statement as given, `?` placeholders. */
  query: string;
  name: string;
  /** `PREPARE name AS …`, the text with `$1`, `$2`, … for its `?` placeholders. */
  prepare: string;
  placeholders: number;
}

/**
 * How many statement texts get a name. Each connection keeps the plan of every name it prepared until it closes, so
 * the names must be few: the callers' texts come from a fixed set of shapes (Stripe's claims, first reads and outcomes).
 * Texts past the limit, or that PostgreSQL could not prepare, are sent formatted as before.
 */
export const MAX_SERVER_PREPARED = 100;

const byQuery = new Map<string, ServerPrepared | null>();
/** The names each pg connection has prepared. */
const preparedOn = new WeakMap<object, Set<string>>();
/** Off once a session was found not to keep its statements (a pooler in transaction mode). */
let sessionsKeepStatements = true;

/** `query` with `$1`, `$2`, … for its `?` placeholders (`\?` stays a literal `?`), as PostgreSQL prepares it. */
export function numberedPlaceholders(query: string): { text: string; placeholders: number } {
  let placeholders = 0;
  const text = query.replace(/\\\?|\?/g, (match) => (match === '?' ? `$${++placeholders}` : '?'));
  return { text, placeholders };
}

/** The name for `query` (`?` placeholders), or null when it gets none (see MAX_SERVER_PREPARED). */
export function serverPrepared(query: string): ServerPrepared | null {
  if (!sessionsKeepStatements) return null;
  const known = byQuery.get(query);
  if (known !== undefined) return known;
  if (byQuery.size >= MAX_SERVER_PREPARED || query.includes('??')) return null;
  const { text, placeholders } = numberedPlaceholders(query);
  const name = `luneo_x${createHash('sha256').update(text).digest('hex').slice(0, 20)}`;
  const statement = { query, name, prepare: `prepare ${name} as ${text}`, placeholders };
  byQuery.set(query, statement);
  return statement;
}

/** The statement a name stands for (what `EXECUTE name` runs), as given: `?` placeholders. */
export function serverPreparedQuery(name: string): string | undefined {
  for (const statement of byQuery.values()) if (statement?.name === name) return statement.query;
  return undefined;
}

/** That `query` cannot be prepared (its PREPARE failed): it is sent formatted from now on. */
export function refuseServerPrepared(query: string): void {
  byQuery.set(query, null);
}

export function isPreparedOn(connection: object, statement: ServerPrepared): boolean {
  return preparedOn.get(connection)?.has(statement.name) ?? false;
}

export function markPreparedOn(connection: object, statement: ServerPrepared): void {
  let names = preparedOn.get(connection);
  if (!names) preparedOn.set(connection, (names = new Set()));
  names.add(statement.name);
}

/**
 * `EXECUTE name(…)` with `params` formatted as MikroORM formats them into a text, or null when a value would not stay
 * one argument (a list, which the formatting spreads).
 */
export function executeText(platform: Platform, statement: ServerPrepared, params: unknown[]): string | null {
  if (params.length !== statement.placeholders || params.some((value) => Array.isArray(value))) return null;
  if (!params.length) return `execute ${statement.name}`;
  return `execute ${statement.name}(${platform.formatQuery(params.map(() => '?').join(', '), params)})`;
}

const LOST = Symbol('a prepared statement was lost');

/**
 * Looks at the error of a message that ran statements the session prepared on `connection`: a statement the session
 * no longer has (a pooler in transaction mode) turns them off for the process; a plan a migration made stale makes the
 * connection prepare its statements again. Either way the error is marked for `preparedStatementLost`.
 */
export function afterExecuteFailed(connection: object, error: unknown): void {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === '26000') sessionsKeepStatements = false;
  else if (code === '0A000') preparedOn.delete(connection);
  else return;
  Object.defineProperty(error, LOST, { value: true });
}

/** True when `error` failed a transaction only because its prepared statements were lost: run it again. */
export function preparedStatementLost(error: unknown): boolean {
  return typeof error === 'object' && error !== null && LOST in error;
}
