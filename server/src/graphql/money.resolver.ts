import { assertObjectType, type GraphQLSchema } from 'graphql';
import { formatMoney, type MoneyValue } from '../shared/money';

/**
 * `Money.formatted`, derived from the amount and currency of whatever object a resolver returned (read records and
 * plain `{ amount, currency }` objects alike). It is set on the built schema as a plain function rather than declared
 * as a type-graphql field resolver: a page of orders resolves it about 80 times, and type-graphql's wrapper (a
 * container lookup, a params array, the middleware dispatch) costs more than the formatting, for a field that needs
 * none of it (no arguments, context or authorization).
 */
export function resolveMoneyFormatted(schema: GraphQLSchema): GraphQLSchema {
  const formatted = assertObjectType(schema.getType('Money')).getFields().formatted;
  formatted.resolve = (money: MoneyValue) => formatMoney(money.amount, money.currency);
  return schema;
}
