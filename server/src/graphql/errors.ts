import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { ArgumentValidationError } from 'type-graphql';
import { DomainError } from '../errors';
import { LimitError } from './limits';

/**
 * The one place where errors become GraphQL errors: domain errors keep their code and details; GraphQL's own
 * (syntax, validation, variable coercion) keep Apollo's code; anything else is logged with the request id and
 * masked as INTERNAL_SERVER_ERROR, so no stack trace or SQL ever reaches a client.
 */
export function isUnexpected(error: unknown): boolean {
  const original = unwrapResolverError(error);
  if (original instanceof DomainError || original instanceof ArgumentValidationError) return false;
  if (original instanceof GraphQLError) {
    const code = original.extensions?.code;
    return code === undefined || code === 'INTERNAL_SERVER_ERROR';
  }
  return true;
}

export function formatError() {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof DomainError) {
      return {
        message: original.message,
        path: formatted.path,
        locations: formatted.locations,
        // The code goes last: a detail can never overwrite it.
        extensions: { ...original.details, code: original.code },
      };
    }
    if (original instanceof LimitError) {
      return { message: original.message, extensions: { ...original.details, code: original.code } };
    }
    if (original instanceof ArgumentValidationError) {
      const first = original.extensions.validationErrors?.[0];
      return {
        message: formatted.message,
        path: formatted.path,
        extensions: { code: 'BAD_USER_INPUT', field: first?.property },
      };
    }
    const code = formatted.extensions?.code;
    if (
      original instanceof GraphQLError &&
      typeof code === 'string' &&
      code !== 'INTERNAL_SERVER_ERROR'
    ) {
      return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions: { code } };
    }
    // Logged with the request id by the error-logging plugin (see isUnexpected); the client sees only the mask.
    return {
      message: 'Internal server error',
      path: formatted.path,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}
