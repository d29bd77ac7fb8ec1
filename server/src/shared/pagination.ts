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

export function pageRequest(args: PageArgs): PageRequest {
  if (args.first != null && args.last != null) throw badInput('first', 'use either first or last, not both');
  const backward = args.last != null || args.before != null;
  const size = backward ? (args.last ?? DEFAULT_PAGE_SIZE) : (args.first ?? DEFAULT_PAGE_SIZE);
  const field = backward ? 'last' : 'first';
  if (!Number.isInteger(size) || size < 0) throw badInput(field, 'must be a non-negative integer');
  if (size > MAX_PAGE_SIZE) throw badInput(field, `must be at most ${MAX_PAGE_SIZE}`);
  if (args.after != null && args.before != null) throw badInput('after', 'use either after or before, not both');
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

/** Turns the rows fetched with one extra row into a page: trims the probe row and fills pageInfo. */
export function toPage<T>(
  rows: T[],
  request: PageRequest,
  cursorOf: (row: T) => string,
): { nodes: T[]; pageInfo: PageInfo; cursors: string[] } {
  const hasMore = rows.length > request.size;
  const nodes = rows.slice(0, request.size);
  if (request.backward) nodes.reverse();
  const cursors = nodes.map(cursorOf);
  return {
    nodes,
    cursors,
    pageInfo: {
      hasNextPage: request.backward ? request.cursor !== null : hasMore,
      hasPreviousPage: request.backward ? hasMore : request.cursor !== null,
      startCursor: cursors[0] ?? null,
      endCursor: cursors[cursors.length - 1] ?? null,
    },
  };
}
