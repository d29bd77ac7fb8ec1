import { FieldResolver, Resolver, Root } from 'type-graphql';
import { formatMoney, type MoneyValue } from '../shared/money';
import { Money } from './common.types';

@Resolver(() => Money)
export class MoneyResolver {
  @FieldResolver(() => String)
  formatted(@Root() money: MoneyValue): string {
    return formatMoney(money.amount, money.currency);
  }
}
