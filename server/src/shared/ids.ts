import { badInput } from '../errors';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_RE.test(value);
}

/** Ids are UUIDs; anything else is a client mistake, answered as BAD_USER_INPUT naming the field. */
export function parseId(value: string, field = 'id'): string {
  if (!isUuid(value)) throw badInput(field, 'is not a valid id');
  return value.toLowerCase();
}
