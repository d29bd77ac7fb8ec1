import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput } from '../errors';

/**
 * Raw SQL for the lean read paths and the atomic updates. MikroORM's brand filter does not reach raw SQL, so every
 * statement issued here must name `brand_id`; `scopedSql` makes that the only way to call it: the brand comes from the
 * request context (which throws when there is none) and is always the first parameter, `$brand`.
 */
export async function sql<T = Record<string, any>>(
  em: EntityManager,
  query: string,
  params: unknown[] = [],
): Promise<T[]> {
  return em.getConnection().execute<T[]>(query, params, 'all', em.getTransactionContext());
}

export async function scopedSql<T = Record<string, any>>(
  ctx: { em: EntityManager; brandId: string },
  query: string,
  params: unknown[] = [],
): Promise<T[]> {
  const firstPlaceholder = query.indexOf('?');
  if (firstPlaceholder < 0 || !query.slice(0, firstPlaceholder + 1).endsWith('brand_id = ?')) {
    throw new Error('scopedSql: the first parameter of the statement must be `brand_id = ?`');
  }
  return sql<T>(ctx.em, query, [ctx.brandId, ...params]);
}

/** A PostgreSQL array literal, bound as one parameter (knex would otherwise expand a JS array into a list). */
export function pgArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/(["\\])/g, '\\$1')}"`).join(',')}}`;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs; anything else is a client mistake, answered as BAD_USER_INPUT naming the field. */
export function parseId(value: string, field = 'id'): string {
  if (!UUID_RE.test(value)) throw badInput(field, 'is not a valid id');
  return value.toLowerCase();
}

/** Escapes LIKE wildcards so that user search text matches literally. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
