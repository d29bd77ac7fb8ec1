/**
 * Turns API failures into words a person understands, shown next to the action that caused them.
 * Domain errors carry `extensions.code` (and `extensions.field` for BAD_USER_INPUT); the API writes their
 * messages for people, so those are kept; generic failures get our own wording.
 */

export interface Problem {
  code: string;
  message: string;
  /** The input field at fault, when the API names one (BAD_USER_INPUT). */
  field?: string;
}

interface GraphQLErrorLike {
  message: string;
  extensions?: Record<string, unknown> | null;
}

interface CombinedErrorLike {
  networkError?: Error | null;
  graphQLErrors?: readonly GraphQLErrorLike[];
  response?: unknown;
}

const GENERIC: Record<string, string> = {
  UNAUTHENTICATED: 'Your session has ended. Please sign in again.',
  INTERNAL_SERVER_ERROR: 'Something went wrong on our side. Please try again in a moment.',
  NETWORK: 'We could not reach the server. Check your connection and try again.',
  GRAPHQL_VALIDATION_FAILED: 'The dashboard and the API disagree about this request. Reload the page and try again.',
  BAD_REQUEST: 'The request was not understood. Reload the page and try again.',
  PERSISTED_QUERY_NOT_FOUND: 'Reload the page and try again.',
};

const PREFIX: Partial<Record<string, string>> = {
  INSUFFICIENT_STOCK: 'Not enough stock',
  DISCOUNT_INVALID: 'This discount code cannot be used',
  IDEMPOTENCY_CONFLICT: 'This request was already sent with different details',
};

function humanField(field: string): string {
  const last = field.split('.').pop() ?? field;
  const words = last.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The message without a leading "field: " the API adds to BAD_USER_INPUT, sentence-cased. */
function stripFieldPrefix(message: string, field: string | undefined): string {
  if (!field) return message;
  const prefix = `${field}: `;
  const rest = message.startsWith(prefix) ? message.slice(prefix.length) : message;
  return rest.charAt(0).toUpperCase() + rest.slice(1);
}

export function problemFromGraphQLError(error: GraphQLErrorLike): Problem {
  const ext = error.extensions ?? {};
  const code = typeof ext.code === 'string' ? ext.code : 'INTERNAL_SERVER_ERROR';
  const field = typeof ext.field === 'string' ? ext.field : undefined;
  const raw = (error.message ?? '').replace(/^\[GraphQL\]\s*/, '').trim();

  if (code === 'INTERNAL_SERVER_ERROR' || code in GENERIC) return { code, message: GENERIC[code] ?? GENERIC.INTERNAL_SERVER_ERROR, field };
  if (code === 'BAD_USER_INPUT') {
    if (!raw) return { code, field, message: 'Some of the values are not valid.' };
    // "customer.email: must be…" names its field already; a bare message gets the field's name in front.
    const named = !field || raw.startsWith(`${field}: `);
    return { code, field, message: named ? stripFieldPrefix(raw, field) : `${humanField(field)}: ${raw}` };
  }
  if (code === 'FORBIDDEN') return { code, message: raw || 'Your role does not allow this action.' };
  if (code === 'NOT_FOUND') return { code, message: raw || 'This item no longer exists.' };
  if (code === 'IDEMPOTENCY_CONFLICT') {
    return { code, message: `${PREFIX.IDEMPOTENCY_CONFLICT}. Reload the page and try again.` };
  }
  const prefix = PREFIX[code];
  if (prefix) return { code, message: raw && !raw.toLowerCase().startsWith(prefix.toLowerCase()) ? `${prefix}: ${raw}` : raw || `${prefix}.` };
  return { code, message: raw || GENERIC.INTERNAL_SERVER_ERROR };
}

/** The first problem of an urql CombinedError (or anything shaped like it); null when there is none. */
export function problemFrom(error: CombinedErrorLike | null | undefined): Problem | null {
  if (!error) return null;
  const first = error.graphQLErrors?.[0];
  if (first) return problemFromGraphQLError(first);
  if (error.networkError) {
    const status = (error.response as { status?: number } | undefined)?.status;
    if (status === 401) return { code: 'UNAUTHENTICATED', message: GENERIC.UNAUTHENTICATED };
    if (status === 403) return { code: 'FORBIDDEN', message: 'This request was refused. Reload the page and try again.' };
    return { code: 'NETWORK', message: GENERIC.NETWORK };
  }
  return { code: 'INTERNAL_SERVER_ERROR', message: GENERIC.INTERNAL_SERVER_ERROR };
}
