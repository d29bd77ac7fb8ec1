import type { EntityManager } from '@mikro-orm/postgresql';
import { unscopedSql } from './unscoped-sql';

/**
 * Raw SQL for the lean read paths and the atomic updates. MikroORM's brand filter does not reach raw SQL, so this module
 * is the wall: `scopedSql` binds the request's brand itself and refuses a statement that is not scoped to it. The few
 * modules that must cross brands use `shared/unscoped-sql.ts` instead, and a test keeps that list short.
 *
 * A statement is scoped when its first placeholder is the brand: it filters on `brand_id = ?` first, inserts a row whose
 * first column is `brand_id`, reads or updates the brand's own row (`brands … where id = ?`), or selects from a function
 * of the brand's data whose first argument is the brand (`from stats_rows(brand_id => ?`; `select (placed).*, …` when
 * the function answers a row of a table as one of its columns). A statement that must
 * bind other values before its filter starts with the scope instead: `with target as (select id from t where brand_id =
 * ? and …) update t … from target`.
 */
const SCOPED_PREFIXES = [
  /\bbrand_id\s*=\s*\?$/i,
  /^\s*insert\s+into\s+\w+\s*\(\s*brand_id\s*,[^?]*\bvalues\s*\(\s*\?$/i,
  /^\s*update\s+brands\s+set\b[^?]*\bwhere\s+id\s*=\s*\?$/i,
  /^\s*select\b[^?]*\bfrom\s+brands\s+where\s+id\s*=\s*\?$/i,
  /^\s*select\b[^?(]*\bfrom\s+\w+\(\s*brand_id\s*=>\s*\?$/i,
  /^\s*select\s+\(\w+\)\.\*[^?(]*\bfrom\s+\w+\(\s*brand_id\s*=>\s*\?$/i,
];

/**
 * Whose brand a statement runs for, and on which EntityManager: a request context offers `sqlEm`, which does not fork
 * one for a read (see RequestContext), and plain scopes built inside a transaction give its `em`.
 */
export type SqlScope = { brandId: string; rider?: ReadRider | null } & ({ sqlEm: EntityManager } | { em: EntityManager });

/**
 * A statement that rides at the head of a request's first read outside any transaction, in the same message, prepared
 * or not as the read is (auth/deferred-credential-check.ts): `ride` wraps the read, or answers null when it already
 * rode; `settle` gives back the read's own rows from the wrapped statement's.
 */
export interface ReadRider {
  /** While true, the request's answer must not go out: what rode has not confirmed it (or has not ridden yet). */
  readonly withholdsAnswer: boolean;
  ride(read: ScopedStatement): ScopedStatement | null;
  settle<T>(rows: Record<string, any>[]): T[];
}

const READ = /^\s*select\b/i;

/**
 * Runs a statement for the request's brand, which (from the request context, which throws when there is none) is bound
 * as its first parameter; `params` are the others, in order. Anything not scoped as above is refused. With `prepared`,
 * it runs as a named prepared statement whose generic plan each connection keeps (`unscopedSql`): only for statements
 * of a bounded set of texts whose generic plan was checked to be as good as a custom one for every brand.
 */
export async function scopedSql<T = Record<string, any>>(
  ctx: SqlScope,
  query: string,
  params: unknown[] = [],
  options: { prepared?: boolean } = {},
): Promise<T[]> {
  const statement = scopedStatement(ctx, query, params);
  const em = 'sqlEm' in ctx ? ctx.sqlEm : ctx.em;
  if (ctx.rider && READ.test(query) && !em.getTransactionContext()) {
    const carried = ctx.rider.ride(statement);
    if (carried) return ctx.rider.settle<T>(await unscopedSql(em, carried.sql, carried.params, options));
  }
  return unscopedSql<T>(em, statement.sql, statement.params, options);
}

/** A statement checked and bound as scopedSql would run it, for a caller that sends it with another in one message. */
export interface ScopedStatement {
  sql: string;
  params: unknown[];
}

/** The statement scopedSql runs (the same check, the brand bound first), not run: see ScopedStatement. */
export function scopedStatement(scope: { brandId: string }, query: string, params: unknown[] = []): ScopedStatement {
  const firstPlaceholder = query.indexOf('?');
  const prefix = query.slice(0, firstPlaceholder + 1);
  if (firstPlaceholder < 0 || !SCOPED_PREFIXES.some((scoped) => scoped.test(prefix))) {
    throw new Error('scopedSql: the first parameter of the statement must be `brand_id = ?`');
  }
  return { sql: query, params: [scope.brandId, ...params] };
}

/**
 * Waits for transaction-scoped advisory locks on `keys`, taken one after the other in the order given, in one round
 * trip (they touch no table, so they need no brand).
 */
export async function lockKeys(em: EntityManager, keys: string[]): Promise<void> {
  if (keys.length === 0) return;
  await unscopedSql(em, `select ${advisoryLocksSql(keys)}`, keys);
}

/** The select-list expressions that take those locks, in that order; `keys` are their parameters. */
export function advisoryLocksSql(keys: string[]): string {
  return keys.map(() => 'pg_advisory_xact_lock(hashtextextended(?, 0))').join(', ');
}

/** A PostgreSQL array literal, bound as one parameter (knex would otherwise expand a JS array into a list). */
export function pgArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/(["\\])/g, '\\$1')}"`).join(',')}}`;
}

/** Escapes LIKE wildcards so that user search text matches literally. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
