/**
 * True when `error` means the database cannot be reached or is restarting — a condition to retry later, not a bug.
 * Looks through the wrappers that the ORM, knex and GraphQL put around the driver's error.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const pending = [error];
  while (pending.length > 0) {
    const current = pending.pop() as any;
    if (!current || typeof current !== 'object' || seen.has(current)) continue;
    seen.add(current);
    if (matches(current)) return true;
    pending.push(current.originalError, current.cause, current.previous);
    if (Array.isArray(current.errors)) pending.push(...current.errors);
  }
  return false;
}

/** SQLSTATE class 08 (connection exception), 57P01–57P03 (server shutting down or starting up), 53300 (too many connections). */
const UNAVAILABLE_SQLSTATES = /^(08...|57P0[123]|53300)$/;
const UNAVAILABLE_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const UNAVAILABLE_MESSAGES = [
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /Timeout acquiring a connection/i,
  /Client has encountered a connection error and is not queryable/i,
  /Connection ended unexpectedly/i,
];

function matches(error: { name?: unknown; code?: unknown; sqlState?: unknown; message?: unknown }): boolean {
  if (error.name === 'KnexTimeoutError' || error.name === 'ConnectionException') return true;
  for (const code of [error.code, error.sqlState]) {
    if (typeof code !== 'string') continue;
    if (UNAVAILABLE_SQLSTATES.test(code) || UNAVAILABLE_SOCKET_CODES.has(code)) return true;
  }
  return typeof error.message === 'string' && UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(error.message as string));
}
