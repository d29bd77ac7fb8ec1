import { FieldResolver, Resolver, Root } from 'type-graphql';
import { formatMoney } from '../shared/money';
import type { MoneyValue } from '../orders/order.queries';
import { Money } from './common.types';

@Resolver(() => Money)
export class MoneyResolver {
  @FieldResolver(() => String)
  formatted(@Root() money: MoneyValue): string {
    return formatMoney(money.amount, money.currency);
  }
}
