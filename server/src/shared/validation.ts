import type { z } from 'zod';
import { badInput } from '../errors';

/** Parses with a zod schema; the first problem becomes BAD_USER_INPUT naming its field path (e.g. `items.0.quantity`). */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, root = ''): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = [root, ...issue.path.map(String)].filter(Boolean).join('.') || 'input';
  throw badInput(field, issue.message);
}
