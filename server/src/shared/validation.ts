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

/** The longest search text a list accepts (orders, products). */
export const MAX_SEARCH_LENGTH = 200;

/** The longest string any input may carry; fields with their own, tighter limit check it themselves. */
export const MAX_INPUT_STRING_LENGTH = 10_000;

/**
 * The rules every input string obeys, whichever field it fills: no NUL character (PostgreSQL text cannot store it, and
 * it hides the rest of a value from people and logs) and at most MAX_INPUT_STRING_LENGTH characters. Walks objects and
 * arrays (keys included, as in JSON customizations) and names the first offending field by its path, e.g.
 * `input.items.0.customization.engraving`.
 */
export function findStringProblem(value: unknown, path: string): { field: string; message: string } | null {
  if (typeof value === 'string') {
    if (value.includes('\0')) return { field: path, message: 'must not contain a NUL character' };
    if (value.length > MAX_INPUT_STRING_LENGTH) {
      return { field: path, message: `must be at most ${MAX_INPUT_STRING_LENGTH} characters` };
    }
    return null;
  }
  if (value === null || typeof value !== 'object' || value instanceof Date) return null;
  for (const [key, child] of Object.entries(value)) {
    const field = path ? `${path}.${key}` : key;
    if (key.includes('\0')) return { field, message: 'must not contain a NUL character' };
    const problem = findStringProblem(child, field);
    if (problem) return problem;
  }
  return null;
}

/** BAD_USER_INPUT for the first string that breaks the rules above, anywhere in `value`. */
export function assertSafeStrings(value: unknown, path = ''): void {
  const problem = findStringProblem(value, path);
  if (problem) throw badInput(problem.field, problem.message);
}
