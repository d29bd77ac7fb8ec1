import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import { badInput, DomainError } from '../errors';
import { scopedSql } from '../shared/sql';

/** Stable JSON (sorted keys), so that the same input always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function requestHash(input: unknown): string {
  return createHash('sha256').update(canonical(input)).digest('hex');
}

export function validateIdempotencyKey(key: string | null | undefined): string | null {
  if (key == null) return null;
  if (key.length < 1 || key.length > 200) throw badInput('idempotencyKey', 'must be 1 to 200 characters');
  return key;
}

/**
 * Claims an idempotency key inside the caller's transaction, before the effect. The unique index makes a concurrent
 * claim of the same key wait for the first transaction: if that one commits, this one sees its row and replays its
 * result; if it rolls back, this one claims the key and runs.
 *
 * Returns `{ replayOf: id }` when the key was already used with the same input; throws IDEMPOTENCY_CONFLICT when it
 * was used with different input; returns `{ replayOf: null }` when the caller should run the effect.
 */
export async function claimIdempotencyKey(
  scope: { em: EntityManager; brandId: string },
  operation: string,
  key: string,
  input: unknown,
  resultId: string,
): Promise<{ replayOf: string | null }> {
  const hash = requestHash(input);
  const inserted = await scopedSql(
    scope,
    `insert into idempotency_keys (brand_id, id, operation, key, request_hash, result_id, created_at, updated_at)
     values (?, ?, ?, ?, ?, ?, now(), now())
     on conflict (brand_id, operation, key) do nothing returning id`,
    [uuidv7(), operation, key, hash, resultId],
  );
  if (inserted.length === 1) return { replayOf: null };
  const [existing] = await scopedSql<{ request_hash: string; result_id: string }>(
    scope,
    'select request_hash, result_id from idempotency_keys where brand_id = ? and operation = ? and key = ?',
    [operation, key],
  );
  if (existing.request_hash !== hash) {
    throw new DomainError(
      'IDEMPOTENCY_CONFLICT',
      'This idempotency key was already used with different input; use a new key for a new request',
      { idempotencyKey: key },
    );
  }
  return { replayOf: existing.result_id };
}
