import { GraphQLScalarType } from 'graphql';
import { DateTimeISOResolver, JSONResolver, SafeIntResolver } from 'graphql-scalars';

/** ISO-8601 with offset; graphql-scalars' DateTimeISO under the contract's name `DateTime`. */
export const DateTimeScalar = new GraphQLScalarType({
  ...DateTimeISOResolver.toConfig(),
  name: 'DateTime',
  description: 'An ISO-8601 date-time with offset, e.g. 2026-11-24T09:30:00.000Z.',
});
export const SafeIntScalar = SafeIntResolver;
export const JSONScalar = JSONResolver;
