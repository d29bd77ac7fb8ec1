import { badInput } from '../errors';

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

export interface PageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

export interface PageRequest {
  /** How many rows the caller wants. */
  size: number;
  /** True when walking backwards (`last`/`before`). */
  backward: boolean;
  cursor: string | null;
}

export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

/**
 * The one page-argument rule of every connection: each size given (`first`, `last`) is checked, whether or not it
 * would be used, so an oversized page is always refused, never silently shortened; `first` pages forward (with
 * `after`) and `last` backward (with `before`), and mixing the two directions is refused rather than half-ignored.
 */
export function pageRequest(args: PageArgs): PageRequest {
  for (const field of ['first', 'last'] as const) {
    const size = args[field];
    if (size == null) continue;
    if (!Number.isInteger(size) || size < 0) throw badInput(field, 'must be a non-negative integer');
    if (size > MAX_PAGE_SIZE) throw badInput(field, `must be at most ${MAX_PAGE_SIZE}`);
  }
  if (args.first != null && args.last != null) throw badInput('first', 'use either first or last, not both');
  if (args.after != null && args.before != null) throw badInput('after', 'use either after or before, not both');
  if (args.first != null && args.before != null) throw badInput('before', 'page backward with last and before');
  if (args.last != null && args.after != null) throw badInput('after', 'page forward with first and after');
  const backward = args.last != null || args.before != null;
  const size = (backward ? args.last : args.first) ?? DEFAULT_PAGE_SIZE;
  return { size, backward, cursor: (backward ? args.before : args.after) ?? null };
}

/** Cursors are opaque to clients: base64url of a small JSON array naming the sort, its value and the row id. */
export function encodeCursor(parts: unknown[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

export function decodeCursor(cursor: string, field: string): unknown[] {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed)) return parsed;
  } catch {
    // fall through to the error below
  }
  throw badInput(field, 'is not a valid cursor');
}

/**
 * A cursor's timestamp as a Date in years 1 to 9999 (what our rows hold, and what the driver hands PostgreSQL
 * unambiguously; JavaScript dates reach ±275,000 years), or null when the cursor was forged or broken.
 */
export function cursorDate(value: unknown): Date | null {
  if (typeof value !== 'string') return null;
  const date = new Date(value);
  const year = date.getUTCFullYear();
  return Number.isNaN(date.getTime()) || year < 1 || year > 9999 ? null : date;
}

/**
 * Turns the rows fetched with one extra row into a page: trims the probe row and fills pageInfo. Only the first and last
 * cursors are encoded at once; the others when `cursors` is first read (most clients ask for `endCursor` alone).
 */
export function toPage<T>(
  rows: T[],
  request: PageRequest,
  cursorOf: (row: T) => string,
): { nodes: T[]; pageInfo: PageInfo; readonly cursors: string[] } {
  const hasMore = rows.length > request.size;
  const nodes = rows.slice(0, request.size);
  if (request.backward) nodes.reverse();
  let cursors: string[] | null = null;
  return {
    nodes,
    get cursors() {
      return (cursors ??= nodes.map(cursorOf));
    },
    pageInfo: {
      hasNextPage: request.backward ? request.cursor !== null : hasMore,
      hasPreviousPage: request.backward ? hasMore : request.cursor !== null,
      startCursor: nodes.length > 0 ? cursorOf(nodes[0]) : null,
      endCursor: nodes.length > 0 ? cursorOf(nodes[nodes.length - 1]) : null,
    },
  };
}
